"""Train an agent (`showcase train rl --agent NAME`): experience, learning, the best epoch kept,
then the shipped figure measured on the evaluation's own episodes and written into the card."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import keras
import numpy as np

from showcase import checkpoints, training
from showcase.errors import ShowcaseError
from showcase.resumable import warm_start_card
from showcase.rl import alphazero, ddpg, dqn, environments, loop, rollouts
from showcase.rl.api import DEMO, PAPERS, ConnectFour, greedy_policy
from showcase.rl.evaluate import (
    EPISODES,
    GAMES_PER_COLOUR,
    LATE_POSITIONS,
    PRIMARY_OPPONENT,
    measure_connect_four,
)
from showcase.rl.presets import AlphaZeroSettings, DQNSettings, RLTrainConfig

CURVE_POINTS = 200


def _binned(xs: list, ys: list, points: int = CURVE_POINTS) -> tuple[list, list]:
    """At most ``points`` (x, mean y) pairs: a long run's curve without thousands of numbers."""
    if len(ys) <= points:
        return list(xs), [round(float(y), 2) for y in ys]
    edges = np.linspace(0, len(ys), points + 1).astype(int)
    return (
        [int(xs[end - 1]) for end in edges[1:]],
        [
            round(float(np.mean(ys[start:end])), 2)
            for start, end in zip(edges[:-1], edges[1:], strict=True)
        ],
    )


def _curves(history: dict) -> dict:
    episode_steps, episode_returns = _binned(
        history["episode_end_steps"], history["episode_returns"]
    )
    return {
        "return per training episode": {
            "x": episode_steps,
            "y": episode_returns,
            "x_label": "environment steps",
            "y_label": "return (exploring)",
        },
        "greedy return per epoch": {
            "x": [row["steps"] for row in history["epochs"]],
            "y": [row["greedy_return"] for row in history["epochs"]],
            "x_label": "environment steps",
            "y_label": "mean greedy return",
        },
    }


def _warm_network(config: RLTrainConfig):
    """The network a warm start continues from, after checking it is the same agent."""
    earlier = warm_start_card(config.warm_start)
    if earlier is None:
        return None, None
    if earlier.hyperparameters.get("agent") != config.agent:
        raise ShowcaseError(
            f"{config.warm_start} is the agent {earlier.hyperparameters.get('agent')!r}, "
            f"not {config.agent!r}"
        )
    return checkpoints.load_model(Path(config.warm_start), DEMO), earlier


def _learner(settings, warm):
    """The DQN or DDPG learner for ``settings``, around ``warm`` (a trained network) or new."""
    env = environments.make(settings.environment)
    space = env.action_space
    observation_shape = env.observation_space.shape
    env.close()
    if isinstance(settings, DQNSettings):
        network = warm or dqn.build_q_network(
            observation_shape,
            int(space.n),
            settings.hidden_units,
            settings.conv_filters,
            settings.dueling,
        )
        return dqn.DQNLearner(network, settings, warm=warm is not None)
    bound = float(np.max(space.high))
    actor = warm or ddpg.build_actor(
        observation_shape[0], space.shape[0], bound, settings.hidden_units
    )
    return ddpg.DDPGLearner(actor, settings, bound, warm=warm is not None)


def _train_connect_four(config: RLTrainConfig, settings: AlphaZeroSettings) -> Path:
    warm, earlier = _warm_network(config)
    name = config.name or config.agent
    started = time.perf_counter()
    with training.training_session(DEMO, config) as session:
        network, history = alphazero.train_alphazero(
            settings, config.seed, warm, _log(config), config.max_minutes * 60
        )
    training_time = time.perf_counter() - started
    before = earlier.hyperparameters if earlier else {}
    games = history["games"] + int(before.get("self_play_games", 0))
    measured = measure_connect_four(
        ConnectFour(network, settings=settings),
        config.measure_episodes or GAMES_PER_COLOUR,
        positions=config.measure_episodes or LATE_POSITIONS,
    )
    primary = measured["opponents"][PRIMARY_OPPONENT]
    card = session.card(
        name,
        paper=PAPERS["alphazero"],
        dataset={
            "environment": "Connect Four (7x6), the project's rules engine",
            "experience": f"{games:,} self-play games",
        },
        metric={
            "name": f"win rate against {PRIMARY_OPPONENT}",
            "unit": "fraction",
            "split": f"{primary['games']} games, half as first player, "
            f"{measured['simulations']} simulations per move",
            "value": primary["win_rate"],
            **measured,
        },
        notes=f"{history['accepted']} of {len(history['epochs'])} candidates passed the arena "
        f"(score >= {settings.arena_threshold} over {settings.arena_games} games).",
        evaluate_command=f"showcase evaluate rl --agent {name} --json",
        training_time_s=training_time + (earlier.training_time_s if earlier else 0.0),
        leave_out=("name", "warm_start", "epochs", "steps_per_epoch", "learning_rate"),
        agent=config.agent,
        kind="alphazero",
        self_play_games=games,
        epochs_run=len(history["epochs"]),
        settings=dataclasses.asdict(settings),
        epochs_log=history["epochs"],
        warm_start=(
            {"from": Path(config.warm_start).name, "self_play_games": before.get("self_play_games")}
            if config.warm_start
            else None
        ),
    )
    epochs = [row["epoch"] for row in history["epochs"]]
    card.curves = {
        "self-play losses per iteration": {
            "x": epochs,
            "y": [row["policy_loss"] for row in history["epochs"]],
            "y2": [row["value_loss"] for row in history["epochs"]],
            "x_label": "iteration",
            "y_label": "policy loss (y), value loss (y2)",
        },
        "arena score per iteration": {
            "x": epochs,
            "y": [row["arena_score"] for row in history["epochs"]],
            "x_label": "iteration",
            "y_label": "candidate's score against the best network",
        },
    }
    return session.save(network, card)


def _log(config: RLTrainConfig):
    return print if config.verbose else (lambda line: None)


def train(config: RLTrainConfig) -> Path:
    # Checked before prepare(): a refused run must not set up a distribution strategy first.
    if config.strategy not in ("auto", "default"):
        raise ShowcaseError(
            "rl agents train on one device: experience comes one environment step at a time"
        )
    settings = config.settings()
    training.prepare(config)
    if isinstance(settings, AlphaZeroSettings):
        return _train_connect_four(config, settings)
    keras.utils.set_random_seed(config.seed)
    name = config.name or config.agent
    started = time.perf_counter()
    kind = "dqn" if isinstance(settings, DQNSettings) else "ddpg"
    warm, earlier = _warm_network(config)
    with training.training_session(DEMO, config) as session:
        learner = _learner(settings, warm)
        history = loop.train_off_policy(
            learner, settings, config.seed, _log(config), config.max_minutes * 60
        )
    network = learner.network
    training_time = time.perf_counter() - started
    environment = settings.environment
    policy = greedy_policy(kind, network)
    episodes = config.measure_episodes or EPISODES
    measured = rollouts.score(policy, environment, episodes)
    random = rollouts.score(rollouts.random_policy(environment), environment, episodes)
    earlier_steps = int(earlier.hyperparameters.get("steps", 0)) if earlier else 0
    earlier_seconds = earlier.training_time_s if earlier else 0.0
    card = session.card(
        name,
        paper=PAPERS[kind],
        dataset={
            "environment": environment,
            "experience": f"{history['steps'] + earlier_steps:,} environment steps",
        },
        metric={
            "name": f"mean return over {episodes} greedy episodes",
            "unit": "return",
            "split": f"{environment}, episode seeds {measured['seeds']}",
            "value": measured["mean_return"],
            **{key: value for key, value in measured.items() if key != "mean_return"},
            "random_policy_mean_return": random["mean_return"],
        },
        notes=f"Best of {len(history['epochs'])} epochs by the greedy return on separate "
        f"episode seeds (epoch {history.get('best_epoch')}).",
        evaluate_command=f"showcase evaluate rl --checkpoint {name}.keras --json",
        training_time_s=training_time + earlier_seconds,
        leave_out=("name", "warm_start", "epochs", "steps_per_epoch", "learning_rate"),
        agent=config.agent,
        kind=kind,
        environment=environment,
        steps=history["steps"] + earlier_steps,
        epochs_run=len(history["epochs"]),
        settings=dataclasses.asdict(settings),
        epochs_log=history["epochs"],
        warm_start=(
            {"from": Path(config.warm_start).name, "steps": earlier_steps}
            if config.warm_start
            else None
        ),
    )
    card.curves = _curves(history)
    return session.save(network, card)
