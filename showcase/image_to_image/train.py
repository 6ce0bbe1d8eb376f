"""Train pix2pix or its L1-only ablation (`showcase train image_to_image --model NAME`)."""

from __future__ import annotations

import time
from pathlib import Path

import keras

from showcase import checkpoints, training
from showcase.errors import DataError, ShowcaseError
from showcase.image_to_image import model as networks
from showcase.image_to_image.data import held_out, training_crops, training_pairs
from showcase.image_to_image.evaluate import DEMO, METRIC, score_generator, split_label
from showcase.image_to_image.presets import ImageToImageTrainConfig
from showcase.images import list_images
from showcase.resumable import warm_start_card

TRAIN_CONFIG = ImageToImageTrainConfig
PAPER = "Image-to-Image Translation with Conditional Adversarial Networks (Isola, Zhu, Zhou & " \
    "Efros 2017)"  # fmt: skip


class Limits(keras.callbacks.Callback):
    """Log every epoch's losses; stop after ``max_seconds`` or ``max_steps`` (0: no limit)."""

    def __init__(self, steps_per_epoch: int, max_seconds: float, max_steps: int, log):
        super().__init__()
        self.steps_per_epoch = steps_per_epoch
        self.max_seconds = max_seconds
        self.max_steps = max_steps
        self.log = log
        self.started = time.perf_counter()
        self.steps = 0
        self.epochs: list[dict] = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if self.max_steps and self.steps >= self.max_steps:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch + 1, "steps": self.steps,
               **{key: round(float(value), 4) for key, value in (logs or {}).items()},
               "minutes": round((time.perf_counter() - self.started) / 60, 1)}  # fmt: skip
        self.epochs.append(row)
        self.log(", ".join(f"{key} {value}" for key, value in row.items()))
        if self.max_seconds and time.perf_counter() - self.started > self.max_seconds:
            self.log(f"stopping: --max-minutes {self.max_seconds / 60:g} passed")
            self.model.stop_training = True


def _curves(epochs: list[dict]) -> dict:
    steps = [row["steps"] for row in epochs]
    names = {"l1": "L1 to the photo (training crops)", "gan": "generator's GAN loss",
             "d_loss": "discriminator's loss"}  # fmt: skip
    return {
        title: {
            "x": steps,
            "y": [row[key] for row in epochs],
            "x_label": "step",
            "y_label": key,
        }  # fmt: skip
        for key, title in names.items()
        if epochs and key in epochs[0]
    }


def train(config: ImageToImageTrainConfig) -> Path:
    training.prepare(config)
    if not config.data:
        raise DataError("give the training photos with --data DIR[,DIR]")
    if not config.held_out:
        raise DataError("give the held-out photos with --held-out DIR")
    keras.utils.set_random_seed(config.seed)
    log = print if config.verbose else (lambda line: None)
    name = config.name or config.model
    folders = [folder for folder in config.data.split(",") if folder]
    photo_count = len(list_images(folders))
    pairs = training_pairs(folders)
    earlier = warm_start_card(config.warm_start)
    adversarial = config.model == "pix2pix"
    with training.training_session(DEMO, config) as session:
        with session.scope():
            if earlier is not None:
                if earlier.hyperparameters.get("model") != config.model:
                    raise ShowcaseError(f"{config.warm_start} is not a {config.model} checkpoint")
                generator = checkpoints.load_model(Path(config.warm_start), DEMO)
            else:
                generator = networks.build_unet(config.width)
            discriminator = networks.build_patchgan(config.width) if adversarial else None
            trainer = networks.Pix2PixTrainer(
                generator, discriminator, 1.0 if adversarial else 0.0, config.l1_weight
            )

            def adam():
                return keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1)

            trainer.compile(g_optimizer=adam(), d_optimizer=adam() if adversarial else None)
        limits = Limits(config.steps_per_epoch, config.max_minutes * 60, config.max_steps, log)
        started = time.perf_counter()
        trainer.fit(
            training_crops(pairs, session.global_batch(config.batch_size), config.seed),
            epochs=config.epochs,
            steps_per_epoch=config.steps_per_epoch,
            verbose=config.verbose,
            callbacks=[limits],
            shuffle=False,
        )
        training_time = time.perf_counter() - started
    shipped = training.inference_copy(generator, lambda: networks.build_unet(config.width))
    # Shipped compacted (float16 precision, half the file): scored as it is stored.
    checkpoints.round_to_half(shipped)
    photos = held_out(config.held_out)
    measured = score_generator(shipped, photos)
    seconds_before = earlier.training_time_s if earlier else 0.0
    steps_before = int(earlier.hyperparameters.get("steps_run", 0)) if earlier else 0
    card = session.card(
        name,
        paper=PAPER + ("" if adversarial else ": the L1-only ablation"),
        dataset={
            "train": f"{', '.join(folders)} ({photo_count} photos; random 128-pixel crops at "
            "two scales, flipped)",
            "held_out": split_label(config.held_out, len(photos)),
            "held_out_folder": str(config.held_out),
            "drawings": "OpenCV Canny edges (showcase.image_to_image.edges)",
        },
        metric={
            "name": METRIC,
            "split": split_label(config.held_out, len(photos)),
            "value": measured["psnr"],
            **measured,
        },  # fmt: skip
        notes="The generator alone is shipped, its weights rounded to float16 precision (the "
        "scores are measured on them). pix2pix keeps no discriminator: a warm start gives it a "
        "fresh one.",
        train_command=training.command_line(
            "train", DEMO, config, placeholders={"data": "PHOTOS", "held_out": "HELD_OUT"}
        ),
        evaluate_command=f"showcase evaluate {DEMO} --checkpoint {name}.keras --data HELD_OUT "
        "--json",
        training_time_s=training_time + seconds_before,
        leave_out=("name", "warm_start", "max_minutes", "max_steps"),
        steps_run=limits.steps + steps_before,
        epochs_log=limits.epochs,
        warm_start=(
            {"from": Path(config.warm_start).name, "steps": steps_before}
            if config.warm_start
            else None
        ),  # fmt: skip
    )
    card.curves = _curves(limits.epochs)
    log(f"held-out: {measured}")
    return session.save(shipped, card, half_precision=True)
