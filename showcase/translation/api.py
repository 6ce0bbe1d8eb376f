"""The import API: ``Translator.from_pretrained("en-fr").translate(["..."], beam_size=4)``.

Names imported ``as`` themselves below are re-exported: they are what the demo's UI
(apps/translation.py) and other importers use, since the UI imports from showcase only this module
and showcase.apps.common (tests/platform/test_layering.py).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import tensorflow as tf

from showcase.beam_search import beam_search, greedy, traced_step
from showcase.errors import InputError
from showcase.inputs import check_beam_size, clean_text
from showcase.pretrained import Pretrained
from showcase.translation.corpora import check_pair
from showcase.translation.plot import attention_picture as attention_picture
from showcase.translation.subwords import END_ID, PAD_ID, START_ID, UNKNOWN_ID

DEMO = "translation"
MAX_BEAM_SIZE = 10
MAX_CHARACTERS = 2000  # about 20 sentences: a few seconds on a laptop CPU
LENGTH_ALPHA = 0.6  # GNMT's length-penalty exponent (Wu et al. 2016)
# A sentence ends at . ! ? … (and closing quotes or brackets after them) followed by a space.
SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]]))\s+")
# A full stop after these words (or after one capital, an initial) abbreviates, not ends.
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr mt vs etc e.g i.e no vol fig approx dept est".split()
)


def _abbreviates(part: str) -> bool:
    word = part.rsplit(maxsplit=1)[-1] if part.strip() else ""
    if not word.endswith(".") or word.endswith(".."):
        return False
    stem = word[:-1].lstrip("\"'“‘([").lower()
    return stem in ABBREVIATIONS or (len(stem) == 1 and stem.isalpha())


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for part in SENTENCE_END.split(text):
        part = part.strip()
        if not part:
            continue
        if sentences and _abbreviates(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {part}"
        else:
            sentences.append(part)
    return sentences


@dataclasses.dataclass
class Translation:
    source: str
    text: str
    log_probability: float
    source_pieces: list[str]
    target_pieces: list[str]
    attention: np.ndarray  # (target pieces + end, source pieces)
    # Every beam, best first: (text, log-probability, length-normalised score it was ranked by).
    alternatives: list[tuple[str, float, float]]


class Translator(Pretrained):
    """A trained English -> French or English -> German translator (raw text in and out)."""

    DEMO = DEMO
    DEFAULT_NAME = "en-fr"

    def __init__(self, model, path: Path | None = None, card=None):
        super().__init__(model, path, card)
        self.pair = model.pair
        self.source_subwords = model.source_subwords
        self.target_subwords = model.target_subwords
        units = model.decoder_units
        self._start = tf.function(
            model.start, input_signature=[tf.TensorSpec([None, None], tf.int32)]
        )
        # State: the LSTM's h and c, the encoder's memory, and which source places hold a piece.
        memory = [None, None, 2 * model.encoder_units]
        self._step = traced_step(model.step, [None, units], [None, units], memory, [None, None])
        # Never emit padding, the unknown piece or a second start.
        self._banned = np.array([PAD_ID, UNKNOWN_ID, START_ID])

    @classmethod
    def check_name(cls, name: str) -> str:
        """A translator's checkpoint is named after its language pair ("en-fr")."""
        check_pair(name)
        return name

    def _trace(self) -> None:
        self.translate("A man is walking.", beam_size=2)

    # -- one sentence --------------------------------------------------------------------------
    def _source_ids(self, sentence: str) -> list[int]:
        ids = self.source_subwords.encode([sentence])[0][: self.model.max_source_length]
        return ids or [UNKNOWN_ID]

    def translate_sentence(self, sentence: str, beam_size: int = 4) -> Translation:
        beam_size = check_beam_size(beam_size, MAX_BEAM_SIZE)
        source_ids = self._source_ids(sentence)
        memory, is_word, h, c = (
            np.asarray(t) for t in self._start(np.array([source_ids], np.int32))
        )

        def step(previous, state):
            log_probs, h, c, weights = self._step(previous, *state)
            log_probs = np.array(log_probs)
            log_probs[:, self._banned] = -np.inf
            state = (np.asarray(h), np.asarray(c), state[2], state[3])
            return log_probs, state, np.asarray(weights)

        def expand(state, rows):
            h, c, memory, is_word = state
            first = np.zeros(len(rows), np.int64)
            return h[rows], c[rows], memory[first], is_word[first]

        max_length = min(self.model.max_target_length, 2 * len(source_ids) + 10)
        state = (h, c, memory, is_word)
        if beam_size == 1:
            beams = [greedy(step, state, max_length, START_ID, END_ID)]
        else:
            beams = beam_search(
                step, state, beam_size, max_length, expand, START_ID, END_ID, LENGTH_ALPHA
            )
        best = beams[0]
        return Translation(
            source=sentence,
            text=self.target_subwords.decode(best.tokens),
            log_probability=best.log_probability,
            source_pieces=self.source_subwords.pieces(source_ids),
            target_pieces=[*self.target_subwords.pieces(best.tokens), "</s>"][
                : len(best.attention)
            ],
            attention=np.stack(best.attention) if best.attention else np.zeros((0, 1)),
            alternatives=[
                (self.target_subwords.decode(b.tokens), b.log_probability, b.score) for b in beams
            ],
        )

    # -- any text ------------------------------------------------------------------------------
    def translate_text(self, text: str, beam_size: int = 4) -> tuple[list[Translation], list[str]]:
        """Any text -> (one Translation per sentence, notices for the reader)."""
        text, notice = clean_text(text, MAX_CHARACTERS, "text to translate")
        notices = [notice] if notice else []
        unknown = self.unknown_characters(text)
        if unknown:
            notices.append(
                "The model has never seen these characters and reads each as an unknown word: "
                + " ".join(unknown)
            )
        sentences = split_sentences(text)
        translations = [self.translate_sentence(s, beam_size) for s in sentences]
        too_long = [t for t in translations if len(t.source_pieces) >= self.model.max_source_length]
        if too_long:
            notices.append(
                f"{len(too_long)} sentence(s) were longer than the {self.model.max_source_length} "
                "pieces the model reads; only their beginning was translated."
            )
        return translations, notices

    def translate(self, texts, beam_size: int = 4):
        """A string -> its translation; a list of strings -> a list of translations."""
        if isinstance(texts, str):
            translations, _ = self.translate_text(texts, beam_size)
            return " ".join(t.text for t in translations)
        if not isinstance(texts, list | tuple):
            raise InputError(f"translate() takes a string or a list of strings, not {texts!r}")
        return [self.translate(text, beam_size) for text in texts]

    def attention(self, text: str, beam_size: int = 4):
        """(source pieces, target pieces, weights (target, source)) for one sentence."""
        translation = self.translate_sentence(
            clean_text(text, MAX_CHARACTERS, "text to translate")[0], beam_size
        )
        return translation.source_pieces, translation.target_pieces, translation.attention

    def unknown_characters(self, text: str) -> list[str]:
        proto = self.source_subwords.processor.encode(text, return_type="proto")
        found = []
        for piece in proto.pieces:
            if piece.id == UNKNOWN_ID and piece.surface.strip() not in found:
                found.append(piece.surface.strip())
        return [f for f in found if f]
