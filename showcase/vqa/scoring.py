"""Accuracy per question type: the figure every card and ``showcase evaluate vqa`` report."""

from __future__ import annotations

import numpy as np

from showcase.vqa.batches import inputs_for
from showcase.vqa.sort_of_clevr import NON_RELATIONAL, QUESTION_TYPES, RELATIONAL, QuestionSet


def predict_logits(model, data: QuestionSet, batch_size: int = 500) -> np.ndarray:
    """(questions, answers) logits of ``model`` for every question of ``data``."""
    outputs = []
    for start in range(0, len(data), batch_size):
        rows = slice(start, start + batch_size)
        inputs = inputs_for(
            model,
            data.images[data.image_index[rows]],
            data.questions[rows],
            data.texts[rows],
        )
        outputs.append(np.asarray(model(inputs, training=False)))
    return np.concatenate(outputs) if outputs else np.zeros((0, model.output.shape[-1]))


def accuracies(predicted: np.ndarray, data: QuestionSet) -> dict:
    """Accuracy overall, on non-relational and relational questions, and per question type."""
    correct = predicted == data.answers
    kinds = np.asarray(QUESTION_TYPES)[data.kinds]
    relational = np.isin(kinds, RELATIONAL)

    def share(mask) -> float:
        return round(float(correct[mask].mean()), 4) if mask.any() else float("nan")

    return {
        "overall": share(np.ones_like(correct)),
        "non_relational": share(np.isin(kinds, NON_RELATIONAL)),
        "relational": share(relational),
        "per_type": {kind: share(kinds == kind) for kind in QUESTION_TYPES},
        "questions": int(len(correct)),
    }


def score(model, data: QuestionSet) -> dict:
    return accuracies(predict_logits(model, data).argmax(axis=1), data)
