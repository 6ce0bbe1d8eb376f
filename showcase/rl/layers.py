"""The agents' own Keras layers, registered so that their checkpoints load with safe_mode=True."""

from __future__ import annotations

import keras
from keras import layers


@keras.saving.register_keras_serializable(package="showcase.rl")
class DuelingCombine(layers.Layer):
    """Q = V + A - mean(A) (Wang et al. 2016): the state's value plus each action's advantage,
    centred so that V and A are identifiable."""

    def call(self, inputs):
        value, advantages = inputs
        return value + advantages - keras.ops.mean(advantages, axis=-1, keepdims=True)
