"""TTS evaluation helpers: word error rate, attention-alignment scores and offline recognition.

The recognition tests need espeak-ng (to make speech) and pocketsphinx (to hear it). They skip
when either is missing, except under CI (CI=true), where the espeakng-loader wheel and
pocketsphinx are dependencies of the package, so a missing one is a real failure.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from showcase.errors import InputError, ShowcaseError
from showcase.lazy import once
from showcase.tts import espeak, intelligibility
from showcase.tts.intelligibility import (
    RecognizerUnavailableError,
    alignment_scores,
    normalise_for_wer,
    recognizer_available,
    transcribe,
    word_error_rate,
)

# espeak-ng's en-us voice says this clearly enough for PocketSphinx to get every word at 140,
# 160 and 180 words per minute (measured with espeak-ng 1.51 and pocketsphinx 5.1.1).
SENTENCE = "I would like a cup of coffee."


# --------------------------------------------------------------------------------------------
# word error rate


def test_normalise_for_wer_spells_out_and_strips_punctuation():
    assert normalise_for_wer("  Dr. Smith  paid $3, didn't he?  ") == (
        "doctor smith paid three dollars didn't he"
    )
    assert normalise_for_wer("Twenty-one 'quoted' words!") == "twenty one quoted words"
    assert normalise_for_wer("...") == ""


def test_identical_sentences_have_no_errors():
    refs = ["The cat sat on the mat.", "Hello, world!"]
    assert word_error_rate(refs, ["the cat sat on the mat", "hello world"]) == 0.0


def test_one_substitution_in_four_words_is_a_quarter():
    assert word_error_rate(["the cat sat down"], ["the dog sat down"]) == pytest.approx(0.25)


def test_word_error_rate_is_pooled_over_the_corpus():
    # 1 error in 4 words plus 1 insertion against 2 words: 2 / 6, not the mean of 1/4 and 1/2.
    refs = ["the cat sat down", "hello world"]
    hyps = ["the dog sat down", "hello big world"]
    assert word_error_rate(refs, hyps) == pytest.approx(2 / 6)


def test_numbers_agree_with_their_spelling():
    assert (
        word_error_rate(["I have 3 cats and 21 dogs."], ["i have three cats and twenty one dogs"])
        == 0.0
    )
    assert word_error_rate(["It cost $5."], ["it cost five dollars"]) == 0.0


def test_empty_references_are_rejected_and_empty_sentences_count_insertions():
    with pytest.raises(ValueError):
        word_error_rate([], [])
    with pytest.raises(ValueError):
        word_error_rate(["", "?"], ["a", "b"])
    with pytest.raises(ValueError):
        word_error_rate(["a b"], ["a b", "c"])
    assert word_error_rate(["a b", ""], ["a b", "c"]) == pytest.approx(0.5)
    assert word_error_rate(["one two"], [""]) == 1.0


# --------------------------------------------------------------------------------------------
# alignment scores


def diagonal(steps: int, text: int) -> np.ndarray:
    a = np.zeros((steps, text), np.float32)
    a[np.arange(steps), np.arange(steps) * text // steps] = 1.0
    return a


def test_perfect_diagonal_scores_one():
    scores = alignment_scores(diagonal(40, 20), 20)
    assert set(scores) == {"focus_rate", "monotonic", "coverage", "diagonal"}
    assert scores["focus_rate"] == pytest.approx(1.0)
    assert scores["monotonic"] == 1.0
    assert scores["coverage"] == 1.0
    assert scores["diagonal"] > 0.99


def test_uniform_attention_scores_lower():
    scores = alignment_scores(np.full((40, 20), 1 / 20, np.float32), 20)
    assert scores["focus_rate"] == pytest.approx(1 / 20)
    assert scores["coverage"] == pytest.approx(1 / 20)
    assert 0.3 < scores["diagonal"] < 0.6


def test_backwards_attention_scores_lower():
    # Ten steps over twenty characters, read from the end: each step jumps two positions back.
    scores = alignment_scores(diagonal(10, 20)[::-1], 20)
    assert scores["monotonic"] == 0.0
    assert scores["coverage"] == pytest.approx(0.5)
    assert scores["diagonal"] < 0.4
    # Jitter of one position back is tolerated; a jump of two is not.
    jitter = np.eye(5, dtype=np.float32)[[0, 1, 0, 2, 3, 1]]
    assert alignment_scores(jitter, 5)["monotonic"] == pytest.approx(4 / 5)


def test_alignment_scores_ignore_columns_past_the_text_and_validate():
    a = np.concatenate([diagonal(12, 6), np.zeros((12, 3), np.float32)], axis=1)
    assert alignment_scores(a, 6)["coverage"] == 1.0
    assert alignment_scores(a[:1], 6)["monotonic"] == 1.0
    for bad, length in ((np.zeros(5), 5), (np.zeros((0, 5)), 5), (a, 0), (a, 10), (-a, 6)):
        with pytest.raises(ValueError):
            alignment_scores(bad, length)


# --------------------------------------------------------------------------------------------
# recognition


def test_missing_pocketsphinx_is_a_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pocketsphinx(name, *args, **kwargs):
        if name == "pocketsphinx":
            raise ImportError("No module named 'pocketsphinx'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pocketsphinx)
    # A decoder not yet made, as in a fresh process.
    fresh = once(intelligibility._decoder.__wrapped__)
    monkeypatch.setattr(intelligibility, "_decoder", fresh)
    with pytest.raises(RecognizerUnavailableError, match="pip install pocketsphinx") as info:
        transcribe(np.ones(1600, np.float32) * 0.1, 16000)
    assert isinstance(info.value, ShowcaseError)


def test_transcribe_rejects_bad_waveforms():
    for bad, rate in ((np.zeros((2, 100)), 16000), (np.array([]), 16000), (np.ones(10), 0)):
        with pytest.raises(InputError):
            transcribe(bad, rate)
    with pytest.raises(InputError):
        transcribe(np.array([0.0, np.nan]), 16000)


def require(available: bool, what: str) -> None:
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing under CI; .ci/run and the test extras should provide it")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def spoken() -> tuple[np.ndarray, int]:
    require(espeak.available(), "espeak-ng")
    require(recognizer_available(), "pocketsphinx")
    # The system program when there is one, else the wheel's library: what the corpus maker uses.
    samples, rate = espeak.speak(SENTENCE, "en-us", words_per_minute=160)
    return samples.astype(np.float32) / 32768.0, rate


def test_transcribe_hears_an_espeak_sentence(spoken):
    waveform, rate = spoken
    heard = transcribe(waveform, rate)
    assert heard == heard.lower() and "  " not in heard
    assert word_error_rate([SENTENCE], [heard]) <= 0.5, heard
    # One utterance at a time with a seeded noise floor: the same audio, the same words.
    assert transcribe(waveform, rate) == heard


def test_transcribe_of_silence_is_empty():
    require(recognizer_available(), "pocketsphinx")
    assert transcribe(np.zeros(16000, np.float32), 16000) == ""
