"""Image-to-image UI: draw a sketch (or give a photo) and see what pix2pix makes of it, beside
the same network trained with L1 alone; or give a photo and see three colourisers paint its grey
version, the last one with the hints a user clicks; or turn a photo into a painting and a painting
into a photo with CycleGAN, beside pix2pix trained on pairs for the same task.

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
from showcase.image_to_image.api import (
    TO_PAINTING,
    TO_PHOTO,
    Colorizer,
    CycleGAN,
    Pix2Pix,
    checked_hints,
    drawing_at,
    example_photo,
    hints_from_text,
    hints_text,
)

DEMO = demo_entry("image_to_image")
LABELS = {"pix2pix": "pix2pix (L1 + GAN)", "l1_only": "L1 only (the paper's ablation)"}
SHOWN_SIDE = 256  # the 128-pixel results, enlarged for the page
MAX_PHOTO_SIDE = 2048  # uploads are decoded at most this large; the model sees 128 pixels
# A 128-pixel picture from each of two U-Nets takes about 0.1 s on two cores.
CONCURRENCY_LIMIT = 2
SCORE_HEADERS = ["model", "PSNR (dB)", "SSIM", "edge F1", "colourfulness", "sharpness",
                 "training"]  # fmt: skip
COLOUR_LABELS = {
    "colour_regression": "Regression (L2)",
    "colour_classes": "Classes (Zhang et al. 2016)",
    "colour_hints": "With your hints (Zhang et al. 2017)",
}
COLOUR_HEADERS = ["model", "PSNR (dB)", "SSIM", "colourfulness", "PSNR with 10 hints",
                  "training"]  # fmt: skip
DIRECTIONS = {"Photo → painting": TO_PAINTING, "Painting → photo": TO_PHOTO}
PAINTING_LABELS = {"cyclegan": "CycleGAN (no pairs)", "painting_pix2pix": "pix2pix (from pairs)"}
PAINTING_HEADERS = ["model", "photo → painting PSNR (dB)", "SSIM", "painting → photo PSNR (dB)",
                    "photo round the cycle PSNR (dB)", "training"]  # fmt: skip


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


def colour_scores_table(checkpoint) -> list[list]:
    rows, reference = [], {}
    for name in Colorizer.available(checkpoint):
        card = Colorizer.card_for(name, checkpoint=checkpoint)
        metric = card.metric if card else {}
        if metric.get("value") is None:
            continue
        by_hints = metric.get("psnr_by_hints", {}).get("10", "")
        rows.append([COLOUR_LABELS.get(name, name), metric["psnr"], metric["ssim"],
                     metric["colourfulness"], by_hints,
                     f"{card.training_time_s / 60:.0f} min"])  # fmt: skip
        reference = metric
    if rows:
        rows.append(["the grey photos", reference.get("grey_psnr", ""), "", 0.0, "", ""])
        rows.append(["the true photos", "", "", reference.get("photos", {}).get(
            "colourfulness", ""), "", ""])  # fmt: skip
    return rows


def painting_scores_table(checkpoint) -> list[list]:
    rows, reference = [], {}
    for name in CycleGAN.available(checkpoint):
        card = CycleGAN.card_for(name, checkpoint=checkpoint)
        metric = card.metric if card else {}
        if metric.get("value") is None:
            continue
        rows.append([PAINTING_LABELS.get(name, name), metric["psnr"], metric["ssim"],
                     metric.get("to_photo", {}).get("psnr", ""),
                     metric.get("cycle", {}).get("photo", {}).get("psnr", ""),
                     f"{card.training_time_s / 60:.0f} min"])  # fmt: skip
        reference = metric.get("unchanged", {})
    if rows:
        rows.append(["the photo, unchanged", reference.get("psnr", ""),
                     reference.get("ssim", ""), "", "", ""])  # fmt: skip
    return rows


def _photo(photo):
    if photo is None:
        raise gr.Error("Upload a photo first.")
    return photo


def render(checkpoint: str | None = None) -> Lazy:
    """Add the image-to-image UI to the current Blocks; returns its lazily loaded models."""

    def load_all():
        # Either kind may be missing from a folder of one's own checkpoints.
        return {
            kind: {
                name: loader.load(path).warm_up()
                for name, path in loader.available(checkpoint).items()
            }
            for kind, loader in (
                ("translators", Pix2Pix),
                ("colourisers", Colorizer),
                ("painters", CycleGAN),
            )
        }

    models = Lazy(load_all)

    def translators():
        found = models.get()["translators"]
        if not found:
            raise gr.Error("No drawing-to-photo model is installed.")
        return found

    def colourisers():
        found = models.get()["colourisers"]
        if not found:
            raise gr.Error("No colourisation model is installed.")
        return found

    def painters():
        found = models.get()["painters"]
        if not found:
            raise gr.Error("No photo <-> painting model is installed.")
        return found

    @user_errors
    def paint_or_unpaint(picture, direction_label):
        picture = _photo(picture)
        if direction_label not in DIRECTIONS:
            raise gr.Error(f"Choose a direction: {' or '.join(DIRECTIONS)}.")
        direction = DIRECTIONS[direction_label]
        back = TO_PHOTO if direction == TO_PAINTING else TO_PAINTING
        found = painters()
        cyclegan, paired = found.get("cyclegan"), found.get("painting_pix2pix")
        square = CycleGAN.centre_square(picture)
        made = cyclegan.translate(square, direction) if cyclegan else None
        round_trip = cyclegan.translate(made, back) if made is not None else None
        from_pairs = None
        if paired is not None and direction in paired.directions:
            from_pairs = paired.translate(square, direction)
        return [_shown(square), *(None if p is None else _shown(p)
                                  for p in (made, round_trip, from_pairs))]  # fmt: skip

    def hinted(photo, hints):
        model = colourisers().get("colour_hints")
        return model.colorize(photo, hints) if model else None

    @user_errors
    def colourise(photo, typed_hints):
        photo = _photo(photo)
        hints = checked_hints(hints_from_text(typed_hints), photo.size)
        found = colourisers()
        pictures = [found[name].colorize(photo) if name in found else None
                    for name in ("colour_regression", "colour_classes")]  # fmt: skip
        return [Colorizer.grey(photo), *pictures, hinted(photo, hints)]

    @user_errors
    def add_hint(photo, typed_hints, colour, colour_of_photo, event: gr.SelectData):
        photo = _photo(photo)
        shown_width = Colorizer.grey(photo).width
        x, y = (round(value * photo.width / shown_width) for value in event.index[:2])
        x, y = min(max(x, 0), photo.width - 1), min(max(y, 0), photo.height - 1)
        if colour_of_photo:
            colour = photo.convert("RGB").getpixel((x, y))
        hints = checked_hints([*hints_from_text(typed_hints), (x, y, colour)], photo.size)
        return hints_text(hints), hinted(photo, hints)

    @user_errors
    def from_sketch(sketch):
        drawing = drawing_at(_composite(sketch))
        return [_shown(drawing), *_both(translators(), drawing)]

    @user_errors
    def from_photo(photo):
        if photo is None:
            raise gr.Error("Upload a photo first.")
        drawing = Pix2Pix.drawing_of_photo(photo)
        return [_shown(drawing), *_both(translators(), drawing)]

    gr.Markdown(header(DEMO, checkpoint))
    gr.Markdown(
        "pix2pix learns to turn one kind of picture into another from pairs of examples. Here "
        "the pairs were 300 photos and their line drawings (edges found by a computer), so it "
        "draws a photo-like picture from lines. Its generator is a *U-Net*; a second network, "
        "the *discriminator*, judges 70x70-pixel patches as real or made, which pushes the "
        "generator towards sharp, coloured texture. The right-hand model is the same network "
        "trained only to be close to the photo on average (L1): it plays safe and turns out "
        "grey and blurred."
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
    with gr.Tab("Grey → colour"):
        gr.Markdown(
            "Each photo is made grey (only its lightness is kept) and three networks paint it "
            "again. *Regression* predicts the colour as numbers and plays safe: where a thing "
            "could be red or blue it picks the average, a dull grey-brown. *Classes* picks from "
            "262 colour bins and favours rarer, brighter ones. *With your hints* also reads the "
            "colours you give: click the grey picture to add one (from the photo itself, or "
            "the colour you pick)."
        )
        with gr.Row():
            with gr.Column(scale=1):
                colour_photo = picture_input(
                    max_side=MAX_PHOTO_SIDE, label="A photo", type="pil", sources=["upload"]
                )
                gr.Examples([[example_photo()]], inputs=[colour_photo], label="A drawn example")
                hint_colour = gr.ColorPicker(value="#d03020", label="Hint colour")
                hint_from_photo = gr.Checkbox(
                    value=True, label="Take a hint's colour from the photo"
                )
                typed_hints = gr.Textbox(
                    label="Hints: x, y, #rrggbb (one per line; clicks add them)", lines=3
                )
                with gr.Row():
                    colour_button = gr.Button("Colourise", variant="primary")
                    clear_hints = gr.Button("Clear hints")
            with gr.Column(scale=3):
                with gr.Row():
                    grey_picture = gr.Image(label="Grey (click to add a hint)", interactive=False)
                    colour_outputs = [
                        gr.Image(label=label, interactive=False) for label in COLOUR_LABELS.values()
                    ]
    with gr.Tab("Photo ↔ painting"):
        gr.Markdown(
            "CycleGAN learns to turn photos into paintings and back from two piles of pictures "
            "that are *not* paired: 200 photos, and 100 other photos painted after Van Gogh's "
            "Starry Night. Two networks translate each way; a photo taken there and back must "
            "come home unchanged (the *cycle*). pix2pix, beside it, was given the pairs, which "
            "CycleGAN never sees: it is as good as the task gets with this network. Pictures "
            "are cropped to their centre square."
        )
        with gr.Row():
            with gr.Column(scale=1):
                painting_input = picture_input(
                    max_side=MAX_PHOTO_SIDE, label="A photo or a painting", type="pil",
                    sources=["upload"],
                )  # fmt: skip
                gr.Examples([[example_photo()]], inputs=[painting_input], label="A drawn example")
                direction = gr.Radio(list(DIRECTIONS), value=next(iter(DIRECTIONS)),
                                     label="Direction")  # fmt: skip
                painting_button = gr.Button("Translate", variant="primary")
            with gr.Column(scale=3):
                with gr.Row():
                    painting_outputs = [
                        gr.Image(label=label, interactive=False)
                        for label in ("What the models read (128 px)", PAINTING_LABELS["cyclegan"],
                                      "CycleGAN, there and back",
                                      PAINTING_LABELS["painting_pix2pix"] + ", photo → painting")
                    ]  # fmt: skip
    with gr.Accordion("Held-out scores (200 BSDS500 test photos)", open=False):
        gr.Dataframe(value=scores_table(checkpoint) or None, headers=SCORE_HEADERS,
                     interactive=False)  # fmt: skip
        gr.Dataframe(value=colour_scores_table(checkpoint) or None, headers=COLOUR_HEADERS,
                     interactive=False)  # fmt: skip
        gr.Dataframe(value=painting_scores_table(checkpoint) or None, headers=PAINTING_HEADERS,
                     interactive=False)  # fmt: skip
    shared = {"concurrency_limit": CONCURRENCY_LIMIT, "concurrency_id": "image_to_image"}
    sketch_button.click(from_sketch, [sketch], [sketch_drawing, sketch_gan, sketch_l1],
                        api_name="image_to_image_sketch", **shared)  # fmt: skip
    photo_button.click(from_photo, [photo], [photo_drawing, photo_gan, photo_l1],
                       api_name="image_to_image_photo", **shared)  # fmt: skip
    colour_button.click(colourise, [colour_photo, typed_hints], [grey_picture, *colour_outputs],
                        api_name="image_to_image_colour", **shared)  # fmt: skip
    painting_button.click(paint_or_unpaint, [painting_input, direction], painting_outputs,
                          api_name="image_to_image_painting", **shared)  # fmt: skip
    grey_picture.select(add_hint, [colour_photo, typed_hints, hint_colour, hint_from_photo],
                        [typed_hints, colour_outputs[-1]], api_visibility="private",
                        **shared)  # fmt: skip
    clear_hints.click(lambda: "", None, typed_hints, api_visibility="private")
    return models


def build(checkpoint: str | None = None) -> gr.Blocks:
    return standalone_page(DEMO, render, checkpoint)


if __name__ == "__main__":
    build().queue().launch()
