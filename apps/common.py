"""What every demo UI shares: the platform it needs, the header, and user-facing errors.

A demo's UI (apps/<demo>.py) imports from showcase only its own demo's api and this module
(tests/platform/test_layering.py). What it needs of the platform comes from here: names imported
``as`` themselves below are re-exported for it (lazy model loading, input checks, scratch files,
the request budgets), and :func:`demo_entry` gives its registry entry.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging

import gradio as gr
from gradio import image_utils
from PIL import Image, ImageOps

from showcase import checkpoints, registry
from showcase.apps import output_files
from showcase.apps.boundary import TITLE as INPUT_TITLE
from showcase.apps.boundary import ShowcaseBlocks
from showcase.apps.budgets import SPEECH_SECONDS as SPEECH_SECONDS
from showcase.apps.budgets import WORK_SECONDS as WORK_SECONDS
from showcase.apps.output_files import scratch_path as scratch_path
from showcase.errors import InputError, ShowcaseError
from showcase.images import check_pixels, decode_reduced
from showcase.inputs import check_beam_size as check_beam_size
from showcase.inputs import check_seed as check_seed
from showcase.inputs import clean_text as clean_text
from showcase.lazy import Lazy as Lazy
from showcase.lazy import LazyByKey as LazyByKey

log = logging.getLogger("showcase.apps")
UNAVAILABLE_TITLE = "Not available"
FAILURE_TITLE = "Something went wrong"


def demo_entry(name: str) -> registry.Demo:
    """The registry's entry of demo ``name``: its title, paper and checkpoint names."""
    return registry.get(name)


@contextlib.contextmanager
def _as_gradio_errors():
    # A message for the user is not a fault of the server: print_exception=False keeps its
    # traceback out of the server log, so a traceback there always means a real failure.
    # Every message has a title that says whose move it is: the user's input, or the server.
    try:
        yield
    except gr.Error as err:
        err.print_exception = False
        if err.title == "Error":
            err.title = INPUT_TITLE
        raise
    except InputError as err:
        raise gr.Error(str(err), title=INPUT_TITLE, print_exception=False) from None
    except ShowcaseError as err:
        raise gr.Error(str(err), title=UNAVAILABLE_TITLE, print_exception=False) from None
    except Exception as err:  # noqa: BLE001 - the UI must survive anything a request does
        log.exception("request failed")  # the one traceback the log should show
        raise gr.Error(
            f"Something went wrong ({type(err).__name__}); the details are in the server log.",
            title=FAILURE_TITLE,
            print_exception=False,
        ) from None


def user_errors(function):
    """Turn any failure into a gr.Error with a readable message; the server keeps serving.

    Works for plain functions and for generators (events that stream intermediate results).
    """
    if inspect.isgeneratorfunction(function):

        @functools.wraps(function)
        def streaming(*args, **kwargs):
            with _as_gradio_errors():
                yield from function(*args, **kwargs)

        return streaming

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with _as_gradio_errors():
            return function(*args, **kwargs)

    return wrapper


def _unreadable_picture(payload) -> gr.Error:
    name = getattr(payload, "orig_name", None) or "The uploaded file"
    return gr.Error(
        f"{name} is not a picture that can be read; upload a PNG, JPEG, WebP, BMP or GIF.",
        title=INPUT_TITLE,
        print_exception=False,
    )


class PictureInput(gr.Image):
    """gr.Image for uploads: bounded decoding, and a message for files that cannot be read.

    Gradio would decode an upload at full size before any demo code runs: a 10,000 px photo is
    300 MB as bytes and more as floats, even when the demo shrinks it to 512 px at once. Here a
    picture above ``showcase.images.MAX_PIXELS`` is refused unread, and one larger than
    ``max_side`` (set with :func:`picture_input`) is decoded at a reduced scale. A corrupt or
    mislabelled file gets a message naming it instead of an anonymous error.
    """

    max_side: int | None = None

    def get_block_name(self) -> str:
        return "image"  # the browser draws it with gr.Image's own front end

    def preprocess(self, payload):
        if payload is None:
            return None
        try:
            picture = Image.open(payload.path)
            if self.type == "filepath" and self.image_mode in (None, picture.mode):
                check_pixels(picture)  # the demo opens the file itself, at a reduced scale
                return str(payload.path)
            picture = ImageOps.exif_transpose(decode_reduced(picture, self.max_side))
            if self.image_mode is not None:
                picture = picture.convert(self.image_mode)
            return image_utils.format_image(
                picture, type=self.type, cache_dir=self.GRADIO_CACHE, format="png"
            )
        except InputError as err:
            raise gr.Error(str(err), title=INPUT_TITLE, print_exception=False) from None
        except Exception:  # noqa: BLE001 - Pillow raises several kinds for unreadable files
            raise _unreadable_picture(payload) from None


def picture_input(max_side: int | None = None, **options) -> PictureInput:
    """A PictureInput that decodes uploads at a reduced scale when above ``max_side`` pixels."""
    component = PictureInput(**options)
    component.max_side = max_side
    return component


class SketchInput(gr.Sketchpad):
    """gr.Sketchpad whose uploads get the same pixel limit and clear message as PictureInput."""

    def get_block_name(self) -> str:
        return "imageeditor"  # gr.Sketchpad is a preset of gr.ImageEditor in the browser

    def preprocess(self, payload):
        if payload is None:
            return None
        try:
            for layer in [payload.background, payload.composite, *(payload.layers or [])]:
                if layer is not None and layer.path:
                    check_pixels(Image.open(layer.path))
            return super().preprocess(payload)
        except gr.Error:
            raise
        except InputError as err:
            raise gr.Error(str(err), title=INPUT_TITLE, print_exception=False) from None
        except Exception:  # noqa: BLE001 - as above
            raise _unreadable_picture(getattr(payload, "composite", None)) from None


def standalone_page(demo, render, checkpoint: str | None = None) -> gr.Blocks:
    """One demo's UI on a page of its own (the hub puts the same ``render`` in a tab)."""
    output_files.install()
    with ShowcaseBlocks(title=demo.title, analytics_enabled=False) as blocks:
        render(checkpoint)
    return blocks


def header(demo, checkpoint: str | None = None, answering: str = "") -> str:
    """Markdown naming the paper and the checkpoint (with its metric) that answers requests.

    Demos without a trained checkpoint pass ``answering``: what does the work instead.
    """
    card = None
    if demo.checkpoint_name is not None:
        card = checkpoints.find_card(demo.name, demo.checkpoint_name, checkpoint)
    if not answering and card is None:
        answering = f"**No checkpoint found.** Train one with `showcase train {demo.name}`."
    elif not answering:
        answering = (
            f"**Checkpoint:** `{card.name}` — {card.metric_summary} "
            f"(trained {card.date}, {card.params:,} parameters)"
        )
    notes = ""
    if card is not None and card.notes:
        notes = f"\n\n<details><summary>About this checkpoint</summary>\n\n{card.notes}\n</details>"
    return f"## {demo.title}\n**Paper:** [{demo.paper}]({demo.paper_url})  \n{answering}{notes}"


def curves_figure(card, size: tuple[float, float] = (9, 3.2)):
    """A row of plots of a model card's training curves (``card.curves``), or None without any.

    Each curve is ``{"x", "y"[, "y2"], "x_label", "y_label"}`` under its title.
    """
    curves = card.curves if card else {}
    if not curves:
        return None
    import matplotlib

    matplotlib.use("Agg")  # the server draws plots into files, never into a window
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(curves), figsize=size, squeeze=False)
    for axis, (title, curve) in zip(axes[0], curves.items(), strict=True):
        axis.plot(curve["x"], curve["y"], color="tab:green")
        if "y2" in curve:
            axis.plot(curve["x"], curve["y2"], color="tab:orange")
        axis.set(xlabel=curve.get("x_label", ""), ylabel=curve.get("y_label", ""), title=title)
    figure.tight_layout()
    plt.close(figure)
    return figure
