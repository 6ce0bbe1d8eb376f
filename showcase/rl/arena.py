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
    """``player`` against ``opponent``, ``games_per_colour`` games starting and as many second."""
    as_first = play_games(player, opponent, games_per_colour, rng)
    as_second = play_games(opponent, player, games_per_colour, rng)
    record = {"first": _record(as_first, 1), "second": _record(as_second, 2)}
    wins = record["first"]["wins"] + record["second"]["wins"]
    draws = record["first"]["draws"] + record["second"]["draws"]
    games = 2 * games_per_colour
    low, high = wilson_interval(wins, games)
    return {
        "games": games,
        "wins": wins,
        "draws": draws,
        "losses": games - wins - draws,
        "win_rate": round(wins / games, 4) if games else 0.0,
        "win_rate_low": round(low, 4),
        "win_rate_high": round(high, 4),
        "score": (wins + 0.5 * draws) / games if games else 0.0,
        "as_first": record["first"],
        "as_second": record["second"],
    }


def _record(winners: list[int], seat: int) -> dict:
    wins = winners.count(seat)
    draws = winners.count(0)
    games = len(winners)
    low, high = wilson_interval(wins, games)
    return {
        "games": games,
        "wins": wins,
        "draws": draws,
        "losses": games - wins - draws,
        "win_rate_low": round(low, 4),
        "win_rate_high": round(high, 4),
    }
