"""The import API: ``Pix2Pix.from_pretrained().translate(sketch)`` -> a picture, and
``Colorizer.from_pretrained().colorize(photo, hints=...)`` -> the photo in colour.

``Pix2Pix.from_pretrained()`` is the GAN-trained model (L1 + conditional GAN);
``Pix2Pix.from_pretrained("l1_only")`` the same U-Net trained with L1 alone (the paper's
ablation). ``translate`` takes a drawing (dark lines on light paper: a scan, a canvas with
transparency, an array) and ``translate_photo`` a photo, which it first turns into its Canny
drawing, as in training.

``Colorizer.from_pretrained()`` is Zhang et al.'s classification model (``"colour_classes"``);
``"colour_regression"`` its L2 baseline and ``"colour_hints"`` the model that also takes hints:
points where the user gives the colour, ``[(x, y, "#rrggbb"), ...]`` in the photo's pixels.

``CycleGAN.from_pretrained()`` turns photos into paintings and paintings into photos
(``translate(image, direction=...)``), learnt without pairs; ``"painting_pix2pix"`` is the same
generator trained on pairs, photo -> painting only (CycleGAN's upper bound).
"""

from __future__ import annotations

import numbers
import re
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from showcase import checkpoints
from showcase.errors import CheckpointError, InputError
from showcase.image_to_image import hints as user_hints
from showcase.image_to_image.colour_model import COLOUR_MODELS
from showcase.image_to_image.colourise import colour_of, is_colouriser, takes_hints
from showcase.image_to_image.cyclegan import generators, is_cyclegan, is_painter
from showcase.image_to_image.data import centre_square
from showcase.image_to_image.edges import INK, PAPER, canny_drawing, drawing_from_sketch
from showcase.image_to_image.inference import pictures_from_drawings, translated
from showcase.image_to_image.lab import grey, lab_to_rgb, rgb_to_lab
from showcase.image_to_image.model import TRAIN_SIDE
from showcase.image_to_image.presets import PAINTING_MODELS
from showcase.images import ORIGINAL_SIZE, fit_within, open_image
from showcase.pretrained import Pretrained
from showcase.style_transfer.api import landscape

DEMO = "image_to_image"
DEFAULT_CHECKPOINT = "pix2pix"
DEFAULT_COLORIZER = "colour_classes"
DEFAULT_PAINTER = "cyclegan"
TO_PAINTING, TO_PHOTO = "to_painting", "to_photo"
PAINTING_SIDES = (128, 256)  # the side a picture is squeezed to (trained on 128-pixel pictures)
MAX_PHOTO_SIDE = 1024  # a colourised photo keeps its size up to this longer side
MAX_HINTS = user_hints.MAX_HINTS
MAX_HINTS_TEXT = 4096  # characters: 64 lines of "x, y, #rrggbb" fit many times over
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


def checkpoint_model(path: Path) -> str:
    """Which model a checkpoint is (``presets.MODELS``), by its card (else by its name), without
    loading it."""
    card = checkpoints.card_beside(Path(path))
    kind = (card.hyperparameters or {}).get("model") if card else None
    return kind or Path(path).name.removesuffix(".keras")


def is_colour_checkpoint(path: Path) -> bool:
    return checkpoint_model(path) in COLOUR_MODELS


def is_painting_checkpoint(path: Path) -> bool:
    return checkpoint_model(path) in PAINTING_MODELS


class Pix2Pix(Pretrained):
    """A trained drawing -> photo U-Net (pix2pix or its L1-only ablation)."""

    DEMO = DEMO
    DEFAULT_NAME = DEFAULT_CHECKPOINT

    @classmethod
    def available(cls, checkpoint=None) -> dict[str, Path]:
        found = super().available(checkpoint)
        return {name: path for name, path in found.items()
                if not (is_colour_checkpoint(path) or is_painting_checkpoint(path))}  # fmt: skip

    @classmethod
    def load(cls, path):
        loaded = super().load(path)
        if is_colouriser(loaded.model):
            raise CheckpointError(f"{Path(path).name} is a colouriser: load it with Colorizer")
        if is_painter(loaded.model):
            raise CheckpointError(f"{Path(path).name} paints photos: load it with CycleGAN")
        return loaded

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


def _hint_colour(colour) -> tuple[int, int, int]:
    if isinstance(colour, str):
        text = colour.strip().lstrip("#")
        if len(text) == 6 and all(c in "0123456789abcdefABCDEF" for c in text):
            return tuple(int(text[i : i + 2], 16) for i in (0, 2, 4))
        match = re.fullmatch(r"rgba?\(([^)]*)\)", colour.strip())
        if match:  # what a browser's colour picker may send
            colour = [float(part) for part in match.group(1).split(",")[:3] if part.strip()]
    if isinstance(colour, list | tuple) and len(colour) == 3:
        if all(isinstance(c, numbers.Real) and not isinstance(c, bool) and 0 <= c <= 255
               for c in colour):  # fmt: skip
            return tuple(round(c) for c in colour)
    raise InputError(f"A hint's colour must be #rrggbb or three numbers 0-255, not {colour!r:.40}.")


def checked_hints(hints, size: tuple[int, int]) -> list[tuple[float, float, tuple[int, int, int]]]:
    """``[(x, y, colour), ...]`` with x, y pixels of an image of ``size`` (width, height) and
    colour ``"#rrggbb"`` or (r, g, b) -> the same, checked; bad ones -> InputError."""
    if hints is None:
        return []
    if isinstance(hints, str | bytes) or not hasattr(hints, "__len__"):
        raise InputError("Hints must be a list of (x, y, colour).")
    if len(hints) > MAX_HINTS:
        raise InputError(f"At most {MAX_HINTS} hints, not {len(hints)}.")
    checked = []
    for hint in hints:
        if not isinstance(hint, list | tuple) or len(hint) != 3:
            raise InputError("Each hint is (x, y, colour).")
        x, y, colour = hint
        for value in (x, y):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
                raise InputError("A hint's x and y must be numbers (pixels).")
        if not (0 <= x < size[0] and 0 <= y < size[1]):
            raise InputError(
                f"The hint at ({x:g}, {y:g}) is outside the {size[0]} x {size[1]} photo."
            )
        checked.append((float(x), float(y), _hint_colour(colour)))
    return checked


def hints_from_text(text: str | None) -> list:
    """The UI's hint box: one ``x, y, #rrggbb`` per line (blank lines skipped)."""
    if not text or not text.strip():
        return []
    if not isinstance(text, str) or len(text) > MAX_HINTS_TEXT:
        raise InputError(f"The hints are longer than {MAX_HINTS_TEXT} characters.")
    hints = []
    for number, line in enumerate(filter(str.strip, text.splitlines()), 1):
        parts = [part.strip() for part in line.split(",", 2)]
        problem = InputError(f"Hint line {number} is not 'x, y, #rrggbb': {line.strip()!r:.40}")
        if len(parts) != 3:
            raise problem
        try:
            hints.append((float(parts[0]), float(parts[1]), parts[2]))
        except ValueError:
            raise problem from None
    return hints


def hints_text(hints) -> str:
    return "\n".join(f"{x:g}, {y:g}, #{r:02x}{g:02x}{b:02x}" for x, y, (r, g, b) in hints)


class Colorizer(Pretrained):
    """A trained grey -> colour network: Zhang et al.'s classes, its L2 regression baseline, or
    the model that also takes user hints."""

    DEMO = DEMO
    DEFAULT_NAME = DEFAULT_COLORIZER

    @classmethod
    def available(cls, checkpoint=None) -> dict[str, Path]:
        found = super().available(checkpoint)
        return {name: path for name, path in found.items() if is_colour_checkpoint(path)}

    @classmethod
    def load(cls, path):
        loaded = super().load(path)
        if not is_colouriser(loaded.model):
            kind = "CycleGAN" if is_painter(loaded.model) else "Pix2Pix"
            raise CheckpointError(f"{Path(path).name} is not a colouriser: load it with {kind}")
        return loaded

    @property
    def takes_hints(self) -> bool:
        return takes_hints(self.model)

    def _trace(self) -> None:
        colour_of(self.model, np.zeros((1, TRAIN_SIDE, TRAIN_SIDE), np.float32))

    def _planes(self, hints, size, side) -> np.ndarray | None:
        if not hints:
            return None
        if not self.takes_hints:
            raise InputError(f"The {self.name} model takes no hints; use colour_hints.")
        width, height = size
        points = [[min(side - 1, int(y * side / height)), min(side - 1, int(x * side / width))]
                  for x, y, _ in hints]  # fmt: skip
        rgb = np.array([[colour for _, _, colour in hints]], np.uint8)
        ab = rgb_to_lab(rgb[:, :, None, :])[0, :, 0, 1:]
        return user_hints.hint_planes([points], [ab], side, side).numpy()

    def colorize(self, photo, hints=None, side: int = TRAIN_SIDE) -> Image.Image:
        """A photo (path, PIL image or array; its colour, if any, is ignored) -> the photo in
        colour, at its own size up to MAX_PHOTO_SIDE pixels on the longer side.

        The network sees the lightness squeezed to ``side`` x ``side`` (128, as trained, or
        256); its colour is scaled back up and laid under the photo's own lightness. ``hints``
        (``colour_hints`` only): ``[(x, y, colour), ...]`` in the photo's pixels.
        """
        side = _checked_side(side)
        image = open_image(photo, MAX_PHOTO_SIDE)
        # Hints are in the pixels of what was given: a file may be decoded smaller than it is.
        original_size = photo.size if isinstance(photo, Image.Image) else image.info[ORIGINAL_SIZE]
        hints = checked_hints(hints, original_size)
        image, _ = fit_within(image, MAX_PHOTO_SIDE)
        lab = rgb_to_lab(np.asarray(image))
        small = cv2.resize(lab[..., 0], (side, side), interpolation=cv2.INTER_AREA)
        ab = colour_of(self.model, small[None], self._planes(hints, original_size, side))[0]
        lab[..., 1:] = cv2.resize(ab, image.size, interpolation=cv2.INTER_LINEAR)
        return Image.fromarray(lab_to_rgb(lab))

    @staticmethod
    def grey(photo) -> Image.Image:
        """The photo without its colour (what every colouriser starts from), at the size
        ``colorize`` gives."""
        image, _ = fit_within(open_image(photo, MAX_PHOTO_SIDE), MAX_PHOTO_SIDE)
        return Image.fromarray(grey(np.asarray(image)))


class CycleGAN(Pretrained):
    """Photo <-> painting: CycleGAN's two generators, learnt from unpaired photos and painted
    photos, or (``"painting_pix2pix"``) the paired upper bound, photo -> painting only."""

    DEMO = DEMO
    DEFAULT_NAME = DEFAULT_PAINTER

    @classmethod
    def available(cls, checkpoint=None) -> dict[str, Path]:
        found = super().available(checkpoint)
        return {name: path for name, path in found.items() if is_painting_checkpoint(path)}

    @classmethod
    def load(cls, path):
        loaded = super().load(path)
        if not is_painter(loaded.model):
            kind = "Colorizer" if is_colouriser(loaded.model) else "Pix2Pix"
            raise CheckpointError(f"{Path(path).name} does not paint photos: load it with {kind}")
        return loaded

    @property
    def directions(self) -> tuple[str, ...]:
        """``"to_painting"``, and ``"to_photo"`` for CycleGAN (the paired model learnt one way)."""
        return (TO_PAINTING, TO_PHOTO) if is_cyclegan(self.model) else (TO_PAINTING,)

    def _generator(self, direction: str):
        if direction not in (TO_PAINTING, TO_PHOTO):
            raise InputError(f"The direction must be {TO_PAINTING} or {TO_PHOTO}.")
        if direction not in self.directions:
            raise InputError(f"The {self.name} model paints photos; it cannot make photos back.")
        if not is_cyclegan(self.model):
            return self.model
        to_painting, to_photo = generators(self.model)
        return to_painting if direction == TO_PAINTING else to_photo

    def _trace(self) -> None:
        for direction in self.directions:
            translated(
                self._generator(direction), np.zeros((1, TRAIN_SIDE, TRAIN_SIDE, 3), np.uint8)
            )

    @staticmethod
    def centre_square(picture, side: int = TRAIN_SIDE) -> Image.Image:
        """A picture's centre square, scaled to ``side`` x ``side`` (128, as trained, or 256):
        what the generators read."""
        if isinstance(side, bool) or side not in PAINTING_SIDES:
            sides = ", ".join(map(str, PAINTING_SIDES))
            raise InputError(f"The picture size must be one of {sides} pixels.")
        return Image.fromarray(centre_square(open_image(picture, MAX_PHOTO_SIDE), int(side)))

    def translate(self, image, direction: str = TO_PAINTING, side: int = TRAIN_SIDE) -> Image.Image:
        """A picture (path, PIL image or array) -> its centre square, ``side`` x ``side`` (128,
        as trained, or 256), as a painting (``"to_painting"``) or a photo (``"to_photo"``)."""
        generator = self._generator(direction)
        square = np.asarray(self.centre_square(image, side))
        return Image.fromarray(translated(generator, square[None])[0])

    def to_painting(self, photo, side: int = TRAIN_SIDE) -> Image.Image:
        return self.translate(photo, TO_PAINTING, side)

    def to_photo(self, painting, side: int = TRAIN_SIDE) -> Image.Image:
        return self.translate(painting, TO_PHOTO, side)
