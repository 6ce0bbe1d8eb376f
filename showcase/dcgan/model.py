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
- 28x28 output (7 -> 14 -> 28) instead of the paper's 64x64, for MNIST.
"""

from __future__ import annotations

import keras
from keras import layers, ops

PACKAGE = "showcase.dcgan"
NOISE_DIM = 100
CLASSES = 10


def build_generator(noise_dim: int = NOISE_DIM, classes: int = CLASSES, width: int = 64):
    """(noise, label) -> (28, 28, 1) image in [-1, 1]."""
    noise = keras.Input(shape=(noise_dim,), name="noise")
    label = keras.Input(shape=(), dtype="int32", name="label")
    embedded = layers.Embedding(classes, 32, name="label_embedding")(label)
    x = layers.Concatenate(name="noise_and_label")([noise, embedded])
    x = layers.Dense(7 * 7 * 4 * width, use_bias=False, name="project")(x)
    x = layers.BatchNormalization(name="project_bn")(x)
    x = layers.ReLU(name="project_relu")(x)
    x = layers.Reshape((7, 7, 4 * width), name="to_maps")(x)
    x = layers.Conv2DTranspose(2 * width, 4, strides=2, padding="same", use_bias=False, name="up1")(
        x
    )
    x = layers.BatchNormalization(name="up1_bn")(x)
    x = layers.ReLU(name="up1_relu")(x)
    x = layers.Conv2DTranspose(1, 4, strides=2, padding="same", name="up2")(x)
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


def build_discriminator(classes: int = CLASSES, width: int = 64):
    """(image in [-1, 1], label) -> real/fake logit."""
    image = keras.Input(shape=(28, 28, 1), name="image")
    label = keras.Input(shape=(), dtype="int32", name="label")
    x = layers.Conv2D(width, 4, strides=2, padding="same", name="down1")(image)
    x = layers.LeakyReLU(0.2, name="down1_lrelu")(x)  # no batch norm on the input layer (paper)
    x = layers.Conv2D(2 * width, 4, strides=2, padding="same", use_bias=False, name="down2")(x)
    x = layers.BatchNormalization(name="down2_bn")(x)
    x = layers.LeakyReLU(0.2, name="down2_lrelu")(x)
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

    def compile(self, d_optimizer=None, g_optimizer=None, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)

    @property
    def metrics(self):
        return [self.d_tracker, self.g_tracker]

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def train_step(self, data):
        import tensorflow as tf

        images, labels = data
        batch = ops.shape(images)[0]
        noise = keras.random.normal((batch, self.noise_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            fakes = self.generator([noise, labels], training=True)
            real_logits = self.discriminator([images, labels], training=True)
            fake_logits = self.discriminator([fakes, labels], training=True)
            d_loss = _bce(ops.ones_like(real_logits), real_logits) + _bce(
                ops.zeros_like(fake_logits), fake_logits
            )
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(
            zip(tape.gradient(d_loss, variables), variables, strict=True)
        )

        noise = keras.random.normal((batch, self.noise_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            fakes = self.generator([noise, labels], training=True)
            fake_logits = self.discriminator([fakes, labels], training=True)
            # The non-saturating generator loss of Goodfellow et al. (2014).
            g_loss = _bce(ops.ones_like(fake_logits), fake_logits)
        variables = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(
            zip(tape.gradient(g_loss, variables), variables, strict=True)
        )

        self.d_tracker.update_state(d_loss)
        self.g_tracker.update_state(g_loss)
        return {"d_loss": self.d_tracker.result(), "g_loss": self.g_tracker.result()}


def _bce(targets, logits):
    return ops.mean(keras.losses.binary_crossentropy(targets, logits, from_logits=True))


def to_uint8(images):
    """Generator output in [-1, 1], (count, 28, 28, 1) -> uint8 (count, 28, 28)."""
    import numpy as np

    pixels = (np.asarray(images)[..., 0] + 1.0) * 127.5
    return np.clip(np.round(pixels), 0, 255).astype(np.uint8)


def grid(images, columns: int):
    """uint8 (count, h, w) -> one (rows*h, columns*w) picture, row by row, 2 px gaps."""
    import numpy as np

    count, height, width = images.shape
    rows = -(-count // columns)
    canvas = np.zeros((rows * (height + 2) - 2, columns * (width + 2) - 2), np.uint8)
    for index, image in enumerate(images):
        top, left = (index // columns) * (height + 2), (index % columns) * (width + 2)
        canvas[top : top + height, left : left + width] = image
    return canvas


class SampleGridCallback(keras.callbacks.Callback):
    """Saves a grid of generated digits (one row per class, fixed noise) after every epoch."""

    def __init__(self, folder, per_class: int = 10, seed: int = 0):
        super().__init__()
        import numpy as np

        self.folder = folder
        rng = np.random.default_rng(seed)
        self.noise = rng.standard_normal((CLASSES * per_class, NOISE_DIM)).astype("float32")
        self.labels = np.repeat(np.arange(CLASSES), per_class).astype("int32")
        self.per_class = per_class

    def on_epoch_end(self, epoch, logs=None):
        from pathlib import Path

        from PIL import Image

        folder = Path(self.folder)
        folder.mkdir(parents=True, exist_ok=True)
        images = self.model.generator([self.noise, self.labels], training=False)
        picture = grid(to_uint8(images), self.per_class)
        Image.fromarray(picture).save(folder / f"epoch_{epoch + 1:03d}.png")
