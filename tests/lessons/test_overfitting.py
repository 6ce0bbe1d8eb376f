"""The overfitting lesson: polynomial fits of the house prices, and dropout on a small MLP."""

from __future__ import annotations

import numpy as np
import pytest

from showcase.errors import InputError
from showcase.lessons import overfitting

SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def default_results():
    return {seed: overfitting.compute(seed=seed) for seed in SEEDS}


# ---------------------------------------------------------------------------------------------
# Part A: polynomials


def test_noise_free_quadratic_is_recovered_exactly():
    result = overfitting.compute(degree=2, points=10, noise=0.0)
    np.testing.assert_allclose(result.coefficients, overfitting.TRUE_COEFFICIENTS, atol=1e-8)
    assert result.held_out_errors[1] < 1e-8
    np.testing.assert_allclose(result.grid_fits[1], result.true_prices, atol=1e-8)


@pytest.mark.parametrize("points", [5, 7, 12, 40])
@pytest.mark.parametrize("seed", SEEDS)
def test_training_error_never_increases_with_degree(points, seed):
    errors = overfitting.compute(points=points, seed=seed).train_errors
    # Each degree's polynomials contain the smaller degrees', so least squares can only do
    # better; 1e-5 k€ (a cent) allows for rounding once the fit passes through every house.
    assert np.all(np.diff(errors) <= 1e-5), errors
    if points <= overfitting.MAX_DEGREE:
        assert errors[points - 1] < 1e-5  # degree points - 1 goes through every house


@pytest.mark.parametrize("points", [7, 12])
@pytest.mark.parametrize("seed", SEEDS)
def test_held_out_error_is_lowest_near_the_true_degree(points, seed):
    held_out = overfitting.compute(points=points, seed=seed).held_out_errors
    at_true = held_out[overfitting.TRUE_DEGREE - 1]
    assert at_true < held_out[0]
    assert at_true < held_out[-1]
    assert at_true < 1.5 * 20.0  # within half the noise of the best possible (the noise, 20 k€)


def test_diagnosis_matches_the_slides(default_results):
    for result in default_results.values():
        assert result.diagnosis[0] == overfitting.HIGH_BIAS
        assert result.diagnosis[overfitting.TRUE_DEGREE - 1] == overfitting.JUST_RIGHT
        assert result.diagnosis[-1] == overfitting.HIGH_VARIANCE
        assert result.best_degree in (2, 3)
    # The default view is the slides' example: degree 4 on a few houses overfits.
    assert default_results[0].label == overfitting.HIGH_VARIANCE


def test_diagnose_reads_the_held_out_curve():
    labels = overfitting.diagnose([50.0, 30.0, 21.0, 20.0, 21.5, 40.0, 90.0])
    assert labels == (
        overfitting.HIGH_BIAS,
        overfitting.HIGH_BIAS,
        overfitting.JUST_RIGHT,
        overfitting.JUST_RIGHT,
        overfitting.JUST_RIGHT,
        overfitting.HIGH_VARIANCE,
        overfitting.HIGH_VARIANCE,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_more_data_lowers_the_held_out_error_of_the_high_degree_fit(seed, default_results):
    few = default_results[seed]
    many = overfitting.compute(points=300, seed=seed)
    assert many.held_out_errors[-1] < few.held_out_errors[-1] / 2
    assert many.held_out_errors[-1] < 1.2 * many.noise
    # The same along the "more data" curves at degree 12 (13 coefficients). Not monotone all the
    # way: just above 13 houses the fit is at its most unstable ("double descent"), so 15 houses
    # can do worse than 8. From twice the coefficients on, every bigger set does better.
    sizes = np.array(few.curve_sizes)
    at_max_degree = few.curve_errors[:, -1]
    assert list(sizes) == sorted(sizes)
    assert at_max_degree[-1] == at_max_degree.min()
    well_determined = sizes >= 2 * (overfitting.MAX_DEGREE + 1)
    assert well_determined.sum() >= 3
    assert np.all(np.diff(at_max_degree[well_determined]) < 0), at_max_degree
    assert at_max_degree[well_determined][0] < at_max_degree[~well_determined].min()


def test_result_shapes_and_consistency(default_results):
    result = default_results[0]
    degrees = overfitting.MAX_DEGREE
    assert result.train_sizes.shape == result.train_prices.shape == (result.points,)
    assert result.grid_fits.shape == (degrees, overfitting.GRID_POINTS)
    assert result.train_errors.shape == result.held_out_errors.shape == (degrees,)
    assert result.curve_errors.shape == (len(result.curve_sizes), degrees)
    assert result.points in result.curve_sizes
    assert len(result.coefficients) == result.degree + 1
    assert result.held_out_error == pytest.approx(
        overfitting.rmse(
            overfitting.predict(result.coefficients, result.held_out_sizes),
            result.held_out_prices,
        )
    )
    assert np.all((result.train_sizes >= 30) & (result.train_sizes <= 200))
    assert overfitting.compute(seed=0).train_prices.tolist() == result.train_prices.tolist()


@pytest.mark.parametrize(
    "changes",
    [
        {"degree": 0},
        {"degree": 13},
        {"degree": None},
        {"degree": 2.5},
        {"degree": "4"},
        {"points": 1},
        {"points": None},
        {"points": overfitting.MAX_POINTS + 1},
        {"noise": -1.0},
        {"noise": None},
        {"noise": float("nan")},
        {"seed": -3},
        {"seed": "zero"},
    ],
)
def test_bad_parameters_raise_input_error(changes):
    with pytest.raises(InputError):
        overfitting.compute(**changes)


@pytest.mark.parametrize("changes", [{}, {"degree": 1}, {"degree": 12, "points": 300}])
def test_figure_and_summary(changes):
    from matplotlib.figure import Figure

    result = overfitting.compute(**changes)
    fig = overfitting.figure(result)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3
    assert all(axes.get_xlabel() and axes.get_ylabel() and axes.get_title() for axes in fig.axes)
    assert fig.axes[1].get_yscale() == "log"
    assert "held-out RMSE" in overfitting.summary(result)
    assert overfitting.TITLE and overfitting.EXPLANATION.strip()


# ---------------------------------------------------------------------------------------------
# Part B: dropout (trains two small Keras MLPs; the loop compiles once for the module)


@pytest.fixture(scope="module")
def dropout_results():
    return {seed: overfitting.compute_dropout(seed=seed) for seed in SEEDS}


def test_dropout_shrinks_the_train_validation_gap(dropout_results):
    for seed, result in dropout_results.items():
        assert result.plain_gap > 10.0, (seed, result.plain_gap)  # the plain network overfits
        # Clearly smaller, not just by rounding: over seeds 0-29 the worst ratio was 0.95, and
        # for these three it is about 0.1, 0.55 and 0.4.
        assert result.dropout_gap < 0.8 * result.plain_gap, (
            seed,
            result.plain_gap,
            result.dropout_gap,
        )
        # Dropout fits the training houses less exactly: that is where the gap goes.
        assert result.dropout_train_loss[-1] > result.plain_train_loss[-1]


def test_dropout_curves_are_complete_and_reproducible(dropout_results):
    result = dropout_results[0]
    assert result.recorded_epochs[-1] == result.epochs
    for losses in (
        result.plain_train_loss,
        result.plain_validation_loss,
        result.dropout_train_loss,
        result.dropout_validation_loss,
    ):
        assert losses.shape == result.recorded_epochs.shape
        assert np.all(np.isfinite(losses)) and np.all(losses > 0)
    # Training helps: both networks end far below where they start.
    assert result.plain_train_loss[-1] < result.plain_train_loss[0] / 3
    # Same seed, same curves, whatever ran in between (weights, Adam and dropout noise reset).
    first = overfitting.compute_dropout(epochs=200, seed=5)
    overfitting.compute_dropout(epochs=100, dropout=0.7, seed=6)
    again = overfitting.compute_dropout(epochs=200, seed=5)
    np.testing.assert_array_equal(again.plain_validation_loss, first.plain_validation_loss)
    np.testing.assert_array_equal(again.dropout_validation_loss, first.dropout_validation_loss)
    np.testing.assert_array_equal(again.dropout_prediction, first.dropout_prediction)
    assert not np.array_equal(first.dropout_prediction, first.plain_prediction)


def test_new_epochs_and_sizes_reuse_the_compiled_loop(dropout_results):
    trainer = overfitting._trainer()
    traces = trainer.train.experimental_get_tracing_count()
    short = overfitting.compute_dropout(points=5, epochs=130, seed=4)
    assert short.recorded_epochs[-1] == 130 and short.train_sizes.shape == (5,)
    overfitting.compute_dropout(points=16, epochs=100, dropout=0.6, seed=4)
    overfitting.compute_dropout(epochs=100, seed=2**31 - 1)  # the largest seed a UI can send
    assert trainer.train.experimental_get_tracing_count() == traces


@pytest.mark.parametrize(
    "changes",
    [
        {"dropout": 0.0},
        {"dropout": 1.0},
        {"dropout": None},
        {"points": 3},
        {"points": overfitting.MAX_DROPOUT_POINTS + 1},
        {"epochs": 50},
        {"epochs": overfitting.MAX_EPOCHS + 1},
        {"epochs": None},
        {"noise": -5.0},
        {"seed": 1.5},
    ],
)
def test_dropout_bad_parameters_raise_input_error(changes):
    with pytest.raises(InputError):
        overfitting.compute_dropout(**changes)


def test_dropout_figure_and_summary(dropout_results):
    from matplotlib.figure import Figure

    result = dropout_results[1]
    fig = overfitting.dropout_figure(result)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    assert all(axes.get_xlabel() and axes.get_title() for axes in fig.axes)
    assert fig.axes[0].get_legend() is not None
    table = overfitting.dropout_summary(result)
    assert "no dropout" in table and f"{result.plain_gap:.1f}" in table
