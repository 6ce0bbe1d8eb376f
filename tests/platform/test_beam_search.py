"""The shared beam search: exhaustive check on a small random model, length normalisation."""

import itertools

import numpy as np
import pytest

from showcase.beam_search import beam_search, greedy, length_penalty

START, END, VOCABULARY, MAX_LENGTH = 0, 1, 4, 4


def random_model(seed):
    """A fixed random next-token table indexed by (previous token, position)."""
    table = np.random.default_rng(seed).dirichlet(np.ones(VOCABULARY), (VOCABULARY, MAX_LENGTH))
    table[:, :, START] = 1e-9  # the start token is never emitted
    table /= table.sum(-1, keepdims=True)

    def step(previous, positions):
        log_probs = np.log(table[previous, positions])
        return log_probs, positions + 1, np.zeros((len(previous), 1))

    def expand(positions, rows):
        return positions[np.minimum(rows, len(positions) - 1)]

    return table, step, expand


def every_finished_sequence(table):
    for length in range(MAX_LENGTH):
        for body in itertools.product(range(2, VOCABULARY), repeat=length):
            tokens, previous, total = list(body), START, 0.0
            for position, token in enumerate([*tokens, END]):
                total += np.log(table[previous, position, token])
                previous = token
            yield tokens, total


@pytest.mark.parametrize("alpha", [0.0, 1.0])
@pytest.mark.parametrize("seed", range(3))
def test_a_wide_beam_finds_the_best_sequence(seed, alpha):
    table, step, expand = random_model(seed)
    best = max(
        every_finished_sequence(table),
        key=lambda item: item[1] / length_penalty(len(item[0]) + 1, alpha),
    )
    beams = beam_search(step, np.zeros(1, np.int64), 64, MAX_LENGTH, expand, START, END, alpha)
    assert beams[0].tokens == best[0]
    assert beams[0].log_probability == pytest.approx(best[1])
    scores = [beam.score for beam in beams]
    assert scores == sorted(scores, reverse=True)
    for beam in beams:
        expected = beam.log_probability / length_penalty(len(beam.tokens) + 1, alpha)
        assert beam.score == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(5))
def test_beam_one_is_greedy(seed):
    _, step, expand = random_model(seed)
    first = beam_search(step, np.zeros(1, np.int64), 1, MAX_LENGTH, expand, START, END)[0]
    only = greedy(step, np.zeros(1, np.int64), MAX_LENGTH, START, END)
    assert first.tokens == only.tokens
    assert first.log_probability == pytest.approx(only.log_probability)
