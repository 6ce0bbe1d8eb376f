"""The image-to-image UI through its HTTP API: a sketch and a photo, each drawn by both models;
bad input, a message and the server keeps serving."""

import numpy as np
import pytest
from PIL import Image

from tests.support import free_port

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("image_to_image_models")]


@pytest.fixture(scope="module")
def client(tiny_image_to_image_models):
    from gradio_client import Client

    from showcase.apps.hub import launch

    paths, _ = tiny_image_to_image_models
    port = free_port()
    folder = str(paths["pix2pix"].parent)
    blocks = launch(["image_to_image"], port=port, block=False, warmup=False, checkpoint=folder)
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    blocks.close()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, tiny_image_to_image_models):
    from gradio_client import handle_file

    folder = tmp_path_factory.mktemp("i2i_inputs")
    sketch = np.full((256, 256, 4), 0, np.uint8)  # a transparent canvas...
    sketch[40:220, 128, 3] = 255  # ...with one black stroke
    Image.fromarray(sketch, "RGBA").save(folder / "sketch.png")
    Image.new("RGB", (50, 40), (10, 20, 30)).save(folder / "flat.png")
    (folder / "text.png").write_text("not a picture")
    _, held_out = tiny_image_to_image_models
    return {
        "sketch": {"background": None, "layers": [],
                   "composite": handle_file(str(folder / "sketch.png"))},
        "photo": handle_file(str(sorted(held_out.iterdir())[0])),
        "text": handle_file(str(folder / "text.png")),
    }  # fmt: skip


def opened(payload) -> Image.Image:
    return Image.open(payload.get("path") if isinstance(payload, dict) else payload)


def test_a_sketch_is_drawn_by_both_models(client, inputs):
    drawing, gan, l1_only = client.predict(inputs["sketch"], api_name="/image_to_image_sketch")
    seen = np.asarray(opened(drawing).convert("L"))
    assert seen.shape == (256, 256) and seen[:, 120:136].min() < 128 and seen[:, :100].min() > 200
    assert opened(gan).size == opened(l1_only).size == (256, 256)


def test_a_photo_is_redrawn_from_its_canny_drawing(client, inputs):
    drawing, gan, l1_only = client.predict(inputs["photo"], api_name="/image_to_image_photo")
    assert np.asarray(opened(drawing).convert("L")).min() < 128  # it has lines
    assert opened(gan).mode == "RGB" and opened(l1_only).size == (256, 256)


@pytest.mark.parametrize(
    "api_name, payload, message",
    [
        ("/image_to_image_sketch", None, "Draw something"),
        ("/image_to_image_photo", None, "Upload a photo"),
        ("/image_to_image_photo", "text", "not a picture"),
    ],
)
def test_bad_input_gets_a_message_and_the_server_keeps_serving(
    client, inputs, api_name, payload, message
):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(inputs.get(payload), api_name=api_name)
    assert client.predict(inputs["photo"], api_name="/image_to_image_photo")[1]
