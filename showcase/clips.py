"""Writing frames, (frames, height, width, 3) uint8 RGB, as a video file a browser plays."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image


def write_mp4(frames: np.ndarray, path: Path, fps: float) -> None:
    """H.264 in mp4 (PyAV), playable in every browser; odd sides are padded by one row or
    column (4:2:0 colour needs even ones)."""
    height, width = frames.shape[1:3]
    pad = ((0, 0), (0, height % 2), (0, width % 2), (0, 0))
    frames = np.pad(frames, pad, mode="edge")
    rate = Fraction(fps).limit_denominator(1001)
    with av.open(str(path), "w", container_options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "18", "preset": "medium"}
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode())


def write_gif(frames: np.ndarray, path: Path, fps: float) -> None:
    """A looping GIF (Pillow) with one 255-colour palette for all frames and no dithering: a
    palette per frame, or dithering noise, would itself make the clip flicker."""
    step = max(1, len(frames) // 8)
    sample = Image.fromarray(np.concatenate(list(frames[::step]), axis=0))
    palette = sample.quantize(255, method=Image.Quantize.MEDIANCUT)
    pictures = [
        Image.fromarray(frame).quantize(palette=palette, dither=Image.Dither.NONE)
        for frame in frames
    ]
    pictures[0].save(
        path,
        save_all=True,
        append_images=pictures[1:],
        duration=max(20, round(1000 / fps)),
        loop=0,
        optimize=False,
    )
