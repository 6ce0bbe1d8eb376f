"""The import API: ``Pix2Pix.from_pretrained().translate(sketch)`` -> a picture.

``Pix2Pix.from_pretrained()`` is the GAN-trained model (L1 + conditional GAN);
``Pix2Pix.from_pretrained("l1_only")`` the same U-Net trained with L1 alone (the paper's
ablation). ``translate`` takes a drawing (dark lines on light paper: a scan, a canvas with
transparency, an array) and ``translate_photo`` a photo, which it first turns into its Canny
drawing, as in training.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from showcase.errors import CheckpointError as CheckpointError
from showcase.errors import InputError
from showcase.image_to_image.data import centre_square
from showcase.image_to_image.edges import INK, PAPER, canny_drawing, drawing_from_sketch
from showcase.image_to_image.inference import pictures_from_drawings
from showcase.image_to_image.model import TRAIN_SIDE
from showcase.images import open_image
from showcase.pretrained import Pretrained
from showcase.style_transfer.api import landscape

DEMO = "image_to_image"
DEFAULT_CHECKPOINT = "pix2pix"
SIDES = (128, 256)  # the U-Net halves a side seven times: multiples of 128
MAX_SKETCH_SIDE = 2048  # a drawing needs no more; 4 bytes a pixel several times over
# Scaled down by a factor f, a one-pixel line covers 1/f of the smaller pixels it crosses: a
# smaller pixel is ink when lines cover half that (and at most half of it).
HALF_A_LINE = 0.5


def example_photo() -> Image.Image:
    """A landscape the project draws itself (the style-transfer demo's), for examples and
    benchmarks: no third-party photo is shipped."""
    return landscape((384, 256))


def _checked_side(side) -> int:
    if isinstance(side, bool) or side not in SIDES:
        raise InputError(f"The picture size must be one of {', '.join(map(str, SIDES))} pixels.")
    return int(side)


def drawing_at(sketch, side: int = TRAIN_SIDE) -> np.ndarray:
    """Any sketch -> a (side, side) drawing: fitted inside the square (paper around it), lines
    kept when the sketch is scaled down."""
    side = _checked_side(side)
    if isinstance(sketch, str | Path | bytes):
        sketch = open_image(sketch)
    if isinstance(sketch, Image.Image) and max(sketch.size) > MAX_SKETCH_SIDE:
        raise InputError(f"The sketch is larger than {MAX_SKETCH_SIDE} pixels on a side.")
    if not isinstance(sketch, Image.Image) and max(np.shape(sketch)[:2] or (0,)) > MAX_SKETCH_SIDE:
        raise InputError(f"The sketch is larger than {MAX_SKETCH_SIDE} pixels on a side.")
    drawing = drawing_from_sketch(sketch)
    height, width = drawing.shape
    scale = side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    lines = (drawing == INK).astype(np.float32)
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_NEAREST
    threshold = HALF_A_LINE * min(scale, 1.0)
    lines = cv2.resize(lines, size, interpolation=interpolation) >= threshold
    square = np.full((side, side), PAPER, np.uint8)
    top, left = (side - size[1]) // 2, (side - size[0]) // 2
    square[top : top + size[1], left : left + size[0]][lines] = INK
    return square


class Pix2Pix(Pretrained):
    """A trained drawing -> photo U-Net (pix2pix or its L1-only ablation)."""

    DEMO = DEMO
    DEFAULT_NAME = DEFAULT_CHECKPOINT

    def _trace(self) -> None:
        pictures_from_drawings(self.model, np.full((1, TRAIN_SIDE, TRAIN_SIDE), PAPER, np.uint8))

    def translate_drawing(self, drawing: np.ndarray) -> Image.Image:
        """A (side, side) drawing (see :func:`drawing_at`) -> the picture, as a PIL image."""
        return Image.fromarray(pictures_from_drawings(self.model, np.asarray(drawing)[None])[0])

    def translate(self, sketch, side: int = TRAIN_SIDE) -> Image.Image:
        """A sketch (path, PIL image or array; dark lines on light paper) -> a picture of
        ``side`` x ``side`` pixels (128, as trained, or 256)."""
        return self.translate_drawing(drawing_at(sketch, side))

    @staticmethod
    def drawing_of_photo(photo, side: int = TRAIN_SIDE) -> np.ndarray:
        """The Canny drawing of a photo's centre square, as the model was trained on."""
        side = _checked_side(side)
        image = photo if isinstance(photo, Image.Image) else open_image(photo)
        return canny_drawing(centre_square(image, side))

    def translate_photo(self, photo, side: int = TRAIN_SIDE) -> tuple[np.ndarray, Image.Image]:
        """A photo -> (its Canny drawing, the picture the model draws from that drawing)."""
        drawing = self.drawing_of_photo(photo, side)
        return drawing, self.translate_drawing(drawing)
