"""Speech corpora for the text-to-speech demo: LJSpeech-format folders and an espeak-ng voice.

The LJSpeech format
    The LJ Speech Dataset (Keith Ito & Linda Johnson 2017, https://keithito.com/LJ-Speech-Dataset,
    public domain) is 13,100 clips of one speaker reading non-fiction books, 22,050 Hz mono 16-bit
    PCM. Its layout has become the common interchange format for single-speaker TTS data, and it
    is the only format read and written here::

        folder/metadata.csv     UTF-8, one clip a line, no header and no quoting:
                                ID|raw transcript|normalized transcript   (or just ID|text)
        folder/wavs/ID.wav

    The normalized column spells numbers and abbreviations out ("1455" -> "fourteen fifty-five");
    it is the text that is spoken, so it is the one used when present.

Why an espeak-ng corpus
    A Tacotron learns attention between characters and frames only when the voice is consistent,
    and a human voice needs many hours and a GPU before it does. espeak-ng (a formant synthesiser)
    reads any list of sentences offline in one perfectly consistent voice, with the same timing
    and pitch every time, at roughly 50-100 sentences a second on two busy CPU cores. A few
    thousand such sentences give a small Tacotron a task it can learn on a laptop CPU, which is
    what this demo needs; the 90 real LJSpeech clips in ``../shared`` serve to check the audio
    pipeline.

Which espeak-ng
    :mod:`showcase.tts.espeak` runs it: the system's ``espeak-ng`` program when there is one
    (``sudo apt-get install espeak-ng``, ``brew install espeak-ng``; one process per sentence,
    several at once), else the library that the ``espeakng-loader`` wheel bundles (one sentence
    at a time, as its state is global). espeak-ng is GPL-3.0-or-later software.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import re
import wave
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from showcase.errors import DataError, InputError
from showcase.textfiles import read_text
from showcase.tts import espeak

ESPEAK_RATE = 22050  # what espeak-ng writes; its audio's rate is checked, never assumed
ID_PREFIX = "ESPK-"
SETTINGS_FILE = "espeak.json"  # how the wavs of an espeak corpus were made, for resuming
_ESPEAK_ID = re.compile(r"ESPK-\d{6}")


@dataclasses.dataclass
class Utterance:
    id: str
    text: str  # the text to speak (the normalized column when present)
    wav_path: Path


# ---------------------------------------------------------------------------------------------
# Reading


def _lines(text: str) -> list[str]:
    # Only "\n" ends a line: str.splitlines would also split at U+2028, U+0085 and friends.
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _parse_metadata(path: Path) -> list[tuple[str, str]]:
    """(ID, text to speak) rows of an LJSpeech metadata.csv, checked line by line."""
    rows, seen = [], {}
    for number, line in enumerate(_lines(read_text(path, "metadata file")), start=1):
        if not line.strip():
            continue
        fields = [field.strip() for field in line.split("|")]
        if len(fields) not in (2, 3):
            raise DataError(
                f"{path} line {number}: expected 'ID|text' or 'ID|raw|normalized', "
                f"but found {len(fields)} '|'-separated fields"
            )
        uid = fields[0]
        text = fields[2] if len(fields) == 3 and fields[2] else fields[1]
        if not uid or Path(uid).name != uid or uid in (".", ".."):
            raise DataError(f"{path} line {number}: {uid!r} is not a valid clip ID")
        if not text:
            raise DataError(f"{path} line {number}: clip {uid} has an empty transcript")
        if uid in seen:
            raise DataError(
                f"{path} line {number}: clip {uid} is listed again (first on line {seen[uid]})"
            )
        seen[uid] = number
        rows.append((uid, text))
    return rows


def read_ljspeech(folder: str | Path) -> list[Utterance]:
    """The utterances of an LJSpeech-format folder whose wav file exists, in metadata order.

    Transcripts without a wav are skipped (the ``../shared`` subset lists all 13,100 LJSpeech
    transcripts but holds 90 clips); a folder where no transcript has its wav is an error.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DataError(f"LJSpeech folder {folder} does not exist")
    metadata = folder / "metadata.csv"
    if not metadata.is_file():
        raise DataError(f"{folder} has no metadata.csv, so it is not an LJSpeech-format folder")
    rows = _parse_metadata(metadata)
    if not rows:
        raise DataError(f"{metadata} lists no clips")
    wavs = folder / "wavs"
    utterances = [
        Utterance(uid, text, wavs / f"{uid}.wav")
        for uid, text in rows
        if (wavs / f"{uid}.wav").is_file()
    ]
    if not utterances:
        raise DataError(
            f"none of the {len(rows):,} clips listed in {metadata} has its wav file in {wavs}"
        )
    return utterances


def _unquote_csv(field: str) -> str:
    # A CSV-quoted field unquoted ('"Say ""aah."""' -> 'Say "aah."'); others stay as they are
    # ('"Look," she said.' and '"Says who?" "Says me."' are plain fields).
    if len(field) >= 2 and field[0] == field[-1] == '"':
        inner = field[1:-1]
        if '"' not in inner.replace('""', ""):
            return inner.replace('""', '"').strip()
    return field


def _detect_format(path: Path, lines: list[str]) -> str:
    if path.name == "metadata.csv":
        return "ljspeech"
    first = next((line for line in lines if line.strip()), "")
    if "\t" in first:
        return "tab"
    fields = first.split("|")
    if len(fields) in (2, 3) and fields[0] and not any(c.isspace() for c in fields[0]):
        return "ljspeech"
    return "plain"


def corpus_texts(
    source: str | Path,
    limit: int | None = None,
    max_chars: int | None = None,
    seed: int | None = 1234,
) -> list[str]:
    """Distinct sentences to synthesise, read from a file whose kind is recognised by content.

    ``source`` is one of
    - an LJSpeech ``metadata.csv`` (or its folder): the normalized column when present;
    - a ManyThings/Tatoeba ``English<TAB>Other`` file: the English side, with or without a
      ``1<TAB>2`` header, LF or CRLF, fields with CSV quoting unquoted;
    - a plain text file with one sentence per line.

    Sentences longer than ``max_chars`` characters are dropped; the rest are shuffled with
    ``seed`` (``seed=None`` keeps file order: ManyThings files are sorted by length, so a prefix
    holds only the shortest sentences) and the first ``limit`` are returned.
    """
    path = Path(source).expanduser()
    if path.is_dir():
        path = path / "metadata.csv"
    lines = _lines(read_text(path, "sentence file"))
    kind = _detect_format(path, lines)
    if kind == "ljspeech":
        texts = [text for _, text in _parse_metadata(path)]
    elif kind == "tab":
        texts = []
        for number, line in enumerate(lines, start=1):
            fields = [field.strip() for field in line.split("\t")]
            if number == 1 and all(field.isdigit() for field in fields):
                continue  # the "1<TAB>2" column header of a pandas export
            texts.append(_unquote_csv(fields[0]))
    else:
        texts = lines
    texts = [_clean(text) for text in texts]
    texts = list(dict.fromkeys(text for text in texts if text))
    if max_chars is not None:
        texts = [text for text in texts if len(text) <= max_chars]
    if seed is not None:
        random.Random(seed).shuffle(texts)
    if limit is not None:
        texts = texts[: max(limit, 0)]
    if not texts:
        raise DataError(
            f"{path} holds no sentences"
            + (f" of at most {max_chars} characters" if max_chars is not None else "")
        )
    return texts


def held_out_split(
    utterances: Iterable[Utterance], held_out: int = 100, seed: int = 1234
) -> tuple[list[Utterance], list[Utterance]]:
    """(training, held-out) utterances; the held-out ones are chosen by a hash of seed and ID.

    The choice depends only on the set of IDs and the seed, not on their order. Training
    utterances whose text equals a held-out text are dropped too, so training never sees a
    held-out sentence. Both lists keep the input order.
    """
    utterances = list(utterances)
    if held_out < 0:
        raise InputError(f"held_out must be 0 or more, not {held_out}")
    if held_out >= len(utterances) and held_out:
        raise DataError(
            f"cannot hold out {held_out:,} of {len(utterances):,} utterances and still train"
        )
    ids = [utt.id for utt in utterances]
    if len(set(ids)) != len(ids):
        raise DataError("utterance IDs are not unique, so a split by ID is not defined")

    def rank(utt: Utterance) -> bytes:
        return hashlib.sha256(f"{seed}\0{utt.id}".encode()).digest()

    chosen = {utt.id for utt in sorted(utterances, key=rank)[:held_out]}
    test = [utt for utt in utterances if utt.id in chosen]
    test_texts = {_clean(utt.text).lower() for utt in test}
    train = [
        utt
        for utt in utterances
        if utt.id not in chosen and _clean(utt.text).lower() not in test_texts
    ]
    return train, test


# ---------------------------------------------------------------------------------------------
# espeak-ng


def _clean(text: str) -> str:
    """One line of text that fits a metadata.csv field: whitespace collapsed, no '|'."""
    return " ".join(text.replace("|", " ").split())


def espeak_available() -> bool:
    """Whether espeak-ng can run: the program on PATH or the library of espeakng-loader."""
    return espeak.available()


def espeak_version() -> str | None:
    """The version of the espeak-ng that runs ("1.51"), or None when there is none."""
    return espeak.version()


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    """int16 mono samples and the sample rate of a 16-bit PCM wav; DataError otherwise."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.getnframes()
            data = wav.readframes(frames)
    except (OSError, EOFError, wave.Error) as err:
        raise DataError(f"{path} is not a readable wav file: {err}") from None
    if width != 2:
        raise DataError(f"{path} has {8 * width}-bit samples; 16-bit PCM is needed")
    if len(data) != frames * channels * width:
        raise DataError(f"{path} is truncated")
    samples = np.frombuffer(data, dtype="<i2").reshape(-1, channels)
    if channels > 1:
        samples = samples.mean(axis=1).round().astype(np.int16)
    return samples.reshape(-1), rate


def _write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.asarray(samples, dtype="<i2").tobytes())


def _resample(samples: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """Band-limited resampling through the spectrum (fine for clips of a few seconds)."""
    if rate == new_rate or samples.size == 0:
        return samples
    count = max(1, round(samples.size * new_rate / rate))
    spectrum = np.fft.rfft(samples.astype(np.float64))
    bins = count // 2 + 1
    out = np.zeros(bins, dtype=complex)
    keep = min(bins, spectrum.size)
    out[:keep] = spectrum[:keep]
    resampled = np.fft.irfft(out, count) * (count / samples.size)
    return np.clip(np.round(resampled), -32768, 32767).astype(np.int16)


def _valid_wav(path: Path, rate: int) -> bool:
    try:
        samples, file_rate = _read_wav(path)
    except DataError:
        return False
    return file_rate == rate and samples.size > 0


def _synthesise(text: str, path: Path, voice: str, wpm: int, rate: int) -> None:
    """One sentence spoken; the wav appears under its final name only when complete."""
    samples, espeak_rate = espeak.speak(text, voice, wpm)
    if espeak_rate != rate:
        samples = _resample(samples, espeak_rate, rate)
    partial = path.with_name(path.stem + ".partial.wav")
    try:
        _write_wav(partial, samples, rate)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)


def _old_rows(folder: Path) -> dict[str, str]:
    try:
        return dict(_parse_metadata(folder / "metadata.csv"))
    except DataError:
        return {}


def _write_atomic(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def make_espeak_corpus(
    texts: list[str],
    out_folder: str | Path,
    voice: str = "en-us",
    words_per_minute: int = 160,
    sample_rate: int = 22050,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Speak ``texts`` with espeak-ng into an LJSpeech-format folder; returns the folder.

    The folder gets ``metadata.csv`` (``ESPK-000001|text|text``, one row per non-empty text, in
    order; whitespace is collapsed and '|' becomes a space) and ``wavs/ESPK-000001.wav``, mono
    16-bit at ``sample_rate`` (espeak-ng writes 22,050 Hz; other rates are resampled). The
    ``espeak-ng`` program runs once per sentence, ``workers`` calls at a time (default: the
    number of CPUs); the bundled library speaks one sentence at a time whatever ``workers``.
    Resumable: a wav already there is kept when its ID had the same text and the voice, speed and
    rate are unchanged (``espeak.json`` records them), so an interrupted run continues where it
    stopped. ``progress(done, total)`` is called as wavs are finished.
    """
    espeak.engine()  # DataError now, before any folder is made, when there is no espeak-ng
    if words_per_minute < 80 or words_per_minute > 450:
        raise InputError(
            f"words_per_minute must be 80-450 (espeak-ng's range), not {words_per_minute}"
        )
    if sample_rate < 8000:
        raise InputError(f"sample_rate must be at least 8000 Hz, not {sample_rate}")
    cleaned = [_clean(text) for text in texts]
    rows = [(f"{ID_PREFIX}{i:06d}", text) for i, text in enumerate(filter(None, cleaned), 1)]
    if not rows:
        raise InputError("there is no text to speak: every text is empty")
    if len(rows) > 999_999:
        raise InputError(f"at most 999,999 texts fit the ESPK-NNNNNN IDs, not {len(rows):,}")

    folder = Path(out_folder).expanduser()
    wavs = folder / "wavs"
    wavs.mkdir(parents=True, exist_ok=True)
    settings = {"voice": voice, "words_per_minute": words_per_minute, "sample_rate": sample_rate}
    try:
        old_settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old_settings = None
    old_rows = _old_rows(folder) if old_settings == settings else {}

    # Drop every espeak wav that does not belong to the new corpus before metadata.csv names it,
    # so an interruption at any point leaves a folder whose wavs match their transcripts.
    wanted = dict(rows)
    todo = []
    for path in wavs.iterdir():
        if path.name.endswith(".partial.wav"):
            path.unlink(missing_ok=True)
        elif path.suffix == ".wav" and _ESPEAK_ID.fullmatch(path.stem):
            keep = (
                wanted.get(path.stem) is not None
                and old_rows.get(path.stem) == wanted[path.stem]
                and _valid_wav(path, sample_rate)
            )
            if not keep:
                path.unlink()
    for uid, text in rows:
        if not (wavs / f"{uid}.wav").is_file():
            todo.append((uid, text))
    _write_atomic(folder / SETTINGS_FILE, json.dumps(settings, indent=1) + "\n")
    _write_atomic(folder / "metadata.csv", "".join(f"{uid}|{t}|{t}\n" for uid, t in rows))

    total, done = len(rows), len(rows) - len(todo)
    if progress is not None:
        progress(done, total)
    if todo:
        workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
        with ThreadPoolExecutor(workers) as pool:
            futures = [
                pool.submit(
                    _synthesise,
                    text,
                    wavs / f"{uid}.wav",
                    voice,
                    words_per_minute,
                    sample_rate,
                )
                for uid, text in todo
            ]
            try:
                for future in as_completed(futures):
                    future.result()
                    done += 1
                    if progress is not None:
                        progress(done, total)
            except BaseException:
                # The first failure (or Ctrl-C) stops the run; finished wavs stay for a resume.
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    return folder
