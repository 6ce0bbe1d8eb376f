"""Training that can stop and continue: long CPU runs span several sittings.

After every epoch the model with its optimizer state goes to ``<out>/<name>.resume.keras`` and
``<name>.resume.json`` records the epochs done, the seconds spent and the history. A later run
with ``resume=True`` loads both and carries on; the finished run deletes them.

A *warm start* continues a finished checkpoint instead (its weights, a fresh optimizer):
:func:`warm_start_card` reads what the earlier training was, so the new card can add it up.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import keras

from showcase import checkpoints
from showcase.errors import ShowcaseError


def warm_start_card(warm_start: str | None):
    """The card of the checkpoint a warm start continues from (its epochs and time count too),
    or None without a warm start."""
    if not warm_start:
        return None
    path = Path(warm_start)
    if not path.is_file():
        raise ShowcaseError(f"{path} does not exist: --warm-start needs a finished checkpoint")
    card = checkpoints.card_beside(path)
    if card is None:
        raise ShowcaseError(f"{path} has no model card beside it, so its training is unknown")
    return card


def earlier_epochs(card) -> int:
    """Epochs behind a checkpoint, from its card (0 without one)."""
    if not card:
        return 0
    return int(card.hyperparameters.get("epochs_run") or card.hyperparameters.get("epochs") or 0)


class ResumableRun:
    def __init__(self, out_dir: Path, name: str, demo: str, resume: bool):
        self.model_path = Path(out_dir) / f"{name}{checkpoints.RESUME_SUFFIX}"
        self.state_path = Path(out_dir) / f"{name}.resume.json"
        self.demo = demo
        self.resuming = resume and self.model_path.is_file() and self.state_path.is_file()
        self.state = (
            json.loads(self.state_path.read_text())
            if self.resuming
            else {"epochs_done": 0, "seconds": 0.0}
        )
        self.state["sittings"] = self.state.get("sittings", 0) + 1

    def load_model(self):
        """The saved model with its optimizer (compiled), or None for a fresh run."""
        if not self.resuming:
            return None
        return checkpoints.load_model(self.model_path, self.demo, compile=True)

    @property
    def epochs_done(self) -> int:
        return self.state["epochs_done"]

    @property
    def seconds(self) -> float:
        return self.state["seconds"]

    @property
    def history(self) -> list[dict]:
        return self.state.get("history", [])

    def callbacks(self, max_minutes: float = 0.0) -> list:
        """Save after every epoch; with ``max_minutes``, stop after the epoch that passes it."""
        run, started = self, time.perf_counter()
        seconds_before = self.state["seconds"]

        class _SaveProgress(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                run.state["epochs_done"] = epoch + 1
                run.state["seconds"] = seconds_before + time.perf_counter() - started
                run.state.setdefault("history", []).append(
                    {k: round(float(v), 4) for k, v in (logs or {}).items()}
                )
                self.model.save(run.model_path)
                run.state_path.write_text(json.dumps(run.state, indent=1))
                if max_minutes and time.perf_counter() - started > max_minutes * 60:
                    self.model.stop_training = True

        return [_SaveProgress()]

    def stopped_early(self, epochs: int) -> bool:
        if self.epochs_done >= epochs:
            return False
        print(
            f"stopped after epoch {self.epochs_done} of {epochs} ({self.seconds:.0f} s in all); "
            "continue with --resume"
        )
        return True

    def finish(self) -> None:
        self.model_path.unlink(missing_ok=True)
        self.state_path.unlink(missing_ok=True)
