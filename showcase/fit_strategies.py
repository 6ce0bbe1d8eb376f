"""TensorFlow's Mirrored and MultiWorkerMirrored strategies, as Keras 3's ``fit`` needs them.

Keras 3.15's ``fit`` asks a strategy for two reductions TensorFlow 2.21 does not give it
(measured: a two-worker ``Sequential`` fit fails on both, a mirrored sentiment fit on the first):

- before the first step it averages one batch of data across replicas to learn its shapes,
  passing the whole (nested) batch at once, which MultiWorkerMirroredStrategy refuses, and
  strings among it, which no strategy can average;
- on every step it averages each logged scalar with ``axis=0``, which a multi-worker strategy
  refuses for a scalar.

The subclasses below reduce a nested batch part by part, hand back a string part of the first
replica (Keras only reads its shape and dtype), and reduce a scalar across replicas. Everything
else is TensorFlow's own.
"""

from __future__ import annotations

import tensorflow as tf


class _KerasFitReduce:
    def reduce(self, reduce_op, value, axis):
        if axis is None and tf.nest.is_nested(value):
            return tf.nest.map_structure(lambda part: self.reduce(reduce_op, part, None), value)
        first = self.experimental_local_results(value)[0]
        if first.dtype == tf.string:
            return first
        if axis is not None and first.shape.rank == 0:
            axis = None
        return super().reduce(reduce_op, value, axis)


class MirroredStrategy(_KerasFitReduce, tf.distribute.MirroredStrategy):
    """One copy of the model on each local device (GPUs, or logical CPU devices)."""


class MultiWorkerMirroredStrategy(_KerasFitReduce, tf.distribute.MultiWorkerMirroredStrategy):
    """One copy on each device of every worker that ``TF_CONFIG`` lists."""
