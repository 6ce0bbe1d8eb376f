"""The attention heatmap: which source pieces each target piece looked at (Bahdanau et al. 2015,
Fig. 3), drawn as a picture with Pillow.

It used to be a matplotlib figure. Laying out and encoding it took about 90 ms, three times the
translation itself (26 ms for a short sentence), so under 20 clients at once translation was the
slowest of the cheap demos (p50 5.8 s). Drawn directly it takes a few milliseconds.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from showcase.lazy import once

LARGEST_SIDE = 640  # of the grid of cells, in pixels
CELL_RANGE = (10, 32)
FONT_SIZE = 13
GAP = 6


def readable(pieces: list[str]) -> list[str]:
    # SentencePiece marks a word start with "▁"; show it as a leading space-free word.
    return [piece.replace("▁", "") or "␣" for piece in pieces]


@once
def _font() -> ImageFont.ImageFont:
    return ImageFont.load_default(size=FONT_SIZE)


def _text_width(text: str) -> int:
    left, _, right, _ = _font().getbbox(text)
    return int(right - left)


def _label(text: str, angle: int = 0) -> Image.Image:
    """``text`` in black on white, turned by ``angle`` degrees."""
    width, height = _text_width(text) + 2, FONT_SIZE + 4
    picture = Image.new("L", (max(width, 1), height), 255)
    ImageDraw.Draw(picture).text((1, 1), text, fill=0, font=_font())
    return picture.rotate(angle, expand=True, fillcolor=255) if angle else picture


def attention_picture(
    source_pieces: list[str], target_pieces: list[str], weights: np.ndarray
) -> Image.Image:
    """Target pieces (rows) x source pieces (columns), darker = more weight, with labels."""
    weights = np.asarray(weights, dtype=np.float32)
    rows, columns = weights.shape
    cell = int(np.clip(LARGEST_SIDE // max(rows, columns, 1), *CELL_RANGE))
    grid = np.uint8(255 - np.clip(weights, 0.0, 1.0) * 255)
    grid = Image.fromarray(grid).resize((columns * cell, rows * cell), Image.NEAREST)

    row_labels = [_label(text) for text in readable(target_pieces)]
    column_labels = [_label(text, 90) for text in readable(source_pieces)]
    side_title = _label("translation (target pieces)", 90)
    bottom_title = _label("English (source pieces)")
    left = side_title.width + GAP + max((label.width for label in row_labels), default=0) + GAP
    below = max((label.height for label in column_labels), default=0) + GAP
    width = left + grid.width + GAP
    height = GAP + grid.height + GAP + below + bottom_title.height + GAP

    picture = Image.new("L", (width, height), 255)
    picture.paste(grid, (left, GAP))
    ImageDraw.Draw(picture).rectangle(
        (left - 1, GAP - 1, left + grid.width, GAP + grid.height), outline=0
    )
    for index, label in enumerate(row_labels):
        top = GAP + index * cell + (cell - label.height) // 2
        picture.paste(label, (left - GAP - label.width, top))
    for index, label in enumerate(column_labels):
        x = left + index * cell + (cell - label.width) // 2
        picture.paste(label, (x, GAP + grid.height + GAP))
    picture.paste(side_title, (0, GAP + (grid.height - side_title.height) // 2))
    bottom = GAP + grid.height + GAP + below
    picture.paste(bottom_title, (left + (grid.width - bottom_title.width) // 2, bottom))
    return picture
