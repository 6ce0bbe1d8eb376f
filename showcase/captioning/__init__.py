"""Image captioning: Show and Tell (Vinyals et al. 2015) with an attention variant.

``Captioner.from_pretrained().caption(image, beam_size=3)`` -> [(caption, log-probability)].
"""

from showcase.captioning.api import Captioner

__all__ = ["Captioner"]
