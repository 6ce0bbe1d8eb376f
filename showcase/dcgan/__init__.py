"""Class-conditional DCGAN for digits (Radford et al. 2015; Mirza & Osindero 2014).

``DigitGenerator.from_pretrained().generate(digits=[3, 7], seed=0)`` draws digits;
``showcase train dcgan`` trains one; ``showcase evaluate dcgan`` scores it.
"""

from showcase.dcgan.api import DigitGenerator

__all__ = ["DigitGenerator"]
