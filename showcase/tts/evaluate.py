"""Scores for the synthesiser on held-out sentences of its corpus:

- intelligibility: the word error rate of an offline recogniser (pocketsphinx) on our audio, next
  to the same recogniser on the corpus's own recording of the same sentences (the reference);
- mel cepstral distortion (dB) between our audio and the reference, frames paired by DTW;
- attention alignment: focus, monotonicity, coverage and closeness to the diagonal per sentence
  (:func:`showcase.tts.intelligibility.alignment_scores`), averaged;
- the real-time factor of synthesis (Griffin-Lim included) on this machine.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from showcase.errors import DataError
from showcase.training import evaluation_row, record_metric
from showcase.tts import audio
from showcase.tts.api import DEMO, Synthesizer
from showcase.tts.corpus import held_out_split, read_ljspeech
from showcase.tts.intelligibility import alignment_scores, transcribe, word_error_rate
from showcase.tts.presets import default_corpus_folder

SENTENCES = 50


def score_synthesizer(synthesizer, corpus_folder, held_out: int, sentences: int = SENTENCES):
    _, held = held_out_split(read_ljspeech(corpus_folder), held_out)
    held = held[:sentences]
    rate = synthesizer.sample_rate
    references, ours, theirs, distortions, alignments = [], [], [], [], []
    stopped, seconds_spoken, seconds_spent = 0, 0.0, 0.0
    for utterance in held:
        started = time.perf_counter()
        speech = synthesizer.speak(utterance.text)
        seconds_spent += time.perf_counter() - started
        seconds_spoken += len(speech.waveform) / rate
        reference = audio.read_wav(utterance.wav_path, rate)
        references.append(utterance.text)
        ours.append(transcribe(speech.waveform, rate))
        theirs.append(transcribe(reference, rate))
        distortions.append(
            audio.mel_cepstral_distortion(reference, speech.waveform, synthesizer.audio_config)
        )
        for sentence in speech.sentences:
            alignments.append(alignment_scores(sentence.alignment, len(sentence.symbols)))
            stopped += sentence.stopped
    ours_wer = word_error_rate(references, ours)
    reference_wer = word_error_rate(references, theirs)
    return {
        "name": "word error rate of pocketsphinx on our speech (held-out sentences)",
        "value": round(ours_wer, 4),
        "unit": "WER (0-1, lower is better)",
        "reference_wer": round(reference_wer, 4),
        "wer_gap_points": round(100 * (ours_wer - reference_wer), 1),
        "mcd_db": round(float(np.mean(distortions)), 2),
        "alignment": {
            key: round(float(np.mean([a[key] for a in alignments])), 4) for key in alignments[0]
        },
        "stop_token_share": round(stopped / len(alignments), 4),
        "real_time_factor": round(seconds_spent / max(seconds_spoken, 1e-9), 3),
        "sentences": len(held),
        "split": f"{len(held)} held-out sentences of {Path(corpus_folder).name}",
        "examples": [
            {"text": r, "ours": o, "reference": t}
            for r, o, t in list(zip(references, ours, theirs, strict=True))[:5]
        ],
    }


def record_evaluation(path: Path, corpus_folder) -> dict:
    """Score a checkpoint on its corpus's held-out sentences and write the figures into its card."""
    synthesizer = Synthesizer.load(path)
    held_out = synthesizer.card.dataset["held_out_count"]
    metric = score_synthesizer(synthesizer, corpus_folder, held_out)
    record_metric(path, metric)
    return metric


def corpus_folder(data: str | None, card) -> Path:
    """``--data`` when given, else the card's corpus folder when it is on this machine, else the
    folder ``showcase train tts --make-corpus`` speaks into by default."""
    if data:
        return Path(data).expanduser()
    recorded = Path(card.dataset.get("corpus", "")) if card else None
    if recorded and (recorded / "metadata.csv").is_file():
        return recorded
    return default_corpus_folder()


def evaluate(checkpoint: str | None = None, data: str | None = None) -> dict:
    """Recompute the card's figures; ``data``: the corpus folder (default: the card's)."""
    results = []
    for synthesizer in Synthesizer.installed(checkpoint).values():
        card = synthesizer.card
        folder = corpus_folder(data, card)
        if not (folder / "metadata.csv").is_file():
            raise DataError(
                f"the corpus {folder} is not here; pass its folder with --data (or make it again "
                "with `showcase train tts --make-corpus ...`, which speaks the same sentences)"
            )
        held_out = card.dataset.get("held_out_count", 100) if card else 100
        metric = score_synthesizer(synthesizer, folder, held_out)
        results.append(
            evaluation_row(
                synthesizer,
                metric["name"],
                metric["split"],
                metric["value"],
                **{k: v for k, v in metric.items() if k not in ("name", "value", "split")},
            )
        )
    return {"demo": DEMO, "results": results}
