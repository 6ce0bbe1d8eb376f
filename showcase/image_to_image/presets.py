"""The shipped image-to-image models' training settings: the trainer, the CLI and the cards read
them here (no TensorFlow imported)."""

from __future__ import annotations

import dataclasses

from showcase.training import TrainConfig

# pix2pix's two, then colourisation's three (``colour_model.py``).
MODELS = ("pix2pix", "l1_only", "colour_regression", "colour_classes", "colour_hints")


@dataclasses.dataclass
class ImageToImageTrainConfig(TrainConfig):
    data: str | None = dataclasses.field(
        default=None,
        metadata={"help": "folder(s) of training photos, separated by commas (e.g. BSDS500 "
                  "train and val)"},
    )  # fmt: skip
    held_out: str = dataclasses.field(
        default="", metadata={"help": "folder of held-out photos the card's scores come from"}
    )
    model: str = dataclasses.field(
        default="pix2pix",
        metadata={
            "choices": MODELS,
            "help": "pix2pix (L1 + conditional GAN), l1_only (its ablation), or a colouriser: "
            "colour_regression (L2), colour_classes (Zhang et al. 2016), colour_hints (with "
            "user hints, Zhang et al. 2017)",
        },
    )
    epochs: int = 200
    steps_per_epoch: int = 75  # 300 photos in batches of 4
    batch_size: int = 4
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    width: int = dataclasses.field(
        default=32, metadata={"help": "filters of the first layers (the paper's: 64)"}
    )
    l1_weight: float = 100.0
    seed: int = 0
    max_minutes: float = dataclasses.field(
        default=0.0,
        metadata={
            "help": "stop after the epoch during which this many minutes passed (0: no limit)"
        },
    )
    max_steps: int = dataclasses.field(
        default=0,
        metadata={"help": "stop after this many training steps (0: no limit), e.g. to give the "
                  "L1-only ablation pix2pix's steps"},
    )  # fmt: skip
    warm_start: str | None = dataclasses.field(
        default=None,
        metadata={"help": "a finished generator to continue (a fresh discriminator joins it)"},
    )
    name: str | None = dataclasses.field(
        default=None, metadata={"help": "checkpoint name (default: the model's)"}
    )


SHIPPED = ImageToImageTrainConfig()
TRAIN_CONFIG = ImageToImageTrainConfig
