"""Caption words <-> integer ids, for the captioner's embedding and softmax layers.

Pure Python, so data preparation and the saved vocabulary need no TensorFlow. Ids 0-3 are fixed
special tokens: ``<pad>`` (0, so zero-padding masks cleanly), ``<start>`` (fed as the first input
word), ``<end>`` (the word the decoder emits to stop) and ``<unk>`` (any word not in the
vocabulary). Real words follow, most frequent first, ties in alphabetical order, so building
twice from the same captions gives the same ids. ``to_json`` / ``from_json`` store the vocabulary
next to a checkpoint: a model is only meaningful with the exact id table it was trained with.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from showcase.errors import DataError, InputError

PAD, START, END, UNK = "<pad>", "<start>", "<end>", "<unk>"
SPECIAL_TOKENS = (PAD, START, END, UNK)
PAD_ID, START_ID, END_ID, UNK_ID = range(len(SPECIAL_TOKENS))

_FORMAT = "showcase.captioning.vocabulary"
_VERSION = 1
# Letters, with apostrophes kept inside words ("don't") and on clitics that Flickr8k's tokenizer
# split off ("man 's" -> "man", "'s"). Everything else (digits, punctuation, hyphens) separates.
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*|'[a-z]+")


def tokenize(caption: str) -> list[str]:
    """Lowercase words: ``"A tri-colored dog 's toy ."`` -> ``a tri colored dog 's toy``."""
    return _WORD.findall(caption.lower())


class Vocabulary:
    """A fixed word list; a word's id is its position."""

    def __init__(self, tokens: Sequence[str]):
        tokens = list(tokens)
        if tuple(tokens[: len(SPECIAL_TOKENS)]) != SPECIAL_TOKENS:
            raise DataError(f"a vocabulary must start with {', '.join(SPECIAL_TOKENS)}")
        if len(set(tokens)) != len(tokens):
            duplicates = sorted(word for word, n in Counter(tokens).items() if n > 1)
            raise DataError(f"vocabulary lists words twice: {', '.join(duplicates[:5])}")
        self.tokens = tokens
        self._ids = {word: index for index, word in enumerate(tokens)}

    @classmethod
    def build(
        cls, captions: Iterable[str], min_count: int = 1, max_size: int | None = None
    ) -> Vocabulary:
        """Words of ``captions`` seen at least ``min_count`` times.

        ``max_size`` caps the whole vocabulary, special tokens included, so it is the size of the
        model's embedding and output layers; the rarest words are left out first.
        """
        if min_count < 1:
            raise InputError(f"min_count must be at least 1, not {min_count}")
        if max_size is not None and max_size <= len(SPECIAL_TOKENS):
            raise InputError(
                f"max_size must leave room for words beyond the {len(SPECIAL_TOKENS)} special "
                f"tokens, not {max_size}"
            )
        counts = Counter(word for caption in captions for word in tokenize(caption))
        words = sorted(
            (word for word, count in counts.items() if count >= min_count),
            key=lambda word: (-counts[word], word),
        )
        if max_size is not None:
            words = words[: max_size - len(SPECIAL_TOKENS)]
        return cls([*SPECIAL_TOKENS, *words])

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, word: object) -> bool:
        return word in self._ids

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self.tokens == other.tokens

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens)"

    def id_of(self, word: str) -> int:
        return self._ids.get(word, UNK_ID)

    def encode(self, caption: str | Sequence[str], max_length: int) -> list[int]:
        """``<start> words <end>`` as ids, zero-padded to exactly ``max_length``.

        ``caption`` is a string (tokenized here) or a list of words. Captions that do not fit lose
        their last words but keep ``<end>``, so the model still learns where captions stop.
        """
        if max_length < 2:
            raise InputError(f"max_length must be at least 2 (<start> and <end>), not {max_length}")
        words = tokenize(caption) if isinstance(caption, str) else list(caption)
        ids = [START_ID, *(self.id_of(word) for word in words[: max_length - 2]), END_ID]
        return ids + [PAD_ID] * (max_length - len(ids))

    def decode(self, ids: Iterable[int]) -> str:
        """Words up to the first ``<end>``, without special tokens, joined by spaces."""
        words = []
        for raw in ids:
            index = int(raw)
            if not 0 <= index < len(self.tokens):
                raise InputError(f"word id {index} is outside this vocabulary (0-{len(self) - 1})")
            if index == END_ID:
                break
            if index >= len(SPECIAL_TOKENS):
                words.append(self.tokens[index])
        return " ".join(words)

    def to_json(self) -> str:
        return json.dumps({"format": _FORMAT, "version": _VERSION, "tokens": self.tokens})

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise DataError(
                f"vocabulary is not valid JSON ({err.msg}, line {err.lineno})"
            ) from None
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise DataError("not a showcase captioning vocabulary (wrong or missing 'format')")
        if data.get("version") != _VERSION:
            raise DataError(
                f"vocabulary version {data.get('version')!r} is not supported (expected {_VERSION})"
            )
        tokens = data.get("tokens")
        if not isinstance(tokens, list) or not all(isinstance(word, str) for word in tokens):
            raise DataError("vocabulary 'tokens' must be a list of strings")
        return cls(tokens)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Vocabulary:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DataError(f"vocabulary file {path} does not exist") from None
        except (OSError, UnicodeDecodeError) as err:
            raise DataError(f"cannot read vocabulary file {path}: {err}") from None
        return cls.from_json(text)
