"""Matches between Connect Four players, many games side by side, with honest error bars.

A player is ``choose(boards, rng) -> columns``: one move for each of a batch of positions, so a
network answers all the games of a match in one search. A match plays half its games with each
player starting; results come with Wilson score intervals (Wilson 1927) from scipy, which stay
inside [0, 1] and keep their coverage near 0% and 100%, where a win rate against a weak player
sits.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import binomtest

from showcase.rl.connect_four import Board

Player = Callable[[list[Board], np.random.Generator], list[int]]
CONFIDENCE = 0.95


def wilson_interval(successes: int, trials: int) -> tuple[float, float]:
    if trials == 0:
        return 0.0, 1.0
    interval = binomtest(successes, trials).proportion_ci(CONFIDENCE, method="wilson")
    return float(interval.low), float(interval.high)


def play_games(first: Player, second: Player, games: int, rng: np.random.Generator) -> list[int]:
    """``games`` games in lockstep, ``first`` moving first in all; the winners (1, 2 or 0)."""
    boards = [Board.empty() for _ in range(games)]
    live = list(range(games))
    while live:
        for player, to_move in ((first, 1), (second, 2)):
            # A game the first player just won must not be handed to the second.
            turn = [
                game
                for game in live
                if boards[game].to_move == to_move and not boards[game].is_over
            ]
            if not turn:
                continue
            columns = player([boards[game] for game in turn], rng)
            for game, column in zip(turn, columns, strict=True):
                boards[game] = boards[game].play(int(column))
        live = [game for game in live if not boards[game].is_over]
    return [board.winner for board in boards]


def match(player: Player, opponent: Player, games_per_colour: int, rng) -> dict:
    """``player`` against ``opponent``, ``games_per_colour`` games starting and as many second:
    the record of both halves together, and of each ("as_first", "as_second")."""
    as_first = play_games(player, opponent, games_per_colour, rng)
    as_second = play_games(opponent, player, games_per_colour, rng)
    first = _record(as_first.count(1), as_first.count(0), games_per_colour)
    second = _record(as_second.count(2), as_second.count(0), games_per_colour)
    wins, draws = first["wins"] + second["wins"], first["draws"] + second["draws"]
    games = 2 * games_per_colour
    return {
        **_record(wins, draws, games),
        "score": (wins + 0.5 * draws) / games if games else 0.0,
        "as_first": first,
        "as_second": second,
    }


def _record(wins: int, draws: int, games: int) -> dict:
    low, high = wilson_interval(wins, games)
    return {
        "games": games,
        "wins": wins,
        "draws": draws,
        "losses": games - wins - draws,
        "win_rate": round(wins / games, 4) if games else 0.0,
        "win_rate_low": round(low, 4),
        "win_rate_high": round(high, 4),
    }
