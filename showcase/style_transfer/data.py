"""Photos for training fast style networks: any folder of images, as random crops in tf.data."""

from __future__ import annotations

import tensorflow as tf


def photo_crops(
    files: list[str], crop_size: int = 256, batch_size: int = 4, seed: int = 0, repeat: bool = True
):
    """Random crops at random scales, randomly flipped: (batch, crop, crop, 3), values 0..255.

    A photo's shorter side is scaled to 1-2.5 crop sizes, so the network sees whole scenes as
    well as close-ups, as it will at inference on photos of any size.
    """

    def load(path):
        image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        image = tf.cast(image, tf.float32)
        shortest = tf.cast(tf.reduce_min(tf.shape(image)[:2]), tf.float32)
        scale = tf.random.uniform([], 1.0, 2.5) * crop_size / shortest
        size = tf.cast(tf.round(tf.cast(tf.shape(image)[:2], tf.float32) * scale), tf.int32)
        image = tf.image.resize(image, tf.maximum(size, crop_size), antialias=True)
        image = tf.image.random_crop(image, [crop_size, crop_size, 3])
        return tf.clip_by_value(tf.image.random_flip_left_right(image), 0.0, 255.0)

    dataset = tf.data.Dataset.from_tensor_slices(files).shuffle(len(files), seed=seed)
    if repeat:
        dataset = dataset.repeat()
    return (
        dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
