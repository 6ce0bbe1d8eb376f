"""From an LJSpeech-format folder to batches, and from text to a waveform through the
Synthesizer (an untrained model: the plumbing, not the voice)."""

import numpy as np
import pytest

from showcase.errors import InputError
from showcase.tts import audio, text
from showcase.tts.corpus import read_ljspeech

SMALL_AUDIO = audio.AudioConfig(n_fft=256, win_length=256, hop_length=64, n_mels=16, fmax=4000)


@pytest.fixture(scope="module")
def tone_corpus(tmp_path_factory):
    """Three clips whose pitch rises with their text length."""
    folder = tmp_path_factory.mktemp("tones")
    (folder / "wavs").mkdir()
    rows = []
    for index, words in enumerate(["a cat.", "the red dog runs.", "one two three four five."]):
        seconds = 0.2 + 0.05 * len(words)
        t = np.arange(int(seconds * 22050)) / 22050
        wave = 0.5 * np.sin(2 * np.pi * (200 + 40 * index) * t)
        audio.write_wav(folder / "wavs" / f"T-{index}.wav", wave, 22050)
        rows.append(f"T-{index}|{words}|{words}")
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_features_are_cached_and_batched_in_whole_decoder_steps(tone_corpus):
    from showcase.tts.features import batches, cache_folder, count_batches, load_examples

    utterances = read_ljspeech(tone_corpus)
    examples = load_examples(utterances, tone_corpus, SMALL_AUDIO)
    assert len(list(cache_folder(tone_corpus, SMALL_AUDIO).glob("*.npz"))) == 3
    again = load_examples(utterances, tone_corpus, SMALL_AUDIO)
    np.testing.assert_array_equal(again[2].mel, examples[2].mel)
    assert examples[0].mel.shape[1] == 16 and examples[0].linear.shape[1] == 129
    assert list(examples[1].ids) == text.to_ids("the red dog runs.")[0]
    seen = 0
    for batch in batches(examples, 2, reduction=3, shuffle=False):
        assert batch["mel"].shape[1] % 3 == 0
        assert int(max(batch["frames"])) <= batch["mel"].shape[1]
        seen += 1
    assert seen == count_batches(examples, 2)


@pytest.fixture(scope="module")
def synthesizer():
    from showcase.tts.api import Synthesizer
    from showcase.tts.model import Tacotron

    model = Tacotron(
        symbols=len(text.SYMBOLS),
        n_mels=SMALL_AUDIO.n_mels,
        n_linear=SMALL_AUDIO.n_bins,
        reduction=2,
        encoder="conv",
        postnet="conv",
        embedding_dim=16,
        decoder_units=16,
        attention_units=8,
        prenet_units=(8, 8),
        audio=SMALL_AUDIO.to_dict(),
        text_units="characters",
    )
    model({"text": np.ones((1, 3), "int32"), "mel": np.zeros((1, 4, 16), "float32")})
    return Synthesizer(model)


def test_text_becomes_a_waveform_with_pauses_alignments_and_notices(synthesizer, monkeypatch):
    from showcase.tts import api

    monkeypatch.setattr(api, "MAX_SECONDS_PER_SENTENCE", 0.3)  # an untrained model never stops
    speech = synthesizer.speak("Hello 😀 there. Two cats!")
    assert speech.sample_rate == 22050 and speech.waveform.dtype == np.float32
    assert len(speech.sentences) == 2 and np.abs(speech.waveform).max() <= 1.0
    first = speech.sentences[0]
    assert first.alignment.shape[1] == len(first.symbols) == len("hello there.") + 1
    np.testing.assert_allclose(first.alignment.sum(axis=1), 1.0, atol=1e-5)
    assert any("😀" in notice for notice in speech.notices)
    capped = any(not sentence.stopped for sentence in speech.sentences)
    assert capped == any("cap" in notice for notice in speech.notices)
    cap_steps = int(0.3 * 22050 / SMALL_AUDIO.hop_length / 2)
    assert all(len(s.alignment) <= cap_steps for s in speech.sentences)
    rate, waveform = synthesizer.synthesize("Hi.")
    assert rate == 22050 and len(waveform) > 0


@pytest.mark.parametrize("words, message", [("", "empty"), ("?! ...", "nothing to say")])
def test_text_with_nothing_to_say_gets_a_message(synthesizer, words, message):
    with pytest.raises(InputError, match=message):
        synthesizer.speak(words)


def test_sentences_longer_than_the_training_corpus_are_cut_into_pieces():
    from types import SimpleNamespace

    from showcase.tts.api import DEFAULT_SENTENCE_CHARACTERS, prepare_text, sentence_limit

    assert sentence_limit(None) == DEFAULT_SENTENCE_CHARACTERS
    assert sentence_limit(SimpleNamespace(hyperparameters={"corpus_max_chars": 60})) == 80
    long = (
        "Tacotron reads the characters of a sentence, writes a spectrogram a few frames at a "
        "time, and Griffin-Lim turns that spectrogram into the sound of speech."
    )
    assert prepare_text(long)[0] == [long]
    pieces, _ = prepare_text(long, 80)
    assert len(pieces) > 1 and all(len(p) <= 80 for p in pieces)
    assert " ".join(pieces) == long
