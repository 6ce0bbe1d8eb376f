"""The shipped sentiment classifier's settings: the trainer, the model's defaults and the card
all read them from here."""

from __future__ import annotations

import dataclasses

from showcase.training import TrainConfig


@dataclasses.dataclass
class SentimentTrainConfig(TrainConfig):
    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 2e-3
    max_tokens: int = 8000
    max_length: int = 200
    embedding_dim: int = 48
    subword_dim: int = 48
    subword_buckets: int = 10000
    lstm_units: int = 64
    word_dropout: float = 0.2
    dropout: float = 0.5
    ensemble_size: int = 5
    patience: int = 2
    seed: int = 1337


SHIPPED = SentimentTrainConfig()

TRAIN_CONFIG = SentimentTrainConfig
