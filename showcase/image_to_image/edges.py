"""Line drawings: what the pix2pix model reads, from a photo (Canny) or from a person's sketch.

A drawing is a (height, width) uint8 array, dark lines (0) on white (255), the way a person draws
on paper. Photos become drawings through OpenCV's Canny detector (Canny 1986) on a lightly
blurred copy, with its two thresholds set from the photo's median brightness (0.67x and 1.33x the
median), so dark and bright photos give similar amounts of line. The detector draws lines one
pixel wide; training thickens half of them to two pixels (see ``data.py``), so strokes drawn in
the UI, which are thicker, are not foreign to the model.

A sketch from the UI (any image: a drawing canvas with transparency, a scan, a photo of paper) is
turned into the same form by :func:`drawing_from_sketch`: every pixel darker than the paper by
more than a quarter of the range is ink.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from showcase.errors import InputError

PAPER = 255
INK = 0
BLUR_SIGMA = 1.0
LOW_RATIO, HIGH_RATIO = 0.67, 1.33
INK_THRESHOLD = 0.25  # darker than the paper by this share of the range: a line


def canny_drawing(photo: np.ndarray) -> np.ndarray:
    """(height, width, 3) uint8 photo -> its Canny edges as a drawing (dark lines on white)."""
    photo = np.asarray(photo)
    if photo.ndim != 3 or photo.shape[2] != 3 or photo.dtype != np.uint8:
        raise InputError("a photo must be a (height, width, 3) uint8 array")
    grey = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    blurred = cv2.GaussianBlur(grey, (0, 0), BLUR_SIGMA)
    median = float(np.median(blurred))
    low = int(max(0, LOW_RATIO * median))
    high = int(min(255, max(low + 1, HIGH_RATIO * median)))
    edges = cv2.Canny(blurred, low, high, L2gradient=True)
    return np.where(edges > 0, INK, PAPER).astype(np.uint8)


def drawing_from_sketch(sketch) -> np.ndarray:
    """A sketch (PIL image or array, any mode; transparency counts as paper) -> a drawing."""
    if isinstance(sketch, Image.Image):
        image = sketch
    else:
        array = np.asarray(sketch)
        if array.dtype == object or array.ndim not in (2, 3) or min(array.shape[:2]) < 1:
            raise InputError("A sketch must be an image.")
        if not np.issubdtype(array.dtype, np.number) or not np.isfinite(array).all():
            raise InputError("A sketch must hold finite numbers.")
        if array.ndim == 3 and array.shape[2] not in (1, 3, 4):
            raise InputError("A sketch must have 1, 3 or 4 channels.")
        if array.dtype != np.uint8:
            array = np.clip(array, 0, 255).astype(np.uint8)
        if array.ndim == 3 and array.shape[2] == 1:
            array = array[:, :, 0]
        image = Image.fromarray(array)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (PAPER, PAPER, PAPER, 255))
        image = Image.alpha_composite(paper, rgba)
    grey = np.asarray(image.convert("L"), dtype=np.float32)
    return np.where(grey < PAPER * (1 - INK_THRESHOLD), INK, PAPER).astype(np.uint8)


def ink(drawing: np.ndarray) -> np.ndarray:
    """A drawing as the network reads it: (height, width, 1) float32, 1 on lines, -1 on paper."""
    drawing = np.asarray(drawing, dtype=np.float32)
    return (1.0 - drawing / 127.5)[..., None]
