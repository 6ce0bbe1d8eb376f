"""``showcase evaluate rl``: every agent's card figure, measured again.

Environment agents (DQN, DDPG): the mean undiscounted return of 100 greedy episodes seeded 0-99
(the training chose its best epoch on other seeds), beside a uniformly random policy on the same
seeds. Connect Four: AlphaZero's results against each baseline player (see
:mod:`showcase.rl.arena`).
"""

from __future__ import annotations

import time

import numpy as np

from showcase import checkpoints
from showcase.errors import CheckpointError, InputError
from showcase.rl import arena, opponents, rollouts
from showcase.rl.api import DEMO, Agent, ConnectFour
from showcase.rl.connect_four import Board
from showcase.training import evaluation_row

EPISODES = 100
GAMES_PER_COLOUR = 200
# Every evaluation game at the budget self-play used: the card's strength is this search's.
ALPHA_BETA_DEPTH = 4
LATE_POSITIONS = 100
LATE_POSITION_STONES = 22  # 20 empty cells: solve() answers in about a tenth of a second
MATCH_SEED = 2017
PRIMARY_OPPONENT = "one-step lookahead"


def evaluate_agent(agent: Agent, episodes: int | None = None) -> dict:
    """The greedy return over the episodes the card was measured on (or ``episodes``)."""
    card_metric = agent.card.metric if agent.card else {}
    episodes = episodes or int(card_metric.get("episodes") or EPISODES)
    measured = rollouts.score(agent.greedy, agent.environment, episodes)
    random = rollouts.score(rollouts.random_policy(agent.environment), agent.environment, episodes)
    return evaluation_row(
        agent,
        f"mean return over {episodes} greedy episodes",
        f"{agent.environment}, episode seeds {measured['seeds']}",
        measured["mean_return"],
        **{key: value for key, value in measured.items() if key != "mean_return"},
        random_policy_mean_return=random["mean_return"],
    )


def baseline_players(simulations: int) -> dict[str, arena.Player]:
    """The players AlphaZero is measured against, by the name its card uses."""
    return {
        "random": opponents.random_player,
        PRIMARY_OPPONENT: opponents.one_step_lookahead,
        f"pure MCTS ({simulations} rollouts)": opponents.pure_mcts(simulations),
        f"alpha-beta (depth {ALPHA_BETA_DEPTH})": opponents.alpha_beta(ALPHA_BETA_DEPTH),
    }


def late_positions(count: int, stones: int, seed: int) -> list[tuple[Board, opponents.Solution]]:
    """Unfinished positions with ``stones`` stones from uniformly random games (seeded), each
    with at least one move that loses value (a mistake is possible), with their solutions."""
    rng = np.random.default_rng(seed)
    found: list[tuple[Board, opponents.Solution]] = []
    while len(found) < count:
        board = Board.empty()
        while board.moves < stones and not board.is_over:
            board = board.play(int(rng.choice(board.legal_moves())))
        if board.is_over or board.moves < stones:
            continue
        solution = opponents.solve(board)
        if len(solution.moves) < len(board.legal_moves()):
            found.append((board, solution))
    return found


def perfect_play_agreement(player: arena.Player, count: int, seed: int) -> dict:
    """How often ``player``'s move keeps the exact game value (win stays win, draw stays draw)
    on :func:`late_positions`."""
    positions = late_positions(count, LATE_POSITION_STONES, seed)
    moves = player([board for board, _ in positions], np.random.default_rng(seed))
    kept = sum(
        int(move) in solution.moves for (_, solution), move in zip(positions, moves, strict=True)
    )
    return {
        "positions": len(positions),
        "stones": LATE_POSITION_STONES,
        "optimal_moves": kept,
        "agreement": round(kept / len(positions), 4),
        "chosen_how": f"random games played to {LATE_POSITION_STONES} stones (seed {seed}), "
        "kept where some legal move changes the exact value",
    }


def measure_connect_four(
    network: ConnectFour,
    games_per_colour: int = GAMES_PER_COLOUR,
    positions: int = LATE_POSITIONS,
    seed: int = MATCH_SEED,
) -> dict:
    """Matches against every baseline player, and agreement with the exact solver."""
    simulations = network.settings.simulations
    player = network.player(simulations)
    results = {}
    for name, opponent in baseline_players(simulations).items():
        started = time.perf_counter()
        rng = np.random.default_rng(seed)
        results[name] = {
            **arena.match(player, opponent, games_per_colour, rng),
            "seconds": round(time.perf_counter() - started, 1),
        }
    agreement = perfect_play_agreement(player, positions, seed) if positions else None
    return {"simulations": simulations, "opponents": results, "perfect_play": agreement}


def evaluate_connect_four(network: ConnectFour, games_per_colour: int | None = None) -> dict:
    """The matches and the solver check, at the card's number of games (or the one given)."""
    if not games_per_colour:
        opponents_on_card = (network.card.metric if network.card else {}).get("opponents") or {}
        games = (opponents_on_card.get(PRIMARY_OPPONENT) or {}).get("games")
        games_per_colour = int(games) // 2 if games else GAMES_PER_COLOUR
    perfect = (network.card.metric if network.card else {}).get("perfect_play") or {}
    measured = measure_connect_four(
        network, games_per_colour, positions=int(perfect.get("positions") or LATE_POSITIONS)
    )
    primary = measured["opponents"][PRIMARY_OPPONENT]
    return evaluation_row(
        network,
        f"win rate against {PRIMARY_OPPONENT}",
        f"{primary['games']} games, half as first player, {measured['simulations']} "
        "simulations per move",
        primary["win_rate"],
        **measured,
    )


def _count(episodes) -> int | None:
    if episodes is None:
        return None
    if not str(episodes).isdigit() or not 1 <= int(episodes) <= 10_000:
        raise InputError(f"--episodes must be a whole number from 1 to 10000, not {episodes!r}")
    return int(episodes)


def _kind(path) -> str | None:
    card = checkpoints.card_beside(path)
    return card.hyperparameters.get("kind") if card else None


def evaluate(
    checkpoint: str | None = None,
    data: str | None = None,
    agent: str | None = None,
    episodes: str | None = None,
):
    """Every installed agent (or the one ``checkpoint`` / ``agent`` names), measured again on
    as many episodes (games per colour) as its card, or ``episodes``."""
    count = _count(episodes)
    found = Agent.available(checkpoint)
    if agent is not None:
        if agent not in found:
            raise CheckpointError(f"no rl checkpoint called {agent!r}; found: {', '.join(found)}")
        found = {agent: found[agent]}
    if not found:
        raise CheckpointError(f"no {DEMO} checkpoint found; train one with `showcase train rl`")
    rows = []
    for path in found.values():
        if _kind(path) == "alphazero":
            rows.append(evaluate_connect_four(ConnectFour.load(path), count))
        else:
            rows.append(evaluate_agent(Agent.load(path), count))
    return rows[0] if len(rows) == 1 else {"demo": DEMO, "results": rows}


def describe(row: dict) -> list[str]:
    if "random_policy_mean_return" in row:
        return [
            f"spread {row['std_return']} (min {row['min_return']}, max {row['max_return']}); "
            f"random policy {row['random_policy_mean_return']}"
        ]
    lines = [
        f"against {name}: {result['wins']} wins, {result['draws']} draws, {result['losses']} "
        f"losses of {result['games']} (win rate {result['win_rate']:.1%}, 95% "
        f"{result['win_rate_low']:.1%}-{result['win_rate_high']:.1%})"
        for name, result in row.get("opponents", {}).items()
    ]
    perfect = row.get("perfect_play")
    if perfect:
        lines.append(
            f"perfect-play agreement {perfect['agreement']:.1%} on {perfect['positions']} "
            f"positions with {perfect['stones']} stones"
        )
    return lines
