"""Class-conditional DCGAN for 28x28 digits.

Radford, Metz & Chintala (2015), "Unsupervised Representation Learning with Deep Convolutional
Generative Adversarial Networks": strided convolutions instead of pooling, batch normalisation,
ReLU in the generator with a tanh output, LeakyReLU (0.2) in the discriminator, Adam with learning
rate 2e-4 and beta1 0.5. Made class-conditional after Mirza & Osindero (2014), "Conditional
Generative Adversarial Nets".

What differs from the papers and why:
- The generator takes the class as a learned embedding concatenated with the noise (Mirza &
  Osindero feed a one-hot vector; an embedding is the same thing with a learned scale).
- The discriminator is a projection discriminator (Miyato & Koyama 2018, "cGANs with Projection
  Discriminator"): its score is ``w . h + embed(label) . h`` over its features ``h``, which
  conditions it more reliably than concatenating the label to the image.
- 28x28 output (7 -> 14 -> 28, two upsamplings) for MNIST; folders of pictures get the paper's
  64x64 (4 -> 8 -> 16 -> 32 -> 64, channels 1024 -> 512 -> 256 -> 128 at width 64).
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops
from PIL import Image

PACKAGE = "showcase.dcgan"
NOISE_DIM = 100
CLASSES = 10


def upsamplings(image_size: int) -> tuple[int, int]:
    """(start size, number of 2x upsamplings): 28 -> (7, 2), 32 -> (4, 3), 64 -> (4, 4)."""
    size, steps = image_size, 0
    while size % 2 == 0 and size // 2 >= 4:
        size, steps = size // 2, steps + 1
    if steps == 0 or size > 7:
        raise ValueError(f"image size {image_size} is not 4..7 times a power of two (28, 32, 64)")
    return size, steps


def build_generator(
    noise_dim: int = NOISE_DIM,
    classes: int = CLASSES,
    width: int = 64,
    image_size: int = 28,
    channels: int = 1,
):
    """(noise, label) -> (image_size, image_size, channels) image in [-1, 1].

    A projection to ``start x start x width*2^steps`` maps, then ``steps`` strided transposed
    convolutions that halve the channels and double the size; the last one emits the image.
    """
    start, steps = upsamplings(image_size)
    noise = keras.Input(shape=(noise_dim,), name="noise")
    label = keras.Input(shape=(), dtype="int32", name="label")
    embedded = layers.Embedding(classes, 32, name="label_embedding")(label)
    x = layers.Concatenate(name="noise_and_label")([noise, embedded])
    maps = width * 2**steps
    x = layers.Dense(start * start * maps, use_bias=False, name="project")(x)
    x = layers.BatchNormalization(name="project_bn")(x)
    x = layers.ReLU(name="project_relu")(x)
    x = layers.Reshape((start, start, maps), name="to_maps")(x)
    for step in range(1, steps):
        maps //= 2
        x = layers.Conv2DTranspose(
            maps, 4, strides=2, padding="same", use_bias=False, name=f"up{step}"
        )(x)
        x = layers.BatchNormalization(name=f"up{step}_bn")(x)
        x = layers.ReLU(name=f"up{step}_relu")(x)
    x = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", name=f"up{steps}")(x)
    image = layers.Activation("tanh", dtype="float32", name="image")(x)
    return keras.Model([noise, label], image, name="generator")


@keras.saving.register_keras_serializable(package=PACKAGE)
class ProjectionScore(layers.Layer):
    """``dense(h) + <embed(label), h>``: the projection discriminator's output logit."""

    def __init__(self, classes: int = CLASSES, **kwargs):
        super().__init__(**kwargs)
        self.classes = classes

    def build(self, input_shape):
        features = input_shape[0][-1]
        self.dense = layers.Dense(1, name="unconditional")
        self.dense.build((None, features))
        self.embedding = self.add_weight(
            shape=(self.classes, features), initializer="glorot_uniform", name="class_embedding"
        )

    def call(self, inputs):
        features, label = inputs
        projected = ops.take(self.embedding, ops.cast(label, "int32"), axis=0)
        return self.dense(features) + ops.sum(projected * features, axis=-1, keepdims=True)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], 1)

    def get_config(self):
        return {**super().get_config(), "classes": self.classes}


def build_discriminator(
    classes: int = CLASSES, width: int = 64, image_size: int = 28, channels: int = 1
):
    """(image in [-1, 1], label) -> real/fake logit; mirrors the generator with strided convs."""
    _, steps = upsamplings(image_size)
    image = keras.Input(shape=(image_size, image_size, channels), name="image")
    label = keras.Input(shape=(), dtype="int32", name="label")
    x = image
    for step in range(1, steps + 1):
        first = step == 1
        x = layers.Conv2D(
            width * 2 ** (step - 1),
            4,
            strides=2,
            padding="same",
            use_bias=first,
            name=f"down{step}",
        )(x)
        if not first:  # no batch norm on the input layer (paper)
            x = layers.BatchNormalization(name=f"down{step}_bn")(x)
        x = layers.LeakyReLU(0.2, name=f"down{step}_lrelu")(x)
    features = layers.Flatten(name="features")(x)
    logit = ProjectionScore(classes, name="score")([features, label])
    return keras.Model([image, label], logit, name="discriminator")


class ConditionalGAN(keras.Model):
    """Trains generator and discriminator in turn: a ``keras.Model`` with a custom ``train_step``.

    ``fit`` takes (images in [-1, 1], labels) batches.
    """

    def __init__(self, generator, discriminator, noise_dim: int = NOISE_DIM, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.noise_dim = noise_dim
        self.d_tracker = keras.metrics.Mean(name="d_loss")
        self.g_tracker = keras.metrics.Mean(name="g_loss")
        self.seed_generator = keras.random.SeedGenerator(0)
        # Its weights are the two networks', built already; a distributed fit would otherwise
        # try to build it by calling it on a batch of images (it is called on noise).
        self.built = True

    def compile(self, d_optimizer=None, g_optimizer=None, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        # Their slots now, under the caller's strategy scope: made inside a distributed step
        # they would be per-replica values the step cannot create.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self):
        return [self.d_tracker, self.g_tracker]

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def train_step(self, data):
        images, labels = data
        batch = ops.shape(images)[0]
        # Replicas' gradients are summed: each replica's loss counts 1/replicas (1 on one device).
        share = 1.0 / tf.distribute.get_strategy().num_replicas_in_sync
        noise = keras.random.normal((batch, self.noise_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            fakes = self.generator([noise, labels], training=True)
            real_logits = self.discriminator([images, labels], training=True)
            fake_logits = self.discriminator([fakes, labels], training=True)
            d_loss = _bce(ops.ones_like(real_logits), real_logits) + _bce(
                ops.zeros_like(fake_logits), fake_logits
            )
            d_share = self.d_optimizer.scale_loss(d_loss * share)
        variables = self.discriminator.trainable_variables
        gradients = tape.gradient(d_share, variables)
        self.d_optimizer.apply_gradients(zip(gradients, variables, strict=True))

        noise = keras.random.normal((batch, self.noise_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            fakes = self.generator([noise, labels], training=True)
            fake_logits = self.discriminator([fakes, labels], training=True)
            # The non-saturating generator loss of Goodfellow et al. (2014).
            g_loss = _bce(ops.ones_like(fake_logits), fake_logits)
            g_share = self.g_optimizer.scale_loss(g_loss * share)
        variables = self.generator.trainable_variables
        gradients = tape.gradient(g_share, variables)
        self.g_optimizer.apply_gradients(zip(gradients, variables, strict=True))

        self.d_tracker.update_state(d_loss)
        self.g_tracker.update_state(g_loss)
        return {"d_loss": self.d_tracker.result(), "g_loss": self.g_tracker.result()}


def _bce(targets, logits):
    logits = ops.cast(logits, "float32")  # float16 under mixed precision
    return ops.mean(keras.losses.binary_crossentropy(targets, logits, from_logits=True))


def to_uint8(images):
    """Generator output in [-1, 1], (count, h, w, c) -> uint8 (count, h, w) grey or (.., 3)."""
    images = np.asarray(images)
    if images.shape[-1] == 1:
        images = images[..., 0]
    return np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def grid(images, columns: int, gap: int = 2):
    """uint8 (count, h, w[, 3]) -> one picture, row by row, with black gaps between tiles."""
    count, height, width = images.shape[:3]
    rows = -(-count // columns)
    canvas = np.zeros(
        (rows * (height + gap) - gap, columns * (width + gap) - gap, *images.shape[3:]), np.uint8
    )
    for index, image in enumerate(images):
        top, left = (index // columns) * (height + gap), (index % columns) * (width + gap)
        canvas[top : top + height, left : left + width] = image
    return canvas


def classes_of(generator) -> int:
    """How many classes a generator was trained with (1: unconditional)."""
    return int(generator.get_layer("label_embedding").input_dim)


class SampleGridCallback(keras.callbacks.Callback):
    """Saves a grid of generated images (one row per class, fixed noise) after every epoch."""

    def __init__(self, folder, per_class: int = 10, seed: int = 0):
        super().__init__()
        self.folder = folder
        self.per_class = per_class
        self.seed = seed

    def on_epoch_end(self, epoch, logs=None):
        generator = self.model.generator
        classes = classes_of(generator)
        rows = classes if classes > 1 else self.per_class
        rng = np.random.default_rng(self.seed)
        noise = rng.standard_normal((rows * self.per_class, generator.input[0].shape[-1]))
        labels = np.repeat(np.arange(rows) % classes, self.per_class).astype("int32")
        images = generator([noise.astype("float32"), labels], training=False)
        folder = Path(self.folder)
        folder.mkdir(parents=True, exist_ok=True)
        picture = grid(to_uint8(images), self.per_class)
        Image.fromarray(picture).save(folder / f"epoch_{epoch + 1:03d}.png")
