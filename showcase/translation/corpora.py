"""Parallel corpora for the English->French and English->German translation demo.

Sources
- Multi30k Task 1 (Elliott, Frank, Sima'an & Specia 2016; French added for WMT17): English
  Flickr30K image descriptions with German and French translations, one sentence per line in
  line-aligned ``<split>.<lang>.gz`` files from https://github.com/multi30k/dataset. The splits are
  train (29,000), val (1,014), test_2016_flickr (1,000; "test2016", where most en->de BLEU is
  reported) and test_2017_flickr (1,000). The files are downloaded with pinned SHA-256 hashes or
  read from a local folder. The repository has no licence file; its README limits use to
  non-commercial research and education and asks for the papers to be cited.
- Tatoeba sentence pairs (https://tatoeba.org, CC BY 2.0 FR), as packaged by ManyThings.org
  (http://www.manythings.org/anki/) in ``fra.txt`` / ``deu.txt``: ``English<TAB>Other`` lines,
  sorted by English length, often several translations of one English sentence. Attribute
  "Tatoeba Project (tatoeba.org), via ManyThings.org".

Quirks handled
- Multi30k lines carry stray leading/trailing spaces and no-break spaces (U+00A0), so each line
  is stripped; one German training line holds a TAB inside a quoted sentence, so lines are never
  split on tabs. Files are read as bytes and split on ``\\n`` only, because ``str.splitlines``
  would also break sentences at U+2028, U+0085 and other rare separators.
- ManyThings files come with LF or CRLF endings, with or without a final newline, sometimes with
  a ``1<TAB>2`` header left by a pandas export, sometimes with a third attribution column
  (``CC-BY 2.0 (France) Attribution: ...``), which is dropped.
- The pandas export also applied CSV quoting: a field that contains ``"`` is wrapped in quotes
  with the inner quotes doubled (``"Sein Vater nennt ihn ""Tom""."`` is ``Sein Vater nennt ihn
  "Tom".``). Files written without that quoting hold plain fields such as
  ``"Look," she said.``, which are kept as they are.
- Tatoeba has no official split. :func:`tatoeba_split` holds out whole English sentences, so no
  English sentence of the validation or test set is ever trained on, and every translation of a
  held-out sentence counts as one of its references.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from showcase.downloads import RemoteFile, fetch
from showcase.errors import DataError, InputError
from showcase.textfiles import read_text

PAIRS = ("en-fr", "en-de")

MULTI30K_SPLITS = ("train", "val", "test_2016_flickr", "test_2017_flickr")
MULTI30K_LANGUAGES = ("en", "de", "fr")

_MULTI30K_URL = "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/{name}"
# SHA-256 of the .gz files as they are in the official repository (last changed 2018-01-17).
_MULTI30K_SHA256 = {
    ("train", "en"): "d79cfa999dd4c51d2cb42499b6796d5a882c3a8a961923c25a898c90f8bbd56f",
    ("train", "de"): "726e39b2fa9eb9ffb6dc763fb35a179f80fae06ffc5d28b6ace5faa883de28a6",
    ("train", "fr"): "622e75069e9f4c577425c4f277116ce66e63a2401c0a2312d90073cb12379a3c",
    ("val", "en"): "14f7d25ddd868909a9213e361768460edcacdd6ab9d1e77b92560dc10c10dc28",
    ("val", "de"): "f0cba2f995189cf5770f29a8a9a537a3ad3f51657ad873405082ff6863a5e75a",
    ("val", "fr"): "ca3106f1a72390591d25f6c45cb4cd39dec4cd3f123e099748a3ce5256c160e9",
    ("test_2016_flickr", "en"): "611d361c6334bc7246101d48097c13cf5c4413c5befc793cc629934359d532d9",
    ("test_2016_flickr", "de"): "9204244e408ccb38d2a55cfcd344df15005fc42a07a6e55ca6c52b6ababb8cc8",
    ("test_2016_flickr", "fr"): "6d326e188d259fb1d04ac19eae3af956559b3a0b93d7635e56c90987c40c8b90",
    ("test_2017_flickr", "en"): "76a444ee25172e72695cddb13ae4a3bda59430617be88e0bb46b60504f054074",
    ("test_2017_flickr", "de"): "a2c89666db00c495cd8513b9d708d5a3acc205d7de312ef2bf5fb7ebc1540aee",
    ("test_2017_flickr", "fr"): "3ba671ceb2299f3304ffafefea7a833d08632fbaf0ba18546f8a2ec2391af496",
}
MULTI30K_FILES = {
    (split, lang): RemoteFile(
        url=_MULTI30K_URL.format(name=f"{split}.{lang}.gz"),
        filename=f"{split}.{lang}.gz",
        sha256=sha256,
    )
    for (split, lang), sha256 in _MULTI30K_SHA256.items()
}

# A whole field in CSV quotes whose inner quotes are all doubled. At least one doubled quote is
# required: pandas only quotes a field because it contains '"', while a plain field such as
# '"Hi"' (a quoted word in a file written without CSV quoting) must stay as it is.
_CSV_QUOTED = re.compile(r'"((?:[^"]|"")*""(?:[^"]|"")*)"')


def check_pair(pair: str) -> tuple[str, str]:
    """``"en-fr"`` -> ``("en", "fr")``; anything but a supported pair raises InputError."""
    if pair not in PAIRS:
        raise InputError(f"unknown language pair {pair!r}; choose from {', '.join(PAIRS)}")
    source, target = pair.split("-")
    return source, target


@dataclasses.dataclass
class ParallelText:
    """English sentences, each with one or more translations (references) in the target language."""

    name: str
    sources: list[str]
    references: list[list[str]]

    def __post_init__(self):
        if len(self.sources) != len(self.references):
            raise ValueError("sources and references differ in length")
        if any(not refs for refs in self.references):
            raise ValueError("every source sentence needs at least one reference")

    def pairs(self) -> tuple[list[str], list[str]]:
        """(sources, targets) with one training pair per reference."""
        sources, targets = [], []
        for source, refs in zip(self.sources, self.references, strict=True):
            sources.extend([source] * len(refs))
            targets.extend(refs)
        return sources, targets

    def __len__(self) -> int:
        return len(self.sources)


def _split_lines(text: str) -> list[str]:
    # Only "\n" ends a line (a CR before it is removed by the caller's strip); the empty string
    # after a final newline is not a line.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_lines(path: str | Path) -> list[str]:
    """The stripped lines of a UTF-8 text file, plain or gzip; empty lines kept for alignment."""
    path = Path(path).expanduser()
    return [line.strip() for line in _split_lines(read_text(path, "text file"))]


def read_parallel(source_path: str | Path, target_path: str | Path, name: str) -> ParallelText:
    """Line-aligned source and target files; line pairs with an empty side are skipped."""
    source_path, target_path = Path(source_path).expanduser(), Path(target_path).expanduser()
    sources, targets = read_lines(source_path), read_lines(target_path)
    if len(sources) != len(targets):
        raise DataError(
            f"{source_path} has {len(sources):,} lines but {target_path} has {len(targets):,}; "
            "line-aligned files must have the same number of lines"
        )
    kept = [(src, tgt) for src, tgt in zip(sources, targets, strict=True) if src and tgt]
    if not kept:
        raise DataError(f"{source_path} and {target_path} hold no sentence pairs")
    return ParallelText(name, [src for src, _ in kept], [[tgt] for _, tgt in kept])


def _unquote(field: str) -> str:
    field = field.strip()
    match = _CSV_QUOTED.fullmatch(field)
    if match is None:
        return field
    return match[1].replace('""', '"').strip()


def read_manythings(path: str | Path) -> list[tuple[str, str]]:
    """(English, other) pairs of a ManyThings/Anki ``English<TAB>Other[<TAB>attribution]`` file."""
    path = Path(path).expanduser()
    pairs = []
    for number, line in enumerate(_split_lines(read_text(path, "sentence-pair file")), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        fields = [field.strip() for field in line.split("\t")]
        if number == 1 and all(field.isdigit() for field in fields):
            continue  # the "1<TAB>2" column header of a pandas export
        if len(fields) not in (2, 3):
            raise DataError(
                f"{path} line {number}: expected 'English<TAB>translation', optionally followed "
                f"by '<TAB>attribution', but found {len(fields)} tab-separated field(s)"
            )
        english, other = _unquote(fields[0]), _unquote(fields[1])
        if not english or not other:
            raise DataError(
                f"{path} line {number}: the English sentence or its translation is empty"
            )
        pairs.append((english, other))
    if not pairs:
        raise DataError(f"{path} holds no sentence pairs")
    return pairs


def tatoeba_split(
    pairs: Iterable[tuple[str, str]],
    pair: str,
    seed: int = 2014,
    validation: int = 500,
    test: int = 1000,
) -> dict[str, ParallelText]:
    """Train / validation / test sets of Tatoeba pairs, split by distinct English sentence.

    ``validation`` and ``test`` count distinct English sentences. The result depends only on the
    set of pairs and the seed: input order and repeated pairs change nothing. Within a split the
    sentences are in shuffled order and each sentence's references are sorted.
    """
    check_pair(pair)
    if validation < 0 or test < 0:
        raise InputError("validation and test sizes must be 0 or more")
    grouped: dict[str, set[str]] = {}
    for english, other in pairs:
        grouped.setdefault(english, set()).add(other)
    needed = validation + test + 1
    if len(grouped) < needed:
        raise DataError(
            f"only {len(grouped):,} distinct English sentences; holding out {validation:,} for "
            f"validation and {test:,} for test needs at least {needed:,}"
        )
    # Sorting first makes the shuffle independent of the order the pairs came in.
    ordered = sorted(grouped)
    shuffled = [ordered[i] for i in np.random.default_rng(seed).permutation(len(ordered))]
    parts = {
        "train": shuffled[validation + test :],
        "validation": shuffled[:validation],
        "test": shuffled[validation : validation + test],
    }
    return {
        split: ParallelText(
            f"Tatoeba {split} ({pair})",
            sentences,
            [sorted(grouped[sentence]) for sentence in sentences],
        )
        for split, sentences in parts.items()
    }


def _check_split(split: str) -> None:
    if split not in MULTI30K_SPLITS:
        raise DataError(
            f"unknown Multi30k split {split!r}; choose from {', '.join(MULTI30K_SPLITS)}"
        )


def _multi30k_file(split: str, lang: str, folder: Path | None) -> Path:
    remote = MULTI30K_FILES[split, lang]
    if folder is None:
        return fetch(remote, subdir="multi30k")
    packed = folder / remote.filename
    if packed.is_file():
        # A local .gz goes through the same hash check as a download, so a truncated or edited
        # copy is refused instead of giving quietly wrong scores.
        return fetch(remote, packed, subdir="multi30k")
    unpacked = folder / f"{split}.{lang}"
    if unpacked.is_file():
        return unpacked
    raise DataError(f"{folder} has neither {remote.filename} nor {unpacked.name}")


def multi30k(split: str, pair: str, folder: str | Path | None = None) -> ParallelText:
    """One Multi30k split for ``pair``, from ``folder`` or, when it is None, the download cache.

    In ``folder`` the official ``<split>.<lang>.gz`` files are checked against their pinned
    hashes; uncompressed ``<split>.<lang>`` files are read as they are.
    """
    _check_split(split)
    source_lang, target_lang = check_pair(pair)
    local = None
    if folder is not None:
        local = Path(folder).expanduser()
        if not local.is_dir():
            raise DataError(f"Multi30k folder {local} does not exist")
    return read_parallel(
        _multi30k_file(split, source_lang, local),
        _multi30k_file(split, target_lang, local),
        name=f"Multi30k {split} ({pair})",
    )


def tatoeba_file_split(path: str | Path, pair: str) -> dict[str, ParallelText]:
    """:func:`tatoeba_split` of a ManyThings file with the demo's held-out sizes: 500 validation
    and 1,000 test sentences, or 5% and 10% of the distinct English sentences of a smaller file,
    so training and evaluation always agree on the split."""
    pairs = read_manythings(path)
    distinct = len({english for english, _ in pairs})
    return tatoeba_split(
        pairs, pair, validation=min(500, distinct // 20), test=min(1000, distinct // 10)
    )
