"""Fast (feed-forward) style transfer: Johnson, Alahi & Fei-Fei (2016), "Perceptual Losses for
Real-Time Style Transfer and Super-Resolution".

An image transformation network is trained once per painting, against the same content, style and
total-variation losses as the Gatys optimisation (``gatys.py``), over many photos; afterwards one
forward pass stylises any photo.

What differs from the paper and why:
- Instance normalisation instead of batch normalisation (Ulyanov, Vedaldi & Lempitsky 2016,
  "Instance Normalization: The Missing Ingredient for Fast Stylization"): visibly better results.
  Keras' ``GroupNormalization`` with one group per channel is exactly that.
- Nearest-neighbour upsampling followed by a convolution instead of transposed convolutions
  (Odena, Dumoulin & Olah 2016, "Deconvolution and Checkerboard Artifacts").
- Reflection padding at the borders (as in Johnson's later code) against dark frames.
- The loss network is SqueezeNet v1.1 by default rather than VGG16, for CPU training speed.
- ``width`` scales every layer's channels (1.0 = the paper's 32-64-128); smaller widths trade a
  little quality for speed on CPUs.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from showcase.padding import ReflectionPadding2D
from showcase.style_transfer.losses import (
    content_loss,
    gram_matrix,
    style_loss,
    total_variation_loss,
)
from showcase.style_transfer.presets import SHIPPED

PACKAGE = "showcase.style_transfer"


def _conv_block(x, filters, kernel_size, strides=1, name="", relu=True):
    x = ReflectionPadding2D(kernel_size // 2, name=f"{name}_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding="valid", name=f"{name}_conv")(
        x
    )
    x = layers.GroupNormalization(groups=-1, epsilon=1e-5, name=f"{name}_instance_norm")(x)
    return layers.ReLU(name=f"{name}_relu")(x) if relu else x


def _residual_block(x, filters, name):
    y = _conv_block(x, filters, 3, name=f"{name}_a")
    y = _conv_block(y, filters, 3, name=f"{name}_b", relu=False)
    return layers.Add(name=f"{name}_add")([x, y])


def _upsample_block(x, filters, name):
    x = layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_upsample")(x)
    return _conv_block(x, filters, 3, name=name)


def build_transformer(
    width: float = SHIPPED.width,
    residual_blocks: int = SHIPPED.residual_blocks,
    name: str = "transformer",
):
    """RGB in [0, 255], any size divisible by 4 -> stylised RGB in [0, 255], same size."""
    channels = [max(8, int(round(c * width))) for c in (32, 64, 128)]
    image = keras.Input(shape=(None, None, 3), name="image")
    x = layers.Rescaling(1 / 127.5, offset=-1.0, name="to_unit_range")(image)
    x = _conv_block(x, channels[0], 9, name="down1")
    x = _conv_block(x, channels[1], 3, strides=2, name="down2")
    x = _conv_block(x, channels[2], 3, strides=2, name="down3")
    for block in range(residual_blocks):
        x = _residual_block(x, channels[2], f"residual{block + 1}")
    x = _upsample_block(x, channels[1], "up1")
    x = _upsample_block(x, channels[0], "up2")
    x = ReflectionPadding2D(4, name="out_pad")(x)
    x = layers.Conv2D(3, 9, padding="valid", name="out_conv")(x)
    # tanh keeps pixels in range without clipping away the gradient.
    rgb = layers.Activation("tanh", name="out_tanh")(x)
    rgb = layers.Rescaling(127.5, offset=127.5, dtype="float32", name="to_pixels")(rgb)
    return keras.Model(image, rgb, name=name)


class FastStyleTrainer(keras.Model):
    """Trains a transformer network so its output has the photo's content and the painting's style.

    A ``keras.Model`` with a custom ``train_step`` (TensorFlow backend): the loss network is frozen
    and only the transformer learns. ``style_grams`` are the painting's Gram matrices.
    """

    def __init__(
        self,
        transformer,
        loss_network,
        style_grams,
        content_weight=1.0,
        style_weight=5.0,
        tv_weight=5.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.transformer = transformer
        self.loss_network = loss_network
        self.style_grams = style_grams
        self.weights_of = (content_weight, style_weight, tv_weight)
        self.trackers = {
            name: keras.metrics.Mean(name=name) for name in ("loss", "content", "style", "tv")
        }

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, images, training=False):
        return self.transformer(images, training=training)

    def perceptual_losses(self, photos, stylised):
        spec = self.loss_network.spec
        target = self.loss_network.features(photos)[spec.content_layer]
        features = self.loss_network.features(stylised)
        total_layer_weight = sum(spec.style_layer_weights)
        style = 0.0
        for layer, weight in zip(spec.style_layers, spec.style_layer_weights, strict=True):
            grams = gram_matrix(features[layer])
            target_gram = ops.broadcast_to(self.style_grams[layer], ops.shape(grams))
            style += weight / total_layer_weight * style_loss(grams, target_gram)
        losses = {
            "content": content_loss(features[spec.content_layer], target),
            "style": style,
            "tv": total_variation_loss(stylised),
        }
        content_weight, style_weight, tv_weight = self.weights_of
        losses["loss"] = (
            content_weight * losses["content"]
            + style_weight * losses["style"]
            + tv_weight * losses["tv"]
        )
        return losses

    def train_step(self, photos):
        with tf.GradientTape() as tape:
            stylised = self.transformer(photos, training=True)
            losses = self.perceptual_losses(photos, stylised)
        variables = self.transformer.trainable_variables
        gradients = tape.gradient(losses["loss"], variables)
        self.optimizer.apply_gradients(zip(gradients, variables, strict=True))
        for name, value in losses.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def test_step(self, photos):
        losses = self.perceptual_losses(photos, self.transformer(photos, training=False))
        for name, value in losses.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}


def stylize_array(transformer, rgb):
    """(height, width, 3) array in [0, 255], any size -> stylised array of the same size.

    The network halves the size twice and doubles it twice, so the picture is mirrored out to a
    multiple of 4 first and cropped back afterwards.
    """
    height, width = rgb.shape[:2]
    pad_h, pad_w = (-height) % 4, (-width) % 4
    padded = np.pad(rgb.astype("float32"), [(0, pad_h), (0, pad_w), (0, 0)], mode="reflect")
    stylised = np.asarray(transformer(padded[None]))[0]
    return np.clip(stylised[:height, :width], 0, 255).astype("uint8")
