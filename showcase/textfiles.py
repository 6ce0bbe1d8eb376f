"""Reading the text files people hand to the demos (corpora, transcripts, sentence lists): UTF-8
with or without a BOM, plain or gzip (recognised by content, not by name), and every failure as
one ``DataError`` naming the file and, for bad bytes, the line."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from showcase.errors import DataError

GZIP_MAGIC = b"\x1f\x8b"


def read_text(path: str | Path, what: str = "file") -> str:
    path = Path(path)
    try:
        data = path.read_bytes()
        if data[:2] == GZIP_MAGIC:
            data = gzip.decompress(data)
    except FileNotFoundError:
        raise DataError(f"{what} {path} does not exist") from None
    except IsADirectoryError:
        raise DataError(f"{what} {path} is a folder, not a file") from None
    except (EOFError, gzip.BadGzipFile, zlib.error):
        raise DataError(f"{what} {path} is not a complete gzip file") from None
    except OSError as err:
        raise DataError(f"cannot read {what} {path}: {err.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise DataError(f"{what} {path} line {line} is not UTF-8 text") from None
