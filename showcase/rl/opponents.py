"""Connect Four players to measure AlphaZero against, and an exact solver for late positions.

A player is a function ``choose(boards, rng) -> columns``: one 0-based column per board, because
an evaluation plays hundreds of games side by side and a batched player (pure MCTS) searches
them all at once. ``per_board`` turns a one-board function ``choose_one(board, rng) -> column``
into such a player. Every player draws its randomness from ``rng``, so a seeded match replays.

- ``random_player``: a uniformly random legal column.
- ``one_step_lookahead``: the baseline opponent of the Connect Four game in alpha-zero-general
  (https://github.com/suragnair/alpha-zero-general): it wins at once when it can, otherwise
  blocks a column where the opponent would win at once, otherwise plays a random legal column.
  It sees one move ahead and no further (it will happily play right under a cell where the
  opponent wins).
- ``alpha_beta(depth)``: depth-limited negamax with alpha-beta pruning (Knuth and Moore, 1975)
  and the window heuristic described at ``heuristic``.
- ``pure_mcts(simulations)``: Monte Carlo tree search with random rollouts and no learned
  knowledge (Coulom 2006; Kocsis and Szepesvari 2006), through the same PUCT search AlphaZero
  uses (see ``showcase.rl.mcts``), playing its most visited move.

``solve`` is the perfect player: the exact value of a position near the end of the game, by
negamax with alpha-beta and a transposition table (the approach of Pascal Pons' solver,
http://blog.gamesolver.org, rewritten here for win/draw/loss only), used to measure how often
a model's move keeps the game-theoretic value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from showcase.rl.connect_four import (
    BOTTOM_CELLS,
    CELLS,
    CENTRE_FIRST,
    COLUMN_BITS,
    COLUMN_CELLS,
    COLUMNS,
    ROWS,
    TOP_CELLS,
    Board,
    columns_of,
    completing_cells,
    playable_cells,
    threat_cells,
)
from showcase.rl.mcts import PUCTSearch, rollout_evaluator

Player = Callable[[list[Board], np.random.Generator], list[int]]
"""``choose(boards, rng) -> columns``: one 0-based legal column per (unfinished) board."""

# The most empty cells ``solve`` takes by default: the largest count it answers in under a second
# in pure Python. Measured on 20 positions from alpha_beta(4) self-play (after 6 random opening
# moves), one per game, on a shared 2-core machine: with 24 empty cells, median 0.09 s, slowest
# 0.7 s; with 25, slowest 0.9 s; with 26, median 0.4 s but slowest 3.7 s.
SOLVE_MAX_EMPTY = 24


def per_board(
    choose_one: Callable[[Board, np.random.Generator], int], name: str | None = None
) -> Player:
    """A batched player from a function that picks one board's column; ``name`` (by default
    the function's) labels it in match tables."""

    def choose(boards: list[Board], rng: np.random.Generator) -> list[int]:
        return [choose_one(board, rng) for board in _unfinished(boards)]

    choose.__name__ = choose.__qualname__ = name or choose_one.__name__
    choose.__doc__ = choose_one.__doc__
    return choose


def _unfinished(boards: list[Board]) -> list[Board]:
    for board in boards:
        if board.is_over:
            raise ValueError("a player was asked to move in a finished game")
    return boards


def _random_choice(columns: list[int], rng: np.random.Generator) -> int:
    return columns[int(rng.integers(len(columns)))]


def random_player(boards: list[Board], rng: np.random.Generator) -> list[int]:
    """A uniformly random legal column for each board."""
    draws = rng.random(len(boards)).tolist()
    columns = []
    for board, draw in zip(_unfinished(boards), draws, strict=True):
        legal = board.legal_moves()
        columns.append(legal[int(draw * len(legal))])
    return columns


def one_step_move(board: Board, rng: np.random.Generator) -> int:
    """Win at once if possible, else block the opponent's immediate win, else play at random."""
    wins = board.winning_moves()
    if wins:
        return _random_choice(wins, rng)
    opponent_wins = columns_of(
        threat_cells(board.position ^ board.mask, board.mask) & playable_cells(board.mask)
    )
    if opponent_wins:  # two of them cannot both be blocked: it blocks one and loses
        return _random_choice(opponent_wins, rng)
    return _random_choice(board.legal_moves(), rng)


one_step_lookahead = per_board(one_step_move, name="one_step_lookahead")


# -- alpha-beta --------------------------------------------------------------------------------


def _lines_of_four() -> tuple[int, ...]:
    """Every four cells in a row on the board (69), as bitboards."""
    lines = []
    for column in range(COLUMNS):
        for row in range(ROWS):
            for column_step, row_step in ((1, 0), (0, 1), (1, 1), (1, -1)):
                end_column, end_row = column + 3 * column_step, row + 3 * row_step
                if 0 <= end_column < COLUMNS and 0 <= end_row < ROWS:
                    lines.append(
                        sum(
                            1 << ((column + i * column_step) * COLUMN_BITS + row + i * row_step)
                            for i in range(4)
                        )
                    )
    return tuple(lines)


LINES_OF_FOUR = _lines_of_four()
# Worth of a line of four holding 0 to 3 stones of one player and none of the other's.
LINE_WEIGHTS = (0, 1, 4, 16)
WIN_SCORE = 1_000_000  # above any heuristic score (at most 69 * 16)


def heuristic(own: int, opponent: int) -> int:
    """The alpha-beta player's estimate of a position for the player whose stones are ``own``.

    Sums, over the 69 lines of four, 1, 4 or 16 for each line holding 1, 2 or 3 of the player's
    stones and none of the opponent's, minus the same for the opponent's open lines: open threes
    (one stone from a win) weigh most. Central cells lie on more lines than edge cells (13
    through the centre of the board, 3 through a corner), so the sum also prefers the centre.
    """
    score = 0
    for line in LINES_OF_FOUR:
        mine = own & line
        theirs = opponent & line
        if mine:
            if not theirs:
                score += LINE_WEIGHTS[mine.bit_count()]
        elif theirs:
            score -= LINE_WEIGHTS[theirs.bit_count()]
    return score


def _negamax(position: int, mask: int, moves: int, depth: int, alpha: float, beta: float):
    """Score for the player to move (stones ``position``), searching ``depth`` more moves.

    A win available at once scores WIN_SCORE plus the depth left, so nearer wins score higher
    (and nearer losses lower); a full board is 0; at depth 0 the heuristic decides.
    """
    if threat_cells(position, mask) & playable_cells(mask):
        return WIN_SCORE + depth
    if moves == CELLS:
        return 0
    opponent = position ^ mask
    if depth == 0:
        return heuristic(position, opponent)
    best = -math.inf
    for column in CENTRE_FIRST:
        if mask & TOP_CELLS[column]:
            continue
        new_mask = mask | (mask + BOTTOM_CELLS[column])
        score = -_negamax(opponent, new_mask, moves + 1, depth - 1, -beta, -alpha)
        if score > best:
            best = score
            if score > alpha:
                alpha = score
                if alpha >= beta:
                    break
    return best


def alpha_beta_best_moves(board: Board, depth: int) -> tuple[float, list[int]]:
    """The best negamax score of ``board`` for the player to move and every column (ascending)
    that reaches it, looking ``depth`` moves ahead (this move included) and one move beyond for
    an immediate win."""
    if board.is_over:
        raise ValueError("a player was asked to move in a finished game")
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    position, mask = board.position, board.mask
    best = -math.inf
    best_columns: list[int] = []
    for column in CENTRE_FIRST:
        if mask & TOP_CELLS[column]:
            continue
        if board.is_winning_move(column):
            score = WIN_SCORE + depth
        else:
            new_mask = mask | (mask + BOTTOM_CELLS[column])
            # The window's lower end is just below the best so far: a move that ties it comes
            # back with its exact score (scores are integers), a worse one is cut off early.
            score = -_negamax(
                position ^ mask, new_mask, board.moves + 1, depth - 1, -math.inf, -(best - 1)
            )
        if score > best:
            best, best_columns = score, [column]
        elif score == best:
            best_columns.append(column)
    return best, sorted(best_columns)


def alpha_beta_move(board: Board, depth: int, rng: np.random.Generator) -> int:
    """The alpha-beta player's column, drawn at random among the best-scored ones."""
    return _random_choice(alpha_beta_best_moves(board, depth)[1], rng)


def alpha_beta(depth: int = 4) -> Player:
    """A player searching ``depth`` moves ahead with alpha-beta pruning (see ``heuristic``)."""
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")

    def choose(boards: list[Board], rng: np.random.Generator) -> list[int]:
        return [alpha_beta_move(board, depth, rng) for board in _unfinished(boards)]

    choose.__name__ = choose.__qualname__ = f"alpha_beta({depth})"
    return choose


# -- pure MCTS ---------------------------------------------------------------------------------


def pure_mcts(simulations: int = 1000, c_puct: float = 1.5) -> Player:
    """Rollout MCTS with ``simulations`` simulations per move, all boards searched together."""
    if simulations < 1:
        raise ValueError(f"simulations must be at least 1, got {simulations}")

    def choose(boards: list[Board], rng: np.random.Generator) -> list[int]:
        search = PUCTSearch(rollout_evaluator(rng), c_puct=c_puct)
        results = search.search(_unfinished(boards), simulations, add_noise=False)
        return [result.best_move for result in results]

    choose.__name__ = choose.__qualname__ = f"pure_mcts({simulations})"
    return choose


# -- exact solver ------------------------------------------------------------------------------


class Solution(NamedTuple):
    """A position's game-theoretic value for the player to move (+1 win, 0 draw, -1 loss) under
    perfect play from both sides, and every column that keeps that value."""

    value: int
    moves: frozenset[int]


def solve(board: Board, max_empty: int = SOLVE_MAX_EMPTY) -> Solution:
    """The exact value of ``board`` and its optimal moves (see ``Solution``).

    Only for positions with at most ``max_empty`` empty cells, since the search grows
    exponentially with them (ValueError beyond). A finished game has no moves; its value is -1
    if the previous player won, else 0.
    """
    if board.is_over:
        return Solution(-1 if board.winner else 0, frozenset())
    empty = CELLS - board.moves
    if empty > max_empty:
        raise ValueError(
            f"solve() takes positions with at most {max_empty} empty cells; this one has {empty}"
        )
    position, mask, moves = board.position, board.mask, board.moves
    opponent = position ^ mask
    opponent_lines = completing_cells(opponent)
    table: dict[int, tuple[int, int]] = {}
    winning = set(board.winning_moves())

    def at_least(column: int, target: int) -> bool:
        """Whether playing ``column`` is worth ``target`` or more to the player to move."""
        if column in winning or target <= -1:
            return True
        cell = playable_cells(mask) & COLUMN_CELLS[column]
        own_lines = completing_cells(position | cell)
        # The move is worth >= target when the reply position is worth <= -target to the
        # opponent: a null window just above -target answers that.
        reply_value = _solve(
            opponent, mask | cell, moves + 1, -target, -target + 1, table, opponent_lines, own_lines
        )
        return reply_value <= -target

    def exact(column: int) -> int:
        if at_least(column, 1):
            return 1
        return 0 if at_least(column, 0) else -1

    best = None
    optimal: set[int] = set()
    columns = [column for _, column, _ in _ranked_moves(position, mask, playable_cells(mask))]
    for column in columns:
        if best is None:
            best, optimal = exact(column), {column}
        elif best < 1 and at_least(column, best + 1):
            best = 1 if best == 0 or at_least(column, 1) else 0
            optimal = {column}
        elif at_least(column, best):
            optimal.add(column)
    return Solution(best, frozenset(optimal))


def _ranked_moves(position: int, mask: int, cells: int) -> list[tuple[int, int, int]]:
    """(cell, column, the player's completing cells after the move) for each of ``cells``,
    ordered by how many empty winning cells the move leaves the player (more first), then
    centre first: trying good moves first makes alpha-beta cut early."""
    ranked = []
    for rank, column in enumerate(CENTRE_FIRST):
        cell = cells & COLUMN_CELLS[column]
        if cell:
            lines = completing_cells(position | cell)
            threats = (lines & ~(mask | cell)).bit_count()
            ranked.append((-threats, rank, cell, column, lines))
    ranked.sort()
    return [(cell, column, lines) for _, _, cell, column, lines in ranked]


def _solve(
    position: int,
    mask: int,
    moves: int,
    alpha: int,
    beta: int,
    table: dict,
    own_lines: int,
    opponent_lines: int,
) -> int:
    """Win/draw/loss value (+1/0/-1) for the player to move, fail-soft inside (alpha, beta).

    The previous move did not end the game. ``own_lines`` and ``opponent_lines`` are the
    ``completing_cells`` of each side's stones, handed down by the parent, which computed them
    to order its moves. Entries of ``table`` hold (lower, upper) bounds of a position's value,
    keyed by ``position + mask`` (unique per position).
    """
    if moves == CELLS:
        return 0
    playable = playable_cells(mask)
    if own_lines & playable:
        return 1
    opponent_threats = opponent_lines & ~mask
    forced = opponent_threats & playable
    if forced:
        if forced & (forced - 1):  # two immediate threats: one block is not enough
            return -1
        candidates = forced
    else:
        candidates = playable
    # A stone right below an opponent's winning cell lets them play there next.
    candidates &= ~(opponent_threats >> 1)
    if not candidates:
        return -1
    if moves >= CELLS - 2:
        # Only the opponent has a move after this one: no win is left for the player to move.
        beta = min(beta, 0)
        if alpha >= beta:
            return beta
    key = position + mask
    entry = table.get(key)
    if entry is not None:
        lower, upper = entry
        if lower >= beta or lower == upper:
            return lower
        if upper <= alpha:
            return upper
        alpha, beta = max(alpha, lower), min(beta, upper)
    else:
        lower, upper = -1, 1
    window_alpha, window_beta = alpha, beta
    best = -1
    opponent = position ^ mask
    for cell, _, lines in _ranked_moves(position, mask, candidates):
        value = -_solve(
            opponent, mask | cell, moves + 1, -beta, -alpha, table, opponent_lines, lines
        )
        if value > best:
            best = value
            if value > alpha:
                alpha = value
                if alpha >= beta:
                    break
    if best <= window_alpha:
        upper = min(upper, best)
    elif best >= window_beta:
        lower = max(lower, best)
    else:
        lower = upper = best
    table[key] = (lower, upper)
    return best
