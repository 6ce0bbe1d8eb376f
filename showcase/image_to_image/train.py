"""Train pix2pix, its L1-only ablation or a colouriser (`showcase train image_to_image --model
NAME`)."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import keras

from showcase import checkpoints, training
from showcase.errors import DataError, ShowcaseError
from showcase.image_to_image import colour_bins
from showcase.image_to_image import model as networks
from showcase.image_to_image.colour_data import colour_crops, training_photos
from showcase.image_to_image.colour_model import (
    COLOUR_MODELS,
    ColouriserTrainer,
    build_colouriser,
)
from showcase.image_to_image.data import held_out, training_crops, training_pairs
from showcase.image_to_image.evaluate import (
    DEMO,
    METRIC,
    score_colouriser,
    score_generator,
    split_label,
)
from showcase.image_to_image.presets import ImageToImageTrainConfig
from showcase.images import list_images
from showcase.resumable import warm_start_card

TRAIN_CONFIG = ImageToImageTrainConfig
COLOUR_PAPERS = {
    "colour_regression": "Colorful Image Colorization (Zhang, Isola & Efros 2016): the L2 "
    "regression baseline",
    "colour_classes": "Colorful Image Colorization (Zhang, Isola & Efros 2016)",
    "colour_hints": "Real-Time User-Guided Image Colorization with Learned Deep Priors (Zhang, "
    "Zhu, Isola, Geng, Lin, Yu & Efros 2017)",
}
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
             "d_loss": "discriminator's loss", "loss": "colour loss (training crops)"}  # fmt: skip
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


@dataclasses.dataclass
class Run:
    """What one training run of either kind hands to the card: the shipped model and its
    scores, and what the card says about it."""

    model: keras.Model
    photos_scored: int
    measured: dict
    paper: str
    dataset: dict
    notes: str
    leave_out: tuple[str, ...]


def _starting_model(config: ImageToImageTrainConfig, earlier, build) -> keras.Model:
    if earlier is None:
        return build()
    if earlier.hyperparameters.get("model") != config.model:
        raise ShowcaseError(f"{config.warm_start} is not a {config.model} checkpoint")
    return checkpoints.load_model(Path(config.warm_start), DEMO)


def _fit(trainer, batches, config: ImageToImageTrainConfig, log) -> tuple[Limits, float]:
    limits = Limits(config.steps_per_epoch, config.max_minutes * 60, config.max_steps, log)
    started = time.perf_counter()
    trainer.fit(batches, epochs=config.epochs, steps_per_epoch=config.steps_per_epoch,
                verbose=config.verbose, callbacks=[limits], shuffle=False)  # fmt: skip
    return limits, time.perf_counter() - started


def _adam(config: ImageToImageTrainConfig):
    return keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1)


def _train_set(folders: list[str]) -> str:
    return f"{', '.join(folders)} ({len(list_images(folders))} photos; random 128-pixel crops at " \
        "two scales, flipped)"  # fmt: skip


def train(config: ImageToImageTrainConfig) -> Path:
    training.prepare(config)
    if not config.data:
        raise DataError("give the training photos with --data DIR[,DIR]")
    if not config.held_out:
        raise DataError("give the held-out photos with --held-out DIR")
    keras.utils.set_random_seed(config.seed)
    log = print if config.verbose else (lambda line: None)
    folders = [folder for folder in config.data.split(",") if folder]
    earlier = warm_start_card(config.warm_start)
    colour = config.model in COLOUR_MODELS
    with training.training_session(DEMO, config) as session:
        fit = _fit_colouriser if colour else _fit_pix2pix
        model, rebuild, limits, training_time = fit(config, folders, earlier, session, log)
    # Built after the session, so in float32 whatever precision trained it.
    shipped = _shipped(model, rebuild)
    run = (_colouriser_run if colour else _pix2pix_run)(config, shipped)
    name = config.name or config.model
    seconds_before = earlier.training_time_s if earlier else 0.0
    steps_before = int(earlier.hyperparameters.get("steps_run", 0)) if earlier else 0
    split = split_label(config.held_out, run.photos_scored)
    card = session.card(
        name,
        paper=run.paper,
        dataset={
            "train": _train_set(folders),
            "held_out": split,
            "held_out_folder": str(config.held_out),
            **run.dataset,
        },  # fmt: skip
        metric={"name": METRIC, "split": split, "value": run.measured["psnr"], **run.measured},
        notes=run.notes,
        train_command=training.command_line(
            "train", DEMO, config, placeholders={"data": "PHOTOS", "held_out": "HELD_OUT"}
        ),
        evaluate_command=f"showcase evaluate {DEMO} --checkpoint {name}.keras --data HELD_OUT "
        "--json",
        training_time_s=training_time + seconds_before,
        leave_out=("name", "warm_start", "max_minutes", "max_steps", *run.leave_out),
        steps_run=limits.steps + steps_before,
        epochs_log=limits.epochs,
        warm_start=(
            {"from": Path(config.warm_start).name, "steps": steps_before}
            if config.warm_start
            else None
        ),  # fmt: skip
    )
    card.curves = _curves(limits.epochs)
    log(f"held-out: {run.measured}")
    return session.save(run.model, card, half_precision=True)


def _shipped(model, rebuild) -> keras.Model:
    shipped = training.inference_copy(model, rebuild)
    # Shipped compacted (float16 precision, half the file): scored as it is stored.
    checkpoints.round_to_half(shipped)
    return shipped


def _fit_pix2pix(config, folders, earlier, session, log):
    pairs = training_pairs(folders)
    adversarial = config.model == "pix2pix"

    def build():
        return networks.build_unet(config.width)

    with session.scope():
        generator = _starting_model(config, earlier, build)
        discriminator = networks.build_patchgan(config.width) if adversarial else None
        trainer = networks.Pix2PixTrainer(
            generator, discriminator, 1.0 if adversarial else 0.0, config.l1_weight
        )
        trainer.compile(g_optimizer=_adam(config),
                        d_optimizer=_adam(config) if adversarial else None)  # fmt: skip
    batches = training_crops(pairs, session.global_batch(config.batch_size), config.seed)
    return generator, build, *_fit(trainer, batches, config, log)


def _pix2pix_run(config, shipped) -> Run:
    photos = held_out(config.held_out)
    return Run(
        model=shipped,
        photos_scored=len(photos),
        measured=score_generator(shipped, photos),
        paper=PAPER + ("" if config.model == "pix2pix" else ": the L1-only ablation"),
        dataset={"drawings": "OpenCV Canny edges (showcase.image_to_image.edges)"},
        notes="The generator alone is shipped, its weights rounded to float16 precision (the "
        "scores are measured on them). pix2pix keeps no discriminator: a warm start gives it a "
        "fresh one.",
        leave_out=(),
    )


def _fit_colouriser(config, folders, earlier, session, log):
    photos = training_photos(folders)
    weights = None
    if config.model == "colour_classes":
        weights = colour_bins.rebalancing_weights(colour_bins.class_frequencies(photos))

    def build():
        return build_colouriser(config.model, config.width)

    with session.scope():
        colouriser = _starting_model(config, earlier, build)
        trainer = ColouriserTrainer(colouriser, config.model, weights)
        trainer.compile(optimizer=_adam(config))
    batches = colour_crops(photos, session.global_batch(config.batch_size), config.seed)
    return colouriser, build, *_fit(trainer, batches, config, log)


def _colouriser_run(config, shipped) -> Run:
    held = held_out(config.held_out)
    classes = f"{colour_bins.class_count()} ab classes (10 x 10 Lab units)"
    return Run(
        model=shipped,
        photos_scored=len(held),
        measured=score_colouriser(shipped, held),
        paper=COLOUR_PAPERS[config.model],
        dataset={"classes": classes} if config.model == "colour_classes" else {},
        notes="The colouriser alone is shipped, its weights rounded to float16 precision (the "
        "scores are measured on them). It reads the photo's lightness L and gives ab at half "
        "the resolution, scaled up bilinearly.",
        leave_out=("l1_weight",),
    )
