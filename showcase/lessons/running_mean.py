"""Learning as adaptation: the running mean, computed two ways, and what a fixed forgetting does.

The lecture builds the LSTM's cell state from an everyday computation, the mean of a stream. The
mean of N samples, c_N = (1/N) sum x_i, can also be updated one sample at a time:
c_N = a c_{N-1} + (1 - a) x_N with a = (N-1)/N. The two give the same numbers (to rounding).
Freeze a instead, and the same update becomes an exponential moving average: the sample k steps
back weighs (1 - a) a^k, so the memory reaches back about 1/(1 - a) samples and follows a stream
whose level changes, where the true mean of everything seen lags further and further behind.
That fixed-a update is the LSTM cell state c_t = f * c_{t-1} + i * h_t (Hochreiter & Schmidhuber,
"Long Short-Term Memory", Neural Computation 1997; the forget gate f is from Gers, Schmidhuber &
Cummins, "Learning to Forget", 2000) with the gates frozen to f = a and i = 1 - a.

Simplifications: the stream is a noisy step (one level, then another from ``change_at`` on); the
gates are constants rather than the sigmoid networks an LSTM learns; the memory starts empty
(c_0 = 0, as an LSTM's cell state does), so the fixed-a weights sum to 1 - a^N, not 1.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from matplotlib.figure import Figure

from showcase.inputs import check_number, check_seed, check_whole_number

TITLE = "Learning as adaptation"

EXPLANATION = r"""
The plain mean of $N$ samples is $c_N = \frac{1}{N}\sum_{i=1}^{N} x_i$. Split off the newest sample
and it becomes an update rule: $c_N = \alpha\, c_{N-1} + (1-\alpha)\, x_N$ with
$\alpha = \frac{N-1}{N}$. Both ways give the same curve (the grey and dashed lines lie on top of
each other), but the update only needs the previous mean and the new sample, not the whole
history. Now hold $\alpha$ fixed: each step keeps a fraction $\alpha$ of the old memory and mixes
in $1-\alpha$ of the new sample, so a sample $k$ steps back counts $(1-\alpha)\alpha^k$ (the bars
on the right) and the memory reaches back about $\frac{1}{1-\alpha}$ samples. When the stream jumps
to a new level, this forgetting mean moves to it within a few memory lengths, while the mean of
everything ever seen still drags the old level along. That is the LSTM's cell state,
$c_t = f * c_{t-1} + i * h_t$: the forget gate $f$ and the input gate $i$ decide how much to keep
and how much to take in, and an LSTM learns them instead of fixing them.
"""

LEVEL_BEFORE = 1.0  # the stream's level before the change
LEVEL_AFTER = 4.0  # and from sample ``change_at`` on
MAX_SAMPLES = 10_000
MAX_NOISE = 10.0
MAX_FORGETTING = 0.999
# The memory-weights panel shows at most this many of the latest samples.
MAX_WEIGHTS_SHOWN = 100
# "Caught up" means within this fraction of the jump from the new level.
CATCH_UP_FRACTION = 0.1


@dataclasses.dataclass(frozen=True)
class RunningMeanResult:
    forgetting: float  # the fixed a of the forgetting mean
    change_at: int  # index (0-based) of the first sample at the new level
    noise: float  # standard deviation of the noise around the level
    stream: np.ndarray  # x_1..x_N, shape (N,)
    levels: np.ndarray  # the stream's true level at each sample, shape (N,)
    exact_mean: np.ndarray  # c_N = (1/N) sum_{i<=N} x_i for every N
    recursive_mean: np.ndarray  # c_N = a c_{N-1} + (1 - a) x_N with a = (N-1)/N
    forgetting_mean: np.ndarray  # the same update with a fixed, from c_0 = 0
    max_difference: float  # max |exact_mean - recursive_mean|
    memory_weights: np.ndarray  # weight of each x_i in forgetting_mean[-1], oldest first
    effective_memory: float  # 1 / (1 - a) samples
    exact_catch_up: int | None  # samples after the jump until within 10 % of it; None: never
    forgetting_catch_up: int | None

    @property
    def samples(self) -> int:
        return len(self.stream)


def exact_mean(stream) -> np.ndarray:
    """c_N = (1/N) sum_{i=1}^{N} x_i for N = 1..len(stream): the mean of everything seen so far."""
    stream = np.asarray(stream, dtype=np.float64)
    return np.cumsum(stream) / np.arange(1, len(stream) + 1)


def recursive_mean(stream) -> np.ndarray:
    """The same mean, updated one sample at a time: c_N = a c_{N-1} + (1 - a) x_N, a = (N-1)/N."""
    means = []
    memory = 0.0
    for count, sample in enumerate(np.asarray(stream, dtype=np.float64).tolist(), start=1):
        keep = (count - 1) / count
        memory = keep * memory + (1.0 - keep) * sample
        means.append(memory)
    return np.array(means)


def forgetting_mean(stream, forgetting: float, start: float = 0.0) -> np.ndarray:
    """The update with a fixed a (an exponential moving average): c_N = a c_{N-1} + (1 - a) x_N.

    ``start`` is c_0, the empty memory; an LSTM's cell state also starts at 0.
    """
    means = []
    memory = float(start)
    for sample in np.asarray(stream, dtype=np.float64).tolist():
        memory = forgetting * memory + (1.0 - forgetting) * sample
        means.append(memory)
    return np.array(means)


def memory_weights(forgetting: float, samples: int) -> np.ndarray:
    """Weight of each sample in the fixed-a mean after ``samples`` steps, oldest first.

    The sample k steps back weighs (1 - a) a^k; together they sum to 1 - a^N (the rest, a^N,
    still sits on the starting value c_0).
    """
    steps_back = np.arange(samples - 1, -1, -1)
    return (1.0 - forgetting) * forgetting**steps_back


def effective_memory(forgetting: float) -> float:
    """About how many recent samples the fixed-a mean remembers: 1 / (1 - a), mean age + 1."""
    return 1.0 / (1.0 - forgetting)


def make_stream(samples: int, change_at: int, noise: float, seed: int) -> tuple:
    """(stream, levels): a noisy step, the same first samples whatever ``samples`` is.

    Drawing the noise in one go from a seeded generator keeps every prefix fixed, so a UI that
    calls ``compute`` with growing ``samples`` sees the stream grow rather than change.
    """
    rng = np.random.default_rng(seed)
    levels = np.where(np.arange(samples) < change_at, LEVEL_BEFORE, LEVEL_AFTER)
    return levels + noise * rng.standard_normal(samples), levels


def catch_up_samples(means: np.ndarray, change_at: int) -> int | None:
    """Samples after the jump until ``means`` is first within 10 % of the jump of the new level."""
    if change_at >= len(means):
        return None
    tolerance = CATCH_UP_FRACTION * abs(LEVEL_AFTER - LEVEL_BEFORE)
    close = np.flatnonzero(np.abs(means[change_at:] - LEVEL_AFTER) <= tolerance)
    return int(close[0]) + 1 if len(close) else None


def compute(
    forgetting: float = 0.9,
    samples: int = 200,
    change_at: int = 100,
    noise: float = 1.0,
    seed: int = 0,
) -> RunningMeanResult:
    """The stream, its exact mean two ways, and the fixed-a (forgetting) mean.

    forgetting: the fixed a, 0 to 0.999 (0 remembers only the newest sample).
    samples: how many samples the stream has so far, 1 to 10,000.
    change_at: the sample (0-based) where the level jumps from 1 to 4; past the end: no jump.
    noise: standard deviation of the noise around the level, 0 to 10.
    """
    forgetting = check_number(forgetting, "The forgetting factor a", 0.0, MAX_FORGETTING)
    samples = check_whole_number(samples, "The number of samples", 1, MAX_SAMPLES)
    change_at = check_whole_number(change_at, "The change point", 0, MAX_SAMPLES)
    noise = check_number(noise, "The noise", 0.0, MAX_NOISE)
    seed = check_seed(seed)

    stream, levels = make_stream(samples, change_at, noise, seed)
    exact = exact_mean(stream)
    recursive = recursive_mean(stream)
    forgetting_means = forgetting_mean(stream, forgetting)
    return RunningMeanResult(
        forgetting=forgetting,
        change_at=change_at,
        noise=noise,
        stream=stream,
        levels=levels,
        exact_mean=exact,
        recursive_mean=recursive,
        forgetting_mean=forgetting_means,
        max_difference=float(np.max(np.abs(exact - recursive))),
        memory_weights=memory_weights(forgetting, samples),
        effective_memory=effective_memory(forgetting),
        exact_catch_up=catch_up_samples(exact, change_at),
        forgetting_catch_up=catch_up_samples(forgetting_means, change_at),
    )


def _weights_shown(result: RunningMeanResult) -> int:
    # Enough bars to see the decay (about four memory lengths), few enough to read.
    wanted = max(10, math.ceil(4 * result.effective_memory))
    return min(result.samples, wanted, MAX_WEIGHTS_SHOWN)


def figure(result: RunningMeanResult):
    """The stream as dots with the three means over it, and the fixed-a memory's weights."""
    fig = Figure(figsize=(12, 4.6), dpi=100)
    grid = fig.add_gridspec(1, 2, width_ratios=(3, 1.15))
    stream_axes = fig.add_subplot(grid[0])
    weights_axes = fig.add_subplot(grid[1])

    steps = np.arange(1, result.samples + 1)
    a = result.forgetting
    # Thousands of dots still draw fast as a marker-only line (one path, not one artist each).
    dot_size = 4 if result.samples <= 500 else 2
    stream_axes.plot(
        steps, result.stream, ".", color="0.55", markersize=dot_size, label="samples $x_N$"
    )
    stream_axes.step(
        steps,
        result.levels,
        where="mid",
        color="0.2",
        linestyle=":",
        linewidth=1,
        label="true level",
    )
    stream_axes.plot(
        steps,
        result.exact_mean,
        color="tab:blue",
        linewidth=4,
        alpha=0.45,
        label=r"exact mean $\frac{1}{N}\sum x_i$",
    )
    stream_axes.plot(
        steps,
        result.recursive_mean,
        color="navy",
        linewidth=1.3,
        linestyle="--",
        label=r"recursive, $\alpha=\frac{N-1}{N}$",
    )
    stream_axes.plot(
        steps,
        result.forgetting_mean,
        color="tab:orange",
        linewidth=2,
        label=rf"fixed $\alpha={a:.3g}$ (forgetting)",
    )
    if result.change_at < result.samples:
        stream_axes.axvline(result.change_at + 0.5, color="tab:red", linewidth=1, alpha=0.6)
        stream_axes.annotate(
            "level jumps",
            (result.change_at + 0.5, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(4, -14),
            textcoords="offset points",
            color="tab:red",
            fontsize=9,
        )
    # Fixed-ish limits, so a stream that grows sample by sample does not make the axes jump.
    noise_reach = 2.5 * result.noise
    low = min(0.0, LEVEL_BEFORE - noise_reach, float(result.stream.min()))
    high = max(LEVEL_AFTER + noise_reach, float(result.stream.max()))
    stream_axes.set_xlim(0.5, max(result.samples, 10) + 0.5)
    stream_axes.set_ylim(low - 0.4, high + 0.6)
    stream_axes.set_xlabel("sample $N$")
    stream_axes.set_ylabel("value")
    stream_axes.set_title(
        f"Exact vs recursive mean: max difference {result.max_difference:.1e}", fontsize=11
    )
    stream_axes.legend(loc="lower right", fontsize=8.5, framealpha=0.9)
    stream_axes.grid(alpha=0.25)

    shown = _weights_shown(result)
    steps_back = np.arange(shown)
    weights = result.memory_weights[::-1][:shown]
    markers, stems, _ = weights_axes.stem(steps_back, weights, basefmt=" ")
    markers.set(color="tab:orange", markersize=3)
    stems.set(color="tab:orange", linewidth=1.2)
    if result.effective_memory <= shown:
        weights_axes.axvline(result.effective_memory, color="0.3", linestyle="--", linewidth=1)
    weights_axes.text(
        0.97,
        0.95,
        rf"memory $\approx \frac{{1}}{{1-\alpha}}$ = {_memory_text(result.effective_memory)}",
        transform=weights_axes.transAxes,
        ha="right",
        va="top",
        fontsize=9,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8},
    )
    weights_axes.set_xlabel("samples ago $k$")
    weights_axes.set_ylabel(r"weight $(1-\alpha)\,\alpha^k$")
    weights_axes.set_title(
        f"Memory weights: {result.memory_weights.sum():.3f} in all\n"
        f"on the last {result.samples:,} samples",
        fontsize=10,
    )
    weights_axes.set_xlim(-0.8, max(shown, 10) - 0.2)
    weights_axes.set_ylim(0, max(float(weights.max()), 1e-3) * 1.3)
    weights_axes.grid(alpha=0.25)
    # Fixed margins instead of tight_layout: measuring every label costs more than the plot.
    fig.subplots_adjust(left=0.055, right=0.985, bottom=0.11, top=0.88, wspace=0.22)
    return fig


def _memory_text(samples: float) -> str:
    return f"{samples:,.0f} samples" if samples >= 10 else f"{samples:.3g} samples"


def _catch_up_text(samples_after: int | None) -> str:
    return "not yet" if samples_after is None else f"{samples_after:,} samples"


def summary(result: RunningMeanResult) -> str:
    """The key numbers as a markdown table."""
    rows = [
        ("max difference, exact vs recursive", f"{result.max_difference:.1e}"),
        ("effective memory $1/(1-\\alpha)$", _memory_text(result.effective_memory)),
        ("weight on the stream ($1-\\alpha^N$)", f"{result.memory_weights.sum():.3f}"),
    ]
    if result.change_at < result.samples:
        rows.append(
            ("exact mean within 10 % of the new level", _catch_up_text(result.exact_catch_up))
        )
        rows.append(
            (
                "fixed-α mean within 10 % of the new level",
                _catch_up_text(result.forgetting_catch_up),
            )
        )
    lines = ["| | |", "|---|---|"] + [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(lines)
