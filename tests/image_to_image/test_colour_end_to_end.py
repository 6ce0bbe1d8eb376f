"""Tiny colourisers trained through the real trainer, evaluated again, and used through the API:
sizes, hints, and the errors a user sees."""

from __future__ import annotations

import numpy as np
import pytest

from showcase.errors import CheckpointError, InputError, ShowcaseError
from showcase.image_to_image import Colorizer, Pix2Pix
from showcase.image_to_image.api import hints_from_text, hints_text
from showcase.image_to_image.colour_model import COLOUR_MODELS
from showcase.image_to_image.evaluate import HINT_COUNTS, describe, evaluate
from showcase.image_to_image.presets import ImageToImageTrainConfig
from showcase.image_to_image.train import train
from tests.support import card_of

pytestmark = pytest.mark.xdist_group("image_to_image_models")


@pytest.fixture(scope="module")
def trained(tiny_image_to_image_models):
    paths, held_out, _ = tiny_image_to_image_models
    return paths, held_out


def test_each_colouriser_card_is_reproduced_by_evaluate(trained):
    paths, held_out = trained
    for name in COLOUR_MODELS:
        metric = card_of(paths[name])["metric"]
        assert {"psnr", "ssim", "colourfulness", "grey_psnr", "photos"} <= set(metric)
        assert ("psnr_by_hints" in metric) == (name == "colour_hints")
        row = evaluate(checkpoint=str(paths[name]), data=str(held_out))
        assert row["name"] == name and row["value"] == row["card_value"] == metric["psnr"]
        assert row["colourfulness"] == metric["colourfulness"]
        assert "grey photo" in describe(row)[0]
    curve = card_of(paths["colour_hints"])["metric"]["psnr_by_hints"]
    assert list(curve) == [str(count) for count in HINT_COUNTS]
    assert card_of(paths["colour_classes"])["dataset"]["classes"].startswith("262 ab classes")


def test_the_two_kinds_of_model_are_told_apart(trained):
    paths, _ = trained
    folder = str(paths["pix2pix"].parent)
    assert set(Colorizer.available(folder)) == set(COLOUR_MODELS)
    assert set(Pix2Pix.available(folder)) == {"pix2pix", "l1_only"}
    with pytest.raises(CheckpointError, match="Colorizer"):
        Pix2Pix.load(paths["colour_classes"])
    with pytest.raises(CheckpointError, match="not a colouriser"):
        Colorizer.load(paths["pix2pix"])


def test_colorize_keeps_the_photo_its_size_and_its_lightness(trained):
    paths, held_out = trained
    model = Colorizer.from_pretrained("colour_classes", checkpoint=str(paths["colour_classes"]))
    photo = sorted(held_out.iterdir())[0]
    coloured = model.colorize(photo)
    assert coloured.size == (200, 150) and coloured.mode == "RGB"
    assert model.colorize(photo, side=256).size == (200, 150)
    grey = np.asarray(Colorizer.grey(photo).convert("L"), float)
    assert np.abs(np.asarray(coloured.convert("L"), float) - grey).mean() < 12
    big = np.zeros((3000, 1500, 3), np.uint8)
    assert model.colorize(big).size == (512, 1024)  # at most 1024 pixels on a side


def test_hints_colour_the_place_they_are_given(trained):
    paths, held_out = trained
    model = Colorizer.from_pretrained("colour_hints", checkpoint=str(paths["colour_hints"]))
    photo = sorted(held_out.iterdir())[0]
    plain = np.asarray(model.colorize(photo), float)
    hinted = np.asarray(model.colorize(photo, hints=[(100, 75, "#00ff00")]), float)
    changed = np.abs(hinted - plain).sum(-1)
    assert changed[60:90, 85:115].mean() > changed[:, :40].mean()


def test_bad_hints_get_one_clear_message(trained):
    paths, _ = trained
    hinted = Colorizer.from_pretrained("colour_hints", checkpoint=str(paths["colour_hints"]))
    plain = Colorizer.from_pretrained(
        "colour_regression", checkpoint=str(paths["colour_regression"])
    )
    photo = np.zeros((100, 200, 3), np.uint8)
    with pytest.raises(InputError, match="takes no hints"):
        plain.colorize(photo, hints=[(1, 1, "#ffffff")])
    for hints, message in [
        ([(250, 1, "#ffffff")], "outside"),
        ([(float("nan"), 1, "#ffffff")], "numbers"),
        ([(1, 1, "red-ish")], "#rrggbb"),
        ([(1, 1, (300, 0, 0))], "#rrggbb"),
        ([(1, 1)], "Each hint"),
        ("1, 1, #ffffff", "list"),
        ([(1, 1, "#ffffff")] * 65, "At most 64"),
    ]:
        with pytest.raises(InputError, match=message):
            hinted.colorize(photo, hints=hints)


def test_the_hint_box_reads_and_writes_one_hint_a_line():
    hints = hints_from_text("10, 20, #FF0000\n\n 3.5 ,4, rgb(0, 128, 255)\n")
    assert hints == [(10.0, 20.0, "#FF0000"), (3.5, 4.0, "rgb(0, 128, 255)")]
    assert hints_text([(10.0, 20.0, (255, 0, 0))]) == "10, 20, #ff0000"
    assert hints_from_text("  ") == []
    for text in ("10, 20", "a, b, #ffffff", "1, 2, #fff\n" * 1000):
        with pytest.raises(InputError):
            hints_from_text(text)


def test_a_colouriser_warm_start_must_be_the_same_kind(trained, tmp_path):
    paths, held_out = trained
    config = ImageToImageTrainConfig(
        model="colour_regression", data=str(held_out), held_out=str(held_out), width=4,
        epochs=1, steps_per_epoch=1, batch_size=2, out=str(tmp_path), verbose=0,
        warm_start=str(paths["colour_hints"]),
    )  # fmt: skip
    with pytest.raises(ShowcaseError, match="not a colour_regression"):
        train(config)
