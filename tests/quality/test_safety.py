"""Safety: what a request may read and upload, and what the package will load or download.

- Every `.keras` file is loaded with safe_mode=True (the loading itself is tested in
  test_sentiment_model: a checkpoint holding a Lambda layer is refused); here a scan of the
  source proves no other loader is used.
- Downloads carry a pinned SHA-256 and are checked (behaviour tested in test_sentiment_data and
  test_style_transfer); here a scan proves no download bypasses the check.
- Over HTTP: uploads are capped at the hub's max_file_size, and no endpoint reads a server path.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from tests.support import REPO as ROOT

SOURCES = sorted((ROOT / "showcase").rglob("*.py")) + sorted((ROOT / "apps").glob("*.py"))
LOADER_WRAPPERS = {"checkpoints.load_model", "run.load_model", "self.load_model"}


def calls(source: Path):
    tree = ast.parse(source.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node, ast.unparse(node.func)


def keyword(call: ast.Call, name: str):
    return next((k.value for k in call.keywords if k.arg == name), None)


def test_the_scan_sees_the_package():
    names = {path.name for path in SOURCES}
    assert {"checkpoints.py", "downloads.py", "hub.py"} <= names and len(SOURCES) > 50


def test_every_keras_load_goes_through_safe_mode():
    offenders = []
    for source in SOURCES:
        for call, name in calls(source):
            if name.endswith("load_model") and name not in LOADER_WRAPPERS:
                safe = keyword(call, "safe_mode")
                if not (isinstance(safe, ast.Constant) and safe.value is True):
                    offenders.append(f"{source.relative_to(ROOT)}:{call.lineno} {name}")
            if name in ("pickle.load", "pickle.loads", "tf.saved_model.load", "torch.load"):
                offenders.append(f"{source.relative_to(ROOT)}:{call.lineno} {name}")
            if name.endswith("np.load") or name == "numpy.load":
                pickled = keyword(call, "allow_pickle")
                if isinstance(pickled, ast.Constant) and pickled.value:
                    offenders.append(f"{source.relative_to(ROOT)}:{call.lineno} allow_pickle")
    assert offenders == []
    # The one place that calls Keras' loader is the checkpoints module, with safe_mode=True.
    loaders = [
        (source.name, call.lineno)
        for source in SOURCES
        for call, name in calls(source)
        if name == "keras.saving.load_model"
    ]
    assert [name for name, _ in loaders] == ["checkpoints.py"]


def test_every_download_is_hash_pinned():
    unpinned = []
    for source in SOURCES:
        for call, name in calls(source):
            where = f"{source.relative_to(ROOT)}:{call.lineno}"
            if name.endswith("get_file") and keyword(call, "file_hash") is None:
                unpinned.append(f"{where} get_file without file_hash")
            if name in ("urllib.request.urlopen", "urlopen", "requests.get", "httpx.get"):
                unpinned.append(f"{where} {name}: downloads go through showcase.downloads")
    assert unpinned == []


def test_a_remote_file_cannot_be_defined_without_a_pinned_hash():
    from showcase.downloads import RemoteFile

    for digest in ("", "abc", "X" * 64, "0" * 63):
        with pytest.raises(ValueError, match="sha256"):
            RemoteFile("https://example.org/a.zip", "a.zip", digest)
    assert RemoteFile("https://example.org/a.zip", "a.zip", "0" * 64).sha256 == "0" * 64


# -- over HTTP, against the running hub ------------------------------------------------------


@pytest.mark.slow
@pytest.mark.xdist_group("hub")
def test_uploads_over_the_cap_are_refused(hub, tmp_path):
    import httpx

    from showcase.apps.hub import MAX_UPLOAD

    assert MAX_UPLOAD == "10mb"
    big = tmp_path / "big.txt"
    big.write_bytes(b"I love it\n" * 1_100_000)  # 11 MB
    with open(big, "rb") as handle:
        response = httpx.post(
            hub.url + "gradio_api/upload", files={"files": ("big.txt", handle, "text/plain")}
        )
    assert response.status_code == 413 and "maximum allowed size" in response.text
    small = tmp_path / "small.txt"
    small.write_text("I love it\n")
    with open(small, "rb") as handle:
        response = httpx.post(
            hub.url + "gradio_api/upload", files={"files": ("small.txt", handle, "text/plain")}
        )
    assert response.status_code == 200


@pytest.mark.slow
@pytest.mark.xdist_group("hub")
@pytest.mark.parametrize(
    "path",
    [
        "gradio_api/file=/etc/passwd",
        "gradio_api/file=%2Fetc%2Fpasswd",
        "gradio_api/file=/tmp/gradio/../../etc/passwd",
        "gradio_api/file=../../../../etc/passwd",
        "file=/etc/passwd",
    ],
)
def test_server_files_cannot_be_fetched(hub, path):
    import httpx

    response = httpx.get(hub.url + path)
    assert response.status_code in (403, 404)
    assert "root:" not in response.text


@pytest.mark.slow
@pytest.mark.xdist_group("hub")
def test_the_shipped_checkpoints_cannot_be_fetched(hub):
    import httpx

    for checkpoint in sorted((ROOT / "models").rglob("*.keras"))[:3]:
        response = httpx.get(f"{hub.url}gradio_api/file={checkpoint}")
        assert response.status_code == 403


def call_raw(hub, api_name: str, data: list) -> tuple[str, dict]:
    """POST /gradio_api/call/NAME as any HTTP client could, and read the one answer event."""
    import httpx

    started = httpx.post(f"{hub.url}gradio_api/call/{api_name}", json={"data": data})
    started.raise_for_status()
    answer = httpx.get(f"{hub.url}gradio_api/call/{api_name}/{started.json()['event_id']}")
    event = re.search(r"event: (\w+)", answer.text).group(1)
    payload = json.loads(answer.text.split("data:", 1)[1].strip().splitlines()[0])
    return event, payload


@pytest.mark.slow
@pytest.mark.xdist_group("hub")
@pytest.mark.parametrize(
    "api_name, extra",
    [
        ("sentiment_batch", []),
        ("style_transfer_fast", ["wave", 128]),
        ("captioning_caption", [2, "scenes_attention"]),
    ],
)
def test_a_server_path_in_place_of_an_upload_is_refused(hub, tmp_path, api_name, extra):
    secret = tmp_path / "secret.txt"
    secret.write_text("the password is swordfish\n")
    # A picture too, so the image endpoints would have something they could read.
    picture = tmp_path / "secret.png"
    from PIL import Image

    Image.new("RGB", (64, 64), (200, 10, 10)).save(picture)
    target = secret if api_name == "sentiment_batch" else picture
    file_data = {
        "path": str(target),
        "orig_name": target.name,
        "meta": {"_type": "gradio.FileData"},
    }
    event, payload = call_raw(hub, api_name, [file_data, *extra])
    assert event == "error"
    assert "takes a file uploaded to this page" in payload["error"]
    assert "swordfish" not in json.dumps(payload)


@pytest.mark.slow
@pytest.mark.xdist_group("hub")
@pytest.mark.parametrize(
    "api_name, data",
    [
        ("dcgan_draw", ["../../../etc/passwd", 1.0, 0, 2, 2, "DCGAN"]),
        ("dcgan_draw", ["3", 1.0, 0, 2, 2, "../../models/dcgan/mnist_digits"]),
        ("captioning_scene", [1, 2, "../../models/sentiment/sst2_bilstm"]),
        ("translation_translate", ["hello", "/etc/passwd", 2]),
    ],
)
def test_names_that_pick_a_checkpoint_are_only_the_listed_ones(hub, api_name, data):
    """Dropdowns that choose a checkpoint or a style refuse anything that is not a choice."""
    event, payload = call_raw(hub, api_name, data)
    assert event == "error" and "takes one of its choices" in payload["error"]


@pytest.mark.slow
@pytest.mark.xdist_group("hub")
def test_a_style_name_cannot_point_outside_the_styles(hub, tmp_path):
    from showcase.style_transfer.samples import landscape

    landscape((64, 48)).save(tmp_path / "photo.png")
    client = hub.client()
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="takes one of its choices"):
        client.predict(
            handle_file(str(tmp_path / "photo.png")),
            "../../sentiment/sst2_bilstm",
            128,
            api_name="/style_transfer_fast",
        )
