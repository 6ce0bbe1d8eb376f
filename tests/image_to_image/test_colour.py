"""Colourisation's parts: the Lab round trip, the ab classes (quantisation, soft encoding,
rebalancing, annealed mean), the hint planes, the three networks' shapes and their losses falling
over a few steps."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from showcase.image_to_image import colour_bins, hints
from showcase.image_to_image.colour_model import (
    COLOUR_MODELS,
    ColouriserTrainer,
    build_colouriser,
)
from showcase.image_to_image.lab import AB_SCALE, grey, lab_to_rgb, rgb_to_lab

WIDTH = 4


def random_photos(count=2, side=128, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (count, side, side, 3), dtype=np.uint8)


# Four colours of four different lightnesses: a grey level says which colour it was.
PALETTE = np.array([[200, 40, 40], [40, 160, 40], [40, 40, 220], [240, 210, 60]], np.uint8)


def palette_photos(count=4, side=128, seed=0):
    """Photos of flat squares of the palette's colours, so colour is learnable from grey."""
    rng = np.random.default_rng(seed)
    small = PALETTE[rng.integers(0, len(PALETTE), (count, 4, 4))]
    return np.repeat(np.repeat(small, side // 4, axis=1), side // 4, axis=2)


def test_lab_round_trip_gives_the_colours_back():
    photos = random_photos(3, 64)
    back = lab_to_rgb(rgb_to_lab(photos))
    assert back.shape == photos.shape and back.dtype == np.uint8
    assert np.abs(back.astype(int) - photos).max() <= 1


def test_lab_puts_lightness_in_l_and_colour_in_ab():
    lab = rgb_to_lab(
        np.array([[[[255, 255, 255], [0, 0, 0], [128, 128, 128], [255, 0, 0]]]], "uint8")
    )
    white, black, middle, red = lab[0, 0]
    assert white[0] == pytest.approx(100, abs=0.5) and black[0] == pytest.approx(0, abs=0.5)
    assert np.abs(np.stack([white, black, middle])[:, 1:]).max() < 0.5  # greys have no colour
    assert red[1] > 60 and red[2] > 40  # red is far along +a (and yellowish)
    assert np.abs(red[1:]).max() < AB_SCALE
    made_grey = grey(np.array([[[[255, 0, 0]]]], "uint8"))[0, 0, 0]
    assert made_grey[0] == made_grey[1] == made_grey[2]


def test_every_srgb_colour_falls_within_half_a_cell_of_its_class_centre():
    centres = colour_bins.bin_centres()
    assert len(centres) == colour_bins.class_count() == 262  # the paper counts 313; see docstring
    assert np.all(centres % colour_bins.GRID == 0)
    ab = rgb_to_lab(random_photos(1, 64, seed=3))[..., 1:].reshape(-1, 2)
    quantised = centres[colour_bins.nearest_class(ab).numpy()]
    assert np.abs(quantised - ab).max() <= colour_bins.GRID / 2 + 1e-3
    # A class centre is its own class: quantising twice changes nothing.
    assert np.array_equal(colour_bins.nearest_class(centres).numpy(), np.arange(len(centres)))


def test_soft_encoding_spreads_over_five_neighbours_and_decodes_back():
    ab = rgb_to_lab(random_photos(1, 16, seed=4))[..., 1:].reshape(-1, 2)
    soft = colour_bins.soft_encode(ab).numpy()
    assert np.allclose(soft.sum(-1), 1.0, atol=1e-5)
    assert np.all((soft > 0).sum(-1) == colour_bins.NEAREST)
    nearest = colour_bins.nearest_class(ab).numpy()
    assert np.array_equal(soft.argmax(-1), nearest)
    # The plain mean (T = 1) of the soft target lands near the true colour.
    decoded = colour_bins.annealed_mean(np.log(soft + 1e-12), temperature=1.0).numpy()
    assert np.median(np.linalg.norm(decoded - ab, axis=-1)) < colour_bins.GRID / 2


def test_the_annealed_mean_lies_between_the_mean_and_the_mode():
    centres = colour_bins.bin_centres()
    grey_class = int(np.argmin(np.abs(centres).sum(-1)))
    red_class = int(np.argmin(np.linalg.norm(centres - [70, 50], axis=-1)))
    logits = np.full(len(centres), -30.0, "float32")
    logits[[grey_class, red_class]] = [np.log(0.6), np.log(0.4)]
    mean, annealed, mode = (
        np.linalg.norm(colour_bins.annealed_mean(logits, t).numpy()) for t in (1.0, 0.38, 0.01)
    )
    assert mean < annealed < mode + 1e-3 or mode < annealed < mean
    assert mode == pytest.approx(np.linalg.norm(centres[grey_class]), abs=0.1)


def test_rebalancing_weighs_rare_colours_up_and_averages_one():
    photos = [np.full((32, 32, 3), 128, np.uint8)] * 9 + [
        np.full((32, 32, 3), (0, 0, 255), np.uint8)
    ]
    frequencies = colour_bins.class_frequencies(photos)
    assert frequencies.sum() == pytest.approx(1.0)
    weights = colour_bins.rebalancing_weights(frequencies)
    common, rare = (
        int(colour_bins.nearest_class(rgb_to_lab(p[None])[0, 0, 0, 1:]))
        for p in (photos[0], photos[-1])
    )
    assert weights[rare] > weights[common]
    # Mixing in the uniform distribution bounds every weight, the never-seen classes' included.
    assert weights.max() / weights.min() <= 1 + (1 / colour_bins.REBALANCE_LAMBDA - 1) * len(
        weights
    )
    smoothed = colour_bins.smoothed_frequencies(frequencies)
    assert smoothed[common] < frequencies[common]  # the blur spreads a class to its neighbours
    assert np.sum(smoothed * weights) == pytest.approx(1.0, rel=1e-4)


def test_a_hint_is_a_square_of_its_colour_with_a_mask():
    points = np.array([[[10, 20], [-1, 0]]], "int32")  # one hint, one unused slot
    colours = np.array([[[40.0, -20.0], [99.0, 99.0]]], "float32")
    planes = hints.hint_planes(points, colours, 32, 32).numpy()[0]
    mask = planes[..., 2]
    assert mask.sum() == hints.HINT_PATCH**2 and mask[10, 20] == 1 and mask[10, 23] == 0
    assert np.allclose(planes[10, 20, :2] * AB_SCALE, [40, -20], atol=1e-4)
    assert np.all(planes[mask == 0][:, :2] == 0)


def test_hint_colours_are_the_true_colours_under_the_square_and_counts_nest():
    ab = np.zeros((1, 16, 16, 2), "float32")
    ab[0, :, 8:] = [30.0, -10.0]
    colours = hints.patch_colours(tf.constant(ab), tf.constant([[[4, 2], [4, 13], [4, 8]]]))
    assert np.allclose(colours.numpy()[0], [[0, 0], [30, -10], [18, -6]], atol=1e-4)
    assert np.array_equal(
        hints.evaluation_points(3, 5, 128), hints.evaluation_points(3, 10, 128)[:5]
    )
    points = hints.random_hint_points(64, 32, 32, seed=1).numpy()
    used = (points[..., 0] >= 0).sum(-1)
    assert used.min() == 0 and 2 < used.mean() < 14  # geometric with mean 7 (clipped at 64)


@pytest.mark.parametrize("kind", COLOUR_MODELS)
def test_each_colouriser_gives_colour_at_half_the_size(kind):
    model = build_colouriser(kind, WIDTH)
    channels = 4 if kind == "colour_hints" else 1
    made = np.asarray(model(np.zeros((2, 128, 128, channels), "float32")))
    outputs = colour_bins.class_count() if kind == "colour_classes" else 2
    assert made.shape == (2, 64, 64, outputs)
    assert model.name == kind


@pytest.mark.parametrize("kind", COLOUR_MODELS)
def test_a_few_steps_lower_each_colour_loss(kind):
    keras.utils.set_random_seed(0)
    lab = rgb_to_lab(palette_photos())
    lightness = lab[..., :1] / 50.0 - 1.0
    ab = tf.constant(lab[..., 1:])
    weights = None
    if kind == "colour_classes":
        weights = colour_bins.rebalancing_weights(
            colour_bins.class_frequencies(list(palette_photos()))
        )
    trainer = ColouriserTrainer(build_colouriser(kind, WIDTH), kind, weights)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-2))

    def loss():
        keras.utils.set_random_seed(1)  # the same hints each time
        inputs = trainer.inputs_for(tf.constant(lightness), ab)
        return float(trainer.colour_loss(ab, trainer.colouriser(inputs)))

    before = loss()
    dataset = tf.data.Dataset.from_tensors((lightness, lab[..., 1:])).repeat()
    trainer.fit(dataset, epochs=1, steps_per_epoch=25, verbose=0)
    assert loss() < 0.7 * before


def test_the_hint_model_reads_its_hints():
    model = build_colouriser("colour_hints", WIDTH)
    lightness = np.zeros((1, 128, 128, 1), "float32")
    plain = np.concatenate([lightness, np.zeros((1, 128, 128, 3), "float32")], -1)
    planes = hints.hint_planes([[[64, 64]]], [[[60.0, 60.0]]], 128, 128).numpy()
    hinted = np.concatenate([lightness, planes], -1)
    assert np.abs(np.asarray(model(hinted)) - np.asarray(model(plain))).max() > 1e-4
