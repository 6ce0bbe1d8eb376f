"""Text front end for the synthesiser: raw English text -> normalised text -> symbol ids.

Tacotron (Wang et al. 2017, "Tacotron: Towards End-to-End Speech Synthesis") reads characters,
not phonemes, so everything the model should *say* has to be spelled out as letters first:
"$3.50" must become "three dollars, fifty cents" and "Dr." must become "doctor". The rules here
follow the spirit of the English cleaners in Keith Ito's Tacotron implementation (Ito 2017,
keithito/tacotron) but are written from scratch; numbers are turned into words with the
``inflect`` library.

``normalize`` does the rewriting, ``to_ids`` maps the result onto ``SYMBOLS`` and reports what
it had to drop (emoji, other scripts), ``split_sentences`` cuts long input into pieces short
enough for the attention to stay on track. A phoneme model reads the same normalised text
through espeak-ng (:mod:`showcase.tts.phonemes`).
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from collections.abc import Iterable

from showcase.lazy import once

PAD = "_"
END = "~"
_PUNCTUATION = "!'(),-.:;?"
SYMBOLS: tuple[str, ...] = (PAD, END, " ", *string.ascii_lowercase, *_PUNCTUATION)
PAD_ID = 0
END_ID = 1
# PAD and END are excluded so that a literal "_" or "~" in the input can never turn into a
# control id.
_SYMBOL_TO_ID = {symbol: i for i, symbol in enumerate(SYMBOLS) if i > END_ID}


def _identity_decorator(target=None, **_):
    return target if target is not None else _identity_decorator


@once
def _engine():
    """inflect's engine, imported on first use.

    inflect wraps its methods in typeguard's ``@typechecked``, which re-parses inflect's whole
    source once per method while inflect is imported: seconds of start-up (more on a busy CPU)
    for argument checks we do not need, as we only pass digit strings and words. The decorator
    is made a no-op for the duration of that one import.
    """
    # Kept here: inflect must be imported under the patch below (a plain import costs 1.7 s,
    # 0.06 s patched, measured), and typeguard is optional.
    try:
        import typeguard
    except ImportError:  # a later inflect that no longer uses typeguard
        import inflect

        return inflect.engine()
    original, typeguard.typechecked = typeguard.typechecked, _identity_decorator
    try:
        import inflect
    finally:
        typeguard.typechecked = original
    return inflect.engine()


# Longer digit strings are phone or card numbers far more often than quantities, and
# "twelve quadrillion, ..." is no help to a listener.
_MAX_CARDINAL_DIGITS = 15

# (abbreviation, expansion, is_title). Titles always precede a name, so their period never
# ends a sentence; the others (e.g. "etc.", "Ltd.") may.
_ABBREVIATIONS = (
    ("mrs", "misses", True),
    ("mr", "mister", True),
    ("drs", "doctors", True),
    ("dr", "doctor", True),
    ("st", "saint", True),
    ("co", "company", False),
    ("jr", "junior", False),
    ("maj", "major", True),
    ("gen", "general", True),
    ("rev", "reverend", True),
    ("lt", "lieutenant", True),
    ("hon", "honorable", True),
    ("sgt", "sergeant", True),
    ("capt", "captain", True),
    ("esq", "esquire", False),
    ("ltd", "limited", False),
    ("col", "colonel", True),
    ("ft", "fort", True),
    ("vs", "versus", True),
    ("etc", "et cetera", False),
)
_ABBREVIATION_WORDS = {abbr: words for abbr, words, _ in _ABBREVIATIONS}
_TITLES = {abbr for abbr, _, is_title in _ABBREVIATIONS if is_title}
_ABBREVIATION_RE = re.compile(r"\b(" + "|".join(_ABBREVIATION_WORDS) + r")\.")

# name, plural, sub-unit name, sub-unit plural
_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
}

# Characters that NFKD leaves alone but that have an obvious ASCII spelling.
_UNICODE_TO_ASCII = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
        "″": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "−": "-",
        "—": " - ",
        "―": " - ",
        "…": "...",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "TH",
        "ð": "d",
        "Ð": "D",
    }
)
# Layout and markup characters ("#" too, unless it means "number"): silent, but they separate
# words, so a space keeps "and/or" from becoming "andor". Double quotes are dropped because
# they are neither spoken nor in SYMBOLS, and reporting them as "dropped" in the UI would only
# be noise.
_SILENT_TO_SPACE = str.maketrans({c: " " for c in "/\\|_*"} | {'"': None, "`": None})
_BRACKETS = str.maketrans({"[": "(", "{": "(", "]": ")", "}": ")"})

_INT = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)"
_SCALES = r"thousand|million|billion|trillion"
_CURRENCY_PREFIX_RE = re.compile(
    r"([$£€])\s?(" + _INT + r")(?:\.(\d+))?(?:\s+(" + _SCALES + r")\b)?"
)
_CURRENCY_SUFFIX_RE = re.compile(r"(?<![\d,.])(" + _INT + r")(?:\.(\d+))?\s?([$£€])")
_CENTS_RE = re.compile(r"(" + _INT + r")\s?¢")
_PERCENT_RE = re.compile(r"(" + _INT + r")(?:\.(\d+))?\s?%")
_TIME_RE = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b")
_ORDINAL_RE = re.compile(r"\b(" + _INT + r")(?:st|nd|rd|th)\b")
_DECADE_RE = re.compile(r"\b(\d+)'?s\b")
_FEET_RE = re.compile(r"(\d)\s*ft\.")
_NUMBER_SIGN_RE = re.compile(r"#\s?(?=\d)")
_RANGE_DASH_RE = re.compile(r"(?<=\d)\s?–\s?(?=\d)")
_MINUS_RE = re.compile(r"(?<![\w.,])-(?=\d)")
_LETTER_DIGIT_RE = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_DECIMAL_RE = re.compile(r"(" + _INT + r")\.(\d+)")
_NUMBER_RE = re.compile(_INT)
_WHITESPACE_RE = re.compile(r"\s+")
_STRAY_SPACE_RE = re.compile(r" +(?=[,.;:!?)])|(?<=\() +")


def _fold_char(char: str) -> str:
    """ASCII spelling of one character, or the character itself when there is none."""
    category = unicodedata.category(char)
    # Combining marks (accents left over from decomposed input, variation selectors) and
    # format characters (zero-width joiners) are invisible: dropping them silently is right.
    if category in ("Mn", "Me", "Cf"):
        return ""
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", char) if unicodedata.category(c) != "Mn"
    )
    # Keep the original when decomposition does not reach ASCII (Hangul would otherwise fall
    # apart into jamo), so to_ids reports the character the user actually typed.
    return folded if folded.isascii() else char


def _fold_unicode(text: str) -> str:
    text = _RANGE_DASH_RE.sub(" to ", text)
    text = text.translate(_UNICODE_TO_ASCII)
    if text.isascii():
        return text
    return "".join(c if c.isascii() else _fold_char(c) for c in text)


def _digits_one_by_one(digits: str) -> str:
    return " ".join(_engine().number_to_words(d) for d in digits)


@functools.lru_cache(maxsize=4096)
def _cardinal(digits: str) -> str:
    """Words for a string of digits (commas allowed), without "and": "one hundred one"."""
    digits = digits.replace(",", "")
    if len(digits) > _MAX_CARDINAL_DIGITS or (len(digits) > 1 and digits.startswith("0")):
        return _digits_one_by_one(digits)
    return _engine().number_to_words(int(digits), andword="")


def _year(value: int) -> str:
    if 2000 <= value < 2010:
        return "two thousand" + (f" {_cardinal(str(value % 100))}" if value % 100 else "")
    high, low = divmod(value, 100)
    if low == 0:
        return f"{_cardinal(str(high))} hundred"
    if low < 10:
        return f"{_cardinal(str(high))} oh {_cardinal(str(low))}"
    return f"{_cardinal(str(high))} {_cardinal(str(low))}"


def _integer(digits: str) -> str:
    """Like _cardinal, but four plain digits in 1001-2999 are read as a year."""
    # A comma ("1,984") or a leading zero marks a quantity or a code, never a year.
    if len(digits) == 4 and not digits.startswith("0") and 1000 < int(digits) < 3000:
        return _year(int(digits))
    return _cardinal(digits)


def _decimal(whole: str, fraction: str) -> str:
    # Digit by digit after the point: "three point one four", not "three point fourteen".
    return f"{_cardinal(whole)} point {_digits_one_by_one(fraction)}"


def _money(symbol: str, whole: str, fraction: str | None, scale: str | None) -> str:
    unit, units, subunit, subunits = _CURRENCIES[symbol]
    if scale:
        amount = _decimal(whole, fraction) if fraction else _cardinal(whole)
        return f"{amount} {scale} {units}"
    if fraction is not None and len(fraction) > 2:
        return f"{_decimal(whole, fraction)} {units}"
    main = int(whole.replace(",", ""))
    sub = int(fraction.ljust(2, "0")) if fraction else 0
    parts = []
    if main or not sub:
        parts.append(f"{_cardinal(str(main))} {unit if main == 1 else units}")
    if sub:
        parts.append(f"{_cardinal(str(sub))} {subunit if sub == 1 else subunits}")
    return ", ".join(parts)


def _expand_abbreviation(match: re.Match[str]) -> str:
    words = _ABBREVIATION_WORDS[match.group(1)]
    # The abbreviation's period doubles as the full stop at the end of the text; keep one so
    # the synthesiser still hears the sentence end ("... pears, et cetera.").
    if not match.string[match.end() :].strip(" \t\n)'\""):
        return words + "."
    return words


def _expand_decade(match: re.Match[str]) -> str:
    words = _integer(match.group(1))
    head, sep, last = words.rpartition("-") if "-" in words else words.rpartition(" ")
    return head + sep + _engine().plural_noun(last)


def _expand_time(match: re.Match[str]) -> str:
    hours, minutes = match.group(1), int(match.group(2))
    if minutes == 0:
        return f"{_cardinal(str(int(hours)))} o'clock"
    spoken = _cardinal(str(minutes))
    return f"{_cardinal(str(int(hours)))} {'oh ' if minutes < 10 else ''}{spoken}"


def normalize(text: str) -> str:
    """Spell ``text`` out as lower-case words and punctuation, ready for ``to_ids``.

    Characters that have no spelling (emoji, other scripts) are left in place for ``to_ids`` to
    drop and report.
    """
    text = _fold_unicode(text)
    text = text.translate(_BRACKETS).translate(_SILENT_TO_SPACE)
    text = text.lower()
    text = _FEET_RE.sub(r"\1 feet", text)
    text = _ABBREVIATION_RE.sub(_expand_abbreviation, text)
    text = _CURRENCY_PREFIX_RE.sub(
        lambda m: " " + _money(m.group(1), m.group(2), m.group(3), m.group(4)) + " ", text
    )
    text = _CURRENCY_SUFFIX_RE.sub(
        lambda m: " " + _money(m.group(3), m.group(1), m.group(2), None) + " ", text
    )
    text = _CENTS_RE.sub(
        lambda m: f" {_cardinal(m.group(1))} {'cent' if m.group(1) == '1' else 'cents'} ", text
    )
    # A currency sign without an amount is still meant to be heard, so read its name.
    for symbol, (unit, *_) in _CURRENCIES.items():
        text = text.replace(symbol, f" {unit} ")
    text = text.replace("¢", " cents ")
    text = _PERCENT_RE.sub(
        lambda m: (
            (_decimal(m.group(1), m.group(2)) if m.group(2) else _cardinal(m.group(1))) + " percent"
        ),
        text,
    )
    text = text.replace("%", " percent ")
    text = _TIME_RE.sub(_expand_time, text)
    text = _ORDINAL_RE.sub(lambda m: _engine().ordinal(_cardinal(m.group(1))), text)
    text = _DECADE_RE.sub(_expand_decade, text)
    text = _NUMBER_SIGN_RE.sub("number ", text).replace("#", " ")
    text = _MINUS_RE.sub("minus ", text)
    # "mp3" and "5pm" would otherwise come out as "mpthree" and "fivepm".
    text = _LETTER_DIGIT_RE.sub(" ", text)
    text = _DECIMAL_RE.sub(lambda m: _decimal(m.group(1), m.group(2)), text)
    text = _NUMBER_RE.sub(lambda m: _integer(m.group(0)), text)
    text = text.replace("&", " and ").replace("+", " plus ").replace("@", " at ")
    text = _WHITESPACE_RE.sub(" ", text).strip()
    # Expansions are padded with spaces so they never fuse with a neighbouring word; that
    # padding must not end up between a word and the comma after it, or inside brackets.
    return _STRAY_SPACE_RE.sub("", text)


def spoken_text(text: str) -> tuple[str, list[str]]:
    """``text`` normalised and reduced to ``SYMBOLS``: (what is spoken, dropped characters).

    ``dropped`` holds each character that had no symbol, once, in order of first appearance.
    """
    kept: list[str] = []
    dropped: list[str] = []
    for char in normalize(text):
        if char in _SYMBOL_TO_ID:
            kept.append(char)
        else:
            if char not in dropped:
                dropped.append(char)
            # A dropped emoji or foreign word still separated the words around it.
            kept.append(" ")
    cleaned = _WHITESPACE_RE.sub(" ", "".join(kept)).strip()
    return _STRAY_SPACE_RE.sub("", cleaned), dropped


def to_ids(text: str) -> tuple[list[int], list[str]]:
    """Normalise ``text`` and map it to ``SYMBOLS`` ids, ending with ``END_ID``.

    Returns ``(ids, dropped)`` as :func:`spoken_text` does.
    """
    cleaned, dropped = spoken_text(text)
    return [_SYMBOL_TO_ID[c] for c in cleaned] + [END_ID], dropped


def ids_to_text(ids: Iterable[int]) -> str:
    """The text for ``ids``, skipping PAD and END (accepts lists and integer arrays)."""
    chars = []
    for raw in ids:
        i = int(raw)
        if i in (PAD_ID, END_ID):
            continue
        if not 0 <= i < len(SYMBOLS):
            raise ValueError(f"symbol id {i} is outside 0..{len(SYMBOLS) - 1}")
        chars.append(SYMBOLS[i])
    return "".join(chars)


_CLOSERS = "\"')]”’»"
_OPENERS = "\"'([“‘«"


def _ends_sentence(word: str, next_word: str | None) -> bool:
    core = word.rstrip(_CLOSERS)
    if not core or core[-1] not in ".!?":
        return False
    if core[-1] in "!?" or next_word is None:
        return True
    stem = core.lstrip(_OPENERS)[:-1].lower()
    # Titles precede a name and single letters are initials ("J. R. Smith"); neither ends a
    # sentence.
    if stem in _TITLES or len(stem) == 1:
        return False
    # "Smith Jr. said", "J. Smith", "e.g. this": a period that belongs to an abbreviation or
    # an initial ends the sentence only if a capitalised word follows.
    looks_abbreviated = stem in _ABBREVIATION_WORDS or "." in stem
    return not (looks_abbreviated and next_word.lstrip(_OPENERS)[:1].islower())


def _sentences(words: list[str]) -> list[list[str]]:
    return _group(
        words, lambda i, w: _ends_sentence(w, words[i + 1] if i + 1 < len(words) else None)
    )


def _ends_clause(word: str) -> bool:
    core = word.rstrip(_CLOSERS)
    return bool(core) and (core[-1] in ",;:" or core.strip("-—–") == "")


def _group(words: list[str], is_end) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for i, word in enumerate(words):
        groups[-1].append(word)
        if is_end(i, word):
            groups.append([])
    return [g for g in groups if g]


def _fits(piece: str, max_chars: int) -> bool:
    # The model reads the normalised text, which can be much longer than the raw piece
    # ("1465" -> "fourteen sixty-five"), so both lengths must fit.
    return len(piece) <= max_chars and len(normalize(piece)) <= max_chars


def _pack(units: list[list[str]], max_chars: int) -> list[list[str]]:
    """Greedily join consecutive word groups while the joined piece fits."""
    packed: list[list[str]] = []
    for unit in units:
        if packed and _fits(" ".join(packed[-1] + unit), max_chars):
            packed[-1] = packed[-1] + unit
        else:
            packed.append(list(unit))
    return packed


def _fit_sentence(words: list[str], max_chars: int) -> list[str]:
    if _fits(" ".join(words), max_chars):
        return [" ".join(words)]
    pieces: list[str] = []
    clauses = _group(words, lambda _, w: _ends_clause(w))
    for group in _pack(clauses, max_chars):
        piece = " ".join(group)
        if _fits(piece, max_chars):
            pieces.append(piece)
        else:
            # A single word longer than max_chars stays whole: cutting it would garble it.
            pieces.extend(" ".join(g) for g in _pack([[w] for w in group], max_chars))
    return pieces


def split_sentences(text: str, max_chars: int = 180) -> list[str]:
    """Cut ``text`` into pieces of at most ``max_chars`` characters for synthesis one by one.

    Splits after sentence-final . ! ? (not after "Dr." and the like), then cuts a piece that is
    still too long at , ; : and finally between words, never inside a word. Blank lines also
    end a sentence. A piece counts as too long when either it or its normalised form exceeds
    ``max_chars``; only a single word longer than that is returned over length. Pieces with no
    letters to speak (only punctuation or emoji) are dropped. Whitespace inside a piece is
    collapsed to single spaces.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        for sentence in _sentences(paragraph.split()):
            pieces.extend(_fit_sentence(sentence, max_chars))
    return [p for p in pieces if re.search("[a-z]", normalize(p))]
