"""The TTS text front end: normalisation rules, symbol ids, and sentence splitting.

Pure Python and fast; the LJSpeech check runs only where the shared data set is present.
"""

from __future__ import annotations

import random
import re
import string

import numpy as np
import pytest

from showcase.tts.text import (
    END_ID,
    PAD_ID,
    SYMBOLS,
    ids_to_text,
    normalize,
    split_sentences,
    to_ids,
)
from tests.support import shared_dataset

NORMALIZE_CASES = [
    # the two sentences from the brief
    (
        "Dr. Smith paid $3.50 on the 21st of May, 1984.",
        "doctor smith paid three dollars, fifty cents on the twenty-first of may, "
        "nineteen eighty-four.",
    ),
    (
        "I have 1,000,000 reasons & 3.14% doubt",
        "i have one million reasons and three point one four percent doubt",
    ),
    # case and whitespace
    ("  Hello\tWORLD \n again ", "hello world again"),
    # accents, ligatures, curly quotes and dashes
    ("Café naïve Über", "cafe naive uber"),
    ("e\u0301te\u0301", "ete"),
    ("“Quoted” ‘single’ it’s", "quoted 'single' it's"),
    ("a–b — c", "a-b - c"),
    ("wait…", "wait..."),
    # currency
    ("$3.50", "three dollars, fifty cents"),
    ("$1", "one dollar"),
    ("$1.00", "one dollar"),
    ("$0.01", "one cent"),
    ("$0.50", "fifty cents"),
    ("$3.5", "three dollars, fifty cents"),
    ("$1,000,000", "one million dollars"),
    ("$2.5 million", "two point five million dollars"),
    ("£2", "two pounds"),
    ("£1", "one pound"),
    ("£2.50", "two pounds, fifty pence"),
    ("€5", "five euros"),
    ("€1", "one euro"),
    ("5€", "five euros"),
    ("5 €", "five euros"),
    ("the € sign", "the euro sign"),
    ("under £30.", "under thirty pounds."),
    # ordinals
    ("1st", "first"),
    ("22nd", "twenty-second"),
    ("103rd", "one hundred third"),
    ("the 14th June", "the fourteenth june"),
    # decimals
    ("3.14", "three point one four"),
    ("0.5", "zero point five"),
    # numbers with commas; the year rule must not apply to them
    ("1,000,000", "one million"),
    ("1,984", "one thousand, nine hundred eighty-four"),
    ("114,300", "one hundred fourteen thousand, three hundred"),
    # years
    ("1984", "nineteen eighty-four"),
    ("2005", "two thousand five"),
    ("2000", "two thousand"),
    ("1800", "eighteen hundred"),
    ("1803", "eighteen oh three"),
    ("2024", "twenty twenty-four"),
    ("the 1980s", "the nineteen eighties"),
    # other integers: no "and"
    ("101", "one hundred one"),
    ("6439", "six thousand, four hundred thirty-nine"),
    ("1000", "one thousand"),
    ("3000", "three thousand"),
    ("0", "zero"),
    ("007", "zero zero seven"),
    # percentages
    ("50%", "fifty percent"),
    ("50 %", "fifty percent"),
    ("%", "percent"),
    # symbols
    ("R&D", "r and d"),
    ("2+2", "two plus two"),
    ("me@home", "me at home"),
    ("#1", "number one"),
    ("-5", "minus five"),
    # letters glued to digits, and times
    ("mp3 at 5pm", "mp three at five pm"),
    ("10:30", "ten thirty"),
    ("10:05", "ten oh five"),
    ("10:00", "ten o'clock"),
    # abbreviations
    ("Mr. Mrs. Dr. St.", "mister misses doctor saint."),
    ("Smith Co. Jr.", "smith company junior."),
    ("Maj. Gen. Drs. Rev.", "major general doctors reverend."),
    ("Lt. Hon. Sgt. Capt.", "lieutenant honorable sergeant captain."),
    ("Esq. Ltd. Col. Ft. Vs.", "esquire limited colonel fort versus."),
    ("apples, pears etc. and more", "apples, pears et cetera and more"),
    ("apples, pears etc.", "apples, pears et cetera."),
    ("Dr. Who", "doctor who"),
    ("5 ft. tall", "five feet tall"),
    ("first (and) second", "first (and) second"),
    ("(£5), then", "(five pounds), then"),
    ("and/or snake_case", "and or snake case"),
]


@pytest.mark.parametrize(("raw", "expected"), NORMALIZE_CASES)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_symbols_layout():
    assert SYMBOLS[PAD_ID] == "_" and SYMBOLS[END_ID] == "~"
    assert PAD_ID == 0 and END_ID == 1
    assert set(SYMBOLS[2:]) == set(" " + string.ascii_lowercase + "!'(),-.:;?")
    assert len(SYMBOLS) == len(set(SYMBOLS)) == 39


@pytest.mark.parametrize(
    "raw",
    ["Dr. Smith paid $3.50 on the 21st of May, 1984.", "Is it? Yes! (Maybe): no; 'ok' - fine."],
)
def test_to_ids_round_trip(raw):
    ids, dropped = to_ids(raw)
    assert dropped == []
    assert ids[-1] == END_ID and END_ID not in ids[:-1] and PAD_ID not in ids
    assert ids_to_text(ids) == normalize(raw)
    assert ids_to_text(np.array(ids + [PAD_ID, PAD_ID])) == normalize(raw)


def test_ids_to_text_rejects_unknown_ids():
    with pytest.raises(ValueError):
        ids_to_text([len(SYMBOLS)])


def test_dropped_characters_are_reported_once_in_order():
    ids, dropped = to_ids("hi 😀 日本 there😀日!")
    assert dropped == ["😀", "日", "本"]
    # A dropped character still separates the words around it.
    assert ids_to_text(ids) == "hi there!"


def test_pad_and_end_characters_in_input_never_become_control_ids():
    ids, dropped = to_ids("a~b_c")
    assert ids_to_text(ids) == "a b c"
    assert dropped == ["~"]
    assert ids.count(END_ID) == 1 and PAD_ID not in ids


def test_currency_sign_is_spoken_not_dropped():
    # Decision: a currency sign without an amount is read as its name rather than dropped.
    assert to_ids("€")[1] == []
    assert ids_to_text(to_ids("pay in €")[0]) == "pay in euro"
    assert ids_to_text(to_ids("€20")[0]) == "twenty euros"


@pytest.mark.parametrize("raw", ["", "   ", "😀", "日本語"])
def test_nothing_speakable_gives_only_end(raw):
    ids, dropped = to_ids(raw)
    assert ids == [END_ID]
    assert dropped == [c for c in dict.fromkeys(raw) if not c.isspace()]


def test_only_punctuation():
    ids, dropped = to_ids("?! ...")
    assert dropped == []
    assert ids_to_text(ids) == "?!..."
    assert ids[-1] == END_ID and len(ids) == 6
    assert split_sentences("?! ... 😀 !!") == []


def test_split_sentences_basic():
    text = "Dr. Smith arrived. He sat down!  Was he tired?\n\nNew paragraph without a stop"
    assert split_sentences(text) == [
        "Dr. Smith arrived.",
        "He sat down!",
        "Was he tired?",
        "New paragraph without a stop",
    ]


def test_split_sentences_does_not_split_numbers_or_initials():
    text = "J. R. Smith paid $3.50. It cost 1,000 more, e.g. three things."
    assert split_sentences(text) == [
        "J. R. Smith paid $3.50.",
        "It cost 1,000 more, e.g. three things.",
    ]


def test_split_sentences_prefers_clause_boundaries():
    clause = "the quick brown fox jumps over the lazy dog"
    text = ", ".join([clause] * 6) + "."
    pieces = split_sentences(text, max_chars=100)
    assert len(pieces) > 1
    assert all(p.endswith((",", ".")) for p in pieces)
    assert " ".join(pieces) == text


def test_split_sentences_counts_the_normalised_length():
    # 20 raw characters per year become ~20 spoken ones; the raw text alone would fit.
    text = " ".join(["1465"] * 30)
    pieces = split_sentences(text, max_chars=100)
    assert len(text) <= 150 and len(pieces) > 1
    assert all(len(normalize(p)) <= 100 for p in pieces)


def test_split_sentences_keeps_an_overlong_word_whole():
    word = "a" * 50
    assert split_sentences(f"short {word} end", max_chars=20) == ["short", word, "end"]


def test_split_sentences_long_text():
    rng = random.Random(0)
    vocab = ["alpha", "beta", "gamma", "delta", "stop", "1984", "$3.50", "Dr.", "21st", "go"]
    words = []
    while sum(len(w) + 1 for w in words) < 5000:
        word = rng.choice(vocab)
        roll = rng.random()
        if roll < 0.03:
            word += "."
        elif roll < 0.08:
            word += ","
        words.append(word)
    text = " ".join(words)[:5000].rsplit(" ", 1)[0]
    assert len(text) > 4900
    pieces = split_sentences(text)
    assert all(len(p) <= 180 and len(normalize(p)) <= 180 for p in pieces)
    # No word cut and none lost: the pieces put back together are the original words.
    assert " ".join(pieces).split() == text.split()


def test_split_sentences_rejects_nonpositive_max():
    with pytest.raises(ValueError):
        split_sentences("hello", max_chars=0)


def test_ljspeech_transcripts(shared_data):
    metadata = shared_dataset(shared_data, "ljspeech_subset", "metadata.csv")
    with open(metadata, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("|") for line, _ in zip(f, range(2000), strict=False)]
    normalized = [normalize(row[1]) for row in rows]
    outside = {c for text in normalized for c in text} - set(SYMBOLS)
    assert outside == set()

    def canon(text):
        # LJSpeech's own normalisation keeps double quotes, which ours drops.
        return re.sub(r"\s+", " ", text.replace('"', "")).strip()

    with_digits = [
        (row, ours) for row, ours in zip(rows, normalized, strict=True) if re.search(r"\d", row[1])
    ]
    assert len(with_digits) > 50
    agree = sum(canon(ours) == canon(row[2].lower()) for row, ours in with_digits)
    assert agree / len(with_digits) > 0.5


def test_inflect_import_leaves_typeguard_as_it_was():
    import typeguard

    before = typeguard.typechecked
    assert normalize("42") == "forty-two"
    assert typeguard.typechecked is before
    assert typeguard.typechecked.__module__.startswith("typeguard")
