"""User colour hints (Zhang, Zhu, Isola, Geng, Lin, Yu & Efros 2017, "Real-Time User-Guided Image
Colorization with Learned Deep Priors"): a few points where the colour is given.

A hint is a ``HINT_PATCH`` x ``HINT_PATCH`` square holding one ab colour. The network reads two
more channels of ab (zero where no hint is) and a mask channel (1 inside a hint's square), so
"no hint" and "a grey hint" differ. In training the colour of a hint is the mean of the true
colours under its square and the number of hints follows a geometric distribution (p = 1/8, so an
eighth of the images get none), as in the paper; their places are uniform here (the paper draws
them from a Gaussian around the centre). A user's clicks make the same squares with the colour
they pick.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from showcase.image_to_image.lab import AB_SCALE

HINT_PATCH = 5
MAX_HINTS = 64
GEOMETRIC_P = 1.0 / 8.0


def _square_sum(values: tf.Tensor) -> tf.Tensor:
    """Each pixel's sum over the HINT_PATCH square around it, channel by channel."""
    channels = values.shape[-1]
    kernel = tf.ones((HINT_PATCH, HINT_PATCH, channels, 1), values.dtype)
    return tf.nn.depthwise_conv2d(values, kernel, [1, 1, 1, 1], "SAME")


def hint_planes(points: tf.Tensor, colours: tf.Tensor, height: int, width: int) -> tf.Tensor:
    """Hints -> the network's three extra channels.

    ``points`` (batch, k, 2) int32 (row, column), ``colours`` (batch, k, 2) ab in Lab units and
    ``k`` hints per image; a point outside the picture (row -1) is no hint. Returns (batch,
    height, width, 3): ab / AB_SCALE where a hint is (overlaps averaged), and the mask.
    """
    points = tf.convert_to_tensor(points, tf.int32)
    colours = tf.convert_to_tensor(colours, tf.float32)
    batch, count = tf.shape(points)[0], tf.shape(points)[1]
    inside = (
        (points[..., 0] >= 0) & (points[..., 0] < height)
        & (points[..., 1] >= 0) & (points[..., 1] < width)
    )  # fmt: skip
    images = tf.repeat(tf.range(batch)[:, None], count, axis=1)
    where = tf.stack([images, points[..., 0], points[..., 1]], axis=-1)[inside]
    marks = tf.scatter_nd(where, tf.ones(tf.shape(where)[0]), (batch, height, width))[..., None]
    painted = tf.scatter_nd(where, colours[inside] / AB_SCALE, (batch, height, width, 2))
    covered = _square_sum(marks)
    colour = _square_sum(painted) / tf.maximum(covered, 1.0)
    return tf.concat([colour, tf.cast(covered > 0, tf.float32)], axis=-1)


def patch_colours(ab: tf.Tensor, points: tf.Tensor) -> tf.Tensor:
    """The mean true ab under each hint's square: (batch, h, w, 2), (batch, k, 2) -> (batch, k, 2).
    Points outside the picture get a colour that is never read."""
    mean = _square_sum(ab) / _square_sum(tf.ones_like(ab[..., :1]))
    height, width = tf.shape(ab)[1], tf.shape(ab)[2]
    rows = tf.clip_by_value(points[..., 0], 0, height - 1)
    columns = tf.clip_by_value(points[..., 1], 0, width - 1)
    return tf.gather_nd(mean, tf.stack([rows, columns], axis=-1), batch_dims=1)


def random_hint_points(batch: int, height: int, width: int, seed=None) -> tf.Tensor:
    """Training hints: (batch, MAX_HINTS, 2) points, a geometric number of them real per image
    and the rest at row -1 (no hint)."""
    uniform = tf.random.uniform((batch, 1), 1e-7, 1.0, seed=seed)
    counts = tf.cast(tf.math.floor(tf.math.log(uniform) / np.log1p(-GEOMETRIC_P)), tf.int32)
    rows = tf.random.uniform((batch, MAX_HINTS), 0, height, tf.int32, seed=seed)
    columns = tf.random.uniform((batch, MAX_HINTS), 0, width, tf.int32, seed=seed)
    used = tf.range(MAX_HINTS)[None, :] < counts
    return tf.stack([tf.where(used, rows, -1), columns], axis=-1)


def evaluation_points(image_index: int, count: int, side: int) -> np.ndarray:
    """The first ``count`` of a fixed sequence of points for held-out image ``image_index``: the
    hints of ``n + 1`` include those of ``n``, so a curve over counts adds hints one by one."""
    rng = np.random.default_rng(image_index)
    return rng.integers(0, side, size=(MAX_HINTS, 2))[:count].astype(np.int32)
