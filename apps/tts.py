"""Text-to-speech UI: type English, hear it, and see where the model looked while speaking."""

from __future__ import annotations

import gradio as gr
import numpy as np

from showcase.apps.common import (
    SPEECH_SECONDS,
    Lazy,
    demo_entry,
    header,
    standalone_page,
    user_errors,
)
from showcase.tts.api import (
    CHECKPOINT_NAME,
    MAX_CHARACTERS,
    Synthesizer,
    alignment_figure,
    prepare_text,
    spectrogram_figure,
)

DEMO = demo_entry("tts")
# Speaking takes about half the audio's length; one at a time keeps the cores for the fast demos.
CONCURRENCY_LIMIT = 1
EXAMPLES = [
    "Generative adversarial networks.",  # from the lecture's Tacotron slide
    "He reads books.",  # the lecture's example of phrase semantics
    "The weather is lovely today, isn't it?",
    "On May 5th, 1984, Dr. Smith paid $3.50 for 2 apples.",
]


def render(checkpoint: str | None = None) -> Lazy:
    """Add the TTS UI to the current Blocks; returns its lazily loaded synthesiser."""
    model = Lazy(lambda: _load(checkpoint))

    @user_errors
    def speak(words):
        prepare_text(words)  # bad text gets its message before any model is loaded
        synthesizer = model.get()
        if synthesizer is None:
            raise gr.Error("No speech model is installed; train one with `showcase train tts`.")
        speech = synthesizer.speak(words, max_seconds=SPEECH_SECONDS)
        first = speech.sentences[0]
        if len(speech.sentences) > 1:
            speech.notices.append(
                f"The text was spoken as {len(speech.sentences)} sentences with short pauses; "
                "the plots show the first."
            )
        pcm = (np.clip(speech.waveform, -1.0, 1.0) * 32767).astype(np.int16)
        return (
            (speech.sample_rate, pcm),
            "\n\n".join(f"ⓘ {n}" for n in speech.notices),
            alignment_figure(first.symbols, first.alignment),
            spectrogram_figure(first.mel),
        )

    gr.Markdown(header(DEMO, checkpoint))
    gr.Markdown(
        "Tacotron reads a sentence's symbols and writes a spectrogram a few frames at a time; "
        "attention decides which symbol it is saying at each step (the alignment plot: a clean "
        "diagonal means it reads left to right), and Griffin-Lim turns the spectrogram into "
        "sound. The shipped voice reads phonemes: espeak-ng first writes the words as sounds "
        '("safe" as sˈeɪf), so the model need not learn English spelling. The voice is '
        "espeak-ng's too: the model learned from a corpus espeak-ng spoke, because a human "
        "voice needs hours of data and a GPU."
    )
    with gr.Row():
        with gr.Column():
            words = gr.Textbox(label=f"English text (up to {MAX_CHARACTERS:,} characters)", lines=3)
            button = gr.Button("Speak", variant="primary")
            gr.Examples([[e] for e in EXAMPLES], [words])
            notices = gr.Markdown()
        with gr.Column():
            sound = gr.Audio(label="Speech", type="numpy", interactive=False)
            alignment = gr.Plot(label="Alignment (first sentence)")
            spectrogram = gr.Plot(label="Mel spectrogram (first sentence)")
    button.click(
        speak,
        [words],
        [sound, notices, alignment, spectrogram],
        api_name="tts_speak",
        concurrency_limit=CONCURRENCY_LIMIT,
        concurrency_id="tts",
    )
    return model


def _load(checkpoint):
    found = Synthesizer.available(checkpoint)
    if not found:
        return None
    path = found.get(CHECKPOINT_NAME) or next(iter(found.values()))
    return Synthesizer.load(path).warm_up()


def build(checkpoint: str | None = None) -> gr.Blocks:
    return standalone_page(DEMO, render, checkpoint)


if __name__ == "__main__":
    build().queue().launch()
