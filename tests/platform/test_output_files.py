"""Output pictures and sounds reach Gradio's cache in one piece and are never rewritten."""

import os
import threading

import numpy as np
from PIL import Image


def test_a_picture_is_written_once_and_then_reused(tmp_path):
    from gradio import processing_utils

    from showcase.apps import output_files

    output_files.install()
    output_files.install()  # idempotent
    picture = Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8))
    first = processing_utils.save_pil_to_cache(picture, str(tmp_path), format="png")
    before = os.stat(first)
    second = processing_utils.save_pil_to_cache(picture, str(tmp_path), format="png")
    after = os.stat(second)
    assert first == second and (before.st_ino, before.st_mtime_ns) == (
        after.st_ino,
        after.st_mtime_ns,
    )
    assert np.array_equal(np.asarray(Image.open(first)), np.asarray(picture))
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["image.png"]


def test_a_sound_is_written_once_and_then_reused(tmp_path):
    from gradio import processing_utils

    from showcase.apps import output_files

    output_files.install()
    samples = (np.sin(np.arange(8000) / 10) * 20000).astype(np.int16)
    first = processing_utils.save_audio_to_cache(samples, 8000, "wav", str(tmp_path))
    inode = os.stat(first).st_ino
    assert processing_utils.save_audio_to_cache(samples, 8000, "wav", str(tmp_path)) == first
    assert os.stat(first).st_ino == inode and os.path.getsize(first) > 16000


def test_readers_never_see_a_partly_written_picture(tmp_path):
    """Many requests with the same output at once, and a reader that checks every file it sees."""
    from gradio import processing_utils

    from showcase.apps import output_files

    output_files.install()
    picture = Image.fromarray(np.random.default_rng(1).integers(0, 255, (256, 256, 3), np.uint8))
    expected = len(processing_utils.encode_pil_to_bytes(picture, "png"))
    sizes, done = [], threading.Event()

    def read():
        while not done.is_set():
            for path in tmp_path.rglob("image.png"):
                sizes.append(path.stat().st_size)

    reader = threading.Thread(target=read)
    reader.start()
    writers = [
        threading.Thread(
            target=processing_utils.save_pil_to_cache, args=(picture, str(tmp_path), "image", "png")
        )
        for _ in range(16)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    done.set()
    reader.join()
    assert sizes and set(sizes) == {expected}
