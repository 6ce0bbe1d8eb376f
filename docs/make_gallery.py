"""Regenerate docs/gallery/*: the project's drawn examples (style transfer, digits, episodes).

python docs/make_gallery.py            # everything
python docs/make_gallery.py dcgan      # only the named demo's figures (style_transfer, dcgan,
                                       # rl, image_to_image, colourisation, cyclegan)
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


def style_transfer_figures():
    photo, painting = landscape((384, 256)), swirls((384, 256))
    stylised = StyleTransfer.optimize(photo, painting, size=384, iterations=300)
    coloured = StyleTransfer.optimize(
        photo, painting, size=384, iterations=300, preserve_colour=True
    )
    side_by_side(photo, painting, stylised, coloured).save(
        OUT / "gatys_landscape_swirls.png", optimize=True
    )

    # Every fast style that is installed (shipped, or your own), at 512 px.
    big = landscape((512, 341))
    styles = StyleTransfer.available_styles()
    side_by_side(
        big,
        *(StyleTransfer.load(path).stylize(big) for name, path in styles.items()),
    ).save(OUT / "fast_styles_landscape.png", optimize=True)

    # Video: frames 8-11 of the drawn clip, frame by frame (top) and consistent (bottom).
    from showcase.style_transfer.gatys import GatysSettings
    from showcase.style_transfer.video import stylize_video_gatys, synthetic_clip

    clip = synthetic_clip(16, (192, 144))
    rows = []
    for consistent in (False, True):
        *_, last = stylize_video_gatys(
            clip, painting, GatysSettings(iterations=60), consistent=consistent
        )
        rows.append(np.concatenate(list(last.frames[8:12]), axis=1))
    Image.fromarray(np.concatenate(rows, axis=0)).save(
        OUT / "video_naive_vs_consistent.png", optimize=True
    )


def dcgan_figures():
    """Every digit by row at seed 0, and a walk between two seeds for three digits."""
    from showcase.dcgan import DigitGenerator
    from showcase.dcgan.model import grid

    generator = DigitGenerator.from_pretrained()
    rows = generator.generate(list(np.repeat(np.arange(10), 12)), seed=0)
    walks = np.concatenate([generator.interpolate(3, 8, 12, digit) for digit in (2, 5, 8)])
    for name, images in (("dcgan_digits", rows), ("dcgan_interpolation", walks)):
        picture = Image.fromarray(grid(images, 12))
        picture.resize((picture.width * 2, picture.height * 2), Image.NEAREST).save(
            OUT / f"{name}.png", optimize=True
        )


def rl_figures():
    """Five moments of one greedy episode (seed 0) of each shipped environment agent, a row
    each, all rows 900 px wide."""
    from showcase.rl import Agent

    rows = []
    for name in ("cartpole_dqn", "pendulum_ddpg", "breakout_dqn"):
        frames, _ = Agent.from_pretrained(name).play_episode(seed=0, max_frames=200)
        moments = [frames[index] for index in np.linspace(0, len(frames) - 1, 5).astype(int)]
        row = side_by_side(*(Image.fromarray(frame) for frame in moments))
        rows.append(np.asarray(row.resize((900, round(row.height * 900 / row.width)))))
    Image.fromarray(np.concatenate(rows, axis=0)).save(OUT / "rl_episodes.png", optimize=True)


def image_to_image_figures():
    """Rows of (drawing, pix2pix, L1 only) at 256 px: two drawn landscapes' Canny drawings and a
    sketch drawn with lines (no third-party photos: BSDS500's are not ours to publish)."""
    from PIL import ImageDraw

    from showcase.image_to_image import Pix2Pix
    from showcase.image_to_image.api import drawing_at

    gan, l1_only = Pix2Pix.from_pretrained("pix2pix"), Pix2Pix.from_pretrained("l1_only")
    sketch = Image.new("L", (256, 256), 255)
    pen = ImageDraw.Draw(sketch)
    pen.line((0, 170, 256, 150), fill=0, width=2)  # the horizon
    pen.rectangle((70, 110, 150, 190), outline=0, width=2)  # a house
    pen.polygon([(60, 110), (110, 60), (160, 110)], outline=0, width=2)
    pen.ellipse((190, 30, 230, 70), outline=0, width=2)  # the sun
    drawings = [Pix2Pix.drawing_of_photo(landscape((384, 256), seed)) for seed in (0, 3)]
    drawings.append(drawing_at(sketch))
    rows = []
    for drawing in drawings:
        pictures = [Image.fromarray(drawing).convert("RGB"),
                    gan.translate_drawing(drawing), l1_only.translate_drawing(drawing)]  # fmt: skip
        rows.append(np.asarray(side_by_side(*(p.resize((256, 256)) for p in pictures))))
    Image.fromarray(np.concatenate(rows, axis=0)).save(OUT / "pix2pix_drawings.png", optimize=True)


def colourisation_figures():
    """Rows of (grey, regression, classes, 10 hints, the photo) for three Kodak photos (released
    for unrestricted use), from $SHOWCASE_DATA or ../shared/data."""
    import os

    from showcase.image_to_image import Colorizer
    from showcase.image_to_image.hints import evaluation_points

    data = Path(
        os.environ.get("SHOWCASE_DATA", Path(__file__).resolve().parents[2] / "shared/data")
    )
    models = [Colorizer.from_pretrained(name) for name in
              ("colour_regression", "colour_classes", "colour_hints")]  # fmt: skip
    rows = []
    for number in (3, 5, 23):
        photo = Image.open(data / f"natural_images/Kodak/kodim{number:02d}.png").convert("RGB")
        photo = photo.resize((288, 192), Image.Resampling.LANCZOS)
        # The evaluation's 10 hints (places on a 128 grid), coloured as the photo is there.
        places = [
            (int(x * 288 / 128), int(y * 192 / 128)) for y, x in evaluation_points(number, 10, 128)
        ]
        hints = [(x, y, photo.getpixel((x, y))) for x, y in places]
        pictures = [Colorizer.grey(photo), models[0].colorize(photo), models[1].colorize(photo),
                    models[2].colorize(photo, hints), photo]  # fmt: skip
        rows.append(np.asarray(side_by_side(*pictures)))
    # A JPEG: the photos' texture makes a PNG of this grid 1.3 MB.
    Image.fromarray(np.concatenate(rows, axis=0)).save(OUT / "colourisation_kodak.jpg", quality=85)


def cyclegan_figures():
    """Rows of (photo, its Gatys painting, CycleGAN's painting, paired pix2pix's painting,
    CycleGAN's photo back from the true painting) for three Kodak photos (released for
    unrestricted use; painted here as the held-out photos were), from $SHOWCASE_DATA or
    ../shared/data."""
    import os

    from showcase.image_to_image import CycleGAN
    from showcase.image_to_image.painted import PaintSettings, paint

    data = Path(
        os.environ.get("SHOWCASE_DATA", Path(__file__).resolve().parents[2] / "shared/data")
    )
    cyclegan, paired = CycleGAN.from_pretrained(), CycleGAN.from_pretrained("painting_pix2pix")
    settings = PaintSettings(str(data / "style_transfer/style/starry_night.jpg"))
    rows = []
    for number in (3, 5, 23):
        photo = CycleGAN.centre_square(data / f"natural_images/Kodak/kodim{number:02d}.png")
        painting = Image.fromarray(paint(np.asarray(photo), settings))
        pictures = [photo, painting, cyclegan.to_painting(photo), paired.to_painting(photo),
                    cyclegan.to_photo(painting)]  # fmt: skip
        rows.append(np.asarray(side_by_side(*(p.resize((192, 192)) for p in pictures))))
    Image.fromarray(np.concatenate(rows, axis=0)).save(OUT / "cyclegan_kodak.jpg", quality=85)


FIGURES = {
    "style_transfer": style_transfer_figures,
    "dcgan": dcgan_figures,
    "rl": rl_figures,
    "image_to_image": image_to_image_figures,
    "colourisation": colourisation_figures,
    "cyclegan": cyclegan_figures,
}

if __name__ == "__main__":
    import sys

    OUT.mkdir(exist_ok=True)
    for name in sys.argv[1:] or FIGURES:
        FIGURES[name]()
