"""Greedy and beam-search decoding over a :class:`~showcase.captioning.model.ShowAndTell`.

Beam search keeps the ``beam_size`` likeliest partial captions; a caption that emits ``<end>`` is
finished and leaves the beam, which refills from the remaining candidates, until ``beam_size``
captions are finished or ``max_length`` words are reached. Scores are summed log-probabilities
(``<end>`` included), as in Show and Tell, without length normalisation: the scene captions the
model learns have the length their content dictates.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from showcase.captioning.vocabulary import END_ID, START_ID


@dataclasses.dataclass
class Beam:
    words: list[int]
    log_probability: float
    attention: list[np.ndarray]  # one (regions,) map per word, <end> included


def greedy(step, state, max_length: int) -> Beam:
    """Always the likeliest next word. ``step(words, state) -> (log_probs, state, attention)``."""
    words, total, maps = [], 0.0, []
    previous = np.array([START_ID], np.int32)
    for _ in range(max_length):
        log_probs, state, attention = step(previous, state)
        word = int(np.argmax(log_probs[0]))
        total += float(log_probs[0, word])
        maps.append(attention[0])
        if word == END_ID:
            break
        words.append(word)
        previous = np.array([word], np.int32)
    return Beam(words, total, maps)


def beam_search(step, state, beam_size: int, max_length: int, expand) -> list[Beam]:
    """The ``beam_size`` likeliest captions, best first.

    ``state`` describes one image; ``expand(state, rows)`` gathers its rows (e.g. repeats the one
    image's state ``beam_size`` times, or reorders states after a step).
    """
    live = [Beam([], 0.0, [])]
    state = expand(state, np.zeros(1, np.int64))
    finished: list[Beam] = []
    for _ in range(max_length):
        previous = np.array([beam.words[-1] if beam.words else START_ID for beam in live], np.int32)
        log_probs, state, attention = step(previous, state)
        totals = np.array([beam.log_probability for beam in live])[:, None] + log_probs
        order = np.argsort(-totals, axis=None)
        rows, survivors = [], []
        for flat in order[: 2 * beam_size]:
            row, word = divmod(int(flat), log_probs.shape[1])
            parent = live[row]
            candidate = Beam(
                parent.words + ([] if word == END_ID else [word]),
                float(totals[row, word]),
                parent.attention + [attention[row]],
            )
            if word == END_ID:
                finished.append(candidate)
            else:
                survivors.append(candidate)
                rows.append(row)
            if len(survivors) == beam_size:
                break
        # Stop once no live caption can beat the worst of beam_size finished ones: log-probs
        # only fall as words are added.
        finished.sort(key=lambda beam: -beam.log_probability)
        if len(finished) >= beam_size and (
            not survivors or survivors[0].log_probability <= finished[beam_size - 1].log_probability
        ):
            break
        if not survivors:
            break
        live = survivors
        state = expand(state, np.array(rows))
    results = finished or live
    results.sort(key=lambda beam: -beam.log_probability)
    return results[:beam_size]
