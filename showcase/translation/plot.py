"""The attention heatmap: which source pieces each target piece looked at (Bahdanau et al. 2015,
Fig. 3). Made with matplotlib's object API (no pyplot), so it is safe in a server's threads."""

from __future__ import annotations

import numpy as np


def readable(pieces: list[str]) -> list[str]:
    # SentencePiece marks a word start with "▁"; show it as a leading space-free word.
    return [piece.replace("▁", "") or "␣" for piece in pieces]


def attention_figure(source_pieces: list[str], target_pieces: list[str], weights: np.ndarray):
    """A matplotlib Figure: target pieces (rows) x source pieces (columns), darker = more weight."""
    from matplotlib.figure import Figure

    rows, columns = weights.shape
    figure = Figure(figsize=(min(2 + 0.45 * columns, 14), min(1.5 + 0.35 * rows, 14)), dpi=100)
    axes = figure.add_subplot()
    axes.imshow(weights, cmap="Greys", vmin=0.0, vmax=1.0, aspect="auto")
    axes.set_xticks(range(columns), readable(source_pieces), rotation=60, ha="right")
    axes.set_yticks(range(rows), readable(target_pieces))
    axes.set_xlabel("English (source pieces)")
    axes.set_ylabel("translation (target pieces)")
    axes.tick_params(length=0)
    # Fixed margins wide enough for the rotated labels: tight_layout measured every label's
    # extent and took half of a short sentence's request on a busy server.
    width, height = figure.get_size_inches()
    figure.subplots_adjust(
        left=min(0.45, 1.3 / width), bottom=min(0.45, 1.0 / height), right=0.97, top=0.96
    )
    return figure
