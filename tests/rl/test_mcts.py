"""The batched PUCT search (with knowledge-free evaluators, no network), the opponents AlphaZero
is measured against and the exact solver for late positions."""

import functools
import time

import numpy as np
import pytest

from showcase.rl.connect_four import Board
from showcase.rl.mcts import (
    PUCTSearch,
    SearchResult,
    random_game_result,
    rollout_evaluator,
    uniform_evaluator,
)
from showcase.rl.opponents import (
    SOLVE_MAX_EMPTY,
    alpha_beta,
    one_step_lookahead,
    per_board,
    pure_mcts,
    random_player,
    solve,
)
from tests.rl.test_connect_four import DRAWN_GAME

# Player 1 (to move) has three in the bottom row and wins in column 4 (index 3), its only win.
WIN_IN_ONE = Board.from_moves([0, 0, 1, 1, 2, 2])
# Player 1 threatens column 4; player 2 (to move) must block there or lose.
MUST_BLOCK = Board.from_moves([0, 0, 1, 1, 2])


def random_positions(count: int, moves: int, seed: int) -> list[Board]:
    rng = np.random.default_rng(seed)
    boards = []
    while len(boards) < count:
        board = Board()
        for _ in range(moves):
            board = board.play(int(rng.choice(board.legal_moves())))
            if board.is_over:
                break
        if not board.is_over:
            boards.append(board)
    return boards


def test_search_takes_a_win_in_one():
    result = PUCTSearch(uniform_evaluator).search([WIN_IN_ONE], 100)[0]
    assert result.best_move == 3
    assert result.q[3] == 1.0  # every visit of the winning move ends the game in a win
    assert result.visits[3] == result.visits.max()
    assert result.policy(0).tolist() == [0, 0, 0, 1, 0, 0, 0]


def test_search_blocks_an_immediate_loss():
    result = PUCTSearch(uniform_evaluator).search([MUST_BLOCK], 300)[0]
    assert result.best_move == 3
    assert result.visits[3] > 0.5 * result.visits.sum()
    others = [column for column in range(7) if column != 3]
    assert np.all(result.q[others] < -0.5)  # the opponent's win is found under every other move


def test_finished_roots_and_bad_arguments_are_refused():
    search = PUCTSearch(uniform_evaluator)
    won = WIN_IN_ONE.play(3)
    with pytest.raises(ValueError, match="root 1 is a finished game"):
        search.search([Board(), won], 10)
    with pytest.raises(ValueError, match="finished game"):
        search.search([Board.from_moves(DRAWN_GAME)], 10)
    with pytest.raises(ValueError, match="simulations"):
        search.search([Board()], 0)
    with pytest.raises(ValueError, match="rng"):
        search.search([Board()], 10, add_noise=True)
    assert search.search([], 10) == []


def test_visits_sum_to_the_simulations_and_skip_illegal_moves():
    full_column = Board.from_moves([3] * 6)
    roots = [Board(), full_column, WIN_IN_ONE, MUST_BLOCK]
    results = PUCTSearch(uniform_evaluator).search(roots, 50)
    assert len(results) == len(roots)
    for result in results:
        assert result.visits.sum() == 50
        assert np.isclose(result.prior.sum(), 1.0)
        assert np.isnan(result.q[result.visits == 0]).all()
        assert -1.0 <= result.value <= 1.0
    full = results[1]
    assert full.visits[3] == 0 and full.prior[3] == 0 and np.isnan(full.q[3])


def test_batched_search_gives_each_root_its_own_result():
    roots = random_positions(5, moves=8, seed=3)
    search = PUCTSearch(uniform_evaluator)
    together = search.search(roots, 60)
    for root, batched in zip(roots, together, strict=True):
        alone = search.search([root], 60)[0]
        np.testing.assert_array_equal(batched.visits, alone.visits)
        np.testing.assert_array_equal(batched.q, alone.q)
        assert batched.value == alone.value


def test_one_evaluator_call_per_round_and_never_for_finished_games():
    batches = []

    def recording_evaluator(boards):
        assert not any(board.is_over for board in boards)
        batches.append(len(boards))
        return uniform_evaluator(boards)

    roots = random_positions(8, moves=30, seed=4) + [WIN_IN_ONE]
    PUCTSearch(recording_evaluator).search(roots, 40)
    assert batches[0] == len(roots)  # the roots, expanded together
    assert len(batches) <= 1 + 40 and max(batches) <= len(roots)


def test_values_are_backed_up_from_each_players_view():
    def player_to_move_is_winning(boards):
        return np.ones((len(boards), 7)), np.ones(len(boards))

    search = PUCTSearch(player_to_move_is_winning)
    # The first 7 simulations try each move once: every child position is good for the
    # opponent, who moves there, so bad for the root player.
    result = search.search([Board()], 7)[0]
    assert result.visits.tolist() == [1] * 7
    assert np.all(result.q == -1.0) and result.value == -1.0
    # The 8th goes one level deeper, to a position where the root player moves again: +1.
    result = search.search([Board()], 8)[0]
    twice = result.visits == 2
    assert twice.sum() == 1 and result.q[twice] == 0.0


def test_priors_are_masked_and_normalised():
    def lopsided(boards):
        priors = np.zeros((len(boards), 7))
        priors[:, 3] = 5.0  # all the mass on a column that may be full
        return priors, np.zeros(len(boards))

    result = PUCTSearch(lopsided).search([Board.from_moves([3] * 6)], 10)[0]
    # Nothing left on a legal move after masking: uniform over the six legal columns.
    np.testing.assert_allclose(result.prior, [1 / 6] * 3 + [0] + [1 / 6] * 3)
    result = PUCTSearch(lopsided).search([Board()], 10)[0]
    np.testing.assert_allclose(result.prior, [0, 0, 0, 1, 0, 0, 0])

    def wrong_shape(boards):
        return np.ones((len(boards), 6)), np.zeros(len(boards))

    with pytest.raises(ValueError, match="expected"):
        PUCTSearch(wrong_shape).search([Board()], 5)


def test_dirichlet_noise_changes_the_root_priors_only_when_asked():
    root = Board.from_moves([3] * 6)
    search = PUCTSearch(uniform_evaluator)
    rng = np.random.default_rng(5)
    plain = search.search([root], 20, add_noise=False, rng=rng)[0]
    noisy = search.search([root], 20, add_noise=True, rng=rng)[0]
    np.testing.assert_allclose(plain.prior, [1 / 6] * 3 + [0] + [1 / 6] * 3)
    assert not np.allclose(noisy.prior, plain.prior)
    assert np.isclose(noisy.prior.sum(), 1.0) and noisy.prior[3] == 0
    # The noise is a quarter of the prior: each legal prior stays above 3/4 of uniform.
    assert np.all(noisy.prior[plain.prior > 0] >= 0.75 / 6)


def test_policy_temperatures():
    result = SearchResult(
        visits=np.array([3.0, 0, 3, 1, 3, 0, 0]), value=0.0, q=np.zeros(7), prior=np.zeros(7)
    )
    assert result.policy(0).tolist() == [0, 0, 1, 0, 0, 0, 0]  # a tie goes toward the centre
    np.testing.assert_allclose(result.policy(1.0), np.array([3, 0, 3, 1, 3, 0, 0]) / 10)
    sharp = result.policy(0.01)
    assert np.isfinite(sharp).all() and np.isclose(sharp.sum(), 1.0)
    np.testing.assert_allclose(sharp[[0, 2, 4]], 1 / 3)
    with pytest.raises(ValueError):
        result.policy(-1.0)


def test_random_games_score_from_the_view_of_the_player_to_move():
    rng = np.random.default_rng(6)
    one_cell_left = Board.from_moves(DRAWN_GAME[:-1])
    assert random_game_result(one_cell_left, rng) == 0.0
    results = {random_game_result(Board(), rng) for _ in range(50)}
    assert results <= {-1.0, 0.0, 1.0} and len(results) >= 2
    priors, values = rollout_evaluator(rng)([Board(), MUST_BLOCK])
    assert priors.shape == (2, 7) and values.shape == (2,)


# -- opponents ---------------------------------------------------------------------------------


def test_random_player_plays_only_legal_columns():
    rng = np.random.default_rng(7)
    boards = [Board.from_moves([0] * 6 + [6] * 6 + [3] * 6)] * 200
    columns = random_player(boards, rng)
    assert set(columns) == {1, 2, 4, 5}
    with pytest.raises(ValueError, match="finished"):
        random_player([WIN_IN_ONE.play(3)], rng)


def test_one_step_lookahead_wins_then_blocks():
    rng = np.random.default_rng(8)
    assert one_step_lookahead([WIN_IN_ONE, MUST_BLOCK] * 10, rng) == [3, 3] * 10
    # Both threats at once: it can win itself, so it does not block.
    both = Board.from_moves([0, 6, 1, 6, 2, 6])
    assert one_step_lookahead([both], rng) == [3]


def test_per_board_maps_a_one_board_function():
    def leftmost(board, rng):
        """The leftmost legal column."""
        return board.legal_moves()[0]

    player = per_board(leftmost)
    assert player.__name__ == "leftmost"
    assert per_board(leftmost, name="left").__name__ == "left"
    assert one_step_lookahead.__name__ == "one_step_lookahead"
    assert player([Board(), Board.from_moves([0] * 6)], np.random.default_rng(0)) == [0, 1]


def test_alpha_beta_wins_blocks_and_answers_quickly():
    rng = np.random.default_rng(9)
    player = alpha_beta(4)
    assert player.__name__ == "alpha_beta(4)"
    assert player([WIN_IN_ONE, MUST_BLOCK], rng) == [3, 3]
    # Two open ends: player 1 wins by making an open three, which depth 4 sees.
    open_two = Board.from_moves([2, 2, 3, 3])
    assert player([open_two], rng)[0] in (1, 4)
    start = time.perf_counter()
    openings = player([Board()] * 3 + [Board.from_moves([3, 3, 2])] * 3, rng)
    assert (time.perf_counter() - start) / 6 < 0.5
    assert all(0 <= column < 7 for column in openings)


def test_alpha_beta_breaks_ties_at_random():
    rng = np.random.default_rng(10)
    replies = set(alpha_beta(3)([Board()] * 30, rng))
    assert len(replies) > 1
    assert replies == {6 - column for column in replies}  # mirror images score the same


def test_pure_mcts_takes_a_win():
    rng = np.random.default_rng(11)
    assert pure_mcts(200)([WIN_IN_ONE, MUST_BLOCK], rng) == [3, 3]


@functools.cache
def minimax_value(board: Board) -> int:
    """The exact value by plain minimax over every move: slow, obviously right."""
    if board.winner:
        return -1
    if board.is_draw:
        return 0
    return max(-minimax_value(board.play(column)) for column in board.legal_moves())


def test_solve_agrees_with_plain_minimax_on_late_positions():
    rng = np.random.default_rng(12)
    values = []
    while len(values) < 25:
        board = Board()
        empty = int(rng.integers(1, 9))
        while not board.is_over and board.moves < 42 - empty:
            board = board.play(one_step_lookahead([board], rng)[0])
        if board.is_over:
            continue
        move_values = {
            column: 1 if board.play(column).winner else -minimax_value(board.play(column))
            for column in board.legal_moves()
        }
        best = max(move_values.values())
        solution = solve(board)
        assert solution.value == best
        assert solution.moves == {c for c, value in move_values.items() if value == best}
        values.append(best)
    assert set(values) == {-1, 0, 1}


def late_position(columns: str) -> Board:
    return Board.from_moves(int(column) for column in columns)


def test_solve_on_hand_made_positions():
    # One empty cell left and no four to make: a draw, with one move to play.
    assert solve(Board.from_moves(DRAWN_GAME[:-1])) == (0, frozenset({5}))
    # Player 2 wins at once in column 1; any other move lets player 1 win.
    assert solve(late_position("06441432133511625445551224126500260")) == (1, frozenset({0}))
    # Player 1 has two winning cells (columns 4 and 5) that player 2 cannot both block:
    # every move loses.
    double_threat = late_position("4623100141035652003422266055664531123")
    assert solve(double_threat) == (-1, frozenset(double_threat.legal_moves()))
    # Player 1 wins, but not by playing column 4: that puts a stone right under a cell where
    # player 2 completes a four.
    assert solve(late_position("12612142102201243550100056554465")) == (1, frozenset({4, 6}))
    assert solve(WIN_IN_ONE.play(3)) == (-1, frozenset())  # over: the player to move lost
    assert solve(Board.from_moves(DRAWN_GAME)) == (0, frozenset())
    with pytest.raises(ValueError, match=f"at most {SOLVE_MAX_EMPTY} empty cells"):
        solve(Board())
