"""Digits for the DCGAN: MNIST's IDX files, keras.datasets MNIST, or any folder of images.

The shipped checkpoint is trained on the MNIST *test* set (the only part available offline here),
split with a fixed seed into 8,000 training and 2,000 held-out digits.
"""

from __future__ import annotations

import dataclasses
import gzip
import struct
from pathlib import Path

import numpy as np

from showcase.errors import DataError

IMAGES_FILE = "t10k-images-idx3-ubyte.gz"
LABELS_FILE = "t10k-labels-idx1-ubyte.gz"
SPLIT_SEED = 2015
HELD_OUT = 2000


@dataclasses.dataclass
class Digits:
    """(count, 28, 28) uint8 images and (count,) int labels, with where they came from."""

    images: np.ndarray
    labels: np.ndarray
    source: str

    def __len__(self) -> int:
        return len(self.labels)


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


def read_idx_folder(folder) -> Digits:
    """MNIST in its original IDX format (``t10k-*`` or ``train-*`` images and labels)."""
    folder = Path(folder).expanduser()
    for images_name, labels_name in (
        (IMAGES_FILE, LABELS_FILE),
        ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    ):
        if (folder / images_name).is_file() and (folder / labels_name).is_file():
            images = _read_idx(folder / images_name, 0x803)
            labels = _read_idx(folder / labels_name, 0x801).astype(np.int64)
            if len(images) != len(labels):
                raise DataError(f"{folder}: {len(images)} images but {len(labels)} labels")
            return Digits(images, labels, f"MNIST IDX files in {folder}")
    raise DataError(f"{folder} holds no MNIST IDX files ({IMAGES_FILE} and {LABELS_FILE})")


def split(digits: Digits, held_out: int = HELD_OUT, seed: int = SPLIT_SEED):
    """(train, held_out): a fixed random split, the same on every machine."""
    if len(digits) <= held_out:
        raise DataError(f"need more than {held_out} digits to hold {held_out} out")
    order = np.random.default_rng(seed).permutation(len(digits))
    train, rest = order[held_out:], order[:held_out]
    return (
        Digits(digits.images[train], digits.labels[train], f"{digits.source}, train split"),
        Digits(digits.images[rest], digits.labels[rest], f"{digits.source}, held-out split"),
    )


def load(data: str | None = None) -> Digits:
    """``None``/"mnist": keras.datasets MNIST (60,000 training digits; needs internet once);
    a folder with IDX files: those."""
    if data in (None, "mnist"):
        import keras

        try:
            (images, labels), _ = keras.datasets.mnist.load_data()
        except Exception as err:  # noqa: BLE001 - network errors vary by platform
            raise DataError(
                f"MNIST could not be downloaded ({type(err).__name__}); pass a folder with the "
                "IDX files via --data"
            ) from None
        return Digits(images, labels.astype(np.int64), "MNIST (keras.datasets)")
    return read_idx_folder(data)


def to_unit_range(images: np.ndarray) -> np.ndarray:
    """uint8 (count, 28, 28) -> float32 (count, 28, 28, 1) in [-1, 1], the generator's range."""
    return (images.astype(np.float32)[..., None] - 127.5) / 127.5
