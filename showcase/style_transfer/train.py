"""Train a fast style network for one painting (Johnson et al. 2016) and save it with its card."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from showcase import checkpoints
from showcase.errors import DataError
from showcase.style_transfer.evaluate import evaluate  # noqa: F401 - `showcase evaluate` finds it

DEMO = "style_transfer"


@dataclasses.dataclass
class FastStyleTrainConfig:
    style: str = ""
    content_dir: str = ""  # a folder of photos, or several separated by commas
    name: str = ""
    data: str | None = None  # same as content_dir, for the CLI's common --data
    # Held-out photos: after training, the card records the scores `showcase evaluate` gives.
    eval_dir: str = ""
    photos_terms: str = ""  # the photos' licence, written into the card
    epochs: int = 8
    steps_per_epoch: int = 200
    batch_size: int = 4
    crop_size: int = 128
    learning_rate: float = 1e-3
    width: float = 0.25
    residual_blocks: int = 3
    content_weight: float = 1.0
    style_weight: float = 3.0
    tv_weight: float = 5.0
    loss_network: str = "squeezenet"
    jit_compile: bool = True
    seed: int = 0
    strategy: str = "auto"
    mixed_precision: bool = False
    out: str | None = None
    verbose: int = 1


TRAIN_CONFIG = FastStyleTrainConfig


def style_grams(loss_network, style_image, size: int):
    """The painting's Gram matrices at the scale the network is trained at."""
    import numpy as np

    from showcase.images import fit_within, open_image
    from showcase.style_transfer.losses import gram_matrix

    painting, _ = fit_within(open_image(style_image), size)
    features = loss_network.features(np.asarray(painting, dtype="float32")[None])
    return {layer: gram_matrix(features[layer]) for layer in loss_network.spec.style_layers}


def train(config: FastStyleTrainConfig) -> Path:
    import keras

    from showcase.distribute import make_strategy, set_precision
    from showcase.style_transfer.data import list_images, photo_crops
    from showcase.style_transfer.loss_networks import LossNetwork
    from showcase.style_transfer.model import FastStyleTrainer, build_transformer

    content_dir = config.content_dir or config.data
    if not config.style or not content_dir:
        raise DataError("give the painting with --style IMG and the photos with --content-dir DIR")
    name = config.name or Path(config.style).stem
    keras.utils.set_random_seed(config.seed)
    files = list_images([folder for folder in content_dir.split(",") if folder])
    policy = set_precision(config.mixed_precision)
    strategy = make_strategy(config.strategy)
    with strategy.scope():
        loss_network = LossNetwork(config.loss_network, for_fast_network=True)
        grams = style_grams(loss_network, config.style, 2 * config.crop_size)
        transformer = build_transformer(config.width, config.residual_blocks, name=name)
        trainer = FastStyleTrainer(
            transformer,
            loss_network,
            grams,
            config.content_weight,
            config.style_weight,
            config.tv_weight,
        )
        # XLA fuses the small convolutions and normalisations: 2.7x faster steps on a CPU.
        trainer.compile(
            optimizer=keras.optimizers.Adam(config.learning_rate), jit_compile=config.jit_compile
        )
    photos = photo_crops(
        files, config.crop_size, config.batch_size * strategy.num_replicas_in_sync, config.seed
    )
    started = time.perf_counter()
    history = trainer.fit(
        photos,
        epochs=config.epochs,
        steps_per_epoch=config.steps_per_epoch,
        verbose=config.verbose,
        shuffle=False,
    )
    training_time = time.perf_counter() - started
    keras.mixed_precision.set_global_policy("float32")

    photos_text = f"{content_dir} ({len(files)} images)"
    card = checkpoints.ModelCard(
        demo=DEMO,
        name=name,
        paper="Johnson, Alahi & Fei-Fei 2016 (perceptual losses); Ulyanov et al. 2016 "
        "(instance normalisation)",
        dataset={
            "style": str(config.style),
            "photos": photos_text,
            **({"photos_terms": config.photos_terms} if config.photos_terms else {}),
        },
        metric={
            "name": "final training loss",
            "split": "training crops",
            "value": round(float(history.history["loss"][-1]), 4),
        },
        train_command=f"showcase train {DEMO} --style {config.style} --content-dir {content_dir}"
        + (f" --eval-dir {config.eval_dir}" if config.eval_dir else ""),
        training_time_s=round(training_time, 1),
        hardware=checkpoints.hardware_summary(),
        hyperparameters={
            **{
                k: v
                for k, v in dataclasses.asdict(config).items()
                if k not in ("out", "verbose", "data", "photos_terms")
            },
            "loss_network_title": loss_network.spec.title,
            "content_layer": loss_network.spec.content_layer,
            "precision_policy": policy,
        },
        notes=(
            f"Loss network: {loss_network.spec.title}, content from "
            f"{loss_network.spec.content_layer}. Trained on random crops of {photos_text}."
        ),
    )
    out_dir = Path(config.out) if config.out else checkpoints.user_checkpoint_dir(DEMO)
    path = checkpoints.save(transformer, card, out_dir)
    if config.eval_dir:
        _record_evaluation(path, config)
    return path


def _record_evaluation(path: Path, config: FastStyleTrainConfig) -> None:
    """Score the new style on held-out photos, as `showcase evaluate` does, into its card."""
    import numpy as np

    from showcase.images import open_image
    from showcase.style_transfer.api import StyleTransfer
    from showcase.style_transfer.evaluate import load_photos, score_style, split_label
    from showcase.style_transfer.loss_networks import LossNetwork

    style = StyleTransfer.load(path)
    photos = load_photos(config.eval_dir)
    painting = np.asarray(open_image(config.style), np.float32)
    row = score_style(style, painting, photos, LossNetwork.best_available("squeezenet"))
    card = style.card
    card.metric = {
        "name": row["metric"],
        "split": split_label(config.eval_dir, len(photos)),
        "value": row["value"],
        "content_loss": row["content_loss"],
        "loss_network": row["loss_network"],
        **({"paired_with_gatys": row["paired_with_gatys"]} if "paired_with_gatys" in row else {}),
    }
    card.evaluate_command = (
        f"showcase evaluate {DEMO} --data {config.eval_dir} --paintings {Path(config.style).parent}"
    )
    card.write(checkpoints.card_path_for(path))
