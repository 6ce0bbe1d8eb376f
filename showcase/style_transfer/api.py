"""The import API for style transfer.

Names imported ``as`` themselves below (and GATYS_MAX_SIZE, VIDEO_MAX_SIDE) are re-exported:
they are what the demo's UI (apps/style_transfer.py) and other importers use, since the UI
imports from showcase only this module and showcase.apps.common (tests/platform/test_layering.py).
"""

from __future__ import annotations

import collections
from collections.abc import Iterator

import numpy as np
import tensorflow as tf
from PIL import Image

from showcase.images import fit_within, open_image
from showcase.lazy import LazyByKey
from showcase.pretrained import Pretrained
from showcase.style_transfer import gatys, video
from showcase.style_transfer.gatys import GatysSettings, Progress, optimise
from showcase.style_transfer.loss_networks import LossNetwork
from showcase.style_transfer.model import stylize_array
from showcase.style_transfer.paintings import label_for as label_for
from showcase.style_transfer.samples import landscape as landscape
from showcase.style_transfer.samples import swirls as swirls
from showcase.style_transfer.video import flicker as flicker
from showcase.style_transfer.video import read_clip as read_clip
from showcase.style_transfer.video import stylize_video_fast as stylize_video_fast
from showcase.style_transfer.video import stylize_video_gatys as stylize_video_gatys
from showcase.style_transfer.video import synthetic_clip as synthetic_clip
from showcase.style_transfer.video import write_clip as write_clip

DEMO = "style_transfer"
CHECKPOINT_NAME = "starry_night"
GATYS_MAX_SIZE = gatys.MAX_SIZE  # the longest side an optimisation works at
VIDEO_MAX_SIDE = video.MAX_SIDE  # the longest side of a clip's frames
_LOSS_NETWORKS = LazyByKey(
    lambda key: LossNetwork.best_available(key[0]) if key[1] else LossNetwork(key[0])
)


class StyleTransfer(Pretrained):
    """Style transfer entry points; images may be paths, bytes, PIL images or arrays.

    ``StyleTransfer.from_pretrained(name)`` loads a fast style network (trained with
    ``showcase train style_transfer --style IMG --content-dir DIR``); ``.stylize(image)`` applies
    it in one pass. ``StyleTransfer.optimize(...)`` runs the Gatys optimisation instead.
    """

    DEMO = DEMO
    DEFAULT_NAME = CHECKPOINT_NAME

    def __init__(self, model, path=None, card=None):
        super().__init__(model, path, card)
        # Traced once for any picture size (one picture at a time).
        self._forward = tf.function(
            lambda images: self.model(images, training=False),
            input_signature=[tf.TensorSpec([1, None, None, 3], tf.float32)],
        )

    @property
    def transformer(self):
        """The image transformation network (the fast style's Keras model)."""
        return self.model

    @classmethod
    def available_styles(cls, checkpoint=None) -> dict:
        """Fast styles that can be loaded, by name: shipped ones and the user's own."""
        return cls.available(checkpoint)

    def _trace(self) -> None:
        self._forward(np.zeros((1, 64, 64, 3), "float32"))

    def stylize(self, image, max_size: int = 1024) -> Image.Image:
        """One forward pass; pictures larger than ``max_size`` are scaled down first."""
        return self.stylize_with_notice(image, max_size)[0]

    def stylize_with_notice(self, image, max_size: int = 1024) -> tuple[Image.Image, str]:
        """Like :meth:`stylize`, plus the notice saying whether the picture was scaled down."""
        picture, notice = fit_within(open_image(image, max_size), max_size)
        return Image.fromarray(stylize_array(self._forward, np.asarray(picture))), notice

    def stylize_array(self, rgb):
        """(height, width, 3) uint8 array -> stylised array of the same size (video frames)."""
        return stylize_array(self._forward, rgb)

    @classmethod
    def loss_network(cls, name: str = "squeezenet", fallback: bool = True) -> LossNetwork:
        """The loss network ``name``, built once per process.

        When its weights cannot be had: with ``fallback`` the best available one instead (its
        ``spec.name`` says which), else a ShowcaseError that says why.
        """
        return _LOSS_NETWORKS.get((name, fallback))

    @classmethod
    def optimize_steps(
        cls,
        content,
        style,
        second_style=None,
        loss_network: str = "squeezenet",
        report_every: int = 10,
        **settings,
    ) -> Iterator[Progress]:
        """Gatys optimisation, yielding progress (with the current picture) as it goes."""
        styles = [style] if second_style is None else [style, second_style]
        yield from optimise(
            content, styles, GatysSettings(**settings), cls.loss_network(loss_network), report_every
        )

    @classmethod
    def optimize(
        cls, content, style, second_style=None, loss_network: str = "squeezenet", **settings
    ) -> Image.Image:
        """Gatys optimisation; returns the stylised picture. Settings: see GatysSettings."""
        steps = cls.optimize_steps(
            content, style, second_style, loss_network, report_every=10**9, **settings
        )
        (final,) = collections.deque(steps, maxlen=1)
        return final.image
