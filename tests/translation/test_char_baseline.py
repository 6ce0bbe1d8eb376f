"""The keras-io character-level seq2seq baseline: it learns, keeps to its time budget, and
translates batches that hold unknown characters and empty strings."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest

from showcase.translation.char_baseline import CharacterSeq2Seq

# A toy "translation": each word through a fixed dictionary, then the word order reversed.
DICTIONARY = {
    "one": "un",
    "two": "deux",
    "three": "trois",
    "four": "quatre",
    "five": "cinq",
    "red": "rouge",
    "blue": "bleu",
    "cat": "chat",
    "dog": "chien",
    "big": "grand",
}


def make_pairs(count: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    words = sorted(DICTIONARY)
    sources, targets = [], []
    for _ in range(count):
        phrase = rng.choices(words, k=rng.randint(1, 3))
        sources.append(" ".join(phrase))
        targets.append(" ".join(DICTIONARY[w] for w in reversed(phrase)))
    return sources, targets


@pytest.fixture(scope="module")
def trained():
    sources, targets = make_pairs(1000, seed=0)
    model = CharacterSeq2Seq(sources, targets, latent_dim=64, max_chars=40, seed=0)
    # A step budget, so the test does not depend on how busy the machine is.
    result = model.fit_for(seconds=120, batch_size=32, max_steps=160)
    return model, result


def test_vocabularies_come_from_the_training_pairs():
    model = CharacterSeq2Seq(["ab", "ba c"], ["xy", "zz"], latent_dim=8)
    assert model.source_chars == [" ", "a", "b", "c"]
    assert model.target_chars == ["\t", "\n", "x", "y", "z"]


def test_loss_falls(trained):
    _, result = trained
    assert result["steps"] == 160
    assert result["epochs"] > 1
    assert np.isfinite(result["final_loss"])
    assert result["final_loss"] < 0.8 * result["first_loss"]
    assert result["val_loss"] is not None and np.isfinite(result["val_loss"])


def test_training_keeps_to_the_time_budget():
    sources, targets = make_pairs(300, seed=1)
    model = CharacterSeq2Seq(sources, targets, latent_dim=16, max_chars=40, seed=0)
    started = time.monotonic()
    result = model.fit_for(seconds=3, batch_size=32)
    elapsed = time.monotonic() - started
    assert 3 <= result["seconds"] <= elapsed
    # Without the budget it would train without end; the slack covers the step and the
    # validation pass in flight at the deadline, traced for the first time on a busy machine.
    assert elapsed < 3 + 15


def test_translate_a_batch_with_unknown_characters_and_empty_strings(trained):
    model, _ = trained
    sentences = ["one red cat", "", "two blue dog \u00e9\u2603", "\u2603", "big"]
    out = model.translate(sentences, max_chars=30)
    assert len(out) == len(sentences)
    assert all(isinstance(text, str) and len(text) <= 30 for text in out)
    assert all("\n" not in text and "\t" not in text for text in out)
    # Unknown characters are dropped: the snowman-only sentence reads like the empty one.
    assert out[3] == out[1]


def test_padding_does_not_change_the_encoder_state(trained):
    # Batched translation relies on the mask: a sentence's final encoder state is the same
    # alone and padded next to a longer one.
    model, _ = trained
    short, long = model._source_ids("one cat"), model._source_ids("three blue dogs")
    alone = model.encoder(model._one_hot([short], model.num_source_chars, len(short)))
    padded = model.encoder(model._one_hot([short, long], model.num_source_chars, len(long)))
    for a, p in zip(alone, padded, strict=True):
        np.testing.assert_allclose(a.numpy()[0], p.numpy()[0], atol=1e-5)
    assert model.translate([]) == []


def test_skips_pairs_longer_than_max_chars():
    model = CharacterSeq2Seq(["a" * 50, "ab"], ["x" * 50, "y"], latent_dim=8, max_chars=10)
    result = model.fit_for(seconds=0.5, validation_split=0.0)
    assert result["steps"] >= 1
    with pytest.raises(ValueError, match="within 10 chars"):
        CharacterSeq2Seq(["a" * 50], ["x"], latent_dim=8, max_chars=10).fit_for(1)
