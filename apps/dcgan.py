"""DCGAN UI: the lecture's "draw! shuffle! reset!" generator page, for digits.

Pick a digit (or "any"), how much noise to feed the generator and a seed; draw a grid, shuffle
to a new seed, or reset everything. A second panel walks the noise between two seeds.
"""

from __future__ import annotations

import secrets

import gradio as gr
import numpy as np
from PIL import Image

from showcase.apps.common import (
    Lazy,
    check_seed,
    demo_entry,
    header,
    scratch_path,
    standalone_page,
    user_errors,
)
from showcase.dcgan.api import (
    MAX_INTERPOLATION_STEPS,
    MAX_NOISE_STRENGTH,
    DigitGenerator,
    check_count,
    grid,
)

DEMO = demo_entry("dcgan")
ANY = "any"
DEFAULTS = {"digit": ANY, "noise_strength": 1.0, "seed": 0, "rows": 8, "columns": 8}
MAX_SIDE = 16  # grid rows and columns: 16x16 = showcase.dcgan.api.MAX_IMAGES
DISPLAY_SCALE = 3  # 28 px digits are tiny on a screen; nearest-neighbour keeps them crisp
# A grid takes tens of milliseconds: several requests may run side by side.
CONCURRENCY_LIMIT = 4


def _classes(checkpoint) -> int:
    card = DigitGenerator.card_for(checkpoint=checkpoint)
    return int(card.dataset.get("classes", 10)) if card else 10


def _digit_from_choice(choice: str, classes: int) -> int | None:
    if choice in (None, "", ANY):
        return None
    try:
        return int(choice)
    except (TypeError, ValueError):
        raise gr.Error(f"Pick a digit from 0 to {classes - 1}, or 'any'.") from None


def _seed_from_box(seed, what: str = "seed") -> int:
    if seed is None:
        raise gr.Error(f"Type a {what} (a whole number), or press Shuffle!")
    return check_seed(seed, what)


def _enlarge(picture: np.ndarray) -> Image.Image:
    image = Image.fromarray(picture)
    return image.resize((image.width * DISPLAY_SCALE, image.height * DISPLAY_SCALE), Image.NEAREST)


def _save(image: Image.Image, name: str, **options) -> str:
    path = scratch_path(name)
    image.save(path, **options)
    return str(path)


def render(checkpoint: str | None = None) -> Lazy:
    """Add the DCGAN UI to the current Blocks; returns its lazily loaded generator."""
    model = Lazy(lambda: _load(checkpoint))
    classes = _classes(checkpoint)
    digit_choices = [ANY] + [str(digit) for digit in range(classes)] if classes > 1 else [ANY]

    def draw_grid(digit_choice, strength, seed, rows, columns):
        generator = model.get()
        seed = _seed_from_box(seed)
        rows = check_count(rows, MAX_SIDE, "number of rows")
        columns = check_count(columns, MAX_SIDE, "number of columns")
        digit = _digit_from_choice(digit_choice, classes)
        images = generator.generate(digit, seed, strength, count=rows * columns)
        picture = _enlarge(grid(images, columns))
        parts = [f"{rows * columns} samples"]
        if classes > 1:
            parts.append(f"digit {digit}" if digit is not None else "random digits")
        parts += [f"seed {seed}", f"noise strength {strength:g}"]
        notice = ", ".join(parts) + "."
        return picture, _save(picture, f"dcgan_seed{seed}.png"), notice

    @user_errors
    def draw(digit_choice, strength, seed, rows, columns):
        return draw_grid(digit_choice, strength, seed, rows, columns)

    @user_errors
    def shuffle(digit_choice, strength, rows, columns):
        seed = secrets.randbelow(1_000_000)
        return (seed, *draw_grid(digit_choice, strength, seed, rows, columns))

    @user_errors
    def reset():
        values = DEFAULTS
        drawn = draw_grid(
            values["digit"], values["noise_strength"], values["seed"], values["rows"],
            values["columns"],
        )  # fmt: skip
        return (
            values["digit"],
            values["noise_strength"],
            values["seed"],
            values["rows"],
            values["columns"],
            *drawn,
        )

    @user_errors
    def interpolate(digit_choice, seed_a, seed_b, steps):
        generator = model.get()
        digit = _digit_from_choice(digit_choice, classes)
        images = generator.interpolate(
            _seed_from_box(seed_a, "first seed"),
            _seed_from_box(seed_b, "second seed"),
            int(steps),
            digit,
        )
        strip = _enlarge(grid(images, len(images)))
        frames = [_enlarge(image) for image in images]
        frames += frames[-2:0:-1]  # there and back again, so the loop has no jump
        gif = _save(
            frames[0],
            f"dcgan_walk_{seed_a}_{seed_b}.gif",
            save_all=True,
            append_images=frames[1:],
            duration=120,
            loop=0,
        )
        return strip, gif

    gr.Markdown(header(DEMO, checkpoint))
    gr.Markdown(
        "Two networks learned against each other: the *generator* turns random noise (and the "
        "digit you ask for) into a picture; the *discriminator* tried to tell its pictures from "
        "real handwriting. Nothing here is copied from the training set. The seed fixes the "
        "noise, so the same seed always draws the same digits; noise strength 0 shows each "
        "digit's 'average' look, larger values wilder ones."
    )
    with gr.Row():
        with gr.Column(scale=1):
            digit = gr.Dropdown(digit_choices, value=ANY, label="Digit")
            strength = gr.Slider(
                0.0, MAX_NOISE_STRENGTH, value=1.0, step=0.05, label="Noise strength"
            )
            seed = gr.Number(value=0, precision=0, label="Seed")
            with gr.Row():
                rows = gr.Slider(1, MAX_SIDE, value=8, step=1, label="Rows")
                columns = gr.Slider(1, MAX_SIDE, value=8, step=1, label="Columns")
            with gr.Row():
                draw_button = gr.Button("Draw!", variant="primary")
                shuffle_button = gr.Button("Shuffle!")
                reset_button = gr.Button("Reset!")
        with gr.Column(scale=2):
            picture = gr.Image(label="Generated", type="pil", format="png", interactive=False)
            download = gr.File(label="Download PNG")
            notice = gr.Markdown()
    with gr.Accordion("Walk between two seeds (latent interpolation)", open=False):
        gr.Markdown(
            "The generator maps nearby noise to similar pictures, so walking from one seed's "
            "noise to another's morphs one handwriting style into the other."
        )
        with gr.Row():
            walk_digit = gr.Dropdown(
                digit_choices[1:] or [ANY], value=(digit_choices[1:] or [ANY])[0], label="Digit"
            )
            seed_a = gr.Number(value=0, precision=0, label="From seed")
            seed_b = gr.Number(value=1, precision=0, label="To seed")
            steps = gr.Slider(2, MAX_INTERPOLATION_STEPS, value=10, step=1, label="Steps")
        walk_button = gr.Button("Interpolate")
        strip = gr.Image(label="Strip", type="pil", format="png", interactive=False)
        animation = gr.Image(label="Animation (GIF)", type="filepath", interactive=False)

    shared = {"concurrency_limit": CONCURRENCY_LIMIT, "concurrency_id": "dcgan"}
    drawn = [picture, download, notice]
    draw_button.click(
        draw, [digit, strength, seed, rows, columns], drawn, api_name="dcgan_draw", **shared
    )
    shuffle_button.click(
        shuffle,
        [digit, strength, rows, columns],
        [seed, *drawn],
        api_name="dcgan_shuffle",
        **shared,
    )
    reset_button.click(
        reset,
        None,
        [digit, strength, seed, rows, columns, *drawn],
        api_name="dcgan_reset",
        **shared,
    )
    walk_button.click(
        interpolate,
        [walk_digit, seed_a, seed_b, steps],
        [strip, animation],
        api_name="dcgan_interpolate",
        **shared,
    )
    return model


def _load(checkpoint):
    return DigitGenerator.from_pretrained(checkpoint=checkpoint).warm_up()


def build(checkpoint: str | None = None) -> gr.Blocks:
    return standalone_page(DEMO, render, checkpoint)


if __name__ == "__main__":
    build().queue().launch()
