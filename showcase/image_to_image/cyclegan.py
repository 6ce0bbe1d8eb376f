"""CycleGAN: Zhu, Park, Isola & Efros (2017), "Unpaired Image-to-Image Translation using
Cycle-Consistent Adversarial Networks".

Two generators, G: photo -> painting and F: painting -> photo, and two discriminators, D_B
(is this a real painting?) and D_A (a real photo?), trained on two sets of pictures that are *not*
paired. Each generator tries to fool its discriminator (LSGAN: least squares, not log loss); a
photo taken round the cycle, F(G(a)), must come back to itself, and so must a painting, G(F(b))
(the cycle loss, weight lambda 10, L1); a generator given a picture already in its target domain
should leave it alone (the identity loss, weight lambda / 2, which the paper uses for photo <->
painting to keep colours). Each discriminator is shown, half of the time, one of the last 50
generated pictures instead of the newest (the image pool of Shrivastava et al. 2017), so it does
not chase the generator's latest trick; its loss is halved, as in the paper.

- **Generator** (the paper's for 128-pixel pictures, Johnson et al. 2016): c7s1-k, d2k, d4k,
  six residual blocks of 4k filters, u2k, uk, c7s1-3 with tanh; reflection padding; instance
  normalisation (``GroupNormalization(groups=-1)``; the keras-io recipe's
  tensorflow_addons is dead).
- **Discriminator**: the 70x70 PatchGAN of ``model.py``, unconditional (it sees one picture).

Changed from the paper, for two CPU cores:

- half the widths (k = 32, not 64; the discriminators' first layer 32, not 64);
- trained on random 64-pixel crops of 144-pixel pictures and applied to whole 128-pixel ones
  (both networks are convolutional): a 128-pixel step costs four times as much and we have
  minutes, not the paper's 200 epochs on a GPU; crops at full scale keep the brush strokes'
  size, where shrinking the pictures to 64 pixels would blur them away;
- batches of 4, not 1 (two cores are faster per picture with more at once; instance
  normalisation makes each picture's forward pass the same either way);
- a constant learning rate (the paper decays it linearly to 0 over its second 100 epochs).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers, ops

from showcase.image_to_image.model import instance_norm, patchgan_verdicts
from showcase.padding import ReflectionPadding2D

RESIDUAL_BLOCKS = 6  # the paper's for 128 x 128 pictures (9 for 256 x 256)
CYCLE_WEIGHT = 10.0  # lambda
IDENTITY_WEIGHT = 0.5  # x lambda
POOL_SIZE = 50
PHOTO_TO_PAINTING = "photo_to_painting"  # G
PAINTING_TO_PHOTO = "painting_to_photo"  # F
PAIRED_NAME = "paired_photo_to_painting"  # pix2pix's objective on this generator: the upper bound


def _conv_norm_relu(x, filters, size, name, strides=1):
    if strides == 1 and size > 1:
        x = ReflectionPadding2D(size // 2, name=f"{name}_pad")(x)
        padding = "valid"
    else:
        padding = "same"
    x = layers.Conv2D(filters, size, strides=strides, padding=padding, use_bias=False, name=name)(x)
    x = instance_norm(f"{name}_norm")(x)
    return layers.ReLU(name=f"{name}_act")(x)


def _residual_block(x, filters, name):
    y = _conv_norm_relu(x, filters, 3, f"{name}_a")
    y = ReflectionPadding2D(1, name=f"{name}_b_pad")(y)
    y = layers.Conv2D(filters, 3, use_bias=False, name=f"{name}_b")(y)
    y = instance_norm(f"{name}_b_norm")(y)
    return layers.Add(name=name)([x, y])


def build_resnet_generator(width: int = 32, blocks: int = RESIDUAL_BLOCKS, name: str = "generator"):
    """(batch, h, w, 3) in [-1, 1] -> the same size in [-1, 1]; h and w multiples of 4."""
    picture = keras.Input((None, None, 3), name="picture")
    x = _conv_norm_relu(picture, width, 7, "c7s1")
    x = _conv_norm_relu(x, width * 2, 3, "d2k", strides=2)
    x = _conv_norm_relu(x, width * 4, 3, "d4k", strides=2)
    for index in range(blocks):
        x = _residual_block(x, width * 4, f"r{index + 1}")
    for filters, label in ((width * 2, "u2k"), (width, "uk")):
        x = layers.Conv2DTranspose(
            filters, 3, strides=2, padding="same", use_bias=False, name=label
        )(x)
        x = instance_norm(f"{label}_norm")(x)
        x = layers.ReLU(name=f"{label}_act")(x)
    x = ReflectionPadding2D(3, name="out_pad")(x)
    translated = layers.Conv2D(3, 7, activation="tanh", name="translated")(x)
    return keras.Model(picture, translated, name=name)


def build_picture_critic(width: int = 32, name: str = "critic") -> keras.Model:
    """The unconditional 70x70 PatchGAN: (batch, h, w, 3) -> a grid of real/fake scores."""
    picture = keras.Input((None, None, 3), name="picture")
    return keras.Model(picture, patchgan_verdicts(picture, width), name=name)


def build_cyclegan(width: int = 32, blocks: int = RESIDUAL_BLOCKS) -> keras.Model:
    """Both generators in one model (what a checkpoint ships): (photos, paintings) ->
    (G(photos), F(paintings)). Each is a layer of it, by name (``PHOTO_TO_PAINTING``,
    ``PAINTING_TO_PHOTO``)."""
    return join_generators(
        build_resnet_generator(width, blocks, PHOTO_TO_PAINTING),
        build_resnet_generator(width, blocks, PAINTING_TO_PHOTO),
    )


def join_generators(to_painting: keras.Model, to_photo: keras.Model) -> keras.Model:
    photos = keras.Input((None, None, 3), name="photos")
    paintings = keras.Input((None, None, 3), name="paintings")
    return keras.Model(
        [photos, paintings], [to_painting(photos), to_photo(paintings)], name="cyclegan"
    )


def generators(cyclegan: keras.Model) -> tuple[keras.Model, keras.Model]:
    """(G: photo -> painting, F: painting -> photo) of a model from :func:`build_cyclegan`."""
    return cyclegan.get_layer(PHOTO_TO_PAINTING), cyclegan.get_layer(PAINTING_TO_PHOTO)


def is_cyclegan(model) -> bool:
    return getattr(model, "name", "") == "cyclegan"


def is_painter(model) -> bool:
    """CycleGAN's pair of generators, or the paired photo -> painting generator."""
    return is_cyclegan(model) or getattr(model, "name", "") == PAIRED_NAME


class ImagePool:
    """The last ``size`` generated pictures. ``swap(batch)`` returns, picture by picture, the new
    one (while the pool fills, and half of the time after) or an older one it replaces.

    Kept in TensorFlow variables so it works inside a traced training step.
    """

    def __init__(self, size: int, picture_shape: tuple[int, int, int], seed: int = 0):
        self.size = size
        self.pictures = tf.Variable(tf.zeros((size, *picture_shape)), trainable=False)
        self.filled = tf.Variable(0, trainable=False, dtype=tf.int32)
        self.random = tf.random.Generator.from_seed(seed)

    def swap(self, batch, count: int):
        """``batch``: ``count`` pictures (the training batch size: a traced step's batch
        dimension is unknown)."""
        batch = tf.cast(batch, self.pictures.dtype)
        shown = []
        for index in range(count):
            picture = batch[index]
            filling = self.filled < self.size
            slot = tf.where(
                filling, self.filled, self.random.uniform((), 0, self.size, dtype=tf.int32)
            )
            take_old = tf.logical_and(~filling, self.random.uniform(()) < 0.5)
            old = self.pictures[slot]
            shown.append(tf.where(take_old, old, picture))
            # Filling: the new picture goes in. Full: it replaces the old one it was swapped for.
            store = tf.logical_or(filling, take_old)
            self.pictures.scatter_nd_update([[slot]], [tf.where(store, picture, old)])
            self.filled.assign(tf.minimum(self.filled + 1, self.size))
        return tf.stack(shown)


def _least_squares(scores, target: float):
    return ops.mean(ops.square(ops.cast(scores, "float32") - target))


class CycleGANTrainer(keras.Model):
    """Trains G, F, D_A and D_B on batches of (photos, paintings), unpaired.

    Only the generators are shipped (:func:`join_generators`); this wrapper is never saved.
    """

    def __init__(
        self,
        to_painting: keras.Model,
        to_photo: keras.Model,
        photo_critic: keras.Model,
        painting_critic: keras.Model,
        crop: int,
        batch_size: int,
        cycle_weight: float = CYCLE_WEIGHT,
        identity_weight: float = IDENTITY_WEIGHT,
        seed: int = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.to_painting, self.to_photo = to_painting, to_photo
        self.photo_critic, self.painting_critic = photo_critic, painting_critic
        self.cycle_weight = cycle_weight
        self.identity_weight = identity_weight
        shape = (crop, crop, 3)
        self.painting_pool = ImagePool(POOL_SIZE, shape, seed)
        self.photo_pool = ImagePool(POOL_SIZE, shape, seed + 1)
        self.batch_size = batch_size
        names = ("g_gan", "f_gan", "cycle", "identity", "d_photo", "d_painting")
        self.trackers = {name: keras.metrics.Mean(name=name) for name in names}

    def compile(self, g_optimizer, d_optimizer, **kwargs):
        super().compile(**kwargs)
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, photos, training=False):
        return self.to_painting(photos, training=training)

    def train_step(self, data):
        photos, paintings = data
        generators = self.to_painting.trainable_variables + self.to_photo.trainable_variables
        with tf.GradientTape() as tape:
            fake_paintings = self.to_painting(photos, training=True)
            fake_photos = self.to_photo(paintings, training=True)
            back_photos = self.to_photo(fake_paintings, training=True)
            back_paintings = self.to_painting(fake_photos, training=True)
            g_gan = _least_squares(self.painting_critic(fake_paintings, training=True), 1.0)
            f_gan = _least_squares(self.photo_critic(fake_photos, training=True), 1.0)
            cycle = ops.mean(ops.abs(back_photos - photos)) + ops.mean(
                ops.abs(back_paintings - paintings)
            )
            identity = ops.mean(
                ops.abs(self.to_painting(paintings, training=True) - paintings)
            ) + ops.mean(ops.abs(self.to_photo(photos, training=True) - photos))
            g_loss = (
                g_gan
                + f_gan
                + self.cycle_weight * cycle
                + self.identity_weight * self.cycle_weight * identity
            )
        self.g_optimizer.apply_gradients(
            zip(tape.gradient(g_loss, generators), generators, strict=True)
        )
        shown_paintings = self.painting_pool.swap(fake_paintings, self.batch_size)
        shown_photos = self.photo_pool.swap(fake_photos, self.batch_size)
        critics = self.photo_critic.trainable_variables + self.painting_critic.trainable_variables
        with tf.GradientTape() as tape:
            d_painting = 0.5 * (
                _least_squares(self.painting_critic(paintings, training=True), 1.0)
                + _least_squares(self.painting_critic(shown_paintings, training=True), 0.0)
            )
            d_photo = 0.5 * (
                _least_squares(self.photo_critic(photos, training=True), 1.0)
                + _least_squares(self.photo_critic(shown_photos, training=True), 0.0)
            )
            d_loss = d_painting + d_photo
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, critics), critics, strict=True))
        for name, value in (("g_gan", g_gan), ("f_gan", f_gan), ("cycle", cycle),
                            ("identity", identity), ("d_photo", d_photo),
                            ("d_painting", d_painting)):  # fmt: skip
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}
