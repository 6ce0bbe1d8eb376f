"""The import API: ``DigitGenerator.from_pretrained().generate(digits=[3, 7], seed=0)``, and
``DigitGenerator.from_pretrained("began")`` or ``("pggan")`` for BEGAN or the progressive GAN.

Names imported ``as`` themselves below are re-exported: they are what the demo's UI
(apps/dcgan.py) and other importers use, since the UI imports from showcase only this module
and showcase.apps.common (tests/platform/test_layering.py).
"""

from __future__ import annotations

import math
import threading
from pathlib import Path

import numpy as np
import tensorflow as tf

from showcase import checkpoints
from showcase.dcgan.digit_classifier import NAME as CLASSIFIER_NAME
from showcase.dcgan.framing import TRAIN_SIDE
from showcase.dcgan.model import classes_of, to_uint8
from showcase.dcgan.model import grid as grid
from showcase.errors import DataError, InputError
from showcase.inputs import check_seed
from showcase.pretrained import Pretrained

DEMO = "dcgan"
CHECKPOINT_NAME = "mnist_digits"
MAX_NOISE_STRENGTH = 2.0
MAX_IMAGES = 256  # a 16x16 grid
MAX_INTERPOLATION_STEPS = 32


def digit_classifier(generator_path: Path | None = None):
    """The small CNN that judges generated digits: a keras.Model, 28x28x1 in [-1, 1] -> 10 logits.

    The one trained beside ``generator_path`` (its ``evaluator/`` folder) when there is one, else
    the shipped one. Its layers are named (``conv1a`` ... ``logits``), so the lessons can look
    inside it.
    """
    folders = [checkpoints.shipped_checkpoint_dir(DEMO) / "evaluator"]
    if generator_path is not None:
        folders.insert(0, Path(generator_path).parent / "evaluator")
    for folder in folders:
        path = folder / f"{CLASSIFIER_NAME}.keras"
        if path.is_file():
            return checkpoints.load_model(path, DEMO)
    raise DataError(
        "no digit classifier found to judge the generator; `showcase train dcgan` makes one"
    )


def check_noise_strength(strength) -> float:
    try:
        strength = float(strength)
    except (TypeError, ValueError):
        raise InputError(f"The noise strength must be a number, not {strength!r}.") from None
    if not math.isfinite(strength) or not 0.0 <= strength <= MAX_NOISE_STRENGTH:
        raise InputError(
            f"The noise strength must be between 0 and {MAX_NOISE_STRENGTH:g}; {strength:g} is not."
        )
    return strength


def check_count(count, most: int = MAX_IMAGES, what: str = "number of images") -> int:
    if isinstance(count, float) and count.is_integer():
        count = int(count)  # sliders send 8.0
    if isinstance(count, bool) or not isinstance(count, int | np.integer):
        raise InputError(f"The {what} must be a whole number, not {count!r}.")
    if not 1 <= count <= most:
        raise InputError(f"The {what} must be between 1 and {most}; {count} is not.")
    return int(count)


def noise_for(seed: int, count: int, noise_dim: int) -> np.ndarray:
    """The seed's noise vectors; the first ``k`` are the same whatever ``count`` is."""
    return np.random.default_rng(seed).standard_normal((count, noise_dim)).astype("float32")


def slerp(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    """Points on the great circle from ``start`` to ``end`` (White 2016, "Sampling Generative
    Networks"): Gaussian noise lives near a sphere, and a straight line cuts through its inside,
    where the generator saw no training noise."""
    cosine = np.dot(start, end) / (np.linalg.norm(start) * np.linalg.norm(end))
    angle = np.arccos(np.clip(cosine, -1.0, 1.0))
    fractions = np.linspace(0.0, 1.0, steps)[:, None]
    if angle < 1e-6:
        return ((1 - fractions) * start + fractions * end).astype("float32")
    return (
        (np.sin((1 - fractions) * angle) * start + np.sin(fractions * angle) * end) / np.sin(angle)
    ).astype("float32")


class DigitGenerator(Pretrained):
    """A trained (class-conditional) digit generator: the DCGAN (the default), BEGAN or the
    progressive GAN (``from_pretrained("began")``, ``("pggan")``); all draw 28 x 28 digits from
    (noise, digit).

    ``generate`` and ``interpolate`` return uint8 arrays, (count, 28, 28) for MNIST digits
    ((count, h, w, 3) for a colour model); :func:`showcase.dcgan.model.grid` tiles them.
    """

    DEMO = DEMO
    DEFAULT_NAME = CHECKPOINT_NAME

    def __init__(self, model, path: Path | None = None, card=None):
        super().__init__(model, path, card)
        self.classes = classes_of(model)
        self.noise_dim = int(model.input[0].shape[-1])
        self.image_shape = tuple(int(side) for side in model.output.shape[1:])
        self._stages: dict | None = None  # a progressive GAN's earlier stages, see growth()
        self._stages_lock = threading.Lock()
        # One trace for any batch size.
        self._forward = tf.function(
            lambda noise, labels: self.model([noise, labels], training=False),
            input_signature=[
                tf.TensorSpec([None, self.noise_dim], tf.float32),
                tf.TensorSpec([None], tf.int32),
            ],
        )

    @property
    def is_digit_model(self) -> bool:
        return self.classes == 10 and self.image_shape == (28, 28, 1)

    def _trace(self) -> None:
        self._forward(np.zeros((1, self.noise_dim), "float32"), np.zeros((1,), "int32"))

    def check_digit(self, digit) -> int:
        if isinstance(digit, bool) or not isinstance(digit, int | np.integer):
            raise InputError(f"A digit must be a whole number, not {digit!r}.")
        if not 0 <= digit < self.classes:
            if self.classes == 1:
                raise InputError("This generator has no classes; ask for 'any' (digits=None).")
            raise InputError(
                f"Digit {digit} is out of range: choose 0 to {self.classes - 1}, or 'any'."
            )
        return int(digit)

    def _draw(self, noise: np.ndarray, labels: np.ndarray) -> np.ndarray:
        return to_uint8(self._forward(noise, labels.astype("int32")))

    def generate(
        self, digits=None, seed: int = 0, noise_strength: float = 1.0, count: int | None = None
    ) -> np.ndarray:
        """Draw images.

        ``digits``: a list of classes (one image each), one class (``count`` images of it), or
        ``None`` for "any" (``count`` images of classes picked by the seed). ``noise_strength``
        scales the noise: 0 gives each class's "average" image, 1 the trained spread, up to 2.
        """
        seed = check_seed(seed)
        strength = check_noise_strength(noise_strength)
        if digits is None or isinstance(digits, int | np.integer):
            count = check_count(1 if count is None else count)
            if digits is None:
                picker = np.random.default_rng([seed, 1])
                labels = picker.integers(0, self.classes, count)
            else:
                labels = np.full(count, self.check_digit(digits))
        else:
            labels = np.array([self.check_digit(digit) for digit in digits], dtype=np.int64)
            check_count(len(labels), what="number of digits")
            if count is not None and count != len(labels):
                raise InputError(f"count={count} but {len(labels)} digits were given")
        noise = noise_for(seed, len(labels), self.noise_dim) * np.float32(strength)
        return self._draw(noise, labels)

    def stage_paths(self) -> dict[int, Path]:
        """A progressive GAN's generators at the end of each smaller stage, by resolution:
        ``<name>_stages/<name>_<side>px.keras`` beside this checkpoint (empty for other GANs)."""
        if self.path is None:
            return {}
        folder = checkpoints.companion_folder(self.path)
        found = {}
        for path in folder.glob(f"{self.path.stem}_*px.keras"):
            side = path.stem.rsplit("_", 1)[1].removesuffix("px")
            if side.isdigit():
                found[int(side)] = path
        return dict(sorted(found.items()))

    def growth(self, digit=None, seed: int = 0, noise_strength: float = 1.0) -> list[tuple]:
        """One seed's digit as the progressive GAN grew: [(pixels, (28, 28) uint8), ...] from
        each stage's generator (its output doubled up to 32 pixels) and this one's (32 pixels).
        Just this one's for a GAN that did not grow."""
        with self._stages_lock:  # loaded once, on the first request that asks for the growth
            if self._stages is None:
                self._stages = {
                    side: DigitGenerator.load(path) for side, path in self.stage_paths().items()
                }
        drawn = [
            (side, stage.generate(digit, seed, noise_strength, count=1)[0])
            for side, stage in self._stages.items()
        ]
        side = TRAIN_SIDE if self._stages else self.image_shape[0]
        return [*drawn, (side, self.generate(digit, seed, noise_strength, count=1)[0])]

    def interpolate(
        self, seed_a: int, seed_b: int, steps: int = 8, digit: int | None = None
    ) -> np.ndarray:
        """``steps`` images walking the noise from ``seed_a``'s to ``seed_b``'s (first noise
        vector of each, so the ends equal ``generate(digit, seed)``), for one class."""
        seed_a, seed_b = check_seed(seed_a, "first seed"), check_seed(seed_b, "second seed")
        steps = check_count(steps, MAX_INTERPOLATION_STEPS, "number of steps")
        if steps < 2:
            raise InputError("An interpolation needs at least 2 steps.")
        digit = 0 if digit is None else self.check_digit(digit)
        start = noise_for(seed_a, 1, self.noise_dim)[0]
        end = noise_for(seed_b, 1, self.noise_dim)[0]
        return self._draw(slerp(start, end, steps), np.full(steps, digit))
