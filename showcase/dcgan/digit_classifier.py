"""The judge of generated digits: a small CNN the project trains on the GAN's own training split.

It answers two questions about a generator. Does a digit drawn for class 3 look like a 3 (the
classifier's accuracy on generated digits)? Do the generated digits spread like real ones (a
Frechet distance and pairwise distances in its 128-dimensional penultimate layer, the way FID uses
Inception's; Heusel et al. 2017)? Inception is an ImageNet network and says little about 28x28
digits, so, as is common for MNIST GANs, a digit classifier stands in for it.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from showcase.dcgan.data import to_unit_range

NAME = "digit_classifier"
FEATURES_LAYER = "features"


def build_classifier(classes: int = 10) -> keras.Model:
    """28x28x1 digits in [-1, 1] (the generator's range) -> class logits."""
    digit = keras.Input(shape=(28, 28, 1), name="digit")
    # Small random shifts in training only: 8,000 digits are few for a CNN.
    x = layers.RandomTranslation(0.1, 0.1, fill_mode="constant", fill_value=-1.0, name="shift")(
        digit
    )
    for block, filters in enumerate((32, 64), start=1):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{block}a")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{block}b")(x)
        x = layers.MaxPooling2D(name=f"pool{block}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(128, activation="relu", name=FEATURES_LAYER)(x)
    x = layers.Dropout(0.4, name="dropout")(x)
    logits = layers.Dense(classes, name="logits")(x)
    return keras.Model(digit, logits, name=NAME)


def train_classifier(train, held_out, epochs: int = 8, batch_size: int = 128, verbose: int = 0):
    """Fit on ``train`` (an ImageSet); returns (model, accuracy on ``held_out``)."""
    model = build_classifier(train.classes)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(
        to_unit_range(train.images),
        train.labels,
        batch_size=batch_size,
        epochs=epochs,
        verbose=verbose,
    )
    logits, _ = logits_and_features(model, to_unit_range(held_out.images))
    return model, float((logits.argmax(axis=1) == held_out.labels).mean())


def logits_and_features(classifier: keras.Model, images: np.ndarray, batch_size: int = 500):
    """(logits, penultimate features) for float images in [-1, 1], (count, 28, 28, 1)."""
    both = keras.Model(
        classifier.input, [classifier.output, classifier.get_layer(FEATURES_LAYER).output]
    )
    logits, features = both.predict(images, batch_size=batch_size, verbose=0)
    return np.asarray(logits), np.asarray(features, dtype=np.float64)
