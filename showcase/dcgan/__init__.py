"""Class-conditional DCGAN for digits (Radford et al. 2015; Mirza & Osindero 2014).

``DigitGenerator.from_pretrained().generate(digits=[3, 7], seed=0)`` draws digits;
``showcase train dcgan`` trains one; ``showcase evaluate dcgan`` scores it.
"""


def __getattr__(name):
    # Imported on first use: the CLI reads this package's presets without importing TensorFlow.
    if name == "DigitGenerator":
        from showcase.dcgan.api import DigitGenerator

        return DigitGenerator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DigitGenerator"]
