"""Translation through the UI's HTTP API: both outputs and the heatmap for a toy checkpoint, and
bad input answered with a message."""

import pytest
from PIL import Image

from tests.support import free_port

# With the model tests: one worker trains the shared toy translator once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("translation_models")]


@pytest.fixture(scope="module")
def client(tiny_translator_path):
    from gradio_client import Client

    from showcase.apps.hub import launch

    port = free_port()
    blocks = launch(
        ["translation"], port=port, block=False, warmup=False, checkpoint=str(tiny_translator_path)
    )
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    blocks.close()


def test_a_text_of_two_sentences_is_translated_with_a_heatmap_and_beams(client):
    translation, notices, heatmap, beams = client.predict(
        "The black dog likes a bird. A cat sees the man.",
        "English → French",
        4,
        api_name="/translation_translate",
    )
    assert translation.startswith("Le chien noir aime un oiseau.")
    assert "2 sentences" in notices
    assert Image.open(heatmap).size[0] > 100  # the attention heatmap, as a picture
    assert len(beams["data"]) == 4 and beams["data"][0][0] == "Le chien noir aime un oiseau."


@pytest.mark.parametrize(
    "inputs, message",
    [
        (("", "English → French", 4), "empty"),
        # Gradio's own checks answer these two, with clear messages of their own.
        (("A dog.", "English → French", 0), "must be at least 1"),
        (("A dog.", "English → Klingon", 4), "takes one of its choices"),
        (("A dog.", "English → German", 4), "No English → German model is installed"),
    ],
)
def test_bad_input_gets_a_message(client, inputs, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(*inputs, api_name="/translation_translate")


def test_emoji_and_a_huge_text_get_notices(client):
    translation, notices, _, _ = client.predict(
        "The cat 🙂 sees a dog. " * 500, "English → French", 2, api_name="/translation_translate"
    )
    assert "🙂" in notices and "were used" in notices and translation
