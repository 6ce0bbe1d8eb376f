"""Progressive growing of GANs, class-conditional, for MNIST digits: 4 -> 8 -> 16 -> 32 pixels.

Karras, Aila, Laine & Lehtinen (2018), "Progressive Growing of GANs for Improved Quality,
Stability, and Variation". Training starts with a 4 x 4 generator and discriminator and adds a
block to each per stage, doubling the resolution. A new block fades in: while ``alpha`` goes
from 0 to 1, the output is ``(1 - alpha) * upsampled(old to_image) + alpha * new to_image`` in
the generator and the mirror-image blend in the discriminator, and the real images are blended
between the two resolutions the same way. The paper's other three tools are all here:

- equalised learning rate: weights drawn from N(0, 1) and multiplied at run time by He's constant
  ``gain / sqrt(fan_in)`` (:class:`EqualizedDense`, :class:`EqualizedConv2D`), so that Adam's
  per-weight step sizes treat every layer alike;
- pixel-wise feature normalisation in the generator (:class:`PixelNorm`) instead of batch norm;
- the minibatch standard deviation (:class:`MinibatchStdDev`) as one extra feature map in the
  discriminator's last block, which lets it see a batch's variety and so penalise collapse;
- the WGAN-GP loss (Gulrajani et al. 2017) with the paper's drift term 0.001 E[D(x)^2], Adam with
  step size 1e-3, beta_1 0 and beta_2 0.99, the optimiser's state reset when a stage begins (as in
  the authors' code), and nearest-neighbour doubling / average-pooling halving.

Changed from the paper and why:

- 32 x 32 grey digits (MNIST padded by 2 pixels, see ``framing``) rather than 1024 x 1024 faces,
  with 128, 64, 32 and 16 feature maps at 4, 8, 16 and 32 pixels instead of 512 down to 16: the
  comparison trains for about a quarter of an hour on 2 CPU cores;
- class-conditional: the digit's embedding joins the (pixel-normalised) noise, as in the
  authors' code, and the discriminator scores with a class projection (Miyato & Koyama 2018,
  ``model.ProjectionScore``) like the project's DCGAN, where the authors' code used an auxiliary
  classifier;
- the minibatch standard deviation over the whole minibatch, as the paper's section 3 describes
  it (the authors' code later used groups of 4);
- each stage's budget is a share of the whole (:data:`STAGE_SHARES`: 5, 20, 30 and 45% of the
  steps or of ``--max-minutes``; on 2 CPU cores that is roughly the same number of steps per
  stage, as the paper's equal numbers of images are) rather than the paper's 800k images per
  fade and per stable phase, with the fade over the first half of each grown stage: the
  comparison is at equal wall time.
"""

from __future__ import annotations

import math
import time

import keras
import tensorflow as tf
from keras import layers, ops

from showcase.dcgan.framing import BORDER, TRAIN_SIDE, ClipToUnitRange
from showcase.dcgan.model import ProjectionScore

PACKAGE = "showcase.dcgan"
NOISE_DIM = 64
CLASSES = 10
LABEL_EMBEDDING = 16
RESOLUTIONS = (4, 8, 16, 32)
WIDTH = 16  # feature maps at 32 pixels; each halving of the resolution doubles them


def filters_for(width: int = WIDTH) -> dict[int, int]:
    """Feature maps per resolution: 128, 64, 32 and 16 at 4, 8, 16 and 32 pixels for width 16."""
    return {side: width * (RESOLUTIONS[-1] // side) for side in RESOLUTIONS}


STAGE_SHARES = {4: 0.05, 8: 0.2, 16: 0.3, 32: 0.45}
FADE_SHARE = 0.5  # of a grown stage, spent fading its new block in
LEAKY_SLOPE = 0.2
GRADIENT_PENALTY = 10.0
DRIFT = 0.001
HE_GAIN = math.sqrt(2.0)


@keras.saving.register_keras_serializable(package=PACKAGE)
class EqualizedDense(layers.Layer):
    """A dense layer with the equalised learning rate: N(0, 1) weights scaled at run time by
    ``gain / sqrt(fan_in)``."""

    def __init__(self, units: int, gain: float = HE_GAIN, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.gain = gain

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.scale = self.gain / math.sqrt(fan_in)
        self.kernel = self.add_weight(
            shape=(fan_in, self.units),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
            name="kernel",
        )
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        return ops.matmul(inputs, self.kernel * self.scale) + self.bias

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "gain": self.gain}


@keras.saving.register_keras_serializable(package=PACKAGE)
class EqualizedConv2D(layers.Layer):
    """A stride-1, same-padded convolution with the equalised learning rate."""

    def __init__(self, filters: int, kernel_size: int, gain: float = HE_GAIN, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.kernel_size = kernel_size
        self.gain = gain

    def build(self, input_shape):
        channels = int(input_shape[-1])
        self.scale = self.gain / math.sqrt(self.kernel_size * self.kernel_size * channels)
        self.kernel = self.add_weight(
            shape=(self.kernel_size, self.kernel_size, channels, self.filters),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
            name="kernel",
        )
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")

    def call(self, inputs):
        return ops.conv(inputs, self.kernel * self.scale, padding="same") + self.bias

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "gain": self.gain,
        }


@keras.saving.register_keras_serializable(package=PACKAGE)
class PixelNorm(layers.Layer):
    """Each pixel's feature vector scaled to unit root-mean-square (the paper's equation 2)."""

    def call(self, inputs):
        return inputs * ops.rsqrt(ops.mean(ops.square(inputs), axis=-1, keepdims=True) + 1e-8)


@keras.saving.register_keras_serializable(package=PACKAGE)
class MinibatchStdDev(layers.Layer):
    """Appends one feature map: the standard deviation of every feature at every position over
    the minibatch, averaged into a single number."""

    def call(self, inputs):
        spread = ops.mean(ops.sqrt(ops.var(inputs, axis=0) + 1e-8))
        shape = ops.shape(inputs)
        extra = ops.broadcast_to(ops.cast(spread, inputs.dtype), (shape[0], shape[1], shape[2], 1))
        return ops.concatenate([inputs, extra], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)


@keras.saving.register_keras_serializable(package=PACKAGE)
class FadeIn(layers.Layer):
    """``(1 - alpha) * old + alpha * new``: a new block fading in; ``alpha`` is set from outside
    (:class:`GrowthSchedule`) and saved with the model."""

    def build(self, input_shape):
        self.alpha = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="alpha", dtype="float32"
        )

    def call(self, inputs):
        old, new = inputs
        alpha = ops.cast(self.alpha, old.dtype)
        return old + alpha * (new - old)

    def compute_output_shape(self, input_shape):
        return input_shape[0]


def _leaky(name: str):
    return layers.LeakyReLU(LEAKY_SLOPE, name=name)


class GrowingGenerator:
    """The generator's layers for every resolution, shared by the Keras model of each stage:
    growing adds a block, and the blocks already trained keep their weights."""

    def __init__(self, noise_dim: int = NOISE_DIM, classes: int = CLASSES, width: int = WIDTH):
        self.noise_dim = noise_dim
        self.classes = classes
        filters = filters_for(width)
        self.embedding = layers.Embedding(classes, LABEL_EMBEDDING, name="label_embedding")
        first = filters[4]
        # The paper's 4 x 4 "convolution" of a 1 x 1 input is a dense layer; gain sqrt(2) / 4 as
        # in the authors' code keeps its 16 outputs per map at the other layers' scale.
        self.blocks = {
            4: [
                PixelNorm(name="g4_noise_norm"),
                EqualizedDense(4 * 4 * first, gain=HE_GAIN / 4, name="g4_dense"),
                layers.Reshape((4, 4, first), name="g4_maps"),
                _leaky("g4_dense_act"),
                PixelNorm(name="g4_dense_norm"),
                EqualizedConv2D(first, 3, name="g4_conv"),
                _leaky("g4_conv_act"),
                PixelNorm(name="g4_conv_norm"),
            ]
        }
        for resolution in RESOLUTIONS[1:]:
            block = [layers.UpSampling2D(2, name=f"g{resolution}_double")]
            for part in ("a", "b"):
                block += [
                    EqualizedConv2D(filters[resolution], 3, name=f"g{resolution}_conv_{part}"),
                    _leaky(f"g{resolution}_act_{part}"),
                    PixelNorm(name=f"g{resolution}_norm_{part}"),
                ]
            self.blocks[resolution] = block
        self.to_image = {
            resolution: EqualizedConv2D(1, 1, gain=1.0, name=f"g{resolution}_to_image")
            for resolution in RESOLUTIONS
        }
        self.fades = {resolution: FadeIn(name=f"g{resolution}_fade") for resolution in RESOLUTIONS}

    def model(self, resolution: int, fade: bool = False) -> keras.Model:
        """(noise, label) -> a ``resolution``-pixel image (linear output, about [-1, 1]); with
        ``fade``, the newest block blended with the previous stage's upsampled output."""
        if resolution not in RESOLUTIONS:
            raise ValueError(f"resolution {resolution} is not one of {RESOLUTIONS}")
        noise = keras.Input(shape=(self.noise_dim,), name="noise")
        label = keras.Input(shape=(), dtype="int32", name="label")
        x = layers.Concatenate(name="noise_and_label")([noise, self.embedding(label)])
        previous = None
        for grown in RESOLUTIONS[: RESOLUTIONS.index(resolution) + 1]:
            previous = x
            for layer in self.blocks[grown]:
                x = layer(x)
        image = self.to_image[resolution](x)
        if fade and resolution > RESOLUTIONS[0]:
            old = self.to_image[resolution // 2](previous)
            old = layers.UpSampling2D(2, name=f"g{resolution}_old_doubled")(old)
            image = self.fades[resolution]([old, image])
        return keras.Model([noise, label], image, name=f"pggan_generator_{resolution}")


class GrowingDiscriminator:
    """The discriminator's layers for every resolution, mirroring :class:`GrowingGenerator`."""

    def __init__(self, classes: int = CLASSES, width: int = WIDTH):
        filters = filters_for(width)
        self.from_image = {
            resolution: [
                EqualizedConv2D(filters[resolution], 1, name=f"d{resolution}_from_image"),
                _leaky(f"d{resolution}_from_image_act"),
            ]
            for resolution in RESOLUTIONS
        }
        self.blocks = {}
        for resolution in RESOLUTIONS[1:]:
            self.blocks[resolution] = [
                EqualizedConv2D(filters[resolution], 3, name=f"d{resolution}_conv_a"),
                _leaky(f"d{resolution}_act_a"),
                EqualizedConv2D(filters[resolution // 2], 3, name=f"d{resolution}_conv_b"),
                _leaky(f"d{resolution}_act_b"),
                layers.AveragePooling2D(2, name=f"d{resolution}_halve"),
            ]
        last = filters[4]
        self.blocks[4] = [
            MinibatchStdDev(name="d4_batch_spread"),
            EqualizedConv2D(last, 3, name="d4_conv"),
            _leaky("d4_conv_act"),
            layers.Flatten(name="d4_flatten"),
            EqualizedDense(last, name="d4_dense"),
            _leaky("d4_dense_act"),
        ]
        self.score = ProjectionScore(classes, name="score")
        self.fades = {resolution: FadeIn(name=f"d{resolution}_fade") for resolution in RESOLUTIONS}

    def model(self, resolution: int, fade: bool = False) -> keras.Model:
        """(``resolution``-pixel image, label) -> the critic's score."""
        if resolution not in RESOLUTIONS:
            raise ValueError(f"resolution {resolution} is not one of {RESOLUTIONS}")
        image = keras.Input(shape=(resolution, resolution, 1), name="image")
        label = keras.Input(shape=(), dtype="int32", name="label")
        x = image
        for layer in self.from_image[resolution] + self.blocks[resolution]:
            x = layer(x)
        if fade and resolution > RESOLUTIONS[0]:
            old = layers.AveragePooling2D(2, name=f"d{resolution}_old_halved")(image)
            for layer in self.from_image[resolution // 2]:
                old = layer(old)
            x = self.fades[resolution]([old, x])
        for grown in reversed(RESOLUTIONS[: RESOLUTIONS.index(resolution)]):
            for layer in self.blocks[grown]:
                x = layer(x)
        return keras.Model(
            [image, label], self.score([x, label]), name=f"pggan_discriminator_{resolution}"
        )


def downscale(images, resolution: int):
    """32-pixel images averaged down to ``resolution`` pixels (what the discriminator of that
    stage sees of the real digits)."""
    factor = int(images.shape[1]) // resolution
    if factor == 1:
        return images
    return ops.average_pool(images, factor, strides=factor, padding="valid")


def digit_generator_at(generator: keras.Model) -> keras.Model:
    """A stage's generator, its ``r``-pixel output doubled (nearest) to 32 and framed like the
    shipped one: 28 x 28, clipped to [-1, 1]. Seen side by side, the stages show the growth."""
    resolution = int(generator.output.shape[1])
    image = generator.output
    if resolution < TRAIN_SIDE:
        image = layers.UpSampling2D(TRAIN_SIDE // resolution, name="to_32")(image)
    cropped = layers.Cropping2D(BORDER, name="to_28")(image)
    clipped = ClipToUnitRange(name="image")(cropped)
    return keras.Model(generator.inputs, clipped, name="generator")


class ProgressiveGAN(keras.Model):
    """One stage's training: WGAN-GP with drift on (32-pixel images in [-1, 1], labels) batches,
    which it averages down to the stage's resolution and, while a block fades in, blends with
    their half-resolution version by the same ``alpha``.
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        resolution: int,
        fade: FadeIn | None = None,
        noise_dim: int = NOISE_DIM,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.resolution = resolution
        self.fade = fade
        self.noise_dim = noise_dim
        self.d_tracker = keras.metrics.Mean(name="d_loss")
        self.g_tracker = keras.metrics.Mean(name="g_loss")
        self.w_tracker = keras.metrics.Mean(name="wasserstein_mean")
        self.seed_generator = keras.random.SeedGenerator(0)
        self.built = True

    def compile(self, d_optimizer=None, g_optimizer=None, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer or paper_optimizer()
        self.g_optimizer = g_optimizer or paper_optimizer()
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self):
        return [self.d_tracker, self.g_tracker, self.w_tracker]

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def real_images(self, images):
        images = downscale(ops.cast(images, "float32"), self.resolution)
        if self.fade is None:
            return images
        coarse = ops.repeat(ops.repeat(downscale(images, self.resolution // 2), 2, 1), 2, 2)
        return coarse + ops.cast(self.fade.alpha, "float32") * (images - coarse)

    def gradient_penalty(self, real, fakes, labels):
        batch = ops.shape(real)[0]
        mix = keras.random.uniform((batch, 1, 1, 1), seed=self.seed_generator)
        mixed = real + mix * (fakes - real)
        with tf.GradientTape() as tape:
            tape.watch(mixed)
            total = ops.sum(self.discriminator([mixed, labels], training=True))
        gradients = tape.gradient(total, mixed)
        norms = ops.sqrt(ops.sum(ops.square(gradients), axis=(1, 2, 3)) + 1e-12)
        return ops.mean(ops.square(norms - 1.0))

    def train_step(self, data):
        images, labels = data[:2]
        real = self.real_images(images)
        batch = ops.shape(real)[0]
        share = 1.0 / tf.distribute.get_strategy().num_replicas_in_sync
        noise = keras.random.normal((batch, self.noise_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            fakes = self.generator([noise, labels], training=True)
            real_scores = self.discriminator([real, labels], training=True)
            fake_scores = self.discriminator([fakes, labels], training=True)
            wasserstein = ops.mean(real_scores) - ops.mean(fake_scores)
            d_loss = (
                -wasserstein
                + GRADIENT_PENALTY * self.gradient_penalty(real, fakes, labels)
                + DRIFT * ops.mean(ops.square(real_scores))
            )
            d_share = self.d_optimizer.scale_loss(d_loss * share)
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(
            zip(tape.gradient(d_share, variables), variables, strict=True)
        )

        noise = keras.random.normal((batch, self.noise_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            fakes = self.generator([noise, labels], training=True)
            g_loss = -ops.mean(self.discriminator([fakes, labels], training=True))
            g_share = self.g_optimizer.scale_loss(g_loss * share)
        variables = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(
            zip(tape.gradient(g_share, variables), variables, strict=True)
        )
        self.d_tracker.update_state(d_loss)
        self.g_tracker.update_state(g_loss)
        self.w_tracker.update_state(wasserstein)
        return {
            "d_loss": self.d_tracker.result(),
            "g_loss": self.g_tracker.result(),
            "wasserstein_mean": self.w_tracker.result(),
            "wasserstein": wasserstein,
        }


def stage_gan(generators, discriminators, resolution: int, noise_dim: int) -> ProgressiveGAN:
    """The trainer of one stage: its resolution's models, fading in unless it is the first."""
    fade = resolution > RESOLUTIONS[0]
    return ProgressiveGAN(
        generators.model(resolution, fade),
        discriminators.model(resolution, fade),
        resolution,
        fade=generators.fades[resolution] if fade else None,
        noise_dim=noise_dim,
    )


def paper_optimizer(learning_rate: float = 1e-3):
    return keras.optimizers.Adam(learning_rate, beta_1=0.0, beta_2=0.99, epsilon=1e-8)


class GrowthSchedule(keras.callbacks.Callback):
    """Runs one stage: sets the fade-in ``alpha`` of the stage's blocks from its progress (the
    larger of the share of its steps and the share of its seconds that have passed) and stops it
    at the end of either budget."""

    def __init__(self, fades: list[FadeIn], steps: int, seconds: float | None = None):
        super().__init__()
        self.fades = fades
        self.steps = max(int(steps), 1)
        self.seconds = seconds
        self.step = 0
        self.started = 0.0

    def progress(self) -> float:
        done = self.step / self.steps
        if self.seconds:
            done = max(done, (time.perf_counter() - self.started) / self.seconds)
        return done

    def alpha(self) -> float:
        return min(self.progress() / FADE_SHARE, 1.0)

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()
        self.step = 0
        for fade in self.fades:
            fade.alpha.assign(0.0)

    def on_train_batch_begin(self, batch, logs=None):
        alpha = self.alpha()
        for fade in self.fades:
            fade.alpha.assign(alpha)

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.progress() >= 1.0:
            self.model.stop_training = True
