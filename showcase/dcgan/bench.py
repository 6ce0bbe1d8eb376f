"""What ``showcase bench dcgan`` (or ``showcase bench gan``) loads and times.

Every installed generator is loaded (DCGAN, BEGAN, the progressive GAN), or those
``--checkpoint`` names. Latency: for the first (the DCGAN) drawing an 8x8 grid (the UI's
default), a 16x16 grid (its cap), one digit, and a 10-step interpolation; for the others the
8x8 grid and one digit, and for a progressive GAN the growth strip (one digit from each stage).

The GAN table: each generator's card figures (class accuracy, Frechet distance, diversity,
training minutes and steps) beside its training throughput measured here, for the comparison at
equal wall time.

Comparison, for the DCGAN: training throughput (images per second) of this project's DCGAN
against the keras-io recipe "GAN overriding Model.train_step" (fchollet, 2019;
``dcgan_overriding_train_step``) rebuilt for the same 28x28x1 digits with the same batch size,
timed back to back on the same machine.
That recipe's networks: a generator Dense(7*7*128) + LeakyReLU, two 4x4 stride-2 transposed
convolutions of 128 channels with LeakyReLU and a 7x7 sigmoid convolution, latent size 128; a
discriminator of two 3x3 stride-2 convolutions (64, 128) with LeakyReLU, global max pooling and
one logit; Adam 3e-4; the discriminator sees real and fake images in one concatenated batch with
noisy labels. Both train on the same batches: digits drawn by the shipped generator (throughput
does not depend on what the pixels show, and the bench needs no dataset). For a BEGAN checkpoint:
its training throughput against the DCGAN's, on the same batches.
"""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from showcase.bench import Case
from showcase.dcgan import DigitGenerator, began, framing, progressive
from showcase.dcgan.model import ConditionalGAN, build_discriminator, build_generator, upsamplings
from showcase.errors import CheckpointError

BATCH_SIZE = 64
WARMUP_STEPS = 5
TIMED_STEPS = 40
DATA_IMAGES = BATCH_SIZE * (WARMUP_STEPS + TIMED_STEPS)


def load(checkpoint=None) -> list:
    """Every installed generator, the default (DCGAN) first, or those ``checkpoint`` names."""
    found = DigitGenerator.available(checkpoint)
    if not found:
        raise CheckpointError("no dcgan checkpoint found; train one with `showcase train dcgan`")
    names = sorted(found, key=lambda name: (name != DigitGenerator.DEFAULT_NAME, name))
    return [DigitGenerator.load(found[name]).warm_up() for name in names]


def _cases_of(generator, first: bool) -> dict:
    cases = {
        "8x8 grid": lambda: generator.generate(None, seed=0, count=64),
        "16x16 grid": lambda: generator.generate(None, seed=0, count=256),
        "one digit": lambda: generator.generate([7], seed=0),
        "interpolation, 10 steps": lambda: generator.interpolate(0, 1, 10, digit=3),
    }
    if not first:
        cases = {case: cases[case] for case in ("8x8 grid", "one digit")}
    if generator.stage_paths():
        cases["growth strip (4 stages)"] = lambda: generator.growth(3, seed=0)
    return cases


def bench_cases(generators):
    """The first generator's cases under their own names, the others' prefixed by theirs; each
    card records its own cases unprefixed."""
    cases = {}
    for index, generator in enumerate(generators):
        prefix = f"{generator.path.stem}: " if index else ""
        for case, call in _cases_of(generator, index == 0).items():
            cases[prefix + case] = Case(call, str(generator.path), name_in_card=case)
    return cases


def comparisons(generators):
    """Training throughput of each generator against its reference, then the GAN table."""
    rows = []
    for generator in generators:
        if is_began(generator):
            rows.append(began_throughput(generator))
        elif is_progressive(generator):
            rows.append(progressive_throughput(generator))
        else:
            rows.append(training_throughput(generator))
    if len(generators) > 1:
        rows.append(gan_table(generators, rows))
    return rows


def _keras_io_recipe():
    """The keras-io recipe's GAN (see the module docstring), for 28x28x1 digits in [0, 1]."""
    latent = 128
    discriminator = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(64, 3, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2D(128, 3, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.GlobalMaxPooling2D(),
            layers.Dense(1),
        ]
    )
    generator = keras.Sequential(
        [
            keras.Input((latent,)),
            layers.Dense(7 * 7 * 128),
            layers.LeakyReLU(0.2),
            layers.Reshape((7, 7, 128)),
            layers.Conv2DTranspose(128, 4, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2DTranspose(128, 4, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2D(1, 7, padding="same", activation="sigmoid"),
        ]
    )

    class RecipeGAN(keras.Model):
        def __init__(self):
            super().__init__()
            self.generator, self.discriminator = generator, discriminator
            self.d_optimizer = keras.optimizers.Adam(3e-4)
            self.g_optimizer = keras.optimizers.Adam(3e-4)
            self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

        def train_step(self, data):
            real = data[0] if isinstance(data, tuple) else data
            batch = tf.shape(real)[0]
            fakes = self.generator(tf.random.normal((batch, latent)))
            images = tf.concat([fakes, real], axis=0)
            labels = tf.concat([tf.ones((batch, 1)), tf.zeros((batch, 1))], axis=0)
            labels += 0.05 * tf.random.uniform(tf.shape(labels))
            with tf.GradientTape() as tape:
                d_loss = self.loss_fn(labels, self.discriminator(images))
            weights = self.discriminator.trainable_weights
            self.d_optimizer.apply_gradients(
                zip(tape.gradient(d_loss, weights), weights, strict=True)
            )
            with tf.GradientTape() as tape:
                predictions = self.discriminator(self.generator(tf.random.normal((batch, latent))))
                g_loss = self.loss_fn(tf.zeros((batch, 1)), predictions)
            weights = self.generator.trainable_weights
            self.g_optimizer.apply_gradients(
                zip(tape.gradient(g_loss, weights), weights, strict=True)
            )
            return {"d_loss": d_loss, "g_loss": g_loss}

    gan = RecipeGAN()
    gan.compile()
    return gan


def _ours(generator):
    height, _, channels = generator.image_shape
    shape = {"image_size": height, "channels": channels}
    start, steps = upsamplings(height)
    # The shipped network's width, read back from its projection: start^2 * width * 2^steps.
    width_setting = generator.model.get_layer("project").units // (start * start * 2**steps)
    gan = ConditionalGAN(
        build_generator(generator.noise_dim, generator.classes, width_setting, **shape),
        build_discriminator(generator.classes, width_setting, **shape),
        noise_dim=generator.noise_dim,
    )
    gan.compile()
    return gan


def is_began(generator) -> bool:
    return any(layer.name == "generator_project" for layer in generator.model.layers)


def is_progressive(generator) -> bool:
    return any(layer.name == "g4_dense" for layer in generator.model.layers)


def _digit_batches(generator):
    """(digits in [-1, 1] padded to 32 pixels, labels) batches drawn by ``generator``."""
    digits = generator.generate(None, seed=0, count=256)
    images = np.resize(digits, (DATA_IMAGES, 28, 28))[..., None].astype("float32") / 127.5 - 1
    labels = np.resize(np.arange(10), DATA_IMAGES).astype("int32")
    return tf.data.Dataset.from_tensor_slices((images, labels)).batch(BATCH_SIZE)


def progressive_throughput(generator) -> dict:
    """The progressive GAN's training images per second at each stage (with its fade-in) of
    the shipped width, against the DCGAN's on the same batches."""
    noise_dim = generator.noise_dim
    width = generator.model.get_layer("g32_conv_a").filters
    generators = progressive.GrowingGenerator(noise_dim, generator.classes, width)
    discriminators = progressive.GrowingDiscriminator(generator.classes, width)
    batches = _digit_batches(generator).map(
        lambda digits, labels: (framing.pad_to_train_side(digits), labels)
    )
    per_stage = {}
    for side in progressive.RESOLUTIONS:
        gan = progressive.stage_gan(generators, discriminators, side, noise_dim)
        gan.compile()
        per_stage[str(side)] = round(_images_per_second(gan, batches), 1)
    dcgan = ConditionalGAN(build_generator(), build_discriminator(), noise_dim=100)
    dcgan.compile()
    reference = _images_per_second(dcgan, _digit_batches(generator))
    stages = ", ".join(f"{side} px {rate:.0f}" for side, rate in per_stage.items())
    return {
        "comparison": "PGGAN training throughput per stage vs the project's DCGAN",
        "checkpoint": str(generator.path),
        "batch_size": BATCH_SIZE,
        "timed_steps": TIMED_STEPS,
        "pggan_images_per_s": per_stage,
        "dcgan_images_per_s": round(reference, 1),
        "summary": f"training throughput, batch {BATCH_SIZE}: PGGAN {stages} images/s; DCGAN "
        f"{reference:.0f} images/s",
    }


def gan_table(generators, throughputs: list[dict]) -> dict:
    """The generators side by side: card figures and the throughput just measured."""
    rows = []
    for generator, speed in zip(generators, throughputs, strict=True):
        card = generator.card
        metric = card.metric if card else {}
        rate = (
            speed.get("began_images_per_s")
            or speed.get("ours_images_per_s")
            or speed.get("pggan_images_per_s", {}).get("32")
        )
        rows.append(
            {
                "generator": generator.path.stem,
                "class_accuracy": metric.get("value"),
                "frechet_distance": metric.get("frechet_distance"),
                "frechet_real_vs_real": metric.get("frechet_real_vs_real"),
                "diversity_min": metric.get("diversity_min"),
                "training_minutes": round(card.training_time_s / 60, 1) if card else None,
                "steps": (card.hyperparameters.get("steps_run") if card else None),
                "training_images_per_s": rate,
            }
        )
    return {
        "comparison": "GANs at equal wall time",
        "table": rows,
        "summary": "the GANs side by side (figures from their cards; throughput measured now)\n"
        + format_gan_table(rows),
    }


def format_gan_table(rows: list[dict]) -> str:
    header = ("generator", "class acc.", "FD", "FD real", "min div.", "minutes", "steps", "img/s")
    keys = (
        "generator", "class_accuracy", "frechet_distance", "frechet_real_vs_real",
        "diversity_min", "training_minutes", "steps", "training_images_per_s",
    )  # fmt: skip

    def shown(key, value):
        if value is None:
            return "-"
        if key == "class_accuracy":
            return f"{value:.1%}"
        return f"{value:g}" if isinstance(value, float) else str(value)

    table = [header] + [tuple(shown(key, row[key]) for key in keys) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    )


def _began(generator):
    """A fresh BEGAN pair of the shipped generator's size (filters read from its projection)."""
    filters = generator.model.get_layer("generator_project").units // began.BASE_SIDE**2
    gan = began.BoundaryEquilibriumGAN(
        began.build_generator(generator.noise_dim, generator.classes, filters),
        began.build_discriminator(generator.classes, filters),
        noise_dim=generator.noise_dim,
    )
    gan.compile()
    return gan


def began_throughput(generator) -> dict:
    """BEGAN's training images per second against the DCGAN's at its shipped width (64), on
    the same batches: what "the same wall time" buys each."""
    batches = _digit_batches(generator)
    ours = _images_per_second(
        _began(generator),
        batches.map(lambda digits, labels: (framing.pad_to_train_side(digits), labels)),
    )
    dcgan = ConditionalGAN(build_generator(), build_discriminator(), noise_dim=100)
    dcgan.compile()
    reference = _images_per_second(dcgan, batches)
    return {
        "comparison": "BEGAN training throughput vs the project's DCGAN",
        "checkpoint": str(generator.path),
        "batch_size": BATCH_SIZE,
        "timed_steps": TIMED_STEPS,
        "began_images_per_s": round(ours, 1),
        "dcgan_images_per_s": round(reference, 1),
        "summary": f"training throughput, batch {BATCH_SIZE}: BEGAN {ours:.0f} images/s, "
        f"DCGAN {reference:.0f} images/s",
    }


def _images_per_second(gan, dataset) -> float:
    gan.fit(dataset.take(WARMUP_STEPS), epochs=1, verbose=0, shuffle=False)  # traces the step
    started = time.perf_counter()
    gan.fit(dataset.skip(WARMUP_STEPS), epochs=1, verbose=0, shuffle=False)
    return TIMED_STEPS * BATCH_SIZE / (time.perf_counter() - started)


def training_throughput(generator) -> dict:
    if not generator.is_digit_model:
        return {"comparison": "training throughput", "skipped": "not a 28x28 digit generator"}
    digits = generator.generate(None, seed=0, count=256)
    images = np.resize(digits, (DATA_IMAGES, 28, 28))[..., None].astype("float32") / 255.0
    labels = np.resize(np.arange(10), DATA_IMAGES).astype("int32")
    ours = _images_per_second(
        _ours(generator),
        tf.data.Dataset.from_tensor_slices((images * 2 - 1, labels)).batch(BATCH_SIZE),
    )
    recipe = _images_per_second(
        _keras_io_recipe(), tf.data.Dataset.from_tensor_slices(images).batch(BATCH_SIZE)
    )
    return {
        "comparison": "training throughput vs keras-io dcgan_overriding_train_step",
        "checkpoint": str(generator.path),
        "batch_size": BATCH_SIZE,
        "timed_steps": TIMED_STEPS,
        "ours_images_per_s": round(ours, 1),
        "keras_io_images_per_s": round(recipe, 1),
        "speedup": round(ours / recipe, 2),
        "summary": f"training throughput, batch {BATCH_SIZE}: ours {ours:.0f} images/s, "
        f"keras-io recipe {recipe:.0f} images/s ({ours / recipe:.2f}x)",
    }
