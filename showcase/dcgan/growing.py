"""Training the progressive GAN stage by stage (``showcase train dcgan --model pggan``).

Each stage builds the generator and discriminator models of its resolution from the shared
layers (:mod:`showcase.dcgan.progressive`), fades the new blocks in over the first half of its
budget, then trains them at full strength; the end of every stage below 32 pixels leaves a
snapshot of its generator, so that the page can show one seed as the network grew.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import keras

from showcase import checkpoints, training
from showcase.dcgan import progressive
from showcase.dcgan.api import DEMO
from showcase.dcgan.curves import StepLog
from showcase.dcgan.model import SampleGridCallback

UNBOUNDED_STEPS = 10**7  # a stage with a time budget ends by its clock, not by a step count


@dataclasses.dataclass
class Stage:
    resolution: int
    steps: int
    seconds: float


@dataclasses.dataclass
class GrowthResult:
    generator: keras.Model  # the 32-pixel generator framed to 28 x 28: what is shipped
    stages: list[Stage]
    rows: list[dict]  # every 10th step: step, wasserstein, resolution, alpha
    snapshots: list[Path]
    final_d_loss: float
    final_g_loss: float


def stage_budgets(total_steps: int, minutes: float) -> dict[int, tuple[int, float | None]]:
    """Each resolution's (step budget, seconds budget or None) from :data:`STAGE_SHARES`."""
    budgets = {}
    for resolution, share in progressive.STAGE_SHARES.items():
        if minutes:
            budgets[resolution] = (UNBOUNDED_STEPS, share * minutes * 60)
        else:
            budgets[resolution] = (max(int(round(share * total_steps)), 1), None)
    return budgets


def grow(
    batches,
    *,
    noise_dim: int,
    width: int,
    learning_rate: float,
    total_steps: int,
    minutes: float,
    out_dir: Path,
    name: str,
    card_fields: dict,
    verbose: int = 0,
    jit_compile: bool = False,
) -> GrowthResult:
    """Train 4 -> 8 -> 16 -> 32 on ``batches`` of (32-pixel images in [-1, 1], labels)."""
    generators = progressive.GrowingGenerator(noise_dim, width=width)
    discriminators = progressive.GrowingDiscriminator(width=width)
    state = {"resolution": progressive.RESOLUTIONS[0], "schedule": None}

    def context():
        schedule = state["schedule"]
        alpha = schedule.alpha() if schedule is not None and schedule.fades else 1.0
        return {"resolution": state["resolution"], "alpha": round(alpha, 3)}

    log = StepLog(("wasserstein",), context=context)
    stages, snapshots, history = [], [], None
    for resolution, (steps, seconds) in stage_budgets(total_steps, minutes).items():
        fade = resolution > progressive.RESOLUTIONS[0]
        fades = [generators.fades[resolution], discriminators.fades[resolution]] if fade else []
        gan = progressive.stage_gan(generators, discriminators, resolution, noise_dim)
        # Fresh optimiser state per stage, as in the authors' code: the new layers' moments
        # would otherwise start beside stale ones.
        gan.compile(
            d_optimizer=progressive.paper_optimizer(learning_rate),
            g_optimizer=progressive.paper_optimizer(learning_rate),
            jit_compile=jit_compile,
        )
        schedule = progressive.GrowthSchedule(fades, steps, seconds)
        state.update(resolution=resolution, schedule=schedule)
        samples = SampleGridCallback(out_dir / "samples" / name / f"{resolution}px")
        started = time.perf_counter()
        history = gan.fit(
            batches,
            steps_per_epoch=steps,
            epochs=1,
            verbose=verbose,
            shuffle=False,
            callbacks=[schedule, log, samples],
        )
        stages.append(Stage(resolution, schedule.step, round(time.perf_counter() - started, 1)))
        if resolution < progressive.RESOLUTIONS[-1]:
            snapshots.append(
                _save_snapshot(generators, resolution, stages[-1], out_dir, name, card_fields)
            )
    return GrowthResult(
        generator=progressive.digit_generator_at(generators.model(progressive.RESOLUTIONS[-1])),
        stages=stages,
        rows=log.rows,
        snapshots=snapshots,
        final_d_loss=round(float(history.history["d_loss"][-1]), 4),
        final_g_loss=round(float(history.history["g_loss"][-1]), 4),
    )


def _save_snapshot(generators, resolution: int, stage: Stage, out_dir, name, card_fields) -> Path:
    """The stage's generator as it ended, doubled up to 32 pixels and framed to 28 x 28."""
    snapshot = progressive.digit_generator_at(generators.model(resolution))
    card = training.model_card(
        DEMO,
        f"{name}_{resolution}px",
        None,
        training_time_s=stage.seconds,
        notes=f"The progressive GAN's generator at the end of its {resolution}-pixel stage "
        f"({stage.steps} steps), its output doubled to 32 pixels and cropped to 28: the page "
        "shows one seed at every stage. Not scored: the shipped generator is the 32-pixel one.",
        **card_fields,
        resolution=resolution,
        steps_run=stage.steps,
    )
    copy = training.inference_copy(snapshot)
    return checkpoints.save(copy, card, checkpoints.companion_folder(out_dir / f"{name}.keras"))
