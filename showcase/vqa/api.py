"""The import API: ``RelationNetwork.from_pretrained().answer(image, question)``.

``SortOfClevr`` draws scenes and asks questions; every trained network (Relation Network, CNN+MLP,
CNN+LSTM, blind) answers through :class:`QuestionAnswerer`, and :class:`RelationNetwork` also
says which object pairs weighed most in its answer.

Names imported ``as`` themselves below are re-exported for the demo's UI (apps/vqa.py).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from showcase.errors import CheckpointError as CheckpointError
from showcase.errors import InputError
from showcase.pretrained import Pretrained
from showcase.vqa import sort_of_clevr
from showcase.vqa.batches import input_names, inputs_for
from showcase.vqa.sort_of_clevr import ANSWERS as ANSWERS
from showcase.vqa.sort_of_clevr import CANVAS as CANVAS
from showcase.vqa.sort_of_clevr import COLOUR_NAMES as COLOUR_NAMES
from showcase.vqa.sort_of_clevr import QUESTION_TYPES as QUESTION_TYPES
from showcase.vqa.sort_of_clevr import ClevrScene as ClevrScene
from showcase.vqa.sort_of_clevr import Question as Question
from showcase.vqa.sort_of_clevr import check_seed as check_seed

DEMO = "vqa"
DEFAULT_CHECKPOINT = "relation_network"
MAX_IMAGE_SIDE = 4096


class SortOfClevr:
    """The Sort-of-CLEVR generator (:mod:`showcase.vqa.sort_of_clevr`) behind one name."""

    canvas = CANVAS
    question_types = QUESTION_TYPES
    answers = ANSWERS

    @staticmethod
    def scene(seed: int) -> ClevrScene:
        """The scene of ``seed``: ``.render()`` gives its pixels, ``.answer(q)`` the truth."""
        return sort_of_clevr.make_scene(seed)

    @staticmethod
    def questions(seed: int) -> list[Question]:
        """The ten non-relational and ten relational questions the dataset asks of ``seed``."""
        return sort_of_clevr.questions_for(check_seed(seed))

    @staticmethod
    def every_question() -> list[Question]:
        """All 36 questions (six types, six colours)."""
        return [Question(kind, colour) for kind in QUESTION_TYPES for colour in COLOUR_NAMES]

    @staticmethod
    def parse(text: str) -> Question:
        """A typed English question in the templated language (an InputError otherwise)."""
        return sort_of_clevr.parse_question(text)

    @staticmethod
    def split(name: str, scenes: int | None = None) -> sort_of_clevr.QuestionSet:
        """``"train"``, ``"validation"`` or ``"test"`` questions, as the models were trained and
        measured on (optionally only the first ``scenes``)."""
        makers = {
            "train": sort_of_clevr.train_set,
            "validation": sort_of_clevr.validation_set,
            "test": sort_of_clevr.test_set,
        }
        if name not in makers:
            raise InputError(f"split must be one of {', '.join(makers)}, not {name!r}")
        return makers[name]() if scenes is None else makers[name](scenes)


@dataclasses.dataclass(frozen=True)
class Answer:
    """A model's answer, how sure it was, and its probability for every answer word."""

    text: str
    confidence: float
    probabilities: dict[str, float]


def as_question(question) -> Question:
    """A :class:`Question`, English text in the templates, or an 11-element encoding."""
    if isinstance(question, Question):
        if question.kind not in QUESTION_TYPES or question.colour not in COLOUR_NAMES:
            raise InputError(f"{question} is not a Sort-of-CLEVR question")
        return question
    if isinstance(question, str):
        return sort_of_clevr.parse_question(question)
    vector = np.asarray(question)
    if vector.shape != (sort_of_clevr.QUESTION_SIZE,) or not np.isfinite(vector).all():
        raise InputError(
            "A question is a Question, English text, or the paper's 11-element encoding."
        )
    return sort_of_clevr.decode_question(vector)


def as_pixels(image) -> np.ndarray:
    """(75, 75, 3) uint8 pixels from a scene, a PIL image or an array (resized when needed)."""
    if isinstance(image, ClevrScene):
        return image.render()
    if isinstance(image, Image.Image):
        if max(image.size) > MAX_IMAGE_SIDE:
            raise InputError(f"The picture is larger than {MAX_IMAGE_SIDE} pixels on a side.")
        picture = image.convert("RGB")
    else:
        array = np.asarray(image)
        if array.dtype == object or array.ndim not in (2, 3) or min(array.shape[:2]) < 1:
            raise InputError("The image must be a height x width (x 3) array of pixels.")
        if max(array.shape[:2]) > MAX_IMAGE_SIDE:
            raise InputError(f"The picture is larger than {MAX_IMAGE_SIDE} pixels on a side.")
        if array.ndim == 3 and array.shape[2] not in (1, 3, 4):
            raise InputError("The image must have 1, 3 or 4 channels.")
        if not np.issubdtype(array.dtype, np.number) or not np.isfinite(array).all():
            raise InputError("The image must hold finite numbers.")
        if array.dtype != np.uint8:
            array = np.clip(array, 0, 255).astype("uint8")
        if array.ndim == 3 and array.shape[2] == 1:
            array = array[:, :, 0]
        picture = Image.fromarray(array).convert("RGB")
    if picture.size != (CANVAS, CANVAS):
        picture = picture.resize((CANVAS, CANVAS), Image.Resampling.BILINEAR)
    return np.asarray(picture)


class QuestionAnswerer(Pretrained):
    """Any of the trained networks: ``answer(image, question)`` -> :class:`Answer`."""

    DEMO = DEMO
    DEFAULT_NAME = DEFAULT_CHECKPOINT

    def __init__(self, model, path: Path | None = None, card=None):
        super().__init__(model, path, card)
        self.inputs = input_names(model)
        # One trace for any batch size.
        signature = {
            "image": tf.TensorSpec([None, CANVAS, CANVAS, 3], tf.uint8),
            "question": tf.TensorSpec([None, sort_of_clevr.QUESTION_SIZE], tf.float32),
            "question_words": tf.TensorSpec([None, sort_of_clevr.QUESTION_WORDS], tf.int32),
        }
        self._forward = tf.function(
            lambda inputs: tf.nn.softmax(self.model(inputs, training=False)),
            input_signature=[{name: signature[name] for name in self.inputs}],
        )

    @property
    def architecture(self) -> str:
        return self.model.name

    @property
    def sees_the_image(self) -> bool:
        return "image" in self.inputs

    def _trace(self) -> None:
        self.answer_many([np.zeros((CANVAS, CANVAS, 3), "uint8")], [Question("shape", "red")])

    def answer_many(self, images, questions) -> list[Answer]:
        """Answers for pairs of images and questions (the same forms :meth:`answer` takes)."""
        if len(images) != len(questions):
            raise InputError(f"{len(images)} images but {len(questions)} questions")
        parsed = [as_question(question) for question in questions]
        pixels = np.stack([as_pixels(image) for image in images]) if images else None
        if pixels is None:
            return []
        inputs = inputs_for(
            self.model,
            pixels,
            np.stack([question.encode() for question in parsed]),
            [question.english() for question in parsed],
        )
        probabilities = np.asarray(self._forward(inputs))
        return [
            Answer(
                ANSWERS[int(row.argmax())],
                float(row.max()),
                {word: float(p) for word, p in zip(ANSWERS, row, strict=True)},
            )
            for row in probabilities
        ]

    def answer(self, image, question) -> Answer:
        """Answer ``question`` (English, a :class:`Question` or its encoding) about ``image`` (a
        scene, a 75x75 picture or array; other sizes are resized)."""
        return self.answer_many([image], [question])[0]


class RelationNetwork(QuestionAnswerer):
    """The Relation Network; :meth:`pair_weights` shows which object pairs its answer rests on."""

    def __init__(self, model, path: Path | None = None, card=None):
        try:
            relations = model.get_layer("relations")
            objects_layer = model.get_layer("objects")
        except ValueError:
            raise CheckpointError(f"{model.name} is not a Relation Network checkpoint") from None
        super().__init__(model, path, card)
        image = model.get_layer("image").output
        self._objects = keras.Model(image, objects_layer.output)
        self._relations = relations
        self._head = [model.get_layer(name) for name in ("f_1", "f_2", "answer")]
        grid_cells = int(objects_layer.output.shape[1])
        self.grid_side = int(round(grid_cells**0.5))
        self._contributions = tf.function(
            self._pair_contributions,
            input_signature=[
                tf.TensorSpec([None, CANVAS, CANVAS, 3], tf.uint8),
                tf.TensorSpec([None, sort_of_clevr.QUESTION_SIZE], tf.float32),
                tf.TensorSpec([None], tf.int32),
            ],
        )

    def _pair_contributions(self, image, question, answer):
        objects = self._objects(image, training=False)
        pairs = self._relations.pair_features(objects, question)
        pooled = self._relations.pool(pairs)
        with tf.GradientTape() as tape:
            tape.watch(pooled)
            logits = pooled
            for layer in self._head:
                logits = layer(logits)
            chosen = tf.gather(logits, answer, batch_dims=1)
        slope = tape.gradient(chosen, pooled)
        shares = tf.reduce_sum(pairs * slope[:, None, None, :], axis=-1)
        if self._relations.aggregate == "mean":
            shares = shares / tf.cast(tf.shape(pairs)[1] * tf.shape(pairs)[2], shares.dtype)
        return shares

    def pair_weights(self, image, question) -> tuple[Answer, np.ndarray]:
        """The answer, and each ordered pair's share in it: a (cells, cells) array where [i, j]
        is the pair (cell i, cell j) of the CNN's grid (row-major), as g's output for the pair
        times the slope of the chosen answer's logit, divided by the pair count when the network
        averages its pairs (a first-order attribution: the shares add up to the pooled vector's
        linear contribution to that logit, not to the probability)."""
        answer = self.answer(image, question)
        parsed = as_question(question)
        weights = self._contributions(
            as_pixels(image)[None],
            parsed.encode()[None],
            np.asarray([ANSWERS.index(answer.text)], "int32"),
        )
        return answer, np.asarray(weights)[0]

    def cell_centre(self, cell: int) -> tuple[float, float]:
        """Pixel (x, y) of grid cell ``cell``'s centre in the 75-pixel image."""
        size = CANVAS / self.grid_side
        row, column = divmod(int(cell), self.grid_side)
        return ((column + 0.5) * size, (row + 0.5) * size)


def load_installed(checkpoint=None) -> dict[str, QuestionAnswerer]:
    """Every installed network by name, warmed up; Relation Networks as :class:`RelationNetwork`
    (they also draw their pairs). A CheckpointError when there is none."""
    found = QuestionAnswerer.available(checkpoint)
    if not found:
        raise CheckpointError("No vqa model is installed; train one with `showcase train vqa`.")
    return {
        name: (RelationNetwork if name.startswith(DEFAULT_CHECKPOINT) else QuestionAnswerer)
        .load(path)
        .warm_up()
        for name, path in found.items()
    }
