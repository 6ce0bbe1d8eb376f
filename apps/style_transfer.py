"""Neural style transfer UI: fast styles (one pass per photo) and Gatys optimisation with live
progress, each in a tab.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import gradio as gr

from showcase.apps.common import (
    WORK_SECONDS,
    Lazy,
    demo_entry,
    header,
    picture_input,
    scratch_path,
    standalone_page,
    user_errors,
)
from showcase.style_transfer.api import (
    GATYS_MAX_SIZE,
    VIDEO_MAX_SIDE,
    GatysSettings,
    StyleTransfer,
    flicker,
    label_for,
    landscape,
    read_clip,
    stylize_video_fast,
    stylize_video_gatys,
    swirls,
    synthetic_clip,
    write_clip,
)

DEMO = demo_entry("style_transfer")
LOSS_NETWORKS = {
    "SqueezeNet v1.1 (fast, default)": "squeezenet",
    "MobileNet 0.25 (fastest)": "mobilenet",
    "VGG19 (the paper's, slow)": "vgg19",
}
# One optimisation at a time: it takes both cores for seconds and must not starve other demos.
CONCURRENCY_LIMIT = 1
# A fast style takes a fraction of a second; a few may run side by side.
FAST_CONCURRENCY_LIMIT = 2
VIDEO_TYPES = [".mp4", ".webm", ".mov", ".gif"]
REPORT_EVERY = 20
# VGG19 took 1.5 GB for one optimisation at 512 px (measured, 2.2 s a step); its activations
# grow with the pixels, so 1024 px would need about four times as much: more than the whole
# hub's budget.
MAX_SIZE_FOR = {"vgg19": 512}


def _sample_files() -> list[list[str]]:
    """Write the project's own drawn examples once, for gr.Examples (which wants files)."""
    folder = Path(tempfile.gettempdir()) / "showcase-style-samples"
    folder.mkdir(exist_ok=True)
    content, style = folder / "landscape.png", folder / "swirls.png"
    if not content.exists():
        landscape().save(content)
    if not style.exists():
        swirls().save(style)
    return [[str(content), str(style)]]


def render(checkpoint: str | None = None) -> Lazy:
    """Add the style-transfer UI to the current Blocks; returns what it loads lazily (the fast
    styles and the default loss network), so the hub can warm it up in the background."""

    def load_all():
        styles = {
            name: StyleTransfer.load(path)
            for name, path in StyleTransfer.available_styles(checkpoint).items()
        }
        for style in styles.values():
            style.warm_up()
        return styles, StyleTransfer.loss_network("squeezenet")

    loaded = Lazy(load_all)
    gr.Markdown(header(DEMO, answering=_answering(checkpoint)))
    with gr.Tab("Fast styles"):
        _render_fast(loaded, checkpoint)
    with gr.Tab("Optimise (Gatys)"):
        _render_gatys(loaded)
    with gr.Tab("Video"):
        _render_video(loaded, checkpoint)
    return loaded


def _answering(checkpoint) -> str:
    names = list(StyleTransfer.available(checkpoint))
    fast = (
        f"**Fast styles:** {len(names)} trained networks ({', '.join(names)})"
        if names
        else "**Fast styles:** none found; train one with "
        "`showcase train style_transfer --style IMG --content-dir DIR`"
    )
    return (
        f"{fast}. **Optimisation:** the picture itself is optimised against an "
        "ImageNet-trained loss network (no checkpoint needed)."
    )


def _style_choices(checkpoint) -> list[tuple[str, str]]:
    return [(label_for(name), name) for name in StyleTransfer.available(checkpoint)]


def _render_fast(loaded: Lazy, checkpoint) -> None:
    choices = _style_choices(checkpoint)

    def style_named(name):
        styles, _ = loaded.get()
        if not styles:
            raise gr.Error("No fast style is installed; train one with `showcase train`.")
        if name not in styles:
            raise gr.Error(f"Unknown style {name!r}; pick one from the list.")
        return styles[name]

    @user_errors
    def stylise_fast(photo, style_name, size):
        if photo is None:
            raise gr.Error("Upload a photo (or click an example) first.")
        style = style_named(style_name)
        started = time.perf_counter()
        picture, notice = style.stylize_with_notice(photo, int(size))
        seconds = time.perf_counter() - started
        status = (
            f"**{label_for(style_name)}** — {picture.width}x{picture.height} px in "
            f"{seconds * 1000:.0f} ms (one pass of a {style.transformer.count_params():,}-"
            "parameter network)."
        )
        return picture, status + (f"  \n{notice}" if notice else "")

    @user_errors
    def every_style(photo, size):
        if photo is None:
            raise gr.Error("Upload a photo (or click an example) first.")
        styles, _ = loaded.get()
        if not styles:
            raise gr.Error("No fast style is installed; train one with `showcase train`.")
        return [
            (style.stylize(photo, int(size)), label_for(name)) for name, style in styles.items()
        ]

    gr.Markdown(
        "A small network was trained once per painting, on hundreds of photos, to do what the "
        "optimisation does (Johnson et al. 2016). Now one pass through it stylises any photo in a "
        "fraction of a second; the price is a little less fidelity than optimising each picture."
    )
    with gr.Row():
        with gr.Column():
            photo = picture_input(label="Photo", type="filepath")
            style = gr.Dropdown(choices, value=choices[0][1] if choices else None, label="Painting")
            size = gr.Slider(128, 1024, value=512, step=32, label="Output size (longer side, px)")
            with gr.Row():
                button = gr.Button("Stylise", variant="primary")
                all_button = gr.Button("Show every style")
            gr.Examples([[files[0]] for files in _sample_files()], inputs=[photo])
        with gr.Column():
            result = gr.Image(label="Result", type="pil", format="png")
            status = gr.Markdown()
    gallery = gr.Gallery(label="Every style", columns=3, height="auto", format="png")
    button.click(
        stylise_fast,
        [photo, style, size],
        [result, status],
        api_name="style_transfer_fast",
        concurrency_limit=FAST_CONCURRENCY_LIMIT,
        concurrency_id="style_transfer_fast",
    )
    # Picking another painting restyles the photo at once (no need to click again).
    style.change(
        stylise_fast,
        [photo, style, size],
        [result, status],
        api_name="style_transfer_fast_on_change",
        api_visibility="private",
        concurrency_id="style_transfer_fast",
    )
    all_button.click(
        every_style,
        [photo, size],
        gallery,
        api_name="style_transfer_fast_gallery",
        concurrency_id="style_transfer_fast",
    )


def _sample_clip() -> str:
    """The project's drawn clip (a balloon over a landscape), written once as an example."""
    path = Path(tempfile.gettempdir()) / "showcase-style-samples" / "balloon.mp4"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        write_clip(synthetic_clip(16, (192, 144)), path, fps=8)
    return str(path)


def _render_video(loaded: Lazy, checkpoint) -> None:
    choices = _style_choices(checkpoint)
    methods = ["Fast style", "Optimise (Gatys)"]

    @user_errors
    def stylise_clip(clip, method, style_name, painting, consistent, max_frames, size, iterations):
        if clip is None:
            raise gr.Error("Upload a clip (mp4, webm or gif), or click the example, first.")
        decoded = read_clip(clip, max_frames=int(max_frames), max_side=int(size))
        styles, network = loaded.get()
        if method == methods[0]:
            if style_name not in styles:
                raise gr.Error("Pick one of the fast styles (none is installed?).")
            what = label_for(style_name)
            reports = stylize_video_fast(
                decoded.frames, styles[style_name].stylize_array, consistent=bool(consistent)
            )
        else:
            if painting is None:
                raise gr.Error("Upload the painting whose style the clip should take.")
            what = f"Gatys optimisation, {int(iterations)} steps per frame"
            reports = stylize_video_gatys(
                decoded.frames,
                painting,
                GatysSettings(iterations=int(iterations)),
                network,
                consistent=bool(consistent),
                max_seconds=WORK_SECONDS,
            )
        final, thinned = None, False
        for report in reports:
            final = report
            thinned = thinned or report.total_steps < int(iterations)
            status = (
                f"**{what}** — frame {report.frame + 1}/{report.total_frames}, "
                f"{report.fraction:.0%} done, {report.seconds:.1f} s"
            )
            yield None, report.image, status
        out = scratch_path("stylised.mp4")
        write_clip(final.frames, out, fps=decoded.fps)
        mode = "consistent (flow-guided)" if consistent else "naive (frame by frame)"
        status = (
            f"**{what}**, {mode}: {len(final.frames)} frames of "
            f"{final.frames.shape[2]}x{final.frames.shape[1]} px in {final.seconds:.1f} s. "
            f"Flicker (mean change of still pixels between frames, 0-255): "
            f"**{flicker(final.frames, decoded.frames):.2f}**."
        )
        if decoded.notice:
            status += f"  \n{decoded.notice}"
        if thinned and method != methods[0]:
            status += (
                f"  \nTo finish within this server's {WORK_SECONDS:.0f} s budget, frames "
                "got fewer steps than asked; fewer or smaller frames get more."
            )
        yield str(out), final.image, status

    gr.Markdown(
        "Styling every frame on its own makes a clip flicker: tiny changes lead to different "
        "brush strokes. Ruder et al. (2016) carry the previous stylised frame along the motion "
        "(optical flow) and keep the new frame close to it wherever the flow can be trusted. "
        "Untick *consistent* to see the difference; the flicker figure measures it."
    )
    with gr.Row():
        with gr.Column():
            clip = gr.File(label="Clip (mp4, webm, mov or gif)", file_types=VIDEO_TYPES)
            method = gr.Radio(methods, value=methods[0], label="Method")
            style = gr.Dropdown(
                choices, value=choices[0][1] if choices else None, label="Fast style"
            )
            painting = picture_input(
                VIDEO_MAX_SIDE, label="Painting (for Gatys)", type="pil", image_mode="RGB"
            )
            consistent = gr.Checkbox(value=True, label="Temporally consistent (optical flow)")
            max_frames = gr.Slider(2, 48, value=24, step=1, label="Frames (at most)")
            size = gr.Slider(64, 384, value=256, step=32, label="Frame size (longer side, px)")
            iterations = gr.Slider(10, 300, value=60, step=10, label="Gatys steps per frame")
            button = gr.Button("Stylise the clip", variant="primary")
            gr.Examples([[_sample_clip()]], inputs=[clip], label="A clip drawn by the project")
        with gr.Column():
            video = gr.Video(label="Stylised clip", format="mp4")
            frame = gr.Image(label="Current frame", type="numpy", format="png")
            status = gr.Markdown()
    button.click(
        stylise_clip,
        [clip, method, style, painting, consistent, max_frames, size, iterations],
        [video, frame, status],
        api_name="style_transfer_video",
        concurrency_limit=CONCURRENCY_LIMIT,
        concurrency_id="style_transfer",
    )


def _render_gatys(loaded: Lazy) -> None:
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
        if content is None or style is None:
            raise gr.Error("Upload a photo and a painting (or click the example) first.")
        chosen = LOSS_NETWORKS[loss_network]  # the input boundary allows only the choices
        if chosen == "squeezenet":
            active = loaded.get()[1]
        else:
            # The network asked for, or a message: never another one in silence.
            active = StyleTransfer.loss_network(chosen, fallback=False)
        size, size_notice = int(size), ""
        largest = MAX_SIZE_FOR.get(chosen)
        if largest is not None and size > largest:
            size_notice = f"{active.spec.title} works at up to {largest} px here (memory)."
            size = largest
        steps = StyleTransfer.optimize_steps(
            content,
            style,
            second_style if second_style is not None else None,
            loss_network=active.spec.name,
            report_every=REPORT_EVERY,
            size=size,
            iterations=int(iterations),
            max_seconds=WORK_SECONDS,
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
            for notice in (size_notice, progress.notice):
                if notice:
                    status += f"  \n{notice}"
            yield progress.image, status

    gr.Markdown(
        "Deep layers of an image classifier describe *what* is in a photo; the correlations "
        "between its feature maps (Gram matrices) describe *how* a painting looks. Starting from "
        "your photo, the pixels are changed step by step until the first stays and the second "
        "matches the painting. Watch it happen: the picture updates every "
        f"{REPORT_EVERY} steps, first at low resolution, then at full size."
    )
    with gr.Row():
        content = picture_input(
            GATYS_MAX_SIZE, label="Photo (content)", type="pil", image_mode="RGB"
        )
        style = picture_input(
            GATYS_MAX_SIZE, label="Painting (style)", type="pil", image_mode="RGB"
        )
        second_style = picture_input(
            GATYS_MAX_SIZE, label="Second painting (optional)", type="pil", image_mode="RGB"
        )
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


def build(checkpoint: str | None = None) -> gr.Blocks:
    return standalone_page(DEMO, render, checkpoint)


if __name__ == "__main__":
    build().queue().launch()
