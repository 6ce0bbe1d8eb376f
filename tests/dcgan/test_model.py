"""The conditional DCGAN's pieces: data reading, shapes, one training step, save/load."""

import gzip

import keras
import numpy as np
import pytest

from showcase.dcgan import data
from showcase.dcgan.model import (
    ConditionalGAN,
    SampleGridCallback,
    build_discriminator,
    build_generator,
    grid,
    to_uint8,
)
from showcase.errors import DataError
from tests.support import shared_dataset, write_mnist_idx


def test_idx_files_read_back_and_split_the_same_way_every_time(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (50, 28, 28))
    labels = np.arange(50) % 10
    write_mnist_idx(tmp_path, images, labels)
    digits = data.read_idx_folder(tmp_path)
    np.testing.assert_array_equal(digits.images, images)
    np.testing.assert_array_equal(digits.labels, labels)
    train, held_out = data.split(digits, held_out=10)
    again, _ = data.split(digits, held_out=10)
    assert len(train) == 40 and len(held_out) == 10
    np.testing.assert_array_equal(train.labels, again.labels)
    assert not set(map(bytes, train.images)) & set(map(bytes, held_out.images))


def test_broken_idx_files_get_a_message(tmp_path):
    with pytest.raises(DataError, match="no MNIST IDX files"):
        data.read_idx_folder(tmp_path)
    (tmp_path / data.IMAGES_FILE).write_bytes(gzip.compress(b"not idx"))
    (tmp_path / data.LABELS_FILE).write_bytes(gzip.compress(b"not idx"))
    with pytest.raises(DataError, match="not an IDX file"):
        data.read_idx_folder(tmp_path)


def test_generator_and_discriminator_shapes():
    generator, discriminator = build_generator(width=8), build_discriminator(width=8)
    noise = np.random.default_rng(1).standard_normal((3, 100)).astype("float32")
    labels = np.array([0, 5, 9], dtype="int32")
    images = np.asarray(generator([noise, labels]))
    assert images.shape == (3, 28, 28, 1)
    assert float(keras.ops.max(keras.ops.abs(images))) <= 1.0
    assert discriminator([images, labels]).shape == (3, 1)
    assert to_uint8(images).shape == (3, 28, 28)
    assert grid(to_uint8(images), 2).shape == (58, 58)


def test_one_train_step_changes_both_networks_and_saves_a_grid(tmp_path):
    keras.utils.set_random_seed(0)
    gan = ConditionalGAN(build_generator(width=8), build_discriminator(width=8))
    gan.compile()
    rng = np.random.default_rng(2)
    images = data.to_unit_range(rng.integers(0, 255, (8, 28, 28)).astype(np.uint8))
    labels = (np.arange(8) % 10).astype("int32")
    before_g = [w.numpy().copy() for w in gan.generator.trainable_weights]
    before_d = [w.numpy().copy() for w in gan.discriminator.trainable_weights]
    history = gan.fit(
        images,
        labels,
        batch_size=8,
        epochs=1,
        verbose=0,
        callbacks=[SampleGridCallback(tmp_path, per_class=2)],
    )
    assert np.isfinite(history.history["d_loss"][0]) and np.isfinite(history.history["g_loss"][0])
    after_g = [w.numpy() for w in gan.generator.trainable_weights]
    after_d = [w.numpy() for w in gan.discriminator.trainable_weights]
    assert any(not np.allclose(a, b) for a, b in zip(before_g, after_g, strict=True))
    assert any(not np.allclose(a, b) for a, b in zip(before_d, after_d, strict=True))
    assert (tmp_path / "epoch_001.png").is_file()


def test_both_networks_round_trip_with_safe_mode(tmp_path):
    generator, discriminator = build_generator(width=8), build_discriminator(width=8)
    noise = np.zeros((2, 100), "float32")
    labels = np.array([1, 2], "int32")
    for model, inputs in (
        (generator, [noise, labels]),
        (discriminator, [np.asarray(generator([noise, labels])), labels]),
    ):
        path = tmp_path / f"{model.name}.keras"
        model.save(path)
        loaded = keras.saving.load_model(path, safe_mode=True)
        np.testing.assert_allclose(model(inputs), loaded(inputs), atol=1e-5)


def test_the_shipped_data_splits_into_8000_and_2000_when_present(shared_data):
    folder = shared_dataset(shared_data, "mnist_t10k")
    train, held_out = data.split(data.read_idx_folder(folder))
    assert (len(train), len(held_out)) == (8000, 2000)
    assert set(np.unique(held_out.labels)) == set(range(10))
