"""CNN feature maps: what each layer of a trained digit classifier responds to.

A digit goes through the project's own trained CNN (the judge of the DCGAN demo,
``showcase/dcgan/digit_classifier.py``: two blocks of two 3x3 convolutions and a 2x2 max-pooling,
then a dense layer; 98.6% on held-out MNIST digits) and every convolution and pooling layer's
output is drawn as a row of small pictures, strongest maps first. It rests on two ideas from the
lecture: stacked 3x3 convolutions see a growing window of the picture (3x3, then 5x5, ...), and
pooling halves the picture so the next filters cover more of the digit (LeCun et al. 1998,
"Gradient-based learning applied to document recognition"); looking at activations layer by layer
is the simplest of the visualisations in Zeiler & Fergus 2014, "Visualizing and Understanding
Convolutional Networks".

Simplifications: only the strongest ``max_maps`` channels of each layer are drawn (by mean
activation), and a picture is squeezed into MNIST's format before the network sees it (see
:func:`to_mnist_format`), since the classifier only knows white 20x20 digits on black 28x28 fields.
"""

from __future__ import annotations

import dataclasses
import math

import keras
import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from PIL import Image, ImageFilter

from showcase.dcgan.api import DigitGenerator, digit_classifier
from showcase.errors import InputError
from showcase.inputs import check_whole_number
from showcase.lazy import once

TITLE = "CNN feature maps"

EXPLANATION = r"""
A convolutional network looks at a picture through many small $3\times3$ filters at once; each
filter's answer over the whole picture is a **feature map**, and here every row shows the strongest
maps of one layer of the project's trained digit classifier. The first layer's maps are still
recognisably your digit: each filter lights up on one kind of edge or stroke direction. Stacking a
second $3\times3$ convolution on the first lets each unit see a $5\times5$ window, the lecture's
$(f*g)*h = f*(g*h)$, and every max-pooling halves the picture so the next filters cover twice as
much of the digit. So deeper rows are smaller and blockier, and they answer "is there a loop up
here, a corner down there?" rather than "is there ink at this pixel?". The label of each row gives
how many input pixels one of its units can see. The bar chart is the network's final verdict: the
softmax of its ten outputs. Draw a digit badly on purpose and watch which maps go quiet.
"""

# The convolution and pooling layers of showcase.dcgan.digit_classifier, input to output.
MAP_LAYERS = ("conv1a", "conv1b", "pool1", "conv2a", "conv2b", "pool2")
LOGITS_LAYER = "logits"
MAX_MAPS = 64  # the widest layer has 64 channels
DEFAULT_DIGIT = 3
MAPS_PER_LINE = 16

SIDE = 28  # MNIST's field
BOX = 20  # MNIST's digits are fitted into 20x20, keeping their aspect
WORKING_BOX = 4 * BOX  # strokes are measured and thickened at 4x the final size
TARGET_STROKE = 2.5  # a typical MNIST stroke, in pixels of the 28x28 field
BLANK_CONTRAST = 0.1  # ink must differ from the background by a tenth of the full range
SHRUNK_SIDE = 400  # bigger pictures are block-averaged to 400-800 px a side first
INK_LEVEL = 0.25  # pixels above this fraction of the strongest ink count for the bounding box


@dataclasses.dataclass(frozen=True)
class FeatureMapsResult:
    digit: np.ndarray  # (28, 28) float32 in [-1, 1]: what the network saw
    layer_names: tuple[str, ...]  # MAP_LAYERS, input to output
    layer_shapes: dict[str, tuple[int, int, int]]  # full (H, W, C) of each layer's output
    receptive_fields: dict[str, int]  # side of the input window one unit of the layer sees
    activations: dict[str, np.ndarray]  # (H, W, k): the k strongest maps, strongest first
    channels: dict[str, np.ndarray]  # (k,): which channel each shown map is
    strengths: dict[str, np.ndarray]  # (k,): each shown map's mean activation
    probabilities: np.ndarray  # (10,): softmax of the logits
    predicted: int


# ---------------------------------------------------------------------------------------------
# The trained networks, loaded once per process (the UI calls compute from many threads).


@once
def classifier():
    """The shipped digit classifier (a keras.Model: 28x28x1 in [-1, 1] -> 10 logits), cached."""
    return digit_classifier()


@once
def feature_extractor():
    """A keras.Model from the classifier's input to [each of MAP_LAYERS..., logits], cached."""
    model = classifier()
    outputs = [model.get_layer(name).output for name in (*MAP_LAYERS, LOGITS_LAYER)]
    return keras.Model(model.input, outputs, name="feature_maps")


@once
def _digit_generator():
    return DigitGenerator.from_pretrained()


def receptive_fields() -> dict[str, int]:
    """How many input pixels (per side) one unit of each layer depends on, from the layers'
    kernel sizes and strides: 3, 5, 6, 10, 14, 16 for this network."""
    model, fields = classifier(), {}
    field, jump = 1, 1  # jump: input pixels between neighbouring units of the current layer
    names = set(MAP_LAYERS)
    for layer in model.layers:
        config = layer.get_config()
        size = config.get("kernel_size") or config.get("pool_size")
        if size is not None:
            field += (size[0] - 1) * jump
            jump *= config["strides"][0]
        if layer.name in names:
            fields[layer.name] = field
    return fields


# ---------------------------------------------------------------------------------------------
# Any picture -> MNIST's format.


def example_digit(digit: int, seed: int = 0) -> np.ndarray:
    """A handwritten-looking digit drawn by the project's trained DCGAN: (28, 28) uint8, white on
    black like MNIST. ``seed`` picks the generator's noise, so each seed is another hand."""
    return _digit_generator().generate(digit, seed=seed, noise_strength=1.0, count=1)[0]


def _as_float_array(image) -> np.ndarray:
    """A numpy array (H, W) or (H, W, channels) of floats in [0, 1] from an array or PIL image,
    big pictures averaged down to 400-800 px a side."""

    if isinstance(image, Image.Image):
        factor = max(image.size) // SHRUNK_SIDE
        if factor >= 2:
            try:
                image = image.reduce(factor)  # before the float copy, which is 12 bytes a pixel
            except (ValueError, NotImplementedError):
                pass  # a mode reduce() lacks; _shrink averages the array instead
        try:
            if image.mode == "La":
                image = image.convert("LA")  # Pillow converts premultiplied La to LA only
            if image.mode in ("RGBA", "LA", "PA", "RGBa") or (
                image.mode == "P" and "transparency" in image.info
            ):
                image = image.convert("RGBA")
            elif image.mode == "1":
                image = image.convert("L")
            elif image.mode not in ("L", "RGB", "I", "F") and not image.mode.startswith("I;16"):
                image = image.convert("RGB")  # CMYK, YCbCr, HSV, P without transparency ...
        except ValueError:
            raise InputError(
                f"Pictures in colour mode {image.mode} cannot be read; save it as PNG or JPEG."
            ) from None
        image = np.asarray(image)
    if not isinstance(image, np.ndarray):
        raise InputError(
            f"The picture must be an image or a numpy array, not {type(image).__name__}."
        )
    array = image
    if array.ndim == 4 and array.shape[0] == 1:
        array = array[0]  # a batch of one
    if array.ndim == 3 and array.shape[0] == 1 and array.shape[-1] > 4:
        array = array[0]  # one channel, channels first
    if array.ndim == 3 and array.shape[-1] not in (1, 2, 3, 4):
        raise InputError(f"A picture has 1 to 4 colour channels; this one has {array.shape[-1]}.")
    if array.ndim not in (2, 3) or min(array.shape[:2]) < 1:
        raise InputError(
            f"The picture must be height x width (x colours); its shape is {array.shape}."
        )
    if array.dtype == bool:
        return _shrink(array).astype(np.float32)
    if np.issubdtype(array.dtype, np.integer):
        top = int(array.max())
        scale = 255 if top <= 255 else 65535 if top <= 65535 else top
        return np.clip(_shrink(array).astype(np.float32) / scale, 0.0, 1.0)
    if not np.issubdtype(array.dtype, np.floating):
        raise InputError(f"The picture's pixels must be numbers, not {array.dtype}.")
    array = _shrink(array).astype(np.float32)
    if not np.isfinite(array).all():
        raise InputError("The picture contains invalid pixel values (NaN or infinity).")
    low, high = float(array.min()), float(array.max())
    if low >= 0.0 and high <= 1.0:
        return array
    if low >= -1.0 and high <= 1.0:
        return (array + 1.0) / 2.0  # the classifier's own [-1, 1] range
    if low >= 0.0 and high <= 255.0:
        return array / 255.0
    return (array - low) / (high - low)


def _shrink(pixels: np.ndarray) -> np.ndarray:
    """Average blocks of a big picture down to 400-800 px a side: the digit ends up 20 px tall
    anyway, and a phone photo would otherwise cost seconds."""
    factor = max(pixels.shape[:2]) // SHRUNK_SIDE
    if factor < 2:
        return pixels
    height, width = (side // factor * factor for side in pixels.shape[:2])
    blocks = pixels[:height, :width].reshape(
        height // factor, factor, width // factor, factor, *pixels.shape[2:]
    )
    return blocks.mean(axis=(1, 3), dtype=np.float32)


def _grey(pixels: np.ndarray, backdrop: float) -> np.ndarray:
    """Luminance (ITU-R 601, as Pillow's "L") with any alpha channel composited on ``backdrop``."""
    if pixels.ndim == 2:
        return pixels
    channels = pixels.shape[-1]
    alpha = pixels[..., -1] if channels in (2, 4) else None
    colour = pixels[..., : 3 if channels >= 3 else 1]
    grey = colour[..., 0] if colour.shape[-1] == 1 else colour @ np.float32([0.299, 0.587, 0.114])
    if alpha is None:
        return grey
    return grey * alpha + backdrop * (1.0 - alpha)


def _ink(grey: np.ndarray) -> np.ndarray:
    """How far each pixel is from the background, on the ink's side (so light digits on dark and
    dark digits on light both become bright ink on zero); the background is the border's median."""
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border))
    ink = background - grey if background > 0.5 else grey - background
    return np.clip(ink, 0.0, None)


def _stroke_width(ink: np.ndarray) -> float:
    """A stroke's width from its area and outline: a band of width w and length L has area w*L and
    about 2*L outline pixels, so w ~ 2 * area / outline."""
    mask = ink > 0.5 * ink.max()
    padded = np.pad(mask, 1)
    inside = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:] & mask
    outline = int(mask.sum() - inside.sum())
    return 2.0 * float(mask.sum()) / max(outline, 1)


def _resize(array: np.ndarray, height: int, width: int) -> np.ndarray:

    resample = Image.Resampling.BOX if height <= array.shape[0] else Image.Resampling.BILINEAR
    picture = Image.fromarray(np.ascontiguousarray(array, dtype=np.float32), mode="F")
    return np.asarray(picture.resize((width, height), resample), dtype=np.float32)


def to_mnist_format(image) -> np.ndarray:
    """Turn any picture of one digit into what the classifier was trained on: (28, 28) float32 in
    [-1, 1], a white digit on black, like MNIST (LeCun et al. 1998).

    Steps: a big picture is first averaged down to 400-800 px a side. Pixels are read as grey
    (colour by luminance; a transparent background is composited on white, or on black if that is
    the only way the drawing shows). The background is the median of the picture's border; if it
    is light the picture is inverted (MNIST's digits are white on black), and the background level
    is subtracted so a grey paper becomes black. The digit is cropped to the bounding box of its
    ink (pixels above a quarter of the strongest) and scaled to fit a 20x20 box keeping its aspect;
    strokes that would end up thinner than about 1.5 pixels (a thin pen on a big canvas) are
    thickened towards MNIST's ~2.5 first. The 20x20 digit is placed in the 28x28 field with its
    centre of mass at the centre, as MNIST was made, and scaled so the strongest ink is 1 (white)
    and the background -1 (black). A picture with no visible ink raises InputError.
    """
    pixels = _as_float_array(image)
    ink = _ink(_grey(pixels, backdrop=1.0))
    if ink.max() < BLANK_CONTRAST and pixels.ndim == 3 and pixels.shape[-1] in (2, 4):
        ink = _ink(_grey(pixels, backdrop=0.0))  # light strokes on a transparent background
    if ink.max() < BLANK_CONTRAST:
        raise InputError("Draw or upload a digit first.")

    rows = np.flatnonzero((ink > INK_LEVEL * ink.max()).any(axis=1))
    columns = np.flatnonzero((ink > INK_LEVEL * ink.max()).any(axis=0))
    ink = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]

    height, width = ink.shape
    scale = WORKING_BOX / max(height, width)
    working = _resize(ink, max(1, round(height * scale)), max(1, round(width * scale)))
    target = TARGET_STROKE * WORKING_BOX / BOX
    stroke = _stroke_width(working)
    if stroke < 0.6 * target:
        grow = int(round(target - stroke)) | 1  # MaxFilter wants an odd size
        picture = Image.fromarray(np.pad(working, grow // 2), mode="F")
        ink = np.asarray(picture.filter(ImageFilter.MaxFilter(grow)), dtype=np.float32)
    # Otherwise straight from the crop: one resampling blurs less than two.
    height, width = ink.shape
    scale = BOX / max(height, width)
    digit = _resize(ink, max(1, round(height * scale)), max(1, round(width * scale)))
    digit = digit / digit.max()

    total = digit.sum()
    centre_row = float((digit.sum(axis=1) * np.arange(digit.shape[0])).sum() / total)
    centre_column = float((digit.sum(axis=0) * np.arange(digit.shape[1])).sum() / total)
    top = int(np.clip(round((SIDE - 1) / 2 - centre_row), 0, SIDE - digit.shape[0]))
    left = int(np.clip(round((SIDE - 1) / 2 - centre_column), 0, SIDE - digit.shape[1]))
    field = np.zeros((SIDE, SIDE), np.float32)
    field[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    return field * 2.0 - 1.0


# ---------------------------------------------------------------------------------------------
# The lesson.


def check_max_maps(max_maps) -> int:
    return check_whole_number(max_maps, "The number of maps", 1, MAX_MAPS)


def compute(image=None, max_maps: int = 16) -> FeatureMapsResult:
    """Run ``image`` (numpy array or PIL image of any mode; None: a DCGAN-drawn 3) through the
    trained classifier; keep the ``max_maps`` strongest maps of each conv/pool layer."""
    max_maps = check_max_maps(max_maps)
    if image is None:
        image = example_digit(DEFAULT_DIGIT)
    digit = to_mnist_format(image)
    # training=False matters: the classifier's first layer shifts digits at random in training.
    outputs = feature_extractor()(digit[None, :, :, None], training=False)
    outputs = [np.asarray(output)[0] for output in outputs]
    logits = outputs.pop().astype(np.float64)
    probabilities = np.exp(logits - logits.max())
    probabilities /= probabilities.sum()

    activations, channels, strengths, shapes = {}, {}, {}, {}
    for name, maps in zip(MAP_LAYERS, outputs, strict=True):
        shapes[name] = tuple(int(side) for side in maps.shape)
        mean = maps.mean(axis=(0, 1))
        # Stable sort, so equally quiet channels keep their order.
        strongest = np.argsort(-mean, kind="stable")[:max_maps]
        activations[name] = np.ascontiguousarray(maps[:, :, strongest])
        channels[name] = strongest
        strengths[name] = mean[strongest]
    return FeatureMapsResult(
        digit=digit,
        layer_names=MAP_LAYERS,
        layer_shapes=shapes,
        receptive_fields=receptive_fields(),
        activations=activations,
        channels=channels,
        strengths=strengths,
        probabilities=probabilities,
        predicted=int(probabilities.argmax()),
    )


def _mosaic(maps: np.ndarray, columns: int) -> np.ndarray:
    """Maps (H, W, k) tiled ``columns`` to a line, NaN gaps between them (drawn as background);
    the gap scales with the map so every layer's mosaic has the same proportions."""
    side = maps.shape[0]
    gap = max(1, side // 7)
    lines = math.ceil(maps.shape[-1] / columns)
    mosaic = np.full((lines * (side + gap) - gap, columns * (side + gap) - gap), np.nan, np.float32)
    for index in range(maps.shape[-1]):
        line, column = divmod(index, columns)
        top, left = line * (side + gap), column * (side + gap)
        mosaic[top : top + side, left : left + side] = maps[:, :, index]
    return mosaic


def figure(result: FeatureMapsResult):
    """Input and class probabilities on the left; one row of feature maps per layer on the right,
    every map drawn the same size (so pooled maps look blockier) and each row on its own colour
    scale, from 0 (black) to that layer's strongest response (white)."""

    shown = max(maps.shape[-1] for maps in result.activations.values())
    columns = min(MAPS_PER_LINE, shown)
    map_inches = min(1.3, max(0.6, 6.5 / columns))
    maps_inches = columns * map_inches
    # Every map the same size: a layer with more maps gets a taller row.
    row_inches = [
        math.ceil(result.activations[name].shape[-1] / columns) * map_inches + 0.35
        for name in result.layer_names
    ]
    fig = Figure(figsize=(3.9 + maps_inches, max(6.4, sum(row_inches) + 0.8)), dpi=100)
    outer = fig.add_gridspec(
        1,
        2,
        width_ratios=[3.0, maps_inches],
        wspace=0.12,
        left=0.05,
        right=0.97,
        top=0.91,
        bottom=0.06,
    )
    left = outer[0].subgridspec(2, 1, height_ratios=[1.0, 1.15], hspace=0.35)
    right = outer[1].subgridspec(len(row_inches), 1, height_ratios=row_inches, hspace=0.25)
    colour_map = colormaps["magma"].with_extremes(bad="white")  # the gaps between maps

    seen = fig.add_subplot(left[0])
    seen.imshow(result.digit, cmap="gray", vmin=-1, vmax=1)
    seen.set_title("what the network sees\n(28 x 28, MNIST's format)", fontsize=10)
    seen.set_xticks([])
    seen.set_yticks([])

    bars = fig.add_subplot(left[1])
    colours = ["#c44e52" if d == result.predicted else "#9a9a9a" for d in range(10)]
    bars.barh(range(10), result.probabilities, color=colours)
    bars.set_yticks(range(10))
    bars.invert_yaxis()
    bars.set_xlim(0, 1)
    bars.set_xlabel("probability (softmax of logits)")
    bars.set_ylabel("digit")
    bars.set_title(
        f"verdict: {result.predicted} ({result.probabilities[result.predicted]:.0%})", fontsize=10
    )
    bars.grid(axis="x", alpha=0.3)

    for row, name in enumerate(result.layer_names):
        maps = result.activations[name]
        axes = fig.add_subplot(right[row])
        top = float(np.max(maps))
        axes.imshow(
            _mosaic(maps, columns),
            cmap=colour_map,
            vmin=0.0,
            vmax=top if top > 0 else 1.0,
            interpolation="nearest",
        )
        height_px, width_px, channel_count = result.layer_shapes[name]
        field = result.receptive_fields[name]
        axes.set_title(
            f"{name}: {channel_count} maps of {height_px}x{width_px}; a unit sees "
            f"{field}x{field} px; colour 0 to {top:.1f}",
            loc="left",
            fontsize=9,
        )
        axes.axis("off")
    fig.suptitle(
        f"Inside the trained digit classifier: each layer's {shown} strongest feature maps,\n"
        "from the input (top) to the deepest layer (bottom)",
        fontsize=11,
    )
    return fig


def summary(result: FeatureMapsResult) -> str:
    ranked = np.argsort(-result.probabilities)[:3]
    guesses = ", ".join(f"{d}: {result.probabilities[d]:.1%}" for d in ranked)
    return (
        f"**Predicted {result.predicted}** ({guesses}). Layers shrink "
        f"{result.layer_shapes['conv1a'][0]} -> {result.layer_shapes['pool2'][0]} pixels while "
        f"one unit's view grows {result.receptive_fields['conv1a']} -> "
        f"{result.receptive_fields['pool2']} pixels wide."
    )
