"""Every lesson through the UI's HTTP API: a figure and its numbers for good settings, a message
for bad ones, and the server still answering afterwards."""

import time

import numpy as np
import pytest
from PIL import Image

from tests.support import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client():
    from gradio_client import Client

    from showcase.apps.hub import launch

    port = free_port()
    blocks = launch(["lessons"], port=port, block=False, warmup=False)
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    blocks.close()


def is_plot(value) -> bool:
    return bool(value) and value.get("type") == "matplotlib" and bool(value.get("plot"))


@pytest.mark.parametrize(
    "api_name, inputs, expected",
    [
        ("/lessons_running_mean", (0.9, 200, 100, 1.0, 0), "max difference"),
        ("/lessons_overfitting", (4, 7, 20.0, 0), "held-out"),
        ("/lessons_dropout", (12, 0.5, 300, 20.0, 0), "dropout"),
        ("/lessons_vanishing_gradient", (6, 16, 5, 0), "1/4"),
        ("/lessons_convolution", (None, "slide edge", "", "gaussian blur"), "5x5"),
        ("/lessons_memory", (12, 0), "LSTM"),
    ],
)
def test_each_lesson_answers_with_a_figure_and_its_numbers(client, api_name, inputs, expected):
    started = time.perf_counter()
    figure, numbers = client.predict(*inputs, api_name=api_name)
    assert is_plot(figure)
    assert expected.lower() in numbers.lower()
    # A budget for a busy test machine; `showcase bench lessons` measures the real figure.
    assert time.perf_counter() - started < 30


def test_the_running_mean_streams_a_growing_stream(client):
    job = client.submit(0.8, 40, 20, 1.0, 0, api_name="/lessons_running_mean_stream")
    frames = list(job)
    assert len(frames) == 8 and all(is_plot(figure) for figure, _ in frames)


def test_a_drawn_digit_and_an_example_digit_show_feature_maps(client, tmp_path):
    from gradio_client import handle_file

    picture, figure, numbers = client.predict("7", 1, 16, api_name="/lessons_feature_maps_example")
    assert is_plot(figure) and "7" in numbers
    # A dark digit on a white canvas, the way a sketchpad sends it.
    canvas = np.full((280, 280), 255, np.uint8)
    canvas[60:220, 130:150] = 0
    path = tmp_path / "one.png"
    Image.fromarray(canvas).save(path)
    sketch = {"background": None, "layers": [], "composite": handle_file(str(path))}
    figure, numbers = client.predict(sketch, 16, api_name="/lessons_feature_maps")
    assert is_plot(figure) and "Predicted 1" in numbers


@pytest.mark.parametrize(
    "api_name, inputs, message",
    [
        ("/lessons_running_mean", (1.5, 200, 100, 1.0, 0), "maximum"),
        ("/lessons_convolution", (None, "custom", "1 2 three", "gaussian blur"), "number"),
        ("/lessons_convolution", (None, "custom", "1 2 3", "gaussian blur"), "9"),
        ("/lessons_memory", (0, 0), "minimum"),
        ("/lessons_feature_maps", (None, 16), "Draw or upload a digit"),
        ("/lessons_feature_maps_example", ("eleven", 0, 16), "choices"),
    ],
)
def test_bad_settings_get_a_message_and_the_server_keeps_serving(client, api_name, inputs, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(*inputs, api_name=api_name)
    figure, _ = client.predict(0.5, 20, 10, 0.5, 0, api_name="/lessons_running_mean")
    assert is_plot(figure)
