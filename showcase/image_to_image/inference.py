"""Pictures in, pictures out: the one inference path the API, the evaluation and the UI share
(drawings to pictures; pictures to pictures for photo <-> painting)."""

from __future__ import annotations

import numpy as np

from showcase.image_to_image.edges import ink

BATCH = 16


def pictures_from_drawings(generator, drawings: np.ndarray) -> np.ndarray:
    """(n, h, w) uint8 drawings -> (n, h, w, 3) uint8 pictures; h and w multiples of 128."""
    drawings = np.asarray(drawings)
    pictures = []
    for start in range(0, len(drawings), BATCH):
        batch = np.stack([ink(drawing) for drawing in drawings[start : start + BATCH]])
        made = np.asarray(generator(batch, training=False))
        pictures.append(np.clip(np.round((made + 1.0) * 127.5), 0, 255).astype(np.uint8))
    if not pictures:
        return np.zeros((0, *drawings.shape[1:3], 3), np.uint8)
    return np.concatenate(pictures)


def translated(generator, pictures: np.ndarray) -> np.ndarray:
    """(n, h, w, 3) uint8 -> the generator's (n, h, w, 3) uint8, a batch at a time."""
    made = [
        np.asarray(generator(pictures[start : start + BATCH] / 127.5 - 1.0, training=False))
        for start in range(0, len(pictures), BATCH)
    ]
    return np.clip(np.round((np.concatenate(made) + 1.0) * 127.5), 0, 255).astype(np.uint8)
