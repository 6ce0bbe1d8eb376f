"""Colourisation: a grey photo's lightness L in, its colour ab out, three ways.

- ``colour_regression``: ab predicted as numbers with the L2 loss, the baseline of Zhang, Isola &
  Efros (2016), "Colorful Image Colorization": where a thing could be several colours the best
  guess under L2 is their average, which is greyish.
- ``colour_classes``: the paper's method: a distribution over the quantised ab classes at every
  pixel, trained with the class-rebalanced cross-entropy to soft-encoded targets and decoded with
  the annealed mean (see ``colour_bins.py``).
- ``colour_hints``: Zhang, Zhu et al. (2017), "Real-Time User-Guided Image Colorization with
  Learned Deep Priors": L plus sparse user hints (``hints.py``) in, ab out, trained with the
  smooth-L1 loss (delta 1 Lab unit) on randomly sampled hints.

Changed from the papers, for two CPU cores and one comparison:

- all three share one body, the pix2pix U-Net of ``model.py`` (instance norm, width 32, 10 M
  parameters) instead of the papers' VGG-style nets (32 M), and differ only in their inputs, their
  last 1 x 1 layer and their loss: a fair comparison of the losses;
- the colour is predicted at half the resolution and scaled up bilinearly (the 2016 paper: a
  quarter): colour changes slowly, and the 262-class output at full size would cost four times
  the rest of the network;
- no global hints (the 2017 paper's colour histogram input), and hints are placed uniformly.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers, ops

from showcase.image_to_image import colour_bins, hints
from showcase.image_to_image.lab import AB_SCALE
from showcase.image_to_image.model import unet_features

COLOUR_MODELS = ("colour_regression", "colour_classes", "colour_hints")
HINT_CHANNELS = 3  # hint a, hint b, mask
HUBER_DELTA = 1.0 / AB_SCALE  # 1 Lab unit, in the network's ab scale


def input_channels(kind: str) -> int:
    return 1 + (HINT_CHANNELS if kind == "colour_hints" else 0)


def build_colouriser(kind: str, width: int = 32) -> keras.Model:
    """(batch, h, w, 1 or 4) -> (batch, h/2, w/2, 2) ab / AB_SCALE, or (..., Q) class logits."""
    if kind not in COLOUR_MODELS:
        raise ValueError(f"unknown colouriser {kind!r}")
    grey = keras.Input((None, None, input_channels(kind)), name="lightness")
    features = unet_features(grey, width)
    if kind == "colour_classes":
        colour = layers.Conv2D(colour_bins.class_count(), 1, name="colour_logits")(features)
    else:
        colour = layers.Conv2D(2, 1, activation="tanh", name="colour")(features)
    return keras.Model(grey, colour, name=kind)


def half_size(ab: tf.Tensor) -> tf.Tensor:
    return tf.nn.avg_pool2d(ab, 2, 2, "VALID")


class ColouriserTrainer(keras.Model):
    """Trains one colouriser on (lightness in [-1, 1], true ab in Lab units) batches.

    Only the colouriser is shipped (this wrapper is never saved, so it is not registered).
    """

    def __init__(self, colouriser: keras.Model, kind: str, class_weights=None, **kwargs):
        super().__init__(**kwargs)
        self.colouriser = colouriser
        self.kind = kind
        self.class_weights = None if class_weights is None else tf.constant(class_weights)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    @property
    def metrics(self):
        return [self.loss_tracker]

    def inputs_for(self, lightness, ab):
        if self.kind != "colour_hints":
            return lightness
        batch, height, width = tf.shape(ab)[0], ab.shape[1], ab.shape[2]
        points = hints.random_hint_points(batch, height, width)
        planes = hints.hint_planes(points, hints.patch_colours(ab, points), height, width)
        return tf.concat([lightness, planes], axis=-1)

    def colour_loss(self, true_ab, predicted):
        target = half_size(true_ab)
        if self.kind == "colour_classes":
            soft = colour_bins.soft_encode(target)
            weights = tf.gather(self.class_weights, colour_bins.nearest_class(target))
            entropy = -tf.reduce_sum(soft * tf.nn.log_softmax(predicted), axis=-1)
            return ops.mean(weights * entropy)
        scaled = target / AB_SCALE
        if self.kind == "colour_hints":
            return ops.mean(keras.losses.huber(scaled, predicted, delta=HUBER_DELTA)) / HUBER_DELTA
        return ops.mean(ops.square(scaled - predicted))

    def call(self, inputs, training=False):
        return self.colouriser(inputs, training=training)

    def train_step(self, data):
        lightness, ab = data
        inputs = self.inputs_for(lightness, ab)
        with tf.GradientTape() as tape:
            loss = self.colour_loss(ab, self.colouriser(inputs, training=True))
        variables = self.colouriser.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}
