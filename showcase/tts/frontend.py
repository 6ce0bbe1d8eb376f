"""Which symbols a synthesiser reads: characters (Tacotron) or espeak-ng phonemes.

A model records its front end in its config (``text_units``, ``phoneme_voice``), so a checkpoint
always reads text the way it was trained to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from showcase.tts import phonemes, text

TEXT_UNITS = ("characters", "phonemes")


@dataclasses.dataclass(frozen=True)
class FrontEnd:
    units: str = "characters"
    voice: str = phonemes.DEFAULT_VOICE  # espeak-ng's voice for phonemes

    def __post_init__(self):
        if self.units not in TEXT_UNITS:
            raise ValueError(f"text units must be one of {TEXT_UNITS}, not {self.units!r}")

    @classmethod
    def of(cls, model) -> FrontEnd:
        return cls(model.text_units, model.phoneme_voice)

    @property
    def symbols(self) -> tuple[str, ...]:
        return phonemes.SYMBOLS if self.units == "phonemes" else text.SYMBOLS

    def encode(self, sentences: Sequence[str]) -> list[list[int]]:
        """Symbol ids (ending with END) for each sentence; one espeak-ng call for phonemes."""
        if self.units == "phonemes":
            return [phonemes.to_ids(p) for p in phonemes.phonemize(sentences, self.voice)]
        return [text.to_ids(sentence)[0] for sentence in sentences]

    def read(self, ids) -> list[str]:
        """The symbols behind ``ids`` (PAD and END left out), e.g. for an alignment plot."""
        if self.units == "phonemes":
            return phonemes.ids_to_symbols(ids)
        return list(text.ids_to_text(ids))
