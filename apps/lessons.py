"""Lessons UI: the lecture's ideas before its applications, one sub-tab each, computed live.

Every control feeds a ``showcase.lessons`` function and shows its figure and key numbers; the UI
adds nothing but widgets. The lessons that train a network compile it once per process: the hub
warms them in the background when it starts, so a person's first click is as quick as the rest.
"""

from __future__ import annotations

import time

import gradio as gr

from showcase.apps.common import (
    Lazy,
    SketchInput,
    check_seed,
    demo_entry,
    picture_input,
    standalone_page,
    user_errors,
)
from showcase.lessons.api import (
    convolution,
    feature_maps,
    memory,
    overfitting,
    running_mean,
    vanishing_gradient,
    warm_up,
)

DEMO = demo_entry("lessons")
# The numpy lessons answer in tens of milliseconds and may run side by side; the ones that
# train networks take about a second of both cores each, so they take turns in their own queue
# and cannot hold up the quick ones (or the applications' tabs).
QUICK = {"concurrency_limit": 4, "concurrency_id": "lessons_quick"}
TRAINING = {"concurrency_limit": 1, "concurrency_id": "lessons_training"}
STREAM_FRAMES = 25  # frames of the running-mean animation
STREAM_PAUSE_S = 0.04


# The lessons write maths as $...$ inline and $$...$$ for display; Gradio renders only $$ by
# default, so inline formulas would show as raw LaTeX.
LATEX = [
    {"left": "$$", "right": "$$", "display": True},
    {"left": "$", "right": "$", "display": False},
]


def Text(value: str = "", **kwargs) -> gr.Markdown:  # noqa: N802 - reads like a component
    return gr.Markdown(value, latex_delimiters=LATEX, **kwargs)


def _sketch_to_array(value):
    """A sketchpad sends layers over a background; the composite is the picture as seen."""
    if isinstance(value, dict):
        value = value.get("composite")
    return value


def _running_mean(lesson):
    @user_errors
    def show(forgetting, samples, change_at, noise, seed):
        result = lesson.compute(forgetting, samples, change_at, noise, seed)
        return lesson.figure(result), lesson.summary(result)

    @user_errors
    def stream(forgetting, samples, change_at, noise, seed):
        # Validate once up front, so a bad slider fails before the first frame.
        last = lesson.compute(forgetting, samples, change_at, noise, seed).samples
        frames = min(STREAM_FRAMES, max(1, last // 5))
        for frame in range(1, frames + 1):
            result = lesson.compute(forgetting, last * frame // frames, change_at, noise, seed)
            yield lesson.figure(result), lesson.summary(result)
            time.sleep(STREAM_PAUSE_S)

    Text(lesson.EXPLANATION)
    with gr.Row():
        forgetting = gr.Slider(0.0, lesson.MAX_FORGETTING, value=0.9, step=0.001, label="α")
        samples = gr.Slider(10, 1000, value=200, step=10, label="Samples")
        change_at = gr.Slider(0, 1000, value=100, step=10, label="Level jumps at sample")
        noise = gr.Slider(0.0, 3.0, value=1.0, step=0.1, label="Noise")
        seed = gr.Number(value=0, precision=0, label="Seed")
    with gr.Row():
        show_button = gr.Button("Show", variant="primary")
        stream_button = gr.Button("Stream the samples in")
    plot = gr.Plot(label="The mean, two ways, and with a fixed α")
    numbers = Text()
    inputs = [forgetting, samples, change_at, noise, seed]
    gr.on(
        [show_button.click, forgetting.release, samples.release, change_at.release, noise.release],
        show,
        inputs,
        [plot, numbers],
        api_name="lessons_running_mean",
        **QUICK,
    )
    stream_button.click(
        stream, inputs, [plot, numbers], api_name="lessons_running_mean_stream", **QUICK
    )


def _overfitting(lesson):
    @user_errors
    def fit(degree, points, noise, seed):
        result = lesson.compute(degree, points, noise, seed)
        return lesson.figure(result), lesson.summary(result)

    @user_errors
    def train(points, dropout, epochs, noise, seed):
        result = lesson.compute_dropout(points, dropout, epochs, noise, seed)
        return lesson.dropout_figure(result), lesson.dropout_summary(result)

    Text(lesson.EXPLANATION)
    with gr.Row():
        degree = gr.Slider(1, lesson.MAX_DEGREE, value=4, step=1, label="Polynomial degree")
        points = gr.Slider(2, 200, value=7, step=1, label="Houses to learn from")
        noise = gr.Slider(0.0, 100.0, value=20.0, step=1.0, label="Price noise (k€)")
        seed = gr.Number(value=0, precision=0, label="Seed")
    fit_button = gr.Button("Fit", variant="primary")
    fit_plot = gr.Plot(label="Fits and errors")
    fit_numbers = Text()
    gr.on(
        [fit_button.click, degree.release, points.release, noise.release],
        fit,
        [degree, points, noise, seed],
        [fit_plot, fit_numbers],
        api_name="lessons_overfitting",
        **QUICK,
    )

    Text(
        "### Dropout\nThe same few houses, learned by a small network twice: once as it is, once "
        "with dropout switching off a random share of its units at every step."
    )
    with gr.Row():
        dropout_points = gr.Slider(
            4, lesson.MAX_DROPOUT_POINTS, value=12, step=1, label="Houses to learn from"
        )
        rate = gr.Slider(0.05, 0.9, value=0.3, step=0.05, label="Dropout rate")
        epochs = gr.Slider(100, lesson.MAX_EPOCHS, value=2000, step=100, label="Epochs")
        dropout_noise = gr.Slider(0.0, 100.0, value=20.0, step=1.0, label="Price noise (k€)")
        dropout_seed = gr.Number(value=0, precision=0, label="Seed")
    train_button = gr.Button("Train both networks", variant="primary")
    train_plot = gr.Plot(label="Training and validation loss")
    train_numbers = Text()
    train_button.click(
        train,
        [dropout_points, rate, epochs, dropout_noise, dropout_seed],
        [train_plot, train_numbers],
        api_name="lessons_dropout",
        **TRAINING,
    )


def _vanishing_gradient(lesson):
    @user_errors
    def measure(depth, width, steps, seed):
        result = lesson.compute(depth=depth, width=width, steps=steps, seed=seed)
        return lesson.figure(result), lesson.summary(result)

    Text(lesson.EXPLANATION)
    with gr.Row():
        depth = gr.Slider(*lesson.DEPTH_RANGE, value=10, step=1, label="Depth (hidden layers)")
        width = gr.Slider(*lesson.WIDTH_RANGE, value=32, step=4, label="Width (units per layer)")
        steps = gr.Slider(*lesson.STEPS_RANGE, value=20, step=1, label="Training steps")
        seed = gr.Number(value=0, precision=0, label="Seed")
    button = gr.Button("Measure the gradients", variant="primary")
    plot = gr.Plot(label="Gradient norm per layer")
    numbers = Text()
    button.click(
        measure,
        [depth, width, steps, seed],
        [plot, numbers],
        api_name="lessons_vanishing_gradient",
        **TRAINING,
    )


def _convolution(lesson):
    @user_errors
    def apply(image, kernel, custom, second):
        result = lesson.compute(image, kernel, custom, second)
        return lesson.figure(result), lesson.summary(result)

    Text(lesson.EXPLANATION)
    with gr.Row():
        with gr.Column(scale=1):
            image = picture_input(
                lesson.MAX_SIDE_RANGE[1],
                label="Picture (empty: a drawn house)",
                type="numpy",
                image_mode=None,
                sources=["upload", "clipboard"],
            )
        with gr.Column(scale=1):
            kernel = gr.Dropdown(list(lesson.KERNEL_CHOICES), value="slide edge", label="Filter")
            custom = gr.Textbox(
                label="Custom 3x3 (for 'custom'): nine numbers, rows split by ';'",
                value="1 0 -1; 2 0 -2; 1 0 -1",
            )
            second = gr.Dropdown(
                list(lesson.KERNELS), value="gaussian blur", label="Second filter h (checks)"
            )
            button = gr.Button("Convolve", variant="primary")
    plot = gr.Plot(label="Filtered, and features at several scales")
    numbers = Text()
    gr.on(
        [button.click, kernel.change, second.change],
        apply,
        [image, kernel, custom, second],
        [plot, numbers],
        api_name="lessons_convolution",
        **QUICK,
    )


def _feature_maps(lesson):
    @user_errors
    def look(sketch, max_maps):
        picture = _sketch_to_array(sketch)
        if picture is None:
            raise gr.Error("Draw or upload a digit first, or pick an example.")
        result = lesson.compute(picture, max_maps)
        return lesson.figure(result), lesson.summary(result)

    @user_errors
    def example(digit, seed, max_maps):
        if digit not in [str(d) for d in range(10)]:
            raise gr.Error("Pick a digit from 0 to 9.")
        picture = lesson.example_digit(int(digit), check_seed(seed))
        result = lesson.compute(picture, max_maps)
        return picture, lesson.figure(result), lesson.summary(result)

    Text(lesson.EXPLANATION)
    with gr.Row():
        with gr.Column(scale=1):
            sketch = SketchInput(
                label="Draw a digit (or upload one)",
                type="numpy",
                image_mode="L",
                canvas_size=(280, 280),
                sources=["upload", "clipboard"],
            )
            max_maps = gr.Slider(4, lesson.MAX_MAPS, value=16, step=4, label="Maps per layer")
            look_button = gr.Button("Look inside", variant="primary")
        with gr.Column(scale=1):
            digit = gr.Dropdown([str(d) for d in range(10)], value="3", label="Example digit")
            seed = gr.Number(value=0, precision=0, label="Handwriting (seed)")
            example_button = gr.Button("Draw an example with the DCGAN")
            drawn = gr.Image(label="The example", type="numpy", interactive=False)
    plot = gr.Plot(label="Feature maps, layer by layer")
    numbers = Text()
    look_button.click(
        look, [sketch, max_maps], [plot, numbers], api_name="lessons_feature_maps", **TRAINING
    )
    example_button.click(
        example,
        [digit, seed, max_maps],
        [drawn, plot, numbers],
        api_name="lessons_feature_maps_example",
        **TRAINING,
    )


def _memory(lesson):
    @user_errors
    def train(max_lag, seed):
        result = lesson.compute(max_lag=max_lag, seed=seed)
        return lesson.figure(result), lesson.summary(result)

    Text(lesson.EXPLANATION)
    with gr.Row():
        max_lag = gr.Slider(*lesson.MAX_LAG_RANGE, value=30, step=1, label="Longest delay (steps)")
        seed = gr.Number(value=0, precision=0, label="Seed")
        button = gr.Button("Train an RNN and an LSTM", variant="primary")
    plot = gr.Plot(label="Recall accuracy by delay, and the LSTM's gates")
    numbers = Text()
    button.click(train, [max_lag, seed], [plot, numbers], api_name="lessons_memory", **TRAINING)


# Each lesson module, and the function that draws its tab.
SECTIONS = (
    (running_mean, _running_mean),
    (overfitting, _overfitting),
    (vanishing_gradient, _vanishing_gradient),
    (convolution, _convolution),
    (feature_maps, _feature_maps),
    (memory, _memory),
)


def render(checkpoint: str | None = None) -> Lazy:
    """Add the lessons to the current Blocks; returns the warm-up of their networks."""
    Text(
        f"## {DEMO.title}: the ideas underneath\n"
        "The lecture teaches a handful of ideas before its applications. Each lesson here is "
        "computed as you ask, on this machine, in about a second: move a slider and see. "
        f"References: [{DEMO.paper}]({DEMO.paper_url})."
    )
    with gr.Tabs():
        for lesson, section in SECTIONS:
            name = lesson.__name__.rsplit(".", 1)[-1]
            with gr.Tab(lesson.TITLE, id=f"lesson_{name}"):
                section(lesson)
    return Lazy(warm_up)


def build(checkpoint: str | None = None) -> gr.Blocks:
    return standalone_page(DEMO, render, checkpoint)


if __name__ == "__main__":
    build().queue().launch()
