"""The shipped image-to-image models' training settings: the trainer, the CLI and the cards read
them here (no TensorFlow imported)."""

from __future__ import annotations

import dataclasses

from showcase.training import TrainConfig

# pix2pix's two, colourisation's three (``colour_model.py``), then photo <-> painting's two
# (``cyclegan.py``: CycleGAN, and pix2pix trained on the same task with pairs, its upper bound).
MODELS = ("pix2pix", "l1_only", "colour_regression", "colour_classes", "colour_hints",
          "cyclegan", "painting_pix2pix")  # fmt: skip
PAINTING_MODELS = ("cyclegan", "painting_pix2pix")


@dataclasses.dataclass
class ImageToImageTrainConfig(TrainConfig):
    data: str | None = dataclasses.field(
        default=None,
        metadata={"help": "folder(s) of training photos, separated by commas (e.g. BSDS500 "
                  "train and val)"},
    )  # fmt: skip
    held_out: str = dataclasses.field(
        default="", metadata={"help": "folder of held-out photos the card's scores come from"}
    )
    model: str = dataclasses.field(
        default="pix2pix",
        metadata={
            "choices": MODELS,
            "help": "pix2pix (L1 + conditional GAN), l1_only (its ablation), or a colouriser: "
            "colour_regression (L2), colour_classes (Zhang et al. 2016), colour_hints (with "
            "user hints, Zhang et al. 2017); cyclegan (photo <-> painting, unpaired) or "
            "painting_pix2pix (photo -> painting from pairs, CycleGAN's upper bound)",
        },
    )
    paintings: str | None = dataclasses.field(
        default=None,
        metadata={"help": "cyclegan, painting_pix2pix: folder of painted photos, domain B "
                  "(made by python -m showcase.image_to_image.painted from photos not in --data; "
                  "painting_pix2pix: from the photos in --data)"},
    )  # fmt: skip
    held_out_paintings: str | None = dataclasses.field(
        default=None,
        metadata={"help": "cyclegan, painting_pix2pix: the held-out photos painted the same way "
                  "(their true targets)"},
    )  # fmt: skip
    crop: int = dataclasses.field(
        default=64,
        metadata={"help": "cyclegan, painting_pix2pix: side of the random training crops "
                  "(applied to whole 128-pixel pictures)"},
    )  # fmt: skip
    residual_blocks: int = dataclasses.field(
        default=6,
        metadata={"help": "cyclegan, painting_pix2pix: the generator's residual blocks (the "
                  "paper's: 6 for 128-pixel pictures, 9 for 256)"},
    )  # fmt: skip
    cycle_weight: float = 10.0
    identity_weight: float = dataclasses.field(
        default=0.5, metadata={"help": "cyclegan: the identity loss's weight, x cycle_weight"}
    )
    epochs: int = 200
    steps_per_epoch: int = 75  # 300 photos in batches of 4
    batch_size: int = 4
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    width: int = dataclasses.field(
        default=32, metadata={"help": "filters of the first layers (the paper's: 64)"}
    )
    l1_weight: float = 100.0
    seed: int = 0
    max_minutes: float = dataclasses.field(
        default=0.0,
        metadata={
            "help": "stop after the epoch during which this many minutes passed (0: no limit)"
        },
    )
    max_steps: int = dataclasses.field(
        default=0,
        metadata={"help": "stop after this many training steps (0: no limit), e.g. to give the "
                  "L1-only ablation pix2pix's steps"},
    )  # fmt: skip
    warm_start: str | None = dataclasses.field(
        default=None,
        metadata={"help": "a finished generator to continue (a fresh discriminator joins it)"},
    )
    name: str | None = dataclasses.field(
        default=None, metadata={"help": "checkpoint name (default: the model's)"}
    )


SHIPPED = ImageToImageTrainConfig()
TRAIN_CONFIG = ImageToImageTrainConfig
