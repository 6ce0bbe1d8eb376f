"""Pick a ``tf.distribute`` strategy and precision policy for training, the same way for every demo.

``--strategy auto`` uses MirroredStrategy when more than one local GPU is visible and the default
(single-device) strategy otherwise; ``mirrored`` mirrors across all local GPUs (or the CPU);
``multiworker`` reads the cluster from ``TF_CONFIG`` (TensorFlow's own multi-machine engine).
``--mixed-precision`` sets Keras' ``mixed_float16`` policy, which only pays off on GPUs.
"""

from __future__ import annotations

from showcase.errors import ShowcaseError

STRATEGIES = ("auto", "default", "mirrored", "multiworker")


def make_strategy(name: str = "auto"):
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if name == "auto":
        name = "mirrored" if len(gpus) > 1 else "default"
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        import os

        if "TF_CONFIG" not in os.environ:
            raise ShowcaseError("--strategy multiworker needs the cluster described in TF_CONFIG")
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ShowcaseError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")


def set_precision(mixed: bool) -> str:
    """Apply the precision policy; mixed precision without a GPU is refused (it slows CPUs down)."""
    import keras
    import tensorflow as tf

    if mixed and not tf.config.list_physical_devices("GPU"):
        raise ShowcaseError("--mixed-precision needs a GPU; none is visible to TensorFlow")
    policy = "mixed_float16" if mixed else "float32"
    keras.mixed_precision.set_global_policy(policy)
    return policy
