"""Colourisation's training crops: random 128-pixel squares of photos, as (lightness, true ab).

The photos are scaled to the two training scales of ``data.py`` (shorter side 144 or 192) and
converted to Lab once; tf.data cuts random crops and flips half of them.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from showcase.errors import DataError
from showcase.image_to_image.data import TRAIN_SCALES, scaled
from showcase.image_to_image.lab import L_MAX, rgb_to_lab
from showcase.image_to_image.model import TRAIN_SIDE
from showcase.images import list_images, open_image


def training_photos(folders) -> list[np.ndarray]:
    """Every photo at every training scale, uint8 RGB."""
    photos = []
    for path in list_images(folders):
        photo = open_image(path).convert("RGB")
        photos.extend(np.asarray(scaled(photo, side)) for side in TRAIN_SCALES)
    if not photos:
        raise DataError(f"no photos found in {folders}")
    return photos


def colour_crops(photos: list[np.ndarray], batch_size: int, seed: int = 0) -> tf.data.Dataset:
    """Endless shuffled batches of (lightness (b, 128, 128, 1) in [-1, 1], ab (b, 128, 128, 2)
    in Lab units)."""
    labs = [rgb_to_lab(photo) for photo in photos]
    signature = tf.TensorSpec((None, None, 3), tf.float32)
    dataset = tf.data.Dataset.from_generator(lambda: iter(labs), output_signature=signature)

    def crop(lab):
        lab = tf.image.random_crop(lab, (TRAIN_SIDE, TRAIN_SIDE, 3))
        lab = tf.image.random_flip_left_right(lab)
        return lab[..., :1] / (L_MAX / 2) - 1.0, lab[..., 1:]

    return (
        dataset.cache()
        .shuffle(len(labs), seed=seed, reshuffle_each_iteration=True)
        .repeat()
        .map(crop, num_parallel_calls=tf.data.AUTOTUNE)
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
