"""Vanishing gradients: why a deep stack of sigmoids barely learns and a stack of ReLUs does.

Two multilayer perceptrons with identical starting weights (same seed, same initialiser) differ
only in their hidden activation, the logistic sigmoid or the ReLU. On one small generated
classification batch we measure, with ``tf.GradientTape``, the norm of the loss gradient with
respect to every Dense kernel, first at initialisation and again after a few steps of plain
gradient descent.

The lecture's argument (and Hochreiter 1991; Bengio, Simard & Frasconi 1994; Glorot & Bengio 2010,
"Understanding the difficulty of training deep feedforward neural networks"): backpropagation
multiplies the error signal by the activation's derivative once per layer. The sigmoid's
derivative is never above 1/4, so through ``n`` sigmoid layers that factor alone is at most
``(1/4)**n``; its outputs are also capped at 1, so the slides' "amount learned = derivative x
output (of the layer below)" stays small. The ReLU's derivative is exactly 1 wherever the unit
is active (Nair & Hinton 2010; Glorot, Bordes & Bengio 2011, "Deep sparse rectifier neural
networks").

Initialisation: both networks use the same initialiser so that only the activation differs. The
default is Keras' own default, Glorot (Xavier) uniform, which is what a beginner gets; "he_normal"
(He et al. 2015) is offered to show that a ReLU-aware scale keeps the ReLU gradients level while
the sigmoid ones still vanish, because the cause is the derivative, not the weights.

Simplifications: a toy task (256 points, 16 features, a linear class boundary), full-batch plain
gradient descent (no momentum or Adam, whose per-weight rescaling would hide how small the raw
gradients are), no batch normalisation or residual connections (the modern remedies).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

from showcase.errors import InputError
from showcase.inputs import check_number, check_seed, check_whole_number
from showcase.lazy import LazyByKey

TITLE = "Vanishing gradients"

EXPLANATION = r"""
A network learns by following the gradient of its loss, and backpropagation computes that gradient
from the output back towards the input, multiplying by each layer's activation derivative on the
way. The sigmoid's derivative $\sigma'(x) = \sigma(x)\,(1-\sigma(x))$ is at most $1/4$ (at $x=0$)
and near 0 for most inputs, so through $n$ sigmoid layers those factors shrink the signal by up
to $(1/4)^n$: below one millionth for 10 layers. The weights multiply it too, so the measured
drop is not exactly that number, but it is the same order of magnitude. The sigmoid's outputs
are also capped at 1, and with the slide's rule *amount learned = derivative × output* the first
layers of the sigmoid network barely move (right panel), while the ReLU network's gradient stays
roughly level across layers, because the ReLU's derivative is exactly 1 for every positive
input. After a few steps the sigmoid network settles on predicting the average label, where
every gradient is tiny (dashed red). Try a deeper network, or He initialisation, which suits
ReLU but cannot rescue the sigmoid.
"""

DEPTH_RANGE = (2, 30)
WIDTH_RANGE = (4, 128)
STEPS_RANGE = (0, 100)
LEARNING_RATE_RANGE = (1e-4, 2.0)
INITIALIZERS = ("glorot_uniform", "he_normal")
ACTIVATIONS = ("sigmoid", "relu")
DISPLAY_NAMES = {"sigmoid": "sigmoid", "relu": "ReLU"}
SAMPLES = 256
FEATURES = 16


@dataclass(frozen=True, eq=False)
class VanishingGradientResult:
    depth: int
    width: int
    steps: int
    seed: int
    learning_rate: float
    initializer: str
    # 1..depth are the hidden Dense layers (input side first); depth + 1 is the output layer.
    layer_index: np.ndarray
    # Norm of d(loss)/d(kernel) for every Dense layer, shape (depth + 1,).
    sigmoid_norms_init: np.ndarray
    sigmoid_norms_trained: np.ndarray
    relu_norms_init: np.ndarray
    relu_norms_trained: np.ndarray
    # How far each kernel moved in training, relative to its start: |W_after - W_0| / |W_0|.
    sigmoid_weight_change: np.ndarray
    relu_weight_change: np.ndarray
    # Full-batch loss before each step and after the last, shape (steps + 1,) unless diverged.
    sigmoid_loss: np.ndarray
    relu_loss: np.ndarray
    # Mean activation derivative over the batch in each hidden layer at initialisation, (depth,).
    sigmoid_mean_derivative: np.ndarray
    relu_mean_derivative: np.ndarray
    # max over x of sigmoid'(x), found numerically, and (that maximum) ** depth.
    sigmoid_derivative_max: float
    derivative_bound: float
    # Empty, or says that a network diverged (its training stopped early).
    notice: str

    @property
    def sigmoid_ratio_init(self) -> float:
        """First hidden layer's gradient norm over the output layer's, at initialisation."""
        return float(self.sigmoid_norms_init[0] / self.sigmoid_norms_init[-1])

    @property
    def relu_ratio_init(self) -> float:
        return float(self.relu_norms_init[0] / self.relu_norms_init[-1])

    @property
    def sigmoid_ratio_trained(self) -> float:
        return float(self.sigmoid_norms_trained[0] / self.sigmoid_norms_trained[-1])

    @property
    def relu_ratio_trained(self) -> float:
        return float(self.relu_norms_trained[0] / self.relu_norms_trained[-1])


def sigmoid_derivative(x: np.ndarray) -> np.ndarray:
    """sigma'(x) = sigma(x) (1 - sigma(x)); its largest value is 1/4, at x = 0."""
    s = 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))
    return s * (1.0 - s)


def relu_derivative(x: np.ndarray) -> np.ndarray:
    """1 where x > 0, else 0 (the value at exactly 0 is a convention; TensorFlow uses 0)."""
    return (np.asarray(x) > 0).astype(np.float64)


def sigmoid_derivative_maximum() -> float:
    """The maximum of sigma' over a fine grid on [-10, 10] that includes 0: numerically 0.25."""
    grid = np.linspace(-10.0, 10.0, 20_001)
    return float(sigmoid_derivative(grid).max())


def make_batch(seed: int, samples: int = SAMPLES, features: int = FEATURES):
    """Standard-normal points labelled by which side of a random hyperplane they fall on."""
    rng = np.random.default_rng(seed)
    inputs = rng.standard_normal((samples, features))
    normal = rng.standard_normal(features)
    labels = (inputs @ normal > 0).astype(np.float64)[:, None]
    return inputs, labels


def build_mlp(depth: int, width: int, activation: str, seed: int, initializer: str):
    """``depth`` hidden Dense layers of ``width`` units, then one logit; kernels seeded per layer.

    The same (depth, width, seed, initializer) gives the same kernels whatever the activation.
    """
    kind = {
        "glorot_uniform": keras.initializers.GlorotUniform,
        "he_normal": keras.initializers.HeNormal,
    }[initializer]

    def kernel_initializer(layer: int):
        return kind(seed=seed * 1000 + layer)

    # float64: in a deep sigmoid stack the first-layer gradient's entries reach 1e-21, whose
    # squares underflow float32, so its norm would read as exactly 0 instead of how small it is.
    layers = [keras.Input((FEATURES,), dtype="float64")]
    for layer in range(depth):
        layers.append(
            keras.layers.Dense(
                width,
                activation=activation,
                kernel_initializer=kernel_initializer(layer),
                dtype="float64",
            )
        )
    layers.append(
        keras.layers.Dense(1, kernel_initializer=kernel_initializer(depth), dtype="float64")
    )
    return keras.Sequential(layers)


def mean_derivatives(model, inputs: np.ndarray, activation: str) -> np.ndarray:
    """Batch mean of the activation's derivative at each hidden layer's pre-activations."""
    derivative = sigmoid_derivative if activation == "sigmoid" else relu_derivative
    hidden = np.asarray(inputs, dtype=np.float64)
    means = []
    for layer in model.layers[:-1]:
        kernel, bias = layer.get_weights()
        pre_activation = hidden @ kernel + bias
        means.append(float(derivative(pre_activation).mean()))
        hidden = (
            1.0 / (1.0 + np.exp(-pre_activation))
            if activation == "sigmoid"
            else np.maximum(pre_activation, 0.0)
        )
    return np.array(means)


@dataclass(frozen=True, eq=False)
class Training:
    """What ``train_and_measure`` found for one network."""

    norms_init: np.ndarray  # |d loss / d kernel| per Dense layer before training, (layers,)
    norms_trained: np.ndarray  # the same after the last step
    weight_change: np.ndarray  # |kernel after - kernel before| / |kernel before|, (layers,)
    loss: np.ndarray  # full-batch loss before each step and after the last, (steps done + 1,)
    diverged_at: int | None  # the step whose update made the loss non-finite (it was undone)


def gradient_step(depth: int, activation: str):
    """One full-batch gradient-descent step as a TensorFlow graph, built once per (depth,
    activation) and reused for every width, seed and learning rate.

    ``step(weights, inputs, labels, learning_rate)`` takes the weights as a flat list (kernel,
    bias, kernel, bias, ...; the last pair is the output layer) and returns the loss at those
    weights, the norm of the gradient for every kernel, and the weights after one update. The
    forward pass is the Dense layers' own arithmetic (kernel product plus bias, then the
    activation), written out so that tf.GradientTape sees nothing but it; run eagerly, the same
    steps cost about ten times more in Python overhead than the arithmetic itself.
    """
    return _GRADIENT_STEPS.get((depth, activation))


def _build_gradient_step(shape: tuple[int, str]):
    depth, activation = shape
    activate = {"sigmoid": tf.sigmoid, "relu": tf.nn.relu}[activation]
    matrix, vector = tf.TensorSpec([None, None], tf.float64), tf.TensorSpec([None], tf.float64)

    @tf.function(
        input_signature=[
            [matrix, vector] * (depth + 1),
            matrix,
            matrix,
            tf.TensorSpec([], tf.float64),
        ]
    )
    def step(weights, inputs, labels, learning_rate):
        with tf.GradientTape() as tape:
            tape.watch(weights)
            hidden = inputs
            for kernel, bias in zip(weights[0:-2:2], weights[1:-2:2], strict=True):
                hidden = activate(hidden @ kernel + bias)
            logits = hidden @ weights[-2] + weights[-1]
            loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels, logits))
        gradients = tape.gradient(loss, weights)
        kernel_norms = tf.stack([tf.norm(gradient) for gradient in gradients[::2]])
        # Plain gradient descent: the update is exactly learning rate x gradient, so a vanished
        # gradient means a frozen layer (momentum or Adam would rescale it).
        updated = [w - learning_rate * g for w, g in zip(weights, gradients, strict=True)]
        return loss, kernel_norms, updated

    return step


# Compiled once per (depth, activation) for the whole process, whichever request asks first.
_GRADIENT_STEPS = LazyByKey(_build_gradient_step)


def train_and_measure(
    model,
    activation: str,
    inputs: np.ndarray,
    labels: np.ndarray,
    steps: int,
    learning_rate: float,
) -> Training:
    """Full-batch gradient descent on ``model``'s weights (gradients from tf.GradientTape): the
    kernel gradient norms before and after, how far each kernel moved, the loss at every step.

    A step whose update makes the loss non-finite is undone and training stops there.
    """
    step = gradient_step(len(model.layers) - 1, activation)
    inputs, labels = tf.constant(inputs), tf.constant(labels)
    rate = tf.constant(learning_rate, tf.float64)
    start = [tf.constant(weight) for weight in model.get_weights()]

    loss, norms_init, updated = step(start, inputs, labels, rate)
    weights, norms, losses, diverged_at = start, norms_init, [float(loss)], None
    for number in range(1, steps + 1):
        loss, new_norms, next_update = step(updated, inputs, labels, rate)
        if not math.isfinite(float(loss)):
            diverged_at = number
            break
        weights, norms, updated = updated, new_norms, next_update
        losses.append(float(loss))
    weight_change = [
        float(tf.norm(after - before) / tf.norm(before))
        for before, after in zip(start[::2], weights[::2], strict=True)
    ]
    return Training(
        norms_init=norms_init.numpy(),
        norms_trained=norms.numpy(),
        weight_change=np.array(weight_change),
        loss=np.array(losses),
        diverged_at=diverged_at,
    )


def compute(
    depth: int = 10,
    width: int = 32,
    steps: int = 20,
    seed: int = 0,
    learning_rate: float = 0.5,
    initializer: str = "glorot_uniform",
) -> VanishingGradientResult:
    """Train a sigmoid and a ReLU network from the same weights; measure per-layer gradients."""
    depth = check_whole_number(depth, "Depth", *DEPTH_RANGE)
    width = check_whole_number(width, "Width", *WIDTH_RANGE)
    steps = check_whole_number(steps, "The number of training steps", *STEPS_RANGE)
    seed = check_seed(seed)
    learning_rate = check_number(learning_rate, "The learning rate", *LEARNING_RATE_RANGE)
    if isinstance(initializer, str):
        initializer = initializer.strip().lower()
    if initializer not in INITIALIZERS:
        raise InputError(f"The initialiser must be one of: {', '.join(INITIALIZERS)}.")

    inputs, labels = make_batch(seed)
    trainings, derivatives, notices = {}, {}, []
    for activation in ACTIVATIONS:
        model = build_mlp(depth, width, activation, seed, initializer)
        derivatives[activation] = mean_derivatives(model, inputs, activation)
        trainings[activation] = training = train_and_measure(
            model, activation, inputs, labels, steps, learning_rate
        )
        if training.diverged_at is not None:
            notices.append(
                f"The {DISPLAY_NAMES[activation]} network diverged at step "
                f"{training.diverged_at} (its loss became infinite), so it stopped one step "
                "earlier; try a smaller learning rate."
            )
    derivative_max = sigmoid_derivative_maximum()
    sigmoid, relu = trainings["sigmoid"], trainings["relu"]
    return VanishingGradientResult(
        depth=depth,
        width=width,
        steps=steps,
        seed=seed,
        learning_rate=learning_rate,
        initializer=initializer,
        layer_index=np.arange(1, depth + 2),
        sigmoid_norms_init=sigmoid.norms_init,
        sigmoid_norms_trained=sigmoid.norms_trained,
        relu_norms_init=relu.norms_init,
        relu_norms_trained=relu.norms_trained,
        sigmoid_weight_change=sigmoid.weight_change,
        relu_weight_change=relu.weight_change,
        sigmoid_loss=sigmoid.loss,
        relu_loss=relu.loss,
        sigmoid_mean_derivative=derivatives["sigmoid"],
        relu_mean_derivative=derivatives["relu"],
        sigmoid_derivative_max=derivative_max,
        derivative_bound=derivative_max**depth,
        notice=" ".join(notices),
    )


def _loss_text(loss: float) -> str:
    # A diverging network's loss can reach 1e70; keep it readable.
    return f"{loss:.3f}" if abs(loss) < 1000 else f"{loss:.1e}"


def summary(result: VanishingGradientResult) -> str:
    """A markdown table of the slide's bound beside the measured first/output gradient ratios."""
    n = result.depth
    table = (
        f"| {n} hidden layers | sigmoid | ReLU |\n"
        "|---|---|---|\n"
        f"| largest activation derivative | {result.sigmoid_derivative_max:.4f} (= 1/4) | 1 |\n"
        "| mean derivative over the batch, all layers | "
        f"{result.sigmoid_mean_derivative.mean():.3f} | "
        f"{result.relu_mean_derivative.mean():.3f} |\n"
        f"| slide's bound on the derivative factor, (1/4)^{n} | {result.derivative_bound:.1e} | "
        "1 |\n"
        f"| measured gradient norm, first layer / output layer, at start | "
        f"{result.sigmoid_ratio_init:.1e} | {result.relu_ratio_init:.1e} |\n"
        f"| first layer's weights moved in {result.steps} steps (relative) | "
        f"{result.sigmoid_weight_change[0]:.1e} | {result.relu_weight_change[0]:.1e} |\n"
        f"| loss, start → after {result.steps} steps | "
        f"{_loss_text(result.sigmoid_loss[0])} → {_loss_text(result.sigmoid_loss[-1])} | "
        f"{_loss_text(result.relu_loss[0])} → {_loss_text(result.relu_loss[-1])} |"
    )
    return table + (f"\n\n{result.notice}" if result.notice else "")


SIGMOID_COLOUR = "#d62728"
RELU_COLOUR = "#1f77b4"


def _positive(values: np.ndarray) -> np.ndarray:
    # A log axis cannot show 0 (an exact 0 means the value underflowed); leave a gap instead.
    return np.where(values > 0, values, np.nan)


def figure(result: VanishingGradientResult):
    """Activation derivatives; gradient norm per layer and weight change per layer (log scales)."""
    fig = Figure(figsize=(14, 4.8), dpi=100)
    # Fixed margins: an automatic layout engine would cost more than drawing the plot itself.
    derivative_axes, norm_axes, change_axes = fig.subplots(
        1,
        3,
        gridspec_kw={
            "width_ratios": [1, 1.5, 1.2],
            "left": 0.045,
            "right": 0.99,
            "top": 0.93,
            "bottom": 0.24,
            "wspace": 0.22,
        },
    )
    networks = (
        ("sigmoid", SIGMOID_COLOUR, result.sigmoid_norms_init, result.sigmoid_norms_trained,
         result.sigmoid_weight_change, result.sigmoid_loss),
        ("ReLU", RELU_COLOUR, result.relu_norms_init, result.relu_norms_trained,
         result.relu_weight_change, result.relu_loss),
    )  # fmt: skip

    x = np.linspace(-6, 6, 601)
    derivative_axes.plot(x, sigmoid_derivative(x), color=SIGMOID_COLOUR, label="sigmoid′(x)")
    derivative_axes.plot(x, relu_derivative(x), color=RELU_COLOUR, label="ReLU′(x)")
    derivative_axes.axhline(0.25, color=SIGMOID_COLOUR, linestyle=":", linewidth=1)
    derivative_axes.annotate(
        "at most 1/4",
        (0, 0.25),
        xytext=(1.0, 0.4),
        color=SIGMOID_COLOUR,
        arrowprops={"arrowstyle": "->", "color": SIGMOID_COLOUR},
    )
    derivative_axes.text(
        0.03,
        0.80,
        f"through {result.depth} sigmoid layers:\n"
        f"(1/4)^{result.depth} = {result.derivative_bound:.1e}\n"
        f"measured first/output layer:\n"
        f"sigmoid {result.sigmoid_ratio_init:.1e}, ReLU {result.relu_ratio_init:.1e}",
        transform=derivative_axes.transAxes,
        va="top",
        fontsize=8.5,
        bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.8"},
    )
    derivative_axes.set_ylim(-0.05, 1.12)
    derivative_axes.set_xlabel("pre-activation x")
    derivative_axes.set_ylabel("derivative")
    derivative_axes.set_title("Each layer multiplies the gradient by")
    derivative_axes.legend(loc="upper left", fontsize=9)

    layers = result.layer_index
    ticks = layers if len(layers) <= 16 else layers[::2]
    for name, colour, init, trained, change, loss in networks:
        norm_axes.plot(
            layers, _positive(init), color=colour, marker="o", markersize=4, label=f"{name}, start"
        )
        norm_axes.plot(
            layers,
            _positive(trained),
            color=colour,
            linestyle="--",
            marker="x",
            markersize=4,
            label=f"{name}, after {len(loss) - 1} steps",
        )
        change_axes.plot(
            layers,
            _positive(change),
            color=colour,
            marker="o",
            markersize=4,
            label=f"{name}: loss {_loss_text(loss[0])} → {_loss_text(loss[-1])}",
        )
    norm_axes.set_yscale("log")
    norm_axes.set_title(f"Gradient reaching each layer ({result.depth} hidden × {result.width})")
    norm_axes.set_ylabel("‖∂ loss / ∂ kernel‖")
    norm_axes.legend(fontsize=8.5, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    change_axes.set_yscale("log")
    change_axes.set_title(f"How much each layer learned in {result.steps} steps")
    change_axes.set_ylabel("‖W after − W start‖ / ‖W start‖")
    change_axes.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    for axes in (norm_axes, change_axes):
        axes.set_xlabel("layer (1 = next to the input, last = output)")
        axes.set_xticks(ticks)
        axes.grid(True, alpha=0.3)
    return fig
