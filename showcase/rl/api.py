"""The import API: ``Agent.from_pretrained("cartpole_dqn").play_episode(seed=0)`` and
``ConnectFour.from_pretrained().best_move(board, simulations=200)``.

Names imported ``as`` themselves below are re-exported for the demo's UI (apps/rl.py), which
imports from showcase only this module and showcase.apps.common.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from showcase.clips import write_mp4 as write_mp4
from showcase.errors import CheckpointError, InputError
from showcase.inputs import check_seed as check_seed
from showcase.pretrained import Pretrained
from showcase.rl import alphazero, arena, environments, rollouts
from showcase.rl.connect_four import COLUMNS, ROWS
from showcase.rl.connect_four import Board as Board
from showcase.rl.inference import compiled_forward
from showcase.rl.presets import AGENTS, AlphaZeroSettings

DEMO = "rl"
DEFAULT_AGENT = "cartpole_dqn"
PAPERS = {
    "dqn": "Mnih et al. 2015 (DQN, Nature 518); van Hasselt, Guez & Silver 2016 (Double DQN)",
    "ddpg": "Lillicrap et al. 2015 (DDPG, continuous control with deep RL)",
    "alphazero": "Silver et al. 2017/2018 (AlphaZero: self-play, PUCT search, residual net)",
}
MAX_EPISODE_FRAMES = 600
CONNECT_FOUR_NAME = "connect4_alphazero"
DEFAULT_SIMULATIONS = 200
MAX_SIMULATIONS = 1_000


def greedy_policy(kind: str, network) -> rollouts.Policy:
    """The acting rule of a trained network: argmax Q (DQN) or the actor's action (DDPG)."""
    forward = compiled_forward(network)
    if kind == "dqn":
        return lambda observations: np.asarray(forward(observations)).argmax(axis=-1)
    if kind == "ddpg":
        return lambda observations: np.asarray(forward(observations))
    raise CheckpointError(f"an agent of kind {kind!r} does not act in an environment")


class Agent(Pretrained):
    """A trained agent for a gymnasium environment (DQN or DDPG); its card names which."""

    DEMO = DEMO
    DEFAULT_NAME = DEFAULT_AGENT

    def __init__(self, model, path: Path | None = None, card=None):
        super().__init__(model, path, card)
        settings = card.hyperparameters if card else {}
        self.kind = settings.get("kind")
        self.environment = settings.get("environment")
        if self.kind not in ("dqn", "ddpg") or not self.environment:
            raise CheckpointError(
                f"{path or model.name}: not an environment agent (its model card must name the "
                "kind and the environment; Connect Four networks load with ConnectFour)"
            )
        self.greedy = greedy_policy(self.kind, model)
        """The acting rule on a batch of observations (float32, (n, ...)) -> n actions."""

    def _trace(self) -> None:
        self.greedy(np.zeros((1, *self.model.input_shape[1:]), "float32"))

    def act(self, observation) -> int | np.ndarray:
        """The greedy action for one observation (an int for DQN, an array for DDPG)."""
        shape = tuple(self.model.input_shape[1:])
        try:
            batch = environments.observation_array(observation)
        except (TypeError, ValueError):
            raise InputError(f"An observation must be numbers of shape {shape}.") from None
        if batch.shape != shape or not np.isfinite(batch).all():
            raise InputError(f"An observation must be finite numbers of shape {shape}.")
        action = self.greedy(batch[None])[0]
        return int(action) if self.kind == "dqn" else np.asarray(action)

    def q_values(self, observations) -> np.ndarray:
        """DQN only: the Q-value of every action for a batch of observations."""
        if self.kind != "dqn":
            raise InputError("Only a DQN agent has Q-values; this one is an actor-critic.")
        return np.asarray(self.model(environments.observation_array(observations)))

    def play_episode(
        self,
        seed: int = 0,
        every: int = 1,
        max_frames: int = MAX_EPISODE_FRAMES,
        max_width: int | None = None,
    ):
        """One greedy episode: ``(frames, return)``; frames are uint8 RGB pictures.

        ``every`` keeps one picture in so many steps (a 500-step CartPole episode is long);
        ``max_width`` shrinks them (CartPole draws 600x400).
        """
        frames, total, _ = self.play_episode_details(seed, every, max_frames, max_width)
        return frames, total

    def play_episode_details(
        self,
        seed: int = 0,
        every: int = 1,
        max_frames: int = MAX_EPISODE_FRAMES,
        max_width: int | None = None,
    ):
        """``(frames, return, details)``; details hold every step's action and reward, and for a
        DQN the Q-values of the actions it was offered."""
        seed = check_seed(seed, "episode seed")
        episode = rollouts.play_episode(
            self.greedy, self.environment, seed, every, max_frames, max_width
        )
        details = {"actions": episode["actions"], "rewards": episode["rewards"]}
        if self.kind == "dqn" and len(episode["observations"]):
            details["q_values"] = self.q_values(episode["observations"])
        return episode["frames"], episode["return"], details


def parse_column(column) -> int:
    """A column as people name it (1 to 7, a number or its text) -> 0-based."""
    text = str(column).strip()
    # ASCII digits only, and few of them: "²" passes str.isdigit but not int(), and int() of
    # thousands of digits raises; whatever was sent is not echoed back (it may be anything).
    if isinstance(column, bool) or not (text.isascii() and text.isdigit() and len(text) <= 2):
        raise InputError(f"A column is a whole number from 1 to {COLUMNS}.")
    if not 1 <= int(text) <= COLUMNS:
        raise InputError(f"Column {int(text)} does not exist: choose 1 to {COLUMNS}.")
    return int(text) - 1


def parse_moves(text) -> list[int]:
    """The moves of a game written as columns 1 to 7 ("4 4 3 5"), checked to be a legal game;
    0-based columns back."""
    if text is None:
        return []
    if not isinstance(text, str):
        raise InputError("The moves must be text: columns 1 to 7 separated by spaces.")
    words = text.replace(",", " ").split()
    if len(words) > ROWS * COLUMNS:
        raise InputError(f"A game has at most {ROWS * COLUMNS} moves; {len(words)} were given.")
    moves = [parse_column(word) for word in words]
    Board.from_moves(moves)  # refuses a move into a full column or after the game ended
    return moves


def to_board(board) -> Board:
    """A :class:`Board`, or a (6, 7) grid of 0 empty / 1 first player / 2 second (row 0 top)."""
    if isinstance(board, Board):
        return board
    return Board.from_grid(board)


def check_simulations(simulations) -> int:
    if isinstance(simulations, float) and simulations.is_integer():
        simulations = int(simulations)  # sliders send 200.0
    if isinstance(simulations, bool) or not isinstance(simulations, int | np.integer):
        raise InputError(f"The number of simulations must be a whole number, not {simulations!r}.")
    if not 1 <= simulations <= MAX_SIMULATIONS:
        raise InputError(
            f"The number of simulations must be between 1 and {MAX_SIMULATIONS}; "
            f"{simulations} is not."
        )
    return int(simulations)


class ConnectFour(Pretrained):
    """AlphaZero's Connect Four network with its search: ``best_move(board)``, ``analyse(board)``.

    Columns are 0-based here (0 is the leftmost); the UI shows them as 1 to 7.
    """

    DEMO = DEMO
    DEFAULT_NAME = CONNECT_FOUR_NAME

    def __init__(
        self, model, path: Path | None = None, card=None, settings: AlphaZeroSettings | None = None
    ):
        super().__init__(model, path, card)
        if len(model.outputs) != 2 or tuple(model.input_shape[1:]) != (ROWS, COLUMNS, 2):
            raise CheckpointError(
                f"{path or model.name}: not a Connect Four network "
                "(board planes in, move logits and a value out)"
            )
        if settings is None:
            # The search settings it was trained with, from its card (else the preset's).
            stored = (card.hyperparameters.get("settings") if card else None) or {}
            known = {field.name for field in dataclasses.fields(AlphaZeroSettings)}
            settings = dataclasses.replace(
                AGENTS[CONNECT_FOUR_NAME], **{k: v for k, v in stored.items() if k in known}
            )
        self.settings = settings
        self.search = alphazero.searcher(model, self.settings)

    def _trace(self) -> None:
        self.search.search([Board.empty()], 2)

    def analyse(self, board, simulations: int = DEFAULT_SIMULATIONS) -> dict:
        """The search from ``board``: visit counts, each move's value and the position's value
        (from the view of the player to move), the network's prior, and the chosen column."""
        board = to_board(board)
        simulations = check_simulations(simulations)
        if board.is_over:
            raise InputError("The game is over: there is no move to find.")
        result = self.search.search([board], simulations)[0]
        return {
            "best_move": result.best_move,
            "visits": result.visits,
            "q": result.q,
            "value": float(result.value),
            "prior": result.prior,
            "simulations": simulations,
        }

    def best_move(self, board, simulations: int = DEFAULT_SIMULATIONS) -> int:
        """The most visited column (0-based) after ``simulations`` PUCT simulations."""
        return int(self.analyse(board, simulations)["best_move"])

    def player(self, simulations: int | None = None) -> arena.Player:
        """This network as an arena player (batched over many games)."""
        return alphazero.network_player(self.search, simulations or self.settings.simulations)
