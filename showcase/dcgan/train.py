"""Train the DCGAN (`showcase train dcgan`) and, for MNIST, the classifier that judges it."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import keras
import tensorflow as tf

from showcase import checkpoints, training
from showcase.dcgan import began, framing, growing, progressive
from showcase.dcgan.api import CHECKPOINT_NAME, DEMO
from showcase.dcgan.curves import StepLog, began_curves, growth_curves
from showcase.dcgan.data import load_splits, to_unit_range
from showcase.dcgan.digit_classifier import NAME, build_classifier, train_classifier
from showcase.dcgan.evaluate import score_generator
from showcase.dcgan.model import (
    ConditionalGAN,
    SampleGridCallback,
    build_discriminator,
    build_generator,
)
from showcase.dcgan.presets import DCGANTrainConfig
from showcase.errors import ShowcaseError

PAPERS = {
    "dcgan": "Radford, Metz & Chintala 2015 (DCGAN); Mirza & Osindero 2014 (conditional GAN); "
    "Miyato & Koyama 2018 (projection discriminator)",
    "began": "Berthelot, Schumm & Metz 2017 (BEGAN), made class-conditional with an auxiliary "
    "classifier (Odena, Olah & Shlens 2017, AC-GAN)",
    "pggan": "Karras, Aila, Laine & Lehtinen 2018 (progressive growing of GANs), made "
    "class-conditional with a projection discriminator (Miyato & Koyama 2018); Gulrajani et al. "
    "2017 (WGAN-GP)",
}


TRAIN_CONFIG = DCGANTrainConfig
BEGAN_ONLY = ("gamma", "lambda_k", "class_weight")


def _batches(train, batch_size: int, seed: int):
    if len(train) < batch_size:
        raise ShowcaseError(f"{len(train)} training images are fewer than one batch ({batch_size})")
    dataset = tf.data.Dataset.from_tensor_slices(
        (to_unit_range(train.images), train.labels.astype("int32"))
    )
    # Whole batches only: one traced step, and batch norm never sees a batch of 3.
    return (
        dataset.shuffle(len(train), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size, drop_remainder=True)
        .repeat()
        .prefetch(tf.data.AUTOTUNE)
    )


def _classifier_for(out_dir: Path, train, held_out, config: DCGANTrainConfig):
    """The judge kept in ``out_dir/evaluator``; trained once, then reused so that scores of
    retrained generators stay comparable."""
    path = out_dir / "evaluator" / f"{NAME}.keras"
    if path.is_file():
        return checkpoints.load_model(path, DEMO)
    started = time.perf_counter()
    model, accuracy = train_classifier(
        train, held_out, epochs=config.classifier_epochs, verbose=config.verbose
    )
    card = training.model_card(
        DEMO,
        NAME,
        None,
        paper="A small CNN (2x2 conv blocks, 128-unit feature layer) judging generated digits",
        policy="float32",
        dataset={"train": f"{train.source} ({len(train):,})"},
        metric={
            "name": "accuracy",
            "unit": "fraction",
            "split": f"{held_out.source} ({len(held_out):,})",
            "value": round(accuracy, 4),
        },
        training_time_s=time.perf_counter() - started,
        notes="Not a demo checkpoint: `showcase evaluate dcgan` uses its 128-d feature layer "
        "and its predictions to score generators.",
        epochs=config.classifier_epochs,
        batch_size=128,
    )
    copy = training.inference_copy(model, lambda: build_classifier(train.classes))
    checkpoints.save(copy, card, path.parent)
    return copy


class StopAfter(keras.callbacks.Callback):
    """Stops training after ``seconds`` of it (checked after every step): the GAN comparison
    gives every model the same wall time."""

    def __init__(self, seconds: float):
        super().__init__()
        self.seconds = seconds
        self.started = time.perf_counter()

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if time.perf_counter() - self.started > self.seconds:
            self.model.stop_training = True


def _optimizers(config: DCGANTrainConfig, learning_rate: float):
    def optimizer():
        adam = keras.optimizers.Adam(learning_rate, beta_1=config.beta_1)
        # float16 gradients underflow without loss scaling; train_step calls scale_loss.
        return keras.optimizers.LossScaleOptimizer(adam) if config.mixed_precision else adam

    return {"d_optimizer": optimizer(), "g_optimizer": optimizer()}


def _digit_metric(generator, out_dir, train_set, held_out, config, digits: bool) -> dict:
    """The card's metric: the judge's three figures on the held-out digits, when there are any."""
    if not digits or held_out is None:
        return {"name": "not measured (no labelled held-out digits)", "value": None}
    classifier = _classifier_for(out_dir, train_set, held_out, config)
    scores = score_generator(generator, classifier, train_set, held_out)
    return {
        "name": "class accuracy of generated digits",
        "unit": "fraction",
        "split": f"{scores['generated']:,} generated vs {held_out.source} ({len(held_out):,})",
        "value": scores["class_accuracy"],
        **{k: v for k, v in scores.items() if k not in ("class_accuracy", "generated")},
    }


def _dataset_fields(train_set, held_out) -> dict:
    return {
        "train": f"{train_set.source} ({len(train_set):,} images)",
        "held_out": f"{held_out.source} ({len(held_out):,})" if held_out else "none",
        "classes": train_set.classes,
    }


def _train_progressive(config, settings, train_set, held_out, name: str, out_dir: Path) -> Path:
    """4 -> 8 -> 16 -> 32 pixels (see :mod:`showcase.dcgan.growing`), judged like the others."""
    data_arg = f" --data {config.data}" if config.data else ""
    with training.training_session(DEMO, config) as session:
        with session.scope():
            global_batch = session.global_batch(config.batch_size)
            started = time.perf_counter()
            grown = growing.grow(
                _padded_batches(train_set, global_batch, config.seed),
                noise_dim=settings["noise_dim"],
                width=settings["width"],
                learning_rate=settings["learning_rate"],
                total_steps=config.epochs * (len(train_set) // global_batch),
                minutes=config.max_minutes,
                out_dir=out_dir,
                name=name,
                card_fields={
                    "paper": PAPERS["pggan"],
                    "dataset": _dataset_fields(train_set, held_out),
                    "policy": session.policy,
                },
                verbose=config.verbose,
                jit_compile=config.jit_compile,
            )
            training_time = time.perf_counter() - started
    metric = _digit_metric(grown.generator, out_dir, train_set, held_out, config, True)
    stages = ", ".join(f"{stage.resolution} px {stage.steps} steps" for stage in grown.stages)
    card = session.card(
        name,
        paper=PAPERS["pggan"],
        dataset=_dataset_fields(train_set, held_out),
        metric=metric,
        notes=(
            f"Class-conditional progressive GAN grown 4 -> 8 -> 16 -> 32 pixels ({stages}), "
            "WGAN-GP with drift, trained on digits padded to 32 x 32 and cropped to 28 x 28. "
            "The generator at the end of each smaller stage is in "
            f"{checkpoints.companion_folder(Path(name)).name}/; sample grids per stage in "
            f"samples/{name}/."
        ),
        evaluate_command=f"showcase evaluate {DEMO} --checkpoint {name}.keras{data_arg} --json",
        training_time_s=training_time,
        leave_out=("name", "gamma", "lambda_k", "beta_1", "class_weight"),
        **settings,
        filters={
            str(side): count for side, count in progressive.filters_for(settings["width"]).items()
        },
        stages=[dataclasses.asdict(stage) for stage in grown.stages],
        steps_run=sum(stage.steps for stage in grown.stages),
        final_d_loss=grown.final_d_loss,
        final_g_loss=grown.final_g_loss,
    )
    card.curves = growth_curves(grown.rows)
    return session.save(grown.generator, card)


def _padded_batches(train, batch_size: int, seed: int):
    return _batches(train, batch_size, seed).map(
        lambda images, labels: (framing.pad_to_train_side(images), labels)
    )


def train(config: DCGANTrainConfig) -> Path:
    if not 0.0 < config.gamma <= 1.0:
        raise ShowcaseError(f"--gamma must be in (0, 1], not {config.gamma:g}")
    if not 0.0 <= config.class_weight <= 10.0:
        raise ShowcaseError(f"--class-weight must be in [0, 10], not {config.class_weight:g}")
    if not 0.0 <= config.lambda_k <= 1.0 or config.max_minutes < 0:
        raise ShowcaseError("--lambda-k must be in [0, 1] and --max-minutes at least 0")
    training.prepare(config)
    keras.utils.set_random_seed(config.seed)
    settings = config.resolved()
    train_set, held_out = load_splits(config.data, image_size=config.image_size)
    image_size = train_set.images.shape[1]
    channels = 1 if train_set.images.ndim == 3 else train_set.images.shape[3]
    digits = train_set.classes == 10 and image_size == 28 and channels == 1
    if config.model != "dcgan" and not digits:
        raise ShowcaseError(
            f"{config.model.upper()} trains on MNIST digits only (28 x 28, ten classes)"
        )
    default_name = CHECKPOINT_NAME if config.model == "dcgan" else config.model
    name = config.name or (default_name if digits else Path(str(config.data)).name or "pictures")
    out_dir = training.output_folder(DEMO, config)
    shape = {"image_size": image_size, "channels": channels}
    if config.model == "pggan":
        return _train_progressive(config, settings, train_set, held_out, name, out_dir)

    def new_generator():
        return build_generator(settings["noise_dim"], train_set.classes, settings["width"], **shape)

    steps = StepLog(("m_global", "k"))
    with training.training_session(DEMO, config) as session:
        with session.scope():
            global_batch = session.global_batch(config.batch_size)
            if config.model == "began":
                generator = began.build_generator(settings["noise_dim"], filters=settings["width"])
                gan = began.BoundaryEquilibriumGAN(
                    generator,
                    began.build_discriminator(filters=settings["width"]),
                    gamma=config.gamma,
                    lambda_k=config.lambda_k,
                    class_weight=config.class_weight,
                    noise_dim=settings["noise_dim"],
                )
                batches = _padded_batches(train_set, global_batch, config.seed)
            else:
                generator = new_generator()
                discriminator = build_discriminator(train_set.classes, settings["width"], **shape)
                gan = ConditionalGAN(generator, discriminator, noise_dim=settings["noise_dim"])
                batches = _batches(train_set, global_batch, config.seed)
            gan.compile(
                **_optimizers(config, settings["learning_rate"]), jit_compile=config.jit_compile
            )
            callbacks = [SampleGridCallback(out_dir / "samples" / name)]
            if config.model == "began":
                callbacks.append(steps)
            if config.max_minutes:
                callbacks.append(StopAfter(config.max_minutes * 60))
            started = time.perf_counter()
            history = gan.fit(
                batches,
                # Counted steps over a repeated dataset: a distributed fit cannot probe the end.
                steps_per_epoch=len(train_set) // global_batch,
                epochs=config.epochs,
                verbose=config.verbose,
                shuffle=False,  # the tf.data pipeline reshuffles every epoch
                callbacks=callbacks,
            )
            training_time = time.perf_counter() - started
    if config.model == "began":
        generator = framing.digit_generator(generator)
    elif config.mixed_precision:
        # A float32 copy: the checkpoint should not carry the training precision policy.
        generator = training.inference_copy(generator, new_generator)

    metric = _digit_metric(generator, out_dir, train_set, held_out, config, digits)
    data_arg = f" --data {config.data}" if config.data else ""
    if config.model == "began":
        notes = (
            f"Class-conditional BEGAN at gamma {config.gamma:g} with an auxiliary classifier "
            f"(weight {config.class_weight:g}), trained at 32 x 32 (digits padded by 2 pixels) "
            f"and cropped to 28 x 28; k_t ended at {float(gan.k.numpy()):.4f}. "
            f"Training writes a sample grid per epoch to samples/{name}/."
        )
    elif train_set.classes > 1:
        notes = (
            "Class-conditional DCGAN: a label embedding joins the noise in the generator; the "
            "discriminator scores with a class projection. Training writes a sample grid per "
            f"epoch to samples/{name}/."
        )
    else:
        notes = "Unconditional DCGAN trained on a folder of pictures."
    card = session.card(
        name,
        paper=PAPERS[config.model],
        dataset=_dataset_fields(train_set, held_out),
        metric=metric,
        notes=notes,
        # The DCGAN's own command stays the short one its card has always shown.
        train_command=f"showcase train {DEMO}{data_arg}" if config.model == "dcgan" else None,
        evaluate_command=f"showcase evaluate {DEMO} --checkpoint {name}.keras{data_arg} --json",
        training_time_s=training_time,
        leave_out=("name",) + (BEGAN_ONLY if config.model == "dcgan" else ()),
        **settings,
        image_size=image_size,
        channels=channels,
        epochs_run=len(history.history["d_loss"]),
        steps_run=int(gan.d_optimizer.iterations.numpy()),
        final_d_loss=round(float(history.history["d_loss"][-1]), 4),
        final_g_loss=round(float(history.history["g_loss"][-1]), 4),
        **({"final_k": round(float(gan.k.numpy()), 5)} if config.model == "began" else {}),
    )
    if config.model == "began":
        card.curves = began_curves(steps.rows)
    return session.save(generator, card)
