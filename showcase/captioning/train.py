"""Train the captioner (``showcase train captioning``) and score it (``showcase evaluate``)."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from showcase import checkpoints
from showcase.captioning.evaluate import evaluate  # noqa: F401 - the CLI finds it here
from showcase.errors import ShowcaseError

DEMO = "captioning"
PAPER = (
    "Vinyals et al. 2015 (Show and Tell); attention variant: Xu et al. 2015 (Show, Attend and "
    "Tell) with the spatial attention of Lu et al. 2017"
)


@dataclasses.dataclass
class CaptioningTrainConfig:
    # "scenes" (default): synthetic scenes; or a Flickr8k folder (captions, split lists, images).
    data: str | None = None
    scenes: int = 40_000
    epochs: int = 12
    batch_size: int = 64
    learning_rate: float = 2e-3
    attention: bool = False
    # "scratch": a small CNN trained with the captioner; "mobilenet": keras.applications'
    # ImageNet MobileNet, frozen (its weights are downloaded once, or read from --encoder-weights).
    encoder: str = "scratch"
    encoder_weights: str | None = None
    embedding_dim: int = 128
    units: int = 256
    feature_dim: int = 128
    dropout: float = 0.2
    max_length: int = 48
    image_norm: bool = True  # layer-normalise the image embedding (see model.py)
    image_size: int = 64
    validation_scenes: int = 500
    max_minutes: float = 0.0  # stop training after this long (0: no limit)
    evaluate: bool = True  # score on held-out scenes after training (--no-evaluate skips it)
    seed: int = 1
    strategy: str = "auto"
    mixed_precision: bool = False
    jit_compile: bool = True
    name: str | None = None
    out: str | None = None
    verbose: int = 1


TRAIN_CONFIG = CaptioningTrainConfig


def TimeLimit(seconds: float):  # noqa: N802 - a factory: keras is imported only when training
    import keras

    class _TimeLimit(keras.callbacks.Callback):
        """Stops training at the end of the first batch past ``seconds``."""

        def on_train_begin(self, logs=None):
            self.started = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if time.perf_counter() - self.started > seconds:
                self.model.stop_training = True

    return _TimeLimit()


def _load_data(config):
    from showcase.captioning import data as captioning_data

    if config.data in (None, "scenes"):
        return (
            captioning_data.scene_split(config.scenes, "train", config.image_size),
            captioning_data.scene_split(config.validation_scenes, "validation", config.image_size),
            captioning_data.scene_vocabulary(),
        )
    folder = Path(config.data).expanduser()
    if not (folder / "Flickr8k.token.txt").is_file():
        raise ShowcaseError(f"--data {config.data}: not 'scenes' or a Flickr8k folder")
    from showcase.captioning.vocabulary import Vocabulary

    train = captioning_data.flickr_split(folder, "train", config.image_size)
    validation = captioning_data.flickr_split(folder, "dev", config.image_size)
    vocabulary = Vocabulary.build(
        [c for captions in train.references for c in captions], min_count=5
    )
    return train, validation, vocabulary


def train(config: CaptioningTrainConfig) -> Path:
    import keras
    import numpy as np

    from showcase.captioning.batches import CaptionBatches
    from showcase.captioning.model import ENCODERS, ShowAndTell, load_imagenet_weights
    from showcase.distribute import make_strategy, set_precision

    if config.encoder not in ENCODERS:
        raise ShowcaseError(f"--encoder must be one of {', '.join(ENCODERS)}")
    keras.utils.set_random_seed(config.seed)
    started = time.perf_counter()
    train_data, validation, vocabulary = _load_data(config)
    data_seconds = time.perf_counter() - started
    policy = set_precision(config.mixed_precision)
    strategy = make_strategy(config.strategy)
    with strategy.scope():
        model = ShowAndTell(
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
        if config.encoder == "mobilenet":
            load_imagenet_weights(model.encoder, config.encoder_weights)
        steps = -(-len(train_data.pairs()[0]) // config.batch_size) * config.epochs
        schedule = keras.optimizers.schedules.CosineDecay(config.learning_rate, steps, alpha=0.05)
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
    keras.mixed_precision.set_global_policy("float32")

    name = config.name or ("scenes_attention" if config.attention else "scenes_show_and_tell")
    # A fresh copy without the optimizer's state: the checkpoint is for inference.
    inference = ShowAndTell.from_config(model.get_config())
    size = config.image_size
    inference((np.zeros((1, size, size, 3), "float32"), np.zeros((1, 2), "int32")))
    inference.set_weights(model.get_weights())
    metric = {"name": "not measured", "value": None}
    card = checkpoints.ModelCard(
        demo=DEMO,
        name=name,
        paper=PAPER,
        dataset={
            "train": f"{train_data.source} ({len(train_data):,} images, "
            f"{len(train_data.pairs()[0]):,} captions)",
            "validation": f"{validation.source} ({len(validation):,})",
            "vocabulary": len(vocabulary),
        },
        metric=metric,
        train_command=f"showcase train {DEMO}"
        + (" --attention" if config.attention else "")
        + (f" --encoder {config.encoder}" if config.encoder != "scratch" else ""),
        evaluate_command=f"showcase evaluate {DEMO} --json",
        training_time_s=round(training_time, 1),
        hardware=checkpoints.hardware_summary(),
        hyperparameters={
            **{
                k: v
                for k, v in dataclasses.asdict(config).items()
                if k not in ("data", "out", "verbose", "name", "encoder_weights")
            },
            "precision_policy": policy,
            "backend": keras.backend.backend(),
            "data_preparation_s": round(data_seconds, 1),
            "epochs_run": len(history.history["loss"]),
            "final_loss": round(float(history.history["loss"][-1]), 4),
            "final_validation_loss": round(float(history.history["val_loss"][-1]), 4),
        },
    )
    out_dir = Path(config.out) if config.out else checkpoints.user_checkpoint_dir(DEMO)
    path = checkpoints.save(inference, card, out_dir)
    if config.evaluate and config.data in (None, "scenes"):
        record_evaluation(path)
    return path


def record_evaluation(path: Path) -> dict:
    """Score a checkpoint on the held-out scenes and write the figures into its card."""
    from showcase.captioning.api import Captioner
    from showcase.captioning.evaluate import score_on_scenes

    captioner = Captioner.load(path)
    scores = score_on_scenes(captioner)
    card_path = checkpoints.card_path_for(path)
    card = checkpoints.ModelCard.read(card_path)
    card.metric = {"name": "BLEU-4 (sacrebleu corpus BLEU, 0-1)", "unit": "score", **scores}
    card.write(card_path)
    return scores
