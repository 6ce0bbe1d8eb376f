import io

import numpy as np
import pytest
from PIL import Image

from showcase.errors import InputError
from showcase.images import fit_within, open_image


def _png_bytes(image: Image.Image, **save) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=save.pop("format", "PNG"), **save)
    return buffer.getvalue()


@pytest.mark.parametrize("mode", ["RGBA", "LA", "L", "P", "CMYK", "I;16", "1"])
def test_every_mode_becomes_rgb(mode):
    image = Image.new(mode, (20, 10))
    fmt = "JPEG" if mode == "CMYK" else "TIFF" if mode == "I;16" else "PNG"
    opened = open_image(_png_bytes(image, format=fmt))
    assert opened.mode == "RGB" and opened.size == (20, 10)


def test_transparent_pixels_become_white():
    image = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    assert open_image(image).getpixel((0, 0)) == (255, 255, 255)


def test_sixteen_bit_range_is_rescaled_not_clipped():
    array = np.linspace(0, 60000, 64, dtype=np.uint16).reshape(8, 8)
    opened = np.asarray(open_image(Image.fromarray(array)))
    assert opened.max() == 255 and opened.min() == 0


def test_exif_rotation_is_applied():
    image = Image.new("RGB", (30, 10))
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 degrees
    opened = open_image(_png_bytes(image, format="JPEG", exif=exif.tobytes()))
    assert opened.size == (10, 30)


def test_corrupt_and_missing_inputs_get_messages():
    with pytest.raises(InputError, match="could not be read"):
        open_image(b"\x89PNG not really")
    with pytest.raises(InputError, match="upload one"):
        open_image(None)


def test_large_images_are_downscaled_with_a_notice_and_tiny_ones_refused():
    image, notice = fit_within(Image.new("RGB", (8000, 6000)), 1024)
    assert image.size == (1024, 768) and "8000x6000" in notice
    with pytest.raises(InputError, match="1x1"):
        fit_within(Image.new("RGB", (1, 1)), 1024)
