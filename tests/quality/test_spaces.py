"""Every demo exported as a Hugging Face Space, started as a program, and called over HTTP.

`showcase export-space DEMO DIR` for each demo, with the checkpoints shipped in models/. Each
Space's README header is parsed as YAML and checked against what the Hub accepts; then all the
Spaces are started at once (each `python app.py` in its own process, from another folder, so
only the exported copy of the code is importable by path) and each answers a request.

Every Space is exported and checked; in the suite four of them are started (each start imports
TensorFlow and loads its models: all ten took 117-141 s of a 10-minute suite on 2 cores): the
Space that borrows another demo's files (lessons), the one with the most checkpoints
(image_to_image), the one with the most extra packages (rl) and the first (sentiment).
SHOWCASE_FULL_MATRIX=1 starts all of them.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

import pytest

from showcase import registry
from tests.support import free_port, server_failures, shipped, wait_for_http

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spaces")]

# The Hub's card metadata: these colours only; short_description at most 60 characters.
HUB_COLOURS = {"red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"}
DEMOS = list(registry.DEMOS)
STARTED_IN_THE_SUITE = ("sentiment", "rl", "image_to_image", "lessons")
FULL_MATRIX = os.environ.get("SHOWCASE_FULL_MATRIX") == "1"


def request_for(demo: str, folder):
    """(api_name, inputs, check) for one cheap request to a demo's Space."""
    from gradio_client import handle_file

    from showcase.style_transfer.samples import landscape

    landscape((96, 64)).save(folder / "photo.png")
    photo = handle_file(str(folder / "photo.png"))
    return {
        "sentiment": (
            "/sentiment_classify",
            ("I love my mobile phone",),
            lambda out: out[0]["label"] == "positive",
        ),
        "style_transfer": (
            "/style_transfer_fast",
            (photo, "wave", 128),
            lambda out: "px" in out[1],
        ),
        "dcgan": ("/dcgan_draw", ("3", 1.0, 0, 2, 2), lambda out: "digit 3" in out[2]),
        "captioning": (
            "/captioning_scene",
            (1, 1, "scenes_attention"),
            lambda out: len(out[1]["data"][0][0].split()) >= 3,
        ),
        "translation": (
            "/translation_translate",
            ("A dog runs in the park.", "English → French", 1),
            lambda out: "chien" in out[0].lower(),
        ),
        "tts": ("/tts_speak", ("Hello there.",), lambda out: out[0] is not None),
        "rl": ("/rl_drop", ("4", "", "You", 16), lambda out: out[1].startswith("4 ")),
        "vqa": (
            "/vqa_answer",
            (3, "what shape is the red object?", ""),
            lambda out: "true answer" in out[1] and len(out[2]["data"]) == 4,
        ),
        "image_to_image": (
            "/image_to_image_photo",
            (photo,),
            lambda out: out[1] is not None and out[2] is not None,
        ),
        # The feature-map lesson reads the DCGAN and digit classifier the Space borrows.
        "lessons": (
            "/lessons_feature_maps_example",
            ("3", 0, 8),
            lambda out: "Predicted" in out[2],
        ),
    }[demo]


def header_of(readme: str) -> dict:
    import yaml

    assert readme.startswith("---\n"), "a Space README starts with a YAML block"
    return yaml.safe_load(readme.split("---\n")[1])


@pytest.fixture(scope="module")
def spaces(tmp_path_factory):
    """{demo: Space folder} for every demo that has what it needs to be exported."""
    from showcase.spaces import export_space

    root = tmp_path_factory.mktemp("spaces")
    exported = {}
    with pytest.MonkeyPatch.context() as patch:
        # An empty user folder: the Spaces ship exactly the checkpoints in models/.
        patch.setenv("SHOWCASE_HOME", str(tmp_path_factory.mktemp("spaces_home")))
        for demo in DEMOS:
            if demo == "tts" and not shipped("tts"):
                continue  # checked in test_a_demo_without_a_checkpoint_is_not_exported
            exported[demo] = export_space(demo, root / demo)
    return exported


def test_every_space_has_a_valid_hub_header(spaces):
    import gradio

    for demo, space in spaces.items():
        header = header_of((space / "README.md").read_text(encoding="utf-8"))
        assert header["sdk"] == "gradio" and header["app_file"] == "app.py", demo
        assert header["sdk_version"] == gradio.__version__, demo
        assert str(header["python_version"]) == f"{sys.version_info[0]}.{sys.version_info[1]}"
        assert header["title"] and len(header["title"]) <= 60, demo
        assert {header["colorFrom"], header["colorTo"]} <= HUB_COLOURS, demo
        assert isinstance(header["pinned"], bool) and header["emoji"], demo
        assert len(header.get("short_description", "")) <= 60, demo
        assert (space / "app.py").is_file() and (space / "requirements.txt").is_file()
        copied = sorted(p.name for p in (space / "checkpoints" / demo).glob("*.keras"))
        assert copied == sorted(f"{name}.keras" for name in shipped(demo)), demo
        packages = space / "packages.txt"
        wanted = registry.get(demo).system_packages
        assert (packages.read_text().split() if packages.is_file() else []) == list(wanted), demo


def test_a_demo_without_a_checkpoint_is_not_exported(tmp_path, monkeypatch):
    from showcase.errors import ShowcaseError
    from showcase.spaces import export_space

    if shipped("tts"):
        pytest.skip("a voice is shipped, so the TTS Space is exported and served")
    monkeypatch.setenv("SHOWCASE_HOME", str(tmp_path / "home"))
    with pytest.raises(ShowcaseError, match="showcase train tts"):
        export_space("tts", tmp_path / "tts")


@contextlib.contextmanager
def started(spaces: dict, cwd):
    """Start every Space at once; yield {demo: (url, process, log path)}; stop them all."""
    running = {}
    try:
        for demo, space in spaces.items():
            port = free_port()
            log_path = cwd / f"{demo}.log"
            env = {
                **os.environ,
                "GRADIO_SERVER_NAME": "127.0.0.1",
                "GRADIO_SERVER_PORT": str(port),
                "PYTHONPATH": "",
                "PYTHONUNBUFFERED": "1",
            }
            with open(log_path, "w", encoding="utf-8") as log:
                process = subprocess.Popen(
                    [sys.executable, str(space / "app.py")],
                    cwd=cwd,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            running[demo] = (f"http://127.0.0.1:{port}/", process, log_path)
        yield running
    finally:
        for _, process, _ in running.values():
            process.terminate()
        for _, process, _ in running.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def test_every_exported_space_starts_and_answers(spaces, tmp_path):
    from gradio_client import Client

    began = time.perf_counter()
    if not FULL_MATRIX:
        spaces = {demo: space for demo, space in spaces.items() if demo in STARTED_IN_THE_SUITE}
        assert len(spaces) == len(STARTED_IN_THE_SUITE)
    with started(spaces, tmp_path) as running:
        for demo, (url, process, log_path) in running.items():
            wait_for_http(url, timeout=240, process=process)
            api_name, inputs, check = request_for(demo, tmp_path)
            client = Client(url, verbose=False)
            outputs = client.submit(*inputs, api_name=api_name).result(timeout=240)
            assert check(outputs), (demo, outputs)
            log = log_path.read_text(encoding="utf-8")
            assert not server_failures(log), log
        print(
            f"\n{len(running)} Spaces started and answered in {time.perf_counter() - began:.0f} s"
        )
