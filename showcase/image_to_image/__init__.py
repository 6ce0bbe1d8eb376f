"""Image-to-image translation: pix2pix (Isola et al. 2017), drawings to photos; colourisation
(Zhang et al. 2016 and 2017), grey photos to colour; CycleGAN (Zhu et al. 2017), photos to
paintings and back, learnt without pairs.

``Pix2Pix.from_pretrained().translate(sketch)``, ``Colorizer.from_pretrained().colorize(photo,
hints=...)``, ``CycleGAN.from_pretrained().translate(photo, direction="to_painting")``;
``showcase train image_to_image --model NAME`` trains one; ``showcase evaluate image_to_image``
scores them.
"""

_EXPORTS = {
    "Pix2Pix": "showcase.image_to_image.api",
    "Colorizer": "showcase.image_to_image.api",
    "CycleGAN": "showcase.image_to_image.api",
}


def __getattr__(name):
    # Imported on first use: the CLI reads this package's presets without importing TensorFlow.
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = list(_EXPORTS)
