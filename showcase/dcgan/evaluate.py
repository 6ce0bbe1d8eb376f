"""``showcase evaluate dcgan``: is each digit the one asked for, and do they spread like real ones?

Three figures, all in the feature space of the project's digit classifier (see
``digit_classifier``), from 2,000 generated digits (200 per class, fixed noise):

- class accuracy: the share the classifier assigns to the requested class (target >= 95%);
- Frechet distance to the 2,000 held-out real digits (Heusel et al. 2017's FID formula), next to
  the real-vs-real baseline: 2,000 digits of the training split against the same held-out ones;
- diversity: per class, the mean pairwise feature distance of generated digits divided by that of
  real held-out digits. Mode collapse drives it towards 0; the check passes when every class keeps
  at least ``DIVERSITY_FLOOR`` of the real spread.
"""

from __future__ import annotations

import numpy as np

from showcase.dcgan.api import DEMO, DigitGenerator, digit_classifier
from showcase.dcgan.data import load_splits, to_unit_range
from showcase.dcgan.digit_classifier import logits_and_features
from showcase.dcgan.model import classes_of
from showcase.errors import CheckpointError, DataError
from showcase.training import evaluation_row

PER_CLASS = 200
DIVERSITY_FLOOR = 0.6
NOISE_SEED = 0
BASELINE_SEED = 1


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^1/2) of two feature sets."""
    mean_a, mean_b = features_a.mean(axis=0), features_b.mean(axis=0)
    cov_a = np.cov(features_a, rowvar=False)
    cov_b = np.cov(features_b, rowvar=False)
    # Tr((S_a S_b)^1/2) = Tr((S_a^1/2 S_b S_a^1/2)^1/2), and the latter is symmetric: eigh is
    # exact and stable where a general matrix square root of S_a S_b is not.
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = np.sqrt(np.clip(middle, 0, None)).sum()
    distance = ((mean_a - mean_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root
    return float(max(distance, 0.0))


def mean_pairwise_distance(features: np.ndarray) -> float:
    """Average Euclidean distance over all distinct pairs."""
    squared = (features**2).sum(axis=1)
    gram = squared[:, None] + squared[None, :] - 2 * features @ features.T
    distances = np.sqrt(np.clip(gram, 0, None))
    count = len(features)
    return float(distances.sum() / (count * (count - 1)))


def generate_per_class(generator, per_class: int, seed: int = NOISE_SEED) -> tuple:
    """(images in [-1, 1], requested labels): ``per_class`` digits of every class."""

    classes = classes_of(generator)
    noise_dim = generator.input[0].shape[-1]
    noise = np.random.default_rng(seed).standard_normal((classes * per_class, noise_dim))
    labels = np.repeat(np.arange(classes), per_class).astype("int32")
    images = generator.predict([noise.astype("float32"), labels], batch_size=500, verbose=0)
    return np.asarray(images), labels


def score_generator(generator, classifier, train, held_out, per_class: int = PER_CLASS) -> dict:
    """The three figures for ``generator``, judged by ``classifier`` against real digits."""

    images, requested = generate_per_class(generator, per_class)
    logits, generated = logits_and_features(classifier, images)
    real_logits, real = logits_and_features(classifier, to_unit_range(held_out.images))
    count = min(len(train), len(held_out))
    picked = np.random.default_rng(BASELINE_SEED).choice(len(train), count, replace=False)
    _, train_features = logits_and_features(classifier, to_unit_range(train.images[picked]))

    ratios = {}
    for digit in range(int(requested.max()) + 1):
        real_of_class = real[held_out.labels == digit]
        if len(real_of_class) < 2:
            continue
        ratios[str(digit)] = round(
            mean_pairwise_distance(generated[requested == digit])
            / mean_pairwise_distance(real_of_class),
            3,
        )
    return {
        "class_accuracy": round(float((logits.argmax(axis=1) == requested).mean()), 4),
        "per_class_accuracy": {
            str(digit): round(
                float((logits.argmax(axis=1) == requested)[requested == digit].mean()), 3
            )
            for digit in np.unique(requested)
        },
        "frechet_distance": round(frechet_distance(generated, real), 2),
        "frechet_real_vs_real": round(frechet_distance(train_features, real), 2),
        "diversity_ratio": ratios,
        "diversity_min": min(ratios.values()),
        "diversity_passes": min(ratios.values()) >= DIVERSITY_FLOOR,
        "classifier_held_out_accuracy": round(
            float((real_logits.argmax(axis=1) == held_out.labels).mean()), 4
        ),
        "generated": len(requested),
        "held_out": len(held_out),
    }


def evaluate_generator(generator: DigitGenerator, train, held_out) -> dict:
    """One generator's figures as ``showcase evaluate`` prints them, next to its card's."""
    scores = score_generator(generator.model, digit_classifier(generator.path), train, held_out)
    card_metric = generator.card.metric if generator.card else {}
    return evaluation_row(
        generator,
        "class accuracy of generated digits",
        f"{scores['generated']:,} generated vs {held_out.source} ({len(held_out):,})",
        scores["class_accuracy"],
        **scores,
        card_frechet_distance=card_metric.get("frechet_distance"),
    )


def evaluate(checkpoint: str | None = None, data: str | None = None) -> dict:
    """Recompute the cards' figures on the held-out split of ``data`` (default: MNIST test) for
    every installed digit generator (DCGAN, BEGAN...), or the one ``checkpoint`` names.

    Generators of pictures without digit classes are skipped; if nothing else is left, that is
    an error.
    """
    found = DigitGenerator.available(checkpoint)
    if not found:
        raise CheckpointError(f"no {DEMO} checkpoint found; train one with `showcase train {DEMO}`")
    generators = [DigitGenerator.load(path) for path in found.values()]
    digit_models = [generator for generator in generators if generator.is_digit_model]
    if not digit_models:
        generator = generators[0]
        raise DataError(
            f"{generator.path.name} draws {generator.image_shape} pictures without digit classes; "
            "the evaluation judges 28x28 MNIST digit generators only"
        )
    train, held_out = load_splits(data)
    if held_out is None:
        raise DataError(f"--data {data}: the evaluation needs MNIST digits with labels")
    rows = [evaluate_generator(generator, train, held_out) for generator in digit_models]
    return rows[0] if len(rows) == 1 else {"demo": DEMO, "results": rows}


def describe(row: dict) -> list[str]:
    return [
        f"Frechet distance {row['frechet_distance']} (real vs real "
        f"{row['frechet_real_vs_real']}), lowest diversity ratio {row['diversity_min']}"
    ]
