"""The shipped captioners' settings: the trainer, the model's defaults and the cards all read
them from here."""

from __future__ import annotations

import dataclasses

from showcase.training import TrainConfig


@dataclasses.dataclass
class CaptioningTrainConfig(TrainConfig):
    data: str | None = dataclasses.field(
        default=None,
        metadata={
            "help": "scenes (default: synthetic scenes) or a Flickr8k folder (captions, split "
            "lists, images)"
        },
    )
    epochs: int = 12
    scenes: int = 40_000
    batch_size: int = 64
    learning_rate: float = 2e-3
    attention: bool = False
    encoder: str = dataclasses.field(
        default="scratch",
        metadata={
            "help": "scratch: a small CNN trained with the captioner; mobilenet: "
            "keras.applications' ImageNet MobileNet, frozen",
            "choices": ("scratch", "mobilenet"),
        },
    )
    encoder_weights: str | None = dataclasses.field(
        default=None, metadata={"help": "the MobileNet weights file (default: download once)"}
    )
    embedding_dim: int = 128
    units: int = 256
    feature_dim: int = 128
    dropout: float = 0.2
    max_length: int = 48
    image_norm: bool = dataclasses.field(
        default=True, metadata={"help": "layer-normalise the image embedding (see model.py)"}
    )
    image_size: int = 64
    validation_scenes: int = 500
    max_minutes: float = dataclasses.field(
        default=0.0, metadata={"help": "stop training after this long (0: no limit)"}
    )
    evaluate: bool = dataclasses.field(
        default=True, metadata={"help": "score on held-out scenes after training"}
    )
    seed: int = 1
    jit_compile: bool = True
    name: str | None = None


SHIPPED = CaptioningTrainConfig()
TRAIN_CONFIG = CaptioningTrainConfig
