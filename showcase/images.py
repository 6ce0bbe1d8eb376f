"""Turn whatever image a person gives into an RGB array the models can use, or a clear message.

Handles any Pillow-readable file, PIL image or array: RGBA (composited on white), grayscale,
palette, CMYK, 16-bit and EXIF-rotated photos; very large images are downscaled with a notice.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from showcase.errors import InputError

# Pillow refuses images above ~179 megapixels as possible decompression bombs; keep that guard.
SMALLEST_SIDE = 16


def _flatten_alpha(image: Image.Image) -> Image.Image:
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode -> 8-bit RGB, honouring EXIF orientation and transparency."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16/32-bit grayscale: rescale the used range to 8 bits instead of clipping at 255.
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) / (high - low) * 255 if high > low else np.zeros_like(values)
        image = Image.fromarray(scaled.astype(np.uint8), "L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA"):
        return _flatten_alpha(image.convert("RGBA"))
    return image.convert("RGB")


def open_image(source) -> Image.Image:
    """A path, bytes, PIL image or array -> RGB PIL image; unreadable input -> InputError."""
    try:
        if isinstance(source, Image.Image):
            image = source
        elif isinstance(source, np.ndarray):
            array = source
            if array.dtype != np.uint8:
                array = np.clip(array * (255 if array.max() <= 1.0 else 1), 0, 255).astype(np.uint8)
            image = Image.fromarray(array)
        elif isinstance(source, bytes | bytearray):
            image = Image.open(io.BytesIO(source))
        elif isinstance(source, str | Path):
            image = Image.open(source)
        elif source is None:
            raise InputError("No image given: upload one first.")
        else:
            raise InputError(f"cannot read an image from a {type(source).__name__}")
        image.load()
    except InputError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, TypeError) as err:
        raise InputError(
            f"This file could not be read as an image ({type(err).__name__})."
        ) from None
    except Image.DecompressionBombError:
        raise InputError("This image is too large to open safely (over 179 megapixels).") from None
    return to_rgb(image)


def fit_within(image: Image.Image, max_side: int) -> tuple[Image.Image, str]:
    """Downscale so the longer side is at most ``max_side``; returns (image, notice)."""
    width, height = image.size
    if min(width, height) < SMALLEST_SIDE:
        raise InputError(
            f"This image is {width}x{height} pixels; "
            f"it needs at least {SMALLEST_SIDE} on each side."
        )
    longest = max(width, height)
    if longest <= max_side:
        return image, ""
    scale = max_side / longest
    size = (max(SMALLEST_SIDE, round(width * scale)), max(SMALLEST_SIDE, round(height * scale)))
    notice = f"The image was {width}x{height}; it was scaled down to {size[0]}x{size[1]}."
    return image.resize(size, Image.LANCZOS), notice
