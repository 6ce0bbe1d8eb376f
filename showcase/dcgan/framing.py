"""Digits framed for the 32-pixel GANs: BEGAN and the progressive GAN train on MNIST's 28 x 28
digits padded to 32 x 32 (a power of two, which their doubling architectures need), and their
shipped generators crop back to 28 x 28 and clip to the DCGAN's [-1, 1], so that the same judge,
API and page serve every generator."""

from __future__ import annotations

import keras
from keras import layers, ops

PACKAGE = "showcase.dcgan"
TRAIN_SIDE = 32
DIGIT_SIDE = 28
BORDER = (TRAIN_SIDE - DIGIT_SIDE) // 2


@keras.saving.register_keras_serializable(package=PACKAGE)
class ClipToUnitRange(layers.Layer):
    """Pixels clipped to [-1, 1], the range of the DCGAN's tanh output."""

    def call(self, images):
        return ops.clip(images, -1.0, 1.0)


def digit_generator(generator: keras.Model) -> keras.Model:
    """A 32-pixel generator with its output cropped to MNIST's 28 x 28 and clipped to [-1, 1]:
    what is shipped."""
    cropped = layers.Cropping2D(BORDER, name="to_28")(generator.output)
    clipped = ClipToUnitRange(name="image")(cropped)
    return keras.Model(generator.inputs, clipped, name="generator")


def pad_to_train_side(images):
    """(count, 28, 28, 1) in [-1, 1] -> (count, 32, 32, 1), padded with background (-1)."""
    return ops.pad(images, ((0, 0), (BORDER, BORDER), (BORDER, BORDER), (0, 0)), constant_values=-1)
