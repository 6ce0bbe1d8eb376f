"""Figures for the TTS demo: the attention alignment and the mel spectrogram (matplotlib's object
API, no pyplot, so they are safe in a server's threads)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def alignment_figure(symbols: list[str], alignment: np.ndarray):
    """Decoder steps (x) against the characters read (y), as in the Tacotron paper's Fig. 3."""
    figure = Figure(figsize=(7, 3.2), dpi=100)
    axes = figure.add_subplot()
    axes.imshow(alignment.T, origin="lower", aspect="auto", cmap="viridis", vmin=0, vmax=1)
    if len(symbols) <= 60:
        axes.set_yticks(range(len(symbols)), [s if s != " " else "␣" for s in symbols], fontsize=7)
    axes.set_xlabel("decoder step")
    axes.set_ylabel("character")
    figure.tight_layout()
    return figure


def spectrogram_figure(mel: np.ndarray):
    figure = Figure(figsize=(7, 2.6), dpi=100)
    axes = figure.add_subplot()
    axes.imshow(mel.T, origin="lower", aspect="auto", cmap="magma", vmin=0, vmax=1)
    axes.set_xlabel("frame")
    axes.set_ylabel("mel band")
    figure.tight_layout()
    return figure
