"""Train tiny pix2pix models through the real trainer, reload them through the API, evaluate
them through the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from showcase.errors import CheckpointError, DataError, ShowcaseError
from showcase.image_to_image import Pix2Pix
from showcase.image_to_image.edges import INK
from showcase.image_to_image.evaluate import describe, evaluate
from showcase.image_to_image.presets import ImageToImageTrainConfig
from showcase.image_to_image.train import train
from tests.support import card_of

pytestmark = pytest.mark.xdist_group("image_to_image_models")


@pytest.fixture(scope="module")
def trained(tiny_image_to_image_models):
    paths, held_out, _ = tiny_image_to_image_models
    return paths, held_out


def test_training_writes_a_card_that_evaluate_reproduces(trained):
    paths, held_out = trained
    for name in ("pix2pix", "l1_only"):
        path = paths[name]
        metric = card_of(path)["metric"]
        assert {"l1", "psnr", "ssim", "edge_f1", "colourfulness", "sharpness"} <= set(metric)
        assert metric["photos"]["colourfulness"] > 0
        row = evaluate(checkpoint=str(path), data=str(held_out))
        assert row["name"] == name and row["value"] == row["card_value"] == metric["psnr"]
        assert row["colourfulness"] == metric["colourfulness"]
        assert "edge F1" in describe(row)[0]


def test_only_pix2pix_trains_a_discriminator(trained):
    paths, _ = trained
    logs = {name: card_of(path)["hyperparameters"]["epochs_log"] for name, path in paths.items()}
    assert "d_loss" in logs["pix2pix"][0] and "d_loss" not in logs["l1_only"][0]
    assert card_of(paths["pix2pix"])["hyperparameters"]["steps_run"] == 2


def test_the_cli_evaluates_every_checkpoint_of_a_folder(trained, capsys):
    from showcase.cli import main

    paths, held_out = trained
    folder = str(paths["pix2pix"].parent)
    assert main(["evaluate", "image_to_image", "--checkpoint", folder, "--data", str(held_out),
                 "--json"]) == 0  # fmt: skip
    rows = json.loads(capsys.readouterr().out)["results"]
    assert {row["name"] for row in rows} == set(paths)
    assert all(row["value"] == row["card_value"] for row in rows)


def test_evaluate_names_a_missing_folder_and_an_unknown_model(trained, tmp_path):
    paths, held_out = trained
    with pytest.raises(DataError, match="--data"):
        evaluate(checkpoint=str(paths["pix2pix"]), data=str(tmp_path / "nowhere"))
    with pytest.raises(CheckpointError, match="nonesuch"):
        evaluate(checkpoint=str(paths["pix2pix"].parent), data=str(held_out), model="nonesuch")


def test_the_api_draws_from_a_sketch_and_from_a_photo(trained):
    paths, held_out = trained
    model = Pix2Pix.from_pretrained(checkpoint=str(paths["pix2pix"]))
    sketch = np.full((300, 300), 255, np.uint8)
    sketch[50:250, 150] = 0
    assert model.translate(sketch).size == (128, 128)
    assert model.translate(Image.fromarray(sketch), side=256).size == (256, 256)
    photo = sorted(held_out.iterdir())[0]
    drawing, picture = model.translate_photo(photo)
    assert drawing.shape == (128, 128) and (drawing == INK).any()
    assert picture.size == (128, 128) and picture.mode == "RGB"


def test_a_warm_start_continues_and_adds_up_the_steps(trained, tmp_path):
    paths, held_out = trained
    config = ImageToImageTrainConfig(
        model="l1_only", data=str(held_out), held_out=str(held_out), width=4, epochs=1,
        steps_per_epoch=1, batch_size=2, out=str(tmp_path), verbose=0,
        warm_start=str(paths["l1_only"]),
    )  # fmt: skip
    card = card_of(train(config))
    assert card["hyperparameters"]["steps_run"] == 3
    assert card["hyperparameters"]["warm_start"]["from"] == "l1_only.keras"
    with pytest.raises(ShowcaseError, match="not a pix2pix"):
        train(ImageToImageTrainConfig(**{**config.__dict__, "model": "pix2pix"}))


def test_training_without_photos_says_what_to_pass(tmp_path):
    with pytest.raises(DataError, match="--data"):
        train(ImageToImageTrainConfig(held_out=str(tmp_path)))
    with pytest.raises(DataError, match="--held-out"):
        train(ImageToImageTrainConfig(data=str(tmp_path)))
    with pytest.raises(DataError, match="no .jpg"):
        train(ImageToImageTrainConfig(data=str(tmp_path), held_out=str(tmp_path)))
