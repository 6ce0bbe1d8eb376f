"""Photo <-> painting data: unpaired crops for CycleGAN, paired crops for its pix2pix upper
bound, and the held-out photos with their true painted versions.

Domain A is a folder of photos (each scaled to a shorter side of 144); domain B a folder of
painted photos made by ``painted.py`` from *other* photos. tf.data cuts random ``crop``-pixel
squares of each, at full scale, and flips half of them. The paired set is domain B's renders with
the photos they were painted from (the same crop of both).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import tensorflow as tf

from showcase.errors import DataError
from showcase.image_to_image.data import TRAIN_SCALES, centre_square, scaled
from showcase.image_to_image.painted import rendered, rendered_name
from showcase.images import list_images, open_image

CROP = 64
PHOTO_SCALE = TRAIN_SCALES[0]  # 144: the size domain B is rendered at


def _as_signed(pixels: np.ndarray) -> np.ndarray:
    return pixels.astype(np.float32) / 127.5 - 1.0


def domain_photos(folders) -> list[np.ndarray]:
    """Domain A: every photo scaled to a shorter side of 144, in [-1, 1]."""
    return [
        _as_signed(np.asarray(scaled(open_image(path).convert("RGB"), PHOTO_SCALE)))
        for path in list_images(folders)
    ]


def painted_photos(folder) -> list[np.ndarray]:
    """Domain B: the renders of a ``painted.py`` folder, in [-1, 1]."""
    rendered(folder)  # a clear error when the folder holds no renders
    return [_as_signed(np.asarray(open_image(path).convert("RGB"))) for path in list_images(folder)]


def paired_photos(renders_folder, photo_folders) -> list[np.ndarray]:
    """Each render of domain B with the photo it was painted from, as one (h, w, 6) array in
    [-1, 1]: photo, then painting."""
    renders = Path(renders_folder).expanduser()
    side = int(rendered(renders)["side"])
    by_name = {rendered_name(path): path for path in list_images(photo_folders)}
    pairs = []
    for render in list_images(renders):
        source = by_name.get(Path(render).name)
        if source is None:
            raise DataError(f"no photo in {photo_folders} was painted into {Path(render).name}")
        photo = centre_square(open_image(source), side)
        painting = np.asarray(open_image(render).convert("RGB"))
        pairs.append(np.concatenate([_as_signed(photo), _as_signed(painting)], axis=-1))
    return pairs


def _crops(pictures: list[np.ndarray], channels: int, crop: int, seed: int) -> tf.data.Dataset:
    signature = tf.TensorSpec((None, None, channels), tf.float32)
    dataset = tf.data.Dataset.from_generator(lambda: iter(pictures), output_signature=signature)

    def cut(picture):
        picture = tf.image.random_crop(picture, (crop, crop, channels))
        return tf.image.random_flip_left_right(picture)

    return (
        dataset.cache()
        .shuffle(len(pictures), seed=seed, reshuffle_each_iteration=True)
        .repeat()
        .map(cut, num_parallel_calls=tf.data.AUTOTUNE)
    )


def unpaired_crops(photos, paintings, batch_size: int, crop: int = CROP, seed: int = 0):
    """Endless batches of (photos (b, crop, crop, 3), paintings (b, crop, crop, 3)), drawn
    independently: no photo is paired with its painting."""
    if not photos or not paintings:
        raise DataError("both domains need pictures")
    both = tf.data.Dataset.zip(
        (_crops(photos, 3, crop, seed), _crops(paintings, 3, crop, seed + 1))
    )
    return both.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def paired_crops(pairs, batch_size: int, crop: int = CROP, seed: int = 0):
    """Endless batches of (photos, their paintings), the same crop of both."""
    if not pairs:
        raise DataError("no (photo, painting) pairs")
    return (
        _crops(pairs, 6, crop, seed)
        .map(lambda pair: (pair[..., :3], pair[..., 3:]))
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )


@dataclasses.dataclass
class PaintedHeldOut:
    photos: np.ndarray  # (count, side, side, 3) uint8
    paintings: np.ndarray  # the same photos painted (their true targets)
    names: list[str]

    def __len__(self) -> int:
        return len(self.names)


def painted_held_out(photo_folder, renders_folder, limit: int | None = None) -> PaintedHeldOut:
    """The held-out photos (centre squares at the renders' side) beside their renders; only
    photos that have a render count."""
    renders = Path(renders_folder).expanduser()
    side = int(rendered(renders)["side"])
    photos, paintings, names = [], [], []
    for path in list_images(photo_folder):
        render = renders / rendered_name(path)
        if not render.exists():
            continue
        photos.append(centre_square(open_image(path), side))
        paintings.append(np.asarray(open_image(render).convert("RGB")))
        names.append(Path(path).name)
        if limit and len(names) == limit:
            break
    if not names:
        raise DataError(f"none of the photos in {photo_folder} has a render in {renders}")
    return PaintedHeldOut(np.stack(photos), np.stack(paintings), names)
