"""RNN vs LSTM memory: who can still recall the first note after many more have gone by?

A delayed-recall task, trained live. Each sequence is a stream of random symbols (A, B, C, ...);
one of them carries a "remember this" mark, then ``lag`` more random symbols go by, then a cue asks
which symbol was marked. A plain recurrent network (``keras.layers.SimpleRNN``) and an LSTM
(``keras.layers.LSTM``, Hochreiter & Schmidhuber 1997, "Long Short-Term Memory"; the forget gate is
from Gers, Schmidhuber & Cummins 2000) of the same width are trained on the same sequences, with
lags drawn from 1 to ``max_lag``, so one training per cell gives its accuracy at every lag. The
task is a small version of the 1997 paper's long-time-lag experiments; it is the lecture's "sing
the song from the middle": the plain RNN's memory is overwritten by every new input, while the
LSTM learns to open its input gate for the marked symbol only and to keep its cell state.

The LSTM's gates are then recomputed step by step in numpy from the trained layer's weights
(Keras computes them inside the layer and does not return them) and drawn over time.

Simplifications: tiny networks (16 units by default) trained for a few hundred Adam steps, so that
both train in well under a second; the lags are drawn more often short than long (half uniformly,
half in proportion to 1/lag), a gentle curriculum that gives both cells an easy start. What the
plot shows is how far each network learns to remember on the same small budget: measured with
ten times the training (3,000 steps), the 16-unit RNN does reach ~90% up to delays of ~24 while
still failing at 28-30; the LSTM gets there in 300 steps because its additive cell state lets the
training signal reach back across the whole delay.
"""

from __future__ import annotations

import dataclasses
import math
import time

import keras
import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

from showcase.inputs import check_seed, check_whole_number
from showcase.lazy import LazyByKey

TITLE = "RNN vs LSTM memory"

EXPLANATION = r"""
Sing a well-known song from its middle and you stumble: a memory that is rewritten at every step
keeps the recent past and loses the rest. Here a plain RNN, $h_t = g(W_{hh}h_{t-1} + W_{xh}x_t)$,
and an LSTM of the same size learn the same game: remember the symbol that was **marked**, while
more symbols keep arriving, and name it when the cue comes. The lecture built the LSTM from a
running average, $c_N = \alpha c_{N-1} + (1-\alpha)x_N$: its cell state is a mix
$c_t = f * c_{t-1} + i * g(\cdot)$ in which small networks decide how much to forget ($f$) and how
much to take in ($i$), and an output gate $o$ decides what to read out, $h_t = o * g(c_t)$. In the
heatmaps you can watch the trained LSTM do exactly that: the input gate opens at the marked
symbol, the forget gate stays near 1 so the cell state holds it across the whole delay, and the
answer is read at the cue. With the same short training the plain RNN manages short delays but
falls to chance at long ones. Because $c_t$ is a sum rather than a squashing of $c_{t-1}$, the
training signal reaches far back in time, which is how the LSTM eases the vanishing gradient.
"""

SYMBOLS = 4
SYMBOL_NAMES = "ABCDEFGH"[:SYMBOLS]
FEATURES = SYMBOLS + 2  # one-hot symbol, the "remember this" mark, the cue
MARK, CUE = SYMBOLS, SYMBOLS + 1

MIN_LAG, MAX_LAG = 5, 60
MIN_UNITS, MAX_UNITS = 4, 64
MIN_STEPS, MAX_STEPS = 50, 2000
MAX_LAG_RANGE = (MIN_LAG, MAX_LAG)  # for sliders
UNITS_RANGE = (MIN_UNITS, MAX_UNITS)
STEPS_RANGE = (MIN_STEPS, MAX_STEPS)
LENGTH_STEP = 10  # sequence lengths are rounded up to this, so a few compiled shapes cover 1..60
BATCH = 32
LEARNING_RATE = 1e-2
CLIP_NORM = 1.0
POOL = 4096  # training sequences; each step draws a batch from them
EVALUATED_LAGS = 16
SAMPLES_PER_LAG = 128


@dataclasses.dataclass(frozen=True)
class MemoryResult:
    max_lag: int
    units: int
    steps: int
    seed: int
    lags: np.ndarray  # (L,) the evaluated delays, 1..max_lag
    rnn_accuracy: np.ndarray  # (L,) recall accuracy at each delay, on fresh sequences
    lstm_accuracy: np.ndarray  # (L,)
    chance: float  # 1 / SYMBOLS
    samples_per_lag: int
    rnn_loss: np.ndarray  # (steps,) training cross-entropy
    lstm_loss: np.ndarray  # (steps,)
    # One test sequence, and the trained LSTM's inner workings on it.
    example_inputs: np.ndarray  # (T, FEATURES) one-hot symbols, mark and cue
    example_lag: int  # its delay: two thirds of max_lag, so the steps before the mark show too
    example_symbol: int  # the marked symbol, the right answer
    symbol_time: int  # the step at which the marked symbol arrives
    cue_time: int  # the last step, T - 1
    rnn_answer: int
    lstm_answer: int
    input_gate: np.ndarray  # (T, units) i_t
    forget_gate: np.ndarray  # (T, units) f_t
    output_gate: np.ndarray  # (T, units) o_t
    cell_state: np.ndarray  # (T, units) c_t
    hidden_state: np.ndarray  # (T, units) h_t
    gate_check_error: float  # max |h_t(numpy) - h_t(Keras)| over the example
    training_seconds: float  # wall time of the training loop (both networks)
    compiled: bool  # whether that included compiling it (the first run of a width and length)


# ---------------------------------------------------------------------------------------------
# The task.


def sequence_length(max_lag: int) -> int:
    """Steps in a sequence: the marked symbol, up to ``max_lag`` more, the cue; rounded up."""
    return LENGTH_STEP * math.ceil(max_lag / LENGTH_STEP) + 2


def make_sequences(lags, rng: np.random.Generator, length: int) -> tuple[np.ndarray, np.ndarray]:
    """(inputs (n, length, FEATURES) float32, answers (n,) int32) for the given delays.

    Every step but the last carries a random symbol; the one ``lag + 1`` steps before the cue
    also carries the mark; the last step is the cue alone."""
    lags = np.asarray(lags, dtype=np.int64)
    count = len(lags)
    stream = rng.integers(0, SYMBOLS, (count, length))
    inputs = np.eye(FEATURES, dtype=np.float32)[stream]
    marked = length - 2 - lags
    inputs[np.arange(count), marked, MARK] = 1.0
    inputs[:, -1] = 0.0
    inputs[:, -1, CUE] = 1.0
    return inputs, stream[np.arange(count), marked].astype(np.int32)


def training_lags(max_lag: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """Half drawn uniformly from 1..max_lag, half in proportion to 1/lag: short delays teach the
    trick, long ones test it."""
    lags = np.arange(1, max_lag + 1)
    harmonic = 1.0 / lags
    chances = 0.5 / max_lag + 0.5 * harmonic / harmonic.sum()
    return rng.choice(lags, size=count, p=chances)


def evaluated_lags(max_lag: int) -> np.ndarray:
    return np.unique(np.linspace(1, max_lag, min(max_lag, EVALUATED_LAGS)).round().astype(int))


# ---------------------------------------------------------------------------------------------
# The LSTM's gates, recomputed.


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm_gates(inputs, kernel, recurrent_kernel, bias) -> dict[str, np.ndarray]:
    """Run a Keras LSTM's equations in numpy (float64) over ``inputs`` (T, features), from zero
    state. Keras packs the four blocks of its weight matrices in the order i, f, c, o:

        i_t = sigmoid(W_xi x_t + W_hi h_{t-1} + b_i)      input gate
        f_t = sigmoid(W_xf x_t + W_hf h_{t-1} + b_f)      forget gate
        g_t = tanh(W_xc x_t + W_hc h_{t-1} + b_c)         candidate memory
        o_t = sigmoid(W_xo x_t + W_ho h_{t-1} + b_o)      output gate
        c_t = f_t * c_{t-1} + i_t * g_t,   h_t = o_t * tanh(c_t)

    Returns (T, units) arrays: input_gate, forget_gate, candidate, output_gate, cell_state,
    hidden_state."""
    inputs, kernel = np.asarray(inputs, np.float64), np.asarray(kernel, np.float64)
    recurrent_kernel = np.asarray(recurrent_kernel, np.float64)
    bias = np.asarray(bias, np.float64)
    units = recurrent_kernel.shape[0]
    hidden, cell = np.zeros(units), np.zeros(units)
    names = ("input_gate", "forget_gate", "candidate", "output_gate", "cell_state", "hidden_state")
    trace = {name: np.zeros((len(inputs), units)) for name in names}
    for step, x in enumerate(inputs):
        z = x @ kernel + hidden @ recurrent_kernel + bias
        i, f, g, o = (z[k * units : (k + 1) * units] for k in range(4))
        i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
        cell = f * cell + i * g
        hidden = o * np.tanh(cell)
        for name, value in zip(names, (i, f, g, o, cell, hidden), strict=True):
            trace[name][step] = value
    return trace


# ---------------------------------------------------------------------------------------------
# Training: one XLA-compiled loop trains both networks, as pure functions of their weights (so
# calls from several UI threads share the compiled code but no state).


def _build_networks(units: int, seed: int):
    """(rnn cell, rnn head), (lstm cell, lstm head): fresh Keras layers with seeded initialisers
    (Keras' defaults otherwise: Glorot kernels, orthogonal recurrent kernels, forget bias 1)."""

    def glorot(offset):
        return keras.initializers.GlorotUniform(seed=seed * 8 + offset)

    def orthogonal(offset):
        return keras.initializers.Orthogonal(seed=seed * 8 + offset)

    rnn = keras.layers.SimpleRNN(
        units,
        return_sequences=True,
        kernel_initializer=glorot(0),
        recurrent_initializer=orthogonal(1),
        name="rnn",
    )
    lstm = keras.layers.LSTM(
        units,
        return_sequences=True,
        kernel_initializer=glorot(2),
        recurrent_initializer=orthogonal(3),
        name="lstm",
    )
    heads = [
        keras.layers.Dense(SYMBOLS, kernel_initializer=glorot(4 + k), name=f"{name}_answer")
        for k, name in enumerate(("rnn", "lstm"))
    ]
    for cell in (rnn, lstm):
        cell.build((None, None, FEATURES))
    for head in heads:
        head.build((None, units))
    return (rnn, heads[0]), (lstm, heads[1])


def _weights_of(networks) -> list[np.ndarray]:
    return [
        np.asarray(variable)
        for network in networks
        for layer in network
        for variable in layer.trainable_variables
    ]


class _Trainer:
    """The compiled training loop and evaluation for one width and sequence length."""

    def __init__(self, units: int, length: int):

        self.networks = _build_networks(units, seed=0)  # templates: their structure, not weights
        self.sizes = [sum(len(layer.trainable_variables) for layer in net) for net in self.networks]
        self.length = length
        self.train = tf.function(self._train, jit_compile=True)
        self.compiled = False
        self.evaluate = tf.function(self._evaluate, jit_compile=True)

    def _split(self, weights):
        first = self.sizes[0]
        return weights[:first], weights[first:]

    @staticmethod
    def _outputs(network, weights, inputs):
        cell, head = network
        cell_count = len(cell.trainable_variables)
        sequence, _ = cell.stateless_call(
            weights[:cell_count], [v.value for v in cell.non_trainable_variables], inputs
        )
        logits, _ = head.stateless_call(
            weights[cell_count:], [v.value for v in head.non_trainable_variables], sequence[:, -1]
        )
        return logits, sequence

    def _losses(self, weights, inputs, answers):

        losses = []
        for network, own in zip(self.networks, self._split(weights), strict=True):
            logits, _ = self._outputs(network, own, inputs)
            losses.append(
                tf.reduce_mean(
                    tf.nn.sparse_softmax_cross_entropy_with_logits(labels=answers, logits=logits)
                )
            )
        return losses

    def _train(self, weights, pool_inputs, pool_answers, steps, seed):

        beta1, beta2, epsilon = 0.9, 0.999, 1e-7

        def step_once(step, weights, first_moments, second_moments, history):
            picks = tf.random.stateless_uniform(
                [BATCH], tf.stack([seed, step]), 0, tf.shape(pool_inputs)[0], tf.int32
            )
            inputs, answers = tf.gather(pool_inputs, picks), tf.gather(pool_answers, picks)
            with tf.GradientTape() as tape:
                tape.watch(weights)
                losses = self._losses(weights, inputs, answers)
                total = tf.add_n(losses)
            gradients = tape.gradient(total, weights)
            # Clipped per network, so an exploding RNN gradient cannot shrink the LSTM's steps.
            rnn_part, lstm_part = self._split(gradients)
            gradients = [
                *tf.clip_by_global_norm(rnn_part, CLIP_NORM)[0],
                *tf.clip_by_global_norm(lstm_part, CLIP_NORM)[0],
            ]
            count = tf.cast(step + 1, tf.float32)
            new_weights, new_first, new_second = [], [], []
            for weight, gradient, first, second in zip(
                weights, gradients, first_moments, second_moments, strict=True
            ):
                first = beta1 * first + (1 - beta1) * gradient
                second = beta2 * second + (1 - beta2) * gradient * gradient
                update = (first / (1 - beta1**count)) / (
                    tf.sqrt(second / (1 - beta2**count)) + epsilon
                )
                new_weights.append(weight - LEARNING_RATE * update)
                new_first.append(first)
                new_second.append(second)
            history = history.write(step, tf.stack(losses))
            return step + 1, new_weights, new_first, new_second, history

        zeros = [tf.zeros_like(weight) for weight in weights]
        history = tf.TensorArray(tf.float32, size=steps)
        _, weights, _, _, history = tf.while_loop(
            lambda step, *_: step < steps,
            step_once,
            (tf.constant(0), list(weights), zeros, list(zeros), history),
        )
        return weights, history.stack()

    def _evaluate(self, weights, inputs):
        rnn_weights, lstm_weights = self._split(weights)
        rnn_logits, _ = self._outputs(self.networks[0], rnn_weights, inputs)
        lstm_logits, lstm_sequence = self._outputs(self.networks[1], lstm_weights, inputs)
        return rnn_logits, lstm_logits, lstm_sequence[0]


_TRAINERS = LazyByKey(lambda shape: _Trainer(*shape))


def _trainer(units: int, length: int) -> _Trainer:
    """The compiled trainer of this width and sequence length, built once per process."""
    return _TRAINERS.get((units, length))


# ---------------------------------------------------------------------------------------------
# The lesson.


def compute(max_lag: int = 30, units: int = 16, steps: int = 300, seed: int = 0) -> MemoryResult:
    """Train a SimpleRNN and an LSTM (``units`` wide, ``steps`` Adam steps of 32 sequences) on
    delays of 1..``max_lag``; measure recall at each delay; trace the LSTM's gates."""

    max_lag = check_whole_number(max_lag, "The longest delay", MIN_LAG, MAX_LAG)
    units = check_whole_number(units, "The number of units", MIN_UNITS, MAX_UNITS)
    steps = check_whole_number(steps, "The number of training steps", MIN_STEPS, MAX_STEPS)
    seed = check_seed(seed)

    length = sequence_length(max_lag)
    trainer = _trainer(units, length)
    rng = np.random.default_rng(seed)
    pool_inputs, pool_answers = make_sequences(training_lags(max_lag, POOL, rng), rng, length)
    initial = _weights_of(_build_networks(units, seed))

    started = time.perf_counter()
    weights, history = trainer.train(
        [tf.constant(weight) for weight in initial],
        tf.constant(pool_inputs),
        tf.constant(pool_answers),
        tf.constant(steps),
        tf.constant(seed % 2**31, tf.int32),
    )
    training_seconds = time.perf_counter() - started
    compiled, trainer.compiled = not trainer.compiled, True

    # Fresh sequences, the example first.
    lags = evaluated_lags(max_lag)
    example_lag = max_lag - max_lag // 3
    test_rng = np.random.default_rng([seed, 1])
    test_lags = np.concatenate([[example_lag], np.repeat(lags, SAMPLES_PER_LAG)])
    test_inputs, test_answers = make_sequences(test_lags, test_rng, length)
    rnn_logits, lstm_logits, keras_hidden = trainer.evaluate(weights, tf.constant(test_inputs))
    rnn_right = np.asarray(rnn_logits).argmax(axis=1) == test_answers
    lstm_right = np.asarray(lstm_logits).argmax(axis=1) == test_answers

    weights = [np.asarray(weight) for weight in weights]
    lstm_cell_weights = weights[trainer.sizes[0] : trainer.sizes[0] + 3]
    trace = lstm_gates(test_inputs[0], *lstm_cell_weights)
    gate_check_error = float(np.abs(trace["hidden_state"] - np.asarray(keras_hidden)).max())
    history = np.asarray(history, dtype=np.float64)
    return MemoryResult(
        max_lag=max_lag,
        units=units,
        steps=steps,
        seed=seed,
        lags=lags,
        rnn_accuracy=rnn_right[1:].reshape(len(lags), SAMPLES_PER_LAG).mean(axis=1),
        lstm_accuracy=lstm_right[1:].reshape(len(lags), SAMPLES_PER_LAG).mean(axis=1),
        chance=1.0 / SYMBOLS,
        samples_per_lag=SAMPLES_PER_LAG,
        rnn_loss=history[:, 0],
        lstm_loss=history[:, 1],
        example_inputs=test_inputs[0],
        example_lag=example_lag,
        example_symbol=int(test_answers[0]),
        symbol_time=length - 2 - example_lag,
        cue_time=length - 1,
        rnn_answer=int(np.asarray(rnn_logits)[0].argmax()),
        lstm_answer=int(np.asarray(lstm_logits)[0].argmax()),
        input_gate=trace["input_gate"],
        forget_gate=trace["forget_gate"],
        output_gate=trace["output_gate"],
        cell_state=trace["cell_state"],
        hidden_state=trace["hidden_state"],
        gate_check_error=gate_check_error,
        training_seconds=training_seconds,
        compiled=compiled,
    )


def long_lag_accuracy(result: MemoryResult) -> tuple[float, float]:
    """(RNN, LSTM) mean accuracy over the longer third of the delays (lag >= 2/3 max_lag)."""
    long = result.lags >= 2 * result.max_lag / 3
    return float(result.rnn_accuracy[long].mean()), float(result.lstm_accuracy[long].mean())


def figure(result: MemoryResult):
    """Left: recall accuracy against delay for both cells, chance marked. Right: the example
    sequence and the trained LSTM's gates and cell state over time, beside their equations."""

    rnn_colour, lstm_colour = "#dd8452", "#4c72b0"
    fig = Figure(figsize=(14, 8.2), dpi=100)
    outer = fig.add_gridspec(1, 2, width_ratios=[1.0, 1.35], wspace=0.18, left=0.06, right=0.9)
    left = outer[0].subgridspec(2, 1, height_ratios=[2.4, 1.0], hspace=0.3)
    right = outer[1].subgridspec(
        5, 2, height_ratios=[0.85, 1, 1, 1, 1], width_ratios=[1, 0.025], hspace=0.6, wspace=0.03
    )

    accuracy = fig.add_subplot(left[0])
    accuracy.plot(result.lags, result.lstm_accuracy, "o-", color=lstm_colour, label="LSTM")
    accuracy.plot(result.lags, result.rnn_accuracy, "s-", color=rnn_colour, label="plain RNN")
    accuracy.axhline(result.chance, color="grey", linestyle="--", label="chance (guessing)")
    accuracy.set_ylim(0, 1.05)
    accuracy.set_xlim(0, result.max_lag + 1)
    accuracy.set_xlabel("delay: symbols between the marked one and the cue")
    accuracy.set_ylabel(f"recall accuracy ({result.samples_per_lag} new sequences per delay)")
    accuracy.set_title(
        f"Who still remembers? {result.units} units each, {result.steps} training steps",
        fontsize=11,
    )
    accuracy.grid(alpha=0.3)
    accuracy.legend(loc="lower left")

    equations = fig.add_subplot(left[1])
    equations.axis("off")
    lines = [
        r"plain RNN:   $h_t = \tanh(W_{hh}h_{t-1} + W_{xh}x_t)$",
        r"LSTM input gate:   $i_t = \sigma(W_{hi}h_{t-1} + W_{xi}x_t)$",
        r"forget gate:   $f_t = \sigma(W_{hf}h_{t-1} + W_{xf}x_t)$",
        r"output gate:   $o_t = \sigma(W_{ho}h_{t-1} + W_{xo}x_t)$",
        r"memory:   $c_t = f_t * c_{t-1} + i_t * \tanh(W_{hc}h_{t-1} + W_{xc}x_t)$",
        r"read out:   $h_t = o_t * \tanh(c_t)$      (each line also adds a bias)",
    ]
    for row, line in enumerate(lines):
        equations.text(
            0.0, 0.95 - 0.18 * row, line, fontsize=10.5, va="top", transform=equations.transAxes
        )

    letters = SYMBOL_NAMES
    marks = ((result.symbol_time, "#2ca02c"), (result.cue_time, "#d62728"))
    stream = fig.add_subplot(right[0, 0])
    stream.imshow(result.example_inputs.T, cmap="Greys", aspect="auto", interpolation="nearest")
    stream.set_yticks(range(FEATURES), [*letters, "mark", "cue"], fontsize=7)
    stream.tick_params(labelbottom=False)
    stream.set_title(
        f"one sequence: remember the marked {letters[result.example_symbol]} for "
        f"{result.example_lag} steps (green: mark, red: cue)\n"
        f"the LSTM answers {letters[result.lstm_answer]}, "
        f"the plain RNN answers {letters[result.rnn_answer]}",
        fontsize=10,
        loc="left",
    )

    # Units ordered by how much they hold just before the cue: the memory cells come first.
    order = np.argsort(-np.abs(result.cell_state[result.cue_time - 1]), kind="stable")
    cell_limit = max(float(np.abs(result.cell_state).max()), 1e-6)
    panels = [
        ("input gate $i_t$: how much new input is written", result.input_gate, "viridis", 0, 1),
        ("forget gate $f_t$: how much memory is kept", result.forget_gate, "viridis", 0, 1),
        ("cell state $c_t$: the memory", result.cell_state, "RdBu_r", -cell_limit, cell_limit),
        ("output gate $o_t$: how much memory is read out", result.output_gate, "viridis", 0, 1),
    ]
    timelines = [stream]
    for row, (title, values, colours, low, high) in enumerate(panels, start=1):
        axes = fig.add_subplot(right[row, 0], sharex=stream)
        timelines.append(axes)
        image = axes.imshow(
            values[:, order].T,
            cmap=colours,
            vmin=low,
            vmax=high,
            aspect="auto",
            interpolation="nearest",
        )
        axes.set_title(title, fontsize=10, loc="left")
        axes.set_ylabel("unit", fontsize=8)
        axes.set_yticks([])
        colour_bar = fig.colorbar(image, cax=fig.add_subplot(right[row, 1]))
        colour_bar.ax.tick_params(labelsize=7)
        if row < len(panels):
            axes.tick_params(labelbottom=False)
    axes.set_xlabel("time step")
    for axes in timelines:
        for when, colour in marks:
            # A frame around the step rather than a line through it, so its values stay visible.
            axes.axvspan(when - 0.5, when + 0.5, facecolor="none", edgecolor=colour, linewidth=1.5)
    fig.suptitle(
        "Delayed recall: which network still knows the marked symbol when the cue comes?",
        fontsize=13,
        y=0.98,
    )
    return fig


def summary(result: MemoryResult) -> str:
    rnn_long, lstm_long = long_lag_accuracy(result)
    shortest = result.lags[0]
    return (
        f"Delays {int(np.ceil(2 * result.max_lag / 3))}-{result.max_lag}: **LSTM "
        f"{lstm_long:.0%}**, plain RNN {rnn_long:.0%} (chance {result.chance:.0%}). Delay "
        f"{shortest}: LSTM {result.lstm_accuracy[0]:.0%}, RNN {result.rnn_accuracy[0]:.0%}. "
        f"Both trained in {result.training_seconds:.2f} s"
        f"{' (including a one-off compile)' if result.compiled else ''}; "
        f"numpy gates match Keras to {result.gate_check_error:.0e}."
    )
