"""The shipped digit generators' settings: the trainer, the networks' defaults and the cards all
read them from here. ``--model`` picks the GAN: the DCGAN (the default), BEGAN or the
progressive GAN (pggan)."""

from __future__ import annotations

import dataclasses

from showcase.training import TrainConfig

GAN_MODELS = ("dcgan", "began", "pggan")
# Each model's defaults for the options left at 0.
PRESETS = {
    "dcgan": {"learning_rate": 2e-4, "width": 64, "noise_dim": 100},
    "began": {"learning_rate": 1e-4, "width": 32, "noise_dim": 64},
    # PGGAN's width is its feature maps at 32 pixels, doubled at every halving (128 at 4 pixels).
    "pggan": {"learning_rate": 1e-3, "width": 16, "noise_dim": 64},
}


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
    model: str = dataclasses.field(
        default="dcgan", metadata={"choices": GAN_MODELS, "help": "the GAN to train"}
    )
    epochs: int = 20
    batch_size: int = 64
    width: int = dataclasses.field(
        default=0,
        metadata={"help": "base filters (0: the model's preset, DCGAN 64, BEGAN 32, PGGAN 16)"},
    )
    noise_dim: int = dataclasses.field(
        default=0,
        metadata={"help": "noise size (0: the model's preset, DCGAN 100, BEGAN and PGGAN 64)"},
    )
    image_size: int = dataclasses.field(
        default=64, metadata={"help": "pictures from a folder only; MNIST stays 28x28"}
    )
    learning_rate: float = dataclasses.field(
        default=0.0,
        metadata={
            "help": "Adam's step size (0: the model's preset, DCGAN 2e-4, BEGAN 1e-4, PGGAN 1e-3)"
        },
    )
    beta_1: float = dataclasses.field(
        default=0.5,
        metadata={"help": "Adam's beta_1 for DCGAN and BEGAN (PGGAN keeps the paper's 0)"},
    )
    gamma: float = dataclasses.field(
        default=0.5,
        metadata={"help": "BEGAN's diversity ratio E[L(G(z))] / E[L(x)], in (0, 1]"},
    )
    lambda_k: float = dataclasses.field(
        default=0.001,
        metadata={"help": "BEGAN's controller gain: how fast k_t follows the equilibrium"},
    )
    class_weight: float = dataclasses.field(
        default=0.1,
        metadata={
            "help": "BEGAN's auxiliary-classifier weight: how hard the generator is asked to "
            "draw the digit requested (0: the label only feeds the networks)"
        },
    )
    max_minutes: float = dataclasses.field(
        default=0.0,
        metadata={
            "help": "stop training after this many minutes (0: run every epoch); the GAN "
            "comparison gives each model the same wall time"
        },
    )
    classifier_epochs: int = 8
    seed: int = 2015
    jit_compile: bool = False
    name: str | None = None

    def resolved(self) -> dict:
        """learning_rate, width and noise_dim: this run's, else the model's preset."""
        return {key: getattr(self, key) or value for key, value in PRESETS[self.model].items()}


SHIPPED = DCGANTrainConfig()
TRAIN_CONFIG = DCGANTrainConfig
