"""``showcase evaluate captioning``: BLEU against the references, and whether captions are true.

On held-out synthetic scenes (seeds training never draws from), each caption is the best beam
(size 3) and is scored two ways:

- corpus BLEU-1..4 (sacrebleu, every reference caption of a scene as a reference, no extra
  tokenisation: the captions are lower-case words already), reported 0-1;
- grounded accuracy: the share of captions of which every object, colour, size, shape, location
  and relation is true of the scene (``scenes.grounded``), in total and by number of objects,
  since one-object scenes are nearly all seen in training (see ``scenes``).
"""

from __future__ import annotations

import collections

from sacrebleu.metrics import BLEU

from showcase.captioning import scenes
from showcase.captioning.api import DEMO, Captioner
from showcase.captioning.data import scene_split
from showcase.errors import DataError
from showcase.training import evaluation_row, record_metric

HELD_OUT_SCENES = 1000
BEAM_SIZE = 3


def corpus_bleu(hypotheses: list[str], references: list[list[str]]) -> dict[str, float]:
    """BLEU-1..4 in 0-1 with multiple references per hypothesis (``None`` pads short lists)."""
    most = max(len(refs) for refs in references)
    streams = [[refs[i] if i < len(refs) else None for refs in references] for i in range(most)]
    return {
        f"bleu_{n}": round(
            BLEU(max_ngram_order=n, tokenize="none").corpus_score(hypotheses, streams).score / 100,
            4,
        )
        for n in (1, 2, 3, 4)
    }


def score_on_scenes(captioner, held_out_scenes: int = HELD_OUT_SCENES, beam_size: int = BEAM_SIZE):
    data = scene_split(held_out_scenes, "held_out", captioner.model.image_size)
    hypotheses = [captioner.caption(image, beam_size)[0][0] for image in data.images]
    truths = [scenes.grounded(h, scene) for h, scene in zip(hypotheses, data.scenes, strict=True)]
    by_count = collections.defaultdict(list)
    for truth, scene in zip(truths, data.scenes, strict=True):
        by_count[len(scene.objects)].append(truth)
    bleu = corpus_bleu(hypotheses, data.references)
    return {
        "value": bleu["bleu_4"],
        "split": f"{data.source} ({len(data):,} scenes), beam {beam_size}",
        **bleu,
        "grounded_accuracy": round(sum(truths) / len(truths), 4),
        "grounded_by_objects": {
            str(count): round(sum(found) / len(found), 4)
            for count, found in sorted(by_count.items())
        },
        "examples": [
            {"seed": scene.seed, "caption": hypothesis, "true": truth}
            for scene, hypothesis, truth in list(zip(data.scenes, hypotheses, truths, strict=True))[
                :5
            ]
        ],
    }


METRIC = "BLEU-4 (sacrebleu corpus BLEU, 0-1)"


def record_evaluation(path) -> dict:
    """Score a checkpoint on the held-out scenes and write the figures into its card."""
    scores = score_on_scenes(Captioner.load(path))
    record_metric(path, {"name": METRIC, "unit": "score", **scores})
    return scores


def evaluate(checkpoint: str | None = None, data: str | None = None) -> dict:
    """Recompute the card's figures on the held-out scenes, for every captioning checkpoint."""
    if data not in (None, "scenes"):
        raise DataError("captioning is evaluated on held-out synthetic scenes; leave out --data")
    results = []
    for captioner in Captioner.installed(checkpoint).values():
        scores = score_on_scenes(captioner)
        value, split = scores.pop("value"), scores.pop("split")
        card_metric = captioner.card.metric if captioner.card else {}
        results.append(
            evaluation_row(
                captioner,
                "BLEU-4",
                split,
                value,
                **scores,
                card_grounded_accuracy=card_metric.get("grounded_accuracy"),
            )
        )
    return {"demo": DEMO, "results": results}


def describe(row: dict) -> list[str]:
    """The line `showcase evaluate` prints under a checkpoint's BLEU."""
    return [
        f"grounded accuracy {row['grounded_accuracy']}, "
        f"by number of objects {row['grounded_by_objects']}"
    ]
