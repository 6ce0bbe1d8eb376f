"""Shared fixtures: an isolated user data dir, tiny SST-format data, and a tiny trained checkpoint.

Nothing here reads the shared datasets or the network; the data is generated from word lists.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
# Tests never reach the network: downloads come from the (temporary) cache or fail at once.
os.environ["SHOWCASE_OFFLINE"] = "1"

POSITIVE = ["wonderful", "great", "moving", "funny", "brilliant", "delightful", "superb", "love"]
NEGATIVE = ["awful", "boring", "dull", "terrible", "tedious", "bad", "hate", "mess"]
FILLER = ["the", "film", "was", "a", "story", "acting", "really", "and", "plot", "quite", "it"]


def make_sentences(count: int, seed: int) -> list[tuple[int, str]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        label = rng.randint(0, 1)
        words = rng.sample(FILLER, 4) + [rng.choice(POSITIVE if label else NEGATIVE)]
        rng.shuffle(words)
        rows.append((label, " ".join(words)))
    return rows


def write_sst_folder(folder, sizes=(240, 60, 60)):
    folder.mkdir(parents=True, exist_ok=True)
    for seed, (split, size) in enumerate(zip(("train", "dev", "test"), sizes, strict=True)):
        lines = [f"{label} {text}" for label, text in make_sentences(size, seed)]
        (folder / f"stsa.binary.{split}").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(command: list[str], port: int, **popen):
    """Run a server command, wait until 127.0.0.1:port answers, yield a gradio_client.Client.

    On exit the server is stopped and its output must hold no traceback.
    """
    from gradio_client import Client

    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", timeout=120, process=process)
        yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "Traceback" not in output, output


def wait_for_http(url: str, timeout: float = 60.0, process=None) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def train_tiny_style(painting, photos, out, **changes):
    """A fast style trained for a step or two at toy size (weight-free loss network, no XLA)."""
    import dataclasses

    from showcase.style_transfer.train import FastStyleTrainConfig, train

    config = FastStyleTrainConfig(
        style=str(painting),
        content_dir=str(photos),
        epochs=1,
        steps_per_epoch=1,
        batch_size=2,
        crop_size=32,
        width=0.25,
        residual_blocks=1,
        loss_network="random",
        jit_compile=False,
        out=str(out),
        verbose=0,
    )
    return train(dataclasses.replace(config, **changes))


def write_mnist_idx(folder, images, labels):
    """MNIST's gzipped IDX files (``t10k-*``), as the shipped data and the original download."""
    import gzip
    import struct

    import numpy as np

    from showcase.dcgan import data

    header = struct.pack(">IIII", 0x803, len(images), 28, 28)
    with gzip.open(folder / data.IMAGES_FILE, "wb") as handle:
        handle.write(header + np.asarray(images, np.uint8).tobytes())
    with gzip.open(folder / data.LABELS_FILE, "wb") as handle:
        handle.write(
            struct.pack(">II", 0x801, len(labels)) + np.asarray(labels, np.uint8).tobytes()
        )
    return folder


def drawn_digits(count: int, seed: int = 0):
    """(images, labels): digits typed in Pillow's default font at random places, MNIST-shaped."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    rng = np.random.default_rng(seed)
    font = ImageFont.load_default(size=20)
    labels = np.arange(count) % 10
    images = np.zeros((count, 28, 28), np.uint8)
    for index, label in enumerate(labels):
        picture = Image.new("L", (28, 28))
        x, y = rng.integers(4, 12), rng.integers(0, 6)
        ImageDraw.Draw(picture).text((x, y), str(label), fill=255, font=font)
        images[index] = picture
    return images, labels


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


# A toy English -> "French" pair: the word order puts adjectives after nouns, as French does.
TOY_DICTIONARY = {
    "the": "le", "a": "un", "cat": "chat", "dog": "chien", "bird": "oiseau", "man": "homme",
    "red": "rouge", "small": "petit", "black": "noir", "big": "grand", "sees": "voit",
    "likes": "aime", "follows": "suit", "eats": "mange",
}  # fmt: skip
TOY_NOUNS = ["cat", "dog", "bird", "man"]
TOY_ADJECTIVES = ["red", "small", "black", "big"]
TOY_VERBS = ["sees", "likes", "follows", "eats"]


def toy_sentence_pair(rng: random.Random) -> tuple[str, str]:
    english, french = [], []
    for position in range(2):
        article, noun, adjective = rng.choice(["the", "a"]), rng.choice(TOY_NOUNS), None
        if rng.random() < 0.5:
            adjective = rng.choice(TOY_ADJECTIVES)
        english += [article] + ([adjective] if adjective else []) + [noun]
        french += [TOY_DICTIONARY[article], TOY_DICTIONARY[noun]]
        french += [TOY_DICTIONARY[adjective]] if adjective else []
        if position == 0:
            verb = rng.choice(TOY_VERBS)
            english.append(verb)
            french.append(TOY_DICTIONARY[verb])
    return " ".join(english).capitalize() + ".", " ".join(french).capitalize() + "."


def write_toy_parallel_corpus(folder, sizes=None) -> tuple:
    """Multi30k-layout files (uncompressed) and a ManyThings file of the toy en-fr pair."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(30)
    sizes = sizes or {"train": 800, "val": 40, "test_2016_flickr": 30}
    for split, size in sizes.items():
        pairs = [toy_sentence_pair(rng) for _ in range(size)]
        for index, lang in enumerate(("en", "fr")):
            lines = [pair[index] for pair in pairs]
            (folder / f"{split}.{lang}").write_text("\n".join(lines) + "\n", encoding="utf-8")
    manythings = folder / "fra.txt"
    rows = [toy_sentence_pair(rng) for _ in range(400)]
    manythings.write_text("\n".join(f"{en}\t{fr}" for en, fr in rows), encoding="utf-8")
    return folder, manythings


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

ARTIFACTS = Path(
    os.environ.get("SHOWCASE_TEST_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts")
)


@dataclasses.dataclass
class Hub:
    url: str
    process: subprocess.Popen
    log_path: Path

    def client(self):
        from gradio_client import Client

        return Client(self.url, verbose=False)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def memory_mb(self) -> dict[str, float]:
        """The server's resident memory now and at its peak (VmRSS, VmHWM), in MB."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
        return fields


def showcase_command() -> list[str]:
    """The installed `showcase` script beside this Python (how a user starts it), else -m."""
    script = Path(sys.executable).with_name("showcase")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "showcase"]


def shipped(demo: str) -> dict:
    """The checkpoints shipped in models/ for a demo (none of the user's, which tests train)."""
    from showcase import checkpoints

    return checkpoints.available(demo, checkpoints.shipped_checkpoint_dir(demo))


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


def server_failures(log: str) -> list[str]:
    """The tracebacks in a server log that are failures, not messages shown to a user.

    Gradio prints a traceback for the errors its own input checks raise (a slider value below
    its minimum, text where a number belongs, a server path where an upload belongs); those
    end in one of Gradio's user-facing exceptions and are answers, not crashes. The demos raise
    theirs quietly.
    """
    answers = (
        "gradio.exceptions.Error:",
        "gradio.exceptions.ComponentProcessingError:",
        "gradio.exceptions.InvalidPathError:",  # a request for a server file, refused
    )
    chained = ("The above exception was the direct cause", "During handling of the above")
    failures, group = [], []
    for body in log.split("Traceback (most recent call last):")[1:]:
        group.append(body)
        lines = [line for line in body.splitlines() if line.strip()]
        raised = next((line for line in lines if not line.startswith((" ", "\t"))), "")
        if any(line.startswith(chained) for line in lines):
            continue  # the next traceback in the chain ends it
        if not raised.startswith(answers):
            failures.append("Traceback (most recent call last):".join(["", *group]))
        group = []
    failures += [line for line in log.splitlines() if "request failed" in line]
    return failures
