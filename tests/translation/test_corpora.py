"""Readers of the translation corpora, on tiny files that reproduce each quirk of the real ones.

The last tests read the real Multi30k and Tatoeba files when a shared data folder is next to the
repository, and are skipped otherwise.
"""

from __future__ import annotations

import gzip
import hashlib
import random
from pathlib import Path

import pytest

from showcase.downloads import RemoteFile
from showcase.errors import DataError, DownloadError, InputError
from showcase.translation import corpora
from showcase.translation.corpora import (
    MULTI30K_FILES,
    MULTI30K_SPLITS,
    PAIRS,
    ParallelText,
    check_pair,
    multi30k,
    read_lines,
    read_manythings,
    read_parallel,
    tatoeba_split,
)
from tests.support import shared_dataset


def write_bytes(path: Path, data: bytes, packed: bool = False) -> Path:
    path.write_bytes(gzip.compress(data) if packed else data)
    return path


# --- language pairs and the container -------------------------------------------------------


def test_check_pair():
    assert PAIRS == ("en-fr", "en-de")
    assert check_pair("en-fr") == ("en", "fr")
    assert check_pair("en-de") == ("en", "de")
    for bad in ("fr-en", "en-es", "en_fr", "", None):
        with pytest.raises(InputError, match="en-fr, en-de"):
            check_pair(bad)


def test_parallel_text_pairs_flatten_references():
    text = ParallelText("toy", ["Hi.", "Go."], [["Salut.", "Bonjour."], ["Va !"]])
    assert len(text) == 2
    assert text.pairs() == (["Hi.", "Hi.", "Go."], ["Salut.", "Bonjour.", "Va !"])
    with pytest.raises(ValueError):
        ParallelText("bad", ["Hi."], [])
    with pytest.raises(ValueError):
        ParallelText("bad", ["Hi."], [[]])


# --- line-aligned files (Multi30k) ------------------------------------------------------------


def test_read_lines_strips_keeps_tabs_and_empty_lines(tmp_path):
    content = (
        "\ufeff  Zwei Männer.  \n"  # BOM, stray spaces
        "\u00a0Ein Hund.\u00a0\n"  # no-break spaces at both ends
        '"Ein\tSchild", sagt er.\n'  # a TAB inside a sentence (train.de line 7366)
        "\n"  # an empty line is kept so the files stay aligned
        "Satz\u2028mit Trenner\r\n"  # only \n ends a line; a CR before it goes
    )
    expected = ["Zwei Männer.", "Ein Hund.", '"Ein\tSchild", sagt er.', "", "Satz\u2028mit Trenner"]
    for packed, name in ((True, "x.de.gz"), (False, "x.de")):
        path = write_bytes(tmp_path / name, content.encode(), packed)
        assert read_lines(path) == expected
    # Without a final newline the last line still counts, once.
    assert read_lines(write_bytes(tmp_path / "y", b"a\nb")) == ["a", "b"]
    assert read_lines(write_bytes(tmp_path / "z", b"")) == []


def test_read_lines_errors(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        read_lines(tmp_path / "missing.gz")
    with pytest.raises(DataError, match="line 2 is not UTF-8"):
        read_lines(write_bytes(tmp_path / "latin1", "ok\nMänner\n".encode("latin-1")))
    truncated = gzip.compress(b"a line\n" * 100)[:-12]
    with pytest.raises(DataError, match="not a complete gzip"):
        read_lines(write_bytes(tmp_path / "cut.gz", truncated))


def test_read_parallel_aligns_and_skips_empty_sides(tmp_path):
    en = write_bytes(tmp_path / "t.en.gz", b" A dog runs. \nA cat.\n\nTwo men.\n", packed=True)
    de = write_bytes(
        tmp_path / "t.de.gz", "Ein Hund rennt.\u00a0\n\nEine Frau.\nZwei Männer.\n".encode(), True
    )
    text = read_parallel(en, de, "toy (en-de)")
    assert text.name == "toy (en-de)"
    assert text.sources == ["A dog runs.", "Two men."]
    assert text.references == [["Ein Hund rennt."], ["Zwei Männer."]]
    assert text.pairs() == (["A dog runs.", "Two men."], ["Ein Hund rennt.", "Zwei Männer."])


def test_read_parallel_refuses_different_line_counts(tmp_path):
    en = write_bytes(tmp_path / "a.en.gz", b"one\ntwo\nthree\n", packed=True)
    fr = write_bytes(tmp_path / "a.fr.gz", b"un\ndeux\n", packed=True)
    with pytest.raises(DataError) as caught:
        read_parallel(en, fr, "toy")
    message = str(caught.value)
    assert "a.en.gz" in message and "a.fr.gz" in message
    assert "3 lines" in message and "has 2" in message


# --- ManyThings / Anki files (Tatoeba) --------------------------------------------------------


def test_read_manythings_german_style_crlf_header_csv_quoting(tmp_path):
    # deu.txt: CRLF, a pandas "1<TAB>2" header, CSV quoting of fields that contain '"'.
    lines = [
        "1\t2",
        "Go.\tGeh.",
        '"Say ""aah."""\tSag „Ah!“',
        'His dad calls him Tom.\t"Sein Vater nennt ihn ""Tom""."',
        '"Who cares? ""I do."""\t„Wen kümmert’s?“\u00a0– „Mich.“',
    ]
    path = write_bytes(tmp_path / "deu.txt", ("\r\n".join(lines) + "\r\n").encode())
    assert read_manythings(path) == [
        ("Go.", "Geh."),
        ('Say "aah."', "Sag „Ah!“"),
        ("His dad calls him Tom.", 'Sein Vater nennt ihn "Tom".'),
        ('Who cares? "I do."', "„Wen kümmert’s?“\u00a0– „Mich.“"),
    ]


def test_read_manythings_french_style_lf_no_final_newline_plain_quotes(tmp_path):
    # fra.txt: LF, no header, no final newline, quotes kept as written (no CSV quoting).
    lines = [
        "Go.\tVa !",
        '"Look," she said.\tElle a dit : « Regarde. »',
        '"Says who?" "Says me."\t« Qui le dit ? » « Moi. »',
        '"Ah" is an interjection.\t"Ah" est une interjection.',
        'She said goodbye.\tElle a dit "au revoir".',
        '"Hi"\t"Salut"',
        "You can't stop progress.\tOn ne peut pas arrêter le progrès.",
    ]
    path = write_bytes(tmp_path / "fra.txt", "\n".join(lines).encode())
    assert read_manythings(path) == [
        ("Go.", "Va !"),
        ('"Look," she said.', "Elle a dit : « Regarde. »"),
        ('"Says who?" "Says me."', "« Qui le dit ? » « Moi. »"),
        ('"Ah" is an interjection.', '"Ah" est une interjection.'),
        ("She said goodbye.", 'Elle a dit "au revoir".'),
        ('"Hi"', '"Salut"'),
        ("You can't stop progress.", "On ne peut pas arrêter le progrès."),
    ]


def test_read_manythings_drops_attribution_and_blank_lines(tmp_path):
    text = (
        "\ufeffGo.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM) & #1158250\n"
        "\n"
        "   \n"
        "Hi.\tSalut !\tCC-BY 2.0 (France) Attribution: tatoeba.org #538123 (CM) & #509819\n"
        "\n"
    )
    path = write_bytes(tmp_path / "fra.txt", text.encode())
    assert read_manythings(path) == [("Go.", "Va !"), ("Hi.", "Salut !")]


def test_read_manythings_header_only_on_first_line(tmp_path):
    # A digits-only row later in the file is data, not a header.
    path = write_bytes(tmp_path / "nums.txt", b"1\t2\n3\t3\n")
    assert read_manythings(path) == [("3", "3")]


def test_read_manythings_errors_name_file_and_line(tmp_path):
    path = write_bytes(tmp_path / "bad.txt", b"Go.\tVa !\r\nNo tab on this line\r\n")
    with pytest.raises(DataError, match=r"bad\.txt line 2"):
        read_manythings(path)
    path = write_bytes(tmp_path / "many.txt", b"Go.\tVa !\n\nHi.\tSalut\tCC-BY\textra\n")
    with pytest.raises(DataError, match=r"many\.txt line 3"):
        read_manythings(path)
    path = write_bytes(tmp_path / "empty_side.txt", b"Go.\tVa !\nHi.\t\n")
    with pytest.raises(DataError, match=r"empty_side\.txt line 2"):
        read_manythings(path)
    with pytest.raises(DataError, match="does not exist"):
        read_manythings(tmp_path / "missing.txt")
    with pytest.raises(DataError, match="no sentence pairs"):
        read_manythings(write_bytes(tmp_path / "header_only.txt", b"1\t2\r\n"))


# --- the Tatoeba split ------------------------------------------------------------------------


def toy_pairs(sentences: int = 60) -> list[tuple[str, str]]:
    """English sentence i has (i % 3) + 1 translations."""
    return [
        (f"Sentence {i}.", f"Phrase {i}, version {k}.")
        for i in range(sentences)
        for k in range(i % 3 + 1)
    ]


def test_tatoeba_split_is_disjoint_by_english_sentence_and_groups_references():
    pairs = toy_pairs()
    splits = tatoeba_split(pairs, "en-fr", validation=5, test=10)
    assert set(splits) == {"train", "validation", "test"}
    assert [len(splits[name]) for name in ("train", "validation", "test")] == [45, 5, 10]
    assert splits["test"].name == "Tatoeba test (en-fr)"
    held_out = set(splits["validation"].sources) | set(splits["test"].sources)
    assert not held_out & set(splits["train"].sources)
    assert not set(splits["validation"].sources) & set(splits["test"].sources)
    assert len(held_out) == 15
    # Every translation of a sentence is among its references, in whichever split it landed.
    expected = {}
    for english, other in pairs:
        expected.setdefault(english, set()).add(other)
    for text in splits.values():
        for source, references in zip(text.sources, text.references, strict=True):
            assert set(references) == expected[source]
            assert len(references) == len(expected[source])
    flattened = sorted(pair for text in splits.values() for pair in zip(*text.pairs(), strict=True))
    assert flattened == sorted(pairs)


def test_tatoeba_split_is_deterministic():
    pairs = toy_pairs()
    first = tatoeba_split(pairs, "en-de", seed=7, validation=5, test=10)
    # Another order, with repeated pairs, gives the same split.
    shuffled = pairs + pairs[:20]
    random.Random(0).shuffle(shuffled)
    again = tatoeba_split(shuffled, "en-de", seed=7, validation=5, test=10)
    assert again == first
    other_seed = tatoeba_split(pairs, "en-de", seed=8, validation=5, test=10)
    assert other_seed["test"].sources != first["test"].sources


def test_tatoeba_split_needs_enough_sentences():
    pairs = toy_pairs(15)
    with pytest.raises(DataError, match="15 distinct English sentences"):
        tatoeba_split(pairs, "en-fr", validation=5, test=10)
    assert len(tatoeba_split(pairs, "en-fr", validation=4, test=10)["train"]) == 1
    with pytest.raises(InputError):
        tatoeba_split(pairs, "de-en", validation=1, test=1)


# --- Multi30k ---------------------------------------------------------------------------------


def test_multi30k_files_are_pinned():
    assert set(MULTI30K_FILES) == {
        (split, lang) for split in MULTI30K_SPLITS for lang in ("en", "de", "fr")
    }
    remote = MULTI30K_FILES["test_2016_flickr", "de"]
    assert remote.url == (
        "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/"
        "test_2016_flickr.de.gz"
    )
    assert remote.filename == "test_2016_flickr.de.gz"
    assert all(len(remote.sha256) == 64 for remote in MULTI30K_FILES.values())


def pin_toy_files(monkeypatch, folder: Path, split: str, texts: dict[str, bytes]) -> None:
    """Write gzip files for ``split`` and pin their hashes, as if they were the official ones."""
    files = dict(MULTI30K_FILES)
    for lang, text in texts.items():
        path = write_bytes(folder / f"{split}.{lang}.gz", text, packed=True)
        remote = files[split, lang]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        files[split, lang] = RemoteFile(remote.url, remote.filename, digest)
    monkeypatch.setattr(corpora, "MULTI30K_FILES", files)


def test_multi30k_reads_a_checked_local_folder(tmp_path, monkeypatch):
    pin_toy_files(
        monkeypatch,
        tmp_path,
        "val",
        {"en": b"A dog. \nTwo men.\n", "de": b"Ein Hund.\nZwei M\xc3\xa4nner.\n"},
    )
    text = multi30k("val", "en-de", folder=tmp_path)
    assert text.name == "Multi30k val (en-de)"
    assert text.sources == ["A dog.", "Two men."]
    assert text.references == [["Ein Hund."], ["Zwei Männer."]]


def test_multi30k_refuses_a_corrupt_copy(tmp_path, monkeypatch):
    pin_toy_files(monkeypatch, tmp_path, "val", {"en": b"A dog.\n", "de": b"Ein Hund.\n"})
    write_bytes(tmp_path / "val.de.gz", b"Ein Hund!\n", packed=True)
    with pytest.raises(DownloadError, match="SHA-256"):
        multi30k("val", "en-de", folder=tmp_path)


def test_multi30k_reads_uncompressed_files(tmp_path):
    write_bytes(tmp_path / "test_2017_flickr.en", b"A dog.\nA cat.\n")
    write_bytes(tmp_path / "test_2017_flickr.fr", b"Un chien.\nUn chat.")
    text = multi30k("test_2017_flickr", "en-fr", folder=tmp_path)
    assert text.pairs() == (["A dog.", "A cat."], ["Un chien.", "Un chat."])


def test_multi30k_errors(tmp_path):
    with pytest.raises(DataError, match="train, val, test_2016_flickr, test_2017_flickr"):
        multi30k("test2016", "en-de", folder=tmp_path)
    with pytest.raises(InputError, match="en-fr, en-de"):
        multi30k("val", "de-en", folder=tmp_path)
    with pytest.raises(DataError, match="does not exist"):
        multi30k("val", "en-de", folder=tmp_path / "nowhere")
    with pytest.raises(DataError, match=r"neither val\.en\.gz nor val\.en"):
        multi30k("val", "en-de", folder=tmp_path)


def test_multi30k_download_fails_fast_offline():
    # conftest sets SHOWCASE_OFFLINE and an empty cache, so nothing is fetched.
    with pytest.raises(DownloadError, match="SHOWCASE_OFFLINE"):
        multi30k("test_2016_flickr", "en-fr")


# --- the real files, when the shared data folder is present -----------------------------------


def test_real_tatoeba_files(shared_data):
    french = read_manythings(shared_dataset(shared_data, "tatoeba_eng_fra", "fra.txt"))
    german = read_manythings(shared_dataset(shared_data, "tatoeba_eng_deu", "deu.txt"))
    assert len(french) == 51_976
    assert len(german) == 50_001
    assert french[0] == ("Go.", "Va !")
    assert german[0] == ("Go.", "Geh.")
    assert ('"Says who?" "Says me."', "« Qui le dit ? » « Moi. »") in french
    quoted = [pair for pair in german if '"' in pair[0] + pair[1]]
    assert quoted == [
        ('Say "aah."', "Sag „Ah!“"),
        ('Who cares? "I do."', "„Wen kümmert’s?“\u00a0– „Mich.“"),
        ('Says who? "Says me."', "„Wer sagt das?“\u00a0— „Ich sage das!“"),
        ("His dad calls him Tom.", 'Sein Vater nennt ihn "Tom".'),
    ]
    splits = tatoeba_split(german, "en-de")
    assert [len(splits[name]) for name in ("train", "validation", "test")] == [36_178, 500, 1000]


def test_real_multi30k_files(shared_data):
    folder = shared_dataset(shared_data, "multi30k")
    test = multi30k("test_2016_flickr", "en-de", folder=folder)
    assert len(test) == 1000
    assert len(multi30k("train", "en-de", folder=folder)) == 29_000
    train_fr = multi30k("train", "en-fr", folder=folder)
    assert len(train_fr) == 29_000
    assert train_fr.sources[0] == "Two young, White males are outside near many bushes."
    assert train_fr.references[0] == ["Deux jeunes hommes blancs sont dehors près de buissons."]
