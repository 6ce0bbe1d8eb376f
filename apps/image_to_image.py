"""Image-to-image UI: draw a sketch (or give a photo) and see what pix2pix makes of it, beside
the same network trained with L1 alone.

The sketch is read as dark lines on white, fitted into a 128-pixel square (the size the models
learnt at) and handed to both models; a photo is first turned into its Canny drawing, as the
training photos were. The cards' held-out scores sit underneath.
"""

from __future__ import annotations

import gradio as gr
import numpy as np
from PIL import Image

from showcase.apps.common import (
    Lazy,
    SketchInput,
    demo_entry,
    header,
    picture_input,
    standalone_page,
    user_errors,
)
from showcase.image_to_image.api import Pix2Pix, drawing_at, example_photo

DEMO = demo_entry("image_to_image")
LABELS = {"pix2pix": "pix2pix (L1 + GAN)", "l1_only": "L1 only (the paper's ablation)"}
SHOWN_SIDE = 256  # the 128-pixel results, enlarged for the page
MAX_PHOTO_SIDE = 2048  # uploads are decoded at most this large; the model sees 128 pixels
# A 128-pixel picture from each of two U-Nets takes about 0.1 s on two cores.
CONCURRENCY_LIMIT = 2
SCORE_HEADERS = ["model", "PSNR (dB)", "SSIM", "edge F1", "colourfulness", "sharpness",
                 "training"]  # fmt: skip


def _composite(sketch):
    """A sketchpad sends layers over a background; the composite is the picture as seen."""
    if isinstance(sketch, dict):
        sketch = sketch.get("composite")
    if sketch is None:
        raise gr.Error("Draw something first (dark lines on the white canvas), or upload one.")
    return sketch


def _shown(picture) -> Image.Image:
    image = picture if isinstance(picture, Image.Image) else Image.fromarray(picture)
    return image.resize((SHOWN_SIDE, SHOWN_SIDE), Image.Resampling.BICUBIC)


def _both(models: dict, drawing: np.ndarray) -> list:
    pictures = []
    for name in LABELS:
        model = models.get(name)
        pictures.append(_shown(model.translate_drawing(drawing)) if model else None)
    return pictures


def scores_table(checkpoint) -> list[list]:
    rows = []
    for name in Pix2Pix.available(checkpoint):
        card = Pix2Pix.card_for(name, checkpoint=checkpoint)
        metric = card.metric if card else {}
        if metric.get("value") is None:
            continue
        rows.append([LABELS.get(name, name), metric["psnr"], metric["ssim"], metric["edge_f1"],
                     metric["colourfulness"], metric["sharpness"],
                     f"{card.training_time_s / 60:.0f} min"])  # fmt: skip
    if rows:
        photos = Pix2Pix.card_for(Pix2Pix.DEFAULT_NAME, checkpoint=checkpoint)
        reference = (photos.metric.get("photos", {}) if photos else {}) or {}
        rows.append(["the true photos", "", "", "", reference.get("colourfulness", ""),
                     reference.get("sharpness", ""), ""])  # fmt: skip
    return rows


def render(checkpoint: str | None = None) -> Lazy:
    """Add the image-to-image UI to the current Blocks; returns its lazily loaded models."""
    models = Lazy(lambda: {name: model.warm_up() for name, model in
                           Pix2Pix.installed(checkpoint).items()})  # fmt: skip

    @user_errors
    def from_sketch(sketch):
        drawing = drawing_at(_composite(sketch))
        return [_shown(drawing), *_both(models.get(), drawing)]

    @user_errors
    def from_photo(photo):
        if photo is None:
            raise gr.Error("Upload a photo first.")
        drawing = Pix2Pix.drawing_of_photo(photo)
        return [_shown(drawing), *_both(models.get(), drawing)]

    gr.Markdown(header(DEMO, checkpoint))
    gr.Markdown(
        "pix2pix learns to turn one kind of picture into another from pairs of examples. Here "
        "the pairs were 300 photos and their line drawings (edges found by a computer), so it "
        "draws a photo-like picture from lines. Its generator is a *U-Net*; a second network, "
        "the *discriminator*, judges 70x70-pixel patches as real or made, which pushes the "
        "generator towards sharp, coloured texture. The right-hand model is the same network "
        "trained only to be close to the photo on average (L1): it plays safe and turns out "
        "grey and blurred. Colourisation and CycleGAN are not built yet."
    )
    with gr.Tab("Sketch → photo"):
        with gr.Row():
            with gr.Column(scale=1):
                sketch = SketchInput(
                    label="Draw with dark lines (or upload a line drawing)",
                    type="pil",
                    image_mode="RGBA",
                    canvas_size=(256, 256),
                    sources=["upload", "clipboard"],
                )
                sketch_button = gr.Button("Make a picture", variant="primary")
            with gr.Column(scale=2):
                with gr.Row():
                    sketch_drawing = gr.Image(label="What the models read (128 px)",
                                              interactive=False)  # fmt: skip
                    sketch_gan = gr.Image(label=LABELS["pix2pix"], interactive=False)
                    sketch_l1 = gr.Image(label=LABELS["l1_only"], interactive=False)
    with gr.Tab("Photo → drawing → photo"):
        with gr.Row():
            with gr.Column(scale=1):
                photo = picture_input(
                    max_side=MAX_PHOTO_SIDE, label="A photo", type="pil", sources=["upload"]
                )
                gr.Examples([[example_photo()]], inputs=[photo], label="A drawn example")
                photo_button = gr.Button("Redraw it", variant="primary")
            with gr.Column(scale=2):
                with gr.Row():
                    photo_drawing = gr.Image(label="Its Canny drawing", interactive=False)
                    photo_gan = gr.Image(label=LABELS["pix2pix"], interactive=False)
                    photo_l1 = gr.Image(label=LABELS["l1_only"], interactive=False)
    with gr.Accordion("Held-out scores (200 BSDS500 test photos)", open=False):
        gr.Dataframe(value=scores_table(checkpoint) or None, headers=SCORE_HEADERS,
                     interactive=False)  # fmt: skip
    shared = {"concurrency_limit": CONCURRENCY_LIMIT, "concurrency_id": "image_to_image"}
    sketch_button.click(from_sketch, [sketch], [sketch_drawing, sketch_gan, sketch_l1],
                        api_name="image_to_image_sketch", **shared)  # fmt: skip
    photo_button.click(from_photo, [photo], [photo_drawing, photo_gan, photo_l1],
                       api_name="image_to_image_photo", **shared)  # fmt: skip
    return models


def build(checkpoint: str | None = None) -> gr.Blocks:
    return standalone_page(DEMO, render, checkpoint)


if __name__ == "__main__":
    build().queue().launch()
