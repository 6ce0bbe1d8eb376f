"""Train the DCGAN (`showcase train dcgan`) and, for MNIST, the classifier that judges it."""

from __future__ import annotations

import time
from pathlib import Path

import keras
import tensorflow as tf

from showcase import checkpoints, training
from showcase.dcgan.api import CHECKPOINT_NAME, DEMO
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

PAPER = (
    "Radford, Metz & Chintala 2015 (DCGAN); Mirza & Osindero 2014 (conditional GAN); "
    "Miyato & Koyama 2018 (projection discriminator)"
)


TRAIN_CONFIG = DCGANTrainConfig


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


def train(config: DCGANTrainConfig) -> Path:
    training.prepare(config)
    keras.utils.set_random_seed(config.seed)
    train_set, held_out = load_splits(config.data, image_size=config.image_size)
    image_size = train_set.images.shape[1]
    channels = 1 if train_set.images.ndim == 3 else train_set.images.shape[3]
    digits = train_set.classes == 10 and image_size == 28 and channels == 1
    name = config.name or (CHECKPOINT_NAME if digits else Path(str(config.data)).name or "pictures")
    out_dir = training.output_folder(DEMO, config)
    shape = {"image_size": image_size, "channels": channels}

    def new_generator():
        return build_generator(config.noise_dim, train_set.classes, config.width, **shape)

    def optimizer():
        adam = keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1)
        # float16 gradients underflow without loss scaling; train_step calls scale_loss.
        return keras.optimizers.LossScaleOptimizer(adam) if config.mixed_precision else adam

    with training.training_session(DEMO, config) as session:
        with session.scope():
            generator = new_generator()
            discriminator = build_discriminator(train_set.classes, config.width, **shape)
            gan = ConditionalGAN(generator, discriminator, noise_dim=config.noise_dim)
            gan.compile(
                d_optimizer=optimizer(), g_optimizer=optimizer(), jit_compile=config.jit_compile
            )
            samples = out_dir / "samples" / name
            global_batch = session.global_batch(config.batch_size)
            started = time.perf_counter()
            history = gan.fit(
                _batches(train_set, global_batch, config.seed),
                # Counted steps over a repeated dataset: a distributed fit cannot probe the end.
                steps_per_epoch=len(train_set) // global_batch,
                epochs=config.epochs,
                verbose=config.verbose,
                shuffle=False,  # the tf.data pipeline reshuffles every epoch
                callbacks=[SampleGridCallback(samples)],
            )
            training_time = time.perf_counter() - started
    if config.mixed_precision:
        # A float32 copy: the checkpoint should not carry the training precision policy.
        generator = training.inference_copy(generator, new_generator)

    metric = {"name": "not measured (no labelled held-out digits)", "value": None}
    if digits and held_out is not None:
        classifier = _classifier_for(out_dir, train_set, held_out, config)
        scores = score_generator(generator, classifier, train_set, held_out)
        metric = {
            "name": "class accuracy of generated digits",
            "unit": "fraction",
            "split": f"{scores['generated']:,} generated vs {held_out.source} ({len(held_out):,})",
            "value": scores["class_accuracy"],
            **{k: v for k, v in scores.items() if k not in ("class_accuracy", "generated")},
        }
    data_arg = f" --data {config.data}" if config.data else ""
    card = session.card(
        name,
        paper=PAPER,
        dataset={
            "train": f"{train_set.source} ({len(train_set):,} images)",
            "held_out": f"{held_out.source} ({len(held_out):,})" if held_out else "none",
            "classes": train_set.classes,
        },
        metric=metric,
        notes=(
            "Class-conditional DCGAN: a label embedding joins the noise in the generator; the "
            "discriminator scores with a class projection. Training writes a sample grid per "
            f"epoch to samples/{name}/."
            if train_set.classes > 1
            else "Unconditional DCGAN trained on a folder of pictures."
        ),
        train_command=f"showcase train {DEMO}{data_arg}",
        evaluate_command=f"showcase evaluate {DEMO}{data_arg} --json",
        training_time_s=training_time,
        leave_out=("name",),
        image_size=image_size,
        channels=channels,
        final_d_loss=round(float(history.history["d_loss"][-1]), 4),
        final_g_loss=round(float(history.history["g_loss"][-1]), 4),
    )
    return session.save(generator, card)
