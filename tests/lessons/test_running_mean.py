"""The running-mean lesson: the two exact means agree, a fixed a forgets exponentially."""

from __future__ import annotations

import time

import numpy as np
import pytest

from showcase.errors import InputError
from showcase.lessons import running_mean


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sum_and_recursive_update_agree_on_random_data(seed):
    rng = np.random.default_rng(seed)
    # Far from zero and heavy-tailed, where rounding in either way would show first.
    stream = 1000.0 + 50.0 * rng.standard_cauchy(5000)
    exact = running_mean.exact_mean(stream)
    recursive = running_mean.recursive_mean(stream)
    np.testing.assert_allclose(recursive, exact, rtol=0, atol=1e-9)
    for count in (1, 2, 17, 5000):
        assert exact[count - 1] == pytest.approx(np.mean(stream[:count]), abs=1e-9)


def test_compute_reports_the_agreement():
    result = running_mean.compute(samples=3000, noise=5.0, seed=4)
    assert result.max_difference < 1e-9
    np.testing.assert_allclose(result.recursive_mean, result.exact_mean, atol=1e-9)
    assert result.max_difference == pytest.approx(
        np.max(np.abs(result.exact_mean - result.recursive_mean))
    )


def test_forgetting_zero_follows_the_data_exactly():
    result = running_mean.compute(forgetting=0.0, samples=300, seed=3)
    np.testing.assert_array_equal(result.forgetting_mean, result.stream)
    assert result.effective_memory == 1.0


@pytest.mark.parametrize("forgetting", [0.0, 0.5, 0.9, 0.99, 0.999])
def test_memory_weights_are_exponential_and_sum_to_one_minus_a_to_the_n(forgetting):
    samples = 250
    result = running_mean.compute(forgetting=forgetting, samples=samples, seed=1)
    weights = result.memory_weights
    assert weights.shape == (samples,)
    assert weights.sum() == pytest.approx(1.0 - forgetting**samples, abs=1e-12)
    newest_first = weights[::-1]
    for steps_back in (0, 1, 5, 40):
        expected = (1.0 - forgetting) * forgetting**steps_back
        assert newest_first[steps_back] == pytest.approx(expected, abs=1e-15)
    # The weights are what the update actually does: the memory is their weighted sum (c_0 = 0).
    assert weights @ result.stream == pytest.approx(result.forgetting_mean[-1], abs=1e-9)


@pytest.mark.parametrize("forgetting", [0.5, 0.9, 0.98])
def test_effective_memory_is_the_mean_age_of_the_weights(forgetting):
    weights = running_mean.memory_weights(forgetting, 20_000)[::-1]
    mean_age_plus_one = np.sum((np.arange(len(weights)) + 1) * weights) / weights.sum()
    assert running_mean.effective_memory(forgetting) == pytest.approx(mean_age_plus_one)
    assert running_mean.effective_memory(forgetting) == pytest.approx(1 / (1 - forgetting))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fixed_forgetting_catches_up_with_the_jump_faster_than_the_exact_mean(seed):
    result = running_mean.compute(forgetting=0.9, samples=400, change_at=100, seed=seed)
    assert result.forgetting_catch_up is not None
    # The exact mean needs 900 samples after the jump to come within 10 %: not in this stream.
    assert result.exact_catch_up is None or result.exact_catch_up > result.forgetting_catch_up
    assert result.forgetting_catch_up < 5 * result.effective_memory
    late = slice(150, None)
    forgetting_error = np.abs(result.forgetting_mean[late] - running_mean.LEVEL_AFTER).mean()
    exact_error = np.abs(result.exact_mean[late] - running_mean.LEVEL_AFTER).mean()
    assert forgetting_error < exact_error / 3


def test_catch_up_on_a_clean_step_matches_the_formula():
    # No noise: k samples after the jump (from 1 to 4) the fixed-a mean is 3 a^k below the new
    # level, within 0.3 once a^k <= 0.1; the exact mean (100 + 4m) / (100 + m) once m >= 900.
    result = running_mean.compute(forgetting=0.9, samples=1200, change_at=100, noise=0.0)
    assert result.forgetting_catch_up == int(np.ceil(np.log(0.1) / np.log(0.9)))
    assert result.exact_catch_up == 900


def test_growing_stream_keeps_its_past_and_stays_fast():
    full = running_mean.compute(samples=500, seed=7)
    for samples in (1, 2, 99, 100, 101, 250):
        part = running_mean.compute(samples=samples, seed=7)
        np.testing.assert_array_equal(part.stream, full.stream[:samples])
        np.testing.assert_array_equal(part.forgetting_mean, full.forgetting_mean[:samples])
        np.testing.assert_array_equal(part.exact_mean, full.exact_mean[:samples])
    started = time.process_time()
    largest = running_mean.compute(samples=running_mean.MAX_SAMPLES)
    assert time.process_time() - started < 0.5
    assert largest.samples == running_mean.MAX_SAMPLES


def test_no_jump_when_the_change_point_is_past_the_end():
    result = running_mean.compute(samples=50, change_at=100)
    assert np.all(result.levels == running_mean.LEVEL_BEFORE)
    assert result.exact_catch_up is None and result.forgetting_catch_up is None
    assert "new level" not in running_mean.summary(result)


@pytest.mark.parametrize(
    "changes",
    [
        {"forgetting": 1.5},
        {"forgetting": 1.0},
        {"forgetting": -0.1},
        {"forgetting": None},
        {"forgetting": "0.9"},
        {"forgetting": float("nan")},
        {"samples": 0},
        {"samples": None},
        {"samples": 2.5},
        {"samples": running_mean.MAX_SAMPLES + 1},
        {"samples": True},
        {"change_at": -1},
        {"change_at": None},
        {"noise": -1.0},
        {"noise": None},
        {"noise": float("inf")},
        {"seed": -1},
        {"seed": None},
    ],
)
def test_bad_parameters_raise_input_error(changes):
    with pytest.raises(InputError):
        running_mean.compute(**changes)


def test_slider_floats_for_whole_numbers_are_accepted():
    result = running_mean.compute(samples=120.0, change_at=60.0, seed=2.0)
    assert result.samples == 120 and result.change_at == 60


@pytest.mark.parametrize(
    "changes", [{}, {"samples": 1}, {"forgetting": 0.999, "samples": 3000}, {"forgetting": 0.0}]
)
def test_figure_and_summary(changes):
    from matplotlib.figure import Figure

    result = running_mean.compute(**changes)
    fig = running_mean.figure(result)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    assert all(axes.get_xlabel() and axes.get_title() for axes in fig.axes)
    assert fig.axes[0].get_legend() is not None
    assert "effective memory" in running_mean.summary(result)
    assert running_mean.TITLE and running_mean.EXPLANATION.strip()
