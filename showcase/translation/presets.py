"""The shipped translators' settings: the trainer, the model's defaults and the cards all read
them from here."""

from __future__ import annotations

import dataclasses

from showcase.training import TrainConfig


@dataclasses.dataclass
class TranslationTrainConfig(TrainConfig):
    data: str | None = dataclasses.field(
        default=None,
        metadata={
            "help": "a folder with Multi30k's raw files (train/val/test_2016_flickr .<lang>.gz); "
            "default: download"
        },
    )
    epochs: int = 8  # the shipped checkpoints: 8 epochs
    pair: str = dataclasses.field(default="en-fr", metadata={"choices": ("en-fr", "en-de")})
    tatoeba: str | None = dataclasses.field(
        default=None,
        metadata={"help": "a ManyThings/Anki file for the pair (fra.txt / deu.txt); optional"},
    )
    vocabulary_size: int = 6000
    embedding_dim: int = 256
    encoder_units: int = 192
    decoder_units: int = 384
    dropout: float = 0.3
    max_source_length: int = 64
    max_target_length: int = 80
    batch_size: int = 64
    learning_rate: float = 2e-3
    max_minutes: float = dataclasses.field(
        default=0.0,
        metadata={
            "help": "stop at the end of the epoch during which this many minutes passed "
            "(0: no limit); --resume continues later"
        },
    )
    resume: bool = False
    # A finished checkpoint of the same pair to continue from: its subwords and weights, with a
    # fresh optimizer for ``epochs`` more epochs at ``learning_rate`` (e.g. 5e-4). The card adds
    # up the epochs and the training time of both runs.
    warm_start: str | None = dataclasses.field(
        default=None,
        metadata={"help": "a finished checkpoint of the same pair to continue, fresh optimizer"},
    )
    evaluate: bool = dataclasses.field(
        default=True, metadata={"help": "score the finished model on the test sets"}
    )
    seed: int = 1
    jit_compile: bool = False  # measured: XLA makes the LSTM steps slower on a CPU
    name: str | None = None


SHIPPED = TranslationTrainConfig()
TRAIN_CONFIG = TranslationTrainConfig
