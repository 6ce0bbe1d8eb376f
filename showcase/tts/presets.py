"""The shipped voice's settings (``models/tts/espeak_tacotron``): the trainer, the model's
defaults and the card all read them from here. Tacotron 2's conv encoder and mel post-net, five
frames a step, 21 epochs of 20,000 short sentences."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from showcase.checkpoints import user_data_dir
from showcase.training import TrainConfig


@dataclasses.dataclass
class TTSTrainConfig(TrainConfig):
    data: str | None = dataclasses.field(
        default=None,
        metadata={"help": "an LJSpeech-format folder (default: the espeak corpus folder)"},
    )
    epochs: int = 21
    make_corpus: str | None = dataclasses.field(
        default=None, metadata={"help": "speak these sentences with espeak-ng into --data first"}
    )
    corpus_sentences: int = 20000
    corpus_max_chars: int = 60
    held_out: int = 100
    # "phonemes": espeak-ng's IPA for the text (the shipped voice); "characters": as Tacotron.
    text_units: str = dataclasses.field(
        default="phonemes", metadata={"choices": ("phonemes", "characters")}
    )
    encoder: str = dataclasses.field(default="conv", metadata={"choices": ("conv", "cbhg")})
    postnet: str = dataclasses.field(default="mel", metadata={"choices": ("mel", "cbhg", "conv")})
    reduction: int = 5
    embedding_dim: int = 128
    decoder_units: int = 256
    attention_units: int = 128
    guided_weight: float = 1.0
    postnet_channels: int = 128
    batch_size: int = 32
    learning_rate: float = 1e-3
    max_minutes: float = 0.0
    resume: bool = False
    # Continue a finished checkpoint (its architecture and weights) with a fresh optimizer for
    # ``epochs`` more epochs; the card adds up both runs' epochs, steps and time. A checkpoint
    # that read other text units lends every weight but its symbol embedding.
    warm_start: str | None = None
    evaluate: bool = True
    seed: int = 1
    jit_compile: bool = False
    name: str | None = None


SHIPPED = TTSTrainConfig()
TRAIN_CONFIG = TTSTrainConfig


def default_corpus_folder() -> Path:
    """Where ``showcase train tts --make-corpus`` speaks its corpus when ``--data`` is not given."""
    return user_data_dir() / "tts" / "espeak-corpus"
