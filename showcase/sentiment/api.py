"""The import API for sentiment: labels, probabilities, and per-word contributions."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import tensorflow as tf

from showcase.errors import InputError
from showcase.inputs import clean_text, decode_upload
from showcase.pretrained import Pretrained

DEMO = "sentiment"
CHECKPOINT_NAME = "sst2_bilstm"
MAX_CHARS = 2000
MAX_BATCH_LINES = 5000
# All the sentences of one batch file together; a line longer than MAX_CHARS is cut to it.
MAX_BATCH_CHARACTERS = 500_000
# Sentences go through the network this many at a time, so memory does not grow with the file
# (one batch of 5,000 long lines padded to the longest took 6 GB).
CHUNK_SIZE = 64
# Occlusion costs one forward pass per word; past this many words the rest are not scored.
MAX_OCCLUDED_WORDS = 128


class SentimentClassifier(Pretrained):
    """A saved string-in sentiment model with a fast, compiled predict path.

    Example:
        >>> from showcase.sentiment import SentimentClassifier
        >>> classifier = SentimentClassifier.from_pretrained()
        >>> classifier.predict(["I love my mobile phone", "I hate the small screen of my PDA"])
        [('positive', 0.97...), ('negative', 0.98...)]
    """

    DEMO = DEMO
    DEFAULT_NAME = CHECKPOINT_NAME

    def __init__(self, model, path: Path | None = None, card=None):
        super().__init__(model, path, card)
        # One trace for every batch size; retracing per request would cost ~100 ms each.
        self._forward = tf.function(
            lambda texts: self.model(texts, training=False),
            input_signature=[tf.TensorSpec([None], tf.string)],
            reduce_retracing=True,
        )

    def _trace(self) -> None:
        self.predict(["warm up"])  # about 5 s

    def positive_probabilities(self, texts: list[str]) -> np.ndarray:
        """P(positive) for each text, as a float array; texts are cleaned and length-capped."""
        if isinstance(texts, str):
            raise InputError("pass a list of strings, e.g. predict(['a fine film'])")
        cleaned = [clean_text(text, MAX_CHARS)[0] for text in texts]
        if not cleaned:
            return np.zeros((0,), dtype=np.float32)
        return np.concatenate(
            [self._run(cleaned[i : i + CHUNK_SIZE]) for i in range(0, len(cleaned), CHUNK_SIZE)]
        )

    def _run(self, texts: list[str]) -> np.ndarray:
        # The strings become a tensor here, outside the compiled function: a failure while
        # TensorFlow binds a tf.function's inputs leaves the function's lock held, and every
        # later call from another thread would wait for it forever.
        strings = tf.constant(np.asarray(texts, dtype=object), dtype=tf.string)
        return self._forward(strings).numpy().reshape(-1)

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        """(label, probability of that label) for each text; label is 'positive' or 'negative'."""
        return [label_of(p) for p in self.positive_probabilities(texts)]

    def word_contributions(self, text: str) -> list[tuple[str, float]]:
        """How much each word pushes towards positive, by occlusion (Zeiler & Fergus 2014).

        A word's score is P(positive | sentence) - P(positive | sentence without that word),
        so +0.3 means the word added 30 points of positive probability.
        """
        text, _ = clean_text(text, MAX_CHARS)
        words = text.split()
        scored = words[:MAX_OCCLUDED_WORDS]
        variants = [text] + [
            " ".join(words[:i] + words[i + 1 :]) or " " for i in range(len(scored))
        ]
        probabilities = self._run(variants)
        full = probabilities[0]
        contributions = [
            (word, float(full - p)) for word, p in zip(scored, probabilities[1:], strict=True)
        ]
        return contributions + [(word, 0.0) for word in words[len(scored) :]]


def label_of(positive_probability: float) -> tuple[str, float]:
    p = float(positive_probability)
    return ("positive", p) if p >= 0.5 else ("negative", 1.0 - p)


def read_batch_file(path: str | Path) -> list[str]:
    """Sentences from an uploaded .txt (one per line) or .csv (a 'text' column, else the first)."""
    path = Path(path)
    if path.suffix.lower() not in (".txt", ".csv", ".tsv"):
        raise InputError(f"{path.name}: upload a .txt (one sentence per line) or a .csv file")
    content = decode_upload(path.read_bytes(), path.name)
    if path.suffix.lower() == ".txt":
        lines = [line.strip() for line in content.splitlines()]
    else:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        rows = list(csv.reader(io.StringIO(content), delimiter=delimiter))
        if not rows:
            raise InputError(f"{path.name} is empty")
        header = [cell.strip().lower() for cell in rows[0]]
        column = header.index("text") if "text" in header else 0
        body = rows[1:] if "text" in header else rows
        lines = [row[column].strip() if len(row) > column else "" for row in body]
    lines = [line for line in lines if line]
    if not lines:
        raise InputError(f"{path.name} has no sentences")
    if len(lines) > MAX_BATCH_LINES:
        raise InputError(
            f"{path.name} has {len(lines):,} sentences; the limit is {MAX_BATCH_LINES:,} per upload"
        )
    characters = sum(min(len(line), MAX_CHARS) for line in lines)
    if characters > MAX_BATCH_CHARACTERS:
        raise InputError(
            f"{path.name} has {characters:,} characters of text; the limit is "
            f"{MAX_BATCH_CHARACTERS:,} per upload (split it into several files)"
        )
    return lines


def predictions_csv(texts: list[str], positive_probabilities: np.ndarray) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "label", "probability", "positive_probability"])
    for text, p in zip(texts, positive_probabilities, strict=True):
        label, confidence = label_of(p)
        writer.writerow([text, label, f"{confidence:.4f}", f"{float(p):.4f}"])
    return out.getvalue()
