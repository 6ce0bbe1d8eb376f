"""Train a translator (``showcase train translation --pair en-fr``) and score it.

Training can stop (``--max-minutes``) and continue (``--resume``): see :mod:`showcase.resumable`.
"""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np

from showcase import checkpoints, training
from showcase.errors import ShowcaseError
from showcase.resumable import ResumableRun, earlier_epochs, warm_start_card
from showcase.translation import corpora
from showcase.translation.api import DEMO
from showcase.translation.data import batches, count_batches, encode_pairs, load_corpora
from showcase.translation.evaluate import record_evaluation
from showcase.translation.model import AttentionSeq2Seq
from showcase.translation.presets import TranslationTrainConfig
from showcase.translation.subwords import Subwords

PAPER = (
    "Sutskever et al. 2014 (sequence to sequence learning); Luong et al. 2015 (global attention); "
    "Bahdanau et al. 2015 (bidirectional encoder); Kudo 2018 (unigram subwords)"
)


TRAIN_CONFIG = TranslationTrainConfig


def build_model(config: TranslationTrainConfig, source_subwords, target_subwords):
    return AttentionSeq2Seq(
        source_subwords.to_text(),
        target_subwords.to_text(),
        pair=config.pair,
        embedding_dim=config.embedding_dim,
        encoder_units=config.encoder_units,
        decoder_units=config.decoder_units,
        dropout=config.dropout,
        max_source_length=config.max_source_length,
        max_target_length=config.max_target_length,
    )


def carried_comparisons(earlier) -> list[dict]:
    """The earlier checkpoint's head-to-head comparisons, labelled as measured on it: they were
    run for its training time, so a warm start keeps them rather than losing them."""
    rows = earlier.benchmark.get("comparisons") or []
    label = f"{earlier.name} after {earlier_epochs(earlier)} epochs, before the warm start"
    return [{**row, "measured_on": row.get("measured_on", label)} for row in rows]


def _train_command(config: TranslationTrainConfig, earlier) -> str:
    command = (
        f"showcase train {DEMO} --pair {config.pair}"
        + (" --data MULTI30K_DIR" if config.data else "")
        + (" --tatoeba MANYTHINGS_FILE" if config.tatoeba else "")
    )
    if earlier is None:
        return command
    return (
        f"{earlier.train_command}; then {command} --warm-start {Path(config.warm_start).name} "
        f"--epochs {config.epochs} --learning-rate {config.learning_rate:g}"
    )


def train(config: TranslationTrainConfig) -> Path:
    training.prepare(config)
    corpora.check_pair(config.pair)
    name = config.name or config.pair
    out_dir = training.output_folder(DEMO, config)
    run = ResumableRun(out_dir, name, DEMO, config.resume)
    keras.utils.set_random_seed(config.seed)

    started = time.perf_counter()
    data = load_corpora(config.pair, config.data, config.tatoeba)
    sources, targets = data.training_pairs()
    model = run.load_model()
    earlier = warm_start_card(config.warm_start)
    if model is not None:
        source_subwords, target_subwords = model.source_subwords, model.target_subwords
        print(f"resuming {name} after epoch {run.epochs_done} ({run.seconds:.0f} s)")
    elif config.warm_start:
        warm = checkpoints.load_model(Path(config.warm_start), DEMO)
        if warm.pair != config.pair:
            raise ShowcaseError(f"{config.warm_start} translates {warm.pair}, not {config.pair}")
        source_subwords, target_subwords = warm.source_subwords, warm.target_subwords
    else:
        # Subwords from the training side only: held-out sentences never shape the vocabulary.
        source_subwords = Subwords.train(sorted(set(sources)), config.vocabulary_size)
        target_subwords = Subwords.train(sorted(set(targets)), config.vocabulary_size)
    encoded = encode_pairs(
        source_subwords,
        target_subwords,
        sources,
        targets,
        config.max_source_length,
        config.max_target_length,
    )
    validation = encode_pairs(
        source_subwords,
        target_subwords,
        *data.validation_pairs(),
        config.max_source_length,
        config.max_target_length,
    )
    data_seconds = time.perf_counter() - started
    train_batches = batches(*encoded, config.batch_size, shuffle=True, seed=config.seed)
    validation_batches = batches(*validation, config.batch_size, shuffle=False)

    def built(model):
        model((np.ones((1, 2), "int32"), np.ones((1, 2), "int32")))
        return model

    with training.training_session(DEMO, config) as session:
        if model is None:
            with session.scope():
                model = build_model(config, source_subwords, target_subwords)
                if config.warm_start:
                    built(model).set_weights(warm.get_weights())
                steps = count_batches(encoded[1], config.batch_size) * config.epochs
                schedule = keras.optimizers.schedules.CosineDecay(
                    config.learning_rate, steps, alpha=0.05
                )
                model.compile(
                    optimizer=keras.optimizers.Adam(schedule, clipnorm=5.0),
                    loss=keras.losses.SparseCategoricalCrossentropy(
                        from_logits=True, ignore_class=0
                    ),
                    jit_compile=config.jit_compile,
                )
        if run.epochs_done < config.epochs:
            model.fit(
                train_batches,
                validation_data=validation_batches,
                validation_steps=count_batches(validation[1], config.batch_size),
                steps_per_epoch=count_batches(encoded[1], config.batch_size),
                initial_epoch=run.epochs_done,
                epochs=config.epochs,
                verbose=config.verbose,
                callbacks=run.callbacks(config.max_minutes),
                shuffle=False,  # the dataset shuffles itself
            )
    if run.stopped_early(config.epochs):
        return run.model_path

    inference = training.inference_copy(
        model, lambda: built(type(model).from_config(model.get_config()))
    )
    history = run.history
    card = session.card(
        name,
        paper=PAPER,
        dataset={
            "train": data.describe(data.train) + f" ({len(encoded[0]):,} pairs)",
            "validation": data.describe(data.validation) + f" ({len(validation[0]):,} pairs)",
            "multi30k": config.data or "downloaded (github.com/multi30k/dataset)",
            "tatoeba_file": str(Path(config.tatoeba).resolve()) if config.tatoeba else None,
            "source_subwords": len(source_subwords),
            "target_subwords": len(target_subwords),
        },
        train_command=_train_command(config, earlier),
        evaluate_command=f"showcase evaluate {DEMO} --pair {config.pair} --json",
        training_time_s=run.seconds + (earlier.training_time_s if earlier else 0),
        leave_out=("tatoeba", "name", "resume", "warm_start"),
        backend=keras.backend.backend(),
        data_preparation_s=round(data_seconds, 1),
        epochs_run=run.epochs_done + earlier_epochs(earlier),
        warm_start={
            "from": Path(config.warm_start).name,
            "epochs_before": earlier_epochs(earlier),
            "training_time_s_before": earlier.training_time_s,
            "learning_rate_before": earlier.hyperparameters.get("learning_rate"),
        }
        if earlier
        else None,
        sittings=run.state["sittings"],  # training runs it took (--resume continues one)
        weights_stored="float16-rounded, zip-compressed (float32 at run time)",
        final_loss=history[-1].get("loss") if history else None,
        final_validation_loss=history[-1].get("val_loss") if history else None,
    )
    if earlier is not None and carried_comparisons(earlier):
        card.benchmark = {"comparisons": carried_comparisons(earlier)}
    # Half-precision storage keeps a checkpoint under 25 MiB; it is scored as stored.
    path = session.save(inference, card, half_precision=True)
    run.finish()
    if config.evaluate:
        record_evaluation(path, config.data, config.tatoeba)
    return path
