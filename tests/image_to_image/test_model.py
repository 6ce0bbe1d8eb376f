"""The U-Net and the PatchGAN: shapes, skip connections, the 70-pixel receptive field, the
losses falling over a few steps, and the saved generator's round trip."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from showcase.image_to_image import model as networks

WIDTH = 4  # the shipped models use 32; the structure is the same


def drawings(count=2, side=128, seed=0):
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], (count, side, side, 1), p=[0.9, 0.1]).astype("float32")


@pytest.mark.parametrize("side", [128, 256])
def test_the_unet_draws_a_picture_of_the_drawing_size_in_range(side):
    picture = np.asarray(networks.build_unet(WIDTH)(drawings(1, side)))
    assert picture.shape == (1, side, side, 3)
    assert np.all(np.abs(picture) <= 1.0)


def test_the_unet_halves_seven_times_and_joins_every_level_to_the_decoder():
    unet = networks.build_unet(WIDTH)
    bottleneck = unet.get_layer(f"down{networks.DOWNSAMPLINGS}").output
    assert tuple(bottleneck.shape[1:3]) == (None, None)
    assert (
        networks.build_unet(WIDTH)
        .get_layer("down7")(  # 128 / 2**7 = 1
            np.zeros((1, 2, 2, WIDTH * 8), "float32")
        )
        .shape[1:3]
        == (1, 1)
    )
    skips = [layer for layer in unet.layers if isinstance(layer, keras.layers.Concatenate)]
    assert len(skips) == networks.DOWNSAMPLINGS - 1
    for layer in skips:
        up, skip = layer.input
        assert up.shape[-1] == skip.shape[-1]  # the decoder mirrors the encoder's widths


def test_the_skip_connections_carry_the_drawing_past_a_dead_bottleneck():
    unet = networks.build_unet(WIDTH)
    bottleneck = unet.get_layer("down7")
    bottleneck.set_weights([np.zeros_like(w) for w in bottleneck.get_weights()])
    first, second = (np.asarray(unet(drawings(1, seed=seed))) for seed in (1, 2))
    # Through the bottleneck alone, every drawing would give the same picture.
    assert np.abs(first - second).max() > 1e-3


def test_the_patchgan_judges_a_grid_of_patches():
    verdicts = networks.build_patchgan(WIDTH)([drawings(2), np.zeros((2, 128, 128, 3), "float32")])
    assert verdicts.shape == (2, 14, 14, 1)


def without_normalisation(model):
    """The same convolutions with the instance norms made identities: a norm's statistics span
    the whole picture, so only without them does the convolutions' own window show."""

    def clone(layer):
        if isinstance(layer, keras.layers.GroupNormalization):
            return keras.layers.Identity(name=layer.name)
        return layer.__class__.from_config(layer.get_config())

    return keras.models.clone_model(model, clone_function=clone)


def test_each_verdict_sees_a_70_pixel_window():
    critic = without_normalisation(networks.build_patchgan(WIDTH))
    drawing = tf.constant(drawings(1, 256))
    picture = tf.constant(np.random.default_rng(0).uniform(-1, 1, (1, 256, 256, 3)), tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(picture)
        verdict = critic([drawing, picture])[0, 15, 15, 0]  # well inside the 30 x 30 grid
    seen = np.abs(np.asarray(tape.gradient(verdict, picture))[0]).sum(axis=-1) > 0
    rows, columns = np.nonzero(seen.any(axis=1))[0], np.nonzero(seen.any(axis=0))[0]
    assert rows.max() - rows.min() + 1 == 70
    assert columns.max() - columns.min() + 1 == 70


def _trainer(adversarial: bool, d_rate=2e-3):
    keras.utils.set_random_seed(0)
    trainer = networks.Pix2PixTrainer(
        networks.build_unet(WIDTH),
        networks.build_patchgan(WIDTH) if adversarial else None,
        1.0 if adversarial else 0.0,
    )
    trainer.compile(
        g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
        d_optimizer=keras.optimizers.Adam(d_rate, beta_1=0.5) if adversarial else None,
    )
    return trainer


def _losses(trainer, steps):
    """The step's reported losses, each taken fresh (the means reset) after every step."""
    rng = np.random.default_rng(0)
    photos = np.tanh(rng.normal(size=(2, 128, 128, 3))).astype("float32")
    batch = (tf.constant(drawings(2)), tf.constant(photos))
    step = trainer.train_step  # eager: tracing the step would cost more than these few steps
    rows = []
    for _ in range(steps):
        for tracker in trainer.metrics:
            tracker.reset_state()
        rows.append({key: float(value) for key, value in step(batch).items()})
    return rows


def test_a_few_pix2pix_steps_lower_the_l1_and_the_discriminator_losses():
    rows = _losses(_trainer(True), 8)
    assert set(rows[0]) == {"g_loss", "l1", "gan", "d_loss"}
    assert rows[-1]["l1"] < rows[0]["l1"]
    assert rows[-1]["d_loss"] < rows[0]["d_loss"]


def test_a_few_l1_only_steps_lower_the_l1_loss_without_a_discriminator():
    rows = _losses(_trainer(False), 8)
    assert set(rows[0]) == {"g_loss", "l1"}
    assert rows[-1]["l1"] < rows[0]["l1"]


def test_against_a_frozen_discriminator_the_generator_lowers_its_gan_loss():
    trainer = _trainer(True, d_rate=0.0)
    trainer.l1_weight = 0.0  # only the adversarial term moves the generator
    rows = _losses(trainer, 8)
    assert rows[-1]["gan"] < rows[0]["gan"]


def test_the_generator_round_trips_through_a_keras_file(tmp_path):
    unet = networks.build_unet(WIDTH)
    path = tmp_path / "unet.keras"
    unet.save(path)
    again = keras.saving.load_model(path, safe_mode=True)
    batch = drawings(1)
    np.testing.assert_allclose(np.asarray(again(batch)), np.asarray(unet(batch)), atol=1e-6)
