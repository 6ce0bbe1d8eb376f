"""The shipped fast styles' training settings: the trainer, the transformer's defaults and the
cards all read them from here."""

from __future__ import annotations

import dataclasses

from showcase.training import TrainConfig


@dataclasses.dataclass
class FastStyleTrainConfig(TrainConfig):
    data: str | None = dataclasses.field(
        default=None, metadata={"help": "same as --content-dir (the photos to learn on)"}
    )
    epochs: int = 8
    style: str = dataclasses.field(default="", metadata={"help": "the painting to learn"})
    content_dir: str = dataclasses.field(
        default="", metadata={"help": "a folder of photos, or several separated by commas"}
    )
    name: str = ""
    # Held-out photos: after training, the card records the scores `showcase evaluate` gives.
    eval_dir: str = dataclasses.field(
        default="", metadata={"help": "held-out photos the card's scores are measured on"}
    )
    photos_terms: str = dataclasses.field(
        default="", metadata={"help": "the photos' licence, written into the card"}
    )
    steps_per_epoch: int = 200
    batch_size: int = 4
    crop_size: int = 128
    learning_rate: float = 1e-3
    width: float = 0.25
    residual_blocks: int = 3
    content_weight: float = 1.0
    style_weight: float = 3.0
    tv_weight: float = 5.0
    loss_network: str = "squeezenet"
    jit_compile: bool = True
    seed: int = 0


SHIPPED = FastStyleTrainConfig()
TRAIN_CONFIG = FastStyleTrainConfig
