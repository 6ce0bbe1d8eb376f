"""What ``showcase bench tts`` loads and times: a sentence of about 10 seconds of speech, end to end
(decoding, post-net and Griffin-Lim), after load. The real-time factor is the median time over the
audio's length; the card records it."""

from __future__ import annotations

import time

from showcase.tts.api import Synthesizer

TEN_SECONDS = (
    "Tacotron reads the characters of a sentence, writes a spectrogram a few frames at a time, "
    "and Griffin-Lim turns that spectrogram into the sound of speech."
)


def load(checkpoint=None):
    return Synthesizer.from_pretrained(checkpoint=checkpoint)


def bench_cases(synthesizer):
    return {"a sentence of about 10 s": lambda: synthesizer.synthesize(TEN_SECONDS)}


def comparisons(synthesizer):
    rate, waveform = synthesizer.synthesize(TEN_SECONDS)
    started = time.perf_counter()
    synthesizer.synthesize(TEN_SECONDS)
    spent = time.perf_counter() - started
    seconds = len(waveform) / rate
    return [
        {
            "comparison": "real-time factor",
            "checkpoint": str(synthesizer.path),
            "audio_s": round(seconds, 2),
            "synthesis_s": round(spent, 2),
            "real_time_factor": round(spent / seconds, 3),
            "summary": f"{seconds:.1f} s of speech in {spent:.2f} s: real-time factor "
            f"{spent / seconds:.2f} (target <= 0.5)",
        }
    ]
