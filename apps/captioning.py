"""Image-captioning UI: upload a picture or draw a random scene; see the best beams with their
log-probabilities and, for attention models, where the model looked for each word."""

from __future__ import annotations

import gradio as gr
import numpy as np
from PIL import Image

from showcase.apps.common import (
    Lazy,
    check_beam_size,
    check_seed,
    demo_entry,
    header,
    picture_input,
    standalone_page,
    user_errors,
)
from showcase.captioning.api import MAX_BEAM_SIZE, Captioner, make_scene

DEMO = demo_entry("captioning")
SHOWN = 256  # pictures and overlays are shown at this size
# The shipped captioners see 64 px pictures: uploads need not be decoded above this.
DECODE_SIDE = 512
# One caption takes a fraction of a second; a few may run side by side.
CONCURRENCY_LIMIT = 2


def overlay(picture: Image.Image, weights: np.ndarray) -> Image.Image:
    """The picture darkened where the attention weights are low (weights: rows x columns)."""
    heat = weights / max(float(weights.max()), 1e-8)
    mask = Image.fromarray(np.uint8(heat * 255)).resize(picture.size, Image.BILINEAR)
    alpha = np.asarray(mask, np.float32)[..., None] / 255.0
    lit = np.asarray(picture.convert("RGB"), np.float32) * (0.25 + 0.75 * alpha)
    tint = np.array([255.0, 200.0, 0.0]) * alpha * 0.35
    return Image.fromarray(np.uint8(np.clip(lit + tint, 0, 255)))


def render(checkpoint: str | None = None) -> Lazy:
    """Add the captioning UI to the current Blocks; returns its lazily loaded model."""
    model = Lazy(lambda: _load(checkpoint))
    names = list(Captioner.available(checkpoint))
    default = DEMO.checkpoint_name if DEMO.checkpoint_name in names else (names or [None])[0]

    def captioner_named(name):
        captioners = model.get()
        if not captioners:
            raise gr.Error("No captioning model is installed; train one with `showcase train`.")
        if name not in captioners:
            raise gr.Error(f"Unknown model {name!r}; pick one from the list.")
        return captioners[name]

    def describe(picture, beam_size, name):
        captioner = captioner_named(name)
        beam_size = check_beam_size(beam_size, MAX_BEAM_SIZE)
        beams, words, weights = captioner.caption_with_attention(picture, beam_size)
        table = [[caption, round(score, 3)] for caption, score in beams]
        shown = captioner.prepare(picture)[0].astype(np.uint8)
        shown = Image.fromarray(shown).resize((SHOWN, SHOWN), Image.NEAREST)
        maps = []
        if words is not None:
            maps = [(overlay(shown, w), word) for word, w in zip(words, weights, strict=True)]
        return table, maps

    @user_errors
    def caption_upload(picture, beam_size, name):
        if picture is None:
            raise gr.Error("Upload a picture first, or draw a random scene.")
        return describe(picture, beam_size, name)

    @user_errors
    def caption_scene(seed, beam_size, name):
        if seed is None:
            raise gr.Error("Type a scene seed (a whole number).")
        size = captioner_named(name).model.image_size
        scene = make_scene(check_seed(seed, "scene seed"), canvas=size)
        picture = scene.render(antialias=True)
        table, maps = describe(picture, beam_size, name)
        truth = "; ".join(scene.captions()[:2])
        return picture.resize((SHOWN, SHOWN), Image.NEAREST), table, maps, f"**Truth:** {truth}"

    gr.Markdown(header(DEMO, checkpoint))
    gr.Markdown(
        "A convolutional network looks at the picture; an LSTM then writes the caption a word at "
        "a time, and beam search keeps the likeliest few sentences. The shipped model learned "
        "from synthetic scenes of coloured shapes, so it describes shapes, colours, sizes and "
        "where they are: photos get a caption in that language. With attention, each word comes "
        "with the part of the picture the model looked at."
    )
    with gr.Row():
        with gr.Column():
            picture = picture_input(DECODE_SIDE, label="Picture", type="pil", image_mode="RGB")
            chosen = gr.Dropdown(
                names,
                value=default,
                label="Model (scenes_attention: with attention maps; scenes_show_and_tell: the "
                "paper's plain model)",
            )
            beam_size = gr.Slider(1, MAX_BEAM_SIZE, value=3, step=1, label="Beam size")
            upload_button = gr.Button("Caption this picture", variant="primary")
            with gr.Row():
                seed = gr.Number(value=10_000_000, precision=0, label="Scene seed")
                scene_button = gr.Button("Draw and caption a scene")
            truth = gr.Markdown()
        with gr.Column():
            beams = gr.Dataframe(
                headers=["caption", "log-probability"], label="Best captions", interactive=False
            )
            attention = gr.Gallery(label="Attention per word", columns=6, height="auto")
    shared = {"concurrency_limit": CONCURRENCY_LIMIT, "concurrency_id": "captioning"}
    upload_button.click(
        caption_upload, [picture, beam_size, chosen], [beams, attention],
        api_name="captioning_caption",
        **shared,
    )  # fmt: skip
    scene_button.click(
        caption_scene,
        [seed, beam_size, chosen],
        [picture, beams, attention, truth],
        api_name="captioning_scene",
        **shared,
    )
    return model


def _load(checkpoint):
    return {
        name: Captioner.load(path).warm_up()
        for name, path in Captioner.available(checkpoint).items()
    }


def build(checkpoint: str | None = None) -> gr.Blocks:
    return standalone_page(DEMO, render, checkpoint)


if __name__ == "__main__":
    build().queue().launch()
