"""Images for the DCGAN: MNIST (IDX files or keras.datasets), or any folder of pictures.

The shipped checkpoint is trained on the MNIST *test* set, the only part available offline here,
split with a fixed seed into 8,000 training and 2,000 held-out digits. ``keras.datasets``' MNIST
test set is the same 10,000 digits, so a user with internet reproduces that split exactly without
the IDX files. A folder of ordinary pictures (faces, say) trains an unconditional GAN: every
picture gets the one label 0.
"""

from __future__ import annotations

import dataclasses
import gzip
import struct
from pathlib import Path

import keras
import numpy as np
from PIL import Image, UnidentifiedImageError

from showcase.errors import DataError
from showcase.images import to_rgb

IMAGES_FILE = "t10k-images-idx3-ubyte.gz"
LABELS_FILE = "t10k-labels-idx1-ubyte.gz"
SPLIT_SEED = 2015
HELD_OUT = 2000
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif")
MAX_PICTURES = 50_000


@dataclasses.dataclass
class ImageSet:
    """uint8 images, (count, h, w) grey or (count, h, w, 3) colour; int labels; their origin."""

    images: np.ndarray
    labels: np.ndarray
    source: str
    classes: int = 10

    def __len__(self) -> int:
        return len(self.labels)

    def take(self, indices, source: str) -> ImageSet:
        return ImageSet(self.images[indices], self.labels[indices], source, self.classes)


def _read_idx(path: Path, magic: int) -> np.ndarray:
    """An IDX array (gzip or plain): big-endian header of dimension sizes, then uint8 data."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            data = handle.read()
    except (OSError, EOFError) as err:
        raise DataError(f"{path} could not be read ({err})") from None
    if len(data) < 4 or struct.unpack(">I", data[:4])[0] != magic:
        raise DataError(f"{path} is not an IDX file of the expected kind")
    dimensions = data[3]
    shape = struct.unpack(f">{dimensions}I", data[4 : 4 + 4 * dimensions])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dimensions)
    if body.size != int(np.prod(shape)):
        raise DataError(f"{path} is truncated: expected {int(np.prod(shape))} values")
    return body.reshape(shape)


def _idx_pair(folder: Path) -> tuple[Path, Path] | None:
    for prefix in ("t10k", "train"):
        for suffix in (".gz", ""):
            images = folder / f"{prefix}-images-idx3-ubyte{suffix}"
            labels = folder / f"{prefix}-labels-idx1-ubyte{suffix}"
            if images.is_file() and labels.is_file():
                return images, labels
    return None


def read_idx_folder(folder) -> ImageSet:
    """MNIST in its original IDX format (``t10k-*`` or ``train-*`` images and labels)."""
    folder = Path(folder).expanduser()
    pair = _idx_pair(folder)
    if pair is None:
        raise DataError(f"{folder} holds no MNIST IDX files ({IMAGES_FILE} and {LABELS_FILE})")
    images = _read_idx(pair[0], 0x803)
    labels = _read_idx(pair[1], 0x801).astype(np.int64)
    if len(images) != len(labels):
        raise DataError(f"{folder}: {len(images)} images but {len(labels)} labels")
    return ImageSet(images, labels, f"MNIST IDX files in {folder}")


def read_picture_folder(folder, image_size: int = 64) -> ImageSet:
    """Every picture under ``folder``, centre-cropped square and resized to ``image_size``.

    Grey if every picture is grey, else RGB. One class: the GAN it trains is unconditional.
    """
    folder = Path(folder).expanduser()
    paths = sorted(p for p in folder.rglob("*") if p.suffix.lower() in PICTURE_SUFFIXES)
    if not paths:
        raise DataError(f"{folder} holds no pictures ({', '.join(PICTURE_SUFFIXES)})")
    pictures, all_grey, skipped = [], True, 0
    for path in paths[:MAX_PICTURES]:
        try:
            with Image.open(path) as opened:
                opened.load()
                all_grey &= opened.mode in ("L", "1", "I;16", "I")
                picture = to_rgb(opened)
        except (UnidentifiedImageError, OSError, ValueError):
            skipped += 1
            continue
        side = min(picture.size)
        left, top = (picture.width - side) // 2, (picture.height - side) // 2
        square = picture.crop((left, top, left + side, top + side))
        pictures.append(np.asarray(square.resize((image_size, image_size), Image.LANCZOS)))
    if len(pictures) < 2:
        raise DataError(f"{folder}: fewer than 2 readable pictures ({skipped} unreadable)")
    images = np.stack(pictures)
    if all_grey:
        images = images[..., 0]
    note = f", {skipped} unreadable skipped" if skipped else ""
    return ImageSet(
        images, np.zeros(len(images), np.int64), f"{len(images)} pictures in {folder}{note}", 1
    )


def _keras_mnist(part: str) -> ImageSet:
    try:
        train, test = keras.datasets.mnist.load_data()
    except Exception as err:  # noqa: BLE001 - network errors vary by platform
        raise DataError(
            f"MNIST could not be downloaded ({type(err).__name__}); pass a folder with the "
            "IDX files via --data"
        ) from None
    images, labels = train if part == "train" else test
    return ImageSet(images, labels.astype(np.int64), f"MNIST {part} set (keras.datasets)")


def split(digits: ImageSet, held_out: int = HELD_OUT, seed: int = SPLIT_SEED):
    """(train, held_out): a fixed random split, the same on every machine."""
    if len(digits) <= held_out:
        raise DataError(f"need more than {held_out} images to hold {held_out} out")
    order = np.random.default_rng(seed).permutation(len(digits))
    return (
        digits.take(order[held_out:], f"{digits.source}, train split"),
        digits.take(order[:held_out], f"{digits.source}, held-out split"),
    )


def load_splits(
    data: str | None = None,
    held_out: int = HELD_OUT,
    seed: int = SPLIT_SEED,
    image_size: int = 64,
) -> tuple[ImageSet, ImageSet | None]:
    """(train, held_out) for ``data``:

    - ``None`` or ``"mnist-test"``: the MNIST test set (keras.datasets), split 8,000 / 2,000;
    - ``"mnist"``: all 60,000 MNIST training digits, held-out digits from the test set;
    - a folder with MNIST IDX files: those, split the same way;
    - any other folder: its pictures, all for training (unconditional; no held-out split).
    """
    if data in (None, "mnist-test"):
        return split(_keras_mnist("test"), held_out, seed)
    if data == "mnist":
        _, held = split(_keras_mnist("test"), held_out, seed)
        return _keras_mnist("train"), held
    folder = Path(data).expanduser()
    if not folder.is_dir():
        raise DataError(f"--data {data}: not 'mnist', 'mnist-test' or a folder")
    if _idx_pair(folder) is not None:
        return split(read_idx_folder(folder), held_out, seed)
    return read_picture_folder(folder, image_size), None


def to_unit_range(images: np.ndarray) -> np.ndarray:
    """uint8 (count, h, w[, c]) -> float32 (count, h, w, c) in [-1, 1], the generator's range."""
    if images.ndim == 3:
        images = images[..., None]
    return (images.astype(np.float32) - 127.5) / 127.5
