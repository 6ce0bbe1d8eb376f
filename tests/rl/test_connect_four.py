"""Connect Four rules on bitboards: wins in every direction, no wrap-around, draws, refused moves
and grids, the network's planes and the mirror."""

import itertools

import numpy as np
import pytest

from showcase.errors import InputError
from showcase.rl.connect_four import (
    COLUMNS,
    ROWS,
    Board,
    has_four,
    stack_planes,
    threat_cells,
)

# A whole game (0-based columns) that fills the board without a four: a draw.
DRAWN_GAME = [int(column) for column in "422224442436366333234111166611000000555555"]


def grid_of(*rows: str) -> np.ndarray:
    """A grid from text rows, top row first: '.' empty, 'X' player 1, 'O' player 2."""
    return np.array([[".XO".index(cell) for cell in row] for row in rows], dtype=np.int8)


def cell_bit(row_from_bottom: int, column: int) -> int:
    return 1 << (column * (ROWS + 1) + row_from_bottom)


def lines_of_four() -> set[frozenset]:
    """Every line of four on the board as (row from the bottom, column) cells, built from
    coordinates so that it does not depend on the bitboard layout."""
    lines = set()
    for row, column in itertools.product(range(ROWS), range(COLUMNS)):
        for row_step, column_step in ((0, 1), (1, 0), (1, 1), (-1, 1)):
            cells = [(row + i * row_step, column + i * column_step) for i in range(4)]
            if all(0 <= r < ROWS and 0 <= c < COLUMNS for r, c in cells):
                lines.add(frozenset(cells))
    return lines


LINES = lines_of_four()


def naive_winners(grid: np.ndarray) -> set[int]:
    """Players with four in a row, found by reading every line of the grid (row 0 on top)."""
    rows = grid.tolist()
    winners = set()
    for line in LINES:
        owners = {rows[ROWS - 1 - row][column] for row, column in line}
        if len(owners) == 1 and owners != {0}:
            winners |= owners
    return winners


def test_the_empty_board():
    board = Board()
    assert board == Board.empty() == Board.from_moves([])
    assert (board.to_move, board.moves, board.winner) == (1, 0, 0)
    assert board.legal_moves() == list(range(7))
    assert not board.is_over and not board.is_draw
    assert board.grid().shape == (6, 7) and not board.grid().any()


@pytest.mark.parametrize(
    "moves, winner",
    [
        ([0, 0, 1, 1, 2, 2, 3], 1),  # horizontal, bottom row, left edge
        ([0, 3, 0, 4, 0, 5, 1, 6], 2),  # horizontal, bottom row, right edge
        ([1, 0, 2, 0, 1, 0, 2, 0], 2),  # vertical, left edge, bottom
        ([0, 6, 1, 6, 6, 0, 6, 1, 6, 0, 6], 1),  # vertical, right edge, up to the top row
        # diagonal going up to the right from the bottom-left corner
        ([0, 1, 1, 2, 2, 3, 2, 3, 3, 6, 3], 1),
    ],
)
def test_wins_found_in_play(moves, winner):
    before = Board.from_moves(moves[:-1])
    assert before.winner == 0
    assert before.is_winning_move(moves[-1])
    assert moves[-1] in before.winning_moves()
    board = before.play(moves[-1])
    assert board.winner == winner
    assert board.is_over and not board.is_draw
    assert board.legal_moves() == []
    assert naive_winners(board.grid()) == {winner}


def test_diagonal_wins_at_the_edges_from_grids():
    up_from_the_left_corner = grid_of(
        ".......",
        ".......",
        "...X...",
        "..XO...",
        ".XOO...",
        "XOOX..X",
    )
    down_to_the_right_corner = grid_of(
        ".......",
        ".......",
        "...O...",
        "...XO..",
        "...XXO.",
        "...OXXO",
    )
    assert Board.from_grid(up_from_the_left_corner).winner == 1
    assert Board.from_grid(down_to_the_right_corner).winner == 2
    up_to_the_top_right_corner = grid_of(
        "......X",
        "....OXX",
        ".X..XOO",
        "OXXXOOO",
        "XXOXOXX",
        "OOOXOXO",
    )
    board = Board.from_grid(up_to_the_top_right_corner)
    assert board.winner == 1 and naive_winners(up_to_the_top_right_corner) == {1}


def test_winner_agrees_with_a_cell_by_cell_check_over_random_games():
    rng = np.random.default_rng(0)
    directions_won = set()
    for _ in range(150):
        board = Board()
        while not board.is_over:
            board = board.play(int(rng.choice(board.legal_moves())))
            expected = naive_winners(board.grid())
            assert ({board.winner} - {0}) == expected
        if board.winner:
            stones = board.stones_of(board.winner)
            for name, step in (("vertical", 1), ("horizontal", 7), ("diagonal", 6), ("anti", 8)):
                pairs = stones & (stones >> step)
                if pairs & (pairs >> 2 * step):
                    directions_won.add((board.winner, name))
    assert len(directions_won) == 8  # every direction, for both players


def test_four_in_a_row_is_exactly_the_lines_of_four():
    """Every set of four cells: has_four is true for the 69 lines and nothing else, so no line
    wraps from the top of one column to the bottom of the next or across the board's edge."""
    assert len(LINES) == 69
    cells = list(itertools.product(range(ROWS), range(COLUMNS)))
    bits = {cell: cell_bit(*cell) for cell in cells}
    found = {
        frozenset(four)
        for four in itertools.combinations(cells, 4)
        if has_four(sum(bits[cell] for cell in four))
    }
    assert found == LINES


def test_no_false_win_across_the_column_wrap():
    # Player 1 holds the top two cells of column 1 and the bottom two of column 2: in the bit
    # layout they are nearly consecutive, but the sentinel bit between keeps them apart.
    grid = grid_of(
        "X......",
        "X......",
        "O......",
        "O......",
        "XX.....",
        "OXOO...",
    )
    board = Board.from_grid(grid)
    assert board.winner == 0 and not board.is_over


def test_a_full_board_without_four_is_a_draw():
    board = Board.from_moves(DRAWN_GAME)
    assert board.moves == 42
    assert board.is_over and board.is_draw and board.winner == 0
    assert board.legal_moves() == []
    assert naive_winners(board.grid()) == set()
    assert Board.from_grid(board.grid()) == board


@pytest.mark.parametrize(
    "column, message",
    [
        (7, "Column 8 does not exist: choose 1 to 7."),
        (-1, "Column 0 does not exist: choose 1 to 7."),
        (True, "A column is a whole number from 1 to 7, not True."),
        (3.0, "A column is a whole number from 1 to 7, not 3.0."),
        ("3", "A column is a whole number from 1 to 7, not '3'."),
        (None, "A column is a whole number from 1 to 7, not None."),
    ],
)
def test_bad_columns_are_refused(column, message):
    with pytest.raises(InputError) as error:
        Board().play(column)
    assert str(error.value) == message
    assert not Board().can_play(column)


def test_full_columns_and_finished_games_are_refused():
    full = Board.from_moves([3] * 6)
    assert not full.can_play(3) and 3 not in full.legal_moves()
    with pytest.raises(InputError, match=r"^Column 4 is full\.$"):
        full.play(3)
    won = Board.from_moves([0, 0, 1, 1, 2, 2, 3])
    with pytest.raises(InputError, match="The game is over: player 1 has won"):
        won.play(4)
    with pytest.raises(InputError, match="The game is over: the board is full"):
        Board.from_moves(DRAWN_GAME).play(0)
    with pytest.raises(InputError, match=r"^Move 7: Column 1 is full\.$"):
        Board.from_moves([0] * 7)


def test_numpy_integers_are_columns():
    assert Board().play(np.int64(3)) == Board().play(3)
    assert Board().can_play(np.int32(6))


def test_boards_are_immutable_values():
    board = Board.from_moves([0, 1, 2])
    with pytest.raises(AttributeError):
        board.mask = 0
    same = Board.from_moves([2, 1, 0])
    assert board == same and hash(board) == hash(same) and board.key == same.key
    assert board != Board.from_moves([0, 1, 3])
    assert board.play(3) is not board and board.moves == 3
    assert Board(board.position, board.mask) == board


def test_grids_round_trip():
    rng = np.random.default_rng(1)
    for _ in range(50):
        board = Board()
        for _ in range(int(rng.integers(0, 30))):
            if board.is_over:
                break
            board = board.play(int(rng.choice(board.legal_moves())))
        grid = board.grid()
        assert grid.dtype == np.int8 and grid.shape == (6, 7)
        again = Board.from_grid(grid)
        assert again == board and again.moves == board.moves and again.winner == board.winner
        np.testing.assert_array_equal(Board.from_grid(grid.tolist()).grid(), grid)


def test_grid_rows_run_top_to_bottom():
    grid = Board.from_moves([3, 3]).grid()
    assert grid[5, 3] == 1 and grid[4, 3] == 2 and grid.sum() == 3
    assert str(Board.from_moves([3, 3])).splitlines()[-3:] == [
        ". . . O . . .",
        ". . . X . . .",
        "1 2 3 4 5 6 7",
    ]


@pytest.mark.parametrize(
    "grid, message",
    [
        (np.zeros((7, 6)), "has 6 rows and 7 columns"),
        ([[0] * 7] * 5, "has 6 rows and 7 columns"),
        (np.full((6, 7), "x"), "holds numbers"),
        (grid_of(".......", ".......", ".......", ".......", ".......", "XX.....") * 1, "has 2"),
        (grid_of(".......", ".......", ".......", ".......", ".......", "O......"), "0 and 1"),
        (grid_of(".......", ".......", ".......", ".......", "X......", "..O...."), "Column 1"),
        (np.where(grid_of(*["......."] * 5, "XO....."), 3, 0), "holds 3"),
        (np.full((6, 7), 0.5), "holds 0.5"),
    ],
)
def test_impossible_grids_are_refused(grid, message):
    with pytest.raises(InputError, match=message) as error:
        Board.from_grid(grid)
    assert "\n" not in str(error.value)


def test_grids_where_the_game_went_on_after_a_win_are_refused():
    both_won = grid_of(
        ".......",
        ".......",
        "XO.....",
        "XO.....",
        "XO.....",
        "XO.....",
    )
    with pytest.raises(InputError, match="Both players"):
        Board.from_grid(both_won)
    won_then_played = grid_of(
        ".......",
        ".......",
        "X......",
        "XO.....",
        "XO.....",
        "XOO....",
    )
    with pytest.raises(InputError, match="Player 1 has four in a row but player 2 played"):
        Board.from_grid(won_then_played)
    two_separate_fours = grid_of(
        ".......",
        ".......",
        "X.....X",
        "X.....X",
        "XOO.OOX",
        "XOOXOOX",
    )
    with pytest.raises(InputError, match="no single last move"):
        Board.from_grid(two_separate_fours)
    # One stone that completes two lines at once is a legal last move.
    double_four = grid_of(
        ".......",
        ".......",
        ".......",
        ".......",
        "OOO.OOO",
        "XXXXXXX",
    )
    assert Board.from_grid(double_four).winner == 1


def test_planes_are_from_the_view_of_the_player_to_move():
    after_one = Board.from_moves([3])
    planes = after_one.planes()
    assert planes.dtype == np.float32 and planes.shape == (6, 7, 2)
    assert planes[..., 0].sum() == 0  # player 2 to move has no stones yet
    assert planes[5, 3, 1] == 1 and planes[..., 1].sum() == 1
    after_two = after_one.play(0)
    planes = after_two.planes()
    assert planes[5, 3, 0] == 1 and planes[5, 0, 1] == 1 and planes.sum() == 2
    np.testing.assert_array_equal(
        stack_planes([after_one, after_two]), [after_one.planes(), planes]
    )
    assert stack_planes([]).shape == (0, 6, 7, 2)


def test_mirror_flips_columns():
    board = Board.from_moves([0, 1, 1, 5])
    mirrored = board.mirror()
    assert mirrored == Board.from_moves([6, 5, 5, 1])
    np.testing.assert_array_equal(mirrored.grid(), board.grid()[:, ::-1])
    np.testing.assert_array_equal(mirrored.planes(), board.planes()[:, ::-1])
    assert mirrored.mirror() == board and mirrored.to_move == board.to_move
    won = Board.from_moves([0, 0, 1, 1, 2, 2, 3])
    assert won.mirror().winner == 1


def test_threat_cells_are_the_cells_that_complete_a_four():
    rng = np.random.default_rng(2)
    for _ in range(40):
        board = Board()
        for _ in range(int(rng.integers(4, 25))):
            if board.is_over:
                break
            board = board.play(int(rng.choice(board.legal_moves())))
        if board.is_over:
            continue
        for stones in (board.position, board.position ^ board.mask):
            expected = 0
            for row, column in itertools.product(range(ROWS), range(COLUMNS)):
                bit = cell_bit(row, column)
                if not board.mask & bit and has_four(stones | bit):
                    expected |= bit
            assert threat_cells(stones, board.mask) == expected
