"""The shipped translators load with safe_mode and translate sentences of their training domains
(the full BLEU figures take minutes: `showcase evaluate translation --json`)."""

import functools

import numpy as np
import pytest

from showcase.translation import Translator


@functools.cache
def shipped(pair: str) -> Translator:
    return Translator.from_pretrained(pair)


@pytest.mark.parametrize(
    "pair, english, expected",
    [
        ("en-fr", "Two dogs are running through the snow.", "Deux chiens courent dans la neige."),
        ("en-de", "Two dogs are running through the snow.", "Zwei Hunde laufen durch den Schnee."),
        ("en-fr", "Tom doesn't like cheese.", "Tom n'aime pas le fromage."),
        ("en-de", "Where is the station?", "Wo ist der Bahnhof?"),
    ],
)
def test_shipped_translators_translate_in_domain_sentences(pair, english, expected):
    translator = shipped(pair)
    assert translator.card.metric["multi30k_test2016"]["sentences"] == 1000
    assert translator.translate(english, beam_size=4) == expected
    source, target, weights = translator.attention(english)
    assert weights.shape == (len(target), len(source))
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-5)
