"""Grey in, colour out: the one inference path the API, the evaluation and the UI share.

A colouriser says what it is by its name (``colour_model.COLOUR_MODELS``) and its output: two
channels are ab, more are class logits, decoded with the annealed mean.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from showcase.image_to_image import colour_bins
from showcase.image_to_image.colour_model import COLOUR_MODELS, HINT_CHANNELS
from showcase.image_to_image.lab import AB_SCALE, lab_to_rgb, lightness_input, rgb_to_lab

BATCH = 16


def is_colouriser(model) -> bool:
    return model.name in COLOUR_MODELS


def takes_hints(model) -> bool:
    return model.input_shape[-1] == 1 + HINT_CHANNELS


def colour_of(model, lightness: np.ndarray, planes: np.ndarray | None = None) -> np.ndarray:
    """(n, h, w) L in [0, 100] (h, w multiples of 128), and for a hint model (n, h, w, 3) hint
    planes (``hints.hint_planes``; none: no hints) -> (n, h, w, 2) ab in Lab units."""
    inputs = lightness_input(lightness)[..., None]
    if takes_hints(model):
        if planes is None:
            planes = np.zeros((*inputs.shape[:3], HINT_CHANNELS), np.float32)
        inputs = np.concatenate([inputs, np.asarray(planes, np.float32)], axis=-1)
    colours = []
    for start in range(0, len(inputs), BATCH):
        made = model(inputs[start : start + BATCH], training=False)
        if made.shape[-1] == 2:
            ab = made * AB_SCALE
        else:
            ab = colour_bins.annealed_mean(made)
        colours.append(tf.image.resize(ab, inputs.shape[1:3], method="bilinear").numpy())
    return np.concatenate(colours) if colours else np.zeros((0, *inputs.shape[1:3], 2))


def colourise(model, photos: np.ndarray, planes: np.ndarray | None = None) -> np.ndarray:
    """(n, h, w, 3) uint8 photos (their colour is ignored) -> (n, h, w, 3) uint8: each photo's
    own lightness with the colour the model gives it."""
    lab = rgb_to_lab(photos)
    lab[..., 1:] = colour_of(model, lab[..., 0], planes)
    return lab_to_rgb(lab)
