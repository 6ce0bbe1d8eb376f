import pytest

from showcase.errors import InputError
from showcase.inputs import clean_text, decode_upload


@pytest.mark.parametrize("empty", ["", "   ", "\n\t", None])
def test_empty_text_is_refused_with_a_message(empty):
    with pytest.raises(InputError, match="empty"):
        clean_text(empty, 100)


def test_long_text_is_truncated_at_a_word_with_a_notice():
    text, notice = clean_text("word " * 20000, 2000)
    assert len(text) <= 2000 and not text.endswith("wor")
    assert "100,000" in notice or "99,999" in notice


def test_any_unicode_is_accepted():
    text, notice = clean_text("  정말 좋아요 😀 café\x00 ", 100)
    assert text == "정말 좋아요 😀 café" and notice == ""


def test_non_text_values_are_refused():
    with pytest.raises(InputError, match="string"):
        clean_text(42, 100)


def test_decode_upload():
    assert decode_upload("\ufeffhello".encode("utf-8")) == "hello"
    with pytest.raises(InputError, match="not UTF-8"):
        decode_upload(b"caf\xe9", "notes.txt")
    with pytest.raises(InputError, match="binary"):
        decode_upload(b"\x89PNG\x00\x00", "image.txt")
