"""Zhang, Isola & Efros (2016), "Colorful Image Colorization": colour as a class, not a number.

The ab plane is cut into 10 x 10 squares centred on multiples of 10, and only the squares some
sRGB colour falls in are kept: the classes. The paper counts 313 of them; every 8-bit sRGB colour
converted by OpenCV (D65) falls into **262**, because the paper's gamut was measured differently
(its own conversion, a convex hull around in-gamut points). The method does not depend on the
count, so the classes here are the ones the colours of this project can reach.

- **Soft encoding** (the training target): a true ab is spread over its 5 nearest class centres
  with Gaussian weights (sigma 5), so neighbouring classes are not wholly wrong.
- **Class rebalancing**: a pixel's loss is weighted by ``w ~ ((1 - lambda) p~ + lambda / Q)^-1``
  of its nearest class, ``p~`` the training set's class frequencies smoothed with a Gaussian
  (sigma 5) in the ab plane, lambda 1/2, scaled so the expected weight is 1: rare saturated
  colours count as much as greys and browns, or the model learns to predict the common dull ones.
- **Annealed mean** (decoding): the predicted distribution is sharpened with temperature T 0.38
  (``p^(1/T)``, renormalised) and its mean taken: the mean alone is greyish and the mode patchy.
"""

from __future__ import annotations

import functools

import numpy as np
import tensorflow as tf
from scipy import ndimage

from showcase.image_to_image.lab import rgb_to_lab

GRID = 10.0
NEAREST = 5
SIGMA = 5.0
REBALANCE_LAMBDA = 0.5
TEMPERATURE = 0.38
OFFSET = 16  # cells are numbered from a = b = -160, beyond every colour's a and b
CELLS = 2 * OFFSET + 1


@functools.cache
def bin_centres() -> np.ndarray:
    """(Q, 2) float32 ab centres of the classes every 8-bit sRGB colour falls in (Q = 262)."""
    levels = np.arange(256, dtype=np.uint8)
    colours = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), -1).reshape(1, -1, 3)
    cells = np.round(rgb_to_lab(colours)[0, :, 1:] / GRID).astype(np.int32) + OFFSET
    # One integer per cell: np.unique on 16.7 million integers takes a fraction of a second.
    occupied = np.unique(cells[:, 0] * CELLS + cells[:, 1])
    centres = np.stack([occupied // CELLS, occupied % CELLS], axis=-1) - OFFSET
    return (centres * GRID).astype(np.float32)


def class_count() -> int:
    return len(bin_centres())


def _squared_distances(ab, centres):
    ab = tf.convert_to_tensor(ab, tf.float32)
    centres = tf.constant(centres)
    return tf.reduce_sum(tf.square(ab[..., None, :] - centres), axis=-1)


def soft_encode(ab) -> tf.Tensor:
    """(..., 2) ab in Lab units -> (..., Q) targets: the 5 nearest classes, Gaussian-weighted."""
    squared = _squared_distances(ab, bin_centres())
    nearest = tf.math.top_k(-squared, NEAREST)
    weights = tf.exp(nearest.values / (2 * SIGMA**2))
    weights /= tf.reduce_sum(weights, axis=-1, keepdims=True)
    # Exactly five classes, even where two centres are equally far.
    spread = tf.one_hot(nearest.indices, squared.shape[-1]) * weights[..., None]
    return tf.reduce_sum(spread, axis=-2)


def nearest_class(ab) -> tf.Tensor:
    """(..., 2) ab -> (...,) int32 index of the nearest class centre (hard quantisation)."""
    return tf.argmin(_squared_distances(ab, bin_centres()), axis=-1, output_type=tf.int32)


def class_frequencies(photos: list[np.ndarray]) -> np.ndarray:
    """(Q,) how often each class is a training pixel's nearest, over uint8 RGB photos."""
    counts = np.zeros(class_count(), np.float64)
    for photo in photos:
        ab = rgb_to_lab(photo)[..., 1:].reshape(-1, 2)
        counts += np.bincount(nearest_class(ab).numpy(), minlength=len(counts))
    if counts.sum() == 0:
        raise ValueError("no pixels to count")
    return counts / counts.sum()


def smoothed_frequencies(frequencies: np.ndarray) -> np.ndarray:
    """(Q,) class frequencies blurred by a Gaussian (sigma 5 Lab units) over the ab plane."""
    centres = bin_centres()
    index = np.round(centres / GRID).astype(int)
    index -= index.min(axis=0)
    plane = np.zeros(index.max(axis=0) + 1)
    plane[index[:, 0], index[:, 1]] = frequencies
    # Smoothing over the ab plane: sigma 5 Lab units is half a grid square.
    smoothed = ndimage.gaussian_filter(plane, SIGMA / GRID, mode="constant")
    smoothed = smoothed[index[:, 0], index[:, 1]]
    return smoothed / smoothed.sum()


def rebalancing_weights(frequencies: np.ndarray, rebalance: float = REBALANCE_LAMBDA) -> np.ndarray:
    """(Q,) per-class loss weights (see the module docstring), mean 1 under the smoothed
    frequencies."""
    smoothed = smoothed_frequencies(frequencies)
    weights = 1.0 / ((1.0 - rebalance) * smoothed + rebalance / len(smoothed))
    weights /= np.sum(smoothed * weights)
    return weights.astype(np.float32)


def annealed_mean(logits, temperature: float = TEMPERATURE) -> tf.Tensor:
    """(..., Q) logits -> (..., 2) ab: the mean of the distribution sharpened by 1/T."""
    sharpened = tf.nn.softmax(tf.convert_to_tensor(logits, tf.float32) / temperature, axis=-1)
    return tf.tensordot(sharpened, tf.constant(bin_centres()), axes=1)
