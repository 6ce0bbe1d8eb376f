"""(drawing, photo) pairs from a folder of photos: the training crops and the held-out set.

Training photos are scaled so their shorter side is 144 or 192 pixels (two scales, so the model
sees both wide views and close-ups), their Canny drawings are computed once at each scale, and
tf.data cuts random 128-pixel crops of both at the same place, flips half of them, and thickens
half of the drawings' lines to two pixels (a 2 x 2 max filter on the ink).

The held-out set is every photo of a folder scaled to a shorter side of 128 and cropped to its
centre square: the photos, their drawings, and their file names.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import tensorflow as tf
from PIL import Image

from showcase.errors import DataError
from showcase.image_to_image.edges import canny_drawing, ink
from showcase.image_to_image.model import TRAIN_SIDE
from showcase.images import list_images, open_image

TRAIN_SCALES = (144, 192)


def scaled(image: Image.Image, shorter_side: int) -> Image.Image:
    width, height = image.size
    factor = shorter_side / min(width, height)
    size = (max(shorter_side, round(width * factor)), max(shorter_side, round(height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS)


def centre_square(image: Image.Image, side: int = TRAIN_SIDE) -> np.ndarray:
    """The photo scaled to a shorter side of ``side`` and cropped to its centre: uint8 RGB."""
    image = scaled(image.convert("RGB"), side)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    return np.asarray(image.crop((left, top, left + side, top + side)))


@dataclasses.dataclass
class HeldOut:
    photos: np.ndarray  # (count, 128, 128, 3) uint8
    drawings: np.ndarray  # (count, 128, 128) uint8
    names: list[str]

    def __len__(self) -> int:
        return len(self.names)


def held_out(folder: str | Path, limit: int | None = None) -> HeldOut:
    files = list_images(folder)[:limit]
    photos = np.stack([centre_square(open_image(path)) for path in files])
    return HeldOut(photos, np.stack([canny_drawing(photo) for photo in photos]),
                   [Path(path).name for path in files])  # fmt: skip


def training_pairs(folders) -> list[np.ndarray]:
    """Every photo at every training scale as one (h, w, 4) float32 array: ink, then RGB in
    [-1, 1]."""
    pairs = []
    for path in list_images(folders):
        photo = open_image(path)
        for side in TRAIN_SCALES:
            pixels = np.asarray(scaled(photo.convert("RGB"), side))
            pairs.append(
                np.concatenate(
                    [ink(canny_drawing(pixels)), pixels.astype(np.float32) / 127.5 - 1.0], axis=-1
                )
            )
    if not pairs:
        raise DataError(f"no photos found in {folders}")
    return pairs


def training_crops(pairs: list[np.ndarray], batch_size: int, seed: int = 0) -> tf.data.Dataset:
    """Endless shuffled batches of (ink (b, 128, 128, 1), photo (b, 128, 128, 3))."""
    signature = tf.TensorSpec((None, None, 4), tf.float32)
    dataset = tf.data.Dataset.from_generator(
        lambda: iter(pairs), output_signature=signature
    ).cache()  # fmt: skip

    def crop(pair):
        pair = tf.image.random_crop(pair, (TRAIN_SIDE, TRAIN_SIDE, 4))
        pair = tf.image.random_flip_left_right(pair)
        drawing, photo = pair[..., :1], pair[..., 1:]
        thick = tf.nn.max_pool2d(drawing[None], 2, 1, "SAME")[0]
        drawing = tf.cond(tf.random.uniform([]) < 0.5, lambda: thick, lambda: drawing)
        return drawing, photo

    return (
        dataset.shuffle(len(pairs), seed=seed, reshuffle_each_iteration=True)
        .repeat()
        .map(crop, num_parallel_calls=tf.data.AUTOTUNE)
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
