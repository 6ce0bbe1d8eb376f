"""GAN UI: the lecture's "draw! shuffle! reset!" generator page, for digits.

Pick a generator (DCGAN, BEGAN or the progressive GAN, whichever are installed), a digit (or
"any"), how much noise to feed it and a seed; draw a grid, shuffle to a new seed, or reset the
controls. Further panels walk the noise between two seeds, show one seed as the progressive GAN
grew from 4 to 32 pixels, compare the generators' scores at equal training time, and plot a
generator's training curves from its card.
"""

from __future__ import annotations

import secrets

import gradio as gr
import numpy as np
from PIL import Image

from showcase.apps.common import (
    Lazy,
    check_seed,
    curves_figure,
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
GAMMA_ROW = 8  # digits per BEGAN in the gamma comparison
# What each shipped checkpoint is called on the page; a user's own keep their file names.
LABELS = {"mnist_digits": "DCGAN", "pggan": "PGGAN (progressive)"}
GROWN = "pggan"
EQUILIBRIUM = "began"  # BEGAN checkpoints: began, began_<something>


def _label(name: str, checkpoint) -> str:
    if name.startswith(EQUILIBRIUM):
        card = DigitGenerator.card_for(name, checkpoint=checkpoint)
        gamma = card.hyperparameters.get("gamma") if card else None
        return f"BEGAN, gamma {gamma:g}" if gamma is not None else name
    return LABELS.get(name, name)


def generator_labels(checkpoint) -> dict[str, str]:
    """Installed generators, page label -> checkpoint name, the default (DCGAN) first."""
    names = list(DigitGenerator.available(checkpoint))
    names.sort(key=lambda name: (name != DigitGenerator.DEFAULT_NAME, name))
    return {_label(name, checkpoint): name for name in names}


def scores_table(checkpoint) -> list[list]:
    """Each installed generator's card figures: the equal-compute comparison."""
    rows = []
    for label, name in generator_labels(checkpoint).items():
        card = DigitGenerator.card_for(name, checkpoint=checkpoint)
        if card is None or card.metric.get("value") is None:
            continue
        metric = card.metric
        rows.append(
            [
                label,
                f"{metric['value']:.1%}",
                metric.get("frechet_distance"),
                metric.get("frechet_real_vs_real"),
                metric.get("diversity_min"),
                f"{card.training_time_s / 60:.1f} min",
                card.hyperparameters.get("steps_run"),
            ]
        )
    return rows


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
    """Add the GAN UI to the current Blocks; returns the default generator, lazily loaded."""
    labels = generator_labels(checkpoint)
    default_label = next(iter(labels), LABELS[DigitGenerator.DEFAULT_NAME])
    models = {
        label: Lazy(lambda name=name: _load(checkpoint, name)) for label, name in labels.items()
    }
    model = models.get(default_label) or Lazy(lambda: _load(checkpoint, None))
    classes = _classes(checkpoint)
    digit_choices = [ANY] + [str(digit) for digit in range(classes)] if classes > 1 else [ANY]

    def generator_for(label):
        if label in (None, ""):
            return model.get()
        if label not in models:
            raise gr.Error(f"Pick a generator from the list: {', '.join(models) or 'none'}.")
        return models[label].get()

    def draw_grid(digit_choice, strength, seed, rows, columns, label=default_label):
        generator = generator_for(label)
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
        if len(models) > 1:
            parts.append(f"drawn by {label or default_label}")
        notice = ", ".join(parts) + "."
        return picture, _save(picture, f"dcgan_seed{seed}.png"), notice

    @user_errors
    def draw(digit_choice, strength, seed, rows, columns, label=default_label):
        return draw_grid(digit_choice, strength, seed, rows, columns, label)

    @user_errors
    def shuffle(digit_choice, strength, rows, columns, label=default_label):
        seed = secrets.randbelow(1_000_000)
        return (seed, *draw_grid(digit_choice, strength, seed, rows, columns, label))

    @user_errors
    def reset(label=default_label):
        """The controls back to their defaults; the chosen generator stays."""
        values = DEFAULTS
        drawn = draw_grid(
            values["digit"], values["noise_strength"], values["seed"], values["rows"],
            values["columns"], label,
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
    def interpolate(digit_choice, seed_a, seed_b, steps, label=default_label):
        generator = generator_for(label)
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

    @user_errors
    def growth(digit_choice, seed, label=default_label):
        generator = generator_for(label)
        if not generator.stage_paths():
            grown = next((lbl for lbl, name in labels.items() if name == GROWN), None)
            if grown is None:
                raise gr.Error(
                    "No progressive GAN is installed: train one with "
                    "`showcase train dcgan --model pggan`."
                )
            generator = models[grown].get()
        seed = _seed_from_box(seed)
        digit = _digit_from_choice(digit_choice, classes)
        stages = generator.growth(digit, seed)
        strip = _enlarge(grid(np.stack([image for _, image in stages]), len(stages)))
        sides = ", ".join(f"{side} px" for side, _ in stages)
        return strip, f"Seed {seed} at the end of each stage: {sides} (left to right)."

    equilibria = [label for label, name in labels.items() if name.startswith(EQUILIBRIUM)]

    @user_errors
    def gammas(digit_choice, seed):
        if not equilibria:
            raise gr.Error(
                "No BEGAN is installed: train one with `showcase train dcgan --model began`."
            )
        seed = _seed_from_box(seed)
        digit = _digit_from_choice(digit_choice, classes)
        rows = [models[label].get().generate(digit, seed, count=GAMMA_ROW) for label in equilibria]
        picture = _enlarge(grid(np.concatenate(rows), GAMMA_ROW))
        order = "; ".join(f"row {index + 1}: {label}" for index, label in enumerate(equilibria))
        return picture, f"Seed {seed}, the same noise in every row. {order}."

    @user_errors
    def curves(label=default_label):
        name = labels.get(label or default_label)
        if name is None:
            raise gr.Error(f"Pick a generator from the list: {', '.join(models) or 'none'}.")
        card = DigitGenerator.card_for(name, checkpoint=checkpoint)
        figure = curves_figure(card)
        if figure is None:
            return None, f"{label} logged no per-step curves (only BEGAN and PGGAN do)."
        return figure, f"{label}: {', '.join(card.curves)}, from its model card."

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
            chosen = gr.Dropdown(
                list(labels) or [default_label], value=default_label, label="Generator"
            )
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
    with gr.Accordion("Progressive growing: one seed at 4, 8, 16 and 32 pixels", open=False):
        gr.Markdown(
            "The progressive GAN learned coarse digits first and added detail one doubling at "
            "a time. Each picture is the generator as it was at the end of a stage, shown at "
            "the same size."
        )
        grow_digit, grow_seed = _digit_and_seed(digit_choices)
        grow_button = gr.Button("Show the growth")
        grow_strip = gr.Image(label="4, 8, 16, 32 px", type="pil", format="png", interactive=False)
        grow_notice = gr.Markdown()
    with gr.Accordion("The generators compared at equal training time", open=False):
        gr.Markdown(
            "Each generator trained for about 16 minutes on 2 CPU cores and was scored by the "
            "same digit classifier on 2,000 generated digits: the share it reads as the digit "
            "asked for, the Frechet distance of their features to real held-out digits (lower "
            "is better; two real samples score the real-vs-real figure) and the lowest per-digit "
            "diversity against real digits (near 0: collapse)."
        )
        gr.Dataframe(
            value=scores_table(checkpoint) or None,
            headers=[
                "generator",
                "class accuracy",
                "Frechet distance",
                "real vs real",
                "lowest diversity",
                "training",
                "steps",
            ],  # fmt: skip
            interactive=False,
        )
        gr.Markdown(
            "BEGAN's *gamma* is the ratio it keeps between how badly its discriminator "
            "reconstructs generated and real digits: lower asks for less variety and, in the "
            "paper, sharper pictures. One row per installed BEGAN, the same noise in each:"
        )
        gamma_digit, gamma_seed = _digit_and_seed(digit_choices)
        gamma_button = gr.Button("Compare the BEGANs")
        gamma_picture = gr.Image(
            label="BEGAN at each gamma", type="pil", format="png", interactive=False
        )
        gamma_notice = gr.Markdown()
        curves_button = gr.Button("Plot the chosen generator's training curves")
        curve_plot = gr.Plot(label="Training curves (from the model card)")
        curve_notice = gr.Markdown()

    shared = {"concurrency_limit": CONCURRENCY_LIMIT, "concurrency_id": "dcgan"}
    drawn = [picture, download, notice]
    draw_button.click(
        draw,
        [digit, strength, seed, rows, columns, chosen],
        drawn,
        api_name="dcgan_draw",
        **shared,
    )
    shuffle_button.click(
        shuffle,
        [digit, strength, rows, columns, chosen],
        [seed, *drawn],
        api_name="dcgan_shuffle",
        **shared,
    )
    reset_button.click(
        reset,
        [chosen],
        [digit, strength, seed, rows, columns, *drawn],
        api_name="dcgan_reset",
        **shared,
    )
    walk_button.click(
        interpolate,
        [walk_digit, seed_a, seed_b, steps, chosen],
        [strip, animation],
        api_name="dcgan_interpolate",
        **shared,
    )
    grow_button.click(
        growth,
        [grow_digit, grow_seed, chosen],
        [grow_strip, grow_notice],
        api_name="dcgan_growth",
        **shared,
    )
    gamma_button.click(
        gammas,
        [gamma_digit, gamma_seed],
        [gamma_picture, gamma_notice],
        api_name="dcgan_gammas",
        **shared,
    )
    curves_button.click(
        curves, [chosen], [curve_plot, curve_notice], api_name="dcgan_curves", **shared
    )
    return model


def _digit_and_seed(digit_choices):
    with gr.Row():
        return (
            gr.Dropdown(digit_choices, value=ANY, label="Digit"),
            gr.Number(value=0, precision=0, label="Seed"),
        )


def _load(checkpoint, name):
    return DigitGenerator.from_pretrained(name, checkpoint=checkpoint).warm_up()


def build(checkpoint: str | None = None) -> gr.Blocks:
    return standalone_page(DEMO, render, checkpoint)


if __name__ == "__main__":
    build().queue().launch()
