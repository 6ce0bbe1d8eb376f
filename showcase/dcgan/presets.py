"""The shipped digit generator's settings: the trainer, the networks' defaults and the card all
read them from here."""

from __future__ import annotations

import dataclasses

from showcase.training import TrainConfig


@dataclasses.dataclass
class DCGANTrainConfig(TrainConfig):
    data: str | None = dataclasses.field(
        default=None,
        metadata={
            "help": "mnist-test (default: the MNIST test set split 8,000/2,000), mnist (the "
            "60,000 training digits), a folder of MNIST IDX files, or a folder of pictures "
            "(unconditional)"
        },
    )
    epochs: int = 20
    batch_size: int = 64
    width: int = 64
    noise_dim: int = 100
    image_size: int = dataclasses.field(
        default=64, metadata={"help": "pictures from a folder only; MNIST stays 28x28"}
    )
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    classifier_epochs: int = 8
    seed: int = 2015
    jit_compile: bool = False
    name: str | None = None


SHIPPED = DCGANTrainConfig()
TRAIN_CONFIG = DCGANTrainConfig
