"""The DCGAN UI through its HTTP API: draw, shuffle, reset, interpolate; bad input, a message."""

import pytest
from PIL import Image

from tests.support import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(tiny_dcgan):
    from gradio_client import Client

    from showcase.apps.hub import launch

    port = free_port()
    blocks = launch(["dcgan"], port=port, block=False, warmup=False, checkpoint=str(tiny_dcgan))
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    blocks.close()


def path_of(image) -> str:
    return image["path"] if isinstance(image, dict) else image


def test_draw_returns_the_grid_and_a_png_to_download(client):
    picture, download, notice = client.predict("3", 1.0, 42, 4, 5, api_name="/dcgan_draw")
    # 5 columns of 28 px with 2 px gaps, shown 3x larger.
    assert Image.open(path_of(picture)).size == (3 * (5 * 30 - 2), 3 * (4 * 30 - 2))
    assert Image.open(path_of(download)).format == "PNG"
    assert "20 samples, digit 3, seed 42" in notice
    again = client.predict("3", 1.0, 42, 4, 5, api_name="/dcgan_draw")
    assert Image.open(path_of(again[0])).tobytes() == Image.open(path_of(picture)).tobytes()


def test_shuffle_picks_a_new_seed_and_reset_restores_the_defaults(client):
    seed, picture, _, notice = client.predict("any", 0.5, 2, 2, api_name="/dcgan_shuffle")
    assert isinstance(seed, int | float) and f"seed {int(seed)}" in notice
    assert Image.open(path_of(picture)).size == (3 * 58, 3 * 58)
    digit, strength, seed, rows, columns, picture, _, notice = client.predict(
        api_name="/dcgan_reset"
    )
    assert (digit, strength, seed, rows, columns) == ("any", 1.0, 0, 8, 8)
    assert "64 samples, random digits, seed 0" in notice


def test_interpolation_gives_a_strip_and_a_looping_gif(client):
    strip, gif = client.predict("7", 3, 9, 6, api_name="/dcgan_interpolate")
    assert Image.open(path_of(strip)).size == (3 * (6 * 30 - 2), 3 * 28)
    animation = Image.open(path_of(gif))
    assert animation.format == "GIF" and animation.n_frames == 6 + 4  # there and back


@pytest.mark.parametrize(
    ("inputs", "api_name", "message"),
    [
        (("3", 1.0, -1, 2, 2), "/dcgan_draw", "between 0 and"),
        (("3", 1.0, 2**40, 2, 2), "/dcgan_draw", "between 0 and"),
        (("3", 1.0, None, 2, 2), "/dcgan_draw", "Type a seed"),
        (("7", 3, 2**33, 6), "/dcgan_interpolate", "second seed"),
    ],
)
def test_bad_values_get_a_message_and_the_server_keeps_serving(client, inputs, api_name, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as raised:
        client.predict(*inputs, api_name=api_name)
    assert message in str(raised.value)
    assert client.predict("1", 1.0, 0, 1, 1, api_name="/dcgan_draw")[2]
