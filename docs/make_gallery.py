"""Regenerate docs/gallery/*.png: the project's drawn examples, before and after Gatys transfer.

python docs/make_gallery.py
"""

from pathlib import Path

import numpy as np
from PIL import Image

from showcase.style_transfer import StyleTransfer
from showcase.style_transfer.samples import landscape, swirls

OUT = Path(__file__).resolve().parent / "gallery"


def side_by_side(*images: Image.Image) -> Image.Image:
    height = min(image.height for image in images)
    resized = [
        image.resize((round(image.width * height / image.height), height)) for image in images
    ]
    return Image.fromarray(np.concatenate([np.asarray(image) for image in resized], axis=1))


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    photo, painting = landscape((384, 256)), swirls((384, 256))
    stylised = StyleTransfer.optimize(photo, painting, size=384, iterations=300)
    coloured = StyleTransfer.optimize(
        photo, painting, size=384, iterations=300, preserve_colour=True
    )
    side_by_side(photo, painting, stylised, coloured).save(
        OUT / "gatys_landscape_swirls.png", optimize=True
    )
