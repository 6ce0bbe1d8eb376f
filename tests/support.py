"""What the tests share besides fixtures: toy data writers, servers, the shared data sets.

Test modules import these as ``from tests.support import ...`` (``tests`` and each of its
folders are packages, so pytest puts the repository root on ``sys.path``, in every xdist worker
too); ``tests/conftest.py`` holds only the fixtures and hooks, built from these helpers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------------------------
# The real data sets (SST-2, MNIST, LJSpeech, Multi30k, ...) live outside the repository, in
# ../shared/data, or where SHOWCASE_DATA points. The suite never needs them: tests that read
# them take the `shared_data` fixture and skip when the folder or the data set is missing.

SHARED_DATA_VARIABLE = "SHOWCASE_DATA"


def shared_data_dir() -> Path:
    """The folder of real data sets: $SHOWCASE_DATA, else <repo>/../shared/data (may be absent)."""
    named = os.environ.get(SHARED_DATA_VARIABLE)
    return Path(named).expanduser() if named else REPO.parent / "shared" / "data"


def shared_data_missing(*parts: str) -> str | None:
    """Why the shared data folder (or the data set or file `parts` in it) is unusable, or None."""
    folder = shared_data_dir()
    if not folder.is_dir() and os.environ.get(SHARED_DATA_VARIABLE):
        return f"{SHARED_DATA_VARIABLE}={os.environ[SHARED_DATA_VARIABLE]} is not a folder"
    if not folder.is_dir():
        return f"no shared data folder at {folder} ({SHARED_DATA_VARIABLE} names another)"
    path = folder.joinpath(*parts)
    if parts and not path.exists():
        return f"{'/'.join(parts)} is not in the shared data folder {folder}"
    return None


def shared_dataset(shared_data: Path, *parts: str) -> Path:
    """`shared_data / parts` (a data set or a file in it), or skip the test when it is missing."""
    path = shared_data.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{'/'.join(parts)} is not in the shared data folder {shared_data}")
    return path


# ---------------------------------------------------------------------------------------------
# Sentiment: SST-format files of word-list sentences.

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


# ---------------------------------------------------------------------------------------------
# Servers.


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


# ---------------------------------------------------------------------------------------------
# Style transfer and DCGAN.


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


# ---------------------------------------------------------------------------------------------
# Translation.


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


# ---------------------------------------------------------------------------------------------
# The quality suite: the hub that the `hub` fixture (conftest.py) starts once, the shipped
# checkpoints, the artifacts folder and the check of a server's log.

ARTIFACTS = Path(os.environ.get("SHOWCASE_TEST_ARTIFACTS", REPO / "test-artifacts"))


@dataclasses.dataclass
class Hub:
    url: str
    process: subprocess.Popen
    log_path: Path

    def client(self):
        from gradio_client import Client

        # httpx's own default gives an upload 5 s; a browser waits. Under the load test's 20
        # clients on two busy cores an upload once took 5.5 s and was counted as a failure.
        return Client(self.url, verbose=False, httpx_kwargs={"timeout": 60})

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


def card_of(model_path: Path) -> dict:
    """The model card beside a checkpoint a test just trained, as the JSON it was written as."""
    card = model_path.with_name(model_path.name.replace(".keras", ".card.json"))
    return json.loads(card.read_text())
