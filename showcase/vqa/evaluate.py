"""``showcase evaluate vqa``: every network's accuracy per question type on the held-out scenes.

The held-out test is 1,000 Sort-of-CLEVR scenes (20,000 questions) from seed 10,000,000, which no
training or model selection saw (:mod:`showcase.vqa.sort_of_clevr`).
"""

from __future__ import annotations

from showcase.errors import CheckpointError
from showcase.training import evaluation_row
from showcase.vqa.api import DEMO, QuestionAnswerer
from showcase.vqa.scoring import score
from showcase.vqa.sort_of_clevr import TEST_SCENES, test_set


def held_out_scenes(network: QuestionAnswerer) -> int:
    """As many held-out scenes as the card was measured on (1,000 for the shipped models)."""
    metric = network.card.metric if network.card else {}
    return int(metric.get("scenes") or TEST_SCENES)


def evaluate_model(network: QuestionAnswerer, data=None) -> dict:
    data = data if data is not None else test_set(held_out_scenes(network))
    measured = score(network.model, data)
    return evaluation_row(
        network,
        "accuracy on held-out questions",
        f"Sort-of-CLEVR test, {len(data.seeds):,} scenes ({len(data):,} questions)",
        measured["overall"],
        **{key: value for key, value in measured.items() if key != "overall"},
        architecture=network.architecture,
    )


def evaluate(checkpoint: str | None = None, data: str | None = None, model: str | None = None):
    """Every installed network (or the one ``checkpoint`` / ``model`` names), scored again."""
    found = QuestionAnswerer.available(checkpoint)
    if model is not None:
        if model not in found:
            raise CheckpointError(f"no vqa checkpoint called {model!r}; found: {', '.join(found)}")
        found = {model: found[model]}
    if not found:
        raise CheckpointError(f"no {DEMO} checkpoint found; train one with `showcase train vqa`")
    rows = [evaluate_model(QuestionAnswerer.load(path)) for path in found.values()]
    return rows[0] if len(rows) == 1 else {"demo": DEMO, "results": rows}


def describe(row: dict) -> list[str]:
    per_type = ", ".join(f"{kind} {value:.1%}" for kind, value in row["per_type"].items())
    return [
        f"non-relational {row['non_relational']:.1%}, relational {row['relational']:.1%}",
        per_type,
    ]
