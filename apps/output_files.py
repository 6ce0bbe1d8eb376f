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

import hashlib
import json
import os
import tempfile
from pathlib import Path


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
    from gradio import processing_utils

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
