"""The shipped voice loads with safe_mode, its card carries the evaluation figures, and it speaks
sentences it never trained on with a clean alignment and a stop of its own (the card's full
figures take minutes: `showcase evaluate tts --data CORPUS_DIR --json`).

The recogniser must hear the unseen sentences within the issue's 15 points of how it hears
espeak-ng's own audio of them (the card: 2.4 points above, on 50 held-out sentences)."""

import functools
import os

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
    return Synthesizer.from_pretrained(checkpoint=checkpoints.shipped_checkpoint_dir("tts"))


def test_the_card_states_the_evaluation_beside_the_reference():
    metric = shipped().card.metric
    assert metric["sentences"] >= 50
    assert 0.0 <= metric["reference_wer"] <= 1.0
    assert metric["wer_gap_points"] == round(100 * (metric["value"] - metric["reference_wer"]), 1)
    assert metric["alignment"]["monotonic"] > 0.9 and metric["stop_token_share"] > 0.9
    assert metric["real_time_factor"] < 0.5
    assert metric["wer_gap_points"] <= 15  # the target
    assert shipped().model.text_units == "phonemes"


@pytest.fixture(scope="module")
def espeak_heard(tmp_path_factory) -> list[str]:
    """What the recogniser hears in espeak-ng's own audio of the unseen sentences."""
    from showcase.tts import audio
    from showcase.tts.corpus import espeak_available, make_espeak_corpus, read_ljspeech

    if not espeak_available():
        if os.environ.get("CI") == "true":
            pytest.fail("espeak-ng is missing under CI; .ci/run should have installed it")
        pytest.skip("espeak-ng is not installed")
    folder = make_espeak_corpus(UNSEEN, tmp_path_factory.mktemp("espeak"))
    return [transcribe(audio.read_wav(u.wav_path, 22050), 22050) for u in read_ljspeech(folder)]


def test_unseen_sentences_are_spoken_intelligibly_with_a_clean_alignment_and_a_stop(
    espeak_heard,
):
    synthesizer = shipped()
    heard, scores = [], []
    for sentence in UNSEEN:
        speech = synthesizer.speak(sentence)
        spoken = speech.sentences[0]
        assert spoken.stopped, sentence
        assert 0.5 < len(speech.waveform) / speech.sample_rate < 4.0, sentence
        heard.append(transcribe(speech.waveform, speech.sample_rate))
        scores.append(alignment_scores(spoken.alignment, len(spoken.symbols)))
    ours, reference = word_error_rate(UNSEEN, heard), word_error_rate(UNSEEN, espeak_heard)
    # Measured: 0.36 against 0.39 on espeak-ng's audio ("where is the station" is heard in
    # espeak-ng's and not in ours; "he reads books" in ours only). The bound is the target
    # of 15 points; the seven sentences are 33 words, so one word is 3 points.
    assert ours - reference <= 0.15, (heard, espeak_heard)
    assert np.mean([s["monotonic"] for s in scores]) > 0.95
    assert np.mean([s["diagonal"] for s in scores]) > 0.85
    assert np.mean([s["coverage"] for s in scores]) > 0.75


def test_speech_stops_at_its_work_budget_with_a_notice():
    speech = shipped().speak("One sentence. Another sentence. A third one.", max_seconds=0.0)
    assert len(speech.sentences) == 1
    assert any("Only the first 1 of 3 sentences" in notice for notice in speech.notices)
