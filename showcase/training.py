"""The training kit every demo's ``train.py`` and ``evaluate.py`` are written against.

What each demo used to repeat lives here once: the settings every training run shares
(:class:`TrainConfig`, from which the CLI builds its options), where checkpoints go, the
``tf.distribute`` strategy and precision policy (always restored to float32 afterwards), the
uncompiled inference copy that is shipped, the model card, and updating a card's metric after
evaluation.

Scaling out: ``--strategy multiworker`` runs the same code on every machine of a cluster that
``TF_CONFIG`` describes (TensorFlow's MultiWorkerMirroredStrategy); every worker saves its copy
of the (identical) weights to its own ``--out`` and the chief's (worker 0) is the result.
``--strategy mirrored`` copies the model onto every local GPU (or every logical CPU device).
A multi-worker strategy must exist before TensorFlow runs its first operation, so every
``train()`` calls :func:`prepare` first.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

from showcase import checkpoints
from showcase.distribute import STRATEGIES, make_strategy, set_precision
from showcase.errors import CheckpointError
from showcase.lazy import LazyByKey

# Where and how loudly a run works, not what it learns: left out of a card's hyperparameters.
RUNTIME_FIELDS = ("data", "out", "verbose")


@dataclasses.dataclass
class TrainConfig:
    """Settings every demo's training has; a demo's config subclasses it with its own fields.

    The CLI turns every field into an option (``mixed_precision`` -> ``--mixed-precision``);
    a field's ``metadata["help"]`` is its help text.
    """

    data: str | None = dataclasses.field(
        default=None, metadata={"help": "dataset name or local path (see docs/data.md)"}
    )
    epochs: int = 1
    out: str | None = dataclasses.field(
        default=None, metadata={"help": "output folder (default: the user data dir)"}
    )
    strategy: str = dataclasses.field(
        default="auto",
        metadata={
            "help": "tf.distribute strategy (mirrored: every local GPU, else every logical "
            "CPU; multiworker: the cluster in TF_CONFIG)",
            "choices": STRATEGIES,
        },
    )
    mixed_precision: bool = dataclasses.field(
        default=False, metadata={"help": "mixed_float16 training (GPU only)"}
    )
    verbose: int = dataclasses.field(
        default=1,
        metadata={"option": "--quiet", "const": 2, "help": "one line per epoch, no progress bars"},
    )


def output_folder(demo: str, config: TrainConfig) -> Path:
    """``--out`` when given, else the demo's folder in the user data dir; created."""
    folder = Path(config.out).expanduser() if config.out else checkpoints.user_checkpoint_dir(demo)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# One strategy of each kind per process: TensorFlow configures its runtime for it once.
_STRATEGIES = LazyByKey(make_strategy)


def prepare(config: TrainConfig) -> None:
    """Create the run's distribution strategy now, before TensorFlow runs any operation
    (MultiWorkerMirroredStrategy refuses to start later); the first line of every ``train()``."""
    _STRATEGIES.get(config.strategy)


@dataclasses.dataclass(frozen=True)
class Session:
    """One training run: its demo and config, and the strategy and precision it trains under."""

    demo: str
    config: TrainConfig
    strategy: object
    policy: str

    @property
    def replicas(self) -> int:
        return int(self.strategy.num_replicas_in_sync)

    def global_batch(self, batch_size: int) -> int:
        """The batch all replicas see together: ``batch_size`` per replica."""
        return batch_size * self.replicas

    def scope(self):
        return self.strategy.scope()

    def card(self, name: str, **fields) -> checkpoints.ModelCard:
        """The run's model card for checkpoint ``name``: see :func:`model_card` for ``fields``."""
        return model_card(
            self.demo,
            name,
            self.config,
            policy=self.policy,
            replicas=self.replicas,
            **fields,
        )

    def save(self, model, card: checkpoints.ModelCard, **options) -> Path:
        """Write ``<name>.keras`` and its card into the run's output folder; returns the path."""
        return checkpoints.save(model, card, output_folder(self.demo, self.config), **options)


@contextlib.contextmanager
def training_session(demo: str, config: TrainConfig) -> Iterator[Session]:
    """Apply the config's precision policy and strategy; float32 again when the block ends.

    The policy is global to Keras, so a mixed-precision run that was left on would make every
    model built later in the process (an inference copy, another demo) half precision.
    """
    # Imported here, not at the top: `showcase --help` builds its options from TrainConfig, and
    # importing Keras costs 4.5 s there.
    import keras

    policy = set_precision(config.mixed_precision)
    try:
        yield Session(demo, config, _STRATEGIES.get(config.strategy), policy)
    finally:
        keras.mixed_precision.set_global_policy("float32")


def inference_copy(model, rebuild: Callable | None = None):
    """An uncompiled copy of ``model`` with its weights, in float32: what a checkpoint ships.

    A compiled model would save its optimizer moments too (2-3x the file). ``rebuild`` makes the
    empty copy when ``from_config`` alone would not (a different dropout, a build call).
    """
    copy = rebuild() if rebuild else model.__class__.from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy


def hyperparameters(config: TrainConfig, leave_out: tuple[str, ...] = ()) -> dict:
    """The config's fields as a card records them (without where/how-loud fields)."""
    skipped = set(RUNTIME_FIELDS) | set(leave_out)
    return {k: v for k, v in dataclasses.asdict(config).items() if k not in skipped}


def command_line(
    verb: str,
    demo: str,
    config: TrainConfig,
    placeholders: dict[str, str | Callable[[object], str]] | None = None,
    leave_out: tuple[str, ...] = ("out", "verbose"),
) -> str:
    """``showcase VERB DEMO`` with every setting that differs from the defaults.

    ``placeholders`` say how to show a user's own paths ({"data": "DATA"}, or a function of the
    value), so a card never shows the folders of the machine it was trained on; those options
    come first, in the placeholders' order.
    """
    placeholders = placeholders or {}
    defaults = type(config)()
    fields = sorted(
        dataclasses.fields(config),
        key=lambda field: (
            list(placeholders).index(field.name)
            if field.name in placeholders
            else len(placeholders)
        ),
    )
    words = [f"showcase {verb} {demo}"]
    for field in fields:
        value = getattr(config, field.name)
        if field.name in leave_out or value == getattr(defaults, field.name):
            continue
        flag = "--" + field.name.replace("_", "-")
        shown = placeholders.get(field.name, value)
        if isinstance(value, bool):
            words.append(flag if value else "--no-" + flag[2:])
        else:
            words.append(f"{flag} {shown(value) if callable(shown) else shown}")
    return " ".join(words)


def model_card(
    demo: str,
    name: str,
    config: TrainConfig | None,
    *,
    paper: str,
    dataset: dict,
    training_time_s: float,
    policy: str,
    replicas: int = 1,
    metric: dict | None = None,
    notes: str = "",
    train_command: str | None = None,
    evaluate_command: str | None = None,
    leave_out: tuple[str, ...] = (),
    **measured,
) -> checkpoints.ModelCard:
    """A card for a finished run: the config's hyperparameters plus what the run ``measured``.

    ``config`` is None for a model trained inside another demo's run (DCGAN's judge); its
    ``measured`` settings are then all the card records.
    ``policy`` and ``replicas`` are the precision policy and the number of model copies the run
    trained with (its :class:`Session`'s).
    Without a ``metric`` the card says "not measured" until :func:`record_metric` fills it in.
    """
    return checkpoints.ModelCard(
        demo=demo,
        name=name,
        paper=paper,
        dataset=dataset,
        metric=metric or {"name": "not measured", "value": None},
        notes=notes,
        train_command=train_command or (command_line("train", demo, config) if config else ""),
        evaluate_command=evaluate_command or f"showcase evaluate {demo} --json",
        training_time_s=round(training_time_s, 1),
        hardware=checkpoints.hardware_summary(),
        hyperparameters={
            **(hyperparameters(config, leave_out) if config else {}),
            "precision_policy": policy,
            "replicas": replicas,
            **measured,
        },
    )


def record_metric(path: str | Path, metric: dict, **fields) -> checkpoints.ModelCard:
    """Write an evaluation's ``metric`` (and other card ``fields``) into the card of ``path``."""
    card_path = checkpoints.card_path_for(Path(path))
    if not card_path.is_file():
        raise CheckpointError(f"{path} has no model card beside it to record the metric in")
    card = checkpoints.ModelCard.read(card_path)
    card.metric = metric
    for key, value in fields.items():
        setattr(card, key, value)
    card.write(card_path)
    return card


def evaluation_row(pretrained, metric: str, split: str, value: float, **extra) -> dict:
    """One checkpoint's evaluation as ``showcase evaluate`` prints it, next to its card's value."""
    card = pretrained.card
    return {
        "demo": pretrained.DEMO,
        "name": pretrained.name,
        "checkpoint": str(pretrained.path),
        "metric": metric,
        "split": split,
        "value": value,
        "card_value": card.metric.get("value") if card else None,
        **extra,
    }
