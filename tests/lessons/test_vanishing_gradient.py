"""The vanishing-gradient lesson: the sigmoid's derivative, not the weights, starves deep layers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from showcase.errors import InputError
from showcase.lessons import vanishing_gradient as lesson


@pytest.fixture(scope="module")
def default_result():
    return lesson.compute()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_gradient_ratio_is_far_below_relu_at_initialisation(seed):
    result = lesson.compute(depth=10, steps=0, seed=seed)
    assert result.sigmoid_ratio_init < 1e-4
    assert result.relu_ratio_init > 100 * result.sigmoid_ratio_init
    # Per layer the sigmoid gradient shrinks by about the slide's 1/4; the ReLU one hardly at all.
    assert 0.1 < result.sigmoid_ratio_init ** (1 / 10) < 0.4
    assert result.relu_ratio_init ** (1 / 10) > 0.7


def test_sigmoid_first_layer_gradient_shrinks_with_depth():
    shallow = lesson.compute(depth=4, steps=0)
    deep = lesson.compute(depth=12, steps=0)
    sigmoid_drop = shallow.sigmoid_norms_init[0] / deep.sigmoid_norms_init[0]
    relu_drop = shallow.relu_norms_init[0] / deep.relu_norms_init[0]
    assert sigmoid_drop > 1e4
    assert sigmoid_drop > 100 * relu_drop


def test_sigmoid_derivative_is_at_most_a_quarter_and_relu_derivative_is_one_when_active():
    assert lesson.sigmoid_derivative_maximum() == pytest.approx(0.25, abs=1e-12)
    x = np.random.default_rng(0).normal(scale=5, size=10_000)
    assert lesson.sigmoid_derivative(x).max() <= 0.25
    assert lesson.sigmoid_derivative(0.0) == 0.25
    assert np.all(lesson.relu_derivative(x[x > 0]) == 1)
    assert np.all(lesson.relu_derivative(x[x < 0]) == 0)


def test_measured_layer_derivatives_respect_the_bound(default_result):
    result = default_result
    assert result.derivative_bound == pytest.approx(0.25**result.depth)
    # Every sigmoid layer's mean derivative is below 1/4; a ReLU layer's is its active fraction.
    assert np.all(result.sigmoid_mean_derivative <= 0.25)
    assert np.all(result.sigmoid_mean_derivative > 0.1)
    assert np.all((result.relu_mean_derivative > 0.2) & (result.relu_mean_derivative < 0.8))


def test_both_networks_start_from_the_same_weights():
    sigmoid = lesson.build_mlp(5, 16, "sigmoid", seed=3, initializer="glorot_uniform")
    relu = lesson.build_mlp(5, 16, "relu", seed=3, initializer="glorot_uniform")
    for a, b in zip(sigmoid.get_weights(), relu.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_hand_written_forward_pass_matches_the_keras_model():
    inputs, labels = lesson.make_batch(seed=1)
    model = lesson.build_mlp(6, 16, "sigmoid", seed=1, initializer="he_normal")
    logits = np.asarray(model(inputs), dtype=np.float64)
    # Binary cross-entropy on logits, in the numerically stable form.
    expected = np.mean(np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits))))
    training = lesson.train_and_measure(model, "sigmoid", inputs, labels, 0, 0.1)
    assert training.loss[0] == pytest.approx(expected, rel=1e-12)


def test_training_moves_the_relu_first_layer_and_not_the_sigmoid_one(default_result):
    result = default_result
    assert len(result.sigmoid_loss) == len(result.relu_loss) == result.steps + 1
    assert result.relu_weight_change[0] > 1000 * result.sigmoid_weight_change[0]
    assert result.relu_loss[-1] < result.relu_loss[0]
    assert result.notice == ""


def test_results_are_reproducible():
    first = lesson.compute(depth=3, width=8, steps=2, seed=5)
    second = lesson.compute(depth=3, width=8, steps=2, seed=5)
    np.testing.assert_array_equal(first.relu_norms_trained, second.relu_norms_trained)
    np.testing.assert_array_equal(first.sigmoid_loss, second.sigmoid_loss)


def test_divergence_is_reported_not_plotted_as_infinity():
    result = lesson.compute(
        depth=8, width=128, steps=10, learning_rate=2.0, initializer="he_normal"
    )
    assert "ReLU network diverged" in result.notice
    assert np.all(np.isfinite(result.relu_loss))
    assert len(result.relu_loss) < result.steps + 1


def test_figure_and_summary(default_result):
    from matplotlib.figure import Figure

    figure = lesson.figure(default_result)
    assert isinstance(figure, Figure)
    assert len(figure.axes) == 3
    assert figure.axes[1].get_yscale() == "log"
    assert figure.axes[1].get_xlabel()
    text = lesson.summary(default_result)
    assert "(1/4)^10" in text and "9.5e-07" in text
    assert lesson.TITLE and lesson.EXPLANATION


@pytest.mark.parametrize(
    "parameters",
    [
        {"depth": 1},
        {"depth": 31},
        {"depth": 3.5},
        {"depth": "10"},
        {"depth": None},
        {"depth": True},
        {"width": 0},
        {"width": 1000},
        {"steps": -1},
        {"steps": 101},
        {"seed": -1},
        {"seed": "a"},
        {"learning_rate": 0},
        {"learning_rate": math.nan},
        {"learning_rate": math.inf},
        {"learning_rate": "0.1"},
        {"learning_rate": None},
        {"initializer": "xavier"},
        {"initializer": None},
    ],
)
def test_bad_parameters_raise_input_error(parameters):
    with pytest.raises(InputError):
        lesson.compute(**parameters)


def test_whole_number_floats_from_sliders_are_accepted():
    result = lesson.compute(depth=3.0, width=8.0, steps=1.0, seed=2.0)
    assert result.depth == 3 and len(result.layer_index) == 4
