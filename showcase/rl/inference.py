"""A network's forward pass as one compiled function, the way every agent acts and searches."""

from __future__ import annotations

import keras
import tensorflow as tf


def compiled_forward(model: keras.Model, input_signature=None):
    """``model(batch, training=False)`` traced once per input shape (or once, with a signature
    whose batch dimension is None), so acting costs no Python-level Keras call overhead."""

    def forward(batch):
        return model(batch, training=False)

    if input_signature is not None:
        return tf.function(forward, input_signature=input_signature)
    return tf.function(forward, reduce_retracing=True)
