"""Fetch remote files once, check their hashes, and keep them in a cache.

One helper over ``keras.utils.get_file`` for every dataset and weight file the demos use:

- a fixed SHA-256 per file, so a changed or truncated download is refused;
- a cache folder, ``$SHOWCASE_CACHE`` (default: Keras' own cache, ``$KERAS_HOME`` or ``~/.keras``);
- a local-path override, so offline users point at a copy they have: it is hash-checked too, through
  the same code path, before it is used;
- ``$SHOWCASE_OFFLINE``: never touch the network, use verified cached copies or fail at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from pathlib import Path

from showcase.errors import DownloadError


@dataclasses.dataclass(frozen=True)
class RemoteFile:
    url: str
    filename: str
    sha256: str

    def __post_init__(self):
        # A remote file without a pinned hash could be swapped under us: refuse to define one.
        if not re.fullmatch(r"[0-9a-f]{64}", self.sha256):
            raise ValueError(f"{self.filename}: sha256 must be 64 lowercase hex digits")


def cache_dir() -> Path:
    """Where downloads are kept: $SHOWCASE_CACHE, else Keras' cache folder."""
    override = os.environ.get("SHOWCASE_CACHE")
    if override:
        return Path(override).expanduser()
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(
    remote: RemoteFile, local_path: str | Path | None = None, subdir: str = "showcase"
) -> Path:
    """Return a path to ``remote``'s bytes, verified against its hash.

    With ``local_path`` the local copy is checked and used (no network). Otherwise the cache is
    used when it already holds a verified copy, else the file is downloaded into it.
    """
    if local_path is not None:
        path = Path(local_path).expanduser()
        if not path.is_file():
            raise DownloadError(f"{path} does not exist (expected a copy of {remote.url})")
        if sha256_of(path) != remote.sha256:
            raise DownloadError(f"{path} does not match the expected SHA-256 of {remote.filename}")
        return path

    cached = cache_dir() / subdir / remote.filename
    if os.environ.get("SHOWCASE_OFFLINE"):
        if cached.is_file() and sha256_of(cached) == remote.sha256:
            return cached
        raise DownloadError(
            f"{remote.filename} is not in the cache ({cached.parent}) and SHOWCASE_OFFLINE is set; "
            f"download {remote.url} there, or pass a local copy with --data"
        )

    # Imported here: the translation corpus readers import this module and work without Keras
    # or TensorFlow (4.5 s), as showcase.translation promises.
    import keras

    try:
        fetched = keras.utils.get_file(
            fname=remote.filename,
            origin=remote.url,
            file_hash=remote.sha256,
            hash_algorithm="sha256",
            cache_dir=str(cache_dir()),
            cache_subdir=subdir,
        )
    except Exception as err:  # noqa: BLE001 - get_file raises URLError, HTTPError, ValueError, OSError
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise DownloadError(
            f"could not download {remote.url} ({reason}); "
            "if you have a copy, pass its folder with --data"
        ) from None
    return Path(fetched)
