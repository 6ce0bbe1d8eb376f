"""Style transfer for video clips, with temporal consistency after Ruder, Dosovitskiy & Brox (2016,
"Artistic style transfer for videos").

Stylising every frame on its own makes a clip flicker: small changes between frames (or none at
all) lead the optimiser to different brush strokes. Ruder et al. carry the previous result along
the motion instead: frame t starts from the previous stylised frame warped by the optical flow
between the input frames, and a temporal loss keeps it close to that warped picture wherever the
flow can be trusted (not in regions that were hidden in the previous frame, nor on motion
boundaries). :func:`stylize_video_gatys` does that with ``consistent=True`` and stylises each
frame independently with ``consistent=False``, for comparison.

What differs from the paper and why:
- DIS optical flow (Kroeger et al. 2016, OpenCV) instead of DeepFlow/EpicFlow: it takes
  milliseconds on a CPU, and the consistency check below catches most of its errors.
- Only the short-term temporal loss (previous frame); the long-term loss over several earlier
  frames and the multi-pass algorithm are left out, so stylisation of a region that disappears
  and comes back is not remembered.
- Frames after the first keep the coarse-to-fine stages of ``gatys.py``, but every stage starts
  from the warped previous result on reliable pixels (``initial_mask``), so the coarse stages
  only paint the pixels the warp cannot supply (newly visible ones). Ruder et al. start from the
  warp everywhere; with a few dozen steps instead of their hundreds, a moving object then leaves
  a ghost where it was. A single full-size stage (``stages=1``) flickers a little less but
  leaves newly visible regions almost unpainted: Gram matrices are image-wide statistics that the
  rest of the frame already matches, so the style loss barely pushes a small region.
- Adam with far fewer iterations than the paper, so a short clip finishes in minutes on a CPU.

:func:`stylize_video_fast` applies a feed-forward network (``model.py``) frame by frame; its
consistent variant is a temporal filter (see there), not Ruder et al.'s method.

:func:`flicker` and :func:`warp_error` measure how much a stylised clip changes where it should
not. Clips are read with imageio (PyAV for mp4/webm, Pillow for GIF) and written as H.264 mp4
(PyAV) or GIF (Pillow).
"""

from __future__ import annotations

import dataclasses
import math
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import imageio.v3 as iio
import keras
import numpy as np
from PIL import Image, ImageDraw

from showcase import clips
from showcase.errors import InputError
from showcase.images import SMALLEST_SIDE, open_image
from showcase.style_transfer.gatys import GatysSettings, TemporalTerm, optimise
from showcase.style_transfer.loss_networks import LossNetwork
from showcase.style_transfer.model import stylize_array
from showcase.style_transfer.samples import landscape

MAX_FRAMES = 48
MAX_SIDE = 384
MAX_FILE_BYTES = 500 * 2**20
MAX_FRAME_PIXELS = 40_000_000  # above 8K (33 megapixels): refused rather than decoded
DEFAULT_FPS = 12.0
STILL_THRESHOLD = 4.0  # grey levels (of 255) an input pixel may change and still count as still
DEFAULT_TEMPORAL_WEIGHT = 10000.0
DEFAULT_BLEND = 0.5
VIDEO_ITERATIONS = 100


@dataclasses.dataclass
class Clip:
    """Decoded frames, (frames, height, width, 3) uint8 RGB, their rate and what was changed."""

    frames: np.ndarray
    fps: float = DEFAULT_FPS
    notice: str = ""


@dataclasses.dataclass
class VideoProgress:
    """One report while a clip is stylised.

    ``frame`` is the 0-based index of the frame being worked on and ``image`` its current
    stylised picture; ``step`` / ``total_steps`` count optimisation steps within that frame (both
    1 for the fast network). Only the last report carries ``frames``, the whole stylised clip.
    """

    frame: int
    total_frames: int
    image: np.ndarray
    seconds: float
    step: int = 1
    total_steps: int = 1
    losses: dict = dataclasses.field(default_factory=dict)
    frames: np.ndarray | None = None

    @property
    def fraction(self) -> float:
        """How much of the whole clip is done, 0..1, for a progress bar."""
        return (self.frame + self.step / max(1, self.total_steps)) / self.total_frames


# ----------------------------------------------------------------------------- reading, writing


def _to_rgb_uint8(frame) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.ndim == 2:
        frame = np.repeat(frame[..., None], 3, axis=-1)
    if frame.ndim != 3 or frame.shape[-1] not in (1, 3, 4):
        raise InputError(
            f"a video frame must be an RGB picture, not an array of shape {frame.shape}"
        )
    if frame.dtype != np.uint8:
        scale = 255.0 if frame.size and float(frame.max()) <= 1.0 else 1.0
        frame = np.clip(frame.astype(np.float32) * scale, 0, 255).round().astype(np.uint8)
    if frame.shape[-1] == 1:
        frame = np.repeat(frame, 3, axis=-1)
    if frame.shape[-1] == 4:  # composite on white, as showcase.images does for pictures
        alpha = frame[..., 3:].astype(np.float32) / 255.0
        frame = (frame[..., :3] * alpha + 255.0 * (1.0 - alpha)).round().astype(np.uint8)
    return frame


def _fit(frame: np.ndarray, max_side: int) -> np.ndarray:
    height, width = frame.shape[:2]
    if max(height, width) <= max_side:
        return frame
    scale = max_side / max(height, width)
    size = (max(SMALLEST_SIDE, round(width * scale)), max(SMALLEST_SIDE, round(height * scale)))
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)


def _decoded_frames(source, is_gif: bool) -> Iterator[np.ndarray]:
    if is_gif:
        return iio.imiter(source, plugin="pillow", mode="RGB")
    return iio.imiter(source, plugin="pyav", format="rgb24")


def _frame_rate(source, is_gif: bool) -> tuple[float, float | None]:
    """(frames per second, duration in seconds or None) from the file's metadata."""
    try:
        if is_gif:
            milliseconds = float(iio.immeta(source, plugin="pillow", index=0).get("duration") or 0)
            return (1000.0 / milliseconds if milliseconds > 0 else DEFAULT_FPS), None
        meta = iio.immeta(source, plugin="pyav")
    except Exception:  # noqa: BLE001 - metadata is optional; the frames were readable
        return DEFAULT_FPS, None
    fps = float(meta.get("fps") or 0)
    duration = meta.get("duration")
    fps = fps if 0 < fps <= 1000 else DEFAULT_FPS
    return fps, (float(duration) if duration else None)


def read_clip(source, max_frames: int = MAX_FRAMES, max_side: int = MAX_SIDE) -> Clip:
    """A video (path or bytes of mp4, webm, GIF, ...) or a sequence of frames -> :class:`Clip`.

    Only the first ``max_frames`` frames are kept and frames are scaled down so their longer
    side is at most ``max_side``; the clip's ``notice`` says so when either happened. Files that
    cannot be decoded, hold no frames, are larger than ``MAX_FILE_BYTES`` or have frames above
    ``MAX_FRAME_PIXELS`` raise :class:`InputError`.
    """
    if source is None:
        raise InputError("No video given: upload one first.")
    if max_frames < 2:
        raise InputError(f"a clip needs at least 2 frames, so max_frames cannot be {max_frames}")
    if isinstance(source, np.ndarray | list | tuple):
        if isinstance(source, np.ndarray) and source.ndim != 4:
            raise InputError(
                f"an array of frames must be (frames, height, width, channels), not {source.shape}"
            )
        fps, duration, is_gif = DEFAULT_FPS, None, False
        raw = iter(source)
    else:
        if isinstance(source, str | Path):
            path = Path(source)
            if not path.is_file():
                raise InputError(f"No video file at {path}.")
            size = path.stat().st_size
            with path.open("rb") as file:
                head = file.read(6)
            source = str(path)
        elif isinstance(source, bytes | bytearray):
            source = bytes(source)
            size, head = len(source), source[:6]
        else:
            raise InputError(f"cannot read a video from a {type(source).__name__}")
        if size == 0:
            raise InputError("This video file is empty.")
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"This video file is {size / 2**20:.0f} MB; "
                f"the limit is {MAX_FILE_BYTES / 2**20:.0f} MB."
            )
        is_gif = head[:6] in (b"GIF87a", b"GIF89a")
        raw = None

    frames: list[np.ndarray] = []
    more = False
    original_size = None
    iterator = raw if raw is not None else _decoded_frames(source, is_gif)
    try:
        for frame in iterator:
            if len(frames) == max_frames:
                more = True
                break
            frame = np.asarray(frame)
            if frame.ndim >= 2 and frame.shape[0] * frame.shape[1] > MAX_FRAME_PIXELS:
                raise InputError(
                    f"This video's frames are {frame.shape[1]}x{frame.shape[0]} pixels; "
                    f"frames above {MAX_FRAME_PIXELS / 1e6:.0f} megapixels are not supported."
                )
            frame = _to_rgb_uint8(frame)
            original_size = original_size or (frame.shape[1], frame.shape[0])
            if min(frame.shape[:2]) < SMALLEST_SIDE:
                raise InputError(
                    f"This video is {frame.shape[1]}x{frame.shape[0]} pixels; "
                    f"it needs at least {SMALLEST_SIDE} on each side."
                )
            frame = _fit(frame, max_side)
            if frames and frame.shape != frames[0].shape:  # a stream that changes size
                frame = _fit_exactly(frame, frames[0].shape)
            frames.append(frame)
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001 - decoders raise many kinds of errors
        raise InputError(
            f"This file could not be read as a video ({type(err).__name__})."
        ) from None
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
    if not frames:
        raise InputError("This video has no frames.")

    if raw is None:
        fps, duration = _frame_rate(source, is_gif)
    notices = []
    if more:
        total = f" of {duration:.1f} s" if duration else ""
        notices.append(
            f"Only the first {len(frames)} frames ({len(frames) / fps:.1f} s{total}) were used."
        )
    if (frames[0].shape[1], frames[0].shape[0]) != original_size:
        notices.append(
            f"The video was {original_size[0]}x{original_size[1]}; it was scaled down to "
            f"{frames[0].shape[1]}x{frames[0].shape[0]}."
        )
    return Clip(np.stack(frames), fps, " ".join(notices))


def _fit_exactly(frame: np.ndarray, shape: tuple) -> np.ndarray:
    return cv2.resize(frame, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)


def _as_frames(frames) -> np.ndarray:
    """Frames from a :class:`Clip`, an array or a list -> (frames, height, width, 3) uint8."""
    if isinstance(frames, Clip):
        frames = frames.frames
    stacked = [_to_rgb_uint8(frame) for frame in frames]
    if not stacked:
        raise InputError("This clip has no frames.")
    if any(frame.shape != stacked[0].shape for frame in stacked):
        raise InputError("All frames of a clip must have the same size.")
    return np.stack(stacked)


def write_clip(frames, path, fps: float = DEFAULT_FPS) -> Path:
    """Write frames as H.264 mp4 (``.mp4``) or GIF (``.gif``), chosen by the file's suffix.

    mp4 frames are padded by repeating the last row or column to an even size (4:2:0 colour needs
    it). GIF frames share one 255-colour palette without dithering: a palette per frame, or
    dithering noise, would itself make the clip flicker.
    """
    frames = _as_frames(frames)
    path = Path(path)
    if not 0 < fps <= 1000:
        raise InputError(f"frames per second must be between 0 and 1000, not {fps}")
    suffix = path.suffix.lower()
    if suffix == ".mp4":
        clips.write_mp4(frames, path, fps)
    elif suffix == ".gif":
        clips.write_gif(frames, path, fps)
    else:
        raise InputError(f"clips can be written as .mp4 or .gif, not {suffix or 'no suffix'}")
    return path


# ----------------------------------------------------------------------------- optical flow


def optical_flow(frame_from: np.ndarray, frame_to: np.ndarray) -> np.ndarray:
    """Dense flow (height, width, 2) of x, y displacements: ``frame_from`` at pixel p shows what
    ``frame_to`` shows at p + flow[p]. DIS optical flow on the grey frames."""
    flow_finder = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    grey_from = cv2.cvtColor(_to_rgb_uint8(frame_from), cv2.COLOR_RGB2GRAY)
    grey_to = cv2.cvtColor(_to_rgb_uint8(frame_to), cv2.COLOR_RGB2GRAY)
    return flow_finder.calc(grey_from, grey_to, None)


def warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Backward warp: ``out[p] = image[p + flow[p]]`` (bilinear; outside the frame the nearest
    border pixel). With ``flow = optical_flow(frame_t, frame_t_minus_1)`` this moves a picture of
    frame t-1 onto frame t."""
    height, width = flow.shape[:2]
    grid_x, grid_y = np.meshgrid(
        np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    )
    return cv2.remap(
        image,
        grid_x + flow[..., 0],
        grid_y + flow[..., 1],
        interpolation=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )


def reliable_mask(
    flow: np.ndarray, reverse_flow: np.ndarray, motion_boundaries: bool = True
) -> np.ndarray:
    """1 where a warp by ``flow`` can be trusted, 0 where not: (height, width) float32.

    ``flow`` goes from frame t to frame t-1 (the one :func:`warp` uses), ``reverse_flow`` from
    t-1 to t. Following Ruder et al. (2016, Sec. 3.2; after Sundaram et al. 2010), a pixel is
    unreliable when
    - the two flows disagree (it was hidden in frame t-1, i.e. disoccluded):
      ``|w + w'|^2 > 0.01 (|w|^2 + |w'|^2) + 0.5``, with w = flow and w' the reverse flow
      sampled where w points to;
    - it lies on a motion boundary (``motion_boundaries``):
      ``|grad u|^2 + |grad v|^2 > 0.01 |w|^2 + 0.002``;
    - or the flow points outside frame t-1 (it came into view).
    """
    flow = np.asarray(flow, dtype=np.float32)
    back = warp(np.asarray(reverse_flow, dtype=np.float32), flow)
    length = np.sum(flow**2, axis=-1)
    disagree = (
        np.sum((flow + back) ** 2, axis=-1) > 0.01 * (length + np.sum(back**2, axis=-1)) + 0.5
    )
    height, width = flow.shape[:2]
    grid_y, grid_x = np.mgrid[0:height, 0:width].astype(np.float32)
    source_x, source_y = grid_x + flow[..., 0], grid_y + flow[..., 1]
    # Half a pixel beyond the border still reads the border pixel itself.
    outside = (
        (source_x < -0.5) | (source_x > width - 0.5) | (source_y < -0.5) | (source_y > height - 0.5)
    )
    unreliable = disagree | outside
    if motion_boundaries:
        du_dy, du_dx = np.gradient(flow[..., 0])
        dv_dy, dv_dx = np.gradient(flow[..., 1])
        steepness = du_dx**2 + du_dy**2 + dv_dx**2 + dv_dy**2
        unreliable |= steepness > 0.01 * length + 0.002
    return (~unreliable).astype(np.float32)


def flow_to_previous(frame: np.ndarray, previous: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(flow from ``frame`` to ``previous``, its :func:`reliable_mask`) for warping results of
    ``previous`` onto ``frame``."""
    flow = optical_flow(frame, previous)
    return flow, reliable_mask(flow, optical_flow(previous, frame))


# ----------------------------------------------------------------------------- metrics


def _pair(stylised, inputs) -> tuple[np.ndarray, np.ndarray]:
    stylised, inputs = _as_frames(stylised), _as_frames(inputs)
    if stylised.shape != inputs.shape:
        raise InputError(
            f"stylised frames {stylised.shape} and input frames {inputs.shape} differ in shape"
        )
    if len(inputs) < 2:
        raise InputError("flicker needs at least 2 frames")
    return stylised, inputs


def flicker(stylised, inputs, still_threshold: float = STILL_THRESHOLD) -> float:
    """Mean absolute change between consecutive stylised frames where the input stood still.

    For every pair of consecutive frames (t-1, t), a pixel is *still* when no channel of the
    input changed by more than ``still_threshold`` grey levels. The result is the mean over all
    still pixels of all pairs and over the 3 channels of |stylised_t - stylised_t-1|, in grey
    levels (0..255). An ideal stylisation scores 0; NaN when no pixel is still.
    """
    stylised, inputs = _pair(stylised, inputs)
    input_change = np.abs(np.diff(inputs.astype(np.int16), axis=0)).max(axis=-1)
    still = input_change <= still_threshold
    if not still.any():
        return float("nan")
    output_change = np.abs(np.diff(stylised.astype(np.int16), axis=0)).mean(axis=-1)
    return float(output_change[still].mean())


def warp_error(stylised, inputs) -> float:
    """Mean absolute difference (grey levels) between each stylised frame and the previous one
    warped onto it by the inputs' optical flow, over pixels where the flow is reliable
    (:func:`reliable_mask`): unlike :func:`flicker` it also covers moving parts."""
    stylised, inputs = _pair(stylised, inputs)
    total, count = 0.0, 0.0
    for t in range(1, len(inputs)):
        flow, mask = flow_to_previous(inputs[t], inputs[t - 1])
        warped = warp(stylised[t - 1].astype(np.float32), flow)
        error = np.abs(stylised[t].astype(np.float32) - warped).mean(axis=-1)
        total += float((error * mask).sum())
        count += float(mask.sum())
    return total / count if count else float("nan")


# ----------------------------------------------------------------------------- stylising


def stylize_video_gatys(
    frames,
    style,
    settings=None,
    network=None,
    consistent: bool = True,
    temporal_weight: float = DEFAULT_TEMPORAL_WEIGHT,
    later_settings=None,
    report_every: int = 10,
    fill_unreliable: bool = True,
    max_seconds: float | None = None,
) -> Iterator[VideoProgress]:
    """Gatys optimisation frame by frame, yielding :class:`VideoProgress`; the last report
    carries all stylised ``frames``.

    With ``max_seconds`` the clip shares that time budget: each frame gets an equal share of
    what is left, and its steps are thinned to fit it (``GatysSettings.max_seconds``).

    Frame 0 is stylised as a single picture with ``settings`` (default
    ``GatysSettings(iterations=VIDEO_ITERATIONS)``), the others with ``later_settings`` (default:
    the same; fewer iterations or a lower learning rate suit them, as they start close to a
    result). Both are used at the frames' own size: cap it with :func:`read_clip`.

    ``consistent=False`` stylises every frame independently from its own content (naive).
    With ``consistent``, frame t > 0 starts from frame t-1's result warped onto it by optical
    flow, and the temporal loss (``temporal_weight``, see ``gatys.TemporalTerm``) keeps it close
    to that warp on reliable pixels (:func:`reliable_mask`). With ``fill_unreliable`` the
    unreliable pixels start from the content and are painted by the coarse-to-fine stages (see
    the module's notes); without it the warp is the start everywhere, as in Ruder et al.
    """
    frames = _as_frames(frames)
    settings = settings or GatysSettings(iterations=VIDEO_ITERATIONS)
    settings = dataclasses.replace(settings, size=max(32, max(frames.shape[1:3])))
    settings.check()
    if temporal_weight < 0:
        raise InputError("the temporal weight cannot be negative")
    later = dataclasses.replace(later_settings or settings, size=settings.size)
    later.check()
    network = network or LossNetwork.best_available()
    style_image = open_image(style)
    results: list[np.ndarray] = []
    started = time.perf_counter()
    for index, frame in enumerate(frames):
        frame_settings, extra = settings, {}
        if consistent and index > 0:
            flow, mask = flow_to_previous(frame, frames[index - 1])
            warped = warp(results[-1].astype(np.float32), flow)
            extra = {
                "initial": warped,
                "initial_mask": mask if fill_unreliable else None,
                "temporal": TemporalTerm(warped, mask, temporal_weight),
            }
            frame_settings = later
        if max_seconds is not None:
            seconds_left = max_seconds - (time.perf_counter() - started)
            share = max(seconds_left, 0.0) / (len(frames) - index)
            frame_settings = dataclasses.replace(frame_settings, max_seconds=max(share, 1e-3))
        report = None
        for report in optimise(
            frame, [style_image], frame_settings, network, report_every, **extra
        ):
            yield VideoProgress(
                frame=index,
                total_frames=len(frames),
                image=np.asarray(report.image),
                seconds=time.perf_counter() - started,
                step=report.step,
                total_steps=report.total_steps,
                losses=report.losses,
            )
        results.append(np.asarray(report.image))
    yield VideoProgress(
        frame=len(frames) - 1,
        total_frames=len(frames),
        image=results[-1],
        seconds=time.perf_counter() - started,
        step=report.total_steps,
        total_steps=report.total_steps,
        losses=report.losses,
        frames=np.stack(results),
    )


def stylize_video_fast(
    frames,
    stylize_fn: Callable[[np.ndarray], np.ndarray],
    consistent: bool = True,
    blend: float = DEFAULT_BLEND,
) -> Iterator[VideoProgress]:
    """A feed-forward style network applied frame by frame, yielding one :class:`VideoProgress`
    per frame; the last carries all stylised ``frames``.

    ``stylize_fn`` maps one (height, width, 3) uint8 frame to its stylised version of the same
    size (e.g. ``StyleTransfer.stylize_array``); a Keras transformer model is wrapped with
    ``model.stylize_array``.

    With ``consistent``, each output is a temporal filter: on reliable pixels
    (:func:`reliable_mask`) it is ``blend`` times the previous output warped onto this frame plus
    ``1 - blend`` times the network's new output; elsewhere the new output alone. This is not
    Ruder et al.'s (2016) optimisation, only a cheap post-process that damps flicker (and can
    smear where the flow is wrong); Ruder, Dosovitskiy & Brox (2018, "Artistic style transfer for
    videos and spherical images") instead train the network itself with a temporal loss.
    """
    if not 0.0 <= blend < 1.0:
        raise InputError(f"blend must be at least 0 and below 1, not {blend}")
    frames = _as_frames(frames)
    stylize_fn = _frame_function(stylize_fn)
    outputs: list[np.ndarray] = []
    previous = None
    started = time.perf_counter()
    for index, frame in enumerate(frames):
        output = np.asarray(stylize_fn(frame), dtype=np.float32)
        if output.shape != frame.shape:
            raise InputError(f"the style network returned {output.shape} for a {frame.shape} frame")
        if consistent and previous is not None and blend > 0:
            flow, mask = flow_to_previous(frame, frames[index - 1])
            warped = warp(previous, flow)
            output += (blend * mask[..., None]) * (warped - output)
        previous = output
        outputs.append(np.clip(output, 0, 255).round().astype(np.uint8))
        yield VideoProgress(
            frame=index,
            total_frames=len(frames),
            image=outputs[-1],
            seconds=time.perf_counter() - started,
            frames=np.stack(outputs) if index == len(frames) - 1 else None,
        )


def _frame_function(stylize_fn) -> Callable[[np.ndarray], np.ndarray]:
    if isinstance(stylize_fn, keras.Model):
        return lambda frame: stylize_array(stylize_fn, frame)
    if not callable(stylize_fn):
        raise InputError("stylize_fn must be a function from a frame to a stylised frame")
    return stylize_fn


# ----------------------------------------------------------------------------- test clip


def synthetic_clip(frames: int = 16, size: tuple[int, int] = (160, 120), seed: int = 0):
    """A drawn clip, (frames, height, width, 3) uint8: a striped balloon drifting across a still,
    lightly textured landscape (``samples.landscape``), so it has both still and moving parts."""
    if frames < 2:
        raise InputError(f"a clip needs at least 2 frames, not {frames}")
    width, height = size
    rng = random.Random(seed)
    background = np.asarray(landscape(size, seed), dtype=np.int16)
    grain = np.random.default_rng(seed).integers(-8, 9, (height, width, 1), dtype=np.int16)
    background = Image.fromarray(np.clip(background + grain, 0, 255).astype(np.uint8))

    radius = max(6, round(0.12 * min(width, height)))
    sprite = Image.new("RGB", (2 * radius, 2 * radius))
    draw = ImageDraw.Draw(sprite)
    colours = [(220, 40, 50), (250, 210, 60), (40, 90, 200), (250, 250, 245)]
    stripe = max(2, radius // 3)
    for index, x in enumerate(range(0, 2 * radius, stripe)):
        draw.rectangle([x, 0, x + stripe, 2 * radius], fill=colours[index % len(colours)])
    draw.ellipse(
        [radius // 2, radius // 3, radius, radius // 2 + radius // 3], fill=(255, 255, 255)
    )
    shape = Image.new("L", sprite.size, 0)
    ImageDraw.Draw(shape).ellipse([0, 0, 2 * radius - 1, 2 * radius - 1], fill=255)

    start_x = rng.uniform(0.1, 0.25) * width
    end_x = rng.uniform(0.6, 0.75) * width
    base_y, phase = rng.uniform(0.3, 0.45) * height, rng.uniform(0, math.tau)
    clip = []
    for index in range(frames):
        t = index / (frames - 1)
        x = start_x + (end_x - start_x) * t
        y = base_y + 0.08 * height * math.sin(math.tau * t + phase)
        picture = background.copy()
        picture.paste(sprite, (round(x - radius), round(y - radius)), shape)
        clip.append(np.asarray(picture))
    return np.stack(clip)
