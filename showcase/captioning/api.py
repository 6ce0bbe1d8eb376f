"""The import API: ``Captioner.from_pretrained().caption(image, beam_size=3)``.

Names imported ``as`` themselves below are re-exported: they are what the demo's UI
(apps/captioning.py) and other importers use (the vqa demo draws Sort-of-CLEVR with the scene
classes), since a UI or another demo imports from showcase only this module and
showcase.apps.common (tests/platform/test_layering.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf
from PIL import Image

from showcase.beam_search import Beam, beam_search, greedy, traced_step
from showcase.captioning.scenes import COLOURS as COLOURS
from showcase.captioning.scenes import Scene as Scene
from showcase.captioning.scenes import SceneObject as SceneObject
from showcase.captioning.scenes import make_scene as make_scene
from showcase.captioning.vocabulary import END_ID, START_ID, Vocabulary
from showcase.errors import InputError
from showcase.images import open_image
from showcase.inputs import check_beam_size
from showcase.pretrained import Pretrained

DEMO = "captioning"
CHECKPOINT_NAME = "scenes_attention"  # the shipped one
ATTENTION_CHECKPOINT_NAME = "scenes_attention"
MAX_BEAM_SIZE = 10


class Captioner(Pretrained):
    """A trained Show-and-Tell captioner (optionally with attention).

    Images may be paths, bytes, PIL images or arrays in any mode; they are centre-cropped to a
    square and resized to the model's input size.
    """

    DEMO = DEMO
    DEFAULT_NAME = CHECKPOINT_NAME

    def __init__(self, model, path: Path | None = None, card=None):
        super().__init__(model, path, card)
        self.vocabulary = Vocabulary(model.tokens)
        size, units = model.image_size, model.units
        self._start = tf.function(
            model.start, input_signature=[tf.TensorSpec([None, size, size, 3], tf.float32)]
        )
        # State: the LSTM's h and c, and the image regions the attention reads.
        self._step = traced_step(model.step, [None, units], [None, units], [None, None, None])

    @property
    def has_attention(self) -> bool:
        return bool(self.model.attention)

    @property
    def attention_grid(self) -> tuple[int, int]:
        shape = self.model.encoder.output.shape
        return int(shape[1]), int(shape[2])

    def _trace(self) -> None:
        self.caption(np.zeros((self.model.image_size, self.model.image_size, 3), np.uint8), 2)

    def prepare(self, image) -> np.ndarray:
        """Any image -> float32 (1, size, size, 3) pixels in [0, 255]."""
        # The centre square is scaled to the model's input size: twice that is plenty to decode.
        picture = open_image(image, 2 * self.model.image_size)
        side = min(picture.size)
        if side < 8:
            raise InputError(f"This image is {picture.width}x{picture.height}; it is too small.")
        left, top = (picture.width - side) // 2, (picture.height - side) // 2
        square = picture.crop((left, top, left + side, top + side))
        size = self.model.image_size
        resized = square.resize((size, size), Image.BILINEAR if side > size else Image.NEAREST)
        return np.asarray(resized, np.float32)[None]

    def _decode(self, image, beam_size: int) -> list[Beam]:
        h, c, regions = (np.asarray(t) for t in self._start(self.prepare(image)))

        def step(words, state):
            log_probs, h, c, weights = self._step(words, *state)
            return (
                np.asarray(log_probs),
                (np.asarray(h), np.asarray(c), state[2]),
                np.asarray(weights),
            )

        if beam_size == 1:
            return [greedy(step, (h, c, regions), self.model.max_length, START_ID, END_ID)]

        def expand(state, rows):
            h, c, regions = state
            return h[rows], c[rows], regions[np.zeros(len(rows), np.int64)]

        return beam_search(
            step, (h, c, regions), beam_size, self.model.max_length, expand, START_ID, END_ID
        )

    def caption(self, image, beam_size: int = 3) -> list[tuple[str, float]]:
        """The ``beam_size`` likeliest captions with their log-probabilities, best first."""
        beams = self._decode(image, check_beam_size(beam_size, MAX_BEAM_SIZE))
        return [(self.vocabulary.decode(beam.tokens), beam.log_probability) for beam in beams]

    def greedy_caption(self, image) -> tuple[str, float]:
        return self.caption(image, beam_size=1)[0]

    def attention(self, image, beam_size: int = 3) -> tuple[list[str], np.ndarray]:
        """(words of the best caption, one attention map per word, (words, rows, columns))."""
        if not self.has_attention:
            raise InputError(
                f"{self.path.name if self.path else 'This model'} has no attention; load the "
                f"'{ATTENTION_CHECKPOINT_NAME}' checkpoint for attention maps."
            )
        _, words, maps = self.caption_with_attention(image, beam_size)
        return words, maps

    def caption_with_attention(self, image, beam_size: int = 3):
        """One decoding for both: (captions as :meth:`caption` gives them, the best caption's
        words, their attention maps or None for a model without attention)."""
        beams = self._decode(image, check_beam_size(beam_size, MAX_BEAM_SIZE))
        captions = [(self.vocabulary.decode(b.tokens), b.log_probability) for b in beams]
        if not self.has_attention:
            return captions, None, None
        words = [self.vocabulary.tokens[i] for i in beams[0].tokens]
        maps = np.stack(beams[0].attention[: len(words)]) if words else np.zeros((0, 1))
        return captions, words, maps.reshape(len(words), *self.attention_grid)
