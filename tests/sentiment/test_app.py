"""The sentiment UI through its HTTP API, as gradio_client sees it, on 127.0.0.1."""

import pytest

from tests.support import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(tiny_checkpoint):
    from gradio_client import Client

    from showcase.apps.hub import launch

    port = free_port()
    blocks = launch(["sentiment"], port=port, checkpoint=str(tiny_checkpoint), block=False)
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    blocks.close()


def classify(client, text):
    return client.predict(text, api_name="/sentiment_classify")


def test_the_lecture_examples_get_labels_and_word_scores(client):
    label, words, notice = classify(client, "the film was wonderful and really great")
    assert label["label"] == "positive"
    confidences = {c["label"]: c["confidence"] for c in label["confidences"]}
    assert confidences["positive"] == pytest.approx(1 - confidences["negative"], abs=1e-4)
    tokens = [item["token"] for item in words]
    assert tokens == "the film was wonderful and really great".split()
    scores = dict((item["token"], item["class_or_confidence"]) for item in words)
    assert scores["wonderful"] > scores["the"]
    assert notice == ""


def test_negative_sentence(client):
    label, _, _ = classify(client, "the plot was awful and quite boring")
    assert label["label"] == "negative"


@pytest.mark.parametrize("bad", ["", "    \n "])
def test_empty_text_is_a_message_not_a_traceback(client, bad):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as raised:
        classify(client, bad)
    assert "empty" in str(raised.value) and "Traceback" not in str(raised.value)
    assert classify(client, "great")[0]["label"] in ("positive", "negative")


def test_100k_characters_are_truncated_with_a_notice(client):
    label, words, notice = classify(client, "great film " * 10000)
    assert "110,000" in notice or "109,999" in notice
    assert label["label"] == "positive"


def test_any_unicode_is_answered(client):
    label, _, _ = classify(client, "정말 좋아요 😀 — naïve café")
    assert label["label"] in ("positive", "negative")


def test_batch_upload_returns_a_csv(client, tmp_path):
    from gradio_client import handle_file

    upload = tmp_path / "reviews.csv"
    upload.write_text("id,text\n1,the film was great\n2,awful and dull\n3,\n", encoding="utf-8")
    table, download, notice = client.predict(handle_file(str(upload)), api_name="/sentiment_batch")
    assert [row[1] for row in table["data"]] == ["positive", "negative"]
    csv_text = open(download, encoding="utf-8").read().splitlines()
    assert csv_text[0] == "text,label,probability,positive_probability"
    assert len(csv_text) == 3 and "2 sentences" in notice


@pytest.mark.parametrize(
    "name, content, fragment",
    [
        ("latin.txt", "cr\xe8me br\xfbl\xe9e".encode("latin-1"), "not UTF-8"),
        ("blank.txt", b"\n  \n", "no sentences"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00", "Invalid file type"),
        ("disguised.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
    ],
)
def test_bad_uploads_get_clear_messages(client, tmp_path, name, content, fragment):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AppError) as raised:
        client.predict(handle_file(str(path)), api_name="/sentiment_batch")
    assert fragment in str(raised.value)
    assert classify(client, "great")[0]["label"] in ("positive", "negative")
