"""Neural style transfer UI: Gatys optimisation with live progress.

Fast feed-forward styles and video are not built yet; this page says so rather than faking them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from showcase import registry
from showcase.apps.common import LazyModel, header, standalone_page, user_errors

DEMO = registry.get("style_transfer")
LOSS_NETWORKS = {
    "SqueezeNet v1.1 (fast, default)": "squeezenet",
    "MobileNet 0.25 (fastest)": "mobilenet",
    "VGG19 (the paper's, slow)": "vgg19",
}
# One optimisation at a time: it takes both cores for seconds and must not starve other demos.
CONCURRENCY_LIMIT = 1
REPORT_EVERY = 20


def _sample_files() -> list[list[str]]:
    """Write the project's own drawn examples once, for gr.Examples (which wants files)."""
    from showcase.style_transfer.samples import landscape, swirls

    folder = Path(tempfile.gettempdir()) / "showcase-style-samples"
    folder.mkdir(exist_ok=True)
    content, style = folder / "landscape.png", folder / "swirls.png"
    if not content.exists():
        landscape().save(content)
    if not style.exists():
        swirls().save(style)
    return [[str(content), str(style)]]


def render(checkpoint: str | None = None) -> LazyModel:
    """Add the style-transfer UI to the current Blocks; returns its lazily built loss network."""

    def load_default_network():
        from showcase.style_transfer import StyleTransfer

        return StyleTransfer.loss_network("squeezenet")

    network = LazyModel(load_default_network)

    @user_errors
    def stylise(
        content,
        style,
        second_style,
        style_ratio,
        loss_network,
        size,
        iterations,
        content_weight,
        style_weight,
        preserve_colour,
    ):
        from showcase.style_transfer import StyleTransfer

        if content is None or style is None:
            raise gr.Error("Upload a photo and a painting (or click the example) first.")
        chosen = LOSS_NETWORKS.get(loss_network, "squeezenet")
        active = network.get() if chosen == "squeezenet" else StyleTransfer.loss_network(chosen)
        steps = StyleTransfer.optimize_steps(
            content,
            style,
            second_style if second_style is not None else None,
            loss_network=active.spec.name,
            report_every=REPORT_EVERY,
            size=int(size),
            iterations=int(iterations),
            content_weight=float(content_weight),
            style_weight=float(style_weight),
            preserve_colour=bool(preserve_colour),
            style_ratio=float(style_ratio),
        )
        for progress in steps:
            losses = ", ".join(f"{k} {v:.3f}" for k, v in progress.losses.items())
            status = (
                f"**Loss network:** {active.spec.title}  \n"
                f"Step {progress.step}/{progress.total_steps} at "
                f"{progress.stage_size[0]}x{progress.stage_size[1]} px, "
                f"{progress.seconds:.1f} s — {losses}"
            )
            if progress.notice:
                status += f"  \n{progress.notice}"
            yield progress.image, status

    gr.Markdown(
        header(
            DEMO,
            answering=(
                "**Model:** the picture itself is optimised against an ImageNet-trained loss "
                "network (no trained checkpoint). Fast one-pass styles and video are not built yet."
            ),
        )
    )
    gr.Markdown(
        "Deep layers of an image classifier describe *what* is in a photo; the correlations "
        "between its feature maps (Gram matrices) describe *how* a painting looks. Starting from "
        "your photo, the pixels are changed step by step until the first stays and the second "
        "matches the painting. Watch it happen: the picture updates every "
        f"{REPORT_EVERY} steps, first at low resolution, then at full size."
    )
    with gr.Row():
        content = gr.Image(label="Photo (content)", type="pil", image_mode="RGB")
        style = gr.Image(label="Painting (style)", type="pil", image_mode="RGB")
        second_style = gr.Image(label="Second painting (optional)", type="pil", image_mode="RGB")
    with gr.Row():
        with gr.Column():
            loss_network = gr.Dropdown(
                list(LOSS_NETWORKS), value=next(iter(LOSS_NETWORKS)), label="Loss network"
            )
            size = gr.Slider(128, 1024, value=384, step=32, label="Output size (longer side, px)")
            iterations = gr.Slider(20, 1000, value=300, step=10, label="Iterations")
            style_weight = gr.Slider(0.1, 50, value=5, step=0.1, label="Style weight")
            content_weight = gr.Slider(0, 10, value=1, step=0.1, label="Content weight")
            style_ratio = gr.Slider(
                0, 1, value=0.5, step=0.05, label="Share of the first painting (with two paintings)"
            )
            preserve_colour = gr.Checkbox(
                label="Keep the photo's colours (luminance-only transfer, Gatys et al. 2016)"
            )
            button = gr.Button("Stylise", variant="primary")
            gr.Examples(
                _sample_files(), inputs=[content, style], label="Examples drawn by the project"
            )
        with gr.Column():
            result = gr.Image(label="Result", type="pil", format="png")
            status = gr.Markdown()
    button.click(
        stylise,
        [
            content,
            style,
            second_style,
            style_ratio,
            loss_network,
            size,
            iterations,
            content_weight,
            style_weight,
            preserve_colour,
        ],
        [result, status],
        api_name="style_transfer_gatys",
        concurrency_limit=CONCURRENCY_LIMIT,
        concurrency_id="style_transfer",
    )
    return network


def build(checkpoint: str | None = None) -> gr.Blocks:
    return standalone_page(DEMO, render, checkpoint)


if __name__ == "__main__":
    build().queue().launch()
