"""Image captioning: Show and Tell (Vinyals et al. 2015) with an attention variant.

``Captioner.from_pretrained().caption(image, beam_size=3)`` -> [(caption, log-probability)].
"""


def __getattr__(name):
    # Imported on first use: the CLI reads this package's presets without importing TensorFlow.
    if name == "Captioner":
        from showcase.captioning.api import Captioner

        return Captioner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Captioner"]
