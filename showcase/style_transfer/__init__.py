"""Neural style transfer.

So far: optimisation-based transfer (Gatys et al. 2015/2016) with small ImageNet loss networks.
Fast feed-forward styles (Johnson et al. 2016) and video (Ruder et al. 2016) are not built yet.

    from showcase.style_transfer import StyleTransfer
    result = StyleTransfer.optimize("photo.jpg", "painting.jpg", size=384, iterations=300)
"""

from showcase.style_transfer.api import StyleTransfer

__all__ = ["StyleTransfer"]
