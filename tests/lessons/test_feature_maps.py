"""The feature-maps lesson: the shipped digit classifier, its layers, and the MNIST-style input."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from showcase.errors import InputError
from showcase.lessons import feature_maps


def sketch(shape: str, width: int = 6, size: int = 400) -> Image.Image:
    """Black strokes on a transparent canvas, as a sketchpad sends them."""
    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    ink = (0, 0, 0, 255)
    if shape == "0":
        draw.ellipse((140, 60, 260, 340), outline=ink, width=width)
    elif shape == "1":
        draw.line((200, 60, 195, 340), fill=ink, width=width)
    elif shape == "7":
        draw.line((120, 70, 280, 70, 170, 340), fill=ink, width=width)
    return canvas


def on_white(picture: Image.Image) -> Image.Image:
    white = Image.new("RGBA", picture.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, picture).convert("RGB")


@pytest.mark.parametrize("seed", [0, 1])
def test_the_dcgan_example_digits_are_recognised(seed):
    predictions = [
        feature_maps.compute(feature_maps.example_digit(digit, seed)).predicted
        for digit in range(10)
    ]
    wrong = {d: p for d, p in enumerate(predictions) if p != d}
    # Measured: seed 0 reads the 9 as a 7; seed 1 gets all ten.
    assert len(wrong) <= 2, f"misread digits (true: predicted): {wrong}"


def test_example_digits_look_like_mnist():
    digit = feature_maps.example_digit(4, seed=3)
    assert digit.shape == (28, 28) and digit.dtype == np.uint8
    border = np.concatenate([digit[0], digit[-1], digit[:, 0], digit[:, -1]])
    assert border.mean() < 30 and digit.max() > 200  # white on black


def test_activations_have_the_layers_shapes_and_are_the_strongest_maps():
    result = feature_maps.compute(feature_maps.example_digit(5), max_maps=64)
    expected = {
        "conv1a": (28, 28, 32),
        "conv1b": (28, 28, 32),
        "pool1": (14, 14, 32),
        "conv2a": (14, 14, 64),
        "conv2b": (14, 14, 64),
        "pool2": (7, 7, 64),
    }
    assert result.layer_names == tuple(expected)
    assert result.layer_shapes == expected
    assert {name: maps.shape for name, maps in result.activations.items()} == expected
    assert result.receptive_fields == {
        "conv1a": 3, "conv1b": 5, "pool1": 6, "conv2a": 10, "conv2b": 14, "pool2": 16
    }  # fmt: skip

    few = feature_maps.compute(feature_maps.example_digit(5), max_maps=5)
    outputs = feature_maps.feature_extractor()(few.digit[None, :, :, None], training=False)
    for name, full in zip(feature_maps.MAP_LAYERS, outputs, strict=False):
        full = np.asarray(full)[0]
        assert few.activations[name].shape == full.shape[:2] + (5,)
        np.testing.assert_allclose(few.activations[name], full[:, :, few.channels[name]])
        means = full.mean(axis=(0, 1))
        assert np.all(np.diff(few.strengths[name]) <= 0)
        assert few.strengths[name][0] == pytest.approx(means.max(), rel=1e-6)
        assert few.strengths[name][-1] >= np.sort(means)[-5] - 1e-6
    # A 2x2 max-pooling is the maximum of its four inputs.
    conv, pooled = np.asarray(outputs[1])[0], np.asarray(outputs[2])[0]
    np.testing.assert_allclose(pooled, conv.reshape(14, 2, 14, 2, 32).max(axis=(1, 3)))


def test_probabilities_are_a_distribution_and_the_prediction_is_their_argmax():
    result = feature_maps.compute()
    assert result.probabilities.shape == (10,)
    assert result.probabilities.sum() == pytest.approx(1.0, abs=1e-9)
    assert np.all(result.probabilities >= 0)
    assert result.predicted == int(np.argmax(result.probabilities))
    assert result.predicted == feature_maps.DEFAULT_DIGIT


def test_dark_on_white_and_light_on_black_give_the_same_input():
    dark_on_white = on_white(sketch("7", width=24))
    light_on_black = ImageOps.invert(dark_on_white)
    reference = feature_maps.to_mnist_format(dark_on_white)
    np.testing.assert_allclose(feature_maps.to_mnist_format(light_on_black), reference, atol=1e-5)
    # The same digit as a transparent sketch, a grey PIL image, a 16-bit image and a float array.
    same = [
        sketch("7", width=24),
        dark_on_white.convert("L"),
        Image.fromarray(np.asarray(dark_on_white.convert("L")).astype(np.uint16) * 257),
        np.asarray(dark_on_white, dtype=np.float64) / 255.0,
    ]
    for picture in same:
        np.testing.assert_allclose(feature_maps.to_mnist_format(picture), reference, atol=2e-3)


@pytest.mark.parametrize(
    "mode", ["1", "L", "P", "RGBA", "LA", "La", "PA", "I", "F", "I;16", "CMYK", "YCbCr"]
)
def test_every_pil_mode_gives_the_same_input(mode):
    dark_on_white = on_white(sketch("7", width=24))
    reference = feature_maps.to_mnist_format(dark_on_white)
    np.testing.assert_allclose(
        feature_maps.to_mnist_format(dark_on_white.convert(mode)), reference, atol=1e-4
    )


def test_light_strokes_on_a_transparent_canvas_and_grey_paper_are_read():
    reference = feature_maps.to_mnist_format(on_white(sketch("7", width=24)))
    white_strokes = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    ImageDraw.Draw(white_strokes).line((120, 70, 280, 70, 170, 340), fill="white", width=24)
    np.testing.assert_allclose(feature_maps.to_mnist_format(white_strokes), reference, atol=1e-4)
    paper = Image.new("L", (400, 400), 200)
    ImageDraw.Draw(paper).line((120, 70, 280, 70, 170, 340), fill=60, width=24)
    np.testing.assert_allclose(feature_maps.to_mnist_format(paper), reference, atol=1e-4)


def test_the_input_is_in_mnist_format():
    digit = feature_maps.to_mnist_format(on_white(sketch("0", width=10)))
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.min() == pytest.approx(-1.0) and digit.max() == pytest.approx(1.0)
    ink = (digit + 1) / 2
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    assert rows[-1] - rows[0] + 1 <= 21 and columns[-1] - columns[0] + 1 <= 21
    assert max(rows[-1] - rows[0], columns[-1] - columns[0]) + 1 >= 19  # fitted, not shrunk
    centre = [(ink.sum(axis=axis) * np.arange(28)).sum() / ink.sum() for axis in (1, 0)]
    np.testing.assert_allclose(centre, [13.5, 13.5], atol=1.0)


@pytest.mark.parametrize("width", [3, 30])
def test_thin_and_thick_sketches_are_recognised(width):
    for shape in ("0", "1", "7"):
        assert feature_maps.compute(sketch(shape, width=width)).predicted == int(shape)


@pytest.mark.parametrize(
    "blank",
    [
        Image.new("RGB", (200, 200), "white"),
        Image.new("L", (64, 64), 0),
        Image.new("RGBA", (300, 300), (0, 0, 0, 0)),
        np.full((28, 28), 0.5),
        np.zeros((50, 60, 4), np.uint8),
    ],
)
def test_a_blank_picture_is_refused(blank):
    with pytest.raises(InputError, match="Draw or upload a digit first"):
        feature_maps.compute(blank)


@pytest.mark.parametrize(
    "image",
    ["a digit", [[0, 1], [1, 0]], np.zeros((28, 28, 5)), np.full((28, 28), np.nan), np.zeros(28)],
)
def test_unusable_pictures_are_refused(image):
    with pytest.raises(InputError):
        feature_maps.compute(image)


@pytest.mark.parametrize("max_maps", [0, 65, -3, 2.5, "16", None, True])
def test_bad_map_counts_are_refused(max_maps):
    with pytest.raises(InputError, match="number of maps"):
        feature_maps.compute(max_maps=max_maps)


def test_a_slider_float_is_accepted():
    assert feature_maps.compute(max_maps=4.0).activations["pool2"].shape == (7, 7, 4)


def test_the_networks_are_loaded_once_even_from_many_threads():
    found = []
    threads = [
        threading.Thread(target=lambda: found.append(feature_maps.feature_extractor()))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(model) for model in found}) == 1
    assert feature_maps.classifier() is feature_maps.classifier()


def test_figure_and_summary():
    from matplotlib.figure import Figure

    result = feature_maps.compute(max_maps=8)
    fig = feature_maps.figure(result)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2 + len(feature_maps.MAP_LAYERS)
    assert "Predicted 3" in feature_maps.summary(result)
    assert feature_maps.TITLE and len(feature_maps.EXPLANATION) > 200
