"""Neural style transfer.

Built: optimisation-based transfer (Gatys et al. 2015/2016) with small ImageNet loss networks, and
the fast feed-forward network (Johnson et al. 2016, ``model.py``) with its training (``train.py``,
``showcase train style_transfer --style IMG --content-dir DIR``) and ``from_pretrained``.
Not built yet: shipped fast-style checkpoints and their UI, and video (Ruder et al. 2016).

    from showcase.style_transfer import StyleTransfer
    result = StyleTransfer.optimize("photo.jpg", "painting.jpg", size=384, iterations=300)
"""

__all__ = ["StyleTransfer"]


def __getattr__(name):
    # Imported on first use: the CLI reads this package's training settings without TensorFlow.
    if name == "StyleTransfer":
        from showcase.style_transfer.api import StyleTransfer

        return StyleTransfer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
