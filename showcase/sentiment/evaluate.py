"""Score the sentiment classifier (``showcase evaluate sentiment``): accuracy on a test split."""

from __future__ import annotations

import numpy as np

from showcase.sentiment.api import SentimentClassifier
from showcase.sentiment.data import LabelledTexts, load_eval_split
from showcase.training import evaluation_row


def accuracy_of(
    classifier: SentimentClassifier, data: LabelledTexts, batch_size: int = 256
) -> float:
    probabilities = np.concatenate(
        [
            classifier.positive_probabilities(data.texts[start : start + batch_size])
            for start in range(0, len(data), batch_size)
        ]
    )
    predicted = (probabilities >= 0.5).astype(int)
    return float((predicted == np.asarray(data.labels)).mean())


def evaluate(checkpoint: str | None = None, data: str | None = None) -> dict:
    """Recompute the card's metric: accuracy on the test split of ``data`` (default SST-2)."""
    classifier = SentimentClassifier.from_pretrained(checkpoint=checkpoint)
    test = load_eval_split(data, "test")
    split = f"{test.source} ({len(test):,} sentences)"
    return evaluation_row(classifier, "accuracy", split, round(accuracy_of(classifier, test), 4))
