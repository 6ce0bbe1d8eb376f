"""Hostile input, generated per endpoint and parameter type from the hub's own API description.

For every public endpoint and every parameter, each bad-input family that fits the parameter's
component is sent as raw JSON (so lone surrogates, NaN and infinity arrive as an attacker sends
them, past any client library's own checks), with the other parameters at their defaults. Each
answer must be a result, or an error with a title and a plain message: no object repr, memory
address, handler name, server path, pydantic link or traceback. After each family (in the
suite: each round of related families), 6 requests at once to every demo (12 with
SHOWCASE_FULL_MATRIX=1) must all be answered (one bad request once left the sentiment demo's
compiled function locked, and every later request hung; 4 at once were enough to show it).

Then the resources: the worst requests the demos allow, several at once, must keep the server
under 4 GB and give the memory back within a minute; a request abandoned by its client stops.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
from PIL import Image

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]

MEMORY_LIMIT_MB = 4096
RELEASED_WITHIN_MB = 512  # above the idle server's memory, within a minute of the worst requests
# One round in the suite: the memory is back at idle after it, so nothing can pile up. Two
# (SHOWCASE_SOAK_ROUNDS=2) also compare the rounds: 2,217 and 2,237 MB after each, idle 1,908.
SOAK_ROUNDS = int(os.environ.get("SHOWCASE_SOAK_ROUNDS", "1"))
RAW_FRAMEWORK_TEXT = [
    re.compile(pattern)
    for pattern in (
        r"object at 0x",
        r"0x[0-9a-fA-F]{8,}",
        r"pydantic",
        r"Traceback",
        r"Could not (pre|post)process",
        r"event handler",
        r"site-packages",
        r"/tmp/|/work/|/root/|/home/|/etc/",
        r"<showcase\.|<gradio\.",
        r"\bdef \w+\(",
    )
]


# --- raw calls ----------------------------------------------------------------------------------


def call(url: str, api: str, data: list, timeout: float = 120.0) -> tuple[str, object]:
    """("complete", outputs) or ("error", {message, title}) from /gradio_api/call/<api>."""
    body = json.dumps({"data": data}, allow_nan=True)  # ensure_ascii keeps lone surrogates
    response = httpx.post(
        f"{url}gradio_api/call/{api}",
        content=body,
        headers={"content-type": "application/json"},
        timeout=timeout,
    )
    if response.status_code != 200:
        return "http", {"status": response.status_code, "message": response.text}
    event_id = response.json()["event_id"]
    event = None
    with httpx.stream("GET", f"{url}gradio_api/call/{api}/{event_id}", timeout=timeout) as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line[len("event:") :].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                payload = json.loads(line[len("data:") :]) if line[5:].strip() != "null" else None
                return event, payload
    return "closed", None


def upload(url: str, path) -> dict:
    with open(path, "rb") as handle:
        response = httpx.post(
            f"{url}gradio_api/upload", files={"files": (path.name, handle)}, timeout=60
        )
    response.raise_for_status()
    (server_path,) = response.json()
    return {"path": server_path, "orig_name": path.name, "meta": {"_type": "gradio.FileData"}}


def problems_with(outcome: tuple[str, object]) -> list[str]:
    """What is wrong with an answer to a bad request (nothing, for a result or a clear error)."""
    kind, payload = outcome
    if kind == "complete":
        return []
    if kind != "error":
        return [f"no answer ({kind}: {str(payload)[:200]})"]
    if not isinstance(payload, dict) or not payload.get("error"):
        return ["an error without a message"]
    found = []
    message = str(payload["error"])
    if payload.get("title") in (None, "", "Error"):
        found.append(f"untitled: {message[:200]}")
    for pattern in RAW_FRAMEWORK_TEXT:
        if pattern.search(message):
            found.append(f"raw framework text ({pattern.pattern}): {message[:300]}")
    return found


# --- the matrix ---------------------------------------------------------------------------------

KINDS = {
    "Textbox": "text",
    "Slider": "number",
    "Number": "number",
    "Dropdown": "choice",
    "Radio": "choice",
    "Checkbox": "checkbox",
    "File": "file",
    "Image": "file",
    "Pictureinput": "file",  # apps.common.PictureInput, a gr.Image
    "Sketchinput": "sketch",  # apps.common.SketchInput, a gr.Sketchpad
    "Imageeditor": "sketch",
    "Sketchpad": "sketch",
    "Button": "text",  # a button passed as an input sends its label (the rl demo's columns)
}
FILE_DICT = {"meta": {"_type": "gradio.FileData"}}


def families(bad_uploads: dict) -> dict[str, dict[str, list]]:
    """family -> component kind -> values to send in place of a good one."""
    server = {**FILE_DICT, "path": "/etc/passwd"}
    link = {**FILE_DICT, "path": "http://127.0.0.1:9/picture.png", "url": "http://127.0.0.1:9/p"}

    def sketch(value):
        return {"background": value, "layers": [], "composite": value}

    as_sketch = {
        name: [sketch(value) for value in values]
        for name, values in {
            "server-path": [server],
            "url": [link],
            "corrupt-file": [bad_uploads["corrupt"], bad_uploads["empty"], bad_uploads["bomb"]],
        }.items()
    }
    return {
        "nothing": {k: [None] for k in ("text", "number", "choice", "checkbox", "file", "sketch")},
        "wrong-type": {
            "text": [["a list"], {"an": "object"}, True],
            "number": ["abc", ["3"], {"n": 3}, True],
            "choice": [["wave"], {"v": 1}, True, 3],
            "checkbox": ["yes", ["x"], 1],
            "file": ["/etc/passwd", 42, ["x"]],
            "sketch": ["x", 42],
        },
        "nan-and-infinity": {
            "number": [math.nan, math.inf, -math.inf],
            "choice": [math.nan],
            "checkbox": [math.nan],
            "text": [math.nan],
        },
        "huge": {
            "number": [10**400, 1e308, -1e308, 10**30],
            "text": ["x" * 1_200_000],
            "choice": ["x" * 10_000],
        },
        "lone-surrogate": {
            "text": ["abc\ud800def", "\udfff"],
            "choice": ["wave\ud800"],
            "number": ["3\ud800"],
        },
        "control-characters": {"text": ["a\x00b\x01c\x1b[31md\x7f", "\x00" * 50]},
        "server-path": {
            "file": [server],
            "sketch": as_sketch["server-path"],
            "text": ["/etc/passwd"],
        },
        "url": {
            "file": [
                link,
                {**FILE_DICT, "path": "file:showcase.txt"},
                {**FILE_DICT, "path": "data:,x"},
            ],
            "sketch": as_sketch["url"],
        },
        "corrupt-file": {
            "file": [bad_uploads["corrupt"], bad_uploads["empty"], bad_uploads["bomb"]],
            "sketch": as_sketch["corrupt-file"],
        },
    }  # fmt: skip


@pytest.fixture(scope="module")
def endpoints(hub) -> dict[str, list[dict]]:
    info = hub.client().view_api(return_format="dict", print_info=False)
    return {name: spec["parameters"] for name, spec in info["named_endpoints"].items()}


@pytest.fixture(scope="module")
def bad_uploads(hub, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20)
    (folder / "empty.png").write_bytes(b"")
    # 20,000 x 20,000 pixels in a few kB: 400 megapixels if anything decoded it.
    Image.new("1", (20_000, 20_000)).save(folder / "bomb.png")
    return {name: upload(hub.url, folder / f"{name}.png") for name in ("corrupt", "empty", "bomb")}


def default_value(parameter: dict):
    return parameter.get("parameter_default") if parameter.get("parameter_has_default") else None


# The suite sends each family's first value per kind of parameter (every endpoint and parameter
# still gets every family); SHOWCASE_FULL_MATRIX=1 sends them all (4 minutes instead of 2).
FULL_MATRIX = os.environ.get("SHOWCASE_FULL_MATRIX") == "1"


def matrix(endpoints: dict, family: dict[str, list], full: bool = True) -> list[tuple]:
    """(endpoint, index of the bad parameter, data) for every parameter the family fits."""
    cases = []
    for name, parameters in sorted(endpoints.items()):
        defaults = [default_value(p) for p in parameters]
        for index, parameter in enumerate(parameters):
            kind = KINDS.get(parameter.get("component", ""))
            values = family.get(kind, [])
            for value in values if full else values[:1]:
                data = list(defaults)
                data[index] = value
                cases.append((name.lstrip("/"), index, data))
    return cases


def normal_requests(photo: dict) -> dict[str, tuple[str, list]]:
    """One cheap, valid request per demo: (endpoint, data)."""
    return {
        "sentiment": ("sentiment_classify", ["A warm, funny and moving film."]),
        "style_transfer": ("style_transfer_fast", [photo, "wave", 128]),
        "dcgan": ("dcgan_draw", ["3", 1.0, 1, 1, 1, "DCGAN"]),
        "captioning": ("captioning_scene", [3, 1, "scenes_show_and_tell"]),
        "translation": ("translation_translate", ["A dog runs.", "English → French", 1]),
        "tts": ("tts_speak", ["Hi."]),
        "lessons": ("lessons_running_mean", [0.9, 50, 20, 1.0, 0]),
        "rl": ("rl_new_game", ["You", 8]),
        "vqa": ("vqa_answer", [3, "what shape is the red object?", ""]),
        "image_to_image": ("image_to_image_photo", [photo]),
    }


@pytest.fixture(scope="module")
def photo(hub, tmp_path_factory):
    from showcase.style_transfer.samples import landscape

    path = tmp_path_factory.mktemp("hostile_photo") / "photo.png"
    landscape((96, 72)).save(path)
    return upload(hub.url, path)


FAMILY_NAMES = [
    "nothing", "wrong-type", "nan-and-infinity", "huge", "lone-surrogate", "control-characters",
    "server-path", "url", "corrupt-file",
]  # fmt: skip
# The check after a round costs about 15 s at 12 requests per demo (each goes through the queue,
# and speech takes one request at a time), so the suite sends 6 per demo and checks after
# related families together, with the lone surrogates (the family that once locked a demo) in a
# round of their own; SHOWCASE_FULL_MATRIX=1 sends 12 and checks after every family on its own.
REQUESTS_AFTER_A_ROUND = 12 if FULL_MATRIX else 6
ROUNDS = (
    [[name] for name in FAMILY_NAMES]
    if FULL_MATRIX
    else [
        ["nothing", "wrong-type", "nan-and-infinity", "huge"],
        ["lone-surrogate", "control-characters"],
        ["server-path", "url", "corrupt-file"],
    ]
)


def test_the_families_cover_every_kind_of_parameter(endpoints, bad_uploads):
    kinds = {KINDS.get(p.get("component")) for ps in endpoints.values() for p in ps}
    assert None not in kinds, [p.get("component") for ps in endpoints.values() for p in ps]
    covered = {kind for family in families(bad_uploads).values() for kind in family}
    assert kinds <= covered
    assert list(families(bad_uploads)) == FAMILY_NAMES
    assert sorted(name for names in ROUNDS for name in names) == sorted(FAMILY_NAMES)
    assert len(endpoints) >= 23


@pytest.mark.parametrize("family_names", ROUNDS, ids="+".join)
def test_every_endpoint_answers_bad_input_families_clearly_and_keeps_serving(
    hub, endpoints, bad_uploads, photo, family_names
):
    every_family = families(bad_uploads)
    cases = [
        case
        for name in family_names
        for case in matrix(endpoints, every_family[name], full=FULL_MATRIX)
    ]
    assert cases, family_names

    def answer(case):
        api, index, data = case
        try:
            outcome = call(hub.url, api, data)
        except httpx.TimeoutException:
            outcome = ("timeout", None)
        shown = repr(data[index])[:60]
        return [f"/{api} parameter {index} = {shown}: {p}" for p in problems_with(outcome)]

    with ThreadPoolExecutor(4) as pool:
        failures = [problem for found in pool.map(answer, cases) for problem in found]
    assert not failures, "\n".join(failures[:40])

    # Several at once to each demo the family reached, all answered: nothing above left a demo
    # locked or broken.
    reached = {api for api, _, _ in cases}
    requests = [
        request
        for demo, request in normal_requests(photo).items()
        if any(api.startswith(demo) for api in reached)
        for _ in range(REQUESTS_AFTER_A_ROUND)
    ]
    with ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(lambda r: call(hub.url, *r, timeout=120), requests))
    broken = [
        f"/{api}: {answer}"
        for (api, _), answer in zip(requests, answers, strict=True)
        if answer[0] != "complete"
    ]
    assert not broken, broken[:10]


def test_the_matrix_is_large_and_hits_every_endpoint(endpoints, bad_uploads):
    every = [case for f in FAMILY_NAMES for case in matrix(endpoints, families(bad_uploads)[f])]
    assert len(every) >= 400
    taking_values = {name.lstrip("/") for name, parameters in endpoints.items() if parameters}
    assert {api for api, _, _ in every} == taking_values


def test_monitoring_is_not_public(hub):
    for path in ("monitoring", "monitoring/summary", "gradio_api/monitoring/summary"):
        response = httpx.get(f"{hub.url}{path}", timeout=10)
        assert response.status_code in (401, 403, 404), (path, response.status_code)


def test_the_server_does_not_fetch_links_given_as_files(hub):
    """A link in place of an upload is refused before anything is fetched."""
    hits = []

    import http.server

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        link = f"http://127.0.0.1:{server.server_port}/secret.png"
        kind, payload = call(
            hub.url, "style_transfer_fast", [{**FILE_DICT, "path": link, "url": link}, "wave", 128]
        )
        assert kind == "error" and "upload" in payload["error"]
        assert hits == []
    finally:
        server.shutdown()


# --- resources ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def worst_files(hub, tmp_path_factory):
    """The largest inputs the demos allow, as uploads."""
    from showcase.images import MAX_PIXELS
    from showcase.sentiment.api import MAX_BATCH_CHARACTERS, MAX_CHARS

    folder = tmp_path_factory.mktemp("worst")
    side = math.isqrt(MAX_PIXELS) - 1
    y, x = np.mgrid[0:side, 0:side]
    pattern = np.stack([(x // 25) % 256, (y // 25) % 256, ((x + y) // 50) % 256], -1)
    picture = Image.fromarray(pattern.astype(np.uint8))
    picture.save(folder / "big.png")
    picture.save(folder / "big.jpg", quality=40)
    line = ("a wonderful film with a terrible plot " * 60)[:MAX_CHARS]
    lines = MAX_BATCH_CHARACTERS // MAX_CHARS
    (folder / "batch.txt").write_text((line + "\n") * lines, encoding="utf-8")
    return {name: upload(hub.url, folder / name) for name in ("big.png", "big.jpg", "batch.txt")}


def test_the_worst_allowed_requests_stay_under_4_gb_and_give_their_memory_back(hub, worst_files):
    """The largest inputs each demo allows, ten at once: the server stays under 4 GB and is
    back within 0.5 GB of its idle memory within a minute (with SOAK_ROUNDS=2, the second round
    must keep no more than the first).

    Before the hub sent oneDNN's large tensors to malloc (TF_ONEDNN_USE_SYSTEM_ALLOCATOR), about
    0.9 GB stayed in TensorFlow's own pool after the first round.
    """
    from tests.support import ARTIFACTS

    call(hub.url, "sentiment_classify", ["warm"])
    time.sleep(3)
    baseline = hub.memory_mb()["VmRSS"]
    gatys = [
        worst_files["big.jpg"], worst_files["big.png"], None, 0.5,
        "SqueezeNet v1.1 (fast, default)", 1024, 1000, 1.0, 5.0, False,
    ]  # fmt: skip
    requests = (
        [("sentiment_batch", [worst_files["batch.txt"]])] * 2
        + [("style_transfer_fast", [worst_files["big.png"], "wave", 1024])] * 2
        + [("style_transfer_fast", [worst_files["big.jpg"], "wave", 1024])] * 2
        + [("style_transfer_fast_gallery", [worst_files["big.jpg"], 1024])]
        + [("style_transfer_gatys", gatys)]
        # The longest episode as pictures (600 frames of Breakout), and the strongest search.
        + [("rl_watch", ["breakout_dqn", 0]), ("rl_drop", ["4", "", "You", 400])]
    )
    peak, done = [baseline], threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], hub.memory_mb().get("VmRSS", 0))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    rounds = []
    try:
        _soak(hub, requests, baseline, rounds)
    finally:
        done.set()
        watcher.join()
    figures = {"baseline_mb": baseline, "peak_mb": peak[0], "rounds": rounds}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "memory_soak.json").write_text(json.dumps(figures, indent=2))
    print(f"\nworst allowed requests: {figures}")
    assert peak[0] < MEMORY_LIMIT_MB, figures
    assert all(r["after_mb"] < baseline + RELEASED_WITHIN_MB for r in rounds), figures
    if len(rounds) > 1:
        assert rounds[-1]["after_mb"] < rounds[0]["after_mb"] + 150, figures


def _soak(hub, requests, baseline: float, rounds: list) -> None:
    """SOAK_ROUNDS rounds of ``requests`` at once, each followed by up to a minute for the
    memory to come back; appends each round's figures to ``rounds``."""
    for _ in range(SOAK_ROUNDS):
        began = time.perf_counter()
        with ThreadPoolExecutor(len(requests)) as pool:
            answers = list(pool.map(lambda r: call(hub.url, *r, timeout=300), requests))
        assert [a[0] for a in answers] == ["complete"] * len(requests), answers
        seconds = time.perf_counter() - began
        deadline = time.monotonic() + 60  # the trim runs in the background, soon after
        while hub.memory_mb()["VmRSS"] > baseline + RELEASED_WITHIN_MB:
            if time.monotonic() > deadline:
                break
            time.sleep(2)
        rounds.append({"seconds": seconds, "after_mb": hub.memory_mb()["VmRSS"]})


def test_an_abandoned_optimisation_stops_and_frees_its_queue(hub, photo):
    """A Gatys run whose client goes away stops at its next progress report, so the next
    person in its one-at-a-time queue starts at once instead of after the whole budget."""
    data = [photo, photo, None, 0.5, "SqueezeNet v1.1 (fast, default)", 384, 1000, 1.0, 5.0, False]
    response = httpx.post(f"{hub.url}gradio_api/call/style_transfer_gatys", json={"data": data})
    event_id = response.json()["event_id"]
    with httpx.stream("GET", f"{hub.url}gradio_api/call/style_transfer_gatys/{event_id}") as s:
        for line in s.iter_lines():
            if line.startswith("event: generating"):
                break  # the first picture: now the person closes the tab
    began = time.perf_counter()
    small = [photo, photo, None, 0.5, "SqueezeNet v1.1 (fast, default)", 128, 20, 1.0, 5.0, False]
    kind, _ = call(hub.url, "style_transfer_gatys", small, timeout=120)
    waited = time.perf_counter() - began
    assert kind == "complete"
    assert waited < 30, f"the next optimisation waited {waited:.0f} s"
