"""Output pictures and sounds written to Gradio's cache in one piece, never rewritten in place.

Gradio names the file of each output picture (and sound) after a hash of its content and writes
it again on every request. When two requests produce the same output at the same moment, as when
a class clicks the same example, one request rewrites the file while the other's browser is
downloading it, and that download ends short ("peer closed connection without sending complete
message body"). The load test found this. Gradio already copies saved *files* into its cache
under a temporary name and renames them into place; this does the same for pictures and sounds,
and keeps a finished file instead of writing it again.

``install()`` replaces ``gradio.processing_utils.save_pil_to_cache`` and ``save_audio_to_cache``
(Gradio looks both up on that module at call time); it is idempotent.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from gradio import processing_utils


def write_once(target: Path, write) -> str:
    """Path of ``target``; if it does not exist yet, ``write(temporary_path)`` then rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=target.suffix)
        os.close(handle)
        try:
            write(temporary)
            os.replace(temporary, target)  # atomic: readers see no file or the whole file
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
    return str(target.resolve())


def install() -> None:
    if getattr(processing_utils.save_pil_to_cache, "writes_once", False):
        return

    def save_pil_to_cache(img, cache_dir, name="image", format="webp"):
        data = processing_utils.encode_pil_to_bytes(img, format)
        target = Path(cache_dir) / processing_utils.hash_bytes(data) / f"{name}.{format}"
        return write_once(target, lambda path: Path(path).write_bytes(data))

    def save_audio_to_cache(data, sample_rate, format, cache_dir):
        # The same key as Gradio's: the samples, their layout and the format.
        metadata = {
            "cache_schema": "audio-cache-v1",
            "dtype": str(data.dtype),
            "format": format,
            "sample_rate": int(sample_rate),
            "shape": data.shape,
        }
        digest = hashlib.sha256(processing_utils.hash_seed)
        digest.update(json.dumps(metadata, sort_keys=True).encode("utf-8"))
        digest.update(data.tobytes())
        target = Path(cache_dir) / digest.hexdigest() / f"audio.{format}"
        return write_once(
            target,
            lambda path: processing_utils.audio_to_file(sample_rate, data, path, format=format),
        )

    save_pil_to_cache.writes_once = True
    processing_utils.save_pil_to_cache = save_pil_to_cache
    processing_utils.save_audio_to_cache = save_audio_to_cache


# --- How long result files stay -------------------------------------------------------------
# Every result a person downloads (a picture, a CSV, a clip) sits in Gradio's cache, fetchable by
# anyone with its link, and the cache grows with every request. Gradio's ``delete_cache`` ages
# files out on a schedule; the janitor below also bounds the cache's size (oldest files go first,
# files Gradio keeps for the examples never) and empties the demos' scratch folder, where results
# are written before Gradio copies them into its cache.

CACHE_MAX_AGE_S = int(os.environ.get("SHOWCASE_CACHE_MAX_AGE_S", "3600"))
CACHE_MAX_BYTES = int(float(os.environ.get("SHOWCASE_CACHE_MAX_MB", "500")) * 2**20)
JANITOR_INTERVAL_S = 60
# A scratch file is copied into Gradio's cache as soon as its request returns.
SCRATCH_MAX_AGE_S = 600
SCRATCH = Path(tempfile.gettempdir()) / "showcase-results"


def scratch_path(name: str) -> Path:
    """A fresh path called ``name`` in the scratch folder, for a result file of one request."""
    SCRATCH.mkdir(exist_ok=True)
    return Path(tempfile.mkdtemp(dir=SCRATCH)) / name


def trim_cache(blocks, max_bytes: int = CACHE_MAX_BYTES) -> int:
    """Delete the oldest files ``blocks`` wrote to Gradio's cache until they fit ``max_bytes``
    (files kept for the examples are never deleted); returns how many were deleted."""
    keep = set()
    for component in blocks.blocks.values():
        keep.update(getattr(component, "keep_in_cache", set()))
    files = []
    for files_of_one_kind in blocks.temp_file_sets:
        for name in list(files_of_one_kind):
            if name in keep:
                continue
            try:
                status = os.stat(name)
            except FileNotFoundError:
                files_of_one_kind.discard(name)
                continue
            files.append((status.st_mtime, status.st_size, name, files_of_one_kind))
    total = sum(size for _, size, _, _ in files)
    deleted = 0
    for _, size, name, files_of_one_kind in sorted(files):
        if total <= max_bytes:
            break
        with contextlib.suppress(FileNotFoundError):
            os.remove(name)
        files_of_one_kind.discard(name)
        total -= size
        deleted += 1
    return deleted


def empty_scratch(max_age_s: float = SCRATCH_MAX_AGE_S) -> None:
    """Delete the scratch folders of requests older than ``max_age_s``."""
    if not SCRATCH.is_dir():
        return
    now = time.time()
    for folder in SCRATCH.iterdir():
        with contextlib.suppress(OSError):
            if now - folder.stat().st_mtime > max_age_s:
                shutil.rmtree(folder, ignore_errors=True)


def start_janitor(blocks) -> threading.Thread:
    """Trim the cache and empty the scratch folder every JANITOR_INTERVAL_S, in the background."""

    def sweep():
        while True:
            time.sleep(JANITOR_INTERVAL_S)
            try:
                trim_cache(blocks)
                empty_scratch()
            except Exception:  # noqa: BLE001 - a failed sweep must not end the next ones
                logging.getLogger("showcase.apps").exception("cache sweep failed")

    thread = threading.Thread(target=sweep, daemon=True, name="showcase-cache-janitor")
    thread.start()
    return thread
