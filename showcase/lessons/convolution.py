"""Convolution: a 3x3 filter slid over a picture finds its edges, and filters compose.

The lesson filters a grayscale picture with a small kernel (the slides' vertical-edge filter,
Sobel, blurs, sharpen or one you type) and checks numerically the two facts the lecture builds
convolutional networks on:

* associativity, $(f*g)*h = f*(g*h)$: filtering twice equals filtering once with the combined
  kernel $g*h$, so two stacked 3x3 filters are one 5x5 filter;
* features at several scales can be had two ways, by growing the filter or by shrinking the image
  (2x2 max pooling) and keeping the 3x3 filter, and a CNN does both.

Convolution versus cross-correlation: a CNN layer (``keras.layers.Conv2D``, ``tf.nn.conv2d``) and
the slide's exercise slide the kernel over the image as it is written and sum the products; that
is cross-correlation, written $f \\star g$ here and computed by ``correlate2d``. True convolution
flips the kernel first (``convolve2d``); only that operation is associative. Stacked
cross-correlation layers compose all the same, because
$(f \\star g) \\star h = f \\star (g * h)$: the combined kernel is the true convolution of the two.

Ideas: LeCun et al. 1989/1998 (convolutional networks, subsampling between convolutions);
Prewitt 1970 and Sobel & Feldman 1968 (3x3 edge operators); the pyramid of Burt & Adelson 1983
(multi-scale by shrinking the image). Simplifications: grayscale only, one filter per layer, fixed
hand-made kernels instead of learned ones, numpy arithmetic instead of a deep-learning layer.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from matplotlib.figure import Figure
from PIL import Image, ImageDraw

from showcase.errors import InputError
from showcase.images import fit_within, open_image

TITLE = "Convolution"

EXPLANATION = r"""
A convolution slides a small grid of weights, the kernel, over the picture and replaces every
pixel by the weighted sum of its neighbourhood. The slide's kernel has $-1$ in its left column and
$+1$ in its right one, so on a flat area the two cancel to 0 and where dark turns to bright from
left to right it gives a large positive number: it finds vertical edges. Convolution is
associative, $(f*g)*h = f*(g*h)$, so filtering with $g$ and then with $h$ is the same as filtering
once with the combined kernel $g*h$, and two stacked 3×3 filters act like one 5×5 filter (the
numbers beside the plot check it to about $10^{-15}$). Strictly, convolution flips the kernel
before sliding it; CNN layers and the pictures here skip the flip (that is called
cross-correlation), and the single filter equal to two stacked layers is still the true
convolution $g*h$. Pictures hold features of many sizes, and the two
bottom rows find them in the two ways the lecture draws: by stretching the filter to 6×6, 12×12
and 24×24, or by halving the picture with 2×2 max pooling and keeping the 3×3 filter, which is
far cheaper. A convolutional network stacks convolutions and pooling and so does both.
"""

KERNELS: dict[str, np.ndarray] = {
    # Prewitt's operator, the slide's example: right column minus left column.
    "slide edge": np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=np.float64),
    "sobel x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64),
    # Bottom row minus top row: positive where the picture gets brighter downwards.
    "sobel y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64),
    "box blur": np.full((3, 3), 1 / 9),
    "gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float64) / 16,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float64),
}
SOBEL_MAGNITUDE = "sobel magnitude"
CUSTOM = "custom"
KERNEL_CHOICES = (*KERNELS, SOBEL_MAGNITUDE, CUSTOM)
MAX_KERNEL_VALUE = 1000.0
MAX_SIDE = 512
MAX_SIDE_RANGE = (32, 1024)
SCALES = (1, 2, 4, 8)
ASSOCIATIVITY_CROP = 48


@dataclass(frozen=True, eq=False)
class ConvolutionResult:
    grayscale: np.ndarray  # H x W, float64 in [0, 1]
    kernel_name: str
    kernel: np.ndarray  # the 3x3 kernel g (Sobel x stands in for "sobel magnitude")
    filtered: np.ndarray  # H x W: the picture cross-correlated with the kernel, as a CNN does
    notice: str  # empty, or says the picture was scaled down
    second_kernel_name: str
    second_kernel: np.ndarray  # h, 3x3
    combined_kernel: np.ndarray  # 5x5: g * h, the true convolution of the two kernels
    associativity_difference: float  # max |(f*g)*h - f*(g*h)|, full mode, on a crop
    stacking_difference: float  # max |two stacked 3x3 layers - one 5x5 layer|, whole picture
    unflipped_difference: float  # the same with the kernels combined without the flip
    scales: tuple[int, ...]  # 1, 2, 4, 8
    filter_sizes: tuple[int, ...]  # 3, 6, 12, 24: the stretched filter at each scale
    growing_filter: tuple[np.ndarray, ...]  # full-size responses to the stretched filters
    pooled_sizes: tuple[tuple[int, int], ...]  # picture size after 0, 1, 2, 3 poolings
    shrinking_image: tuple[np.ndarray, ...]  # the 3x3 filter's response on each pooled picture
    route_agreement: tuple[float, ...]  # correlation of the two routes' responses at each scale


# --- parsing and checking what a person types ------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?(/[+-]?(\d+(\.\d*)?|\.\d+))?$")


def _number(token: str) -> float:
    if not _NUMBER.match(token):
        raise InputError(f"“{token}” is not a number; write a kernel like 1 0 -1; 2 0 -2; 1 0 -1.")
    if "/" in token:
        numerator, denominator = token.split("/")
        if float(denominator) == 0:
            raise InputError(f"“{token}” divides by zero.")
        value = float(Fraction(numerator) / Fraction(denominator))
    else:
        value = float(token)
    if not math.isfinite(value) or abs(value) > MAX_KERNEL_VALUE:
        raise InputError(
            f"Kernel numbers must lie between -{MAX_KERNEL_VALUE:g} and {MAX_KERNEL_VALUE:g}; "
            f"“{token}” does not."
        )
    return value


def parse_kernel(text) -> np.ndarray:
    """Nine numbers -> a 3x3 float64 kernel, row by row.

    Numbers may be separated by spaces, commas, semicolons or new lines, with optional brackets
    ("[[1, 0, -1], [2, 0, -2], [1, 0, -1]]") and fractions ("1/9"). If the text is written as
    three rows (split by ";" or new lines, or as bracketed lists), each row must hold 3 numbers.
    """
    if not isinstance(text, str):
        raise InputError("The custom kernel must be text, like 1 0 -1; 2 0 -2; 1 0 -1.")
    if not text.strip():
        raise InputError("Type the custom kernel's 9 numbers, like 1 0 -1; 2 0 -2; 1 0 -1.")
    cleaned = re.sub(r"\]\s*,?\s*\[", ";", text.strip())  # "], [" between bracketed rows
    cleaned = re.sub(r"[\[\]()]", " ", cleaned)
    rows = [row for row in re.split(r"[;\n]", cleaned) if row.strip(" \t\r,")]
    tokens_by_row = [[t for t in re.split(r"[\s,]+", row) if t] for row in rows]
    numbers_by_row = [[_number(token) for token in tokens] for tokens in tokens_by_row]
    values = [value for row in numbers_by_row for value in row]
    if len(values) != 9:
        raise InputError(
            f"A 3x3 kernel needs exactly 9 numbers; this one has {len(values)}. "
            "Write it as three rows, like 1 0 -1; 2 0 -2; 1 0 -1."
        )
    if len(numbers_by_row) == 3 and any(len(row) != 3 for row in numbers_by_row):
        counts = ", ".join(str(len(row)) for row in numbers_by_row)
        raise InputError(f"Each of the 3 rows needs 3 numbers; these rows have {counts}.")
    return np.array(values, dtype=np.float64).reshape(3, 3)


def _kernel_name(name, what: str, choices) -> str:
    if not isinstance(name, str) or name.strip().lower() not in choices:
        raise InputError(f"The {what} must be one of: {', '.join(choices)}; not {name!r}.")
    return name.strip().lower()


def _max_side(value) -> int:
    low, high = MAX_SIDE_RANGE
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not (low <= value <= high)
    ):
        raise InputError(f"The largest side must be a whole number from {low} to {high} pixels.")
    return int(value)


# --- the operations ----------------------------------------------------------------------------


def _valid_correlation(padded: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    rows, columns = padded.shape[0] - kernel.shape[0] + 1, padded.shape[1] - kernel.shape[1] + 1
    if kernel.size <= 49:
        # Exact: one multiply-add of a shifted copy per kernel weight.
        out = np.zeros((rows, columns))
        for (i, j), weight in np.ndenumerate(kernel):
            if weight:
                out += weight * padded[i : i + rows, j : j + columns]
        return out
    # Large kernels: the convolution theorem (via the FFT) is far cheaper than k*k shifts and
    # agrees with them to about 1e-15 of the values' size.
    shape = (padded.shape[0] + kernel.shape[0] - 1, padded.shape[1] + kernel.shape[1] - 1)
    product = np.fft.rfft2(padded, shape) * np.fft.rfft2(kernel[::-1, ::-1], shape)
    full = np.fft.irfft2(product, shape)
    return full[kernel.shape[0] - 1 : padded.shape[0], kernel.shape[1] - 1 : padded.shape[1]]


def correlate2d(image: np.ndarray, kernel: np.ndarray, mode: str = "same") -> np.ndarray:
    """Slide ``kernel`` over ``image`` as written and sum the products: cross-correlation, what a
    CNN layer and the slide's exercise compute.

    ``mode``: "valid" keeps only positions where the kernel fits inside (smaller output); "full"
    pads with zeros so every overlap counts (larger output, what the algebra of convolution uses);
    "same" keeps the input's size and repeats the border pixels outwards, so the picture's frame
    does not show up as an edge.
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    kernel_rows, kernel_columns = kernel.shape
    if mode == "valid":
        padded = image
    elif mode == "full":
        padded = np.pad(image, ((kernel_rows - 1,) * 2, (kernel_columns - 1,) * 2))
    elif mode == "same":
        padding = (
            ((kernel_rows - 1) // 2, kernel_rows // 2),
            ((kernel_columns - 1) // 2, kernel_columns // 2),
        )
        padded = np.pad(image, padding, mode="edge")
    else:
        raise ValueError(f"mode must be 'valid', 'full' or 'same', not {mode!r}")
    if padded.shape[0] < kernel_rows or padded.shape[1] < kernel_columns:
        raise ValueError("the kernel is larger than the image")
    return _valid_correlation(padded, kernel)


def convolve2d(image: np.ndarray, kernel: np.ndarray, mode: str = "same") -> np.ndarray:
    """True convolution: the kernel flipped in both directions, then slid as in ``correlate2d``.

    Unlike cross-correlation it is associative and commutative: ``convolve2d(convolve2d(f, g),
    h) == convolve2d(f, convolve2d(g, h))`` in "full" mode.
    """
    return correlate2d(image, np.asarray(kernel, dtype=np.float64)[::-1, ::-1], mode)


def max_pool(image: np.ndarray, size: int = 2) -> np.ndarray:
    """Largest value in each non-overlapping ``size`` x ``size`` block (an odd last row or column
    is dropped, as in a Keras MaxPooling2D layer with "valid" padding)."""
    rows, columns = image.shape[0] // size, image.shape[1] // size
    if rows == 0 or columns == 0:
        raise ValueError(f"an image of {image.shape} is too small to pool by {size}")
    blocks = image[: rows * size, : columns * size].reshape(rows, size, columns, size)
    return blocks.max(axis=(1, 3))


def stretch_kernel(kernel: np.ndarray, factor: int) -> np.ndarray:
    """Each weight becomes a ``factor`` x ``factor`` block, scaled so the response to a broad
    edge stays the same: the 3x3 filter made ``3 * factor`` pixels wide."""
    return np.kron(kernel, np.ones((factor, factor))) / factor**2


def filter_image(image: np.ndarray, kernel_name: str, kernel: np.ndarray, factor: int = 1):
    """The response shown for a kernel choice; "sobel magnitude" is the length of the gradient
    (Sobel x, Sobel y) at each pixel, the others are one cross-correlation."""
    if kernel_name == SOBEL_MAGNITUDE:
        across = correlate2d(image, stretch_kernel(KERNELS["sobel x"], factor))
        down = correlate2d(image, stretch_kernel(KERNELS["sobel y"], factor))
        return np.hypot(across, down)
    return correlate2d(image, stretch_kernel(kernel, factor))


# --- pictures --------------------------------------------------------------------------------


def builtin_picture(size: int = 256) -> np.ndarray:
    """A drawn scene (RGB uint8, ``size`` x ``size``) with edges at several scales: a sky
    gradient, a sun, a house with a roof, door and paned windows, a tree, and a fence of thin
    posts."""
    s = size / 256  # drawn on a 256-pixel grid, scaled to ``size``

    def box(*coordinates):
        return [round(c * s) for c in coordinates]

    sky = np.linspace(0, 1, size)[:, None, None]
    top, horizon = np.array([90, 140, 215]), np.array([200, 225, 245])
    pixels = np.broadcast_to(top + (horizon - top) * sky, (size, size, 3)).astype(np.uint8)
    picture = Image.fromarray(np.ascontiguousarray(pixels), "RGB")
    draw = ImageDraw.Draw(picture)
    draw.ellipse(box(190, 18, 236, 64), fill=(250, 215, 80))  # sun
    draw.rectangle(box(0, 190, 256, 256), fill=(60, 120, 50))  # grass
    draw.rectangle(box(60, 110, 170, 200), fill=(215, 190, 150))  # house
    draw.polygon(box(48, 112, 115, 58, 182, 112), fill=(150, 60, 45))  # roof
    draw.rectangle(box(140, 62, 154, 92), fill=(120, 55, 45))  # chimney
    draw.rectangle(box(102, 148, 128, 200), fill=(95, 60, 35))  # door
    draw.ellipse(box(121, 172, 125, 176), fill=(230, 200, 80))  # door knob
    for left in (72, 140):  # windows with a cross of thin bars
        draw.rectangle(box(left, 125, left + 20, 145), fill=(70, 110, 160))
        draw.line(
            box(left + 10, 125, left + 10, 145), fill=(240, 240, 240), width=max(1, round(2 * s))
        )
        draw.line(box(left, 135, left + 20, 135), fill=(240, 240, 240), width=max(1, round(2 * s)))
    draw.rectangle(box(212, 150, 220, 200), fill=(100, 70, 40))  # trunk
    draw.ellipse(box(188, 100, 244, 160), fill=(40, 110, 50))  # crown
    for left in range(0, 56, 6):  # fence: fine vertical detail
        draw.rectangle(box(left, 170, left + 2, 205), fill=(245, 245, 240))
    draw.rectangle(box(0, 178, 56, 181), fill=(245, 245, 240))
    return np.asarray(picture)


def to_grayscale(image=None, max_side: int = MAX_SIDE) -> tuple[np.ndarray, str]:
    """Any picture -> (float64 grayscale in [0, 1], notice). Accepts a numpy array (H x W, or
    H x W x 3/4, uint8 or float in [0, 1]), a PIL image, a path or bytes; None gives the built-in
    drawing. Pictures larger than ``max_side`` are scaled down and the notice says so."""
    if image is None:
        image = builtin_picture()
    if isinstance(image, np.ndarray):
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in (3, 4)):
            raise InputError(
                f"An image array must be H x W or H x W x 3 (or 4); this one is {image.shape}."
            )
        if image.size == 0 or (image.dtype.kind == "f" and not np.isfinite(image).all()):
            raise InputError("This image array is empty or holds NaN or infinite values.")
        if image.dtype.kind in "iu" and image.max() > 255:
            # 16-bit and wider pictures: use the whole range instead of clipping at 255.
            image = (image.astype(np.float64) / image.max() * 255).astype(np.uint8)
    picture, notice = fit_within(open_image(image, max_side), max_side)
    rgb = np.asarray(picture, dtype=np.float64) / 255
    # ITU-R BT.601 luma weights: green looks brightest to the eye, blue darkest.
    return rgb @ np.array([0.299, 0.587, 0.114]), notice


# --- the lesson --------------------------------------------------------------------------------


def _route_agreement(grown: np.ndarray, shrunk: np.ndarray, factor: int) -> float:
    # The stretched filter centred at full-size pixel factor*i + offset covers the same pixels as
    # the 3x3 filter at pooled pixel i; compare those samples.
    offset = (3 * factor - 1) // 2 - factor
    sampled = grown[offset::factor, offset::factor][: shrunk.shape[0], : shrunk.shape[1]]
    shrunk = shrunk[: sampled.shape[0], : sampled.shape[1]]
    if sampled.std() == 0 or shrunk.std() == 0:
        return float("nan")
    return float(np.corrcoef(sampled.ravel(), shrunk.ravel())[0, 1])


def compute(
    image=None,
    kernel: str = "slide edge",
    custom: str = "",
    second: str = "gaussian blur",
    max_side: int = MAX_SIDE,
) -> ConvolutionResult:
    """Filter the picture, check associativity and stacking, and build both multi-scale rows.

    ``kernel`` is one of ``KERNEL_CHOICES``; with "custom", ``custom`` holds its 9 numbers.
    ``second`` (a name in ``KERNELS``) is the filter h stacked after it in the checks.
    """
    kernel_name = _kernel_name(kernel, "kernel", KERNEL_CHOICES)
    second_name = _kernel_name(second, "second kernel", tuple(KERNELS))
    max_side = _max_side(max_side)
    if kernel_name == CUSTOM:
        g = parse_kernel(custom)
    elif kernel_name == SOBEL_MAGNITUDE:
        g = KERNELS["sobel x"]
    else:
        g = KERNELS[kernel_name]
    h = KERNELS[second_name]
    grayscale, notice = to_grayscale(image, max_side)
    filtered = filter_image(grayscale, kernel_name, g)

    # Associativity of true convolution, in "full" mode so no border values are lost.
    top = max(0, (grayscale.shape[0] - ASSOCIATIVITY_CROP) // 2)
    left = max(0, (grayscale.shape[1] - ASSOCIATIVITY_CROP) // 2)
    crop = grayscale[top : top + ASSOCIATIVITY_CROP, left : left + ASSOCIATIVITY_CROP]
    combined = convolve2d(g, h, "full")  # 5x5
    twice = convolve2d(convolve2d(crop, g, "full"), h, "full")
    once = convolve2d(crop, combined, "full")
    associativity_difference = float(np.abs(twice - once).max())

    # Two stacked 3x3 layers (cross-correlations, as in a CNN) versus one 5x5 layer whose kernel
    # is the true convolution g*h; combining them without the flip is only right when symmetric.
    stacked = correlate2d(correlate2d(grayscale, g, "valid"), h, "valid")
    stacking_difference = float(np.abs(stacked - correlate2d(grayscale, combined, "valid")).max())
    unflipped = correlate2d(grayscale, correlate2d(g, h, "full"), "valid")
    unflipped_difference = float(np.abs(stacked - unflipped).max())

    growing, shrinking, pooled_sizes, agreement = [], [], [], []
    pooled = grayscale
    for level, factor in enumerate(SCALES):
        if level:
            pooled = max_pool(pooled)
        grown = filter_image(grayscale, kernel_name, g, factor)
        shrunk = filter_image(pooled, kernel_name, g)
        growing.append(grown)
        shrinking.append(shrunk)
        pooled_sizes.append(pooled.shape)
        agreement.append(_route_agreement(grown, shrunk, factor))

    return ConvolutionResult(
        grayscale=grayscale,
        kernel_name=kernel_name,
        kernel=g,
        filtered=filtered,
        notice=notice,
        second_kernel_name=second_name,
        second_kernel=h,
        combined_kernel=combined,
        associativity_difference=associativity_difference,
        stacking_difference=stacking_difference,
        unflipped_difference=unflipped_difference,
        scales=SCALES,
        filter_sizes=tuple(3 * factor for factor in SCALES),
        growing_filter=tuple(growing),
        pooled_sizes=tuple(pooled_sizes),
        shrinking_image=tuple(shrinking),
        route_agreement=tuple(agreement),
    )


def _format_agreement(correlation: float) -> str:
    # A flat picture (or a flat response) has no correlation to speak of.
    return f"{correlation:.2f}" if math.isfinite(correlation) else "n/a"


def summary(result: ConvolutionResult) -> str:
    """The numerical checks as a markdown table."""
    rows = [
        "| check | max abs difference |",
        "|---|---|",
        f"| associativity, `(f*g)*h` vs `f*(g*h)` ({ASSOCIATIVITY_CROP}x{ASSOCIATIVITY_CROP} "
        f"crop, full mode) | {result.associativity_difference:.1e} |",
        f"| two stacked 3x3 layers ({result.kernel_name}, then {result.second_kernel_name}) vs "
        f"one 5x5 layer | {result.stacking_difference:.1e} |",
    ]
    if result.unflipped_difference > 1e-9:
        rows.append(
            "| the same 5x5 built without flipping the kernel (cross-correlation) | "
            f"{result.unflipped_difference:.1e} |"
        )
    agreement = ", ".join(
        f"{size}x{size}: {_format_agreement(r)}"
        for size, r in zip(result.filter_sizes[1:], result.route_agreement[1:], strict=True)
    )
    text = (
        "\n".join(rows) + "\n\nHow closely the 3x3 filter on the pooled picture matches the "
        f"stretched filter on the full one (correlation): {agreement}."
    )
    return text + (f"\n\n{result.notice}" if result.notice else "")


def _display_range(result: ConvolutionResult) -> dict:
    """Colour map and limits for the responses: signed edges in red/blue around a white 0."""
    response = result.growing_filter[0]
    if result.kernel_name == SOBEL_MAGNITUDE:
        return {"cmap": "magma", "vmin": 0.0, "vmax": float(np.percentile(response, 99.5)) or 1}
    if abs(result.kernel.sum()) < 1e-9 * max(1.0, np.abs(result.kernel).sum()):
        limit = float(np.percentile(np.abs(response), 99.5)) or 1.0
        return {"cmap": "RdBu_r", "vmin": -limit, "vmax": limit}
    low, high = np.percentile(response, [0.5, 99.5])
    return {"cmap": "gray", "vmin": float(low), "vmax": float(high) if high > low else low + 1}


def _draw_kernel(axes, kernel: np.ndarray, title: str) -> None:
    limit = float(np.abs(kernel).max()) or 1.0
    axes.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
    size = kernel.shape[0]
    for (row, column), value in np.ndenumerate(kernel):
        label = f"{value:.0f}" if float(value).is_integer() else f"{value:.3g}"
        axes.text(
            column,
            row,
            label,
            ha="center",
            va="center",
            fontsize=10 if size <= 3 else 7.5,
            color="white" if abs(value) > 0.6 * limit else "black",
        )
    axes.set_xticks([])
    axes.set_yticks([])
    axes.set_title(title, fontsize=10)


def figure(result: ConvolutionResult):
    """Input and output; the kernels; the stretched-filter row and the pooled-picture row."""
    height, width = result.grayscale.shape
    fig = Figure(figsize=(13, 10.5), dpi=100)
    # Fixed margins: an automatic layout engine would cost more than drawing the panels.
    grid = fig.subplots(
        3,
        4,
        gridspec_kw={
            "left": 0.045,
            "right": 0.9,
            "top": 0.96,
            "bottom": 0.01,
            "wspace": 0.06,
            "hspace": 0.3,
        },
    )
    extent = (0, width, height, 0)  # every response drawn at the picture's size, however small
    colours = _display_range(result)

    grid[0, 0].imshow(result.grayscale, cmap="gray", vmin=0, vmax=1)
    grid[0, 0].set_title(f"input f (grayscale, {width}×{height})", fontsize=10)
    image = grid[0, 1].imshow(result.filtered, **colours)
    grid[0, 1].set_title(f"f filtered with g = {result.kernel_name}", fontsize=10)
    colour_bar = fig.colorbar(image, cax=fig.add_axes((0.915, 0.12, 0.013, 0.45)))
    colour_bar.set_label("filter response (also the top output)")
    kernel_title = (
        "g = Sobel x (and Sobel y)"
        if result.kernel_name == SOBEL_MAGNITUDE
        else f"g: {result.kernel_name}"
    )
    _draw_kernel(grid[0, 2], result.kernel, kernel_title)
    grid[0, 2].set_xlabel(f"then h = {result.second_kernel_name}", fontsize=9)
    _draw_kernel(grid[0, 3], result.combined_kernel, "g * h: one 5×5 filter")
    grid[0, 3].set_xlabel(
        f"2 stacked 3×3 vs one 5×5: {result.stacking_difference:.0e}\n"
        f"(f*g)*h vs f*(g*h): {result.associativity_difference:.0e}",
        fontsize=9,
    )

    for column, (factor, size, grown, shrunk, pooled_size, agreement) in enumerate(
        zip(
            result.scales,
            result.filter_sizes,
            result.growing_filter,
            result.shrinking_image,
            result.pooled_sizes,
            result.route_agreement,
            strict=True,
        )
    ):
        grid[1, column].imshow(grown, extent=extent, **colours)
        grid[1, column].set_title(f"{size}×{size} filter on {width}×{height}", fontsize=10)
        grid[2, column].imshow(shrunk, extent=extent, interpolation="nearest", **colours)
        pooled_title = f"3×3 filter on {pooled_size[1]}×{pooled_size[0]}"
        if factor > 1:
            pooled_title += f"\n(covers {size}×{size}; agrees r = {_format_agreement(agreement)})"
        grid[2, column].set_title(pooled_title, fontsize=10)
    grid[1, 0].set_ylabel("1. the filter grows", fontsize=11)
    grid[2, 0].set_ylabel("2. the picture shrinks\n(2×2 max pooling)", fontsize=11)
    for axes in (grid[0, 0], grid[0, 1], *grid[1], *grid[2]):
        axes.set_xticks([])
        axes.set_yticks([])
    return fig
