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


def began_curves(rows: list[dict]) -> dict:
    steps = [row["step"] for row in rows]
    return {
        "BEGAN convergence measure M_global": {
            "x": steps,
            "y": [row["m_global"] for row in rows],
            "x_label": "step",
            "y_label": "M_global",
        },
        "BEGAN equilibrium controller k_t": {
            "x": steps,
            "y": [row["k"] for row in rows],
            "x_label": "step",
            "y_label": "k_t",
        },
    }


def growth_curves(rows: list[dict]) -> dict:
    steps = [row["step"] for row in rows]
    return {
        "PGGAN critic's Wasserstein estimate": {
            "x": steps,
            "y": [row["wasserstein"] for row in rows],
            "x_label": "step",
            "y_label": "E[D(x)] - E[D(G(z))]",
        },
        "PGGAN resolution (pixels)": {
            "x": steps,
            "y": [row["resolution"] for row in rows],
            "x_label": "step",
            "y_label": "pixels",
        },
        "PGGAN fade-in alpha": {
            "x": steps,
            "y": [row["alpha"] for row in rows],
            "x_label": "step",
            "y_label": "alpha",
        },
    }
