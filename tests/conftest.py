"""Fixtures and hooks: isolated user dirs, tiny trained checkpoints, the hub, the shared data.

Only the `shared_data` fixture reads the real data sets (and skips when they are absent); the
rest is generated from word lists and drawn digits. Helpers live in tests/support.py.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
# Tests never reach the network: downloads come from the (temporary) cache or fail at once.
os.environ["SHOWCASE_OFFLINE"] = "1"

from tests.support import (  # noqa: E402  (after the environment the imports below may read)
    Hub,
    drawn_digits,
    free_port,
    server_failures,
    shared_data_dir,
    shared_data_missing,
    showcase_command,
    wait_for_http,
    write_mnist_idx,
    write_sst_folder,
    write_toy_parallel_corpus,
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (--dist loadgroup) a module's tests stay in one worker, so fixtures
    they share (a trained toy model, an in-process server) are built once; tests that name a
    group of their own (the `hub`, the `spaces`) join it instead.

    First, because xdist's worker reads the groups in this same hook: after it, the markers
    added here would be ignored and a module's tests split, each worker training its own copy.
    """
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


@pytest.fixture(autouse=True, scope="session")
def isolated_user_dirs(tmp_path_factory):
    """Keep the tests away from the user's own checkpoints and download cache."""
    home = tmp_path_factory.mktemp("showcase_home")
    cache = tmp_path_factory.mktemp("showcase_cache")
    saved = {k: os.environ.get(k) for k in ("SHOWCASE_HOME", "SHOWCASE_CACHE")}
    os.environ["SHOWCASE_HOME"] = str(home)
    os.environ["SHOWCASE_CACHE"] = str(cache)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def tiny_sst_dir(tmp_path_factory):
    return write_sst_folder(tmp_path_factory.mktemp("sst"))


@pytest.fixture(scope="session")
def tiny_checkpoint(tiny_sst_dir, tmp_path_factory):
    """A small sentiment checkpoint trained on the word-list data (a few seconds)."""
    from showcase.sentiment.train import SentimentTrainConfig, train

    out = tmp_path_factory.mktemp("tiny_checkpoint")
    return train(
        SentimentTrainConfig(
            data=str(tiny_sst_dir),
            epochs=8,
            batch_size=16,
            embedding_dim=16,
            subword_dim=8,
            subword_buckets=500,
            lstm_units=8,
            ensemble_size=2,
            word_dropout=0.0,
            dropout=0.1,
            learning_rate=1e-2,
            out=str(out),
            verbose=0,
        )
    )


@pytest.fixture(scope="session")
def tiny_mnist_dir(tmp_path_factory):
    """2,100 drawn digits in IDX files: 100 to train on, 2,000 held out (the real split's size)."""
    images, labels = drawn_digits(2100)
    return write_mnist_idx(tmp_path_factory.mktemp("mnist"), images, labels)


@pytest.fixture(scope="session")
def tiny_dcgan(tiny_mnist_dir, tmp_path_factory):
    """A toy-width conditional DCGAN trained for one step, with its judge and card."""
    from showcase.dcgan.train import DCGANTrainConfig, train

    out = tmp_path_factory.mktemp("tiny_dcgan")
    return train(
        DCGANTrainConfig(
            data=str(tiny_mnist_dir),
            epochs=1,
            width=4,
            classifier_epochs=1,
            out=str(out),
            verbose=0,
        )
    )


@pytest.fixture(scope="session")
def tiny_rl_agents(tmp_path_factory):
    """A DQN, a DDPG and an AlphaZero network, each trained for a moment, in one folder
    (about 8 s); the rl tests that use it share one xdist group, so it is made once."""
    from showcase.rl.presets import RLTrainConfig
    from showcase.rl.train import train

    out = tmp_path_factory.mktemp("tiny_rl")
    common = {"out": str(out), "verbose": 0, "epochs": 1, "measure_episodes": 3}
    paths = {
        "cartpole_dqn": train(RLTrainConfig(agent="cartpole_dqn", steps_per_epoch=1200, **common)),
        "pendulum_ddpg": train(RLTrainConfig(agent="pendulum_ddpg", steps_per_epoch=400, **common)),
        "connect4_alphazero": train(
            RLTrainConfig(agent="connect4_alphazero", steps_per_epoch=4, simulations=4, **common)
        ),
    }
    return out, paths


@pytest.fixture(scope="session")
def tiny_vqa_models(tmp_path_factory):
    """A Relation Network, a blind and a CNN+LSTM model, each trained for two epochs on 8 scenes,
    in one folder (about 15 s); the vqa tests that use it share one xdist group."""
    from showcase.vqa.presets import VQATrainConfig
    from showcase.vqa.train import train

    out = tmp_path_factory.mktemp("tiny_vqa")
    common = {"scenes": 8, "validation_scenes": 2, "test_scenes": 4, "epochs": 2, "verbose": 0}
    return {
        model: train(VQATrainConfig(model=model, out=str(out), **common))
        for model in ("relation_network", "blind", "cnn_lstm")
    }


@pytest.fixture(scope="session")
def tiny_image_to_image_models(tmp_path_factory):
    """pix2pix, its L1-only ablation, the three colourisers, CycleGAN and its paired upper bound
    at width 4, each trained for two steps on six drawn landscapes and scored on two more, in one
    folder (a few seconds each); domain B is two other landscapes painted after drawn swirls by
    a two-step Gatys optimisation with a random loss network. Returns (paths by name, the
    held-out folder, the held-out paintings' folder)."""
    import tensorflow as tf

    from showcase.image_to_image.painted import PaintSettings, paint_folder
    from showcase.image_to_image.presets import MODELS, PAINTING_MODELS, ImageToImageTrainConfig
    from showcase.image_to_image.train import train
    from showcase.style_transfer.samples import landscape, swirls

    photos = tmp_path_factory.mktemp("i2i_photos")
    parts = (("train", range(6)), ("held_out", range(100, 102)), ("painted", range(200, 202)))
    for part, seeds in parts:
        (photos / part).mkdir()
        for seed in seeds:
            landscape((200, 150), seed).save(photos / part / f"{seed}.png")
    swirls((64, 64)).save(photos / "painting.png")
    paint = {"painting": str(photos / "painting.png"), "iterations": 2, "loss_network": "random"}
    quiet = {"log": lambda line: None}
    paintings = paint_folder(
        photos / "painted", PaintSettings(side=144, **paint), photos / "paintings", **quiet
    )
    held_out_paintings = paint_folder(
        photos / "held_out", PaintSettings(side=128, **paint), photos / "held_out_targets", **quiet
    )
    out = tmp_path_factory.mktemp("tiny_i2i")
    common = {
        "data": str(photos / "train"),
        "held_out": str(photos / "held_out"),
        "width": 4,
        "epochs": 2,
        "steps_per_epoch": 1,
        "batch_size": 2,
        "out": str(out),
        "verbose": 0,
    }
    # One residual block, not six: the same code, a graph that traces in a fraction of the time.
    domains = {"paintings": str(paintings), "held_out_paintings": str(held_out_paintings),
               "crop": 32, "residual_blocks": 1}  # fmt: skip
    painting = {"cyclegan": domains,
                "painting_pix2pix": {**domains, "data": str(photos / "painted")}}  # fmt: skip
    assert set(painting) == set(PAINTING_MODELS)
    paths = {}
    for model in MODELS:
        config = ImageToImageTrainConfig(model=model, **{**common, **painting.get(model, {})})
        # Two steps run eagerly in a second or two; tracing each model's step cost 5-10 s (the
        # fixture: 48 s instead of 85). Traced training is tested in each model's own tests.
        tf.config.run_functions_eagerly(True)
        try:
            paths[model] = train(config)
        finally:
            tf.config.run_functions_eagerly(False)
    return paths, photos / "held_out", held_out_paintings


@pytest.fixture(scope="session")
def toy_translation_data(tmp_path_factory):
    return write_toy_parallel_corpus(tmp_path_factory.mktemp("toy_translation"))


@pytest.fixture(scope="session")
def tiny_translator_path(toy_translation_data, tmp_path_factory):
    """A small en-fr translator trained and scored on the toy corpus (a few seconds)."""
    from showcase.translation.train import TranslationTrainConfig, train

    folder, manythings = toy_translation_data
    config = TranslationTrainConfig(
        pair="en-fr",
        data=str(folder),
        tatoeba=str(manythings),
        vocabulary_size=60,
        embedding_dim=16,
        encoder_units=16,
        decoder_units=32,
        dropout=0.0,
        epochs=8,
        batch_size=32,
        learning_rate=2e-2,
        # Stops after the first epoch, then resumes: the resume path is part of every run.
        max_minutes=1e-4,
        out=str(tmp_path_factory.mktemp("tiny_translator")),
        verbose=0,
    )
    stopped = train(config)
    assert stopped.name == "en-fr.resume.keras", stopped
    config.resume, config.max_minutes = True, 0.0
    return train(config)


# ---------------------------------------------------------------------------------------------
# The quality suite: one `showcase launch` hub with every demo and the shipped checkpoints,
# started once and shared by the HTTP, bad-input, load, memory, safety and browser tests.
# Under pytest-xdist they carry `xdist_group("hub")`, so they run in one worker beside one hub.


@pytest.fixture(scope="session")
def hub(isolated_user_dirs, tmp_path_factory):
    """`showcase launch` on a free loopback port: all demos, the checkpoints shipped in models/."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("hub") / "hub.log"
    # Its own empty user folder: checkpoints other tests train must not join the shipped ones.
    home = tmp_path_factory.mktemp("hub_home")
    # A file, not a pipe: a long session's log would fill a pipe nobody reads and stall the server.
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [*showcase_command(), "launch", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            # A 20 s work budget instead of 90: the memory soak's maximal optimisation reaches
            # its peak in the first steps, and the suite has ten minutes in all.
            env={
                **os.environ,
                "SHOWCASE_HOME": str(home),
                "PYTHONUNBUFFERED": "1",
                "SHOWCASE_WORK_SECONDS": "20",
            },
        )
    server = Hub(f"http://127.0.0.1:{port}/", process, log_path)
    try:
        wait_for_http(server.url, timeout=180, process=process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    crashes = server_failures(server.log())
    assert not crashes, "\n\n".join(crashes)[-5000:]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real data sets ($SHOWCASE_DATA, else ../shared/data); skips when absent.

    A test that needs one data set or file in it asks `tests.support.shared_dataset(shared_data,
    "mnist_t10k")`, which skips when that one is missing.
    """
    reason = shared_data_missing()
    if reason:
        pytest.skip(reason)
    return shared_data_dir()


@pytest.fixture
def need_espeak():
    """espeak-ng, from the system or the espeakng-loader wheel (a dependency, so always there
    after `pip install`; a test that needs it fails under CI rather than skipping)."""
    from showcase.tts.corpus import espeak_available

    if not espeak_available():
        if os.environ.get("CI") == "true":
            pytest.fail("espeak-ng is missing under CI: neither the wheel nor a system one")
        pytest.skip("espeak-ng is not installed")
