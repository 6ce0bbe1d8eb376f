"""What ``showcase bench translation`` loads and times, and its head-to-head comparison.

Latency: a 10-word sentence at beam 4 (the default) and greedy, after load, per installed pair.

Comparison: the keras-io character-level LSTM seq2seq recipe
(:mod:`showcase.translation.char_baseline`) trains on the same training pairs for the same
wall-clock time as the checkpoint did (its card's ``training_time_s``; ``--compare-minutes``
changes the budget), then both are scored with sacreBLEU on Multi30k test2016.
"""

from __future__ import annotations

from pathlib import Path

from showcase.bench import Case
from showcase.translation import corpora
from showcase.translation.api import Translator
from showcase.translation.char_baseline import CharacterSeq2Seq
from showcase.translation.data import load_corpora
from showcase.translation.evaluate import corpus_scores

TEN_WORDS = "A man in a blue shirt is standing on a ladder."


def load(checkpoint=None):
    return {name: each.warm_up() for name, each in Translator.installed(checkpoint).items()}


def bench_cases(translators):
    cases = {}
    for pair, translator in translators.items():
        for label, beam_size in (("10 words, beam 4", 4), ("10 words, greedy", 1)):
            cases[f"{pair}, {label}"] = Case(
                lambda t=translator, b=beam_size: t.translate(TEN_WORDS, beam_size=b),
                str(translator.path),
            )
    return cases


def _training_data(card):
    """The card's own corpora, when this machine has them (else Multi30k is downloaded)."""
    folder = card.dataset.get("multi30k") if card else None
    tatoeba = card.dataset.get("tatoeba_file") if card else None
    pair = card.name if card else None
    return load_corpora(
        pair,
        folder if folder and Path(folder).is_dir() else None,
        tatoeba if tatoeba and Path(tatoeba).is_file() else None,
    )


def compare_with_keras_io(translator, seconds: float | None = None) -> dict:
    card = translator.card
    seconds = seconds or (card.training_time_s if card else 0) or 600
    data = _training_data(card)
    sources, targets = data.training_pairs()
    recipe = CharacterSeq2Seq(sources, targets)
    trained = recipe.fit_for(seconds)
    folder = card.dataset.get("multi30k") if card else None
    test = corpora.multi30k(
        "test_2016_flickr", translator.pair, folder if folder and Path(folder).is_dir() else None
    )
    recipe_scores = corpus_scores(recipe.translate(test.sources), test.references)
    ours = (card.metric.get("multi30k_test2016") or {}) if card else {}
    return {
        "comparison": "BLEU on Multi30k test2016 vs the keras-io character-level lstm_seq2seq "
        "recipe trained on the same pairs for the same wall time",
        "checkpoint": str(translator.path),
        "pair": translator.pair,
        "budget_s": round(seconds),
        "keras_io_training": trained,
        "keras_io_bleu": recipe_scores["bleu"],
        "keras_io_chrf": recipe_scores["chrf"],
        "ours_bleu": ours.get("bleu"),
        "ours_chrf": ours.get("chrf"),
        "summary": f"{translator.pair}: ours BLEU {ours.get('bleu')} / chrF {ours.get('chrf')} "
        f"(beam 4) vs keras-io char seq2seq BLEU {recipe_scores['bleu']} / chrF "
        f"{recipe_scores['chrf']} (greedy), each after {seconds / 60:.0f} min of training",
    }


def comparisons(translators, minutes: float | None = None):
    return [
        compare_with_keras_io(translator, minutes * 60 if minutes else None)
        for translator in translators.values()
    ]
