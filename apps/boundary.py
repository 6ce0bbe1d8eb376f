"""The input boundary: every value of every request is checked before Gradio or a demo reads it.

Gradio checks some values itself, but not all (NaN passes a slider's range check, a list passes a
dropdown's), and its messages are written for the app's developer: object reprs, handler names,
pydantic links, server paths. ``ShowcaseBlocks`` checks each value against the component that
receives it, refuses what does not fit with a titled ``gr.Error`` in plain words, and turns any
error Gradio's own preprocessing still raises into one too. Nothing invalid reaches a model, so no
compiled function is ever entered with input it cannot bind.

The rules, by component:

- text: a string (a number is read as its digits), valid Unicode (no lone surrogates), at most
  ``MAX_TEXT_CHARACTERS``; stray control characters become spaces;
- slider and number: a finite number within the component's range (a slider also needs one);
- dropdown and radio: exactly one of the listed choices;
- checkbox: true or false;
- files and pictures: an upload to this server, named by the path Gradio's upload gave it. No
  links (the server would fetch them for a stranger) and no other server paths.
"""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path

import gradio as gr
from gradio import utils as gradio_utils

from showcase.apps import budgets
from showcase.errors import InputError
from showcase.inputs import check_unicode

TITLE = "Check your input"
# The demos cut text to a few thousand characters with a notice; far more is not a sentence.
MAX_TEXT_CHARACTERS = 1_000_000
# Numbers beyond 2**53 lose their units digit as floats; no control here goes near it.
LARGEST_NUMBER = 2**53
FILE_COMPONENTS = (gr.File, gr.Image, gr.ImageEditor, gr.Audio, gr.Video)


def refuse(message: str) -> gr.Error:
    return gr.Error(message, title=TITLE, print_exception=False)


def _named(component) -> str:
    label = getattr(component, "label", None)
    return f"“{label}”" if label else "A field"


def _check_text(component, value):
    if value is None:
        return None
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise refuse(f"{_named(component)} expects text, not {_kind(value)}.")
    if len(value) > MAX_TEXT_CHARACTERS:
        raise refuse(
            f"{_named(component)} has {len(value):,} characters; the most any field takes is "
            f"{MAX_TEXT_CHARACTERS:,}."
        )
    try:
        return check_unicode(value, "text")
    except InputError as err:
        raise refuse(f"{_named(component)}: {err}") from None


def _check_number(component, value, required: bool):
    if value is None:
        if required:
            raise refuse(f"{_named(component)} needs a number.")
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise refuse(f"{_named(component)} expects a number, not text.") from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise refuse(f"{_named(component)} expects a number, not {_kind(value)}.")
    # abs() first: math.isfinite cannot convert an integer of 400 digits to a float.
    if abs(value) > LARGEST_NUMBER or not math.isfinite(value):
        raise refuse(f"{_named(component)} must be a finite number of ordinary size.")
    low, high = getattr(component, "minimum", None), getattr(component, "maximum", None)
    name = _named(component)
    if low is not None and value < low:
        raise refuse(f"{name} must be at least {low:g} (its minimum); {value:g} is not.")
    if high is not None and value > high:
        raise refuse(f"{name} must be at most {high:g} (its maximum); {value:g} is not.")
    return value


def _check_choice(component, value):
    # Gradio keeps choices as (label, value) pairs.
    pairs = [c if isinstance(c, (tuple, list)) else (c, c) for c in component.choices]
    if value is None:
        return None
    scalar = isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if scalar and value in [choice for _, choice in pairs]:
        return value
    labels = [str(label) for label, _ in pairs]
    shown = ", ".join(labels[:12]) + (", …" if len(labels) > 12 else "")
    given = repr(value) if isinstance(value, (str, int, float)) else _kind(value)
    text = given if len(given) <= 60 else given[:57] + "…"
    raise refuse(f"{_named(component)} takes one of its choices ({shown}), not {text}.")


def _check_checkbox(component, value):
    if value is None or isinstance(value, bool):
        return bool(value)
    raise refuse(f"{_named(component)} is true or false, not {_kind(value)}.")


def _check_file(component, value):
    """Every file object in ``value`` must be an upload to this server; the rest is Gradio's."""
    if value is None:
        return None
    if isinstance(value, str):
        raise refuse(
            f"{_named(component)} takes an uploaded file; links and server paths are not accepted."
        )
    if not isinstance(value, (dict, list)):
        raise refuse(f"{_named(component)} takes an uploaded file, not {_kind(value)}.")
    for payload in _file_objects(value):
        path = payload.get("path")
        if not isinstance(path, str) or not _is_upload(path):
            raise refuse(
                f"{_named(component)} takes a file uploaded to this page; links and server paths "
                "are not accepted."
            )
    return value


def _file_objects(value):
    if isinstance(value, dict):
        if "path" in value:
            yield value
            return
        for item in value.values():
            yield from _file_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _file_objects(item)


def _is_upload(path: str) -> bool:
    if "://" in path or path.startswith(("file:", "data:", "~")) or "\x00" in path:
        return False
    try:
        resolved = Path(os.path.abspath(path)).resolve()
    except (OSError, ValueError):
        return False
    return gradio_utils.is_in_or_equal(resolved, Path(gradio_utils.get_upload_folder()).resolve())


def _kind(value) -> str:
    kinds = {list: "a list", dict: "an object", bool: "true/false", type(None): "nothing"}
    return kinds.get(type(value), "a number" if isinstance(value, numbers.Number) else "text")


def check_value(component, value):
    """``value`` as the component should receive it, or a titled gr.Error saying what is wrong."""
    if isinstance(component, gr.Textbox):
        return _check_text(component, value)
    if isinstance(component, gr.Slider):
        return _check_number(component, value, required=True)
    if isinstance(component, gr.Number):
        return _check_number(component, value, required=False)
    if isinstance(component, (gr.Dropdown, gr.Radio)):
        return _check_choice(component, value)
    if isinstance(component, gr.Checkbox):
        return _check_checkbox(component, value)
    if isinstance(component, FILE_COMPONENTS):
        return _check_file(component, value)
    return value


class ShowcaseBlocks(gr.Blocks):
    """gr.Blocks whose every event passes the input boundary (see the module docstring), and
    whose memory is handed back to the system after each request (``budgets.release_memory``)."""

    async def process_api(self, *args, **kwargs):
        try:
            return await super().process_api(*args, **kwargs)
        finally:
            budgets.release_memory()

    def validate_inputs(self, block_fn, inputs):
        wanted = block_fn.inputs
        if len(inputs) != len(wanted):
            fields = ", ".join(_named(component) for component in wanted) or "no values"
            raise refuse(
                f"This action takes {len(wanted)} value(s) ({fields}); the request sent "
                f"{len(inputs)}."
            )

    async def preprocess_data(self, block_fn, inputs, state, explicit_call=False):
        self.validate_inputs(block_fn, inputs)
        inputs = list(inputs)
        for index, component in enumerate(block_fn.inputs):
            if not getattr(component, "stateful", False):
                inputs[index] = check_value(component, inputs[index])
        try:
            return await super().preprocess_data(block_fn, inputs, state, explicit_call)
        except gr.Error as err:
            # Gradio's own checks (a file type not accepted) say something useful; they only
            # lack a title. Messages from our components already have one.
            if err.title == "Error":
                err.title = TITLE
            err.print_exception = False
            raise
        except Exception:  # noqa: BLE001 - Gradio's text names objects, handlers and paths
            raise refuse(
                "A value in this request could not be read. Each field takes its own kind of "
                "value: text, a number, one of its choices, or an uploaded file."
            ) from None
