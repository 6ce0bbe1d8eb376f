"""Neural style transfer.

Built: optimisation-based transfer (Gatys et al. 2015/2016) with small ImageNet loss networks, and
the fast feed-forward network with its training (Johnson et al. 2016, ``fast.py``, ``train.py``).
Not built yet: shipped fast-style checkpoints and their UI, and video (Ruder et al. 2016).

    from showcase.style_transfer import StyleTransfer
    result = StyleTransfer.optimize("photo.jpg", "painting.jpg", size=384, iterations=300)
"""

from showcase.style_transfer.api import StyleTransfer

__all__ = ["StyleTransfer"]
