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
from showcase.image_to_image.cyclegan import (
    PAIRED_NAME,
    CycleGANTrainer,
    build_cyclegan,
    build_picture_critic,
    build_resnet_generator,
    generators,
)
from showcase.image_to_image.data import held_out, training_crops, training_pairs
from showcase.image_to_image.evaluate import (
    DEMO,
    METRIC,
    PAINTING_METRIC,
    score_colouriser,
    score_generator,
    score_painter,
    split_label,
)
from showcase.image_to_image.painted import rendered
from showcase.image_to_image.painting_data import (
    domain_photos,
    painted_held_out,
    painted_photos,
    paired_crops,
    paired_photos,
    unpaired_crops,
)
from showcase.image_to_image.presets import PAINTING_MODELS, ImageToImageTrainConfig
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
CYCLEGAN_PAPER = "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial " \
    "Networks (Zhu, Park, Isola & Efros 2017)"  # fmt: skip
# Folders the card's training command names by role, not by where they were on this machine.
PLACEHOLDERS = {"data": "PHOTOS", "held_out": "HELD_OUT", "paintings": "PAINTINGS",
                "held_out_paintings": "HELD_OUT_PAINTINGS"}  # fmt: skip
# What a run of another kind leaves out of its card.
_PAINTING_FIELDS = ("paintings", "held_out_paintings", "crop", "residual_blocks", "cycle_weight",
                    "identity_weight")  # fmt: skip
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
             "d_loss": "discriminator's loss", "loss": "colour loss (training crops)",
             "cycle": "cycle loss (L1, both ways)", "identity": "identity loss (L1, both ways)",
             "g_gan": "photo -> painting's GAN loss (LSGAN)",
             "f_gan": "painting -> photo's GAN loss (LSGAN)"}  # fmt: skip
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
    side: int = networks.TRAIN_SIDE
    metric: str = METRIC


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


def _train_set(folders: list[str], config: ImageToImageTrainConfig) -> str:
    count = len(list_images(folders))
    if config.model in PAINTING_MODELS:
        return f"{', '.join(folders)} ({count} photos, shorter side 144; random " \
            f"{config.crop}-pixel crops, flipped)"  # fmt: skip
    return f"{', '.join(folders)} ({count} photos; random 128-pixel crops at two scales, flipped)"


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
    if config.model in PAINTING_MODELS and not (config.paintings and config.held_out_paintings):
        raise DataError("give the painted photos with --paintings DIR and the held-out photos' "
                        "with --held-out-paintings DIR (python -m showcase.image_to_image.painted "
                        "makes them)")  # fmt: skip
    fit, finish = _KINDS[_kind(config.model)]
    with training.training_session(DEMO, config) as session:
        model, rebuild, limits, training_time = fit(config, folders, earlier, session, log)
    # Built after the session, so in float32 whatever precision trained it.
    shipped = _shipped(model, rebuild)
    run = finish(config, shipped)
    name = config.name or config.model
    seconds_before = earlier.training_time_s if earlier else 0.0
    steps_before = int(earlier.hyperparameters.get("steps_run", 0)) if earlier else 0
    split = split_label(config.held_out, run.photos_scored, run.side)
    card = session.card(
        name,
        paper=run.paper,
        dataset={
            "train": _train_set(folders, config),
            "held_out": split,
            "held_out_folder": str(config.held_out),
            **run.dataset,
        },  # fmt: skip
        metric={"name": run.metric, "split": split, "value": run.measured["psnr"], **run.measured},
        notes=run.notes,
        train_command=training.command_line("train", DEMO, config, placeholders=PLACEHOLDERS),
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
        leave_out=_PAINTING_FIELDS,
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
        leave_out=("l1_weight",) + _PAINTING_FIELDS,
    )


def _painting_dataset(config) -> dict:
    made = rendered(config.paintings)
    return {
        "paintings": f"{config.paintings} ({made['count']} photos from "
        f"{', '.join(made['photos'])} painted after {made['painting']}: {made['method']}, "
        f"{made['iterations']} iterations, style weight {made['style_weight']:g}, "
        f"{made['side']} pixels)",
        "held_out_paintings": str(config.held_out_paintings),
        "training_crops": f"random {config.crop}-pixel crops, flipped",
    }


def _fit_cyclegan(config, folders, earlier, session, log):
    photos, paintings = domain_photos(folders), painted_photos(config.paintings)
    log(f"domain A: {len(photos)} photos; domain B: {len(paintings)} painted photos")

    def build():
        return build_cyclegan(config.width, config.residual_blocks)

    batch = session.global_batch(config.batch_size)
    with session.scope():
        joined = _starting_model(config, earlier, build)
        trainer = CycleGANTrainer(
            *generators(joined),
            build_picture_critic(config.width, "photo_critic"),
            build_picture_critic(config.width, "painting_critic"),
            config.crop,
            batch,
            config.cycle_weight,
            config.identity_weight,
            config.seed,
        )
        trainer.compile(g_optimizer=_adam(config), d_optimizer=_adam(config))
    batches = unpaired_crops(photos, paintings, batch, config.crop, config.seed)
    return joined, build, *_fit(trainer, batches, config, log)


def _fit_painting_pix2pix(config, folders, earlier, session, log):
    pairs = paired_photos(config.paintings, folders)
    log(f"{len(pairs)} (photo, painting) pairs")

    def build():
        return build_resnet_generator(config.width, config.residual_blocks, PAIRED_NAME)

    with session.scope():
        generator = _starting_model(config, earlier, build)
        critic = networks.build_patchgan(config.width, in_channels=3, out_channels=3)
        trainer = networks.Pix2PixTrainer(generator, critic, 1.0, config.l1_weight)
        trainer.compile(g_optimizer=_adam(config), d_optimizer=_adam(config))
    batches = paired_crops(
        pairs, session.global_batch(config.batch_size), config.crop, config.seed
    )  # fmt: skip
    return generator, build, *_fit(trainer, batches, config, log)


def _painter_run(config, shipped) -> Run:
    held = painted_held_out(config.held_out, config.held_out_paintings)
    cyclegan = config.model == "cyclegan"
    return Run(
        model=shipped,
        photos_scored=len(held),
        measured=score_painter(shipped, held),
        paper=CYCLEGAN_PAPER
        if cyclegan
        else PAPER + ": the same ResNet generator trained on "
        "(photo, painted photo) pairs, CycleGAN's upper bound",
        dataset=_painting_dataset(config),
        notes=(
            "Both generators are shipped in one model (photo -> painting, painting -> photo); "
            "the discriminators are not (a warm start gives fresh ones)."
            if cyclegan
            else "The generator alone is shipped; it was trained on the pairs of domain B (each "
            "painted photo with its photo), with L1 x 100 and a conditional PatchGAN."
        )
        + " Weights rounded to float16 precision (the scores are measured on them).",
        leave_out=("l1_weight",) if cyclegan else ("cycle_weight", "identity_weight"),
        side=int(rendered(config.held_out_paintings)["side"]),
        metric=PAINTING_METRIC,
    )


def _fit_painter(config, *rest):
    return (_fit_cyclegan if config.model == "cyclegan" else _fit_painting_pix2pix)(config, *rest)


def _kind(model: str) -> str:
    if model in COLOUR_MODELS:
        return "colour"
    return "painting" if model in PAINTING_MODELS else "drawing"


_KINDS = {
    "drawing": (_fit_pix2pix, _pix2pix_run),
    "colour": (_fit_colouriser, _colouriser_run),
    "painting": (_fit_painter, _painter_run),
}
