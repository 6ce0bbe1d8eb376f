"""The style-transfer UI through its HTTP API: progress streams, bad input gets a message."""

import pytest
from PIL import Image

from conftest import free_port
from showcase.style_transfer.samples import landscape, swirls

pytestmark = pytest.mark.slow

NETWORK = "SqueezeNet v1.1 (fast, default)"


@pytest.fixture(scope="module")
def client():
    from gradio_client import Client

    from showcase.apps.hub import launch

    port = free_port()
    blocks = launch(["style_transfer"], port=port, block=False, warmup=False)
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    blocks.close()


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pictures")
    landscape((128, 86)).save(folder / "photo.png")
    swirls((128, 86)).save(folder / "painting.png")
    Image.new("RGBA", (80, 60), (200, 30, 30, 120)).save(folder / "rgba.png")
    (folder / "corrupt.png").write_bytes(b"\x89PNG broken")
    return folder


def run(client, content, style, iterations=40, size=128):
    from gradio_client import handle_file

    job = client.submit(
        handle_file(str(content)),
        handle_file(str(style)),
        None,
        0.5,
        NETWORK,
        size,
        iterations,
        1.0,
        5.0,
        False,
        api_name="/style_transfer_gatys",
    )
    return job.result(), job.outputs()


def test_gatys_streams_progress_and_returns_a_picture(client, pictures):
    (image, status), updates = run(client, pictures / "photo.png", pictures / "painting.png")
    assert len(updates) >= 2, "intermediate pictures should stream"
    assert Image.open(image).size == (128, 86)
    assert "Loss network:" in status and "Step 40/40" in status


def test_rgba_uploads_are_accepted(client, pictures):
    (image, _), _ = run(client, pictures / "rgba.png", pictures / "painting.png", iterations=20)
    assert Image.open(image).mode == "RGB"


def test_missing_and_corrupt_images_get_messages(client, pictures):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="Upload a photo"):
        client.predict(
            None,
            handle_file(str(pictures / "painting.png")),
            None,
            0.5,
            NETWORK,
            128,
            20,
            1.0,
            5.0,
            False,
            api_name="/style_transfer_gatys",
        )
    with pytest.raises(Exception) as raised:
        run(client, pictures / "corrupt.png", pictures / "painting.png")
    assert "Traceback" not in str(raised.value)
    (image, _), _ = run(client, pictures / "photo.png", pictures / "painting.png", iterations=20)
    assert Image.open(image).size == (128, 86)
