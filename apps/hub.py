"""The hub: every demo as a tab of one Gradio app, with models loaded on first use.

Start-up only builds the interfaces; each model loads on its first request, or in a background
thread right after the server is up (``warmup``), so the page is there in seconds.
"""

from __future__ import annotations

import os

import gradio as gr

from showcase import registry
from showcase.apps import budgets, output_files
from showcase.apps.boundary import ShowcaseBlocks

MAX_UPLOAD = "10mb"
# Every 10 minutes, Gradio deletes the files its requests made that are older than the limit.
CACHE_LIFETIME = {"delete_cache": (600, output_files.CACHE_MAX_AGE_S)}


def build(demo_names: list[str], checkpoint: str | None = None, as_hub: bool = True):
    """Returns (blocks, lazy models): the hub with a tab per demo, or one demo's page alone."""
    output_files.install()
    models = []
    with ShowcaseBlocks(title="showcase", analytics_enabled=False, **CACHE_LIFETIME) as blocks:
        if not as_hub:
            models.append(registry.get(demo_names[0]).app_module().render(checkpoint))
        else:
            gr.Markdown(
                "# showcase\nLandmark applications of deep learning, each a trained Keras model "
                "you can play with. Pick a tab."
            )
            for name in demo_names:
                demo = registry.get(name)
                with gr.Tab(demo.title, id=name):
                    models.append(demo.app_module().render(checkpoint))
    # Per-event concurrency limits are set by each demo; this covers events that set none.
    blocks.queue(default_concurrency_limit=2, max_size=budgets.QUEUE_SIZE)
    return blocks, models


def launch(
    demo_names: list[str],
    host: str = "127.0.0.1",
    port: int = 7860,
    share: bool = False,
    checkpoint: str | None = None,
    warmup: bool = True,
    block: bool = True,
    as_hub: bool = False,
):
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    budgets.configure_server_memory()
    blocks, models = build(demo_names, checkpoint, as_hub)
    blocks.launch(
        server_name=host,
        server_port=port,
        share=share,
        max_file_size=MAX_UPLOAD,
        # Gradio's own input checks (a number sent as text) then say what was wrong; the demos'
        # errors are gr.Error messages either way.
        show_error=True,
        prevent_thread_lock=True,
        quiet=False,
        # /monitoring would show every stranger the request counts and latencies per function.
        enable_monitoring=False,
    )
    output_files.start_janitor(blocks)
    if warmup:
        for model in models:
            model.warm_in_background()
    if block:
        blocks.block_thread()
    return blocks
