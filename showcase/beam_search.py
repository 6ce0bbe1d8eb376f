"""Greedy and beam-search decoding for any autoregressive model that emits one token per step.

A model is described by ``step(previous_tokens, state) -> (log_probs, state, attention)`` over a
batch of hypotheses, and ``expand(state, rows)`` which gathers rows of the state (repeats one
input's state for every beam, or reorders states after a step).

Beam search keeps the ``beam_size`` likeliest partial sequences; one that emits ``end_id`` is
finished and leaves the beam, which refills from the remaining candidates, until ``beam_size`` are
finished or ``max_length`` tokens are reached. Scores are summed log-probabilities (the end token
included). ``length_alpha`` > 0 ranks finished sequences by log-probability / lp(length) with the
length penalty of Wu et al. (2016, GNMT), lp = ((5 + length) / 6) ** alpha, which stops a
translation model from preferring short outputs; 0 ranks by the raw sum, as in Show and Tell.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import tensorflow as tf


def traced_step(step, *state_shapes: list):
    """``step(previous word ids, *state)`` compiled once for every batch (beam) size.

    The word ids are int32 (beams,); each state tensor is float32 with the shape given (None for
    a size that varies: the beams, the source length...).
    """
    signature = [tf.TensorSpec([None], tf.int32)]
    signature += [tf.TensorSpec(shape, tf.float32) for shape in state_shapes]
    return tf.function(step, input_signature=signature)


@dataclasses.dataclass
class Beam:
    tokens: list[int]
    log_probability: float
    attention: list[np.ndarray]  # one map per emitted token, the end token included
    score: float = 0.0  # what beams are ranked by (log_probability, length-normalised or not)


def length_penalty(length: int, alpha: float) -> float:
    return ((5.0 + length) / 6.0) ** alpha if alpha else 1.0


def greedy(step, state, max_length: int, start_id: int, end_id: int) -> Beam:
    """Always the likeliest next token."""
    tokens, total, maps = [], 0.0, []
    previous = np.array([start_id], np.int32)
    for _ in range(max_length):
        log_probs, state, attention = step(previous, state)
        token = int(np.argmax(log_probs[0]))
        total += float(log_probs[0, token])
        maps.append(attention[0])
        if token == end_id:
            break
        tokens.append(token)
        previous = np.array([token], np.int32)
    return Beam(tokens, total, maps, total)


def beam_search(
    step,
    state,
    beam_size: int,
    max_length: int,
    expand,
    start_id: int,
    end_id: int,
    length_alpha: float = 0.0,
) -> list[Beam]:
    """The ``beam_size`` best sequences, best first (``state`` describes one input)."""
    live = [Beam([], 0.0, [])]
    state = expand(state, np.zeros(1, np.int64))
    finished: list[Beam] = []
    for _ in range(max_length):
        previous = np.array([b.tokens[-1] if b.tokens else start_id for b in live], np.int32)
        log_probs, state, attention = step(previous, state)
        totals = np.array([beam.log_probability for beam in live])[:, None] + log_probs
        order = np.argsort(-totals, axis=None)
        rows, survivors = [], []
        for flat in order[: 2 * beam_size]:
            row, token = divmod(int(flat), log_probs.shape[1])
            parent = live[row]
            candidate = Beam(
                parent.tokens + ([] if token == end_id else [token]),
                float(totals[row, token]),
                parent.attention + [attention[row]],
            )
            if token == end_id:
                candidate.score = candidate.log_probability / length_penalty(
                    len(candidate.tokens) + 1, length_alpha
                )
                finished.append(candidate)
            else:
                survivors.append(candidate)
                rows.append(row)
            if len(survivors) == beam_size:
                break
        finished.sort(key=lambda beam: -beam.score)
        # Stop once no live sequence can beat the worst of beam_size finished ones: log-probs only
        # fall as tokens are added, and the length penalty is largest at max_length.
        if len(finished) >= beam_size and (
            not survivors
            or survivors[0].log_probability / length_penalty(max_length, length_alpha)
            <= finished[beam_size - 1].score
        ):
            break
        if not survivors:
            break
        live = survivors
        state = expand(state, np.array(rows))
    if not finished:
        for beam in live:
            beam.score = beam.log_probability / length_penalty(len(beam.tokens), length_alpha)
    results = finished or live
    results.sort(key=lambda beam: -beam.score)
    return results[:beam_size]
