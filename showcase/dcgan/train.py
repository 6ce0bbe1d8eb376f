"""Train the DCGAN (`showcase train dcgan`) and, for MNIST, the classifier that judges it."""

from __future__ import annotations

import time
from pathlib import Path

import keras
import tensorflow as tf

from showcase import checkpoints, training
from showcase.dcgan import began
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

PAPERS = {
    "dcgan": "Radford, Metz & Chintala 2015 (DCGAN); Mirza & Osindero 2014 (conditional GAN); "
    "Miyato & Koyama 2018 (projection discriminator)",
    "began": "Berthelot, Schumm & Metz 2017 (BEGAN), made class-conditional",
}


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


class StepLog(keras.callbacks.Callback):
    """Keeps every ``every``-th step's BEGAN convergence measure and controller state."""

    def __init__(self, every: int = 10):
        super().__init__()
        self.every = every
        self.step = 0
        self.rows: list[dict] = []

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.step % self.every == 0 and logs:
            self.rows.append(
                {
                    "step": self.step,
                    "m_global": round(float(logs["m_global"]), 4),
                    "k": round(float(logs["k"]), 5),
                }
            )


def began_curves(rows: list[dict]) -> dict:
    steps = [row["step"] for row in rows]
    return {
        "BEGAN convergence measure M_global": {
            "x": steps,
            "y": [row["m_global"] for row in rows],
            "x_label": "step",
            "y_label": "M_global",
        },
        "BEGAN equilibrium controller k_t": {
            "x": steps,
            "y": [row["k"] for row in rows],
            "x_label": "step",
            "y_label": "k_t",
        },
    }


def _optimizers(config: DCGANTrainConfig, learning_rate: float):
    def optimizer():
        adam = keras.optimizers.Adam(learning_rate, beta_1=config.beta_1)
        # float16 gradients underflow without loss scaling; train_step calls scale_loss.
        return keras.optimizers.LossScaleOptimizer(adam) if config.mixed_precision else adam

    return {"d_optimizer": optimizer(), "g_optimizer": optimizer()}


def _began_batches(train, batch_size: int, seed: int):
    return _batches(train, batch_size, seed).map(
        lambda images, labels: (began.pad_to_train_side(images), labels)
    )


def train(config: DCGANTrainConfig) -> Path:
    if not 0.0 < config.gamma <= 1.0:
        raise ShowcaseError(f"--gamma must be in (0, 1], not {config.gamma:g}")
    if not 0.0 <= config.lambda_k <= 1.0 or config.max_minutes < 0:
        raise ShowcaseError("--lambda-k must be in [0, 1] and --max-minutes at least 0")
    training.prepare(config)
    keras.utils.set_random_seed(config.seed)
    settings = config.resolved()
    train_set, held_out = load_splits(config.data, image_size=config.image_size)
    image_size = train_set.images.shape[1]
    channels = 1 if train_set.images.ndim == 3 else train_set.images.shape[3]
    digits = train_set.classes == 10 and image_size == 28 and channels == 1
    if config.model == "began" and not digits:
        raise ShowcaseError("BEGAN trains on MNIST digits only (28 x 28, ten classes)")
    default_name = CHECKPOINT_NAME if config.model == "dcgan" else config.model
    name = config.name or (default_name if digits else Path(str(config.data)).name or "pictures")
    out_dir = training.output_folder(DEMO, config)
    shape = {"image_size": image_size, "channels": channels}

    def new_generator():
        return build_generator(settings["noise_dim"], train_set.classes, settings["width"], **shape)

    steps = StepLog()
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
                    noise_dim=settings["noise_dim"],
                )
                batches = _began_batches(train_set, global_batch, config.seed)
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
        generator = began.digit_generator(generator)
    elif config.mixed_precision:
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
    if config.model == "began":
        notes = (
            f"Class-conditional BEGAN at gamma {config.gamma:g}, trained at 32 x 32 (digits padded "
            f"by 2 pixels) and cropped to 28 x 28; k_t ended at {float(gan.k.numpy()):.4f}. "
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
        dataset={
            "train": f"{train_set.source} ({len(train_set):,} images)",
            "held_out": f"{held_out.source} ({len(held_out):,})" if held_out else "none",
            "classes": train_set.classes,
        },
        metric=metric,
        notes=notes,
        # The DCGAN's own command stays the short one its card has always shown.
        train_command=f"showcase train {DEMO}{data_arg}" if config.model == "dcgan" else None,
        evaluate_command=f"showcase evaluate {DEMO} --checkpoint {name}.keras{data_arg} --json",
        training_time_s=training_time,
        leave_out=("name",),
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
