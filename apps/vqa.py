"""VQA UI: draw a Sort-of-CLEVR scene, ask a question, and compare every model's answer.

Pick a scene by seed (or draw a new one), pick one of the 36 questions or type one in the
templated language, and see the true answer beside each trained network's answer and
confidence. For the Relation Network, a picture shows which pairs of grid cells (its "objects")
weighed most in the answer. The cards' accuracies per question type sit underneath.
"""

from __future__ import annotations

import secrets

import gradio as gr
import numpy as np
from PIL import Image, ImageDraw

from showcase.apps.common import (
    Lazy,
    demo_entry,
    header,
    standalone_page,
    user_errors,
)
from showcase.vqa.api import (
    CANVAS,
    QUESTION_TYPES,
    QuestionAnswerer,
    RelationNetwork,
    SortOfClevr,
    check_seed,
    load_installed,
)

DEMO = demo_entry("vqa")
SCALE = 4  # 75-pixel scenes shown at 300 pixels, nearest-neighbour so edges stay crisp
TOP_PAIRS = 5
LABELS = {
    "relation_network": "Relation Network",
    "cnn_mlp": "CNN+MLP",
    "cnn_lstm": "CNN+LSTM (VQA 2015)",
    "blind": "Blind (question only)",
}
QUESTION_CHOICES = [question.english() for question in SortOfClevr.every_question()]
# Four small networks answer one question each: a request takes tens of milliseconds.
CONCURRENCY_LIMIT = 4
TABLE_HEADERS = ["model", "answer", "confidence", "right?"]


def _enlarge(pixels: np.ndarray) -> Image.Image:
    image = Image.fromarray(pixels)
    return image.resize((CANVAS * SCALE, CANVAS * SCALE), Image.Resampling.NEAREST)


def pair_picture(network: RelationNetwork, pixels: np.ndarray, weights: np.ndarray) -> Image.Image:
    """The scene with the grid of the network's objects; cells tinted by how much their pairs
    added to the answer, and the strongest pairs joined by numbered lines."""
    side = network.grid_side
    both_ways = weights + weights.T  # the pairs (i, j) and (j, i) together
    picture = _enlarge(pixels).convert("RGBA")
    tint = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(tint)
    per_cell = np.clip(weights, 0, None).sum(axis=0) + np.clip(weights, 0, None).sum(axis=1)
    strongest = per_cell.max() if per_cell.max() > 0 else 1.0
    cell = CANVAS * SCALE / side
    for index, value in enumerate(per_cell):
        row, column = divmod(index, side)
        box = (column * cell, row * cell, (column + 1) * cell - 1, (row + 1) * cell - 1)
        pen.rectangle(box, fill=(255, 60, 0, int(110 * value / strongest)), outline=(0, 0, 0, 40))
    picture = Image.alpha_composite(picture, tint)
    pen = ImageDraw.Draw(picture)
    upper = np.triu_indices(len(both_ways))
    order = np.argsort(both_ways[upper])[::-1][:TOP_PAIRS]
    for rank, position in enumerate(order, start=1):
        first, second = int(upper[0][position]), int(upper[1][position])
        (x1, y1), (x2, y2) = (
            tuple(SCALE * value for value in network.cell_centre(index))
            for index in (first, second)
        )
        width = max(1, 6 - rank)
        if first == second:
            pen.ellipse((x1 - 14, y1 - 14, x1 + 14, y1 + 14), outline=(0, 0, 0, 255), width=width)
        else:
            pen.line((x1, y1, x2, y2), fill=(0, 0, 0, 255), width=width)
        pen.text(((x1 + x2) / 2 + 3, (y1 + y2) / 2 + 3), str(rank), fill=(0, 0, 0, 255))
    return picture.convert("RGB")


def _question_from(choice, typed):
    typed = typed.strip() if isinstance(typed, str) else ""
    if typed:
        return SortOfClevr.parse(typed)
    if choice not in QUESTION_CHOICES:
        raise gr.Error("Pick a question from the list, or type one.")
    return SortOfClevr.parse(choice)


def cards_table(checkpoint) -> list[list]:
    """Each model's card: accuracy overall, non-relational, relational and per question type."""
    rows = []
    for name in QuestionAnswerer.available(checkpoint):
        card = QuestionAnswerer.card_for(name, checkpoint=checkpoint)
        metric = card.metric if card else {}
        if metric.get("value") is None:
            continue
        per_type = metric.get("per_type", {})
        rows.append(
            [
                LABELS.get(name, name),
                f"{metric.get('non_relational', 0):.1%}",
                f"{metric.get('relational', 0):.1%}",
                *(f"{per_type.get(kind, 0):.1%}" for kind in QUESTION_TYPES),
                f"{card.training_time_s / 3600:.2f} h",
            ]
        )
    return rows


def render(checkpoint: str | None = None) -> Lazy:
    """Add the VQA UI to the current Blocks; returns its lazily loaded networks."""
    models = Lazy(lambda: load_installed(checkpoint))

    def ask(seed, choice, typed):
        seed = check_seed(seed)
        question = _question_from(choice, typed)
        scene = SortOfClevr.scene(seed)
        pixels = scene.render()
        truth = scene.answer(question)
        rows, pairs = [], None
        for name, network in models.get().items():
            if isinstance(network, RelationNetwork) and pairs is None:
                answer, weights = network.pair_weights(pixels, question)
                pairs = pair_picture(network, pixels, weights)
            else:
                answer = network.answer(pixels, question)
            rows.append(
                [
                    LABELS.get(name, name),
                    answer.text,
                    f"{answer.confidence:.1%}",
                    "yes" if answer.text == truth else "no",
                ]
            )
        kind = "relational" if question.relational else "non-relational"
        summary = f"**{question.english()}** ({kind}) — true answer: **{truth}** (scene {seed})"
        return _enlarge(pixels), summary, rows, pairs

    @user_errors
    def answer(seed, choice, typed):
        return ask(seed, choice, typed)

    @user_errors
    def new_scene(choice, typed):
        seed = secrets.randbelow(1_000_000)
        return (seed, *ask(seed, choice, typed))

    gr.Markdown(header(DEMO, checkpoint))
    gr.Markdown(
        "Six objects, one of each colour, each a square or a circle. Some questions are about "
        "one object (its shape, which half it is in); *relational* ones need two or more "
        "(the shape of the closest or furthest object, how many share its shape). The Relation "
        "Network looks at every pair of places in the picture together with the question; the "
        "baselines see the picture as a whole (CNN+MLP, CNN+LSTM) or not at all (blind)."
    )
    with gr.Row():
        with gr.Column(scale=1):
            seed = gr.Number(value=0, precision=0, label="Scene seed")
            choice = gr.Dropdown(QUESTION_CHOICES, value=QUESTION_CHOICES[0], label="Question")
            typed = gr.Textbox(
                label="…or type a question",
                placeholder="How many objects have the same shape as the blue object?",
                max_lines=1,
            )
            with gr.Row():
                answer_button = gr.Button("Answer", variant="primary")
                new_button = gr.Button("New scene")
        with gr.Column(scale=2):
            scene_picture = gr.Image(label="Scene", type="pil", format="png", interactive=False)
            summary = gr.Markdown()
    answers = gr.Dataframe(headers=TABLE_HEADERS, label="Every model's answer", interactive=False)
    pairs_picture = gr.Image(
        label="Relation Network: where its answer came from (tinted cells; numbered lines join "
        "the strongest pairs)",
        type="pil",
        format="png",
        interactive=False,
    )
    with gr.Accordion("How each model scores on 1,000 held-out scenes", open=False):
        gr.Dataframe(
            value=cards_table(checkpoint) or None,
            headers=["model", "non-relational", "relational", *QUESTION_TYPES, "training"],
            interactive=False,
        )
    shared = {"concurrency_limit": CONCURRENCY_LIMIT, "concurrency_id": "vqa"}
    outputs = [scene_picture, summary, answers, pairs_picture]
    answer_button.click(answer, [seed, choice, typed], outputs, api_name="vqa_answer", **shared)
    typed.submit(answer, [seed, choice, typed], outputs, api_visibility="private", **shared)
    new_button.click(
        new_scene, [choice, typed], [seed, *outputs], api_name="vqa_new_scene", **shared
    )
    return models


def build(checkpoint: str | None = None) -> gr.Blocks:
    return standalone_page(DEMO, render, checkpoint)


if __name__ == "__main__":
    build().queue().launch()
