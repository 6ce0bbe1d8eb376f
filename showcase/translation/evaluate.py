"""Scores: sacreBLEU (cased, 13a tokenisation, and lowercased for comparison with papers) and chrF
on Multi30k test2016, and on the Tatoeba held-out sentences with every translation of an English
sentence as a reference (Post 2018, "A Call for Clarity in Reporting BLEU Scores")."""

from __future__ import annotations

import time
from pathlib import Path

import sacrebleu

from showcase.errors import DataError
from showcase.training import evaluation_row, record_metric
from showcase.translation import corpora
from showcase.translation.api import DEMO, Translator

BEAM_SIZE = 4


def corpus_scores(hypotheses: list[str], references: list[list[str]]) -> dict:
    """BLEU (cased and lowercased) and chrF; sentences may have different numbers of references."""
    most = max(len(refs) for refs in references)
    # sacreBLEU takes one stream per reference position; a missing reference is None.
    streams = [[refs[i] if i < len(refs) else None for refs in references] for i in range(most)]
    bleu = sacrebleu.BLEU()
    cased = bleu.corpus_score(hypotheses, streams)
    lowercased = sacrebleu.corpus_bleu(hypotheses, streams, lowercase=True)
    return {
        "bleu": round(cased.score, 2),
        "bleu_lowercase": round(lowercased.score, 2),
        "chrf": round(sacrebleu.corpus_chrf(hypotheses, streams).score, 2),
        "sacrebleu_signature": str(bleu.get_signature()),
        "sentences": len(hypotheses),
    }


def score_text(translator, text: corpora.ParallelText, beam_size: int = BEAM_SIZE) -> dict:
    started = time.perf_counter()
    hypotheses = [translator.translate_sentence(s, beam_size).text for s in text.sources]
    return {
        "split": text.name,
        **corpus_scores(hypotheses, text.references),
        "beam_size": beam_size,
        "seconds": round(time.perf_counter() - started, 1),
    }


def held_out_sets(pair: str, multi30k_folder=None, tatoeba_file=None) -> list[corpora.ParallelText]:
    sets = [corpora.multi30k("test_2016_flickr", pair, multi30k_folder)]
    if tatoeba_file:
        sets.append(corpora.tatoeba_file_split(tatoeba_file, pair)["test"])
    return sets


def score_translator(translator, multi30k_folder=None, tatoeba_file=None) -> dict:
    scores = [
        score_text(translator, text)
        for text in held_out_sets(translator.pair, multi30k_folder, tatoeba_file)
    ]
    return {
        "name": "BLEU (sacreBLEU, cased, 13a) on Multi30k test2016",
        "value": scores[0]["bleu"],
        "unit": "BLEU",
        "multi30k_test2016": scores[0],
        "tatoeba_test": scores[1] if len(scores) > 1 else None,
    }


def record_evaluation(path: Path, multi30k_folder=None, tatoeba_file=None) -> dict:
    """Score a checkpoint and write the figures into its card."""
    metric = score_translator(Translator.load(path), multi30k_folder, tatoeba_file)
    record_metric(path, metric)
    return metric


def evaluate(
    checkpoint: str | None = None,
    data: str | None = None,
    pair: str | None = None,
    tatoeba: str | None = None,
) -> dict:
    """Recompute the card's figures for one pair (or every available pair).

    ``data``: a Multi30k folder (default: download); ``tatoeba``: the ManyThings file (default: the
    one the card names, when it is on this machine; else the Tatoeba score is left out).
    """
    pairs = [pair] if pair else list(corpora.PAIRS)
    for each in pairs:
        corpora.check_pair(each)
    results = []
    for each in pairs:
        try:
            translator = Translator.from_pretrained(each, checkpoint=checkpoint)
        except Exception:  # noqa: BLE001 - a missing pair is skipped when every pair was asked
            if pair:
                raise
            continue
        card = translator.card
        tatoeba_file = tatoeba or (card.dataset.get("tatoeba_file") if card else None)
        if tatoeba_file and not Path(tatoeba_file).is_file():
            tatoeba_file = None
        metric = score_translator(translator, data, tatoeba_file)
        results.append(
            evaluation_row(
                translator,
                metric["name"],
                metric["multi30k_test2016"]["split"],
                metric["value"],
                **{k: v for k, v in metric.items() if k not in ("name", "value")},
                card_tatoeba_bleu=(
                    (card.metric.get("tatoeba_test") or {}).get("bleu") if card else None
                ),
            )
        )
    if not results:
        raise DataError(
            "no translation checkpoint found; train one with `showcase train translation`"
        )
    return {"demo": DEMO, "results": results}


def describe(row: dict) -> list[str]:
    """The lines `showcase evaluate` prints under a pair's BLEU: each test set's scores."""
    lines = []
    for part in ("multi30k_test2016", "tatoeba_test"):
        scores = row.get(part)
        if scores:
            lines.append(
                f"{scores['split']}: BLEU {scores['bleu']} (lowercased "
                f"{scores['bleu_lowercase']}), chrF {scores['chrf']}, "
                f"{scores['sentences']} sentences, beam {scores['beam_size']}"
            )
    return lines
