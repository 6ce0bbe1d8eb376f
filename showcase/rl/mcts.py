"""PUCT Monte Carlo tree search for Connect Four, run on many games at once (AlphaZero).

The search of Silver et al. (2017, "Mastering the game of Go without human knowledge"; 2018,
AlphaZero, "A general reinforcement learning algorithm that masters chess, shogi, and Go through
self-play"). Each simulation walks down the tree choosing, at every node, the move that maximises

    Q(s, a) + c_puct * P(s, a) * sqrt(N(s) + 1) / (1 + N(s, a))

where Q is the mean value of the move from the view of the player choosing it (0 while
unvisited), P the evaluator's prior, N(s, a) the move's visit count and N(s) their sum. The
paper writes sqrt(N(s)); the + 1 makes the first visit of a fresh node follow the prior instead
of an arbitrary column. c_puct is a constant (1.5), not AlphaZero's later schedule
log((1 + N + c_base) / c_base) + c_init, which stays within a few percent of c_init below tens of
thousands of visits, far beyond a Connect Four search.
Ties go to the column nearest the centre.

At the leaf it reaches, a simulation either scores a finished game by the rules (a four for the
player who just moved is -1 for the player to move, a full board 0) or asks the evaluator for
priors and a value, expands the leaf and backs the value up, negated at each level.

Batching: ``search`` grows one tree per root in lockstep. A round makes one selection in every
tree, gathers the unfinished leaves of all trees and calls the evaluator once for them all, so a
network sees batches of as many positions as there are games. The trees live in numpy arrays
(tree x node x column) so selection and backup are vectorised over the trees; only playing the
leaf moves is per-game Python. With 64 roots and 100 simulations that costs about 5 us per
simulation besides the evaluator (measured on a shared 2-core machine).

Dirichlet noise, (1 - noise_fraction) * P + noise_fraction * Dir(alpha) over the legal moves, is
mixed into the root priors when ``add_noise`` (self-play exploration). AlphaZero scales alpha in
inverse proportion to the number of legal moves (0.03 for Go's ~250); for Connect Four's 7 that
gives about 1, the default.

``rollout_evaluator`` gives "pure MCTS", the classic baseline: uniform priors and the result of
one random game played to the end as the value. It runs through this same PUCT search rather
than UCB1, so AlphaZero and its baseline differ only in the evaluator, not in the search.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from showcase.rl.connect_four import (
    CELLS,
    CENTRE_FIRST,
    COLUMN_BITS,
    COLUMNS,
    TOP_CELLS,
    TOP_CELLS_ARRAY,
    Board,
    has_four,
)

Evaluator = Callable[[list[Board]], tuple[np.ndarray, np.ndarray]]
"""``evaluate(boards) -> (priors (n, 7), values (n,))``; values in [-1, 1] from the view of the
player to move at each board; priors need not be masked to legal moves nor sum to 1."""

# Reorders columns so the first maximum np.argmax finds is the one nearest the centre.
_CENTRE_FIRST = np.array(CENTRE_FIRST)


def best_column(scores: np.ndarray) -> int:
    """The column with the highest score, ties broken toward the centre column."""
    return int(_CENTRE_FIRST[np.argmax(np.asarray(scores)[_CENTRE_FIRST])])


@dataclasses.dataclass(frozen=True)
class SearchResult:
    """What one search found at its root; all arrays are indexed by column (0-based)."""

    visits: np.ndarray  # (7,) simulations that went through each move
    value: float  # mean simulation value, from the view of the player to move at the root
    q: np.ndarray  # (7,) mean value of each move from the root player's view; nan if unvisited
    prior: np.ndarray  # (7,) the root priors the search used (masked, normalised, noise added)

    def policy(self, temperature: float = 1.0) -> np.ndarray:
        """The visit distribution N^(1/T) / sum N^(1/T); temperature 0 is one-hot on the most
        visited move (ties toward the centre), as AlphaZero plays after its opening moves."""
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        distribution = np.zeros(COLUMNS)
        if temperature == 0:
            distribution[best_column(self.visits)] = 1.0
            return distribution
        # Dividing by the maximum first keeps a small temperature from overflowing.
        scaled = (self.visits / self.visits.max()) ** (1.0 / temperature)
        return scaled / scaled.sum()

    @property
    def best_move(self) -> int:
        """The most visited column (ties toward the centre)."""
        return best_column(self.visits)


def uniform_evaluator(boards: list[Board]) -> tuple[np.ndarray, np.ndarray]:
    """Equal priors and a value of 0 everywhere: the search alone, with no knowledge."""
    count = len(boards)
    return np.ones((count, COLUMNS)), np.zeros(count)


def rollout_evaluator(rng: np.random.Generator) -> Evaluator:
    """An evaluator whose value is the result of one uniformly random game played to the end
    from each board (+1 if the player to move there wins it, -1 if they lose, 0 for a draw),
    with uniform priors: with ``PUCTSearch`` it is pure Monte Carlo tree search."""

    def evaluate(boards: list[Board]) -> tuple[np.ndarray, np.ndarray]:
        values = np.array([random_game_result(board, rng) for board in boards], dtype=float)
        return np.ones((len(boards), COLUMNS)), values

    return evaluate


def random_game_result(board: Board, rng: np.random.Generator) -> float:
    """Plays uniformly random moves from ``board`` to the end: +1 if the player to move at
    ``board`` wins, -1 if they lose, 0 for a draw (or for a board that is already a draw)."""
    if board.winner:
        return 1.0 if board.winner == board.to_move else -1.0
    # Bitboards directly, not Board.play: a rollout is most of pure MCTS's time.
    position, mask, moves = board.position, board.mask, board.moves
    draws = rng.random(CELLS - moves).tolist()
    sign = 1.0  # +1 while the player to move is the one at ``board``
    for draw in draws:
        legal = [column for column in range(COLUMNS) if not mask & TOP_CELLS[column]]
        column = legal[int(draw * len(legal))]
        new_mask = mask | (mask + (1 << (column * COLUMN_BITS)))
        if has_four(position | (new_mask ^ mask)):
            return sign
        position, mask = position ^ mask, new_mask
        sign = -sign
    return 0.0


class PUCTSearch:
    """Batched PUCT search with a given evaluator (see the module docstring)."""

    def __init__(
        self,
        evaluate: Evaluator,
        c_puct: float = 1.5,
        dirichlet_alpha: float = 1.0,
        noise_fraction: float = 0.25,
    ):
        self.evaluate = evaluate
        self.c_puct = float(c_puct)
        self.dirichlet_alpha = float(dirichlet_alpha)
        self.noise_fraction = float(noise_fraction)

    def search(
        self,
        roots: list[Board],
        simulations: int,
        add_noise: bool = False,
        rng: np.random.Generator | None = None,
    ) -> list[SearchResult]:
        """Runs ``simulations`` simulations from each root; one result per root, in order.

        The roots are expanded first (one evaluator call), so each root's visits sum to
        ``simulations``. ``rng`` draws the Dirichlet noise and is needed only with ``add_noise``.
        """
        roots = list(roots)
        if simulations < 1:
            raise ValueError(f"simulations must be at least 1, got {simulations}")
        for number, root in enumerate(roots):
            if root.is_over:
                raise ValueError(f"root {number} is a finished game: there is nothing to search")
        if add_noise and rng is None:
            raise ValueError("add_noise needs an rng to draw the Dirichlet noise from")
        if not roots:
            return []
        trees = _Forest(roots, simulations + 1, self.c_puct)
        priors, _ = self._evaluate(roots)
        trees.expand(np.arange(len(roots)), np.zeros(len(roots), dtype=np.int64), roots, priors)
        if add_noise:
            self._add_root_noise(trees, rng)
        for _ in range(simulations):
            self._simulate(trees)
        return [trees.result(tree) for tree in range(len(roots))]

    def _evaluate(self, boards: list[Board]) -> tuple[np.ndarray, np.ndarray]:
        priors, values = self.evaluate(boards)
        priors = np.asarray(priors, dtype=float)
        values = np.asarray(values, dtype=float).reshape(-1)
        if priors.shape != (len(boards), COLUMNS) or values.shape != (len(boards),):
            raise ValueError(
                f"the evaluator returned priors of shape {priors.shape} and values of shape "
                f"{values.shape} for {len(boards)} boards; expected ({len(boards)}, {COLUMNS}) "
                f"and ({len(boards)},)"
            )
        return priors, np.clip(values, -1.0, 1.0)

    def _add_root_noise(self, trees: _Forest, rng: np.random.Generator) -> None:
        for tree in range(trees.count):
            legal = trees.legal[tree, 0]
            noise = rng.dirichlet(np.full(int(legal.sum()), self.dirichlet_alpha))
            prior = trees.prior[tree, 0]
            prior[legal] = (1 - self.noise_fraction) * prior[legal] + self.noise_fraction * noise

    def _simulate(self, trees: _Forest) -> None:
        """One selection in every tree, one evaluator call for all their new leaves, a backup."""
        path, leaf_value, path_length, new_leaves = trees.select()
        leaf_trees, parents, columns = new_leaves
        to_evaluate, evaluated_trees, evaluated_nodes = [], [], []
        new_nodes = trees.node_count[leaf_trees]
        trees.node_count[leaf_trees] += 1
        trees.children[leaf_trees, parents, columns] = new_nodes
        for tree, parent, column, node in zip(
            leaf_trees.tolist(), parents.tolist(), columns.tolist(), new_nodes.tolist(), strict=True
        ):
            board = trees.boards[tree][parent].play(column)
            trees.boards[tree].append(board)
            if board.winner:  # the player who just moved has won
                trees.terminal_value[tree, node] = leaf_value[tree] = -1.0
            elif board.moves == CELLS:
                trees.terminal_value[tree, node] = leaf_value[tree] = 0.0
            else:
                to_evaluate.append(board)
                evaluated_trees.append(tree)
                evaluated_nodes.append(node)
        if to_evaluate:
            priors, values = self._evaluate(to_evaluate)
            evaluated_trees = np.array(evaluated_trees)
            trees.expand(evaluated_trees, np.array(evaluated_nodes), to_evaluate, priors)
            leaf_value[evaluated_trees] = values
        trees.backup(path, leaf_value, path_length)


class _Forest:
    """The trees of one batched search as arrays indexed [tree, node, column].

    Node 0 is each root; a simulation adds at most one node per tree, so ``capacity`` is one more
    than the simulations. Edge statistics are stored at the parent: ``visits`` N(s, a),
    ``value_sum`` W(s, a) from the view of the player to move at s, ``prior`` P(s, a) and
    ``children`` the child's node index (-1 until expanded). A finished game's node has its value
    (for the player to move there) in ``terminal_value``, nan elsewhere.
    """

    def __init__(self, roots: list[Board], capacity: int, c_puct: float):
        self.count = count = len(roots)
        self.c_puct = c_puct
        shape = (count, capacity, COLUMNS)
        self.visits = np.zeros(shape)
        self.value_sum = np.zeros(shape)
        self.prior = np.zeros(shape)
        self.legal = np.zeros(shape, dtype=bool)
        # 0 for a legal move, -inf for an illegal one: added to the scores so argmax skips them.
        self.illegal_penalty = np.full(shape, -np.inf)
        self.children = np.full(shape, -1, dtype=np.int64)
        self.terminal_value = np.full((count, capacity), np.nan)
        self.node_count = np.ones(count, dtype=np.int64)
        self.boards: list[list[Board]] = [[root] for root in roots]  # by node index

    def expand(self, trees, nodes, boards: list[Board], priors: np.ndarray) -> None:
        """Stores the legal moves and normalised priors of unfinished boards at their nodes."""
        masks = np.array([board.mask for board in boards], dtype=np.int64)
        legal = (masks[:, None] & TOP_CELLS_ARRAY) == 0
        priors = np.where(legal & np.isfinite(priors), np.maximum(priors, 0.0), 0.0)
        totals = priors.sum(axis=1, keepdims=True)
        uniform = legal / legal.sum(axis=1, keepdims=True)
        priors = np.where(totals > 0, priors / np.where(totals > 0, totals, 1.0), uniform)
        self.prior[trees, nodes] = priors
        self.legal[trees, nodes] = legal
        self.illegal_penalty[trees, nodes] = np.where(legal, 0.0, -np.inf)

    def select(self):
        """Walks every tree from its root to a leaf: an unexpanded move or a finished game.

        Returns the path (per depth: trees, nodes, columns), the value of finished-game leaves
        (filled in for new leaves by the caller), each tree's path length and the new leaves
        (trees, parent nodes, columns) to play and expand.
        """
        path = []
        leaf_value = np.zeros(self.count)
        path_length = np.zeros(self.count, dtype=np.int64)
        new_trees, new_parents, new_columns = [], [], []
        trees = np.arange(self.count)
        nodes = np.zeros(self.count, dtype=np.int64)
        depth = 0
        while trees.size:
            visits = self.visits[trees, nodes]
            mean_value = self.value_sum[trees, nodes] / np.maximum(visits, 1.0)
            exploration = np.sqrt(visits.sum(axis=1, keepdims=True) + 1.0) / (1.0 + visits)
            scores = mean_value + self.c_puct * self.prior[trees, nodes] * exploration
            scores += self.illegal_penalty[trees, nodes]
            columns = _CENTRE_FIRST[np.argmax(scores[:, _CENTRE_FIRST], axis=1)]
            path.append((trees, nodes, columns))
            depth += 1
            children = self.children[trees, nodes, columns]
            unexpanded = children < 0
            if unexpanded.any():
                new_trees.append(trees[unexpanded])
                new_parents.append(nodes[unexpanded])
                new_columns.append(columns[unexpanded])
                path_length[trees[unexpanded]] = depth
                expanded = ~unexpanded
                trees, children = trees[expanded], children[expanded]
            terminal = self.terminal_value[trees, children]
            finished = ~np.isnan(terminal)
            if finished.any():
                leaf_value[trees[finished]] = terminal[finished]
                path_length[trees[finished]] = depth
                going_on = ~finished
                trees, children = trees[going_on], children[going_on]
            nodes = children
        empty = np.zeros(0, dtype=np.int64)
        new_leaves = tuple(
            np.concatenate(parts) if parts else empty
            for parts in (new_trees, new_parents, new_columns)
        )
        return path, leaf_value, path_length, new_leaves

    def backup(self, path, leaf_value: np.ndarray, path_length: np.ndarray) -> None:
        """Adds each leaf's value to the edges above it, from the view of each edge's player.

        The leaf value is for the player to move at the leaf; the edge just above it belongs to
        the other player (sign -1), the one above that to the leaf's player again, and so on.
        """
        for depth, (trees, nodes, columns) in enumerate(path):
            levels_below = path_length[trees] - depth
            signs = np.where(levels_below % 2 == 1, -1.0, 1.0)
            self.value_sum[trees, nodes, columns] += signs * leaf_value[trees]
            self.visits[trees, nodes, columns] += 1.0

    def result(self, tree: int) -> SearchResult:
        visits = self.visits[tree, 0].copy()
        value_sum = self.value_sum[tree, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            q = np.where(visits > 0, value_sum / visits, np.nan)
        return SearchResult(
            visits=visits,
            value=float(value_sum.sum() / visits.sum()),
            q=q,
            prior=self.prior[tree, 0].copy(),
        )
