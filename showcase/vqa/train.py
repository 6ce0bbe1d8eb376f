"""Train one of the question-answering networks (`showcase train vqa --model NAME`)."""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import keras

from showcase import checkpoints, training
from showcase.errors import ShowcaseError
from showcase.resumable import earlier_epochs, warm_start_card
from showcase.vqa import curriculum, sort_of_clevr
from showcase.vqa import model as networks
from showcase.vqa.batches import training_batches
from showcase.vqa.presets import ModelSettings, VQATrainConfig
from showcase.vqa.scoring import score

DEMO = "vqa"
PAPERS = {
    "relation_network": "A simple neural network module for relational reasoning (Santoro et al. "
    "2017)",
    "cnn_mlp": "CNN+MLP baseline of Santoro et al. 2017",
    "cnn_lstm": "VQA: Visual Question Answering (Antol et al. 2015), LSTM Q + I",
    "blind": "Question-only baseline (Antol et al. 2015's 'LSTM Q' idea, on the encoded question)",
}
TRAIN_CONFIG = VQATrainConfig


def build(settings: ModelSettings) -> keras.Model:
    if settings.architecture == "relation_network":
        return networks.build_relation_network(
            settings.units or 128,
            settings.depth or 3,
            aggregate=settings.aggregate,
            encoder=settings.encoder,
            initialisation=settings.initialisation,
            dropout=settings.f_dropout,
        )
    if settings.architecture == "cnn_mlp":
        return networks.build_cnn_mlp(encoder=settings.encoder, dropout=settings.f_dropout)
    if settings.architecture == "cnn_lstm":
        return networks.build_cnn_lstm(
            len(sort_of_clevr.WORDS) + 2,
            sort_of_clevr.QUESTION_WORDS,
            encoder=settings.encoder,
            dropout=settings.f_dropout,
        )
    if settings.architecture == "blind":
        return networks.build_blind(dropout=settings.f_dropout)
    raise ShowcaseError(f"unknown architecture {settings.architecture!r}")


def learning_rate_schedule(settings: ModelSettings, steps_per_epoch: int):
    """Warm-up from a tenth of the peak rate, then a cosine decay to zero at the last epoch; or
    the peak rate throughout (``schedule="constant"``)."""
    if settings.schedule == "constant":
        return settings.learning_rate
    warmup = int(settings.warmup_epochs * steps_per_epoch)
    total = settings.epochs * steps_per_epoch
    return keras.optimizers.schedules.CosineDecay(
        settings.learning_rate / 10,
        decay_steps=max(total - warmup, 1),
        warmup_target=settings.learning_rate,
        warmup_steps=warmup,
    )


class KeepBest(keras.callbacks.Callback):
    """After each epoch: recompute the batch-norm statistics, score the validation scenes, keep
    the best weights, log the curve, and stop once ``max_seconds`` have passed (0: never)."""

    def __init__(self, train_images, validation, max_seconds: float, log):
        super().__init__()
        self.train_images = train_images
        self.validation = validation
        self.max_seconds = max_seconds
        self.log = log
        self.started = time.perf_counter()
        self.best_weights = None
        self.best = -1.0
        self.best_epoch = 0
        self.epochs: list[dict] = []

    def on_epoch_end(self, epoch, logs=None):
        networks.recalibrate_batch_norm(self.model, self.train_images, seed=epoch)
        scores = score(self.model, self.validation)
        row = {
            "epoch": epoch + 1,
            "loss": round(float((logs or {}).get("loss", math.nan)), 4),
            "validation_non_relational": scores["non_relational"],
            "validation_relational": scores["relational"],
            "validation_overall": scores["overall"],
            "validation_per_type": scores["per_type"],
            "minutes": round((time.perf_counter() - self.started) / 60, 1),
        }
        self.epochs.append(row)
        self.log(
            f"epoch {row['epoch']}: loss {row['loss']}, validation non-relational "
            f"{row['validation_non_relational']:.3f}, relational {row['validation_relational']:.3f}"
            f" ({row['minutes']} min); "
            + ", ".join(f"{kind} {share:.2f}" for kind, share in scores["per_type"].items())
        )
        if scores["overall"] > self.best:
            self.best, self.best_epoch = scores["overall"], epoch + 1
            self.best_weights = self.model.get_weights()
        if self.max_seconds and time.perf_counter() - self.started > self.max_seconds:
            self.log(f"stopping: --max-minutes {self.max_seconds / 60:g} passed")
            self.model.stop_training = True


def _compile(network, learning_rate, jit_compile: bool) -> None:
    network.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=jit_compile,
    )


# How often a stage with a target checks its validation questions: often enough not to overstay
# (stages took 500-2,250 steps in the probes), rarely enough that the checks cost little.
CURRICULUM_CHECK_STEPS = 250


def run_curriculum(
    network,
    train_data,
    validation,
    settings: ModelSettings,
    seed: int,
    log,
    jit_compile: bool = False,
    skip_mastered: bool = False,
) -> list[dict]:
    """Train the stages of the colour curriculum (none when ``settings.curriculum_steps`` is 0),
    with its own Adam at a constant ``settings.curriculum_learning_rate``: each stage
    ``curriculum_steps`` steps, or, with a ``curriculum_target``, until the stage's validation
    questions are answered that well (at most ``curriculum_steps``). With ``skip_mastered`` (a
    warm start) a stage whose validation questions already meet the target is not trained."""
    rows = []
    if not settings.curriculum_steps:
        return rows
    _compile(network, settings.curriculum_learning_rate or settings.learning_rate, jit_compile)
    target = settings.curriculum_target
    planned = curriculum.stages(train_data, distance=settings.distance_curriculum)
    for stage, (colours, kinds, questions) in enumerate(planned):
        if not len(questions):
            rows.append({"colours": colours, "kinds": list(kinds), "questions": 0, "loss": None})
            continue
        batch_size = min(settings.batch_size, len(questions))
        checked = curriculum.stage_questions(validation, colours, kinds)
        block = CURRICULUM_CHECK_STEPS if target else settings.curriculum_steps
        taken, accuracy, loss = 0, None, None
        if skip_mastered and target and len(checked):
            networks.recalibrate_batch_norm(network, train_data.images, seed=stage)
            accuracy = score(network, checked)["overall"]
        while taken < settings.curriculum_steps and not (
            accuracy is not None and accuracy >= target
        ):
            steps = min(block, settings.curriculum_steps - taken)
            history = network.fit(
                training_batches(network, questions, batch_size, seed + 1000 * stage + taken),
                steps_per_epoch=steps,
                epochs=1,
                verbose=0,
                shuffle=False,
            )
            taken += steps
            loss = round(float(history.history["loss"][-1]), 4)
            if target and len(checked):
                networks.recalibrate_batch_norm(network, train_data.images, seed=taken)
                accuracy = score(network, checked)["overall"]
        row = {
            "colours": colours,
            "kinds": list(kinds),
            "questions": len(questions),
            "steps": taken,
            "loss": loss,
        }
        if accuracy is not None:
            row["validation_accuracy"] = accuracy
        rows.append(row)
        shown = f", validation {accuracy:.3f}" if accuracy is not None else ""
        log(
            f"curriculum, {'/'.join(kinds)} about {colours} colour(s): {taken} steps, "
            f"loss {loss}{shown}"
        )
    return rows


def _curves(epochs: list[dict]) -> dict:
    x = [row["epoch"] for row in epochs]
    return {
        "validation accuracy, relational questions": {
            "x": x,
            "y": [row["validation_relational"] for row in epochs],
            "x_label": "epoch",
            "y_label": "accuracy",
        },
        "validation accuracy, non-relational questions": {
            "x": x,
            "y": [row["validation_non_relational"] for row in epochs],
            "x_label": "epoch",
            "y_label": "accuracy",
        },
        "training loss": {
            "x": x,
            "y": [row["loss"] for row in epochs],
            "x_label": "epoch",
            "y_label": "cross-entropy",
        },
    }


def _warm_model(config: VQATrainConfig):
    earlier = warm_start_card(config.warm_start)
    if earlier is None:
        return None, None
    if earlier.hyperparameters.get("model") != config.model:
        raise ShowcaseError(
            f"{config.warm_start} is the model {earlier.hyperparameters.get('model')!r}, "
            f"not {config.model!r}"
        )
    return checkpoints.load_model(Path(config.warm_start), DEMO), earlier


def _log(config: VQATrainConfig):
    return print if config.verbose else (lambda line: None)


def train(config: VQATrainConfig) -> Path:
    settings = config.settings()
    if min(config.scenes, config.validation_scenes, config.test_scenes) < 1:
        raise ShowcaseError("--scenes, --validation-scenes and --test-scenes must be at least 1")
    if config.curriculum_steps < 0:
        raise ShowcaseError(f"--curriculum-steps must be 0 or more, not {config.curriculum_steps}")
    if config.curriculum_learning_rate < 0:
        raise ShowcaseError(
            f"--curriculum-learning-rate must be 0 or more, not {config.curriculum_learning_rate}"
        )
    if not 0.0 <= config.curriculum_target <= 1.0:
        raise ShowcaseError(
            f"--curriculum-target must be in [0, 1], not {config.curriculum_target}"
        )
    if config.distance_curriculum and not config.curriculum_steps:
        raise ShowcaseError("--distance-curriculum needs --curriculum-steps above 0")
    if not 0.0 <= config.f_dropout < 1.0:
        raise ShowcaseError(f"--f-dropout must be at least 0 and below 1, not {config.f_dropout}")
    training.prepare(config)
    keras.utils.set_random_seed(config.seed)
    log = _log(config)
    name = config.name or config.model
    warm, earlier = _warm_model(config)
    train_data = sort_of_clevr.train_set(config.scenes)
    validation = sort_of_clevr.validation_set(config.validation_scenes)
    test = sort_of_clevr.test_set(config.test_scenes)
    batch_size = min(settings.batch_size, len(train_data))
    steps_per_epoch = max(len(train_data) // batch_size, 1)
    log(
        f"{config.model}: {len(train_data):,} training questions on {config.scenes:,} scenes, "
        f"{steps_per_epoch:,} steps per epoch"
    )
    with training.training_session(DEMO, config) as session:
        with session.scope():
            network = warm or build(settings)
            keep = KeepBest(train_data.images, validation, config.max_minutes * 60, log)
            started = time.perf_counter()
            curriculum_log = run_curriculum(
                network,
                train_data,
                validation,
                settings,
                config.seed,
                log,
                config.jit_compile,
                skip_mastered=warm is not None,
            )
            _compile(network, learning_rate_schedule(settings, steps_per_epoch), config.jit_compile)
            network.fit(
                training_batches(network, train_data, batch_size, config.seed),
                steps_per_epoch=steps_per_epoch,
                epochs=settings.epochs,
                verbose=config.verbose,
                callbacks=[keep],
                shuffle=False,  # the pipeline reshuffles every epoch
            )
            training_time = time.perf_counter() - started
    network.set_weights(keep.best_weights)
    shipped = training.inference_copy(network, lambda: build(settings))
    measured = score(shipped, test)
    seconds_before = earlier.training_time_s if earlier else 0.0
    epochs_before = earlier_epochs(earlier)
    card = session.card(
        name,
        paper=PAPERS[config.model],
        dataset={
            "train": f"Sort-of-CLEVR, {config.scenes:,} scenes ({len(train_data):,} questions), "
            f"seeds from {sort_of_clevr.TRAIN_SEEDS.start}",
            "validation": f"{config.validation_scenes} scenes from seed "
            f"{sort_of_clevr.VALIDATION_SEEDS.start} (best epoch)",
            "held_out": f"{len(test.seeds):,} scenes ({len(test):,} questions) from seed "
            f"{sort_of_clevr.TEST_SEED_START}",
        },
        metric={
            "name": "accuracy on held-out questions",
            "unit": "fraction",
            "split": f"Sort-of-CLEVR test, {len(test.seeds):,} scenes ({len(test):,} questions)",
            "value": measured["overall"],
            **{key: value for key, value in measured.items() if key != "overall"},
            "scenes": len(test.seeds),
        },
        notes=f"Best of {len(keep.epochs)} epochs by validation accuracy (epoch "
        f"{keep.best_epoch}).",
        evaluate_command=f"showcase evaluate vqa --checkpoint {name}.keras --json",
        training_time_s=training_time + seconds_before,
        leave_out=("name", "warm_start", "epochs", "learning_rate"),
        settings=dataclasses.asdict(settings),
        epochs_run=len(keep.epochs) + epochs_before,
        best_epoch=keep.best_epoch + epochs_before,
        epochs_log=keep.epochs,
        **({"curriculum_log": curriculum_log} if curriculum_log else {}),
        warm_start=(
            {"from": Path(config.warm_start).name, "epochs": epochs_before}
            if config.warm_start
            else None
        ),
    )
    card.curves = _curves(keep.epochs)
    log(
        f"held-out: non-relational {measured['non_relational']:.3f}, relational "
        f"{measured['relational']:.3f}"
    )
    return session.save(shipped, card)
