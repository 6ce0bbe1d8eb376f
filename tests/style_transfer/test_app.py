"""The style-transfer UI through its HTTP API: progress streams, bad input gets a message."""

import pytest
from PIL import Image

from showcase.style_transfer.samples import landscape, swirls
from tests.support import free_port, train_tiny_style

pytestmark = pytest.mark.slow

NETWORK = "SqueezeNet v1.1 (fast, default)"


@pytest.fixture(scope="module")
def style_folder(tmp_path_factory):
    """A tiny trained fast style named after a shipped painting, so its label is the painting's."""
    folder = tmp_path_factory.mktemp("fast")
    (folder / "photos").mkdir()
    landscape((64, 48)).save(folder / "photos" / "photo.png")
    swirls((48, 48)).save(folder / "starry_night.png")
    train_tiny_style(
        folder / "starry_night.png", folder / "photos", folder / "checkpoints", batch_size=1
    )
    return folder / "checkpoints"


@pytest.fixture(scope="module")
def client(style_folder):
    from gradio_client import Client

    from showcase.apps.hub import launch

    port = free_port()
    blocks = launch(
        ["style_transfer"], port=port, block=False, warmup=False, checkpoint=str(style_folder)
    )
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    blocks.close()


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pictures")
    landscape((128, 86)).save(folder / "photo.png")
    swirls((128, 86)).save(folder / "painting.png")
    landscape((300, 200)).save(folder / "big.png")
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


def test_a_fast_style_answers_with_a_picture_and_its_timing(client, pictures):
    from gradio_client import handle_file

    image, status = client.predict(
        handle_file(str(pictures / "photo.png")),
        "starry_night",
        512,
        api_name="/style_transfer_fast",
    )
    assert Image.open(image).size == (128, 86)
    assert "The Starry Night — Vincent van Gogh, 1889" in status and " ms" in status


def test_the_gallery_shows_every_style(client, pictures):
    from gradio_client import handle_file

    gallery = client.predict(
        handle_file(str(pictures / "rgba.png")), 256, api_name="/style_transfer_fast_gallery"
    )
    assert len(gallery) == 1 and "Starry Night" in gallery[0]["caption"]


def test_fast_styles_refuse_bad_input_with_a_message(client, pictures):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="Upload a photo"):
        client.predict(None, "starry_night", 512, api_name="/style_transfer_fast")
    with pytest.raises(Exception) as raised:
        client.predict(
            handle_file(str(pictures / "corrupt.png")),
            "starry_night",
            512,
            api_name="/style_transfer_fast",
        )
    assert "Traceback" not in str(raised.value)
    image, _ = client.predict(
        handle_file(str(pictures / "big.png")),
        "starry_night",
        128,
        api_name="/style_transfer_fast",
    )
    assert Image.open(image).size == (128, 85)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    from showcase.style_transfer.video import synthetic_clip, write_clip

    folder = tmp_path_factory.mktemp("clips")
    write_clip(synthetic_clip(4, (64, 48)), folder / "clip.mp4", fps=4)
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 not really a video")
    return folder


def run_video(client, clip_path, method="Fast style", painting=None, consistent=True, frames=4):
    from gradio_client import handle_file

    job = client.submit(
        handle_file(str(clip_path)),
        method,
        "starry_night",
        handle_file(str(painting)) if painting else None,
        consistent,
        frames,
        64,
        10,
        api_name="/style_transfer_video",
    )
    return job.result(), job.outputs()


def test_a_clip_comes_back_stylised_with_its_flicker(client, clip, pictures):
    (video, _, status), updates = run_video(client, clip / "clip.mp4", frames=3)
    assert len(updates) >= 3, "every frame should be shown as it is done"
    assert "3 frames of 64x48 px" in status and "Flicker" in status
    from showcase.style_transfer.video import read_clip

    path = video if isinstance(video, str) else video["video"]
    assert read_clip(path).frames.shape == (3, 48, 64, 3)
    (_, _, status), _ = run_video(
        client, clip / "clip.mp4", "Optimise (Gatys)", pictures / "painting.png", frames=2
    )
    assert "Gatys optimisation, 10 steps per frame" in status and "2 frames" in status


def test_bad_clips_get_messages_and_the_server_keeps_serving(client, clip):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as raised:
        run_video(client, clip / "broken.mp4")
    assert "Traceback" not in str(raised.value) and "video" in str(raised.value)
    with pytest.raises(AppError, match="painting"):
        run_video(client, clip / "clip.mp4", "Optimise (Gatys)")
    (_, _, status), _ = run_video(client, clip / "clip.mp4", frames=2)
    assert "2 frames" in status
