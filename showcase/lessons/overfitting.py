"""Overfitting: a house's price from its floor area, fitted by models too simple, right, too rich.

Part A (``compute``/``figure``, numpy only) is the lecture's housing example: least-squares
polynomials theta_0 + theta_1 x + ... + theta_d x^d fitted to a handful of houses. A straight line
misses the curve (high bias, underfitting), a quadratic matches it ("just right"), and high degrees
thread through every training house and swing wildly between them (high variance, overfitting).
Training error can only fall as the degree grows, because each model contains the smaller ones;
error on held-out houses falls, then rises. More houses tame the high-degree fit: the held-out
error is computed for several training-set sizes. (Not monotonically: with just a few more houses
than coefficients a fit is at its most unstable, so 15 houses can do worse than 8 at degree 12,
the sample-wise "double descent" of Belkin et al., PNAS 2019, and Nakkiran et al., ICLR 2020.)
The picture is the one in Andrew Ng's Machine Learning course that the slides borrow; the
bias/variance reading is textbook (e.g. Hastie, Tibshirani & Friedman, "The Elements of
Statistical Learning", ch. 7).

Part B (``compute_dropout``/``dropout_figure``) trains two small Keras MLPs live on a dozen houses,
one plain and one with dropout (Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov,
"Dropout: A Simple Way to Prevent Neural Networks from Overfitting", JMLR 15, 2014): randomly
silencing hidden units in every training step keeps the network from relying on any one of them,
so it fits the training houses less exactly and the gap to held-out houses shrinks.

Simplifications: the houses are generated (floor area uniform in 30-200 m^2, price a quadratic in
the area plus Gaussian noise, in thousands of euros), so the "true degree" is known to be 2; the
fit uses the area rescaled to [-1, 1] so high degrees stay well conditioned (the same polynomials,
other coefficients); errors are root-mean-square errors in k€. The MLPs train full-batch with Adam
(learning rate decayed along a cosine) for a fixed number of epochs in one XLA-compiled loop, and
their losses are measured with dropout off. The dropout layer is a few lines of our own (the same
inverted dropout as keras.layers.Dropout) so that its rate can change without recompiling.
"""

from __future__ import annotations

import dataclasses
import math
import threading

import keras
import numpy as np
import tensorflow as tf
from matplotlib import colormaps, ticker
from matplotlib.figure import Figure

from showcase.inputs import check_number, check_seed, check_whole_number
from showcase.lazy import once

TITLE = "Overfitting"

EXPLANATION = r"""
A model can ace its practice problems and still fail the exam. Here the practice is a few houses
with known prices and the exam is new houses: we fit $\theta_0 + \theta_1 x + \dots + \theta_d x^d$
(price from floor area $x$) by least squares. A straight line cannot bend with the data and is
wrong everywhere (**high bias**); a quadratic, the shape these houses were generated from, is
**just right**; degree 4 and up thread through the training houses but swing between and beyond
them, even predicting that a bigger house costs less (**high variance**). Training error only
falls as the degree grows, while held-out error falls and then rises. The lecture's first cure is
more data: on the right, hundreds of houses stop even degree 12 from wiggling (though a set just
bigger than the number of coefficients can be the worst of all). Deep networks have millions of
parameters, so the second part trains a small one twice on a dozen houses, plain and with
**dropout**, which silences a random 30 % of the hidden units in every training step. The dropout
network cannot lean on any single unit, fits the training houses less exactly, and the gap
between its training and validation loss shrinks; whether its validation loss also ends lower
varies from one draw of houses to the next.
"""

SMALLEST_HOUSE, LARGEST_HOUSE = 30.0, 200.0  # m^2
# The true price, in k€, as a quadratic in the area rescaled to u in [-1, 1]: it rises and levels
# off for the largest houses (the extra square metres are worth less and less).
TRUE_COEFFICIENTS = (370.0, 200.0, -100.0)
TRUE_DEGREE = len(TRUE_COEFFICIENTS) - 1
MAX_DEGREE = 12
MAX_POINTS = 1000
MAX_NOISE = 200.0
HELD_OUT_HOUSES = 1000
# Training-set sizes for the "more data" curves; the user's own size is added to them.
CURVE_SIZES = (8, 15, 30, 100, 300)
CURVE_REPEATS = 25  # fresh training sets per size; the curves show the median held-out error
# A degree is "just right" when its held-out error is within this factor of the best one.
JUST_RIGHT_TOLERANCE = 1.10
GRID_POINTS = 300

HIGH_BIAS, JUST_RIGHT, HIGH_VARIANCE = "high bias", "just right", "high variance"


# ---------------------------------------------------------------------------------------------
# Part A: polynomial fits (numpy)


def scaled_area(sizes) -> np.ndarray:
    """Floor area in m^2 -> u in [-1, 1] (30 m^2 -> -1, 200 m^2 -> 1)."""
    middle = (SMALLEST_HOUSE + LARGEST_HOUSE) / 2
    half_width = (LARGEST_HOUSE - SMALLEST_HOUSE) / 2
    return (np.asarray(sizes, dtype=np.float64) - middle) / half_width


def true_price(sizes) -> np.ndarray:
    """The noise-free price in k€ of houses of these floor areas (m^2)."""
    return np.polynomial.polynomial.polyval(scaled_area(sizes), TRUE_COEFFICIENTS)


def make_houses(count: int, noise: float, rng: np.random.Generator) -> tuple:
    """(sizes in m^2, prices in k€): ``count`` houses, uniform areas, Gaussian price noise."""
    sizes = rng.uniform(SMALLEST_HOUSE, LARGEST_HOUSE, count)
    return sizes, true_price(sizes) + noise * rng.standard_normal(count)


def fit_polynomial(sizes, prices, degree: int) -> np.ndarray:
    """Least-squares theta_0..theta_degree of the polynomial in the rescaled area.

    With fewer houses than coefficients there are many exact fits; lstsq picks the one with the
    smallest coefficients.
    """
    design = np.vander(scaled_area(sizes), degree + 1, increasing=True)
    coefficients, *_ = np.linalg.lstsq(design, np.asarray(prices, dtype=np.float64), rcond=None)
    return coefficients


def predict(coefficients, sizes) -> np.ndarray:
    """Prices in k€ the polynomial with these coefficients gives houses of these areas."""
    return np.vander(scaled_area(sizes), len(coefficients), increasing=True) @ coefficients


def rmse(predicted, actual) -> float:
    """Root-mean-square error, in the units of the prices (k€)."""
    return float(np.sqrt(np.mean((np.asarray(predicted) - np.asarray(actual)) ** 2)))


def diagnose(held_out_errors) -> tuple[str, ...]:
    """Label each degree (1, 2, ...) from the held-out errors alone.

    Degrees whose error is within 10 % of the best one are "just right"; worse ones left of the
    best are "high bias" (too simple), worse ones right of it "high variance" (too flexible).
    """
    errors = np.asarray(held_out_errors)
    best = int(np.argmin(errors))
    labels = []
    for index, error in enumerate(errors):
        if error <= JUST_RIGHT_TOLERANCE * errors[best]:
            labels.append(JUST_RIGHT)
        else:
            labels.append(HIGH_BIAS if index < best else HIGH_VARIANCE)
    return tuple(labels)


@dataclasses.dataclass(frozen=True)
class OverfittingResult:
    degree: int  # the degree shown on the fit panel
    points: int  # training houses
    noise: float  # standard deviation of the price noise, k€
    train_sizes: np.ndarray  # m^2, shape (points,)
    train_prices: np.ndarray  # k€
    held_out_sizes: np.ndarray  # m^2, shape (HELD_OUT_HOUSES,)
    held_out_prices: np.ndarray
    grid_sizes: np.ndarray  # m^2, for drawing curves
    true_prices: np.ndarray  # noise-free price on the grid
    grid_fits: np.ndarray  # (MAX_DEGREE, grid): the fit of degree d on the grid is row d - 1
    coefficients: np.ndarray  # theta_0..theta_degree of the chosen fit (rescaled area)
    degrees: np.ndarray  # 1..MAX_DEGREE
    train_errors: np.ndarray  # RMSE on the training houses, per degree, k€
    held_out_errors: np.ndarray  # RMSE on the held-out houses, per degree, k€
    diagnosis: tuple  # "high bias" / "just right" / "high variance" per degree
    best_degree: int  # lowest held-out error
    curve_sizes: tuple  # training-set sizes of the "more data" curves
    curve_errors: np.ndarray  # (len(curve_sizes), MAX_DEGREE): median held-out RMSE

    @property
    def train_error(self) -> float:
        return float(self.train_errors[self.degree - 1])

    @property
    def held_out_error(self) -> float:
        return float(self.held_out_errors[self.degree - 1])

    @property
    def label(self) -> str:
        return self.diagnosis[self.degree - 1]


def _held_out_curve(sizes, prices, held_out_sizes, held_out_prices) -> tuple:
    train_errors, held_out_errors, fits = [], [], []
    for degree in range(1, MAX_DEGREE + 1):
        coefficients = fit_polynomial(sizes, prices, degree)
        fits.append(coefficients)
        train_errors.append(rmse(predict(coefficients, sizes), prices))
        held_out_errors.append(rmse(predict(coefficients, held_out_sizes), held_out_prices))
    return np.array(train_errors), np.array(held_out_errors), fits


def _stacked_least_squares(design: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """lstsq for a stack: (batch, rows, columns), (batch, rows, 1) -> (batch, columns, 1).

    The smallest-norm solution via the SVD, with lstsq's cut-off for tiny singular values.
    """
    left, singular, right = np.linalg.svd(design, full_matrices=False)
    cutoff = np.finfo(np.float64).eps * max(design.shape[1:]) * singular[:, :1]
    inverse = np.divide(1.0, singular, out=np.zeros_like(singular), where=singular > cutoff)
    projected = np.swapaxes(left, 1, 2) @ targets
    return np.swapaxes(right, 1, 2) @ (inverse[:, :, None] * projected)


def held_out_errors_by_size(
    sizes, noise: float, seed: int, repeats: int = CURVE_REPEATS
) -> np.ndarray:
    """(len(sizes), MAX_DEGREE): median held-out RMSE over up to ``repeats`` fresh training sets.

    The median, because a single unlucky draw can send a high-degree fit's error to millions.
    Big sets vary little from draw to draw, so they get fewer repeats (at least 5, and never
    more than about 2,500 houses per size), which keeps 1,000 houses as fast as 10.
    """
    held_out_sizes, held_out_prices = make_houses(
        HELD_OUT_HOUSES, noise, np.random.default_rng([seed, 1])
    )
    held_out_design = np.vander(scaled_area(held_out_sizes), MAX_DEGREE + 1, increasing=True)
    rng = np.random.default_rng([seed, 2])
    medians = np.empty((len(sizes), MAX_DEGREE))
    for size_index, count in enumerate(sizes):
        draws = int(np.clip(2500 // count, 5, repeats))
        # All repeats at once: a stack of least-squares problems, one batched SVD per degree.
        train_sizes, train_prices = make_houses(count * draws, noise, rng)
        design = np.vander(scaled_area(train_sizes), MAX_DEGREE + 1, increasing=True)
        design = design.reshape(draws, count, MAX_DEGREE + 1)
        targets = train_prices.reshape(draws, count, 1)
        for degree in range(1, MAX_DEGREE + 1):
            coefficients = _stacked_least_squares(design[:, :, : degree + 1], targets)
            predicted = coefficients[:, :, 0] @ held_out_design[:, : degree + 1].T
            errors = np.sqrt(np.mean((predicted - held_out_prices) ** 2, axis=1))
            medians[size_index, degree - 1] = np.median(errors)
    return medians


def compute(degree: int = 4, points: int = 7, noise: float = 20.0, seed: int = 0):
    """Polynomial fits of degree 1..12 to ``points`` generated houses, and their errors.

    degree: the fit to draw, 1 to 12 (all degrees are computed for the error curves).
    points: training houses, 2 to 1,000. noise: price noise in k€, 0 to 200.
    """
    degree = check_whole_number(degree, "The degree", 1, MAX_DEGREE)
    points = check_whole_number(points, "The number of houses", 2, MAX_POINTS)
    noise = check_number(noise, "The price noise", 0.0, MAX_NOISE)
    seed = check_seed(seed)

    train_sizes, train_prices = make_houses(points, noise, np.random.default_rng([seed, 0]))
    held_out_sizes, held_out_prices = make_houses(
        HELD_OUT_HOUSES, noise, np.random.default_rng([seed, 1])
    )
    train_errors, held_out_errors, fits = _held_out_curve(
        train_sizes, train_prices, held_out_sizes, held_out_prices
    )
    grid_sizes = np.linspace(SMALLEST_HOUSE, LARGEST_HOUSE, GRID_POINTS)
    curve_sizes = tuple(sorted({*CURVE_SIZES, points}))
    return OverfittingResult(
        degree=degree,
        points=points,
        noise=noise,
        train_sizes=train_sizes,
        train_prices=train_prices,
        held_out_sizes=held_out_sizes,
        held_out_prices=held_out_prices,
        grid_sizes=grid_sizes,
        true_prices=true_price(grid_sizes),
        grid_fits=np.array([predict(coefficients, grid_sizes) for coefficients in fits]),
        coefficients=fits[degree - 1],
        degrees=np.arange(1, MAX_DEGREE + 1),
        train_errors=train_errors,
        held_out_errors=held_out_errors,
        diagnosis=diagnose(held_out_errors),
        best_degree=int(np.argmin(held_out_errors)) + 1,
        curve_sizes=curve_sizes,
        curve_errors=held_out_errors_by_size(curve_sizes, noise, seed),
    )


DIAGNOSIS_COLORS = {HIGH_BIAS: "tab:blue", JUST_RIGHT: "tab:green", HIGH_VARIANCE: "tab:red"}
ERROR_FLOOR = 1.0  # k€: exact fits have ~0 training error; the log axes start here


def _price_limits(result) -> tuple[float, float]:
    prices = np.concatenate([result.train_prices, result.true_prices])
    spread = prices.max() - prices.min()
    return prices.min() - 0.25 * spread, prices.max() + 0.25 * spread


def figure(result: OverfittingResult):
    """The fits over the houses, train vs held-out error per degree, and the effect of more data."""

    fig = Figure(figsize=(15, 4.8), dpi=100)
    fits_axes, errors_axes, sizes_axes = fig.subplots(1, 3, gridspec_kw={"wspace": 0.28})

    # 1. The houses and the fits, as on the slides.
    shown = slice(0, 300)  # a few hundred held-out houses are enough to show the cloud
    fits_axes.scatter(
        result.held_out_sizes[shown],
        result.held_out_prices[shown],
        s=6,
        color="0.8",
        label="held-out houses",
        zorder=1,
    )
    fits_axes.plot(
        result.grid_sizes,
        result.true_prices,
        color="0.25",
        linestyle="--",
        linewidth=1.2,
        label="true price curve",
        zorder=2,
    )
    for degree in sorted({1, TRUE_DEGREE, result.degree}):
        label = result.diagnosis[degree - 1]
        chosen = degree == result.degree
        fits_axes.plot(
            result.grid_sizes,
            result.grid_fits[degree - 1],
            color=DIAGNOSIS_COLORS[label],
            linewidth=2.6 if chosen else 1.2,
            alpha=1.0 if chosen else 0.55,
            label=f"degree {degree}: {label}",
            zorder=4 if chosen else 3,
        )
    fits_axes.scatter(
        result.train_sizes,
        result.train_prices,
        s=_dot_size(result.points),
        color="black",
        label=f"{result.points} training houses",
        zorder=5,
    )
    fits_axes.set_ylim(*_price_limits(result))
    fits_axes.set_xlim(SMALLEST_HOUSE - 5, LARGEST_HOUSE + 5)
    fits_axes.set_xlabel("floor area (m²)")
    fits_axes.set_ylabel("price (k€)")
    fits_axes.set_title(
        f"Degree {result.degree}: {result.label}\n"
        f"train {result.train_error:.1f} k€, held-out {result.held_out_error:.1f} k€ (RMSE)",
        fontsize=10.5,
    )
    fits_axes.legend(loc="upper left", fontsize=8, framealpha=0.9)

    # 2. Training vs held-out error per degree, with the three regimes shaded.
    degrees = result.degrees
    for degree, label in zip(degrees, result.diagnosis, strict=True):
        errors_axes.axvspan(
            degree - 0.5, degree + 0.5, color=DIAGNOSIS_COLORS[label], alpha=0.09, linewidth=0
        )
    for label in (HIGH_BIAS, JUST_RIGHT, HIGH_VARIANCE):
        members = [d for d, name in zip(degrees, result.diagnosis, strict=True) if name == label]
        if members:
            errors_axes.text(
                np.mean(members),
                0.97,
                label.replace(" ", "\n"),
                transform=errors_axes.get_xaxis_transform(),
                ha="center",
                va="top",
                fontsize=8.5,
                color=DIAGNOSIS_COLORS[label],
            )
    errors_axes.plot(
        degrees,
        np.maximum(result.train_errors, ERROR_FLOOR),
        "o-",
        color="tab:purple",
        markersize=4,
        label=f"training houses (below {ERROR_FLOOR:g} drawn at {ERROR_FLOOR:g})",
    )
    errors_axes.plot(
        degrees,
        np.maximum(result.held_out_errors, ERROR_FLOOR),
        "s-",
        color="tab:orange",
        markersize=4,
        label="held-out houses",
    )
    errors_axes.axhline(
        max(result.noise, ERROR_FLOOR),
        color="0.3",
        linestyle=":",
        linewidth=1,
        label="noise level (best possible)",
    )
    errors_axes.axvline(result.degree, color="black", linewidth=1, alpha=0.5)
    errors_axes.set_yscale("log")
    _plain_log_ticks(errors_axes.yaxis)
    errors_axes.set_ylim(ERROR_FLOOR * 0.8, _error_ceiling(result))
    errors_axes.set_xticks(degrees)
    errors_axes.set_xlim(0.5, MAX_DEGREE + 0.5)
    errors_axes.set_xlabel("polynomial degree $d$")
    errors_axes.set_ylabel("RMSE (k€, log scale)")
    errors_axes.set_title(
        "Training error only falls; held-out error\nfalls, then rises", fontsize=10.5
    )
    errors_axes.legend(loc="lower left", fontsize=8, framealpha=0.9)

    # 3. The same held-out curve for more and more training houses.
    colors = _size_colors(len(result.curve_sizes))
    for color, count, errors in zip(colors, result.curve_sizes, result.curve_errors, strict=True):
        mine = count == result.points
        sizes_axes.plot(
            degrees,
            errors,
            "o-",
            color=color,
            markersize=3.5 if mine else 2.5,
            linewidth=2.6 if mine else 1.3,
            label=f"{count} houses" + (" (yours)" if mine else ""),
        )
    sizes_axes.axhline(max(result.noise, ERROR_FLOOR), color="0.3", linestyle=":", linewidth=1)
    sizes_axes.set_yscale("log")
    _plain_log_ticks(sizes_axes.yaxis)
    sizes_axes.set_ylim(max(result.noise, ERROR_FLOOR) * 0.8, _error_ceiling(result))
    sizes_axes.set_xticks(degrees)
    sizes_axes.set_xlim(0.5, MAX_DEGREE + 0.5)
    sizes_axes.set_xlabel("polynomial degree $d$")
    sizes_axes.set_ylabel("held-out RMSE (k€, log scale)")
    sizes_axes.set_title(
        f"More data tames high degrees\n(median of up to {CURVE_REPEATS} training sets per size)",
        fontsize=10.5,
    )
    sizes_axes.legend(loc="upper left", fontsize=8, framealpha=0.9)
    for axes in (fits_axes, errors_axes, sizes_axes):
        axes.grid(alpha=0.25)
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.11, top=0.86)
    return fig


def _dot_size(points: int) -> float:
    # Big dots for the slides' handful of houses; hundreds of them must not hide the curves.
    return float(np.clip(36.0 * math.sqrt(20.0 / points), 5.0, 36.0))


def _plain_log_ticks(axis) -> None:
    """Log-axis ticks at 1, 2, 5, 10, 20, ... written as plain numbers (20, not 2 x 10^1)."""

    axis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(ticker.NullFormatter())


def _error_ceiling(result) -> float:
    # Far enough up to show the rise, not so far that the interesting part is squashed flat.
    return 30.0 * max(result.noise, 10.0)


def _size_colors(count: int):

    return colormaps["viridis"](np.linspace(0.0, 0.85, count))


def summary(result: OverfittingResult) -> str:
    """Errors and diagnosis for degree 1, the true degree, the chosen and the best degree."""
    rows = ["| degree | train RMSE | held-out RMSE | diagnosis |", "|---|---|---|---|"]
    for degree in sorted({1, TRUE_DEGREE, result.degree, result.best_degree, MAX_DEGREE}):
        marks = []
        if degree == result.degree:
            marks.append("shown")
        if degree == result.best_degree:
            marks.append("best held-out")
        mark = f" ({', '.join(marks)})" if marks else ""
        rows.append(
            f"| {degree}{mark} | {result.train_errors[degree - 1]:,.1f} k€ | "
            f"{result.held_out_errors[degree - 1]:,.1f} k€ | {result.diagnosis[degree - 1]} |"
        )
    return "\n".join(rows)


# ---------------------------------------------------------------------------------------------
# Part B: dropout on a small MLP (Keras, trained live)

HIDDEN_UNITS = 96
HIDDEN_LAYERS = 2
LEARNING_RATE = 0.01  # Adam's, decayed along a cosine to FINAL_LEARNING_RATE
FINAL_LEARNING_RATE = 0.0005
MAX_DROPOUT_POINTS = 64
# Training houses are padded (and masked) up to one of these sizes: XLA compiles the loop once per
# size it sees, and the small size keeps the usual dozen houses cheap.
PADDED_SIZES = (16, MAX_DROPOUT_POINTS)
VALIDATION_HOUSES = 256
MAX_EPOCHS = 4000
RECORD_EVERY = 20  # epochs between two loss measurements (measuring costs about a step)
PRICE_CENTER, PRICE_SCALE = 270.0, 100.0  # k€; the networks see (price - 270) / 100
# Use XLA: it compiles the whole training loop once per process (a few seconds on the first
# call) and then runs thousands of epochs in a fraction of a second.
JIT_COMPILE = True


@dataclasses.dataclass(frozen=True)
class DropoutResult:
    points: int
    dropout: float  # the rate of the dropout network (the plain one has 0)
    epochs: int
    noise: float
    train_sizes: np.ndarray  # m^2
    train_prices: np.ndarray  # k€
    validation_sizes: np.ndarray
    validation_prices: np.ndarray
    grid_sizes: np.ndarray
    true_prices: np.ndarray
    recorded_epochs: np.ndarray  # the epochs after which the losses were measured
    plain_train_loss: np.ndarray  # RMSE in k€ at those epochs, measured with dropout off
    plain_validation_loss: np.ndarray
    dropout_train_loss: np.ndarray
    dropout_validation_loss: np.ndarray
    plain_prediction: np.ndarray  # on the grid, after training
    dropout_prediction: np.ndarray

    @property
    def plain_gap(self) -> float:
        """Final validation minus training RMSE of the plain network, k€."""
        return float(self.plain_validation_loss[-1] - self.plain_train_loss[-1])

    @property
    def dropout_gap(self) -> float:
        return float(self.dropout_validation_loss[-1] - self.dropout_train_loss[-1])


class _DropoutTrainer:
    """Two same-shaped MLPs (plain, dropout) and one compiled loop that trains both.

    Built once per process and reused: each call only loads fresh seeded weights, resets the
    optimizers and sets the dropout rate, so the loop is never traced or compiled again.
    """

    def __init__(self):

        self.models = [self._network(index) for index in range(2)]
        self.optimizers = [keras.optimizers.Adam(LEARNING_RATE) for _ in self.models]
        for model, optimizer in zip(self.models, self.optimizers, strict=True):
            optimizer.build(model.trainable_variables)
        self.fresh_optimizer_state = [
            [variable.numpy() for variable in optimizer.variables] for optimizer in self.optimizers
        ]
        self.dropouts = [
            [layer for layer in model.layers if isinstance(layer, RateDropout)]
            for model in self.models
        ]
        self.lock = threading.Lock()
        self.train = tf.function(self._train, jit_compile=JIT_COMPILE)

    @staticmethod
    def _network(index: int):
        layers = [keras.Input((1,))]
        for _ in range(HIDDEN_LAYERS):
            layers.append(keras.layers.Dense(HIDDEN_UNITS, activation="relu"))
            layers.append(RateDropout())
        layers.append(keras.layers.Dense(1))
        return keras.Sequential(layers, name=f"mlp_{index}")

    def _train(self, inputs, targets, mask, validation_inputs, validation_targets, epochs):

        records = (epochs + RECORD_EVERY - 1) // RECORD_EVERY
        history = tf.TensorArray(tf.float32, size=MAX_EPOCHS // RECORD_EVERY)
        houses = tf.reduce_sum(mask)

        def mean_square(predicted, wanted, weights=None):
            squares = tf.square(predicted - wanted)
            if weights is None:
                return tf.reduce_mean(squares)
            return tf.reduce_sum(squares * weights) / houses

        # Counted while loops, not tf.range: XLA would make the count a compile-time constant
        # and compile the loop again for every new number of epochs.
        record = tf.constant(0)
        while record < records:
            steps = tf.minimum(RECORD_EVERY, epochs - record * RECORD_EVERY)
            step = tf.constant(0)
            while step < steps:
                epoch = record * RECORD_EVERY + step
                step += 1
                # Cosine decay: big steps to fit fast, small ones at the end so the final losses
                # are the network's, not a snapshot of Adam bouncing around.
                progress = tf.cast(epoch, tf.float32) / tf.cast(epochs, tf.float32)
                rate = FINAL_LEARNING_RATE + (LEARNING_RATE - FINAL_LEARNING_RATE) * 0.5 * (
                    1.0 + tf.cos(math.pi * progress)
                )
                for model, optimizer in zip(self.models, self.optimizers, strict=True):
                    optimizer.learning_rate = rate
                    with tf.GradientTape() as tape:
                        loss = mean_square(model(inputs, training=True), targets, mask)
                    gradients = tape.gradient(loss, model.trainable_variables)
                    optimizer.apply(gradients, model.trainable_variables)
            losses = []
            for model in self.models:
                # Measured with dropout off: the network as it would be used.
                losses.append(mean_square(model(inputs, training=False), targets, mask))
                losses.append(
                    mean_square(model(validation_inputs, training=False), validation_targets)
                )
            history = history.write(record, tf.stack(losses))
            record += 1
        return history.stack()

    def reset(self, dropout: float, seed: int) -> None:
        rng = np.random.default_rng([seed, 3])
        # Both networks start from the same weights, so dropout is the only difference.
        weights = _initial_weights(self.models[0].trainable_variables, rng)
        # Each dropout layer gets its own noise stream (a SeedGenerator counts up the second
        # number, so streams that differ only there would repeat each other's masks).
        layer_seeds = rng.integers(0, 2**31 - 1, size=HIDDEN_LAYERS)
        for index, (model, optimizer, dropouts) in enumerate(
            zip(self.models, self.optimizers, self.dropouts, strict=True)
        ):
            for variable, value in zip(model.trainable_variables, weights, strict=True):
                variable.assign(value)
            for variable, fresh in zip(
                optimizer.variables, self.fresh_optimizer_state[index], strict=True
            ):
                variable.assign(fresh)
            for layer, layer_seed in zip(dropouts, layer_seeds, strict=True):
                layer.rate.assign(dropout if index == 1 else 0.0)
                state = layer.seed_generator.state
                state.assign(np.array([layer_seed, 0], dtype=state.dtype))


def _initial_weights(variables, rng: np.random.Generator) -> list:
    """He-uniform kernels; first-layer biases spread the ReLU kinks over the input range."""
    weights = []
    for variable in variables:
        shape = tuple(variable.shape)
        if len(shape) == 2:
            limit = math.sqrt(6.0 / shape[0])
            weights.append(rng.uniform(-limit, limit, shape).astype(np.float32))
        elif not weights[1:]:  # the bias right after the first kernel
            weights.append(rng.uniform(-1.0, 1.0, shape).astype(np.float32))
        else:
            weights.append(np.zeros(shape, np.float32))
    return weights


class RateDropout(keras.layers.Layer):
    """Inverted dropout (Srivastava et al. 2014) whose rate is a variable, not a constant.

    keras.layers.Dropout bakes its rate into the compiled loop; a variable lets one compiled
    loop serve both networks and every rate a slider can send.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(0)

    def build(self, input_shape):
        self.rate = self.add_weight(shape=(), initializer="zeros", trainable=False, name="rate")

    def call(self, inputs, training=False):
        if not training:
            return inputs
        keep = keras.random.uniform(keras.ops.shape(inputs), seed=self.seed_generator)
        kept = keras.ops.cast(keep >= self.rate, inputs.dtype)
        # Scale the survivors up so the expected activation matches inference.
        return inputs * kept / (1.0 - self.rate)


@once
def _trainer() -> _DropoutTrainer:
    return _DropoutTrainer()


def compute_dropout(
    points: int = 12,
    dropout: float = 0.3,
    epochs: int = 2000,
    noise: float = 20.0,
    seed: int = 0,
) -> DropoutResult:
    """Train a plain MLP and one with dropout on the same few houses; loss curves for both.

    points: training houses, 4 to 64. dropout: the second network's rate, 0.05 to 0.9.
    epochs: full-batch Adam steps, 100 to 4,000. noise: price noise in k€, 0 to 200.
    The first call in a process builds and compiles the loop (a few seconds); later calls reuse it.
    """
    points = check_whole_number(points, "The number of houses", 4, MAX_DROPOUT_POINTS)
    dropout = check_number(dropout, "The dropout rate", 0.05, 0.9)
    epochs = check_whole_number(epochs, "The number of epochs", 100, MAX_EPOCHS)
    noise = check_number(noise, "The price noise", 0.0, MAX_NOISE)
    seed = check_seed(seed)

    train_sizes, train_prices = make_houses(points, noise, np.random.default_rng([seed, 0]))
    validation_sizes, validation_prices = make_houses(
        VALIDATION_HOUSES, noise, np.random.default_rng([seed, 1])
    )
    padded = next(size for size in PADDED_SIZES if size >= points)
    inputs = np.zeros((padded, 1), np.float32)
    targets = np.zeros((padded, 1), np.float32)
    mask = np.zeros((padded, 1), np.float32)
    inputs[:points, 0] = scaled_area(train_sizes)
    targets[:points, 0] = (train_prices - PRICE_CENTER) / PRICE_SCALE
    mask[:points] = 1.0
    validation_inputs = scaled_area(validation_sizes).astype(np.float32)[:, None]
    validation_targets = ((validation_prices - PRICE_CENTER) / PRICE_SCALE).astype(np.float32)
    grid_sizes = np.linspace(SMALLEST_HOUSE, LARGEST_HOUSE, GRID_POINTS)

    recorded_epochs = np.minimum(
        np.arange(1, -(-epochs // RECORD_EVERY) + 1) * RECORD_EVERY, epochs
    )
    recorded = len(recorded_epochs)
    trainer = _trainer()
    with trainer.lock:
        trainer.reset(dropout, seed)
        history = trainer.train(
            inputs,
            targets,
            mask,
            validation_inputs,
            validation_targets[:, None],
            np.int32(epochs),  # a tensor, not a Python int: a new count must not retrace
        ).numpy()[:recorded]
        grid_inputs = scaled_area(grid_sizes).astype(np.float32)[:, None]
        predictions = [
            model(grid_inputs, training=False).numpy()[:, 0] * PRICE_SCALE + PRICE_CENTER
            for model in trainer.models
        ]
    losses = np.sqrt(history.astype(np.float64)) * PRICE_SCALE  # mean square -> RMSE in k€
    return DropoutResult(
        points=points,
        dropout=dropout,
        epochs=epochs,
        noise=noise,
        train_sizes=train_sizes,
        train_prices=train_prices,
        validation_sizes=validation_sizes,
        validation_prices=validation_prices,
        grid_sizes=grid_sizes,
        true_prices=true_price(grid_sizes),
        recorded_epochs=recorded_epochs,
        plain_train_loss=losses[:, 0],
        plain_validation_loss=losses[:, 1],
        dropout_train_loss=losses[:, 2],
        dropout_validation_loss=losses[:, 3],
        plain_prediction=predictions[0],
        dropout_prediction=predictions[1],
    )


PLAIN_COLOR, DROPOUT_COLOR = "tab:red", "tab:blue"


def dropout_figure(result: DropoutResult):
    """Loss curves of both networks over the epochs, and what each learned."""

    fig = Figure(figsize=(13, 4.8), dpi=100)
    loss_axes, fit_axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": (1.3, 1), "wspace": 0.2})

    epochs = result.recorded_epochs
    curves = (
        (result.plain_train_loss, PLAIN_COLOR, "-", "no dropout: training"),
        (result.plain_validation_loss, PLAIN_COLOR, "--", "no dropout: validation"),
        (result.dropout_train_loss, DROPOUT_COLOR, "-", f"dropout {result.dropout:g}: training"),
        (
            result.dropout_validation_loss,
            DROPOUT_COLOR,
            "--",
            f"dropout {result.dropout:g}: validation",
        ),
    )
    for losses, color, style, label in curves:
        loss_axes.plot(epochs, losses, color=color, linestyle=style, linewidth=1.6, label=label)
    loss_axes.axhline(
        max(result.noise, ERROR_FLOOR), color="0.3", linestyle=":", linewidth=1, label="noise level"
    )
    for gap, losses, color in (
        (result.plain_gap, result.plain_validation_loss, PLAIN_COLOR),
        (result.dropout_gap, result.dropout_validation_loss, DROPOUT_COLOR),
    ):
        loss_axes.annotate(
            f"gap {gap:.1f}",
            (result.epochs, losses[-1]),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            color=color,
        )
    loss_axes.set_xscale("log")
    loss_axes.set_yscale("log")
    _plain_log_ticks(loss_axes.yaxis)
    loss_axes.set_xlim(epochs[0], result.epochs * 1.6)
    loss_axes.set_xlabel("epoch (full batch, log scale)")
    loss_axes.set_ylabel("RMSE (k€, log scale), dropout off")
    loss_axes.set_title(
        f"Training vs validation loss on {result.points} houses\n"
        f"final gap: {result.plain_gap:.1f} k€ without dropout, "
        f"{result.dropout_gap:.1f} k€ with",
        fontsize=10.5,
    )
    loss_axes.legend(loc="lower left", fontsize=8, framealpha=0.9)

    fit_axes.scatter(
        result.validation_sizes,
        result.validation_prices,
        s=6,
        color="0.8",
        label="validation houses",
    )
    fit_axes.plot(
        result.grid_sizes,
        result.true_prices,
        color="0.25",
        linestyle="--",
        linewidth=1.2,
        label="true price curve",
    )
    fit_axes.plot(
        result.grid_sizes,
        result.plain_prediction,
        color=PLAIN_COLOR,
        linewidth=2,
        label="no dropout",
    )
    fit_axes.plot(
        result.grid_sizes,
        result.dropout_prediction,
        color=DROPOUT_COLOR,
        linewidth=2,
        label=f"dropout {result.dropout:g}",
    )
    fit_axes.scatter(
        result.train_sizes,
        result.train_prices,
        s=_dot_size(result.points),
        color="black",
        zorder=5,
        label=f"{result.points} training houses",
    )
    fit_axes.set_ylim(*_price_limits(result))
    fit_axes.set_xlabel("floor area (m²)")
    fit_axes.set_ylabel("price (k€)")
    fit_axes.set_title(f"What each network learned ({result.epochs:,} epochs)", fontsize=10.5)
    fit_axes.legend(loc="upper left", fontsize=8, framealpha=0.9)
    for axes in (loss_axes, fit_axes):
        axes.grid(alpha=0.25)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.11, top=0.86)
    return fig


def dropout_summary(result: DropoutResult) -> str:
    """Final training and validation RMSE of both networks, and their gap."""
    rows = ["| network | training RMSE | validation RMSE | gap |", "|---|---|---|---|"]
    for name, train, validation in (
        ("no dropout", result.plain_train_loss, result.plain_validation_loss),
        (f"dropout {result.dropout:g}", result.dropout_train_loss, result.dropout_validation_loss),
    ):
        rows.append(
            f"| {name} | {train[-1]:.1f} k€ | {validation[-1]:.1f} k€ | "
            f"{validation[-1] - train[-1]:.1f} k€ |"
        )
    return "\n".join(rows)
