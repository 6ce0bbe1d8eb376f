"""Find, load and save checkpoints (``.keras``) and their JSON model cards.

Load order for a demo: an explicit ``--checkpoint PATH`` > the user's own trained checkpoint in
the user data dir > the checkpoint shipped inside the package. Every load uses ``safe_mode=True``,
so a file carrying a Lambda layer (arbitrary code) is refused.

The user data dir is ``$SHOWCASE_HOME`` when set, else the platform's user data folder
(``~/.local/share/showcase`` on Linux); training never writes into site-packages.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import platform
import sys
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np
import platformdirs

from showcase import registry
from showcase.errors import CheckpointError

CARD_SUFFIX = ".card.json"


def user_data_dir() -> Path:
    override = os.environ.get("SHOWCASE_HOME")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("showcase", appauthor=False))


def user_checkpoint_dir(demo: str) -> Path:
    return user_data_dir() / "checkpoints" / demo


def shipped_checkpoint_dir(demo: str) -> Path:
    return Path(str(resources.files("showcase.models"))) / demo


def card_path_for(model_path: Path) -> Path:
    return model_path.with_name(model_path.name.removesuffix(".keras") + CARD_SUFFIX)


# Models a checkpoint uses beside itself (a progressive GAN's earlier stages) live in a folder
# named after it, ``<name>_stages/``; it travels with the checkpoint (package, Space).
COMPANION_SUFFIX = "_stages"


def companion_folder(model_path: Path) -> Path:
    return model_path.with_name(model_path.name.removesuffix(".keras") + COMPANION_SUFFIX)


@dataclasses.dataclass
class ModelCard:
    """What a checkpoint is, how it was made, and the score ``showcase evaluate`` reproduces."""

    demo: str
    name: str
    paper: str
    dataset: dict
    metric: dict
    params: int = 0
    size_bytes: int = 0
    train_command: str = ""
    evaluate_command: str = ""
    training_time_s: float = 0.0
    hardware: str = ""
    date: str = ""
    versions: dict = dataclasses.field(default_factory=dict)
    hyperparameters: dict = dataclasses.field(default_factory=dict)
    benchmark: dict = dataclasses.field(default_factory=dict)
    # Training curves a UI can plot: {title: {"x": [...], "y": [...], "x_label", "y_label"}}.
    curves: dict = dataclasses.field(default_factory=dict)
    notes: str = ""

    @classmethod
    def read(cls, path: Path) -> ModelCard:
        try:
            fields = json.loads(Path(path).read_text(encoding="utf-8"))
            known = {f.name for f in dataclasses.fields(cls)}
            return cls(**{k: v for k, v in fields.items() if k in known})
        except (OSError, ValueError, TypeError) as err:
            raise CheckpointError(f"model card {path} is unreadable ({err})") from None

    def write(self, path: Path) -> None:
        Path(path).write_text(
            json.dumps(dataclasses.asdict(self), indent=2) + "\n", encoding="utf-8"
        )

    @property
    def metric_summary(self) -> str:
        value = self.metric.get("value")
        if value is None:
            return "not measured"
        shown = f"{value:.1%}" if self.metric.get("unit") == "fraction" else f"{value:g}"
        split = self.metric.get("split")
        # Some metric names already say where they were measured ("... on Multi30k test2016").
        return f"{self.metric.get('name', 'metric')} {shown}" + (f" on {split}" if split else "")


def environment_versions() -> dict:
    versions = {"python": platform.python_version()}
    for module in ("showcase", "tensorflow", "keras", "numpy", "gradio"):
        imported = sys.modules.get(module)
        version = getattr(imported, "__version__", None) if imported else None
        if version:
            versions[module] = version
    return versions


def hardware_summary() -> str:
    # Keras, TensorFlow and the optional jax are imported here: `showcase list` and the CLI's
    # options read this module, and must not import Keras (4.5 s).
    import keras

    if keras.backend.backend() == "jax":
        import jax

        gpus = [device.device_kind for device in jax.devices() if device.platform == "gpu"]
        accelerator = f"{len(gpus)} GPU ({gpus[0]}, JAX backend)" if gpus else "no GPU"
    else:
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        accelerator = f"{len(gpus)} GPU" if gpus else "no GPU"
    return f"{os.cpu_count()} CPU cores, {accelerator}, {platform.machine()} {platform.system()}"


def today() -> str:
    return datetime.date.today().isoformat()


def resolve(demo: str, name: str, checkpoint: str | Path | None = None) -> Path:
    """Pick the checkpoint file to load; raise a message naming the train command if none exists."""
    train_hint = f"train one with `showcase train {demo}`"
    if checkpoint is not None:
        path = Path(checkpoint).expanduser()
        if path.is_dir():
            path = path / f"{name}.keras"
        if not path.is_file():
            raise CheckpointError(f"checkpoint {path} does not exist; {train_hint}")
        return path
    for folder in (user_checkpoint_dir(demo), shipped_checkpoint_dir(demo)):
        path = folder / f"{name}.keras"
        if path.is_file():
            return path
    raise CheckpointError(f"no {demo} checkpoint found; {train_hint}")


RESUME_SUFFIX = ".resume.keras"


def available(demo: str, checkpoint: str | Path | None = None) -> dict[str, Path]:
    """Every checkpoint of ``demo`` by name: shipped ones, replaced by the user's of the same name.

    With ``checkpoint`` only that file, or the ``.keras`` files in that folder, count.
    """
    if checkpoint is not None:
        path = Path(checkpoint).expanduser()
        if path.is_file():
            return {path.name.removesuffix(".keras"): path}
        folders = [path]
    else:
        folders = [shipped_checkpoint_dir(demo), user_checkpoint_dir(demo)]
    found = {}
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.glob("*.keras")):
                if not path.name.endswith(RESUME_SUFFIX):  # a training run's unfinished state
                    found[path.name.removesuffix(".keras")] = path
    return found


def card_beside(model_path: Path) -> ModelCard | None:
    """The card saved next to a ``.keras`` file, or None when it has none."""
    card_path = card_path_for(Path(model_path))
    return ModelCard.read(card_path) if card_path.is_file() else None


def find_card(demo: str, name: str, checkpoint: str | Path | None = None) -> ModelCard | None:
    """The card of the checkpoint that would be loaded, or None; never loads the model."""
    try:
        path = card_path_for(resolve(demo, name, checkpoint))
    except CheckpointError:
        return None
    return ModelCard.read(path) if path.is_file() else None


def load_model(path: Path, demo: str, compile: bool = False):  # noqa: A002 - Keras' own name
    """Load a ``.keras`` file with safe_mode=True, turning every failure into one clear message.

    ``compile=True`` restores the optimizer state too (to resume training).
    """
    import keras  # keeps `showcase list` and --help free of Keras (4.5 s)

    registry.get(demo).register_layers()  # before deserialising: its custom layers
    try:
        return keras.saving.load_model(path, safe_mode=True, compile=compile)
    except Exception as err:  # noqa: BLE001 - Keras raises ValueError, OSError, zipfile errors...
        detail = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
        if "safe_mode" in str(err) or "Lambda" in str(err):
            raise CheckpointError(
                f"{path} contains code (a Lambda layer) and was refused by safe_mode"
            ) from None
        raise CheckpointError(
            f"{path} is corrupt or not a showcase {demo} checkpoint ({detail}); "
            f"retrain it with `showcase train {demo}`"
        ) from None


def round_to_half(model) -> None:
    """Round the weights to float16 precision (they stay float32): what :func:`compact` stores.
    A trainer that ships compacted weights rounds them first, so its scores are the shipped
    model's."""
    model.set_weights([w.astype(np.float16).astype(w.dtype) for w in model.get_weights()])


def compact(model, model_path: Path) -> None:
    """Round the weights to float16 precision and save them zip-compressed.

    The model still runs in float32; only the 13 low mantissa bits go, which leaves the zeros
    that deflate removes, so the file is ~45% smaller (a 7.8 M-parameter translator: 30 -> 18 MiB).
    Scores must be measured on the compacted weights.
    """
    round_to_half(model)
    stored = model_path.with_suffix(".uncompressed.keras")
    model.save(stored)
    with (
        zipfile.ZipFile(stored) as source,
        zipfile.ZipFile(model_path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for entry in source.infolist():
            target.writestr(entry.filename, source.read(entry.filename))
    stored.unlink()


def save(model, card: ModelCard, out_dir: str | Path, half_precision: bool = False) -> Path:
    """Write ``<name>.keras`` and ``<name>.card.json`` into ``out_dir``; returns the model path.

    ``half_precision`` stores the weights compacted (see :func:`compact`).
    """
    out_dir = Path(out_dir).expanduser()
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / f"{card.name}.keras"
    if half_precision:
        compact(model, model_path)
    else:
        model.save(model_path)
    card.params = int(model.count_params())
    card.size_bytes = model_path.stat().st_size
    card.date = card.date or today()
    card.versions = card.versions or environment_versions()
    card.write(card_path_for(model_path))
    return model_path
