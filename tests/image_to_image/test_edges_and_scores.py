"""Drawings from photos and sketches, and the figures the cards report."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from showcase.errors import InputError
from showcase.image_to_image import scoring
from showcase.image_to_image.api import drawing_at
from showcase.image_to_image.edges import INK, PAPER, canny_drawing, drawing_from_sketch, ink


def square_photo(side=128, colour=(240, 220, 60)):
    image = Image.new("RGB", (side, side), (30, 90, 200))
    ImageDraw.Draw(image).rectangle((40, 40, 88, 88), fill=colour)
    return np.asarray(image)


def test_canny_draws_the_outline_of_a_square_and_nothing_on_a_flat_photo():
    drawing = canny_drawing(square_photo())
    lines = np.argwhere(drawing == INK)
    assert len(lines) > 100
    # Every line pixel lies within 2 pixels of the square's border.
    distance = np.minimum(np.abs(lines - 40), np.abs(lines - 88)).min(axis=1)
    assert distance.max() <= 2
    assert (canny_drawing(np.full((64, 64, 3), 120, np.uint8)) == PAPER).all()


def test_canny_sees_brightness_only():
    # Red on blue of nearly the same brightness (88 and 85 of 255): no line between them.
    assert (canny_drawing(square_photo(colour=(200, 40, 40))) == PAPER).all()


def test_ink_is_one_on_lines_and_minus_one_on_paper():
    drawing = np.array([[INK, PAPER]], np.uint8)
    np.testing.assert_array_equal(ink(drawing)[..., 0], [[1.0, -1.0]])


def test_a_transparent_canvas_is_paper_and_strokes_are_ink():
    canvas = Image.new("RGBA", (40, 40), (0, 0, 0, 0))  # transparent black, as a sketchpad
    ImageDraw.Draw(canvas).line((5, 20, 35, 20), fill=(0, 0, 0, 255), width=2)
    drawing = drawing_from_sketch(canvas)
    assert (drawing[20, 6:34] == INK).all()
    assert (drawing[:15] == PAPER).all()


def test_a_thin_line_survives_shrinking_a_large_sketch():
    canvas = Image.new("L", (1024, 1024), 255)
    ImageDraw.Draw(canvas).line((100, 512, 900, 512), fill=0, width=1)
    drawing = drawing_at(canvas, 128)
    assert drawing.shape == (128, 128)
    assert (drawing == INK).sum() >= 90


def test_a_wide_sketch_is_fitted_inside_the_square_with_paper_around():
    canvas = Image.new("L", (400, 100), 0)  # all ink
    drawing = drawing_at(canvas, 128)
    assert (drawing[:40] == PAPER).all() and (drawing[60:70] == INK).all()


@pytest.mark.parametrize(
    "sketch",
    [
        np.zeros((4, 4, 5), np.uint8),
        np.full((4, 4), np.nan),
        np.array([[object()]]),
        np.zeros((0, 4), np.uint8),
        np.array(["ab"]),
    ],
    ids=["five-channels", "nan", "objects", "empty", "text"],
)
def test_what_is_not_a_sketch_is_refused_with_a_message(sketch):
    with pytest.raises(InputError):
        drawing_at(sketch)


@pytest.mark.parametrize("side", [0, 100, 512, True, "128"])
def test_only_the_sizes_the_unet_can_draw_are_accepted(side):
    with pytest.raises(InputError, match="size"):
        drawing_at(np.zeros((8, 8), np.uint8), side)


def test_grey_has_no_colourfulness_and_saturated_colour_has_much():
    grey = np.repeat(np.linspace(0, 255, 64, dtype=np.uint8)[None, :, None], 3, axis=2)
    assert scoring.colourfulness(grey) == pytest.approx(0.0)
    assert scoring.colourfulness(square_photo()) > 50


def test_blur_lowers_sharpness():
    photo = Image.fromarray(square_photo())
    blurred = np.asarray(photo.filter(ImageFilter.GaussianBlur(3)))
    assert scoring.sharpness(blurred) < scoring.sharpness(np.asarray(photo)) / 2


def test_a_photo_agrees_with_its_own_drawing_and_not_with_a_blank_one():
    photo = square_photo()
    assert scoring.edge_f1(photo, canny_drawing(photo)) == pytest.approx(1.0)
    assert scoring.edge_f1(np.full_like(photo, 128), canny_drawing(photo)) == 0.0


def test_scores_rank_a_close_copy_above_a_far_one():
    photos = np.stack([square_photo(), square_photo(colour=(40, 200, 40))])
    drawings = np.stack([canny_drawing(photo) for photo in photos])
    noise = np.random.default_rng(0).integers(-3, 4, photos.shape)
    close = np.clip(photos + noise, 0, 255).astype(np.uint8)
    far = np.full_like(photos, 128)
    near, away = scoring.scores(close, photos, drawings), scoring.scores(far, photos, drawings)
    assert near["psnr"] > away["psnr"] + 10 and near["ssim"] > away["ssim"]
    assert near["l1"] < away["l1"] and near["edge_f1"] > away["edge_f1"]
