"""What ``showcase bench image_to_image`` loads and times.

Latency: each installed pix2pix model drawing a 128-pixel picture from a sketch, a 256-pixel one,
and a photo's whole path (its Canny drawing, then the picture); each colouriser colouring a
384 x 256 photo through its 128- and 256-pixel networks, and the hint model with 10 hints; each
photo <-> painting model turning a photo into a 128- and a 256-pixel painting, and CycleGAN also
a painting back into a photo.

Comparison: training images per second, pix2pix (generator and discriminator) against the
L1-only ablation (generator alone), each with and without XLA (``jit_compile``), on the same
batches of four 128-pixel crops, back to back on the same machine.
"""

from __future__ import annotations

import statistics
import time

import keras
import numpy as np
import tensorflow as tf

from showcase.bench import Case
from showcase.errors import CheckpointError
from showcase.image_to_image import model as networks
from showcase.image_to_image.api import TO_PHOTO, Colorizer, CycleGAN, Pix2Pix, example_photo

BATCH_SIZE = 4
WARMUP_STEPS = 5
# Steps are timed in chunks and the median chunk reported: on this machine single runs of 15-40
# steps varied by 2x from one run to the next.
CHUNK_STEPS = 20
CHUNKS = 5


def load(checkpoint=None) -> dict:
    models = {}
    for loader in (Pix2Pix, Colorizer, CycleGAN):
        found = loader.available(checkpoint)
        models.update({name: loader.load(path).warm_up() for name, path in found.items()})
    if not models:
        raise CheckpointError(
            f"no image_to_image checkpoint found in {checkpoint or 'the package'}"
        )
    return models


HINTS = [(20 + 34 * i, 40 + 17 * i, "#c04030") for i in range(10)]


def _sketch() -> np.ndarray:
    drawing = np.full((256, 256), 255, np.uint8)
    drawing[60:200, 60] = drawing[60:200, 200] = drawing[60, 60:200] = drawing[200, 60:200] = 0
    drawing[30:60, 100:160] = 0
    return drawing


def bench_cases(models: dict) -> dict:
    sketch, photo = _sketch(), example_photo()
    cases = {}
    for name, model in models.items():
        if isinstance(model, CycleGAN):
            for side in (128, 256):
                cases[f"{name}: photo -> painting, {side} px"] = Case(
                    lambda m=model, s=side: m.translate(photo, side=s), str(model.path)
                )
            if TO_PHOTO in model.directions:
                cases[f"{name}: painting -> photo, 128 px"] = Case(
                    lambda m=model: m.translate(photo, TO_PHOTO), str(model.path)
                )
            continue
        if isinstance(model, Colorizer):
            for side in (128, 256):
                cases[f"{name}: 384 x 256 photo, {side} px network"] = Case(
                    lambda m=model, s=side: m.colorize(photo, side=s), str(model.path)
                )
            if model.takes_hints:
                cases[f"{name}: 384 x 256 photo, 10 hints"] = Case(
                    lambda m=model: m.colorize(photo, HINTS), str(model.path)
                )
            continue
        cases[f"{name}: sketch, 128 px"] = Case(
            lambda m=model: m.translate(sketch), str(model.path)
        )
        cases[f"{name}: sketch, 256 px"] = Case(
            lambda m=model: m.translate(sketch, 256), str(model.path)
        )
        cases[f"{name}: photo -> drawing -> picture"] = Case(
            lambda m=model: m.translate_photo(photo), str(model.path)
        )
    return cases


def _images_per_second(adversarial: bool, jit_compile: bool) -> float:
    keras.utils.set_random_seed(0)
    generator = networks.build_unet()
    discriminator = networks.build_patchgan() if adversarial else None
    trainer = networks.Pix2PixTrainer(generator, discriminator, 1.0 if adversarial else 0.0)
    trainer.compile(
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5) if adversarial else None,
        jit_compile=jit_compile,
    )
    rng = np.random.default_rng(0)
    drawings = rng.choice([-1.0, 1.0], (BATCH_SIZE, 128, 128, 1), p=[0.9, 0.1]).astype("float32")
    photos = rng.uniform(-1, 1, (BATCH_SIZE, 128, 128, 3)).astype("float32")
    batches = tf.data.Dataset.from_tensors((drawings, photos)).repeat()
    trainer.fit(batches, steps_per_epoch=WARMUP_STEPS, epochs=1, verbose=0)
    rates = []
    for _ in range(CHUNKS):
        started = time.perf_counter()
        trainer.fit(batches, steps_per_epoch=CHUNK_STEPS, epochs=1, verbose=0)
        rates.append(CHUNK_STEPS * BATCH_SIZE / (time.perf_counter() - started))
    return statistics.median(rates)


def training_speed(checkpoint: str = "") -> dict:
    measured = {
        f"{'pix2pix' if adversarial else 'l1_only'}{'_xla' if xla else ''}": round(
            _images_per_second(adversarial, xla), 1
        )
        for adversarial in (True, False)
        for xla in (False, True)
    }
    return {
        "checkpoint": checkpoint,
        "case": "training images per second (batches of 4 crops, 128 px; the median of 5 runs "
        "of 20 steps)",
        **measured,
        "summary": f"training, 128-pixel crops: pix2pix {measured['pix2pix']} images/s "
        f"(XLA {measured['pix2pix_xla']}), L1 only {measured['l1_only']} images/s "
        f"(XLA {measured['l1_only_xla']})",
    }


def comparisons(models: dict) -> list[dict]:
    shipped = models.get("pix2pix")
    return [training_speed(str(shipped.path) if shipped else "")]
