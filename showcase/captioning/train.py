"""Train the captioner (``showcase train captioning``) and score it (``showcase evaluate``)."""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np

from showcase import training
from showcase.captioning import data as captioning_data
from showcase.captioning.api import DEMO
from showcase.captioning.batches import CaptionBatches
from showcase.captioning.evaluate import record_evaluation
from showcase.captioning.model import ENCODERS, ShowAndTell, load_imagenet_weights
from showcase.captioning.presets import CaptioningTrainConfig
from showcase.captioning.vocabulary import Vocabulary
from showcase.errors import ShowcaseError

PAPER = (
    "Vinyals et al. 2015 (Show and Tell); attention variant: Xu et al. 2015 (Show, Attend and "
    "Tell) with the spatial attention of Lu et al. 2017"
)


TRAIN_CONFIG = CaptioningTrainConfig


class TimeLimit(keras.callbacks.Callback):
    """Stops training at the end of the first batch past ``seconds``."""

    def __init__(self, seconds: float):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if time.perf_counter() - self.started > self.seconds:
            self.model.stop_training = True


def _load_data(config):
    if config.data in (None, "scenes"):
        return (
            captioning_data.scene_split(config.scenes, "train", config.image_size),
            captioning_data.scene_split(config.validation_scenes, "validation", config.image_size),
            captioning_data.scene_vocabulary(),
        )
    folder = Path(config.data).expanduser()
    if not (folder / "Flickr8k.token.txt").is_file():
        raise ShowcaseError(f"--data {config.data}: not 'scenes' or a Flickr8k folder")
    train = captioning_data.flickr_split(folder, "train", config.image_size)
    validation = captioning_data.flickr_split(folder, "dev", config.image_size)
    vocabulary = Vocabulary.build(
        [c for captions in train.references for c in captions], min_count=5
    )
    return train, validation, vocabulary


def train(config: CaptioningTrainConfig) -> Path:
    training.prepare(config)
    if config.encoder not in ENCODERS:
        raise ShowcaseError(f"--encoder must be one of {', '.join(ENCODERS)}")
    keras.utils.set_random_seed(config.seed)
    started = time.perf_counter()
    train_data, validation, vocabulary = _load_data(config)
    data_seconds = time.perf_counter() - started

    def new_model():
        return ShowAndTell(
            vocabulary.tokens,
            image_size=config.image_size,
            encoder=config.encoder,
            attention=config.attention,
            embedding_dim=config.embedding_dim,
            units=config.units,
            feature_dim=config.feature_dim,
            dropout=config.dropout,
            max_length=config.max_length,
            image_norm=config.image_norm,
        )

    with training.training_session(DEMO, config) as session:
        with session.scope():
            model = new_model()
            if config.encoder == "mobilenet":
                load_imagenet_weights(model.encoder, config.encoder_weights)
            steps = -(-len(train_data.pairs()[0]) // config.batch_size) * config.epochs
            schedule = keras.optimizers.schedules.CosineDecay(
                config.learning_rate, steps, alpha=0.05
            )
            model.compile(
                optimizer=keras.optimizers.Adam(schedule, clipnorm=5.0),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0),
                jit_compile=config.jit_compile,
            )
        started = time.perf_counter()
        history = model.fit(
            CaptionBatches(train_data, vocabulary, config, shuffle=True),
            validation_data=CaptionBatches(validation, vocabulary, config, shuffle=False),
            epochs=config.epochs,
            verbose=config.verbose,
            shuffle=False,
            callbacks=[TimeLimit(config.max_minutes * 60)] if config.max_minutes else [],
        )
        training_time = time.perf_counter() - started

    name = config.name or ("scenes_attention" if config.attention else "scenes_show_and_tell")

    def built_copy():
        copy, size = new_model(), config.image_size
        copy((np.zeros((1, size, size, 3), "float32"), np.zeros((1, 2), "int32")))
        return copy

    card = session.card(
        name,
        paper=PAPER,
        dataset={
            "train": f"{train_data.source} ({len(train_data):,} images, "
            f"{len(train_data.pairs()[0]):,} captions)",
            "validation": f"{validation.source} ({len(validation):,})",
            "vocabulary": len(vocabulary),
        },
        train_command=f"showcase train {DEMO}"
        + (" --attention" if config.attention else "")
        + (f" --encoder {config.encoder}" if config.encoder != "scratch" else ""),
        training_time_s=training_time,
        leave_out=("name", "encoder_weights"),
        backend=keras.backend.backend(),
        data_preparation_s=round(data_seconds, 1),
        epochs_run=len(history.history["loss"]),
        final_loss=round(float(history.history["loss"][-1]), 4),
        final_validation_loss=round(float(history.history["val_loss"][-1]), 4),
    )
    path = session.save(training.inference_copy(model, built_copy), card)
    if config.evaluate and config.data in (None, "scenes"):
        record_evaluation(path)
    return path
