"""Sentiment classification UI: a sentence in, positive/negative out, with each word's push."""

from __future__ import annotations

import gradio as gr

from showcase.apps.common import (
    Lazy,
    clean_text,
    demo_entry,
    header,
    scratch_path,
    standalone_page,
    user_errors,
)
from showcase.sentiment.api import (
    MAX_BATCH_CHARACTERS,
    MAX_BATCH_LINES,
    MAX_CHARS,
    SentimentClassifier,
    predictions_csv,
    read_batch_file,
)

DEMO = demo_entry("sentiment")
EXAMPLES = [
    "I love my mobile phone",
    "I hate the small screen of my PDA",
    "The plot is thin, but the performances are wonderful.",
    "It's not a bad film at all.",
    "A tedious, joyless two hours.",
]
# Cheap requests: several may run at once without starving each other.
CONCURRENCY_LIMIT = 4


def render(checkpoint: str | None = None) -> Lazy:
    """Add the sentiment UI to the current Blocks; returns its lazily loaded model."""
    model = Lazy(lambda: SentimentClassifier.from_pretrained(checkpoint=checkpoint).warm_up())

    @user_errors
    def classify(text):
        text, notice = clean_text(text, MAX_CHARS, "text")
        classifier = model.get()
        contributions = classifier.word_contributions(text)
        positive = float(classifier.positive_probabilities([text])[0])
        label = {"positive": positive, "negative": 1.0 - positive}
        return label, contributions, notice

    @user_errors
    def classify_batch(upload):
        if upload is None:
            raise gr.Error("Upload a .txt (one sentence per line) or .csv file first.")
        texts = read_batch_file(upload)
        classifier = model.get()
        probabilities = classifier.positive_probabilities(texts)
        csv_text = predictions_csv(texts, probabilities)
        out = scratch_path("sentiment_predictions.csv")
        out.write_text(csv_text, encoding="utf-8")
        rows = [
            [text[:200], "positive" if p >= 0.5 else "negative", round(float(p), 4)]
            for text, p in zip(texts, probabilities, strict=True)
        ]
        positives = int((probabilities >= 0.5).sum())
        notice = f"Classified {len(texts):,} sentences; {positives:,} positive."
        cut = sum(len(text) > MAX_CHARS for text in texts)
        if cut:
            notice += f" {cut:,} sentences were longer than {MAX_CHARS:,} characters and were cut."
        return rows, str(out), notice

    gr.Markdown(header(DEMO, checkpoint))
    gr.Markdown(
        "A bidirectional LSTM reads the sentence both ways; dropout keeps it from memorising the "
        "6,920 training sentences. Word colours show how much removing each word changes the "
        "answer: red words push towards positive, purple ones towards negative."
    )
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(label="Sentence", lines=3, placeholder="Type a sentence in English")
            button = gr.Button("Classify", variant="primary")
            gr.Examples(EXAMPLES, inputs=text)
        with gr.Column():
            label = gr.Label(label="Sentiment", num_top_classes=2)
            words = gr.HighlightedText(label="Word contributions (occlusion)", show_legend=True)
            notice = gr.Markdown()
    with gr.Accordion("Batch mode: classify a file", open=False):
        with gr.Row():
            upload = gr.File(
                label=(
                    "Sentences (.txt, one per line, or .csv with a 'text' column): at most "
                    f"{MAX_BATCH_LINES:,} sentences and {MAX_BATCH_CHARACTERS:,} characters; "
                    f"lines past {MAX_CHARS:,} characters are cut"
                ),
                file_types=[".txt", ".csv", ".tsv"],
            )
            download = gr.File(label="Predictions (CSV)")
        batch_button = gr.Button("Classify file")
        batch_notice = gr.Markdown()
        table = gr.Dataframe(headers=["text", "label", "positive_probability"], label="Predictions")

    outputs = [label, words, notice]
    button.click(
        classify,
        text,
        outputs,
        api_name="sentiment_classify",
        concurrency_limit=CONCURRENCY_LIMIT,
        concurrency_id="sentiment",
    )
    text.submit(classify, text, outputs, api_visibility="private", concurrency_id="sentiment")
    batch_button.click(
        classify_batch,
        upload,
        [table, download, batch_notice],
        api_name="sentiment_batch",
        concurrency_id="sentiment",
    )
    return model


def build(checkpoint: str | None = None) -> gr.Blocks:
    return standalone_page(DEMO, render, checkpoint)


if __name__ == "__main__":
    build().queue().launch()
