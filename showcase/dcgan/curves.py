"""The training curves a GAN's card carries: a per-step log during training, and the named
curves (BEGAN's convergence measure and controller, the progressive GAN's Wasserstein estimate,
resolution and fade-in) that the page plots."""

from __future__ import annotations

import keras


class StepLog(keras.callbacks.Callback):
    """Keeps the logged ``keys`` of every ``every``-th step, numbered across stages, with the
    values ``context`` returns at that step."""

    def __init__(self, keys: tuple[str, ...], every: int = 10, context=None):
        super().__init__()
        self.keys = keys
        self.every = every
        self.context = context or dict
        self.step = 0
        self.rows: list[dict] = []

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.step % self.every == 0 and logs:
            row = {"step": self.step, **{key: round(float(logs[key]), 5) for key in self.keys}}
            self.rows.append({**row, **self.context()})


def curve(x: list, y: list, x_label: str, y_label: str) -> dict:
    """One curve as a model card stores it (``card.curves[title]``)."""
    return {"x": x, "y": y, "x_label": x_label, "y_label": y_label}


def began_curves(rows: list[dict]) -> dict:
    steps = [row["step"] for row in rows]
    return {
        "BEGAN convergence measure M_global": curve(
            steps, [row["m_global"] for row in rows], "step", "M_global"
        ),
        "BEGAN equilibrium controller k_t": curve(steps, [row["k"] for row in rows], "step", "k_t"),
    }


def growth_curves(rows: list[dict]) -> dict:
    steps = [row["step"] for row in rows]
    return {
        "PGGAN critic's Wasserstein estimate": curve(
            steps, [row["wasserstein"] for row in rows], "step", "E[D(x)] - E[D(G(z))]"
        ),
        "PGGAN resolution (pixels)": curve(
            steps, [row["resolution"] for row in rows], "step", "pixels"
        ),
        "PGGAN fade-in alpha": curve(steps, [row["alpha"] for row in rows], "step", "alpha"),
    }
