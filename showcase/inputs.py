"""Checks on what people type or upload, shared by every demo's API and UI."""

from __future__ import annotations

import math
import numbers
import re

from showcase.errors import InputError

MAX_SEED = 2**31 - 1  # numpy and Keras seeds are 32-bit
# C0 and C1 control characters (NUL included) other than tab, line feed and carriage return:
# invisible, never meant, and C libraries stop at a NUL. They become spaces.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def check_unicode(text: str, what: str = "text") -> str:
    """``text`` with stray control characters turned into spaces; invalid Unicode is refused.

    A lone surrogate (half of a UTF-16 pair) cannot be encoded as UTF-8, so TensorFlow,
    SentencePiece and espeak-ng would each fail on it in their own way; one message here instead.
    """
    surrogate = _LONE_SURROGATE.search(text)
    if surrogate:
        raise InputError(
            f"The {what} is not valid Unicode: character {surrogate.start() + 1:,} is half of a "
            "UTF-16 pair (a lone surrogate). Retype or paste the text again."
        )
    return _CONTROL_CHARACTERS.sub(" ", text)


def clean_text(text, max_chars: int, what: str = "text") -> tuple[str, str]:
    """Return (usable text, notice); the notice is empty unless the text had to be shortened.

    Any valid Unicode is accepted (see ``check_unicode``). Empty or whitespace-only text is
    refused with a message.
    """
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise InputError(f"{what} must be a string, not {type(text).__name__}")
    text = check_unicode(text, what).strip()
    if not text:
        raise InputError(f"Please enter some {what}: it is empty.")
    if len(text) <= max_chars:
        return text, ""
    cut = text[:max_chars]
    # Cut at the last space so no word is chopped in half.
    if " " in cut[max_chars // 2 :]:
        cut = cut[: cut.rfind(" ")]
    notice = f"Your {what} has {len(text):,} characters; only the first {len(cut):,} were used."
    return cut, notice


def decode_upload(data: bytes, name: str = "file") -> str:
    """Decode uploaded bytes as UTF-8 (a BOM is fine); anything else gets a clear message."""
    if b"\x00" in data[:4096]:
        raise InputError(f"{name} looks like a binary file; upload UTF-8 text (.txt or .csv)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"{name} is not UTF-8 text (invalid byte at position {err.start}); save it as UTF-8"
        ) from None


def check_seed(seed, what: str = "seed") -> int:
    """A whole number in 0..MAX_SEED (a float like 3.0 from a number box counts)."""
    if isinstance(seed, float) and seed.is_integer():
        seed = int(seed)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise InputError(f"The {what} must be a whole number, not {seed!r}.")
    if not 0 <= seed <= MAX_SEED:
        raise InputError(f"The {what} must be between 0 and {MAX_SEED:,}; {seed:,} is not.")
    return int(seed)


def check_beam_size(beam_size, maximum: int = 10) -> int:
    """A whole number of beams in 1..maximum (a slider's 3.0 counts)."""
    if isinstance(beam_size, float) and beam_size.is_integer():
        beam_size = int(beam_size)
    if isinstance(beam_size, bool) or not isinstance(beam_size, numbers.Integral):
        raise InputError(f"The beam size must be a whole number, not {beam_size!r}.")
    if not 1 <= beam_size <= maximum:
        raise InputError(f"The beam size must be between 1 and {maximum}; {beam_size} is not.")
    return int(beam_size)


def check_whole_number(value, what: str, low: int, high: int) -> int:
    """A whole number in low..high (a slider's 30.0 counts); ``what`` starts the message."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not low <= value <= high
    ):
        raise InputError(f"{what} must be a whole number from {low:,} to {high:,}, not {value!r}.")
    return int(value)


def check_number(value, what: str, low: float, high: float) -> float:
    """A finite number in low..high; ``what`` starts the message."""
    valid = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not valid or not math.isfinite(value) or not low <= value <= high:
        raise InputError(f"{what} must be a number from {low:g} to {high:g}, not {value!r}.")
    return float(value)
