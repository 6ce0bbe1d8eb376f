"""AlphaZero for Connect Four: Silver et al. 2017, "Mastering Chess and Shogi by Self-Play with
a General Reinforcement Learning Algorithm" (Science 2018), after AlphaGo Zero (Nature 550).

A residual network maps a position (the stones of the player to move and of the opponent, two
6x7 planes) to move probabilities and a value; PUCT search (:mod:`showcase.rl.mcts`) guided by it
plays games against itself; the network then learns the search's visit distributions and the
games' outcomes; a candidate replaces the best network only when it wins an arena match
(AlphaGo Zero's gating, which AlphaZero dropped: on a CPU budget of a few dozen iterations a bad
iteration would otherwise cost several to recover from).

Changed from the paper, and why: a 4-block, 64-filter network instead of 20-40 blocks of 256
(Connect Four has 42 cells); 64 simulations per move instead of 800; Adam instead of SGD with
momentum (no learning-rate schedule to tune for a short run); Dirichlet alpha 1.0 for 7 legal
moves (the paper scales alpha inversely to the number of legal moves: 0.3 for chess's ~35);
positions are also learnt left-right mirrored, which the rules allow (AlphaGo Zero augmented with
the board's symmetries; AlphaZero did not, because chess has none); the value target is the mean
of the game's outcome and the search's value at the position (``search_value_weight``), not the
outcome alone: with a few hundred games per iteration, a network trained on outcomes alone fits
their noise and its search then plays worse than the untrained network's (measured here: 12
wins in 20 against one-step lookahead after one iteration, against 17 before it).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from showcase.rl import arena
from showcase.rl.connect_four import COLUMNS, ROWS, Board, stack_planes
from showcase.rl.inference import compiled_forward
from showcase.rl.mcts import PUCTSearch
from showcase.rl.presets import AlphaZeroSettings

PLANES = 2


def build_network(
    filters: int = 64, residual_blocks: int = 4, l2: float = 1e-4, name: str = "alphazero"
) -> keras.Model:
    """(6, 7, 2) planes -> (7 move logits, value in [-1, 1]), AlphaGo Zero's residual tower."""
    regulariser = keras.regularizers.L2(l2)

    def conv_bn(x, channels, kernel, label, relu=True):
        x = layers.Conv2D(
            channels,
            kernel,
            padding="same",
            use_bias=False,
            kernel_regularizer=regulariser,
            name=f"{label}_conv",
        )(x)
        # Momentum 0.9, not Keras' 0.99: an iteration trains for only a few hundred steps, and
        # moving statistics that lag the batch statistics make the searching network play
        # far worse than the training one (measured: arena score 0.06 against its own start).
        x = layers.BatchNormalization(momentum=0.9, name=f"{label}_bn")(x)
        return layers.ReLU(name=f"{label}_relu")(x) if relu else x

    planes = keras.Input((ROWS, COLUMNS, PLANES), name="planes")
    x = conv_bn(planes, filters, 3, "stem")
    for block in range(residual_blocks):
        shortcut = x
        x = conv_bn(x, filters, 3, f"block{block}_a")
        x = conv_bn(x, filters, 3, f"block{block}_b", relu=False)
        x = layers.ReLU(name=f"block{block}_out")(
            layers.Add(name=f"block{block}_add")([x, shortcut])
        )
    policy = conv_bn(x, 2, 1, "policy")
    policy = layers.Flatten(name="policy_flat")(policy)
    policy = layers.Dense(COLUMNS, kernel_regularizer=regulariser, name="policy")(policy)
    value = conv_bn(x, 1, 1, "value")
    value = layers.Flatten(name="value_flat")(value)
    value = layers.Dense(
        64, activation="relu", kernel_regularizer=regulariser, name="value_hidden"
    )(value)
    value = layers.Dense(1, activation="tanh", kernel_regularizer=regulariser, name="value")(value)
    return keras.Model(planes, [policy, value], name=name)


def network_evaluator(model: keras.Model) -> Callable:
    """The search's evaluator: boards -> (move probabilities, values), one network call."""
    forward = compiled_forward(
        model, input_signature=[tf.TensorSpec([None, ROWS, COLUMNS, PLANES], tf.float32)]
    )

    def evaluate(boards: list[Board]) -> tuple[np.ndarray, np.ndarray]:
        logits, values = forward(stack_planes(boards))
        return np.asarray(tf.nn.softmax(logits)), np.asarray(values)[:, 0]

    return evaluate


def searcher(model: keras.Model, settings: AlphaZeroSettings) -> PUCTSearch:
    return PUCTSearch(
        network_evaluator(model),
        c_puct=settings.c_puct,
        dirichlet_alpha=settings.dirichlet_alpha,
        noise_fraction=settings.noise_fraction,
    )


def network_player(search: PUCTSearch, simulations: int, opening_moves: int = 0):
    """AlphaZero's move: the most visited after ``simulations`` simulations of ``search`` (a
    :func:`searcher`, built once so its network is traced once); in the first ``opening_moves``
    moves of a game, a move drawn in proportion to the visits instead, so that two deterministic
    players do not replay one game."""

    def choose(boards: list[Board], rng: np.random.Generator) -> list[int]:
        results = search.search(boards, simulations)
        return [
            int(rng.choice(len(result.visits), p=result.policy(1.0)))
            if board.moves < opening_moves
            else result.best_move
            for board, result in zip(boards, results, strict=True)
        ]

    return choose


def self_play(
    model: keras.Model,
    settings: AlphaZeroSettings,
    games: int,
    rng: np.random.Generator,
    search: PUCTSearch | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], dict]:
    """``games`` games of the network against itself, side by side.

    ``search`` is ``model``'s :func:`searcher` when the caller keeps one (training does, so the
    network is not traced again every iteration). Returns the training examples (planes, visit
    distributions, outcomes from the view of the player to move), mirrored copies included, and
    a summary of the games.
    """
    search = search or searcher(model, settings)
    boards = [Board.empty() for _ in range(games)]
    positions: list[list[tuple[Board, np.ndarray, float]]] = [[] for _ in range(games)]
    live = list(range(games))
    while live:
        results = search.search(
            [boards[game] for game in live], settings.simulations, add_noise=True, rng=rng
        )
        for game, result in zip(live, results, strict=True):
            board = boards[game]
            positions[game].append((board, result.policy(1.0), float(result.value)))
            # Sampling in proportion to the visits opens the games up; later moves are the
            # search's best, so the outcomes say what good play leads to.
            temperature = 1.0 if board.moves < settings.temperature_moves else 0.0
            boards[game] = board.play(int(rng.choice(COLUMNS, p=result.policy(temperature))))
        live = [game for game in live if not boards[game].is_over]

    planes, targets, outcomes = [], [], []
    for game in range(games):
        winner = boards[game].winner
        for board, visit_distribution, searched_value in positions[game]:
            outcome = 0.0 if winner == 0 else (1.0 if board.to_move == winner else -1.0)
            # The value target mixes the game's outcome with the search's own estimate: one
            # game's result is a noisy label for every position in it, and early networks
            # fit that noise (see the module docstring).
            outcome = (1 - settings.search_value_weight) * outcome + (
                settings.search_value_weight * searched_value
            )
            for seen, target in (
                (board, visit_distribution),
                (board.mirror(), visit_distribution[::-1]),
            ):
                planes.append(seen.planes())
                targets.append(target)
                outcomes.append(outcome)
    winners = [boards[game].winner for game in range(games)]
    summary = {
        "games": games,
        "first_player_wins": winners.count(1),
        "second_player_wins": winners.count(2),
        "draws": winners.count(0),
        "moves": sum(board.moves for board in boards),
        "mean_length": round(float(np.mean([board.moves for board in boards])), 1),
    }
    examples = (
        np.asarray(planes, dtype=np.float32),
        np.asarray(targets, dtype=np.float32),
        np.asarray(outcomes, dtype=np.float32),
    )
    return examples, summary


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


class AlphaZeroLearner:
    """The training step: cross-entropy to the visit distribution plus the value's squared
    error (the paper's loss; its L2 term is the layers' regularisers)."""

    def __init__(self, model: keras.Model, settings: AlphaZeroSettings):
        self.model = model
        self.settings = settings
        self.optimizer = keras.optimizers.Adam(settings.learning_rate)
        self.optimizer.build(model.trainable_variables)
        self.step = tf.function(self._step)

    def _step(self, planes, visit_distributions, outcomes):
        with tf.GradientTape() as tape:
            logits, values = self.model(planes, training=True)
            policy_loss = tf.reduce_mean(
                tf.nn.softmax_cross_entropy_with_logits(visit_distributions, logits)
            )
            value_loss = tf.reduce_mean(tf.square(outcomes - values[:, 0]))
            loss = policy_loss + value_loss + tf.add_n(self.model.losses)
        variables = self.model.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
        return policy_loss, value_loss

    def fit(self, examples, rng: np.random.Generator) -> dict:
        planes, targets, outcomes = examples
        count = len(planes)
        # Fewer positions than a batch (a tiny run) still train, on one smaller batch.
        batch = max(1, min(self.settings.batch_size, count))
        losses = []
        for _ in range(self.settings.train_passes):
            order = rng.permutation(count)
            for start in range(0, count - batch + 1, batch):
                picked = order[start : start + batch]
                losses.append(self.step(planes[picked], targets[picked], outcomes[picked]))
        policy_loss = float(np.mean([float(p) for p, _ in losses])) if losses else None
        value_loss = float(np.mean([float(v) for _, v in losses])) if losses else None
        return {"policy_loss": policy_loss, "value_loss": value_loss, "steps": len(losses)}


def train_alphazero(
    settings: AlphaZeroSettings,
    seed: int,
    model: keras.Model | None = None,
    log: Callable[[str], None] = print,
    max_seconds: float = 0.0,
) -> tuple[keras.Model, dict]:
    """Self-play, learn, gate; ``settings.epochs`` times, or fewer when ``max_seconds`` (if not
    0) have passed. Returns the best network and the history."""
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    best = model or build_network(settings.filters, settings.residual_blocks, settings.l2)
    candidate = keras.models.clone_model(best)
    candidate.set_weights(best.get_weights())
    learner = AlphaZeroLearner(candidate, settings)
    window: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    history = {"epochs": [], "games": 0, "positions": 0}
    # Built once: each holds a compiled network that follows its model's changing weights.
    best_search, candidate_search = searcher(best, settings), searcher(candidate, settings)
    candidate_player = network_player(candidate_search, settings.simulations, opening_moves=2)
    best_player = network_player(best_search, settings.simulations, opening_moves=2)
    started = time.perf_counter()
    for epoch in range(settings.epochs):
        examples, games = self_play(
            best, settings, settings.games_per_epoch, rng, search=best_search
        )
        window = [*window, examples][-settings.replay_epochs :]
        history["games"] += settings.games_per_epoch
        history["positions"] += len(examples[0]) // 2
        pooled = tuple(np.concatenate(part) for part in zip(*window, strict=True))
        losses = learner.fit(pooled, rng)
        match = arena.match(candidate_player, best_player, settings.arena_games // 2, rng)
        # A rejected candidate is not reset: learning goes on from it with the new data.
        accepted = match["score"] >= settings.arena_threshold
        if accepted:
            best.set_weights(candidate.get_weights())
        seconds = time.perf_counter() - started
        history["epochs"].append(
            {
                "epoch": epoch + 1,
                "seconds": round(seconds, 1),
                "self_play": games,
                "policy_loss": _rounded(losses["policy_loss"]),
                "value_loss": _rounded(losses["value_loss"]),
                "arena_score": round(match["score"], 3),
                "accepted": bool(accepted),
            }
        )
        log(
            f"epoch {epoch + 1}/{settings.epochs}: {games['games']} games (first player "
            f"{games['first_player_wins']}, second {games['second_player_wins']}, draws "
            f"{games['draws']}), policy loss {losses['policy_loss']:.3f}, value loss "
            f"{losses['value_loss']:.3f}, arena {match['score']:.2f} "
            f"{'accepted' if accepted else 'kept the best'}, {seconds:.0f} s"
        )
        if max_seconds and seconds >= max_seconds:
            break
    history["seconds"] = time.perf_counter() - started
    history["accepted"] = sum(row["accepted"] for row in history["epochs"])
    return best, history
