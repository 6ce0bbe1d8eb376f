"""Scale-out, run for real: the training kit's ``multiworker`` and ``mirrored`` strategies.

Two worker processes on loopback train the DCGAN demo (toy-sized) with MultiWorkerMirroredStrategy
through ``showcase train``, exactly as two machines would; a third process mirrors the sentiment
model over two logical CPU devices. Each run takes its own process because TensorFlow fixes its
devices and its cluster when it starts.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow

# 100 training digits, 16 a replica: 3 steps an epoch with two replicas.
TOY_DCGAN = ["--epochs", "2", "--batch-size", "16", "--width", "4", "--noise-dim", "8"]
TOY_DCGAN += ["--classifier-epochs", "1", "--quiet"]
WORKER_TIMEOUT_S = 300


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for each in sockets:
        each.bind(("127.0.0.1", 0))
    ports = [each.getsockname()[1] for each in sockets]
    for each in sockets:
        each.close()
    return ports


def quiet_environment(**extra) -> dict:
    return {
        **os.environ,
        "CUDA_VISIBLE_DEVICES": "",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        # One thread pool each: two workers share the machine's cores.
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
        **extra,
    }


def trainable_weights_of(path: Path) -> list[np.ndarray]:
    import keras

    import showcase.dcgan.model  # noqa: F401 - registers the layers

    model = keras.saving.load_model(path, safe_mode=True, compile=False)
    return [variable.numpy() for variable in model.trainable_weights]


def card_of(folder: Path) -> dict:
    return json.loads((folder / "mnist_digits.card.json").read_text())


def test_two_workers_train_the_same_model_through_the_cli(tiny_mnist_dir, tmp_path):
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    outs = [tmp_path / f"worker{index}" for index in range(2)]
    workers = []
    for index, out in enumerate(outs):
        tf_config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        command = [sys.executable, "-m", "showcase", "train", "dcgan"]
        command += ["--data", str(tiny_mnist_dir), "--strategy", "multiworker", "--out", str(out)]
        workers.append(
            subprocess.Popen(
                command + TOY_DCGAN,
                env=quiet_environment(TF_CONFIG=tf_config),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    try:
        logs = [worker.communicate(timeout=WORKER_TIMEOUT_S)[0] for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    for worker, log in zip(workers, logs, strict=True):
        assert worker.returncode == 0, log[-3000:]
        # 100 digits in global batches of 2 x 16: three synchronised steps an epoch.
        assert log.count("3/3 - ") == 2, log[-3000:]

    # The gradients are summed across workers, so every trainable weight ends identical. (Batch
    # normalisation's moving statistics are each worker's own: it sees half the data.)
    first, second = (trainable_weights_of(out / "mnist_digits.keras") for out in outs)
    assert len(first) == len(second) > 0
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    for out in outs:
        card = card_of(out)
        assert card["hyperparameters"]["replicas"] == 2
        assert card["hyperparameters"]["strategy"] == "multiworker"


MIRRORED_ON_TWO_CPUS = """
import sys
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from showcase.cli import main

sys.exit(main(sys.argv[1:]))
"""


TOY_SENTIMENT = ["--epochs", "2", "--batch-size", "16", "--embedding-dim", "8"]
TOY_SENTIMENT += ["--subword-dim", "4", "--subword-buckets", "200", "--lstm-units", "4"]
TOY_SENTIMENT += ["--ensemble-size", "1", "--quiet"]


def test_mirrored_copies_the_model_onto_two_logical_cpus(tiny_sst_dir, tmp_path):
    """The sentiment model reads strings: the case Keras' distributed fit needed help with."""
    out = tmp_path / "mirrored"
    command = [sys.executable, "-c", MIRRORED_ON_TWO_CPUS, "train", "sentiment"]
    command += ["--data", str(tiny_sst_dir), "--strategy", "mirrored", "--out", str(out)]
    done = subprocess.run(
        command + TOY_SENTIMENT,
        env=quiet_environment(),
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT_S,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    card = json.loads((out / "sst2_bilstm.card.json").read_text())
    assert card["hyperparameters"]["replicas"] == 2
    assert card["hyperparameters"]["strategy"] == "mirrored"
    assert 0.0 <= card["metric"]["value"] <= 1.0
