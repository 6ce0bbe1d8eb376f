"""What ``showcase bench lessons`` times: each lesson on its default settings, from the request
to the PNG the browser receives (compute, draw the figure, encode it), after the hub's warm-up.
"""

from __future__ import annotations

import importlib
import io

from showcase.lessons import LESSONS, warm_up


def load(checkpoint=None):
    """The lesson modules, with the training lessons compiled as the hub's warm-up does."""
    warm_up()
    return {name: importlib.import_module(f"showcase.lessons.{name}") for name in LESSONS}


def _as_png(figure) -> int:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.tell()


def bench_cases(lessons):
    cases = {
        lesson.TITLE: (lambda lesson=lesson: _as_png(lesson.figure(lesson.compute())))
        for lesson in lessons.values()
    }
    overfitting = lessons["overfitting"]
    cases[f"{overfitting.TITLE}: dropout"] = lambda: _as_png(
        overfitting.dropout_figure(overfitting.compute_dropout())
    )
    return cases
