"""The three losses of Gatys et al. (2016), normalised so one set of weights suits every network.

Each term is divided by the size of its target, so a style weight of 1 means "as important as
content" whatever the layer's width or activation scale: raw Gram losses differ by orders of
magnitude between SqueezeNet, MobileNet and VGG19, and between their layers.
"""

from __future__ import annotations

from keras import ops


def gram_matrix(features):
    """(batch, height, width, channels) -> (batch, channels, channels), averaged over positions."""
    shape = ops.shape(features)
    flat = ops.reshape(features, (shape[0], -1, shape[-1]))
    positions = ops.cast(ops.shape(flat)[1], features.dtype)
    return ops.einsum("bpc,bpd->bcd", flat, flat) / positions


def content_loss(features, target):
    return ops.mean(ops.square(features - target)) / (ops.mean(ops.square(target)) + 1e-8)


def style_loss(gram, target_gram):
    return ops.mean(ops.square(gram - target_gram)) / (ops.mean(ops.square(target_gram)) + 1e-8)


def total_variation_loss(image):
    """Mean absolute difference between neighbouring pixels, in [0, 255] pixel units / 255."""
    down = ops.mean(ops.abs(image[:, 1:, :, :] - image[:, :-1, :, :]))
    right = ops.mean(ops.abs(image[:, :, 1:, :] - image[:, :, :-1, :]))
    return (down + right) / 255.0
