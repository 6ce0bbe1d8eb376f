"""The shipped models' settings: the trainer, the networks' defaults and the cards read them here.

One demo, four models: ``showcase train vqa --model NAME`` picks one of :data:`MODELS`; the
options left at 0 take that model's preset. Every model trains on the same 9,800 scenes (196,000
questions) and keeps the epoch that answers the 200 validation scenes best.
"""

from __future__ import annotations

import dataclasses

from showcase.training import TrainConfig


@dataclasses.dataclass(frozen=True)
class ModelSettings:
    architecture: str  # one of showcase.vqa.model.ARCHITECTURES
    epochs: int
    learning_rate: float
    batch_size: int = 64
    # Linear warm-up from a tenth of the rate over this many epochs, then a cosine decay to 0:
    # Relation Network re-implementations often stall without the warm-up.
    warmup_epochs: float = 1.0
    units: int = 0  # g's width for the Relation Network (0: the architecture's default)
    depth: int = 0  # g's layers for the Relation Network (0: the architecture's default)
    aggregate: str = "mean"  # over the Relation Network's pairs: "mean" or the paper's "sum"
    # "cosine": the warm-up then cosine decay above; "constant": the peak rate throughout, as in
    # the kimhc6028 reference.
    schedule: str = "cosine"
    # The image encoder's widths (showcase.vqa.model.ENCODERS): "reference" (24 channels, as in
    # the kimhc6028 reference) or the paper's "paper" (32, 64, 128, 256).
    encoder: str = "reference"
    # How the Relation Network's weights start (showcase.vqa.model.INITIALISATIONS): Keras's
    # defaults, or PyTorch's, as in the kimhc6028 reference.
    initialisation: str = "keras"
    # Dropout before f's answer layer. 0 matches the kimhc6028 reference's 2017 runs: its
    # F.dropout(x) left out `training=`, which PyTorch defaulted to False before version 1.0, so
    # it dropped nothing.
    f_dropout: float = 0.5
    # Steps of each stage of the colour curriculum (showcase.vqa.curriculum) before the whole
    # task: position questions about one colour, then two, ... then six; then every
    # non-relational question about all six. 0: none, as in the paper.
    curriculum_steps: int = 0
    # Adam's constant step size during the curriculum (0: the peak ``learning_rate``). The whole
    # task then starts a fresh Adam on its own schedule: a step size that binds the colours in the
    # curriculum (1e-3) undoes the binding when the colour-blind answers are learnt at it.
    curriculum_learning_rate: float = 0.0
    # Move on to the next stage once the validation questions of the stage are answered this
    # well (checked every CURRICULUM_CHECK_STEPS steps; ``curriculum_steps`` is then the most a
    # stage may take). 0: every stage takes exactly ``curriculum_steps``.
    curriculum_target: float = 0.0
    # After the colour curriculum's stages: the closest and furthest questions about one colour,
    # then two, ... then six, asked of every training scene (showcase.vqa.curriculum).
    distance_curriculum: bool = False


MODELS: dict[str, ModelSettings] = {
    "relation_network": ModelSettings("relation_network", epochs=12, learning_rate=5e-4),
    "cnn_mlp": ModelSettings("cnn_mlp", epochs=4, learning_rate=5e-4),
    "cnn_lstm": ModelSettings("cnn_lstm", epochs=2, learning_rate=5e-4),
    "blind": ModelSettings("blind", epochs=2, learning_rate=1e-3),
}
MODEL_NAMES = tuple(MODELS)


@dataclasses.dataclass
class VQATrainConfig(TrainConfig):
    data: str | None = dataclasses.field(
        default=None, metadata={"help": "unused: Sort-of-CLEVR is generated from seeds"}
    )
    model: str = dataclasses.field(
        default="relation_network", metadata={"choices": MODEL_NAMES, "help": "the model to train"}
    )
    epochs: int = dataclasses.field(
        default=0, metadata={"help": "passes over the training questions (0: the preset)"}
    )
    learning_rate: float = dataclasses.field(
        default=0.0, metadata={"help": "Adam's peak step size (0: the model's preset)"}
    )
    scenes: int = dataclasses.field(
        default=9_800, metadata={"help": "training scenes (20 questions each)"}
    )
    validation_scenes: int = 200
    test_scenes: int = dataclasses.field(
        default=1_000, metadata={"help": "held-out scenes the card's accuracy is measured on"}
    )
    g_units: int = dataclasses.field(
        default=0, metadata={"help": "Relation Network: g's width (0: 128; the paper's is 256)"}
    )
    g_layers: int = dataclasses.field(
        default=0, metadata={"help": "Relation Network: g's layers (0: 3; the paper's is 4)"}
    )
    pairs: str = dataclasses.field(
        default="mean",
        metadata={
            "choices": ("mean", "sum"),
            "help": "Relation Network: average g over the pairs, or sum them as the paper does",
        },
    )
    schedule: str = dataclasses.field(
        default="cosine",
        metadata={
            "choices": ("cosine", "constant"),
            "help": "warm-up then cosine decay, or the peak step size throughout",
        },
    )
    encoder: str = dataclasses.field(
        default="reference",
        metadata={
            "choices": ("reference", "paper"),
            "help": "the image encoder: the reference's 24 channels per convolution, or the "
            "paper's 32, 64, 128, 256 (keeps colour apart better; about 4x slower per step)",
        },
    )
    init: str = dataclasses.field(
        default="keras",
        metadata={
            "choices": ("keras", "pytorch"),
            "help": "Relation Network: start from Keras's default weights (Glorot) or PyTorch's, "
            "as the kimhc6028 reference does (uniform in +-1/sqrt(fan-in))",
        },
    )
    f_dropout: float = dataclasses.field(
        default=0.5,
        metadata={
            "help": "dropout before the answer layer, in [0, 1) (0: none, as in the kimhc6028 "
            "reference's 2017 runs)"
        },
    )
    curriculum_steps: int = dataclasses.field(
        default=0,
        metadata={
            "help": "before the whole task, train on the left/right and top/bottom questions "
            "about one colour, then two, ... then all six, then on every non-relational question "
            "about all six, this many steps each (0: none, as in the paper)"
        },
    )
    curriculum_learning_rate: float = dataclasses.field(
        default=0.0,
        metadata={
            "help": "Adam's constant step size during the curriculum; the whole task then starts "
            "a fresh Adam at --learning-rate (0: the same as --learning-rate)"
        },
    )
    curriculum_target: float = dataclasses.field(
        default=0.0,
        metadata={
            "help": "move on to the next curriculum stage once its validation questions are "
            "answered this well, in (0, 1], checked every 250 steps; --curriculum-steps is then "
            "the most a stage takes (0: every stage takes --curriculum-steps)"
        },
    )
    distance_curriculum: bool = dataclasses.field(
        default=False,
        metadata={
            "help": "after the curriculum's stages, train on the closest and furthest questions "
            "about one colour, then two, ... then all six, asked of every training scene (needs "
            "--curriculum-steps)"
        },
    )
    seed: int = 0
    jit_compile: bool = dataclasses.field(
        default=False,
        metadata={"help": "XLA for the training step (off: it made the CNN twice as slow on CPU)"},
    )
    max_minutes: float = dataclasses.field(
        default=0.0,
        metadata={
            "help": "stop after the epoch during which this many minutes passed (0: no limit); "
            "--warm-start continues later"
        },
    )
    warm_start: str | None = dataclasses.field(
        default=None, metadata={"help": "a finished checkpoint of the same model to continue"}
    )
    name: str | None = dataclasses.field(
        default=None, metadata={"help": "checkpoint name (default: the model's)"}
    )

    def settings(self) -> ModelSettings:
        """The model's preset with this run's overrides (the options not left at 0)."""
        changes = {}
        if self.epochs:
            changes["epochs"] = self.epochs
        if self.learning_rate:
            changes["learning_rate"] = self.learning_rate
        if self.g_units:
            changes["units"] = self.g_units
        if self.g_layers:
            changes["depth"] = self.g_layers
        return dataclasses.replace(
            MODELS[self.model],
            aggregate=self.pairs,
            schedule=self.schedule,
            encoder=self.encoder,
            initialisation=self.init,
            f_dropout=self.f_dropout,
            curriculum_steps=self.curriculum_steps,
            curriculum_learning_rate=self.curriculum_learning_rate,
            curriculum_target=self.curriculum_target,
            distance_curriculum=self.distance_curriculum,
            **changes,
        )


SHIPPED = VQATrainConfig()
TRAIN_CONFIG = VQATrainConfig
