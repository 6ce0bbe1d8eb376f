"""Captioning through the CLI and the UI's HTTP API: a toy checkpoint trained by `showcase train`,
captions with beams and attention maps, and bad input answered with a message."""

import json

import pytest
from PIL import Image

from tests.support import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def toy_checkpoint(tmp_path_factory):
    from showcase.captioning.train import CaptioningTrainConfig, train

    out = tmp_path_factory.mktemp("captioning")
    return train(
        CaptioningTrainConfig(
            scenes=60,
            validation_scenes=10,
            epochs=1,
            batch_size=16,
            attention=True,
            embedding_dim=8,
            units=8,
            feature_dim=8,
            max_length=16,
            image_size=32,
            jit_compile=False,
            evaluate=False,
            out=str(out),
            verbose=0,
        )
    )


@pytest.fixture(scope="module")
def client(toy_checkpoint):
    from gradio_client import Client

    from showcase.apps.hub import launch

    port = free_port()
    blocks = launch(
        ["captioning"], port=port, block=False, warmup=False, checkpoint=str(toy_checkpoint)
    )
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    blocks.close()


def test_training_writes_a_card(toy_checkpoint):
    card = json.loads(toy_checkpoint.with_name("scenes_attention.card.json").read_text())
    assert card["dataset"]["vocabulary"] == 30 and card["hyperparameters"]["epochs_run"] == 1


def test_a_scene_gets_beams_and_one_attention_map_per_word(client):
    picture, beams, maps, truth = client.predict(
        10_000_003, 3, "scenes_attention", api_name="/captioning_scene"
    )
    assert Image.open(picture if isinstance(picture, str) else picture["path"]).size == (256, 256)
    rows = beams["data"]
    assert 1 <= len(rows) <= 3
    scores = [row[1] for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert len(maps) == len(rows[0][0].split())
    assert truth.startswith("**Truth:**")


def test_an_uploaded_picture_of_any_mode_is_captioned(client, tmp_path):
    from gradio_client import handle_file

    path = tmp_path / "grey.png"
    Image.new("LA", (90, 50), (128, 200)).save(path)
    beams, _ = client.predict(
        handle_file(str(path)), 2, "scenes_attention", api_name="/captioning_caption"
    )
    assert len(beams["data"]) >= 1


@pytest.mark.parametrize(
    ("inputs", "api_name", "message"),
    [
        ((-5, 3, "scenes_attention"), "/captioning_scene", "scene seed must be between"),
        ((None, 3, "scenes_attention"), "/captioning_scene", "Type a scene seed"),
        ((None, 3, "scenes_attention"), "/captioning_caption", "Upload a picture first"),
    ],
)
def test_bad_input_gets_a_message(client, inputs, api_name, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(*inputs, api_name=api_name)
