"""Pick a ``tf.distribute`` strategy and precision policy for training, the same way for every demo.

``--strategy auto`` uses MirroredStrategy when more than one local GPU is visible and the default
(single-device) strategy otherwise; ``mirrored`` mirrors across all local GPUs (or the logical
CPU devices);
``multiworker`` reads the cluster from ``TF_CONFIG`` (TensorFlow's own multi-machine engine).
``--mixed-precision`` sets Keras' ``mixed_float16`` policy, which only pays off on GPUs.
"""

from __future__ import annotations

import contextlib
import os

from showcase.errors import ShowcaseError

STRATEGIES = ("auto", "default", "mirrored", "multiworker")


class _SingleDevice:
    """What a strategy offers, for Keras backends other than TensorFlow (one device)."""

    num_replicas_in_sync = 1

    def scope(self):
        return contextlib.nullcontext()


def make_strategy(name: str = "auto"):
    # Keras and TensorFlow are imported in the functions here: training.py imports this module
    # and the CLI builds its options from training.py without them (4.5 s).
    import keras

    if keras.backend.backend() != "tensorflow":
        if name not in ("auto", "default"):
            raise ShowcaseError(f"--strategy {name} needs the TensorFlow backend")
        return _SingleDevice()
    import tensorflow as tf

    from showcase import fit_strategies  # imports TensorFlow: only when training starts

    gpus = tf.config.list_physical_devices("GPU")
    if name == "auto":
        name = "mirrored" if len(gpus) > 1 else "default"
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        if gpus:
            return fit_strategies.MirroredStrategy()
        # No GPU: one copy per logical CPU device (one, unless the process split its CPU with
        # tf.config.set_logical_device_configuration before TensorFlow started).
        cpus = [device.name for device in tf.config.list_logical_devices("CPU")]
        return fit_strategies.MirroredStrategy(cpus)
    if name == "multiworker":
        if "TF_CONFIG" not in os.environ:
            raise ShowcaseError("--strategy multiworker needs the cluster described in TF_CONFIG")
        return fit_strategies.MultiWorkerMirroredStrategy()
    raise ShowcaseError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")


def set_precision(mixed: bool) -> str:
    """Apply the precision policy; mixed precision without a GPU is refused (it slows CPUs down)."""
    import keras  # not at the top: the CLI's options import this module (Keras: 4.5 s)

    if mixed and not _has_gpu():
        raise ShowcaseError("--mixed-precision needs a GPU; none is visible to TensorFlow")
    policy = "mixed_float16" if mixed else "float32"
    keras.mixed_precision.set_global_policy(policy)
    return policy


def _has_gpu() -> bool:
    # Not at the top: the CLI's options import this module (Keras: 4.5 s); jax is optional.
    import keras

    if keras.backend.backend() == "jax":
        import jax

        return any(device.platform == "gpu" for device in jax.devices())
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))
