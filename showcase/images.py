"""Turn whatever image a person gives into an RGB array the models can use, or a clear message.

Handles any Pillow-readable file, PIL image or array: RGBA (composited on white), grayscale,
palette, CMYK, 16-bit and EXIF-rotated photos; very large images are downscaled with a notice.
:func:`list_images` finds the photos of training and evaluation folders.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from showcase.errors import DataError, InputError

SMALLEST_SIDE = 16
# Above this a picture is refused before it is decoded: 40 megapixels (above 8K) would take
# 120 MB as RGB bytes and several times that as floats. Pillow's own bomb guard is at 179.
MAX_PIXELS = 40_000_000
ORIGINAL_SIZE = "showcase_original_size"  # PIL info key: the file's size before a reduced decode


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


def check_pixels(image: Image.Image) -> None:
    """Refuse a picture with more than MAX_PIXELS pixels (call before decoding it)."""
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise InputError(
            f"This image is {width:,}x{height:,} pixels ({width * height / 1e6:.0f} megapixels); "
            f"the limit is {MAX_PIXELS / 1e6:.0f} megapixels. Scale it down first."
        )


def decode_reduced(image: Image.Image, max_side: int | None) -> Image.Image:
    """Decode a lazily opened picture, at a reduced scale when only ``max_side`` will be used.

    A JPEG is decoded at 1/2, 1/4 or 1/8 scale (``draft``) and any other format halved in whole
    steps (``reduce``) while the longer side stays at least ``max_side``, so a 10,000 px photo
    for a 512 px result never exists in memory at full size as floats. EXIF rotation is kept.
    """
    check_pixels(image)
    original_size = image.size
    if max_side is not None and max(image.size) > max_side:
        # The shorter side stays at least SMALLEST_SIDE: a thin sliver is still a picture.
        if image.format == "JPEG":
            scale = max_side / max(image.size)
            wanted = [max(SMALLEST_SIDE, round(side * scale)) for side in image.size]
            image.draft(image.mode, tuple(wanted))
        image.load()
        factor = min(max(image.size) // max_side, min(image.size) // SMALLEST_SIDE)
        if factor >= 2 and image.mode not in ("P", "1"):
            image = _keep_orientation(image, image.reduce(factor))
    image.load()
    image.info[ORIGINAL_SIZE] = original_size
    return image


def _keep_orientation(original: Image.Image, reduced: Image.Image) -> Image.Image:
    orientation = original.getexif().get(0x0112)
    if orientation:
        reduced.getexif()[0x0112] = orientation
    return reduced


def open_image(source, max_side: int | None = None) -> Image.Image:
    """A path, bytes, PIL image or array -> RGB PIL image; unreadable input -> InputError.

    ``max_side``: the caller will shrink the picture to at most this longer side, so a file is
    decoded at a reduced scale (see ``decode_reduced``); the result may still be larger.
    """
    try:
        if isinstance(source, Image.Image):
            image = source
        elif isinstance(source, np.ndarray):
            array = source
            if array.dtype != np.uint8:
                array = np.clip(array * (255 if array.max() <= 1.0 else 1), 0, 255).astype(np.uint8)
            image = Image.fromarray(array)
        elif isinstance(source, bytes | bytearray):
            image = decode_reduced(Image.open(io.BytesIO(source)), max_side)
        elif isinstance(source, str | Path):
            image = decode_reduced(Image.open(source), max_side)
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
    original_size = image.info.get(ORIGINAL_SIZE, image.size)
    rgb = to_rgb(image)
    if (rgb.width > rgb.height) != (original_size[0] > original_size[1]):
        original_size = original_size[::-1]  # turned upright by its EXIF orientation
    rgb.info[ORIGINAL_SIZE] = tuple(original_size)
    return rgb


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
    original_width, original_height = image.info.get(ORIGINAL_SIZE, image.size)
    notice = (
        f"The image was {original_width}x{original_height}; it was scaled down to "
        f"{size[0]}x{size[1]}."
    )
    return image.resize(size, Image.LANCZOS), notice


IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp"}


def list_images(folders) -> list[str]:
    """Every image file under the given folders (recursively), sorted for reproducibility."""
    if isinstance(folders, str | Path):
        folders = [folders]
    files = []
    for folder in folders:
        folder = Path(folder).expanduser()
        if not folder.is_dir():
            raise DataError(f"{folder} is not a folder of photos")
        files += [str(p) for p in sorted(folder.rglob("*")) if p.suffix.lower() in IMAGE_SUFFIXES]
    if not files:
        raise DataError(f"no .jpg/.png/.bmp photos found under {', '.join(map(str, folders))}")
    return files
