"""Objective checks of synthesised speech: an offline recogniser's word error rate, and
attention-alignment scores.

- ``transcribe``: PocketSphinx 5 (CMU Sphinx; the ``pocketsphinx`` wheel carries its US-English
  acoustic model, CMUdict pronunciations and a trigram language model, so nothing is downloaded).
  One decoder per process, built on first use and shared behind a lock. The waveform is
  resampled to the model's 16 kHz, scaled to a fixed peak and given a faint, seeded noise floor
  before it is decoded as one whole utterance (see ``transcribe`` for why). The same steps apply
  to synthesised and reference audio, so their WERs stay comparable.
- ``normalise_for_wer`` / ``word_error_rate``: corpus-level WER with ``jiwer`` after both sides
  are spelled out the way the synthesiser reads them (``text.normalize``), so "3" and "three"
  are the same word.
- ``alignment_scores``: four numbers in [0, 1] for one sentence's attention matrix, higher is
  better; see the function for their definitions.

PocketSphinx is a small GMM-HMM recogniser from the 2010s: its WER on clean read speech is far
from today's neural recognisers, and it is worse on synthetic voices. Read its WER on our audio
only beside its WER on the reference audio of the same sentences.
"""

from __future__ import annotations

import functools
import re
import threading

import jiwer
import numpy as np

from showcase.errors import InputError, ShowcaseError
from showcase.lazy import once
from showcase.tts.audio import resample
from showcase.tts.text import normalize

RECOGNISER_RATE = 16000
# Peak level every waveform is scaled to before decoding, and the standard deviation of the
# added white noise floor (-50 dBFS, 44 dB below that peak); see ``transcribe``.
_PEAK = 0.5
_NOISE_LEVEL = 3e-3
_NOISE_SEED = 16000
# Same width as the guided-attention loss in model.guided_attention_weights.
_GUIDED_SIGMA = 0.2

POCKETSPHINX_MISSING = (
    "speech recognition needs the pocketsphinx package (it carries its own English model): "
    "pip install pocketsphinx"
)


class RecognizerUnavailableError(ShowcaseError):
    """The offline speech recogniser (pocketsphinx) is not installed or cannot start."""


# One decoder per process; it keeps state between calls, so one utterance at a time.
_decoding = threading.Lock()


@functools.cache
def recognizer_available() -> bool:
    """Whether pocketsphinx can be imported (its model ships inside the package)."""
    try:
        # An optional dependency: its absence means no recogniser, not an import error.
        import pocketsphinx  # noqa: F401
    except ImportError:
        return False
    return True


@once
def _decoder():
    """The process's one decoder (built on first use; a failure is retried next time)."""
    try:
        import pocketsphinx  # an optional dependency: a clear message when it is missing
    except ImportError:
        raise RecognizerUnavailableError(POCKETSPHINX_MISSING) from None
    try:
        # The defaults are the bundled en-us acoustic model, dictionary and language model.
        return pocketsphinx.Decoder(loglevel="FATAL", samprate=RECOGNISER_RATE)
    except (RuntimeError, ValueError) as exc:
        raise RecognizerUnavailableError(
            f"pocketsphinx could not load its English model ({exc})"
        ) from None


def _to_pcm16(waveform, sample_rate: int) -> bytes | None:
    """16 kHz 16-bit little-endian PCM ready for the decoder, or None for a silent input."""
    x = np.asarray(waveform, dtype=np.float32)
    if x.ndim == 2 and 1 in x.shape:
        x = x.reshape(-1)
    if x.ndim != 1 or x.size == 0:
        raise InputError("expected a non-empty mono waveform (a 1-D array of samples)")
    if not np.all(np.isfinite(x)):
        raise InputError("the waveform holds NaN or infinite samples")
    if int(sample_rate) <= 0:
        raise InputError("sample rates must be positive")
    if int(sample_rate) != RECOGNISER_RATE:
        x = resample(x, int(sample_rate), RECOGNISER_RATE)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if peak < 1e-6:
        return None
    x = x * (_PEAK / peak)
    # Deterministic: the same waveform always gets the same noise, hence the same transcript.
    x = x + np.random.default_rng(_NOISE_SEED).normal(0.0, _NOISE_LEVEL, x.size)
    return np.round(np.clip(x, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def transcribe(waveform: np.ndarray, sample_rate: int) -> str:
    """What PocketSphinx hears in ``waveform`` (mono, any rate): lower-case words, one space apart.

    The audio is resampled to 16 kHz, scaled to a peak of 0.5 and given a white noise floor 44 dB
    below that peak (fixed seed, so a waveform always gets the same transcript). The acoustic
    model was trained on recordings that always have some background noise, while espeak-ng
    output has runs of exactly zero samples (which most likely upset the decoder's
    per-utterance cepstral mean normalisation and noise tracking): on 50 espeak-ng sentences
    the WER was 0.79 with no noise added, 0.42 with a floor at -80 dBFS and 0.25 at this level,
    while 5 LJSpeech clips (which carry real room noise) scored 0.19 either way. The whole
    waveform is decoded as one utterance (``full_utt``); the result barely depends on earlier
    calls (decoding 50 espeak-ng sentences in reverse order changed one word of 212, probably
    through the decoder's running cepstral mean). An all-silent input gives "".
    Raises ``RecognizerUnavailableError`` when pocketsphinx is not installed.
    """
    pcm = _to_pcm16(waveform, sample_rate)
    with _decoding:
        decoder = _decoder()
        if pcm is None:
            return ""
        decoder.start_utt()
        try:
            decoder.process_raw(pcm, no_search=False, full_utt=True)
        finally:
            decoder.end_utt()
        hypothesis = decoder.hyp()
        text = hypothesis.hypstr if hypothesis is not None else ""
    # Alternative pronunciations are written "word(2)"; fillers such as "<sil>" or "[noise]"
    # are not words.
    words = [re.sub(r"\(\d+\)$", "", w) for w in text.lower().split()]
    return " ".join(w for w in words if w and w[0] not in "<[")


_NON_WORD_RE = re.compile(r"[^a-z0-9' ]+")
_EDGE_APOSTROPHE_RE = re.compile(r"(?<![a-z0-9])'|'(?![a-z0-9])")


def normalise_for_wer(text: str) -> str:
    """``text`` as plain lower-case words for scoring.

    Numbers, symbols and abbreviations are spelled out with ``text.normalize`` (the synthesiser's
    own front end), so "3" and "three" or "Dr." and "doctor" agree; hyphens and other punctuation
    become spaces; apostrophes inside words stay ("don't" is one word in the recogniser's
    dictionary); spaces are collapsed.
    """
    spoken = _NON_WORD_RE.sub(" ", normalize(text).lower())
    return " ".join(_EDGE_APOSTROPHE_RE.sub(" ", spoken).split())


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Corpus WER: (substitutions + deletions + insertions) over all sentences / reference words.

    Both sides go through ``normalise_for_wer`` first. Raises ``ValueError`` when the lists are
    empty, differ in length, or the references hold no words at all.
    """
    if isinstance(references, str) or isinstance(hypotheses, str):
        raise ValueError("pass lists of sentences, not single strings")
    references, hypotheses = list(references), list(hypotheses)
    if not references:
        raise ValueError("word error rate needs at least one reference sentence")
    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} references but {len(hypotheses)} hypotheses")
    refs = [normalise_for_wer(r) for r in references]
    hyps = [normalise_for_wer(h) for h in hypotheses]
    if not any(refs):
        raise ValueError("the reference sentences hold no words")
    if all(refs):
        return float(jiwer.wer(refs, hyps))
    # jiwer refuses empty references; each word said for an empty one is an insertion.
    kept = [(r, h) for r, h in zip(refs, hyps, strict=True) if r]
    out = jiwer.process_words([r for r, _ in kept], [h for _, h in kept])
    errors = out.substitutions + out.deletions + out.insertions
    errors += sum(len(h.split()) for r, h in zip(refs, hyps, strict=True) if not r)
    return errors / sum(len(r.split()) for r in refs)


def _guided_penalty(steps: int, text_length: int, sigma: float = _GUIDED_SIGMA) -> np.ndarray:
    """Tachibana et al. (2017) W[t, n] = 1 - exp(-(n/N - t/T)^2 / (2 sigma^2)), (T, N)."""
    n = np.arange(text_length, dtype=np.float64)[None, :] / text_length
    t = np.arange(steps, dtype=np.float64)[:, None] / steps
    return 1.0 - np.exp(-np.square(n - t) / (2.0 * sigma**2))


def alignment_scores(alignment: np.ndarray, text_length: int) -> dict:
    """How clean one sentence's attention is; every score lies in [0, 1], 1 is best.

    ``alignment`` is (decoder steps, text positions) for one sentence with batch padding cut;
    only its first ``text_length`` columns are scored (extra columns are taken to be padding).

    - ``focus_rate``: the mean over decoder steps of the largest attention weight, the "focus
      rate" FastSpeech (Ren et al. 2019) uses to pick a teacher's best attention head. 1 when
      every step looks at exactly one character, 1 / N for uniform attention.
    - ``monotonic``: the share of consecutive step pairs whose most-attended position does not
      move backwards by more than one character (1.0 when there is a single step).
    - ``coverage``: the share of text positions that are the most-attended position of at least
      one step; skipped or never-reached characters lower it.
    - ``diagonal``: 1 minus the attention-weighted mean of the guided-attention penalty of
      Tachibana et al. (2017, "Efficiently trainable text-to-speech system based on deep
      convolutional networks with guided attention"), W[t, n] = 1 - exp(-(n/N - t/T)^2 /
      (2 * 0.2^2)), the same penalty ``model.guided_attention_weights`` trains with. Close to
      1 for attention that walks the text at an even pace, lower for attention far from the
      diagonal (uniform attention scores about 0.4, a reversed diagonal about 0.25).

    Raises ``ValueError`` for a non-2-D, empty, negative or non-finite alignment, or a
    ``text_length`` outside 1..columns.
    """
    a = np.asarray(alignment, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"expected a (decoder steps, text positions) matrix, got {a.shape}")
    text_length = int(text_length)
    if not 1 <= text_length <= a.shape[1]:
        raise ValueError(f"text_length must be in 1..{a.shape[1]}, got {text_length}")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError("attention weights must be finite and non-negative")
    a = a[:, :text_length]
    steps = a.shape[0]
    focus = float(np.mean(np.max(a, axis=1)))
    best = np.argmax(a, axis=1)
    monotonic = float(np.mean(np.diff(best) >= -1)) if steps > 1 else 1.0
    coverage = np.unique(best).size / text_length
    mass = float(a.sum())
    if mass > 0:
        penalty = float(np.sum(a * _guided_penalty(steps, text_length)) / mass)
    else:
        penalty = 1.0
    return {
        "focus_rate": min(1.0, focus),
        "monotonic": monotonic,
        "coverage": float(coverage),
        "diagonal": 1.0 - penalty,
    }
