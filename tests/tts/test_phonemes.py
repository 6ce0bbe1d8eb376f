"""The phoneme front end: espeak-ng's IPA with the text's punctuation carried through, symbol ids,
and the choice between characters and phonemes that a model records.

The espeak-ng tests skip when the executable is missing, except under CI (CI=true), where
.ci/run installs it.
"""

import pytest

from showcase.errors import DataError
from showcase.tts import phonemes, text
from showcase.tts.frontend import FrontEnd


def test_phonemes_keep_the_punctuation_between_the_words(need_espeak):
    (said,) = phonemes.phonemize(["Well, I know... (really)?"])
    assert said.startswith("wˈɛl, ")  # stressed vowel, comma and space kept
    assert "... (" in said and said.endswith(")?")
    assert said.count(" ") == 3  # well, | i know... | (really)?
    assert all(symbol in phonemes.SYMBOLS for symbol in said)


def test_phonemes_read_the_normalised_words(need_espeak):
    # Numbers and abbreviations are spelled out by the same rules as for characters.
    money, doctor = phonemes.phonemize(["$3.50", "Dr. Who"])
    assert money == phonemes.phonemize(["three dollars, fifty cents"])[0]
    assert doctor == phonemes.phonemize(["doctor who"])[0]
    assert "," in money


def test_many_sentences_go_through_espeak_once_in_order(need_espeak, monkeypatch):
    calls = []
    real = phonemes._espeak_lines

    def counting(lines, voice):
        calls.append(len(lines))
        return real(lines, voice)

    monkeypatch.setattr(phonemes, "_espeak_lines", counting)
    sentences = ["Yes.", "No, thanks.", "Go!", "Stop?"]
    together = phonemes.phonemize(sentences)
    assert calls == [5]  # "no" and "thanks" are two pieces
    assert together == [phonemes.phonemize([s])[0] for s in sentences]
    assert together[2].endswith("!") and together[3].endswith("?")


def test_a_clause_espeak_splits_its_own_way_falls_back_to_one_call_per_piece(
    need_espeak, monkeypatch
):
    real = phonemes._espeak_lines

    def merged(lines, voice):
        out = real(lines, voice)
        return [" ".join(out)] if len(lines) > 1 else out

    monkeypatch.setattr(phonemes, "_espeak_lines", merged)
    assert phonemes.phonemize(["Yes.", "No."]) == ["jˈɛs.", "nˈoʊ."]


def test_text_with_nothing_to_say_has_no_phonemes(need_espeak):
    assert phonemes.phonemize(["🙂 ?!", "日本"]) == ["?!", ""]


def test_language_switch_marks_are_left_out(monkeypatch):
    monkeypatch.setattr(phonemes, "_espeak_lines", lambda lines, voice: ["(fr)bɔ̃ʒuʁ(en) hˈaɪ"])
    assert phonemes.phonemize(["bonjour hi"]) == ["bɔ̃ʒuʁ hˈaɪ"]


def test_missing_espeak_is_a_clear_error(monkeypatch):
    # Only the system program is allowed, and there is none (the bundled library is ignored).
    monkeypatch.setenv("SHOWCASE_ESPEAK", "system")
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(DataError, match="espeak-ng is not installed"):
        phonemes.phonemize(["hello"])


def test_ids_drop_unknown_sounds_and_read_back():
    ids = phonemes.to_ids("hˈaɪ, ʁ!")
    assert ids[-1] == phonemes.END_ID
    assert phonemes.ids_to_symbols(ids) == list("hˈaɪ, !")
    assert phonemes.SYMBOLS[: text.END_ID + 1] == text.SYMBOLS[: text.END_ID + 1]
    assert len(set(phonemes.SYMBOLS)) == len(phonemes.SYMBOLS)


def test_the_front_end_picks_the_symbols(need_espeak):
    characters, sounds = FrontEnd("characters"), FrontEnd("phonemes")
    assert characters.symbols == text.SYMBOLS and sounds.symbols == phonemes.SYMBOLS
    assert characters.encode(["Hi 2."]) == [text.to_ids("Hi 2.")[0]]
    assert characters.read(characters.encode(["Hi 2."])[0]) == list("hi two.")
    (ids,) = sounds.encode(["Hi."])
    assert "".join(sounds.read(ids)) == "hˈaɪ."
    with pytest.raises(ValueError, match="text units"):
        FrontEnd("words")


def test_a_phoneme_model_speaks_what_espeak_writes(need_espeak, monkeypatch):
    import numpy as np

    from showcase.tts import api
    from showcase.tts.api import Synthesizer
    from showcase.tts.model import Tacotron

    model = Tacotron(
        symbols=len(phonemes.SYMBOLS),
        n_mels=16,
        reduction=2,
        encoder="conv",
        postnet="mel",
        embedding_dim=8,
        decoder_units=8,
        attention_units=8,
        prenet_units=(8, 8),
        postnet_channels=8,
        audio={"n_fft": 256, "win_length": 256, "hop_length": 64, "n_mels": 16, "fmax": 4000},
        text_units="phonemes",
    )
    model({"text": np.ones((1, 3), "int32"), "mel": np.zeros((1, 4, 16), "float32")})
    monkeypatch.setattr(api, "MAX_SECONDS_PER_SENTENCE", 0.2)  # an untrained model never stops
    calls = []
    real = phonemes._espeak_lines
    monkeypatch.setattr(
        phonemes, "_espeak_lines", lambda lines, voice: calls.append(lines) or real(lines, voice)
    )
    speech = Synthesizer(model).speak("Hi 😀 there. Go!")
    first, second = speech.sentences
    assert "".join(first.symbols) == "hˈaɪ ðˈɛɹ.~" and "".join(second.symbols) == "ɡˈoʊ!~"
    assert first.alignment.shape[1] == len(first.symbols)
    assert len(calls) == 1  # both sentences in one espeak-ng call
    assert any("😀" in notice for notice in speech.notices)
    monkeypatch.setenv("SHOWCASE_ESPEAK", "system")
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(DataError, match="espeak-ng is not installed"):
        Synthesizer(model).speak("Hello.")
