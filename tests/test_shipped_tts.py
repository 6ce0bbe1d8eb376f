"""The shipped voice loads with safe_mode, its card carries the evaluation figures, and it speaks
sentences it never trained on with a clean alignment and a stop of its own (the card's full
figures take minutes: `showcase evaluate tts --data CORPUS_DIR --json`).

The voice is not yet as intelligible as the issue asks (its card: WER 38.7 points above the
reference's, target 15), so the recogniser check here is only that it hears some words right."""

import functools

import numpy as np
import pytest

from showcase import checkpoints
from showcase.tts import Synthesizer
from showcase.tts.intelligibility import alignment_scores, transcribe, word_error_rate

pytestmark = pytest.mark.skipif(
    not checkpoints.available("tts", checkpoints.shipped_checkpoint_dir("tts")),
    reason="no voice is shipped in models/tts",
)

# Not in the training corpus (Tatoeba sentences): the lecture's own words and some of ours.
UNSEEN = [
    "He reads books.",
    "Generative adversarial networks.",
    "The model learns from data.",
    "I would like a cup of coffee.",
    "Where is the station?",
    "My father has a new car.",
    "Good morning, how are you?",
]


@functools.cache
def shipped() -> Synthesizer:
    return Synthesizer.from_pretrained(checkpoints.shipped_checkpoint_dir("tts"))


def test_the_card_states_the_evaluation_beside_the_reference():
    metric = shipped().card.metric
    assert metric["sentences"] >= 50
    assert 0.0 <= metric["reference_wer"] <= 1.0
    assert metric["wer_gap_points"] == round(100 * (metric["value"] - metric["reference_wer"]), 1)
    assert metric["alignment"]["monotonic"] > 0.9 and metric["stop_token_share"] > 0.9
    assert metric["real_time_factor"] < 0.5


def test_unseen_sentences_are_spoken_with_a_clean_alignment_and_a_stop():
    synthesizer = shipped()
    heard, scores = [], []
    for sentence in UNSEEN:
        speech = synthesizer.speak(sentence)
        spoken = speech.sentences[0]
        assert spoken.stopped, sentence
        assert 0.5 < len(speech.waveform) / speech.sample_rate < 4.0, sentence
        heard.append(transcribe(speech.waveform, speech.sample_rate))
        scores.append(alignment_scores(spoken.alignment, len(spoken.symbols)))
    # Measured: 0.91 (e.g. "where is the station" -> "where is the thinking").
    assert word_error_rate(UNSEEN, heard) < 1.0, heard
    assert np.mean([s["monotonic"] for s in scores]) > 0.95
    assert np.mean([s["diagonal"] for s in scores]) > 0.85
    assert np.mean([s["coverage"] for s in scores]) > 0.75
