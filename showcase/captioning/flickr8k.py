"""Flickr8k captions and splits (Hodosh, Young & Hockenmaier 2013), for users who have the images.

The images are Flickr users' photos and are not redistributed with showcase; a user points the
captioning demo at their own copy. The text part of the release is read here:

- ``Flickr8k.token.txt``: ``<image>.jpg#<0-4><TAB><caption>`` lines, five captions per image,
  already tokenized (a space before the final period). One id in the original file,
  ``2258277193_586949ec62.jpg.1``, carries a stray ``.1``; it is read as
  ``2258277193_586949ec62.jpg``.
- ``Flickr_8k.{train,dev,test}Images.txt``: one image filename per line; 6,000 / 1,000 / 1,000.

Captions come back lowercased, with punctuation-only tokens (``.``, ``,``, ``"``) dropped and
single spaces between words, ready for :func:`showcase.captioning.vocabulary.tokenize`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from showcase.errors import DataError

TOKEN_FILE = "Flickr8k.token.txt"
SPLITS = ("train", "dev", "test")
SPLIT_FILES = {split: f"Flickr_8k.{split}Images.txt" for split in SPLITS}

# "<name>.jpg" plus the stray ".1" of one id in the original file, then "#<caption number>".
_CAPTION_ID = re.compile(r"(?P<image>[^\s#/\\]+?\.jpg)(?:\.\d+)?#(?P<number>\d+)")
_PUNCTUATION_ONLY = re.compile(r"[^\w]+")


def normalise_caption(caption: str) -> str:
    """Lowercase, drop tokens that are only punctuation, single spaces between words."""
    return " ".join(
        token for token in caption.lower().split() if not _PUNCTUATION_ONLY.fullmatch(token)
    )


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{what} {path} does not exist") from None
    except IsADirectoryError:
        raise DataError(f"{what} {path} is a folder, not a file") from None
    except UnicodeDecodeError as err:
        raise DataError(f"{what} {path} is not UTF-8 text (byte {err.start})") from None
    except OSError as err:
        raise DataError(f"cannot read {what} {path}: {err.strerror}") from None


def parse_token_lines(text: str, source: str = TOKEN_FILE) -> dict[str, list[str]]:
    """Image filename -> its captions in caption-number order, from ``Flickr8k.token.txt`` text."""
    numbered: dict[str, dict[int, str]] = {}
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        caption_id, tab, caption = line.partition("\t")
        match = _CAPTION_ID.fullmatch(caption_id.strip())
        caption = normalise_caption(caption)
        if not tab or match is None or not caption:
            raise DataError(
                f"{source} line {line_number}: expected '<image>.jpg#<number><TAB><caption>'"
            )
        image, number = match["image"], int(match["number"])
        captions = numbered.setdefault(image, {})
        if number in captions:
            raise DataError(f"{source} line {line_number}: {image}#{number} appears twice")
        captions[number] = caption
    if not numbered:
        raise DataError(f"{source} has no captions")
    return {image: [captions[n] for n in sorted(captions)] for image, captions in numbered.items()}


def read_captions(token_file: str | Path) -> dict[str, list[str]]:
    """All captions in ``Flickr8k.token.txt``: image filename -> captions."""
    path = Path(token_file).expanduser()
    return parse_token_lines(_read_text(path, "Flickr8k caption file"), source=str(path))


def read_split(split_file: str | Path) -> list[str]:
    """Image filenames listed in a ``Flickr_8k.<split>Images.txt`` file, in file order."""
    path = Path(split_file).expanduser()
    names = [line.strip() for line in _read_text(path, "Flickr8k split file").splitlines()]
    names = [name for name in names if name]
    for name in names:
        _check_filename(name, source=str(path))
    if not names:
        raise DataError(f"Flickr8k split file {path} lists no images")
    return names


def load_splits(
    text_dir: str | Path, splits: tuple[str, ...] = SPLITS
) -> dict[str, dict[str, list[str]]]:
    """Split name -> (image filename -> captions), from the Flickr8k text folder.

    The folder holds ``Flickr8k.token.txt`` and the ``Flickr_8k.*Images.txt`` split lists, as
    unpacked from ``Flickr8k_text.zip``. Every listed image must have captions.
    """
    folder = Path(text_dir).expanduser()
    unknown = [split for split in splits if split not in SPLIT_FILES]
    if unknown:
        raise DataError(f"unknown Flickr8k split {unknown[0]!r}; choose from {', '.join(SPLITS)}")
    if not folder.is_dir():
        raise DataError(f"Flickr8k text folder {folder} does not exist")
    captions = read_captions(folder / TOKEN_FILE)
    result = {}
    for split in splits:
        names = read_split(folder / SPLIT_FILES[split])
        missing = [name for name in names if name not in captions]
        if missing:
            raise DataError(
                f"{len(missing)} image(s) in {SPLIT_FILES[split]} have no captions in "
                f"{TOKEN_FILE}, e.g. {missing[0]}"
            )
        result[split] = {name: captions[name] for name in names}
    return result


def load_split(text_dir: str | Path, split: str) -> dict[str, list[str]]:
    """One split of :func:`load_splits`: image filename -> captions."""
    return load_splits(text_dir, splits=(split,))[split]


def _check_filename(name: str, source: str) -> None:
    # Names from a split list become paths; refuse anything that could leave the images folder.
    if name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise DataError(f"{source}: {name!r} is not a plain image filename")


def image_path(images_dir: str | Path, name: str) -> Path:
    """Where image ``name`` (a bare filename such as ``1000268201_693b08cb0e.jpg``) lives."""
    _check_filename(name, source="Flickr8k image name")
    return Path(images_dir).expanduser() / name


def available_images(images_dir: str | Path, names: list[str]) -> list[str]:
    """The ``names`` whose files are in ``images_dir``, in the order given.

    Raises DataError when the folder is missing or holds no ``.jpg`` files at all, since that is
    a wrong path rather than a partial copy. A partial copy is fine: callers train on what is
    there and report how many images were missing.
    """
    folder = Path(images_dir).expanduser()
    if not folder.is_dir():
        raise DataError(
            f"Flickr8k images folder {folder} does not exist; point it at the folder of .jpg files "
            "from the Flickr8k image archive"
        )
    try:
        # One directory listing instead of 8,000 stat calls.
        present = {entry.name for entry in os.scandir(folder) if entry.is_file()}
    except OSError as err:
        raise DataError(f"cannot list Flickr8k images folder {folder}: {err.strerror}") from None
    if not any(name.lower().endswith(".jpg") for name in present):
        raise DataError(f"Flickr8k images folder {folder} has no .jpg files")
    return [name for name in names if name in present]
