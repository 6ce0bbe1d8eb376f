"""TTS corpora: the LJSpeech reader, sentence sources, the held-out split and espeak-ng synthesis.

The espeak-ng tests skip when the executable is missing, except under CI (CI=true), where
.ci/run installs it and a missing executable is a real failure.
"""

from __future__ import annotations

import time
import wave
from pathlib import Path

import numpy as np
import pytest

from showcase.errors import DataError, InputError, ShowcaseError
from showcase.tts import corpus
from showcase.tts.corpus import (
    Utterance,
    corpus_texts,
    espeak_available,
    espeak_version,
    held_out_split,
    make_espeak_corpus,
    read_ljspeech,
)
from tests.support import shared_dataset


def write_wav(path: Path, seconds: float = 0.1, rate: int = 22050) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * rate)) / rate
    samples = (8000 * np.sin(2 * np.pi * 220 * t)).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())


def ljspeech_folder(folder: Path, lines: list[str], wavs: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metadata.csv").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    for uid in wavs:
        write_wav(folder / "wavs" / f"{uid}.wav")
    return folder


# ---------------------------------------------------------------------------------------------
# read_ljspeech


def test_read_ljspeech_reads_both_layouts_and_skips_missing_wavs(tmp_path):
    folder = ljspeech_folder(
        tmp_path / "lj",
        [
            "LJ001-0001|Printing, in 1455.|Printing, in fourteen fifty-five.",
            "LJ001-0002|in being comparatively modern.",
            "LJ001-0003|no wav for this one|no wav for this one",
            "",
            "LJ001-0004|Dr. Smith|",
        ],
        ["LJ001-0001", "LJ001-0002", "LJ001-0004"],
    )
    utterances = read_ljspeech(folder)
    assert [u.id for u in utterances] == ["LJ001-0001", "LJ001-0002", "LJ001-0004"]
    assert utterances[0].text == "Printing, in fourteen fifty-five."  # the normalized column
    assert utterances[1].text == "in being comparatively modern."
    assert utterances[2].text == "Dr. Smith"  # an empty normalized column falls back to raw
    assert utterances[0].wav_path == folder / "wavs" / "LJ001-0001.wav"
    assert all(u.wav_path.is_file() for u in utterances)


def test_read_ljspeech_malformed_line_names_its_number(tmp_path):
    folder = ljspeech_folder(
        tmp_path / "lj",
        ["A|one", "B|two|two", "C three without pipes", "D|four"],
        ["A", "B", "D"],
    )
    with pytest.raises(DataError, match="line 3"):
        read_ljspeech(folder)
    (folder / "metadata.csv").write_text("A|one\nB|a|b|c\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 2"):
        read_ljspeech(folder)
    (folder / "metadata.csv").write_text("A|one\nA|again\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 2.*listed again"):
        read_ljspeech(folder)


def test_read_ljspeech_errors_for_missing_folder_metadata_or_wavs(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        read_ljspeech(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no metadata.csv"):
        read_ljspeech(tmp_path / "empty")
    folder = ljspeech_folder(tmp_path / "lj", ["A|one", "B|two"], [])
    with pytest.raises(DataError, match="none of the 2 clips"):
        read_ljspeech(folder)


def test_read_ljspeech_on_the_shared_subset(shared_data):
    utterances = read_ljspeech(shared_dataset(shared_data, "ljspeech_subset"))
    assert len(utterances) == 90
    assert utterances[0].id == "LJ001-0001"
    assert all(u.wav_path.is_file() for u in utterances)


# ---------------------------------------------------------------------------------------------
# corpus_texts


def test_corpus_texts_from_ljspeech_metadata(tmp_path):
    folder = ljspeech_folder(
        tmp_path / "lj",
        ["LJ1|In 1455.|In fourteen fifty-five.", "LJ2|Short one.", "LJ3|Short one."],
        [],
    )
    texts = corpus_texts(folder / "metadata.csv", seed=None)
    assert texts == ["In fourteen fifty-five.", "Short one."]  # normalized, distinct
    assert corpus_texts(folder, seed=None) == texts  # the folder works too


def test_corpus_texts_from_manythings_files(tmp_path):
    french = tmp_path / "fra.txt"  # no header, LF, several translations per sentence
    french.write_text(
        'Go.\tVa !\nGo.\tMarche.\nHi.\tSalut !\n"Look," she said.\t« Regarde », dit-elle.',
        encoding="utf-8",
    )
    assert corpus_texts(french, seed=None) == ["Go.", "Hi.", '"Look," she said.']
    german = tmp_path / "deu.txt"  # pandas export: "1<TAB>2" header, CRLF, CSV quoting
    lines = ["1\t2", "Go.\tGeh.", '"Say ""aah."""\tSag „Ah!“', '"Says who?" "Says me."\tWer?']
    german.write_bytes("".join(line + "\r\n" for line in lines).encode())
    assert corpus_texts(german, seed=None) == ["Go.", 'Say "aah."', '"Says who?" "Says me."']


def test_corpus_texts_plain_filter_shuffle_and_limit(tmp_path):
    plain = tmp_path / "sentences.txt"
    sentences = [f"Sentence number {i} is here." for i in range(30)]
    plain.write_text("\n".join(sentences[:15] + ["", "   "] + sentences[15:]) + "\n")
    assert corpus_texts(plain, seed=None) == sentences
    shuffled = corpus_texts(plain, seed=3)
    assert sorted(shuffled) == sorted(sentences) and shuffled != sentences
    assert corpus_texts(plain, seed=3) == shuffled
    assert corpus_texts(plain, limit=5, seed=3) == shuffled[:5]
    short = corpus_texts(plain, max_chars=26, seed=None)
    assert short == sentences[:10]
    with pytest.raises(DataError, match="no sentences"):
        corpus_texts(plain, max_chars=5)
    with pytest.raises(DataError, match="does not exist"):
        corpus_texts(tmp_path / "missing.txt")


# ---------------------------------------------------------------------------------------------
# held_out_split


def test_held_out_split_is_deterministic_disjoint_and_order_free(tmp_path):
    utterances = [Utterance(f"U{i:03d}", f"text {i}", tmp_path / f"{i}.wav") for i in range(50)]
    utterances.append(Utterance("DUP", "text 7", tmp_path / "dup.wav"))
    train, test = held_out_split(utterances, held_out=10, seed=5)
    assert len(test) == 10
    assert not {u.id for u in train} & {u.id for u in test}
    assert not {u.text for u in train} & {u.text for u in test}  # no held-out sentence trained on
    again_train, again_test = held_out_split(list(reversed(utterances)), held_out=10, seed=5)
    assert {u.id for u in again_test} == {u.id for u in test}
    assert {u.id for u in again_train} == {u.id for u in train}
    assert [u.id for u in test] == sorted(u.id for u in test if u.id != "DUP")  # input order
    _, other = held_out_split(utterances, held_out=10, seed=6)
    assert {u.id for u in other} != {u.id for u in test}
    assert held_out_split(utterances, held_out=0) == (utterances, [])
    with pytest.raises(DataError):
        held_out_split(utterances[:5], held_out=5)


# ---------------------------------------------------------------------------------------------
# espeak-ng


def read_wav(path: Path) -> tuple[np.ndarray, wave._wave_params]:
    with wave.open(str(path), "rb") as wav:
        params = wav.getparams()
        samples = np.frombuffer(wav.readframes(params.nframes), dtype="<i2")
    return samples, params


def test_make_espeak_corpus_writes_a_resumable_ljspeech_folder(tmp_path, need_espeak):
    assert espeak_version()
    texts = ["Hello world.", "   ", "Go.", "The quick brown fox jumps over the lazy dog."]
    calls = []
    folder = make_espeak_corpus(texts, tmp_path / "espk", progress=lambda d, t: calls.append(d))
    utterances = read_ljspeech(folder)
    assert [u.id for u in utterances] == ["ESPK-000001", "ESPK-000002", "ESPK-000003"]
    assert [u.text for u in utterances] == [texts[0], texts[2], texts[3]]
    assert (folder / "metadata.csv").read_text().splitlines()[0] == (
        "ESPK-000001|Hello world.|Hello world."
    )
    assert calls[-1] == 3
    durations = []
    for utt in utterances:
        samples, params = read_wav(utt.wav_path)
        assert (params.framerate, params.nchannels, params.sampwidth) == (22050, 1, 2)
        assert np.abs(samples).max() > 2000  # not silent
        durations.append(params.nframes / params.framerate)
    assert 0.4 < durations[0] < 3.0
    assert 0.2 < durations[1] < durations[0] < durations[2] < 6.0

    # Resuming keeps every wav; a changed text re-synthesises only its own clip.
    mtimes = {u.id: u.wav_path.stat().st_mtime_ns for u in utterances}
    time.sleep(0.01)
    make_espeak_corpus(texts, folder, progress=lambda d, t: calls.append(("again", d)))
    assert {u.id: u.wav_path.stat().st_mtime_ns for u in utterances} == mtimes
    assert calls[-1] == ("again", 3)
    make_espeak_corpus(["Hello world.", "Stop.", texts[3]], folder)
    assert utterances[0].wav_path.stat().st_mtime_ns == mtimes["ESPK-000001"]
    assert utterances[2].wav_path.stat().st_mtime_ns == mtimes["ESPK-000003"]
    assert utterances[1].wav_path.stat().st_mtime_ns != mtimes["ESPK-000002"]
    assert read_ljspeech(folder)[1].text == "Stop."
    # A shorter list leaves no stale clips behind.
    make_espeak_corpus(["Hello world."], folder)
    assert sorted(p.name for p in (folder / "wavs").iterdir()) == ["ESPK-000001.wav"]


def test_make_espeak_corpus_resamples_and_reports_bad_voices(tmp_path, need_espeak):
    folder = make_espeak_corpus(["Hello world."], tmp_path / "k16", sample_rate=16000)
    samples, params = read_wav(folder / "wavs" / "ESPK-000001.wav")
    assert params.framerate == 16000 and np.abs(samples).max() > 2000
    with pytest.raises(DataError, match="nosuchvoice"):
        make_espeak_corpus(["Hello."], tmp_path / "bad", voice="nosuchvoice")
    with pytest.raises(InputError, match="no text"):
        make_espeak_corpus(["", " "], tmp_path / "empty")


def test_missing_espeak_gives_the_install_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOWCASE_ESPEAK", "system")  # the system program only, and none there
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not espeak_available()
    assert espeak_version() is None
    with pytest.raises(ShowcaseError) as info:
        make_espeak_corpus(["Hello."], tmp_path / "out")
    assert str(info.value) == (
        "espeak-ng is not installed; on Debian/Ubuntu: sudo apt-get install espeak-ng "
        "(macOS: brew install espeak-ng)"
    )
    assert not (tmp_path / "out").exists()


def test_resample_keeps_the_pitch():
    rate, new_rate = 22050, 16000
    t = np.arange(rate) / rate
    tone = (10000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    out = corpus._resample(tone, rate, new_rate)
    assert out.dtype == np.int16 and out.size == new_rate
    peak = np.argmax(np.abs(np.fft.rfft(out.astype(float))))  # 1 Hz bins for one second
    assert peak == 440
    assert 0.9 < np.abs(out).max() / 10000 < 1.1
