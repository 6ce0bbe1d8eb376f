"""pix2pix: Isola, Zhu, Zhou & Efros (2017), "Image-to-Image Translation with Conditional
Adversarial Networks".

- **Generator**: the paper's U-Net, an encoder-decoder whose decoder layer ``i`` also reads the
  encoder layer of the same size (skip connections), so fine detail from the input need not
  squeeze through the bottleneck. 4x4 convolutions with stride 2; LeakyReLU 0.2 in the encoder,
  ReLU in the decoder, dropout 0.5 in the first three decoder layers, tanh out.
- **Discriminator**: the 70x70 PatchGAN: it classifies every 70x70 patch of (drawing, picture)
  as real or generated; 128-pixel inputs give a 14 x 14 grid of verdicts.
- **Objective** (see :class:`Pix2PixTrainer`): the conditional GAN loss plus 100x the L1 distance
  to the true photo; with the adversarial weight at 0 it is the paper's "L1 only" ablation.

Changed from the paper, for two CPU cores:

- half the widths (the generator's first layer has 32 filters, not 64; the discriminator's too);
  the U-Net keeps the paper's depth for 128-pixel inputs (seven halvings, down to 1 x 1);
- instance normalisation (``GroupNormalization(groups=-1)``) instead of batch norm: the paper
  trains with batches of one and normalises with the test image's own statistics at test time,
  which is instance normalisation; saying so makes the model the same in training and inference,
  whatever the batch size (we train with batches of 4 for speed);
- no dropout at inference: the paper keeps it on as noise, but found the outputs nearly
  deterministic anyway; without it a drawing gives the same picture every time.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers, ops

PACKAGE = "showcase.image_to_image"
TRAIN_SIDE = 128
DOWNSAMPLINGS = 7  # 128 -> 1
DECODER_DROPOUT_LAYERS = 3
L1_WEIGHT = 100.0


def instance_norm(name: str) -> layers.Layer:
    return layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)


def encoder_widths(width: int) -> list[int]:
    """C64-C128-C256-C512-C512-C512-C512 at ``width`` 64 (the paper's), scaled."""
    return [width * min(2**level, 8) for level in range(DOWNSAMPLINGS)]


def unet_features(inputs, width: int = 32):
    """The U-Net up to its last skip connection: (batch, h, w, c) -> (batch, h/2, w/2, 2 width),
    the decoder's last layer joined with the encoder's first. ``h`` and ``w`` must be multiples
    of 128 (seven halvings)."""
    widths = encoder_widths(width)
    skips, x = [], inputs
    for level, filters in enumerate(widths):
        x = layers.Conv2D(
            filters, 4, strides=2, padding="same", use_bias=level == 0, name=f"down{level + 1}"
        )(x)
        # No normalisation on the first layer (as in the paper) nor on the 1 x 1 bottleneck,
        # where an instance has one value per channel and normalising would erase it.
        if 0 < level < DOWNSAMPLINGS - 1:
            x = instance_norm(f"down{level + 1}_norm")(x)
        x = layers.LeakyReLU(0.2, name=f"down{level + 1}_act")(x)
        skips.append(x)
    for index, (filters, skip) in enumerate(
        zip(reversed(widths[:-1]), reversed(skips[:-1]), strict=True)
    ):
        x = layers.Conv2DTranspose(
            filters, 4, strides=2, padding="same", use_bias=False, name=f"up{index + 1}"
        )(x)
        x = instance_norm(f"up{index + 1}_norm")(x)
        if index < DECODER_DROPOUT_LAYERS:
            x = layers.Dropout(0.5, name=f"up{index + 1}_dropout")(x)
        x = layers.ReLU(name=f"up{index + 1}_act")(x)
        x = layers.Concatenate(name=f"skip{DOWNSAMPLINGS - 1 - index}")([x, skip])
    return x


def build_unet(width: int = 32, in_channels: int = 1, out_channels: int = 3) -> keras.Model:
    """The U-Net generator: (batch, h, w, in_channels) in [-1, 1] -> (batch, h, w, 3) in [-1, 1].

    ``h`` and ``w`` must be multiples of 128 (seven halvings).
    """
    drawing = keras.Input((None, None, in_channels), name="drawing")
    picture = layers.Conv2DTranspose(
        out_channels, 4, strides=2, padding="same", activation="tanh", name="picture"
    )(unet_features(drawing, width))
    return keras.Model(drawing, picture, name="unet")


def patchgan_verdicts(x, width: int = 32):
    """The 70x70 PatchGAN's layers on ``x`` (batch, h, w, c) -> (batch, h/8 - 2, w/8 - 2, 1).

    C64-C128-C256 with stride 2, C512 with stride 1, then one output channel (widths scaled by
    ``width`` / 64); every output sees a 70 x 70 window of the input.
    """
    for level, filters in enumerate([width, width * 2, width * 4]):
        x = layers.Conv2D(
            filters, 4, strides=2, padding="same", use_bias=level == 0, name=f"d{level + 1}"
        )(x)
        if level:
            x = instance_norm(f"d{level + 1}_norm")(x)
        x = layers.LeakyReLU(0.2, name=f"d{level + 1}_act")(x)
    x = layers.ZeroPadding2D(1, name="d4_pad")(x)
    x = layers.Conv2D(width * 8, 4, use_bias=False, name="d4")(x)
    x = instance_norm("d4_norm")(x)
    x = layers.LeakyReLU(0.2, name="d4_act")(x)
    x = layers.ZeroPadding2D(1, name="verdict_pad")(x)
    return layers.Conv2D(1, 4, name="verdicts")(x)


def build_patchgan(width: int = 32, in_channels: int = 1, out_channels: int = 3) -> keras.Model:
    """The conditional 70x70 PatchGAN: (drawing, picture) -> (batch, h/8 - 2, w/8 - 2, 1)
    logits (:func:`patchgan_verdicts` on the pair)."""
    drawing = keras.Input((None, None, in_channels), name="drawing")
    picture = keras.Input((None, None, out_channels), name="picture")
    verdicts = patchgan_verdicts(layers.Concatenate(name="pair")([drawing, picture]), width)
    return keras.Model([drawing, picture], verdicts, name="patchgan")


def _bce(targets, logits):
    return ops.mean(keras.losses.binary_crossentropy(targets, logits, from_logits=True))


class Pix2PixTrainer(keras.Model):
    """Trains a U-Net on (drawing, photo) pairs: L1 alone, or L1 plus the conditional GAN loss.

    ``adversarial_weight`` 1 is pix2pix (G minimises the non-saturating GAN loss plus
    ``l1_weight`` x L1; D's loss is halved, as in the paper, to slow it relative to G);
    ``adversarial_weight`` 0 is the "L1 only" ablation, and no discriminator is trained.
    Only the generator is shipped (this wrapper is never saved, so it is not registered).
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model | None = None,
        adversarial_weight: float = 1.0,
        l1_weight: float = L1_WEIGHT,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.adversarial_weight = adversarial_weight
        self.l1_weight = l1_weight
        names = ("g_loss", "l1", "gan", "d_loss")
        self.trackers = {name: keras.metrics.Mean(name=name) for name in names}

    @property
    def adversarial(self) -> bool:
        return self.adversarial_weight > 0 and self.discriminator is not None

    def compile(self, g_optimizer, d_optimizer=None, **kwargs):
        super().compile(**kwargs)
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, drawings, training=False):
        return self.generator(drawings, training=training)

    def train_step(self, data):
        drawings, photos = data
        with tf.GradientTape(persistent=True) as tape:
            pictures = self.generator(drawings, training=True)
            l1 = ops.mean(ops.abs(photos - pictures))
            g_loss = self.l1_weight * l1
            if self.adversarial:
                real = self.discriminator([drawings, photos], training=True)
                fake = self.discriminator([drawings, pictures], training=True)
                gan = _bce(ops.ones_like(fake), fake)
                g_loss = g_loss + self.adversarial_weight * gan
                d_loss = 0.5 * (_bce(ops.ones_like(real), real) + _bce(ops.zeros_like(fake), fake))
        variables = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(
            zip(tape.gradient(g_loss, variables), variables, strict=True)
        )
        self.trackers["g_loss"].update_state(g_loss)
        self.trackers["l1"].update_state(l1)
        if self.adversarial:
            variables = self.discriminator.trainable_variables
            self.d_optimizer.apply_gradients(
                zip(tape.gradient(d_loss, variables), variables, strict=True)
            )
            self.trackers["gan"].update_state(gan)
            self.trackers["d_loss"].update_state(d_loss)
        del tape
        shown = ("g_loss", "l1", "gan", "d_loss") if self.adversarial else ("g_loss", "l1")
        return {name: self.trackers[name].result() for name in shown}
