"""The shipped agents' settings: the trainers, the networks' defaults and the cards read them here.

One demo, several agents: ``showcase train rl --agent NAME`` picks one of :data:`AGENTS`, and the
options left at 0 take that agent's preset. An *epoch* is one round of collecting experience and
learning from it, ended by a greedy evaluation (DQN, DDPG) or an arena match (AlphaZero); the best
evaluated network is the one kept.
"""

from __future__ import annotations

import dataclasses

from showcase.errors import ShowcaseError
from showcase.training import TrainConfig


@dataclasses.dataclass(frozen=True)
class DQNSettings:
    """Deep Q-learning (Mnih et al. 2015) with Double DQN targets (van Hasselt et al. 2016)."""

    environment: str
    epochs: int
    steps_per_epoch: int  # environment steps (frames) per epoch
    learning_rate: float
    # Linear decay to this fraction of learning_rate by the last step (1.0: constant). A DQN's
    # greedy policy keeps swinging at a constant step size even after it has solved a task.
    final_learning_rate_fraction: float = 1.0
    hidden_units: tuple[int, ...] = (256, 256)
    conv_filters: int = 0  # MinAtar: one 3x3 convolution before the dense layers
    dueling: bool = False
    double: bool = True
    gamma: float = 0.99
    batch_size: int = 64
    replay_size: int = 50_000
    learning_starts: int = 1_000
    train_every: int = 1  # environment steps per gradient update
    target_update: int = 1_000  # steps between copies into the target network
    epsilon_start: float = 1.0
    epsilon_end: float = 0.02
    epsilon_steps: int = 10_000
    gradient_clip: float = 10.0
    evaluation_episodes: int = 10  # greedy episodes ending each epoch


@dataclasses.dataclass(frozen=True)
class DDPGSettings:
    """Deep deterministic policy gradient (Lillicrap et al. 2015)."""

    environment: str
    epochs: int
    steps_per_epoch: int
    learning_rate: float  # the critic's; the actor learns at half of it (see ddpg.py)
    hidden_units: tuple[int, ...] = (256, 256)
    gamma: float = 0.99
    tau: float = 0.005  # soft target updates
    batch_size: int = 64
    replay_size: int = 50_000
    learning_starts: int = 1_000
    train_every: int = 1
    noise_std: float = 0.1  # Ornstein-Uhlenbeck noise, as a fraction of the action bound
    noise_theta: float = 0.15
    noise_dt: float = 0.01
    evaluation_episodes: int = 10


@dataclasses.dataclass(frozen=True)
class AlphaZeroSettings:
    """AlphaZero (Silver et al. 2017) for Connect Four."""

    epochs: int  # iterations of self-play, training and arena gating
    games_per_epoch: int
    learning_rate: float
    simulations: int = 64  # PUCT simulations per self-play move
    filters: int = 64
    residual_blocks: int = 4
    c_puct: float = 1.5
    dirichlet_alpha: float = 1.0
    noise_fraction: float = 0.25
    temperature_moves: int = 10  # moves sampled from the visit counts, then the most visited
    batch_size: int = 128
    train_passes: int = 2  # passes over the replay window per iteration
    replay_epochs: int = 6  # iterations of self-play the training window holds
    l2: float = 1e-4
    search_value_weight: float = 0.5  # value target: (1 - w) * outcome + w * search value
    arena_games: int = 40
    arena_threshold: float = 0.55  # the candidate's score needed to replace the best network


AGENTS: dict[str, DQNSettings | DDPGSettings | AlphaZeroSettings] = {
    "cartpole_dqn": DQNSettings(
        environment="CartPole-v1",
        epochs=12,
        steps_per_epoch=5_000,
        learning_rate=1e-3,
        final_learning_rate_fraction=0.02,
        replay_size=100_000,
        target_update=500,
    ),
    "breakout_dqn": DQNSettings(
        environment="MinAtar/Breakout-v1",
        epochs=48,
        steps_per_epoch=25_000,
        learning_rate=2.5e-4,
        hidden_units=(128,),
        conv_filters=16,
        batch_size=32,
        replay_size=100_000,
        learning_starts=5_000,
        epsilon_end=0.1,
        epsilon_steps=100_000,
        evaluation_episodes=20,
    ),
    "pendulum_ddpg": DDPGSettings(
        environment="Pendulum-v1",
        epochs=10,
        steps_per_epoch=2_000,
        learning_rate=2e-3,
    ),
    "connect4_alphazero": AlphaZeroSettings(
        epochs=40,
        games_per_epoch=128,
        learning_rate=1e-3,
    ),
}

AGENT_NAMES = tuple(AGENTS)


@dataclasses.dataclass
class RLTrainConfig(TrainConfig):
    data: str | None = dataclasses.field(
        default=None, metadata={"help": "unused: agents learn from their own experience"}
    )
    agent: str = dataclasses.field(
        default="cartpole_dqn", metadata={"choices": AGENT_NAMES, "help": "the agent to train"}
    )
    epochs: int = dataclasses.field(
        default=0, metadata={"help": "rounds of experience and learning (0: the agent's preset)"}
    )
    steps_per_epoch: int = dataclasses.field(
        default=0,
        metadata={"help": "environment steps per epoch, or self-play games (0: the preset)"},
    )
    learning_rate: float = dataclasses.field(
        default=0.0, metadata={"help": "Adam's step size (0: the agent's preset)"}
    )
    simulations: int = dataclasses.field(
        default=0, metadata={"help": "AlphaZero's search simulations per move (0: the preset)"}
    )
    measure_episodes: int = dataclasses.field(
        default=0,
        metadata={
            "help": "greedy episodes (DQN, DDPG) or games per colour against each baseline "
            "(AlphaZero) that measure the card's figure (0: 100 episodes, 200 games)"
        },
    )
    seed: int = 0
    max_minutes: float = dataclasses.field(
        default=0.0,
        metadata={
            "help": "stop after the epoch during which this many minutes passed (0: no limit); "
            "--warm-start continues later"
        },
    )
    warm_start: str | None = dataclasses.field(
        default=None,
        metadata={"help": "a finished checkpoint of the same agent to continue from"},
    )
    name: str | None = dataclasses.field(
        default=None, metadata={"help": "checkpoint name (default: the agent's)"}
    )

    def settings(self):
        """The agent's preset with this run's overrides (the options not left at 0)."""
        preset = AGENTS[self.agent]
        changes = {}
        if self.epochs:
            changes["epochs"] = self.epochs
        if self.steps_per_epoch:
            key = "games_per_epoch" if isinstance(preset, AlphaZeroSettings) else "steps_per_epoch"
            changes[key] = self.steps_per_epoch
        if self.learning_rate:
            changes["learning_rate"] = self.learning_rate
        if self.simulations:
            if not isinstance(preset, AlphaZeroSettings):
                raise ShowcaseError(f"{self.agent} does not search: --simulations is for AlphaZero")
            changes["simulations"] = self.simulations
        return dataclasses.replace(preset, **changes)


SHIPPED = RLTrainConfig()
TRAIN_CONFIG = RLTrainConfig
