"""The import API for style transfer."""

from __future__ import annotations

import collections
from collections.abc import Iterator

from PIL import Image

from showcase.style_transfer.gatys import GatysSettings, Progress, optimise
from showcase.style_transfer.loss_networks import LossNetwork


class StyleTransfer:
    """Style transfer entry points; images may be paths, bytes, PIL images or arrays."""

    _networks: dict[str, LossNetwork] = {}

    @classmethod
    def loss_network(cls, name: str = "squeezenet") -> LossNetwork:
        """The loss network ``name`` (or the best available one), built once per process."""
        if name not in cls._networks:
            cls._networks[name] = LossNetwork.best_available(name)
        return cls._networks[name]

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
