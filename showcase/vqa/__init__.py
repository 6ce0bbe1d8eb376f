"""Visual question answering on Sort-of-CLEVR: Relation Networks (Santoro et al. 2017) beside
CNN+MLP, CNN+LSTM (Antol et al. 2015) and question-only baselines.

``RelationNetwork.from_pretrained().answer(SortOfClevr.scene(0), "What shape is the red
object?")``; ``showcase train vqa --model NAME`` trains one; ``showcase evaluate vqa`` scores them.
"""

_EXPORTS = {
    "RelationNetwork": "showcase.vqa.api",
    "QuestionAnswerer": "showcase.vqa.api",
    "SortOfClevr": "showcase.vqa.api",
}


def __getattr__(name):
    # Imported on first use: the CLI reads this package's presets without importing TensorFlow.
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = list(_EXPORTS)
