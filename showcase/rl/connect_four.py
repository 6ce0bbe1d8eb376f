"""Connect Four rules on bitboards: a position is two Python ints, a move a few integer operations.

Layout (John Tromp's, as used in Pascal Pons' solver, http://blog.gamesolver.org): each of the
7 columns owns 7 consecutive bits, one per row from the bottom up, plus a seventh "sentinel" bit
above the top row that never holds a stone::

    .  .  .  .  .  .  .     6 13 20 27 34 41 48   <- sentinel row, always empty
    .  .  .  .  .  .  .     5 12 19 26 33 40 47   <- top row
    .  .  .  .  .  .  .     4 11 18 25 32 39 46
    .  .  .  .  .  .  .     3 10 17 24 31 38 45
    .  .  .  .  .  .  .     2  9 16 23 30 37 44
    .  .  .  .  .  .  .     1  8 15 22 29 36 43
    .  .  .  .  .  .  .     0  7 14 21 28 35 42   <- bottom row

A position is stored as ``position`` (the stones of the player to move) and ``mask`` (every
stone). Why this layout:

- Dropping a stone in a column is one addition: ``mask + bottom_cell`` carries up to the first
  empty cell of that column, so ``mask | (mask + bottom_cell)`` is the new mask.
- Four in a row is found with four shift-and-AND pairs, one per direction: shifting by 1 moves a
  stone one row up, by 7 one column right, by 6 and 8 along the two diagonals. A line that would
  run off the top of a column lands on the always-empty sentinel bit (or past bit 48), so no
  false four wraps from the top of one column into the bottom of the next.
- ``position + mask`` is unique for every position, a cheap key for transposition tables.

Players are numbered 1 (moves first) and 2; columns are 0-based in the API and 1-based in every
message, because the demo shows people columns 1 to 7.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from showcase.errors import InputError

ROWS = 6
COLUMNS = 7
CELLS = ROWS * COLUMNS
COLUMN_BITS = ROWS + 1  # the extra bit is the sentinel row

BOTTOM_CELLS = tuple(1 << (column * COLUMN_BITS) for column in range(COLUMNS))
TOP_CELLS = tuple(1 << (column * COLUMN_BITS + ROWS - 1) for column in range(COLUMNS))
COLUMN_CELLS = tuple(((1 << ROWS) - 1) << (column * COLUMN_BITS) for column in range(COLUMNS))
BOTTOM_ROW = sum(BOTTOM_CELLS)
BOARD_CELLS = sum(COLUMN_CELLS)
# Columns nearest the centre first: the order searches try moves in and break ties by, since a
# centre stone lies on the most lines of four.
CENTRE_FIRST = (3, 2, 4, 1, 5, 0, 6)

# Bit index of each cell of a (ROWS, COLUMNS) grid whose row 0 is the top row.
GRID_SHIFTS = np.array(
    [[column * COLUMN_BITS + (ROWS - 1 - row) for column in range(COLUMNS)] for row in range(ROWS)],
    dtype=np.int64,
)
TOP_CELLS_ARRAY = np.array(TOP_CELLS, dtype=np.int64)


def has_four(stones: int) -> bool:
    """Whether one player's stones hold four in a row in any direction."""
    pairs = stones & (stones >> 1)  # vertical
    if pairs & (pairs >> 2):
        return True
    pairs = stones & (stones >> COLUMN_BITS)  # horizontal
    if pairs & (pairs >> 2 * COLUMN_BITS):
        return True
    pairs = stones & (stones >> (COLUMN_BITS - 1))  # diagonal going down to the right
    if pairs & (pairs >> 2 * (COLUMN_BITS - 1)):
        return True
    pairs = stones & (stones >> (COLUMN_BITS + 1))  # diagonal going up to the right
    return bool(pairs & (pairs >> 2 * (COLUMN_BITS + 1)))


def completing_cells(stones: int) -> int:
    """Every board cell, empty or not, where a stone would give ``stones`` four in a row.

    For each direction, a cell completes a four when the three cells before it, the three after
    it, or two on one side and one on the other hold the player's stones. Written out direction
    by direction (no loop): solvers call it hundreds of thousands of times.
    """
    # Vertical: only the cell right above three stacked stones.
    cells = (stones << 1) & (stones << 2) & (stones << 3)
    # Horizontal (a step of one column is COLUMN_BITS = 7 bits).
    before = (stones << 7) & (stones << 14)
    after = (stones >> 7) & (stones >> 14)
    cells |= before & ((stones << 21) | (stones >> 7)) | after & ((stones >> 21) | (stones << 7))
    # Diagonal going down to the right (one column right, one row down: 6 bits).
    before = (stones << 6) & (stones << 12)
    after = (stones >> 6) & (stones >> 12)
    cells |= before & ((stones << 18) | (stones >> 6)) | after & ((stones >> 18) | (stones << 6))
    # Diagonal going up to the right (8 bits).
    before = (stones << 8) & (stones << 16)
    after = (stones >> 8) & (stones >> 16)
    cells |= before & ((stones << 24) | (stones >> 8)) | after & ((stones >> 24) | (stones << 8))
    return cells & BOARD_CELLS


def threat_cells(stones: int, mask: int) -> int:
    """Empty cells (playable now or not) where one more stone gives ``stones`` four in a row."""
    return completing_cells(stones) & ~mask


def playable_cells(mask: int) -> int:
    """The cell each non-full column would take next, as one bitboard."""
    return (mask + BOTTOM_ROW) & BOARD_CELLS


def columns_of(cells: int) -> list[int]:
    """The columns (ascending) that hold at least one of ``cells``."""
    return [column for column in range(COLUMNS) if cells & COLUMN_CELLS[column]]


def mirror_bits(bits: int) -> int:
    """A bitboard mirrored left-right (column c becomes column 6 - c)."""
    column_mask = (1 << COLUMN_BITS) - 1
    mirrored = 0
    for column in range(COLUMNS):
        mirrored |= ((bits >> (column * COLUMN_BITS)) & column_mask) << (
            (COLUMNS - 1 - column) * COLUMN_BITS
        )
    return mirrored


def _column_name(column) -> str:
    """A column as people read it (1 to 7), for messages."""
    return str(column + 1)


class Board:
    """An immutable Connect Four position.

    ``position`` holds the stones of the player to move, ``mask`` every stone, ``moves`` how many
    stones were played and ``winner`` 0 or the player who has four in a row. Build one with
    ``Board()`` / ``Board.empty()``, ``Board.from_moves`` or ``Board.from_grid``, then ``play``;
    the constructor trusts its bitboards (``Board.from_grid`` checks a position from outside).
    """

    __slots__ = ("position", "mask", "moves", "winner")

    def __init__(self, position: int = 0, mask: int = 0):
        moves = mask.bit_count()
        # Only the player who moved last can have four in a row in a game that stopped there.
        winner = (2 - moves % 2) if moves and has_four(position ^ mask) else 0
        _fill(self, position, mask, moves, winner)

    @classmethod
    def _make(cls, position: int, mask: int, moves: int, winner: int) -> Board:
        board = _new_object(cls)
        _fill(board, position, mask, moves, winner)
        return board

    def __setattr__(self, name, value):
        raise AttributeError("a Board is immutable: play() returns a new one")

    def __delattr__(self, name):
        raise AttributeError("a Board is immutable")

    def __reduce__(self):
        return (Board, (self.position, self.mask))

    # -- construction --------------------------------------------------------------------------

    @classmethod
    def empty(cls) -> Board:
        """The start position."""
        return cls._make(0, 0, 0, 0)

    @classmethod
    def from_moves(cls, columns: Iterable[int]) -> Board:
        """The position after playing ``columns`` (0-based) in turn from the start."""
        board = cls.empty()
        for number, column in enumerate(columns, start=1):
            try:
                board = board.play(column)
            except InputError as error:
                raise InputError(f"Move {number}: {error}") from None
        return board

    @classmethod
    def from_grid(cls, grid) -> Board:
        """A position from a (6, 7) grid of 0 (empty), 1 (first player) or 2; row 0 is the top.

        Refuses, with a one-line message, a grid no game can reach: stones floating above an
        empty cell, stone counts that do not alternate from player 1, or a game that went on
        after someone had four in a row.
        """
        try:
            cells = np.asarray(grid)
        except (TypeError, ValueError):
            raise InputError("A Connect Four grid must be 6 rows of 7 numbers.") from None
        if cells.shape != (ROWS, COLUMNS):
            raise InputError(
                f"A Connect Four grid has {ROWS} rows and {COLUMNS} columns, not shape "
                f"{cells.shape}."
            )
        if cells.dtype.kind not in "iuf":
            raise InputError("A Connect Four grid holds numbers: 0 (empty), 1 or 2.")
        valid = (cells == 0) | (cells == 1) | (cells == 2)
        if not valid.all():
            row, column = np.argwhere(~valid)[0]
            raise InputError(
                f"Grid cells hold 0 (empty), 1 or 2; row {row + 1}, column {column + 1} holds "
                f"{cells[row, column]}."
            )
        cells = cells.astype(np.int8)
        stones = {1: 0, 2: 0}
        for column in range(COLUMNS):
            seen_empty = False
            for height in range(ROWS):  # bottom up
                owner = int(cells[ROWS - 1 - height, column])
                if owner == 0:
                    seen_empty = True
                elif seen_empty:
                    raise InputError(
                        f"Column {column + 1} has a stone above an empty cell: stones fall to the "
                        "bottom."
                    )
                else:
                    stones[owner] |= 1 << (column * COLUMN_BITS + height)
        first, second = stones[1].bit_count(), stones[2].bit_count()
        if first - second not in (0, 1):
            raise InputError(
                "Player 1 moves first, so it has as many stones as player 2 or one more; this "
                f"grid has {first} and {second}."
            )
        last_mover = 1 if first > second else 2
        winners = [player for player in (1, 2) if has_four(stones[player])]
        if len(winners) == 2:
            raise InputError("Both players have four in a row; a game stops at the first one.")
        if winners and winners[0] != last_mover:
            raise InputError(
                f"Player {winners[0]} has four in a row but player {3 - winners[0]} played "
                "after it; a game stops at the first four."
            )
        if winners and not _one_move_made_every_four(stones[last_mover], stones[1] | stones[2]):
            raise InputError(
                f"Player {last_mover} has fours in a row that no single last move made; a game "
                "stops at the first four."
            )
        mask = stones[1] | stones[2]
        to_move = 3 - last_mover
        return cls(stones[to_move], mask)

    # -- the rules -----------------------------------------------------------------------------

    @property
    def to_move(self) -> int:
        """The player whose turn it is: 1 (who moved first) or 2."""
        return 1 + self.moves % 2

    @property
    def is_over(self) -> bool:
        """Someone has four in a row, or the board is full."""
        return bool(self.winner) or self.moves == CELLS

    @property
    def is_draw(self) -> bool:
        """The board is full and no one has four in a row."""
        return self.moves == CELLS and not self.winner

    def can_play(self, column: int) -> bool:
        """Whether ``column`` (0-based) is a legal move now."""
        if type(column) is not int:
            try:
                column = _checked_column(column)
            except InputError:
                return False
        return 0 <= column < COLUMNS and not self.winner and not self.mask & TOP_CELLS[column]

    def legal_moves(self) -> list[int]:
        """The columns one can play now (0-based, ascending); empty once the game is over."""
        if self.winner:
            return []
        mask = self.mask
        return [column for column in range(COLUMNS) if not mask & TOP_CELLS[column]]

    def play(self, column: int) -> Board:
        """The position after the player to move drops a stone in ``column`` (0-based)."""
        if type(column) is not int:
            column = _checked_column(column)
        if not 0 <= column < COLUMNS:
            raise InputError(f"Column {_column_name(column)} does not exist: choose 1 to 7.")
        if self.winner:
            raise InputError(f"The game is over: player {self.winner} has won.")
        mask = self.mask
        if mask & TOP_CELLS[column]:
            if self.moves == CELLS:
                raise InputError("The game is over: the board is full (a draw).")
            raise InputError(f"Column {_column_name(column)} is full.")
        new_mask = mask | (mask + BOTTOM_CELLS[column])
        mover_stones = self.position | (new_mask ^ mask)
        moves = self.moves + 1
        winner = (2 - moves % 2) if has_four(mover_stones) else 0
        return Board._make(mask ^ self.position, new_mask, moves, winner)

    def winning_moves(self) -> list[int]:
        """The columns where the player to move gets four in a row at once."""
        if self.winner:
            return []
        return columns_of(threat_cells(self.position, self.mask) & playable_cells(self.mask))

    def is_winning_move(self, column: int) -> bool:
        """Whether playing ``column`` now wins the game at once."""
        if not self.can_play(column):
            return False
        return bool(
            threat_cells(self.position, self.mask)
            & playable_cells(self.mask)
            & COLUMN_CELLS[column]
        )

    # -- views ---------------------------------------------------------------------------------

    @property
    def key(self) -> tuple[int, int]:
        """A hashable identity of the position (the same stones give the same key)."""
        return (self.position, self.mask)

    def stones_of(self, player: int) -> int:
        """The bitboard of player 1's or player 2's stones."""
        if player == self.to_move:
            return self.position
        return self.position ^ self.mask

    def grid(self) -> np.ndarray:
        """int8 (6, 7): 0 empty, 1 or 2 the player's stone; row 0 is the top row."""
        occupied = (np.int64(self.mask) >> GRID_SHIFTS) & 1
        second = (np.int64(self.stones_of(2)) >> GRID_SHIFTS) & 1
        return (occupied + second).astype(np.int8)

    def planes(self) -> np.ndarray:
        """float32 (6, 7, 2), the network's input: the stones of the player to move, then the
        opponent's; row 0 is the top row."""
        return stack_planes([self])[0]

    def mirror(self) -> Board:
        """The position mirrored left-right: the same game value, a free training example."""
        return Board._make(
            mirror_bits(self.position), mirror_bits(self.mask), self.moves, self.winner
        )

    def __eq__(self, other):
        if not isinstance(other, Board):
            return NotImplemented
        return self.position == other.position and self.mask == other.mask

    def __hash__(self):
        return hash((self.position, self.mask))

    def __repr__(self):
        return f"Board(position={self.position:#x}, mask={self.mask:#x})"

    def __str__(self):
        symbols = ".XO"  # X moved first
        grid = self.grid()
        lines = [" ".join(symbols[cell] for cell in row) for row in grid]
        lines.append(" ".join(str(column + 1) for column in range(COLUMNS)))
        return "\n".join(lines)


# The slots' own setters: __setattr__ refuses every change, and these are twice as fast as
# object.__setattr__, which matters for a class built once per move in a tree search.
_new_object = object.__new__
_set_position = Board.position.__set__
_set_mask = Board.mask.__set__
_set_moves = Board.moves.__set__
_set_winner = Board.winner.__set__


def _fill(board: Board, position: int, mask: int, moves: int, winner: int) -> None:
    _set_position(board, position)
    _set_mask(board, mask)
    _set_moves(board, moves)
    _set_winner(board, winner)


def stack_planes(boards: list[Board]) -> np.ndarray:
    """float32 (n, 6, 7, 2): ``Board.planes`` of many boards at once, for a network's batch."""
    own = np.array([board.position for board in boards], dtype=np.int64)
    every = np.array([board.mask for board in boards], dtype=np.int64)
    shifts = GRID_SHIFTS[None]
    planes = np.empty((len(boards), ROWS, COLUMNS, 2), dtype=np.float32)
    planes[..., 0] = (own[:, None, None] >> shifts) & 1
    planes[..., 1] = ((own ^ every)[:, None, None] >> shifts) & 1
    return planes


def _checked_column(column) -> int:
    """A column given as a numpy integer, as an int; anything else (bool, float, str) refused."""
    if isinstance(column, (bool, np.bool_)) or not isinstance(column, (int, np.integer)):
        raise InputError(f"A column is a whole number from 1 to 7, not {column!r}.")
    return int(column)


def _one_move_made_every_four(stones: int, mask: int) -> bool:
    """Whether taking back one top stone of ``stones`` leaves no four: a single last move made
    every four the player has, as in a game that stopped at the first win."""
    for column in range(COLUMNS):
        column_stones = mask & COLUMN_CELLS[column]
        if not column_stones:
            continue
        top = 1 << (column_stones.bit_length() - 1)
        if stones & top and not has_four(stones ^ top):
            return True
    return False
