"""Training and evaluation data for the captioner: synthetic scenes, or Flickr8k photos.

Scenes (the default, ``--data scenes``) come from :mod:`showcase.captioning.scenes`: rendered
with anti-aliasing at 64x64, every reference caption a training target (one (image, caption) pair
each), training seeds from ``TRAIN_SEEDS`` and held-out seeds from ``HELD_OUT_SEEDS``, which
training never draws from. Flickr8k (``--data DIR`` holding ``Flickr8k.token.txt``, the split
lists and an ``Flicker8k_Dataset``/``images`` folder of JPEGs) gives photos with five captions each.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from PIL import Image

from showcase.captioning import flickr8k, scenes
from showcase.captioning.vocabulary import SPECIAL_TOKENS, Vocabulary, tokenize
from showcase.errors import DataError
from showcase.images import open_image

SCENE_SIZE = 64
FLICKR_IMAGE_FOLDERS = ("Flicker8k_Dataset", "Flickr8k_Dataset", "images")


@dataclasses.dataclass
class CaptionedImages:
    """uint8 images (count, size, size, 3), their reference captions, and where they came from.

    ``scenes`` holds the Scene objects for synthetic data (the ground truth grounding checks use).
    """

    images: np.ndarray
    references: list[list[str]]
    source: str
    scenes: list | None = None

    def __len__(self) -> int:
        return len(self.references)

    def pairs(self) -> tuple[np.ndarray, list[str]]:
        """(image index per pair, caption per pair): one pair per reference caption."""
        indices = [i for i, captions in enumerate(self.references) for _ in captions]
        return np.array(indices), [c for captions in self.references for c in captions]


def scene_vocabulary() -> Vocabulary:
    """The fixed word list of scene captions: a model trained on scenes knows exactly these."""
    return Vocabulary([*SPECIAL_TOKENS, *scenes.VOCABULARY])


def render_scenes(found: list, size: int = SCENE_SIZE) -> np.ndarray:
    images = np.zeros((len(found), size, size, 3), np.uint8)
    for index, scene in enumerate(found):
        images[index] = np.asarray(scene.render(antialias=True))
    return images


SCENE_SEEDS = {
    "train": scenes.TRAIN_SEEDS,
    "validation": scenes.VALIDATION_SEEDS,
    "held_out": scenes.HELD_OUT_SEEDS,
}


def scene_split(count: int, part: str = "train", size: int = SCENE_SIZE) -> CaptionedImages:
    """The first ``count`` scenes of one seed range: "train", "validation" or "held_out"."""
    seeds = SCENE_SEEDS[part]
    if not 1 <= count <= len(seeds):
        raise DataError(f"between 1 and {len(seeds):,} {part} scenes, not {count:,}")
    found = scenes.make_scenes(seeds[:count], canvas=size)
    return CaptionedImages(
        render_scenes(found, size),
        [scene.captions() for scene in found],
        f"synthetic scenes, {part.replace('_', '-')} seeds {seeds[0]:,}-{seeds[count - 1]:,}",
        found,
    )


def flickr_images_dir(folder: Path) -> Path:
    for name in FLICKR_IMAGE_FOLDERS:
        if (folder / name).is_dir():
            return folder / name
    raise DataError(
        f"{folder} has the Flickr8k captions but no image folder "
        f"({' or '.join(FLICKR_IMAGE_FOLDERS)}); the images are not distributed with the text"
    )


def flickr_split(folder, split: str, size: int, limit: int | None = None) -> CaptionedImages:
    """A Flickr8k split: centre-cropped square photos at ``size`` px and their five captions."""
    folder = Path(folder).expanduser()
    captions = flickr8k.load_split(folder, split)
    images_dir = flickr_images_dir(folder)
    names = flickr8k.available_images(images_dir, list(captions))[:limit]
    pictures = np.zeros((len(names), size, size, 3), np.uint8)
    for index, name in enumerate(names):
        photo = open_image(flickr8k.image_path(images_dir, name))
        side = min(photo.size)
        left, top = (photo.width - side) // 2, (photo.height - side) // 2
        square = photo.crop((left, top, left + side, top + side))
        pictures[index] = np.asarray(square.resize((size, size), Image.BILINEAR))
    return CaptionedImages(
        pictures,
        [[" ".join(tokenize(c)) for c in captions[name]] for name in names],
        f"Flickr8k {split} ({len(names):,} photos in {images_dir})",
    )


def encode_pairs(data: CaptionedImages, vocabulary: Vocabulary, max_length: int):
    """(image index, input words, target words) arrays for teacher forcing.

    Input ``<start> w1 .. wn`` and target ``w1 .. wn <end>``, both padded to ``max_length``.
    """
    indices, captions = data.pairs()
    encoded = np.array([vocabulary.encode(c, max_length + 1) for c in captions], np.int32)
    return indices, encoded[:, :-1], encoded[:, 1:]
