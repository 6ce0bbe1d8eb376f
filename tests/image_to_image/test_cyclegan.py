"""CycleGAN's parts: the ResNet generator, reflection padding, the unconditional PatchGAN, the
image pool, the losses falling over a few steps, and the saved pair of generators."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from showcase.image_to_image import cyclegan
from tests.image_to_image.test_model import without_normalisation

WIDTH = 4  # the shipped model uses 32; the structure is the same
BLOCKS = 2  # residual blocks where the test is not about them (the shipped model has 6)


def pictures(count=2, side=32, seed=0):
    rng = np.random.default_rng(seed)
    return np.tanh(rng.normal(size=(count, side, side, 3))).astype("float32")


@pytest.mark.parametrize("side", [32, 64, 128, 92])
def test_the_generator_keeps_the_picture_size_and_range(side):
    made = np.asarray(cyclegan.build_resnet_generator(WIDTH, BLOCKS)(pictures(1, side)))
    assert made.shape == (1, side, side, 3)
    assert np.all(np.abs(made) <= 1.0)


def test_the_generator_has_the_papers_layout():
    generator = cyclegan.build_resnet_generator(WIDTH)
    blocks = [layer for layer in generator.layers if isinstance(layer, keras.layers.Add)]
    assert len(blocks) == cyclegan.RESIDUAL_BLOCKS == 6
    assert generator.get_layer("r1_a").filters == 4 * WIDTH
    assert generator.get_layer("r1").output.shape[-1] == 4 * WIDTH
    # Two halvings: the residual blocks work at a quarter of the side.
    assert generator.get_layer("c7s1").kernel_size == (7, 7)
    assert generator.get_layer("d4k").strides == (2, 2) == generator.get_layer("d2k").strides


def test_each_unconditional_verdict_sees_a_70_pixel_window():
    critic = without_normalisation(cyclegan.build_picture_critic(WIDTH))
    picture = tf.constant(pictures(1, 256))
    assert critic(picture).shape == (1, 30, 30, 1)
    with tf.GradientTape() as tape:
        tape.watch(picture)
        verdict = critic(picture)[0, 15, 15, 0]
    seen = np.abs(np.asarray(tape.gradient(verdict, picture))[0]).sum(axis=-1) > 0
    rows, columns = np.nonzero(seen.any(axis=1))[0], np.nonzero(seen.any(axis=0))[0]
    assert rows.max() - rows.min() + 1 == 70
    assert columns.max() - columns.min() + 1 == 70


def test_the_pool_shows_new_pictures_until_full_then_mixes_in_old_ones():
    pool = cyclegan.ImagePool(4, (2, 2, 3), seed=0)
    batches = [np.full((2, 2, 2, 3), value, "float32") for value in range(1, 31)]
    shown = [np.asarray(pool.swap(batch, 2))[:, 0, 0, 0] for batch in batches]
    np.testing.assert_array_equal(np.concatenate(shown[:2]), [1, 1, 2, 2])  # filling
    later = np.concatenate(shown[2:])
    newest = np.repeat(np.arange(3, 31), 2)
    old = later != newest
    assert 0.3 < old.mean() < 0.7  # half of the time, an older picture
    assert np.all(later[old] < newest[old])
    # What the pool now holds are pictures it was given.
    assert set(np.asarray(pool.pictures)[:, 0, 0, 0]) <= set(range(1, 31))


def _trainer(d_rate=2e-3):
    keras.utils.set_random_seed(0)
    trainer = cyclegan.CycleGANTrainer(
        cyclegan.build_resnet_generator(WIDTH, BLOCKS, cyclegan.PHOTO_TO_PAINTING),
        cyclegan.build_resnet_generator(WIDTH, BLOCKS, cyclegan.PAINTING_TO_PHOTO),
        cyclegan.build_picture_critic(WIDTH, "photo_critic"),
        cyclegan.build_picture_critic(WIDTH, "painting_critic"),
        crop=32,
        batch_size=2,
    )
    trainer.compile(
        g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
        d_optimizer=keras.optimizers.Adam(d_rate, beta_1=0.5),
    )
    return trainer


def _losses(trainer, steps):
    photos, paintings = pictures(2, 32, 0), pictures(2, 32, 1)[..., ::-1] * 0.5
    batch = (tf.constant(photos), tf.constant(paintings))
    rows = []
    for _ in range(steps):
        for tracker in trainer.metrics:
            tracker.reset_state()
        rows.append({key: float(value) for key, value in trainer.train_step(batch).items()})
    return rows


def test_a_few_steps_lower_the_cycle_identity_and_discriminator_losses():
    rows = _losses(_trainer(), 6)
    assert set(rows[0]) == {"g_gan", "f_gan", "cycle", "identity", "d_photo", "d_painting"}
    for key in ("cycle", "identity", "d_photo", "d_painting"):
        assert rows[-1][key] < rows[0][key], key


def test_against_frozen_discriminators_the_generators_lower_their_gan_losses():
    trainer = _trainer(d_rate=0.0)
    trainer.cycle_weight = 0.0  # only the adversarial terms move the generators
    rows = _losses(trainer, 6)
    assert rows[-1]["g_gan"] < rows[0]["g_gan"]
    assert rows[-1]["f_gan"] < rows[0]["f_gan"]


def test_both_generators_round_trip_through_one_keras_file(tmp_path):
    joined = cyclegan.build_cyclegan(WIDTH, BLOCKS)
    path = tmp_path / "cyclegan.keras"
    joined.save(path)
    again = keras.saving.load_model(path, safe_mode=True)
    assert cyclegan.is_cyclegan(again) and cyclegan.is_painter(again)
    batch = pictures(1)
    for before, after in zip(cyclegan.generators(joined), cyclegan.generators(again), strict=True):
        np.testing.assert_allclose(np.asarray(after(batch)), np.asarray(before(batch)), atol=1e-6)
