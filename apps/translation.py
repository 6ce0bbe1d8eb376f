"""Translation UI: English to French or German, with the attention heatmap of each sentence."""

from __future__ import annotations

import gradio as gr

from showcase.apps.common import (
    Lazy,
    check_beam_size,
    demo_entry,
    header,
    standalone_page,
    user_errors,
)
from showcase.translation.api import MAX_BEAM_SIZE, MAX_CHARACTERS, Translator, attention_picture

DEMO = demo_entry("translation")
DIRECTIONS = {"English → French": "en-fr", "English → German": "en-de"}
# A short sentence takes about 40 ms with its heatmap; a long text a few seconds. Four side by
# side, so a long text does not hold up the short ones.
CONCURRENCY_LIMIT = 4
EXAMPLES = [
    ["Two dogs are running through the snow.", "English → French"],
    ["A little girl is climbing into a wooden playhouse.", "English → German"],
    ["Economic growth has slowed down in recent years.", "English → German"],
    ["Economic growth has slowed down in recent years.", "English → French"],
    ["I'm hungry. Where is the station?", "English → French"],
    ["Tom doesn't like cheese.", "English → German"],
]


def render(checkpoint: str | None = None) -> Lazy:
    """Add the translation UI to the current Blocks; returns its lazily loaded models."""
    model = Lazy(lambda: _load(checkpoint))

    @user_errors
    def translate(text, direction, beam_size):
        translators = model.get()
        if direction not in DIRECTIONS:
            raise gr.Error(f"Pick a direction from the list, not {direction!r}.")
        pair = DIRECTIONS[direction]
        if pair not in translators:
            raise gr.Error(
                f"No {direction} model is installed; train one with "
                f"`showcase train translation --pair {pair}`."
            )
        beam_size = check_beam_size(beam_size, MAX_BEAM_SIZE)
        translations, notices = translators[pair].translate_text(text, beam_size)
        first = translations[0]
        if len(translations) > 1:
            notices.append(
                f"The text was split into {len(translations)} sentences, each translated on its "
                "own; the heatmap and the beams are for the first."
            )
        heatmap = attention_picture(first.source_pieces, first.target_pieces, first.attention)
        beams = [
            [text, round(log_p, 3), round(score, 3)] for text, log_p, score in first.alternatives
        ]
        return (
            " ".join(t.text for t in translations),
            "\n\n".join(f"ⓘ {n}" for n in notices),
            heatmap,
            beams,
        )

    gr.Markdown(header(DEMO, checkpoint))
    gr.Markdown(
        "The lecture's *many to many* network: an LSTM reads the English sentence piece by piece, "
        "another LSTM writes the translation, and at every word attention looks back at the "
        "English pieces it needs (the heatmap: one row per output piece, darker = more "
        "attention). Beam search keeps the likeliest few translations. The models learned from "
        "Multi30k image descriptions and short Tatoeba sentences, so they know everyday words "
        "and scenes, not economics."
    )
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(
                label=f"English text (up to {MAX_CHARACTERS:,} characters)",
                lines=4,
                max_length=None,
            )
            direction = gr.Dropdown(list(DIRECTIONS), value="English → French", label="Direction")
            beam_size = gr.Slider(1, MAX_BEAM_SIZE, value=4, step=1, label="Beam size")
            button = gr.Button("Translate", variant="primary")
            gr.Examples(EXAMPLES, [text, direction])
        with gr.Column():
            translation = gr.Textbox(label="Translation", lines=4, interactive=False)
            notices = gr.Markdown()
            heatmap = gr.Image(
                label="Attention (first sentence)", type="pil", format="png", interactive=False
            )
            beams = gr.Dataframe(
                headers=["translation", "log-probability", "score (length-normalised)"],
                label="Beams (first sentence)",
                interactive=False,
            )
    button.click(
        translate,
        [text, direction, beam_size],
        [translation, notices, heatmap, beams],
        api_name="translation_translate",
        concurrency_limit=CONCURRENCY_LIMIT,
        concurrency_id="translation",
    )
    text.submit(
        translate,
        [text, direction, beam_size],
        [translation, notices, heatmap, beams],
        api_name=False,
        concurrency_limit=CONCURRENCY_LIMIT,
        concurrency_id="translation",
    )
    return model


def _load(checkpoint):
    translators = Translator.installed(checkpoint).values()
    return {translator.pair: translator.warm_up() for translator in translators}


def build(checkpoint: str | None = None) -> gr.Blocks:
    return standalone_page(DEMO, render, checkpoint)


if __name__ == "__main__":
    build().queue().launch()
