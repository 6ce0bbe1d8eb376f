"""Phoneme input for the synthesiser: normalised English text -> espeak-ng's IPA -> symbol ids.

Tacotron reads characters, and then has to learn English spelling from its corpus: with 20,000
short sentences it heard "Please lock the safe." as "result of faith". Tacotron 2 (Shen et al.
2018) notes that phoneme input is the usual alternative, and Ping et al. (2018, Deep Voice 3)
showed that it fixes most mispronunciations. espeak-ng, which already speaks the training corpus,
also writes out the phonemes it would say (``--ipa``), so a phoneme model reads the very sounds
its targets were made from and can spend its training on acoustics instead of spelling.

espeak-ng drops punctuation from its phoneme output, but commas and question marks change the
pauses and pitch it speaks. So the normalised text is cut at punctuation, each piece is
phonemised, and the punctuation is put back between the pieces ("wˈɛl, ˈaɪ nˈoʊ."). All pieces of
all sentences go through one espeak-ng call, one piece a line (a piece ends with a full stop, as
espeak-ng starts a new output line only at the end of a clause).

espeak-ng is the system's program when there is one, else the library of the espeakng-loader
wheel (:mod:`showcase.tts.espeak`); both write the same phonemes for the same version.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from showcase.tts import espeak
from showcase.tts import text as characters

DEFAULT_VOICE = "en-us"
_MARKS = ",.;:!?()"
# espeak-ng's English IPA: stress and length marks, vowels, consonants, and the syllabic mark
# it writes under n and l (U+0329). Anything else it writes (rare loan-word sounds) is dropped.
_IPA = "ˈˌːˑaɐɑɒæeəɚɛɜɝiɪɨoɔɵuʊʉʌyøœɯᵻbçdðfɡhjklmnŋɲpɹɾrsʃtθvwxzʒʔɬʲβɣχ\u0329"
SYMBOLS: tuple[str, ...] = (
    characters.PAD,
    characters.END,
    " ",
    *_MARKS,
    *_IPA,
)
PAD_ID = characters.PAD_ID
END_ID = characters.END_ID
_SYMBOL_TO_ID = {symbol: i for i, symbol in enumerate(SYMBOLS) if i > END_ID}
_PIECES_RE = re.compile(r"([" + re.escape(_MARKS) + r"]+)")
# espeak-ng marks a word it reads with another language's rules, e.g. "(fr)" ... "(en)".
_LANGUAGE_SWITCH_RE = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]+)?\)")


def _pieces(cleaned: str) -> list[str]:
    """Alternating text and punctuation: "well, i know." -> ["well", ", ", "i know", "."]."""
    return [piece for piece in _PIECES_RE.split(cleaned) if piece.strip()]


def _is_marks(piece: str) -> bool:
    return piece.strip()[0] in _MARKS


def _espeak_lines(lines: Sequence[str], voice: str) -> list[str]:
    """espeak-ng's IPA for each line (each must end a clause), in one call."""
    return espeak.ipa_lines(lines, voice)


def _phonemise_pieces(pieces: Sequence[str], voice: str) -> list[str]:
    """Each text piece's phonemes. One call for all; if espeak-ng splits or merges clauses
    differently than expected, each piece gets a call of its own."""
    lines = [piece.strip() + "." for piece in pieces]
    out = _espeak_lines(lines, voice)
    if len(out) != len(lines):
        out = [" ".join(_espeak_lines([line], voice)) for line in lines]
    return [" ".join(_LANGUAGE_SWITCH_RE.sub("", line).split()) for line in out]


def phonemize(sentences: Iterable[str], voice: str = DEFAULT_VOICE) -> list[str]:
    """Each sentence as espeak-ng's IPA with its punctuation kept.

    The sentences are normalised and cleaned as for the character model first (numbers spelled
    out, emoji dropped), so both front ends read the same words.
    """
    split = [_pieces(characters.spoken_text(sentence)[0]) for sentence in sentences]
    words = [piece for pieces in split for piece in pieces if not _is_marks(piece)]
    phonemes = iter(_phonemise_pieces(words, voice))
    result = []
    for pieces in split:
        parts: list[str] = []
        for piece in pieces:
            spoken = piece.strip() if _is_marks(piece) else next(phonemes)
            if not spoken:
                continue
            # A space between words and after punctuation, but none before , . ? or after (.
            opens_word = not _is_marks(piece) or spoken.startswith("(")
            if parts and opens_word and not parts[-1].endswith("("):
                spoken = " " + spoken
            parts.append(spoken)
        result.append("".join(parts).strip())
    return result


def to_ids(phonemes: str) -> list[int]:
    """Symbol ids for a phonemised sentence, ending with ``END_ID``; unknown sounds are dropped."""
    ids = [_SYMBOL_TO_ID[symbol] for symbol in phonemes if symbol in _SYMBOL_TO_ID]
    return ids + [END_ID]


def ids_to_symbols(ids: Iterable[int]) -> list[str]:
    """The symbols for ``ids``, without PAD and END."""
    return [SYMBOLS[int(i)] for i in ids if int(i) not in (PAD_ID, END_ID)]
