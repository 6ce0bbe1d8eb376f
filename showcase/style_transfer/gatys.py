"""Neural style transfer by optimisation: Gatys, Ecker & Bethge (2015, "A Neural Algorithm of
Artistic Style"; CVPR 2016, "Image Style Transfer Using Convolutional Neural Networks"), with colour
preservation from Gatys et al. (2016, "Preserving Color in Neural Artistic Style Transfer").

The picture itself is the parameter: starting from the content photo, Adam changes its pixels so
that a loss network's deep activations stay close to the photo's (content) while the Gram matrices
of several layers' activations approach the painting's (style), with a total-variation term
against pixel noise.

What differs from the paper and why:
- Adam instead of L-BFGS by default, and coarse-to-fine: the image is optimised at 1/4, 1/2 and
  full size, each stage starting from the previous result upsampled. Large brush strokes form
  cheaply at low resolution; the full-size stage only refines. This is what makes 512 px take
  seconds on a CPU. The paper's L-BFGS is there too (``optimiser="lbfgs"``: SciPy's L-BFGS-B,
  see :func:`lbfgs_iterations`); ``showcase bench style_transfer`` times both to the same loss,
  and Adam got there 2.5x sooner than L-BFGS at the same scales (3.2x sooner than at one scale).
- Losses are normalised by their targets' size (see ``losses.py``) so one set of weights works for
  SqueezeNet, MobileNet and VGG19 alike.
- Small loss networks (SqueezeNet v1.1 by default) instead of VGG19, for CPU speed; VGG19 is
  available when its weights can be downloaded.

For video (``video.py``), :func:`optimise` optionally starts from a given picture instead of the
content (``initial``: the previous stylised frame warped by optical flow, kept at every stage's
start where ``initial_mask`` is 1) and adds Ruder, Dosovitskiy & Brox's (2016, "Artistic style
transfer for videos") short-term temporal loss (``temporal``: see :class:`TemporalTerm`).
Without those arguments nothing changes.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from collections.abc import Iterator

import keras
import numpy as np
import tensorflow as tf
from keras import ops
from PIL import Image
from scipy import optimize

from showcase.errors import InputError
from showcase.images import fit_within, open_image
from showcase.style_transfer.loss_networks import LossNetwork
from showcase.style_transfer.losses import (
    content_loss,
    gram_matrix,
    style_loss,
    total_variation_loss,
)

MAX_SIZE = 1024
MIN_STAGE_SIZE = 96
OPTIMISERS = ("adam", "lbfgs")
LBFGS_MEMORY = 10  # SciPy's default number of stored gradient pairs


@dataclasses.dataclass
class GatysSettings:
    """How to optimise. Weights are relative: content_weight 1 and style_weight 1 weigh the same."""

    size: int = 512
    iterations: int = 300
    content_weight: float = 1.0
    style_weight: float = 5.0
    tv_weight: float = 5.0
    learning_rate: float = 8.0
    stages: int = 3
    preserve_colour: bool = False
    style_ratio: float = 1.0  # share of the first style when a second one is given
    seed: int = 0
    # A time budget in seconds (None: none). Steps are thinned to fit it (see ``optimise``).
    max_seconds: float | None = None
    # "adam", or "lbfgs": the paper's L-BFGS (SciPy's L-BFGS-B, the pixel range as its bounds);
    # ``iterations`` then counts L-BFGS iterations and ``learning_rate`` is unused.
    optimiser: str = "adam"

    def check(self) -> None:
        if not 32 <= self.size <= MAX_SIZE:
            raise InputError(f"size must be between 32 and {MAX_SIZE} pixels, not {self.size}")
        if not 1 <= self.iterations <= 5000:
            raise InputError(f"iterations must be between 1 and 5000, not {self.iterations}")
        if min(self.content_weight, self.style_weight, self.tv_weight) < 0:
            raise InputError("loss weights cannot be negative")
        if not 0.0 <= self.style_ratio <= 1.0:
            raise InputError(f"style ratio must be between 0 and 1, not {self.style_ratio}")
        if not 1 <= self.stages <= 4:
            raise InputError(f"stages must be between 1 and 4, not {self.stages}")
        if self.max_seconds is not None and not self.max_seconds > 0:
            raise InputError(f"the time budget must be positive, not {self.max_seconds}")
        if self.optimiser not in OPTIMISERS:
            raise InputError(f"the optimiser must be one of {', '.join(OPTIMISERS)}")


@dataclasses.dataclass
class Progress:
    """One report from the optimiser: where it is, the losses, and the current picture."""

    step: int
    total_steps: int
    stage_size: tuple[int, int]
    losses: dict
    image: Image.Image
    seconds: float
    notice: str = ""


@dataclasses.dataclass
class TemporalTerm:
    """Ruder et al.'s (2016) short-term temporal loss: stay close to the previous frame's result.

    ``previous`` is the previous stylised frame warped into this frame by optical flow, (height,
    width, 3) in [0, 255]; ``mask`` is (height, width) in [0, 1], 1 where that warp can be trusted
    and 0 on disoccluded pixels and motion boundaries. The loss is

        mean over pixels and channels of mask * (image - previous)**2 / 255**2,

    i.e. Ruder et al.'s ``1/D * sum c * (x - w)**2`` with pixels measured in units of the full
    range, so it lies in [0, 1] like the other (normalised) losses. It is multiplied by
    ``weight``; a mean difference of 10 grey levels costs only ``weight * 0.0015``, so useful
    weights are in the thousands (``video.py`` uses 10000).
    """

    previous: np.ndarray
    mask: np.ndarray
    weight: float


def temporal_loss(image, previous, mask):
    """See :class:`TemporalTerm`; ``mask`` is (batch, height, width, 1) and broadcasts."""
    return ops.mean(mask * ops.square(image - previous)) / (255.0 * 255.0)


def _luminance(rgb: np.ndarray) -> np.ndarray:
    return rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _luminance_only(style: np.ndarray, content: np.ndarray) -> np.ndarray:
    """The style's luminance with the content's mean and spread, as a grey RGB image."""
    style_y, content_y = _luminance(style), _luminance(content)
    matched = (style_y - style_y.mean()) / (
        style_y.std() + 1e-6
    ) * content_y.std() + content_y.mean()
    return np.repeat(np.clip(matched, 0, 255)[..., None], 3, axis=-1)


def _with_content_colours(stylised: np.ndarray, content: np.ndarray) -> np.ndarray:
    """Stylised luminance + the content's chroma (YIQ space), Gatys et al. 2016."""
    to_yiq = np.array(
        [[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]], dtype=np.float32
    )
    from_yiq = np.linalg.inv(to_yiq)
    yiq = content @ to_yiq.T
    yiq[..., 0] = _luminance(stylised)
    return np.clip(yiq @ from_yiq.T, 0, 255)


def _resize(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    image = Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))
    return np.asarray(image.resize(size, Image.LANCZOS), dtype=np.float32)


def _stage_sizes(final: tuple[int, int], stages: int) -> list[tuple[int, int]]:
    sizes = []
    for level in reversed(range(stages)):
        scale = 0.5**level
        width, height = round(final[0] * scale), round(final[1] * scale)
        if max(width, height) >= MIN_STAGE_SIZE or level == 0:
            sizes.append((width, height))
    return sizes


def _split_steps(iterations: int, stages: int) -> list[int]:
    """More steps where they are cheap: each finer stage gets 0.6x the steps of the one before.

    Every stage gets at least one step (callers keep ``stages <= iterations``), so the last,
    full-size stage always runs and reports the result.
    """
    shares = [0.6**level for level in range(stages)]
    steps = [max(1, int(iterations * share / sum(shares))) for share in shares]
    steps[0] = iterations - sum(steps[1:])
    return steps


def _fit_budget(
    steps: list[int], done: int, stage: int, pixels: list[int], rate: float, seconds_left: float
) -> list[int]:
    """Steps per stage thinned so the rest of the plan fits ``seconds_left``.

    ``rate`` is the measured seconds per step per pixel; ``done`` steps of ``stage`` are behind
    us. Every stage keeps at least one step, so the full-size stage still runs.
    """
    remaining = [max(0, steps[stage] - done)] + steps[stage + 1 :]
    cost = rate * sum(n * p for n, p in zip(remaining, pixels[stage:], strict=True))
    if cost <= seconds_left:
        return steps
    share = max(0.0, seconds_left) / cost
    thinned = [max(1, int(n * share)) for n in remaining]
    return steps[:stage] + [done + thinned[0]] + thinned[1:]


def _picture_losses(network: LossNetwork, image, target_content, target_grams) -> dict:
    """Content, style and total-variation losses of ``image`` (not yet weighted)."""
    spec = network.spec
    total_layer_weight = sum(spec.style_layer_weights)
    layer_weights = {
        layer: weight / total_layer_weight
        for layer, weight in zip(spec.style_layers, spec.style_layer_weights, strict=True)
    }
    features = network.features(image)
    c_loss = content_loss(features[spec.content_layer], target_content)
    s_loss = 0.0
    for share, grams in target_grams:
        for layer, target in grams.items():
            layer_loss = style_loss(gram_matrix(features[layer]), target)
            s_loss += share * layer_weights[layer] * layer_loss
    return {"content": c_loss, "style": s_loss, "tv": total_variation_loss(image)}


def traced_loss_and_gradient(network: LossNetwork):
    """The traced loss + gradient of ``network``, built once and reused by every request.

    Everything that varies between requests (picture, targets, weights) is a tensor argument,
    and ``reduce_retracing`` lets image sizes vary without tracing again.
    """
    cached = getattr(network, "_gatys_loss_and_gradient", None)
    if cached is not None:
        return cached

    @tf.function(reduce_retracing=True)
    def loss_and_gradient(image, target_content, target_grams, weights):
        with tf.GradientTape() as tape:
            tape.watch(image)
            losses = _picture_losses(network, image, target_content, target_grams)
            total = (
                weights[0] * losses["content"]
                + weights[1] * losses["style"]
                + weights[2] * losses["tv"]
            )
        return {"total": total, **losses}, tape.gradient(total, image)

    network._gatys_loss_and_gradient = loss_and_gradient
    return loss_and_gradient


def _temporal_loss_and_gradient(network: LossNetwork):
    """Like :func:`traced_loss_and_gradient` plus the temporal term; a separate traced function
    so the plain one keeps its signature. The warped previous frame, its mask and the four
    weights are tensor arguments, so successive video frames reuse one trace.
    """
    cached = getattr(network, "_gatys_temporal_loss_and_gradient", None)
    if cached is not None:
        return cached

    @tf.function(reduce_retracing=True)
    def loss_and_gradient(image, target_content, target_grams, weights, previous, mask):
        with tf.GradientTape() as tape:
            tape.watch(image)
            losses = _picture_losses(network, image, target_content, target_grams)
            losses["temporal"] = temporal_loss(image, previous, mask)
            total = (
                weights[0] * losses["content"]
                + weights[1] * losses["style"]
                + weights[2] * losses["tv"]
                + weights[3] * losses["temporal"]
            )
        return {"total": total, **losses}, tape.gradient(total, image)

    network._gatys_temporal_loss_and_gradient = loss_and_gradient
    return loss_and_gradient


def _progress(settings, step, planned, size, losses, picture, content_stage, started, notice):
    if settings.preserve_colour:
        picture = _with_content_colours(picture, content_stage)
    return Progress(
        step=step,
        total_steps=planned,
        stage_size=size,
        losses={k: float(v) for k, v in losses.items()},
        image=Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8)),
        seconds=time.perf_counter() - started,
        notice=notice,
    )


def lbfgs_iterations(
    loss_and_gradient, start: np.ndarray, arguments: tuple, iterations: int, deadline: float
) -> Iterator[tuple[np.ndarray, dict]]:
    """Yield (picture, losses) after every L-BFGS-B iteration from ``start`` ((h, w, 3) in
    [0, 255]), at most ``iterations`` of them and none after ``deadline`` (perf_counter time).

    SciPy's minimiser drives the loop, so it runs in a thread and hands each iterate over; it
    waits until the last one is taken, and closing this generator stops it after its current
    iteration.
    """
    shape = start.shape
    handed = queue.Queue(maxsize=1)
    stop = threading.Event()
    latest = {}  # the last evaluation: the point, and every loss term there

    def value_and_gradient(flat):
        losses, gradient = loss_and_gradient(
            tf.constant(flat.reshape(1, *shape), tf.float32), *arguments
        )
        latest.update(point=flat.copy(), losses={k: float(v) for k, v in losses.items()})
        return float(losses["total"]), np.asarray(gradient, np.float64).ravel()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                handed.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def after_iteration(intermediate_result):
        point = intermediate_result.x
        if not np.array_equal(point, latest.get("point")):
            value_and_gradient(point)
        picture = point.reshape(shape).astype(np.float32)
        if not hand_over((picture, dict(latest["losses"]))) or time.perf_counter() > deadline:
            raise StopIteration

    def run():
        try:
            optimize.minimize(
                value_and_gradient,
                start.astype(np.float64).ravel(),
                jac=True,
                method="L-BFGS-B",
                bounds=optimize.Bounds(0.0, 255.0),
                callback=after_iteration,
                # No tolerance stops: SciPy's are absolute, and with pixels in 0..255 and a loss
                # near 1 the gradient's largest entry is about 1e-4, under the default 1e-5 within
                # 40 iterations; the iteration count and the time budget decide instead.
                options={
                    "maxiter": iterations,
                    "maxfun": 3 * iterations,
                    "maxcor": LBFGS_MEMORY,
                    "gtol": 0.0,
                    "ftol": 0.0,
                },
            )
            hand_over(None)
        except Exception as error:  # noqa: BLE001 - re-raised in the consumer's thread
            hand_over(error)

    worker = threading.Thread(target=run, daemon=True, name="showcase-lbfgs")
    worker.start()
    try:
        while True:
            item = handed.get()
            if item is None:
                return
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def _mask_at(mask, size: tuple[int, int]) -> np.ndarray:
    """A (height, width) or (height, width, 1) mask in [0, 1] -> (height, width) at ``size``."""
    mask = np.asarray(mask, dtype=np.float32)
    if mask.ndim == 3 and mask.shape[-1] == 1:
        mask = mask[..., 0]
    if mask.ndim != 2:
        raise InputError("a mask must be a (height, width) array")
    if (mask.shape[1], mask.shape[0]) != tuple(size):
        image = Image.fromarray(mask)  # 2-D float32: mode "F"
        mask = np.asarray(image.resize(size, Image.BILINEAR), dtype=np.float32)
    return np.clip(mask, 0.0, 1.0)


def _as_start(array, size: tuple[int, int]) -> np.ndarray:
    """An (height, width, 3) picture in [0, 255] at ``size`` (width, height), as float32."""
    array = np.asarray(array, dtype=np.float32)
    if array.ndim != 3 or array.shape[-1] != 3:
        raise InputError("the initial and previous pictures must be RGB arrays")
    if (array.shape[1], array.shape[0]) == tuple(size):
        return array
    return _resize(array, size)


def optimise(
    content,
    styles,
    settings: GatysSettings | None = None,
    network: LossNetwork | None = None,
    report_every: int = 10,
    *,
    initial=None,
    initial_mask=None,
    temporal: TemporalTerm | None = None,
) -> Iterator[Progress]:
    """Yield :class:`Progress` every ``report_every`` steps and once at the end (the result).

    ``content`` and each of ``styles`` (one or two) may be paths, bytes, PIL images or arrays.

    For video frames: ``initial`` (an RGB array, resized to the content's size if needed) is the
    starting picture instead of the content, and ``temporal`` adds the temporal loss (reported
    as ``losses["temporal"]``). With several stages, every stage starts from ``initial`` where
    ``initial_mask`` ((height, width) in [0, 1], default all ones) is 1, and where it is 0 from
    the previous stage's result (the content for the first stage): coarse stages then work only
    on the masked-out pixels (for video: those the warped previous frame cannot supply).
    """
    settings = settings or GatysSettings()
    settings.check()
    if not styles or len(styles) > 2:
        raise InputError("give one or two style images")
    network = network or LossNetwork.best_available()
    content_image, size_notice = fit_within(open_image(content, settings.size), settings.size)
    notice = size_notice
    content_full = np.asarray(content_image, dtype=np.float32)
    style_arrays = [
        np.asarray(open_image(style, settings.size), dtype=np.float32) for style in styles
    ]
    if len(style_arrays) == 1:
        style_shares = [1.0]
    else:
        style_shares = [settings.style_ratio, 1.0 - settings.style_ratio]

    spec = network.spec
    # Fewer iterations than stages: keep the finest stages, so the result is full size.
    stage_sizes = _stage_sizes(content_image.size, settings.stages)[-settings.iterations :]
    steps_per_stage = _split_steps(settings.iterations, len(stage_sizes))
    weight_list = [settings.content_weight, settings.style_weight, settings.tv_weight]
    if temporal is None:
        loss_and_gradient = traced_loss_and_gradient(network)
    else:
        if temporal.weight < 0:
            raise InputError("the temporal weight cannot be negative")
        loss_and_gradient = _temporal_loss_and_gradient(network)
        weight_list.append(temporal.weight)
        previous_full = _as_start(temporal.previous, content_image.size)
        mask_full = _mask_at(temporal.mask, content_image.size)
    weights = tf.constant(weight_list, tf.float32)
    optimizer_image = None
    step = 0
    started = time.perf_counter()
    planned = settings.iterations
    pixels = [width * height for width, height in stage_sizes]
    original_plan = list(steps_per_stage)
    for stage, size in enumerate(stage_sizes):
        content_stage = _resize(content_full, size)
        target_content = network.features(content_stage[None])[spec.content_layer]
        target_grams = []
        for style_array, share in zip(style_arrays, style_shares, strict=True):
            # The painting is seen at the scale of the picture being made.
            scale = max(size) / max(style_array.shape[:2])
            style_size = (
                max(32, round(style_array.shape[1] * scale)),
                max(32, round(style_array.shape[0] * scale)),
            )
            style_stage = _resize(style_array, style_size)
            if settings.preserve_colour:
                style_stage = _luminance_only(style_stage, content_stage)
            features = network.features(style_stage[None])
            target_grams.append(
                (
                    tf.constant(share, tf.float32),
                    {layer: gram_matrix(features[layer]) for layer in spec.style_layers},
                )
            )

        temporal_args = ()
        if temporal is not None:
            full_size = size == content_image.size
            previous_stage = previous_full if full_size else _resize(previous_full, size)
            mask_stage = _mask_at(mask_full, size)
            if settings.preserve_colour:  # the optimisation runs on luminance only
                previous_stage = _luminance_only(previous_stage, previous_stage)
            temporal_args = (
                tf.constant(previous_stage[None]),
                tf.constant(mask_stage[None, :, :, None]),
            )

        start = content_stage if optimizer_image is None else _resize(optimizer_image, size)
        if initial is not None:
            keep = 1.0 if initial_mask is None else _mask_at(initial_mask, size)[..., None]
            start = start + keep * (_as_start(initial, size) - start)
        if settings.preserve_colour:
            start = _luminance_only(start, start)
        if settings.optimiser == "lbfgs":
            final = stage == len(stage_sizes) - 1
            # The time left, shared between the stages by their planned cost (steps x pixels).
            costs = [n * p for n, p in zip(steps_per_stage[stage:], pixels[stage:], strict=True)]
            deadline = float("inf")
            if settings.max_seconds is not None:
                seconds_left = settings.max_seconds - (time.perf_counter() - started)
                deadline = time.perf_counter() + seconds_left * costs[0] / sum(costs)
            picture, losses, reported = start, None, None
            for picture, losses in lbfgs_iterations(
                loss_and_gradient,
                start,
                (target_content, target_grams, weights, *temporal_args),
                steps_per_stage[stage],
                deadline,
            ):
                step += 1
                if step % report_every == 0:
                    reported = step
                    yield _progress(settings, step, planned, size, losses, picture,
                                    content_stage, started, notice)  # fmt: skip
            if final and (losses is None or reported != step):
                if losses is None:  # no iteration ran: the result is where the stage began
                    losses, _ = loss_and_gradient(
                        tf.constant(picture[None]), target_content, target_grams, weights,
                        *temporal_args,
                    )  # fmt: skip
                yield _progress(settings, step, step, size, losses, picture, content_stage,
                                started, notice)  # fmt: skip
            optimizer_image = picture
            continue
        image = tf.Variable(start[None])
        optimizer = keras.optimizers.Adam(settings.learning_rate)
        optimizer.build([image])

        stage_step, timed_from = 0, None
        while stage_step < steps_per_stage[stage]:
            losses, gradient = loss_and_gradient(
                tf.convert_to_tensor(image), target_content, target_grams, weights, *temporal_args
            )
            optimizer.apply_gradients([(gradient, image)])
            image.assign(tf.clip_by_value(image, 0.0, 255.0))
            step += 1
            stage_step += 1
            if settings.max_seconds is not None:
                # The first step of a stage may trace the function: time the ones after it.
                if stage_step == 1:
                    timed_from = time.perf_counter()
                elif stage_step in (4, 16, 64) or stage_step % 128 == 0:
                    rate = (time.perf_counter() - timed_from) / ((stage_step - 1) * pixels[stage])
                    seconds_left = settings.max_seconds - (time.perf_counter() - started)
                    # From the original plan each time: a later, larger stage measures the
                    # cost per pixel better than the small first one, which overestimates it.
                    steps_per_stage = _fit_budget(
                        steps_per_stage[:stage] + original_plan[stage:],
                        stage_step,
                        stage,
                        pixels,
                        rate,
                        seconds_left,
                    )
                    planned = sum(steps_per_stage)
                    notice = size_notice
                    if planned < settings.iterations:
                        notice = (
                            f"{size_notice} To finish within this server's "
                            f"{settings.max_seconds:.0f} s budget, {planned:,} of the "
                            f"{settings.iterations:,} steps were run; a smaller size finishes "
                            "more of them."
                        ).strip()
            last = stage == len(stage_sizes) - 1 and stage_step == steps_per_stage[stage]
            if step % report_every == 0 or last:
                yield _progress(settings, step, planned, size, losses, image.numpy()[0],
                                content_stage, started, notice)  # fmt: skip
        optimizer_image = image.numpy()[0]
