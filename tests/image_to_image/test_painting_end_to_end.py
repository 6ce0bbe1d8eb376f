"""Tiny CycleGAN and paired photo -> painting models trained through the real trainer, evaluated
again, and used through the API; domain B's renders and the errors a user sees."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from showcase.errors import CheckpointError, DataError, InputError, ShowcaseError
from showcase.image_to_image import Colorizer, CycleGAN, Pix2Pix
from showcase.image_to_image.evaluate import describe, evaluate
from showcase.image_to_image.painted import MANIFEST, PaintSettings, main, paint_folder
from showcase.image_to_image.painting_data import painted_held_out
from showcase.image_to_image.presets import PAINTING_MODELS, ImageToImageTrainConfig
from showcase.image_to_image.train import train
from tests.support import card_of

pytestmark = pytest.mark.xdist_group("image_to_image_models")


@pytest.fixture(scope="module")
def trained(tiny_image_to_image_models):
    return tiny_image_to_image_models


def test_each_painting_card_is_reproduced_by_evaluate(trained):
    paths, held_out, _ = trained
    for name in PAINTING_MODELS:
        card = card_of(paths[name])
        metric = card["metric"]
        assert {"psnr", "ssim", "l1", "colourfulness", "unchanged", "paintings"} <= set(metric)
        assert ("cycle" in metric and "to_photo" in metric) == (name == "cyclegan")
        assert metric["split"].endswith("2 photos, centre 128 x 128")
        assert "painted after painting.png" in card["dataset"]["paintings"]
        row = evaluate(checkpoint=str(paths[name]), data=str(held_out))
        assert row["name"] == name and row["value"] == row["card_value"] == metric["psnr"]
        assert row["metric"].startswith("PSNR to the held-out photo's true painted version")
        assert row["unchanged"] == metric["unchanged"]
        assert "unchanged" in describe(row)[0]
    cycle = card_of(paths["cyclegan"])["metric"]["cycle"]
    assert set(cycle) == {"photo", "painting"}
    assert "round the cycle" in describe(evaluate(checkpoint=str(paths["cyclegan"])))[1]


def test_the_three_kinds_of_model_are_told_apart(trained):
    paths, _, _ = trained
    folder = str(paths["cyclegan"].parent)
    assert set(CycleGAN.available(folder)) == set(PAINTING_MODELS)
    assert set(Pix2Pix.available(folder)) == {"pix2pix", "l1_only"}
    assert "cyclegan" not in Colorizer.available(folder)
    with pytest.raises(CheckpointError, match="CycleGAN"):
        Pix2Pix.load(paths["cyclegan"])
    with pytest.raises(CheckpointError, match="CycleGAN"):
        Colorizer.load(paths["painting_pix2pix"])
    with pytest.raises(CheckpointError, match="Pix2Pix"):
        CycleGAN.load(paths["pix2pix"])
    with pytest.raises(CheckpointError, match="Colorizer"):
        CycleGAN.load(paths["colour_hints"])


def test_cyclegan_translates_both_ways_and_the_paired_model_one_way(trained):
    paths, held_out, _ = trained
    photo = sorted(held_out.iterdir())[0]  # 200 x 150: its centre square is read
    model = CycleGAN.from_pretrained("cyclegan", checkpoint=str(paths["cyclegan"]))
    assert model.directions == ("to_painting", "to_photo")
    painting = model.translate(photo)
    assert painting.size == (128, 128) and painting.mode == "RGB"
    assert model.to_photo(painting, side=256).size == (256, 256)
    assert model.to_painting(np.asarray(Image.open(photo))).size == (128, 128)
    paired = CycleGAN.from_pretrained(
        "painting_pix2pix", checkpoint=str(paths["painting_pix2pix"])
    )  # fmt: skip
    assert paired.directions == ("to_painting",)
    assert paired.translate(photo).size == (128, 128)
    with pytest.raises(InputError, match="cannot make photos back"):
        paired.to_photo(photo)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda model, photo: model.translate(photo, "sideways"), "direction"),
        (lambda model, photo: model.translate(photo, side=200), "size"),
        (lambda model, photo: model.translate(photo, side=True), "size"),
        (lambda model, photo: model.translate(b"not a picture"), "image"),
        (lambda model, photo: model.translate(None), "No image given"),
        (lambda model, photo: model.to_photo(3), "cannot read an image"),
    ],
)
def test_bad_requests_get_one_line_input_errors(trained, call, message):
    paths, held_out, _ = trained
    model = CycleGAN.from_pretrained("cyclegan", checkpoint=str(paths["cyclegan"]))
    with pytest.raises(InputError, match=message) as error:
        call(model, sorted(held_out.iterdir())[0])
    assert "\n" not in str(error.value)


def test_renders_are_skipped_once_made_and_kept_apart_by_their_settings(trained, tmp_path):
    _, held_out, held_out_paintings = trained
    made = sorted(held_out_paintings.glob("*.png"))
    assert [path.name for path in made] == [f"{p.stem}.png" for p in sorted(held_out.iterdir())]
    manifest = json.loads((held_out_paintings / MANIFEST).read_text())
    assert manifest["side"] == 128 and manifest["count"] == 2 and manifest["iterations"] == 2
    before = [path.stat().st_mtime_ns for path in made]
    settings = PaintSettings(str(tmp_path / "unused.png"), side=128, iterations=2,
                             loss_network="random")  # fmt: skip
    paint_folder(held_out, settings, held_out_paintings, log=lambda line: None)
    assert [path.stat().st_mtime_ns for path in made] == before
    smaller = PaintSettings(settings.painting, side=64, iterations=2, loss_network="random")
    with pytest.raises(ShowcaseError, match="side=128"):
        paint_folder(held_out, smaller, held_out_paintings)
    held = painted_held_out(held_out, held_out_paintings, limit=1)
    assert len(held) == 1 and held.photos.shape == held.paintings.shape == (1, 128, 128, 3)


def test_missing_renders_and_missing_folders_say_what_to_do(trained, tmp_path, capsys):
    paths, held_out, _ = trained
    with pytest.raises(DataError, match="python -m showcase.image_to_image.painted"):
        painted_held_out(held_out, tmp_path)
    assert main(["--photos", str(tmp_path / "none"), "--painting", "x.png",
                 "--out", str(tmp_path / "out")]) == 2  # fmt: skip
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1
    config = ImageToImageTrainConfig(model="cyclegan", data=str(held_out), held_out=str(held_out),
                                     out=str(tmp_path), verbose=0)  # fmt: skip
    with pytest.raises(DataError, match="--paintings"):
        train(config)
