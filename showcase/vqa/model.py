"""The four question-answering networks, all on the same convolutional image encoder.

- **Relation Network** (Santoro et al. 2017, "A simple neural network module for relational
  reasoning"): a CNN turns the image into a grid of feature vectors; each cell, with its (x, y)
  coordinates, is an "object". ``g`` reads every ordered pair of objects together with the
  question, the results are summed, and ``f`` turns the sum into an answer.
- **CNN+MLP** (the paper's baseline): the same CNN's whole feature map, flattened, and the
  question, through an MLP.
- **CNN+LSTM** (the VQA baseline of Antol et al. 2015, "VQA: Visual Question Answering", its
  "LSTM Q + I"): the image's features and an LSTM's encoding of the English question, each
  projected to the same width and multiplied element-wise, then an MLP.
- **Blind**: the encoded question alone through an MLP: what the question's wording gives away.

Changed from the paper, to train on two CPU cores:

- the CNN is four 3x3 stride-2 convolutions, so the 75-pixel image becomes a 5 x 5 grid: 25
  objects and 625 pairs. The shipped models have 24 channels in each, as in the kimhc6028
  reference; ``encoder="paper"`` gives the paper's Sort-of-CLEVR widths (32, 64, 128, 256), whose
  untrained features keep the objects' colours far better apart (docs/demos/vqa.md);
- ``g``'s first layer is factorised: W [o_i, o_j, q] = W_i o_i + W_j o_j + W_q q, computed once
  per object and broadcast over the pairs, which is the same function at 1/25 of the cost;
- ``g`` has 3 layers of 128 units instead of 4 of 256 (a pair costs about a sixth), and ``f`` the
  paper's 256, 256 (with dropout 0.5; ``dropout=0`` matches the kimhc6028 reference's 2017
  runs, whose ``F.dropout(x)`` dropped nothing under the PyTorch of the time) and the answer
  layer;
- the pairs' outputs are averaged rather than summed (a constant factor of 1/625): with the sum the
  loss began near 80 and the network stayed at the blind model's accuracy for two epochs;
- weights start from Keras's defaults; ``initialisation="pytorch"`` starts them as the
  kimhc6028 reference's (PyTorch's defaults), which with the paper's sum over pairs keeps the
  starting loss near 5 instead of 113;
- batch norm's moving statistics are recomputed from training batches under the final weights
  before every validation and before saving (:func:`recalibrate_batch_norm`): the moving averages
  lag weights that change quickly, and with them the network answered far worse in inference mode
  than in training mode (23-48% against 64% on the same training questions), because its output
  rests on small differences between averages over 625 pairs.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from showcase.vqa.sort_of_clevr import ANSWERS, CANVAS, QUESTION_SIZE

PACKAGE = "showcase.vqa"
ARCHITECTURES = ("relation_network", "cnn_mlp", "cnn_lstm", "blind")
AGGREGATES = ("mean", "sum")  # over the Relation Network's pairs
# The image encoder's four convolutions: the kimhc6028 reference's 24 channels throughout, or
# the paper's Sort-of-CLEVR encoder (its appendix: 32, 64, 128 and 256 kernels).
ENCODERS = {"reference": (24, 24, 24, 24), "paper": (32, 64, 128, 256)}
STEM_FILTERS = ENCODERS["reference"][-1]
# How weights start: Keras's defaults (Glorot-uniform kernels, zero biases), or PyTorch's, which
# the kimhc6028 reference trains from (kernels and biases uniform in +-1/sqrt(fan-in)). With the
# sum over 625 pairs the difference is the starting loss: about 113 with Keras's, about 5 with
# PyTorch's (measured on this network, g 4 x 128).
INITIALISATIONS = ("keras", "pytorch")


def fan_in_uniform(fan_in: int) -> keras.initializers.Initializer:
    """PyTorch's default for a layer with ``fan_in`` inputs per output: U(-1/sqrt(fan_in), +)."""
    bound = 1.0 / float(np.sqrt(fan_in))
    return keras.initializers.RandomUniform(-bound, bound)


def initialisers(initialisation: str, fan_in: int) -> dict:
    """Keyword arguments that start a Dense or Conv2D layer as ``initialisation`` says."""
    if initialisation not in INITIALISATIONS:
        raise ValueError(f"initialisation must be one of {INITIALISATIONS}, not {initialisation!r}")
    if initialisation == "keras":
        return {}
    return {
        "kernel_initializer": fan_in_uniform(fan_in),
        "bias_initializer": fan_in_uniform(fan_in),
    }


@keras.saving.register_keras_serializable(package=PACKAGE)
class GridObjects(layers.Layer):
    """(batch, height, width, channels) -> (batch, height * width, channels + 2): every cell of a
    feature map as an object, with its column and row in [-1, 1] appended."""

    def call(self, features):
        height, width = features.shape[1], features.shape[2]
        columns = ops.linspace(-1.0, 1.0, width)
        rows = ops.linspace(-1.0, 1.0, height)
        grid_x = ops.tile(columns[None, :], (height, 1))
        grid_y = ops.tile(rows[:, None], (1, width))
        coordinates = ops.reshape(ops.stack([grid_x, grid_y], axis=-1), (1, height * width, 2))
        batch = ops.shape(features)[0]
        flat = ops.reshape(features, (batch, height * width, features.shape[3]))
        coordinates = ops.broadcast_to(
            ops.cast(coordinates, flat.dtype), (batch, height * width, 2)
        )
        return ops.concatenate([flat, coordinates], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1] * input_shape[2], input_shape[3] + 2)


@keras.saving.register_keras_serializable(package=PACKAGE)
class RelationModule(layers.Layer):
    """g(o_i, o_j, q) over all ordered pairs (i, j), averaged: the Relation Network's core.

    ``g`` is ``depth`` ReLU layers of ``units``; its first layer is factorised (see the module
    docstring), so the pairs are formed after one matrix product per object, not per pair.
    """

    def __init__(
        self,
        units: int = 128,
        depth: int = 3,
        aggregate: str = "mean",
        initialisation: str = "keras",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if aggregate not in AGGREGATES:
            raise ValueError(f"aggregate must be one of {AGGREGATES}, not {aggregate!r}")
        initialisers(initialisation, 1)  # refuses an unknown name before any weight exists
        self.units = units
        self.depth = depth
        self.aggregate = aggregate
        self.initialisation = initialisation
        self.first_object = layers.Dense(units, use_bias=False, name="g_first_object")
        self.second_object = layers.Dense(units, use_bias=False, name="g_second_object")
        self.question = layers.Dense(units, name="g_question")
        self.deeper = [
            layers.Dense(
                units, activation="relu", name=f"g_{index}", **initialisers(initialisation, units)
            )
            for index in range(2, depth + 1)
        ]

    def build(self, input_shape):
        objects_shape, question_shape = input_shape
        # The factorised first layer is one layer over [o_i, o_j, q]: its three parts start from
        # that layer's fan-in, not each from its own.
        fan_in = 2 * objects_shape[-1] + question_shape[-1]
        for part in (self.first_object, self.second_object, self.question):
            for key, value in initialisers(self.initialisation, fan_in).items():
                setattr(part, key, value)
        self.first_object.build(objects_shape)
        self.second_object.build(objects_shape)
        self.question.build(question_shape)
        shape = (*objects_shape[:-1], self.units)
        for layer in self.deeper:
            layer.build(shape)
        super().build(input_shape)

    def pair_features(self, objects, question):
        """g of every pair: (batch, objects, objects, units); [b, i, j] is the pair (o_i, o_j)."""
        first = self.first_object(objects)[:, :, None, :]
        second = self.second_object(objects)[:, None, :, :]
        asked = self.question(question)[:, None, None, :]
        pairs = ops.relu(first + second + asked)
        for layer in self.deeper:
            pairs = layer(pairs)
        return pairs

    def call(self, inputs):
        objects, question = inputs
        return self.pool(self.pair_features(objects, question))

    def pool(self, pairs):
        """(batch, objects, objects, units) -> (batch, units): the pairs' mean or sum."""
        # The mean by default, not the paper's sum: the same function up to the constant factor
        # 1/pairs. With the sum (and a step size of 5e-4) the loss began near 80, and two epochs
        # later the network was still at the blind model's accuracy, where the mean had reached
        # 55% / 70% after one.
        if self.aggregate == "sum":
            return ops.sum(pairs, axis=(1, 2))
        return ops.mean(pairs, axis=(1, 2))

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "depth": self.depth,
            "aggregate": self.aggregate,
            "initialisation": self.initialisation,
        }


def image_encoder(
    grid_side: int = 5,
    name: str = "cnn",
    encoder: str = "reference",
    initialisation: str = "keras",
) -> keras.Sequential:
    """Pixels (uint8 or 0-255 floats) -> a ``grid_side`` x ``grid_side`` feature map: four
    stride-2 convolutions with batch norm (5 x 5), or 4 x 4 when the last one pads nothing, with
    the channels of :data:`ENCODERS` ``[encoder]``, started as ``initialisation`` says."""
    if grid_side not in (4, 5):
        raise ValueError(f"the feature grid is 4 or 5 cells a side, not {grid_side}")
    if encoder not in ENCODERS:
        raise ValueError(f"encoder must be one of {tuple(ENCODERS)}, not {encoder!r}")
    stack = [keras.Input((CANVAS, CANVAS, 3)), layers.Rescaling(1 / 255.0)]
    widths = ENCODERS[encoder]
    channels_in = 3
    for index, filters in enumerate(widths):
        last = index == len(widths) - 1
        padding = "valid" if last and grid_side == 4 else "same"
        start = initialisers(initialisation, 3 * 3 * channels_in)
        channels_in = filters
        stack += [
            layers.Conv2D(filters, 3, strides=2, padding=padding, name=f"conv{index + 1}", **start),
            layers.ReLU(),
            layers.BatchNormalization(name=f"norm{index + 1}"),
        ]
    return keras.Sequential(stack, name=name)


def recalibrate_batch_norm(model, images, batches: int = 50, batch_size: int = 64, seed: int = 0):
    """Set the image encoder's batch-norm moving statistics to the average of ``batches`` batches
    of ``images`` under the current weights ("precise BN"; Wu & Johnson 2021, "Rethinking 'Batch'
    in BatchNorm"). A model without an image encoder is left as it is."""
    try:
        encoder = model.get_layer("cnn")
    except ValueError:
        return
    norms = [layer for layer in encoder.layers if isinstance(layer, layers.BatchNormalization)]
    momenta = [layer.momentum for layer in norms]
    rng = np.random.default_rng(seed)
    try:
        for index in range(batches):
            # Momentum k / (k + 1) at the k-th batch makes the moving value their running mean.
            for layer in norms:
                layer.momentum = index / (index + 1)
            picked = rng.choice(len(images), min(batch_size, len(images)), replace=False)
            encoder(images[np.sort(picked)], training=True)
    finally:
        for layer, momentum in zip(norms, momenta, strict=True):
            layer.momentum = momentum


def answer_head(
    inputs,
    units: int = 256,
    name: str = "f",
    initialisation: str = "keras",
    dropout: float = 0.5,
):
    """The paper's f: two ReLU layers (``dropout`` before the last) and the answer logits."""
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), not {dropout!r}")
    hidden = layers.Dense(
        units,
        activation="relu",
        name=f"{name}_1",
        **initialisers(initialisation, inputs.shape[-1]),
    )(inputs)
    hidden = layers.Dense(
        units, activation="relu", name=f"{name}_2", **initialisers(initialisation, units)
    )(hidden)
    hidden = layers.Dropout(dropout, name=f"{name}_dropout")(hidden)
    return layers.Dense(len(ANSWERS), name="answer", **initialisers(initialisation, units))(hidden)


def image_input():
    return keras.Input((CANVAS, CANVAS, 3), name="image")


def question_input():
    return keras.Input((QUESTION_SIZE,), name="question")


def build_relation_network(
    units: int = 128,
    depth: int = 3,
    grid_side: int = 5,
    aggregate: str = "mean",
    encoder: str = "reference",
    initialisation: str = "keras",
    dropout: float = 0.5,
) -> keras.Model:
    image, question = image_input(), question_input()
    features = image_encoder(grid_side, encoder=encoder, initialisation=initialisation)(image)
    objects = GridObjects(name="objects")(features)
    relations = RelationModule(units, depth, aggregate, initialisation, name="relations")(
        [objects, question]
    )
    answer = answer_head(relations, initialisation=initialisation, dropout=dropout)
    return keras.Model([image, question], answer, name="relation_network")


def build_cnn_mlp(
    units: int = 256, encoder: str = "reference", dropout: float = 0.5
) -> keras.Model:
    image, question = image_input(), question_input()
    features = layers.Flatten(name="flatten")(image_encoder(encoder=encoder)(image))
    joined = layers.Concatenate(name="image_and_question")([features, question])
    hidden = layers.Dense(units, activation="relu", name="fc1")(joined)
    return keras.Model(
        [image, question], answer_head(hidden, units, dropout=dropout), name="cnn_mlp"
    )


def build_blind(units: int = 256, dropout: float = 0.5) -> keras.Model:
    question = question_input()
    hidden = layers.Dense(units, activation="relu", name="fc1")(question)
    return keras.Model([question], answer_head(hidden, units, dropout=dropout), name="blind")


def build_cnn_lstm(
    vocabulary_size: int,
    question_length: int,
    units: int = 256,
    embedding: int = 64,
    encoder: str = "reference",
    dropout: float = 0.5,
) -> keras.Model:
    """Antol et al.'s LSTM Q + I: tanh projections of image and question, multiplied."""
    image = image_input()
    words = keras.Input((question_length,), dtype="int32", name="question_words")
    features = layers.Flatten(name="flatten")(image_encoder(encoder=encoder)(image))
    seen = layers.Dense(units, activation="tanh", name="image_projection")(features)
    embedded = layers.Embedding(vocabulary_size, embedding, mask_zero=True, name="embedding")(words)
    encoded = layers.LSTM(units, name="lstm")(embedded)
    asked = layers.Dense(units, activation="tanh", name="question_projection")(encoded)
    fused = layers.Multiply(name="fusion")([seen, asked])
    return keras.Model([image, words], answer_head(fused, units, dropout=dropout), name="cnn_lstm")
