"""The reflection padding the image generators share (showcase/padding.py)."""

import keras
import numpy as np

from showcase.padding import ReflectionPadding2D


def test_reflection_padding_mirrors_the_border():
    layer = ReflectionPadding2D(2)
    row = np.arange(5, dtype="float32").reshape(1, 1, 5, 1).repeat(5, axis=1)
    padded = np.asarray(layer(row))[0, 0, :, 0]
    np.testing.assert_array_equal(padded, [2, 1, 0, 1, 2, 3, 4, 3, 2])
    assert layer.compute_output_shape((None, 5, 5, 1)) == (None, 9, 9, 1)


def test_reflection_padding_round_trips_with_safe_mode(tmp_path):
    inputs = keras.Input((6, 6, 3))
    model = keras.Model(inputs, ReflectionPadding2D(3)(inputs))
    path = tmp_path / "padded.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    pictures = np.random.default_rng(0).random((2, 6, 6, 3), dtype="float32")
    np.testing.assert_array_equal(loaded(pictures), model(pictures))
    assert loaded.output.shape == (None, 12, 12, 3)
