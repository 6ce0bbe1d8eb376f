"""Subwords: a SentencePiece unigram model per language (Kudo 2018; Kudo & Richardson 2018).

SentencePiece works on raw text and treats the space as an ordinary symbol ("▁"), so decoding
gives back correctly spaced and punctuated text in each language ("l'homme", "Straße.", "Hi!")
with no language-specific detokeniser. Characters it has never seen (other scripts, emoji) become
the unknown piece: the encoder reads them as one unknown token, and decoding never emits it.

The trained model is a small protobuf; :meth:`Subwords.to_text` turns it into base64 text so it
travels inside the Keras model's config (one ``.keras`` file holds everything a translator needs).
"""

from __future__ import annotations

import base64
import io

import sentencepiece

PAD_ID, UNKNOWN_ID, START_ID, END_ID = 0, 1, 2, 3


class Subwords:
    def __init__(self, model_proto: bytes):
        self.model_proto = bytes(model_proto)
        self.processor = sentencepiece.SentencePieceProcessor(model_proto=self.model_proto)

    @classmethod
    def train(cls, sentences: list[str], vocabulary_size: int) -> Subwords:
        written = io.BytesIO()
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(sentences),
            model_writer=written,
            vocab_size=vocabulary_size,
            model_type="unigram",
            character_coverage=1.0,
            pad_id=PAD_ID,
            unk_id=UNKNOWN_ID,
            bos_id=START_ID,
            eos_id=END_ID,
            # A small corpus may not support the requested size; take what it supports.
            hard_vocab_limit=False,
            num_threads=1,  # one thread: the same corpus gives the same pieces on every machine
            minloglevel=2,
        )
        return cls(written.getvalue())

    @classmethod
    def from_text(cls, text: str) -> Subwords:
        return cls(base64.b64decode(text.encode("ascii")))

    def to_text(self) -> str:
        return base64.b64encode(self.model_proto).decode("ascii")

    def __len__(self) -> int:
        return self.processor.get_piece_size()

    def encode(self, texts: list[str]) -> list[list[int]]:
        return self.processor.encode(list(texts), out_type=int)

    def decode(self, ids: list[int]) -> str:
        return self.processor.decode([int(i) for i in ids])

    def pieces(self, ids: list[int]) -> list[str]:
        return [self.processor.id_to_piece(int(i)) for i in ids]
