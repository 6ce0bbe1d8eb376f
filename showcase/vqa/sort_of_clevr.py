"""Sort-of-CLEVR (Santoro et al. 2017, section 4.2): scenes of six coloured objects, questions
about them, and exact answers.

Scenes
    Six objects on a white ``CANVAS`` x ``CANVAS`` image (75 pixels, as in the paper), one of each
    colour of the captioning demo's palette (``showcase.captioning.api.COLOURS``), each a
    square or a circle of one size (:data:`RADIUS`). Objects are drawn with the captioning demo's
    renderer (its ``Scene``); only the layout rule is new here.
    Objects never overlap, and layouts where "the closest" or "the furthest" object would be a
    tie are drawn again, so every question has exactly one answer.

Questions (:data:`QUESTION_TYPES`)
    Non-relational, about the object of colour *c*: its shape; whether it is on the left or the
    right half; whether it is in the top or the bottom half. Relational: the shape of the object
    closest to *c*; the shape of the object furthest from *c*; how many objects have the same
    shape as *c* (itself included, 1 to 6). Distances are between centres.

Encoding (as in the paper)
    A question is an 11-element binary vector: the colour (6, one-hot), relational or not (2,
    one-hot), and the subtype (3, one-hot). Answers are one of :data:`ANSWERS` (12 words).
    The same questions in English (:func:`english`, :func:`parse_question`) feed the text-question
    model; :func:`parse_question` reads a typed question back into its encoding and refuses one
    outside the templates with a message that lists them.

Datasets
    Each scene gets ``QUESTIONS_PER_KIND`` (10) non-relational and 10 relational questions with
    colour and subtype drawn from the scene's seed, as in the paper. Training scenes come from
    :data:`TRAIN_SEEDS`, model selection from :data:`VALIDATION_SEEDS`, and the fixed held-out
    test from :data:`TEST_SEEDS`; the ranges are disjoint.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from showcase.captioning.api import COLOURS, Scene, SceneObject
from showcase.errors import InputError

CANVAS = 75
RADIUS = 5  # squares are 11 pixels wide, circles 11 across
SHAPES = ("square", "circle")
COLOUR_NAMES = tuple(COLOURS)  # red, green, blue, yellow, purple, orange
OBJECTS = len(COLOUR_NAMES)
# Centres at least this far apart on each axis or the other: the shapes' boxes never touch.
MIN_GAP = 2 * RADIUS + 3

NON_RELATIONAL = ("shape", "horizontal", "vertical")
RELATIONAL = ("closest", "furthest", "count")
QUESTION_TYPES = NON_RELATIONAL + RELATIONAL
ANSWERS = ("square", "circle", "left", "right", "top", "bottom", "1", "2", "3", "4", "5", "6")
QUESTION_SIZE = OBJECTS + 2 + 3
QUESTIONS_PER_KIND = 10

TRAIN_SEEDS = range(0, 1_000_000)
VALIDATION_SEEDS = range(1_000_000, 1_010_000)
TEST_SEED_START = 10_000_000
TEST_SEEDS = range(TEST_SEED_START, TEST_SEED_START + 10_000)
TRAIN_SCENES = 9_800  # the paper's split: 9,800 training and 200 test scenes
TEST_SCENES = 1_000  # five times the paper's 200, for tighter per-type figures

_LAYOUT_TRIES = 1_000

# The English forms, one list per question type; the first is the one the UI offers. "{c}" is
# a colour. The text-question model trains on all of them.
TEMPLATES = {
    "shape": ("what shape is the {c} object", "what is the shape of the {c} object"),
    "horizontal": (
        "is the {c} object on the left or the right",
        "is the {c} object on the left or right side",
    ),
    "vertical": (
        "is the {c} object at the top or the bottom",
        "is the {c} object in the top or bottom half",
    ),
    "closest": (
        "what shape is the object closest to the {c} object",
        "what is the shape of the object nearest to the {c} one",
    ),
    "furthest": (
        "what shape is the object furthest from the {c} object",
        "what is the shape of the object farthest from the {c} one",
    ),
    "count": (
        "how many objects have the same shape as the {c} object",
        "how many objects are the same shape as the {c} one",
    ),
}
MAX_QUESTION_CHARS = 200
# The text-question model's words: id 0 pads, id 1 is any word outside the templates.
WORDS = tuple(
    dict.fromkeys(
        word
        for forms in TEMPLATES.values()
        for form in forms
        for colour in COLOURS
        for word in form.format(c=colour).split()
    )
)
PADDING, UNKNOWN = 0, 1
QUESTION_WORDS = max(len(form.split()) for forms in TEMPLATES.values() for form in forms)
_WORD_IDS = {word: index + 2 for index, word in enumerate(WORDS)}


@dataclasses.dataclass(frozen=True)
class Question:
    """One question: its type (one of :data:`QUESTION_TYPES`) about the object of ``colour``."""

    kind: str
    colour: str

    @property
    def relational(self) -> bool:
        return self.kind in RELATIONAL

    def encode(self) -> np.ndarray:
        """The paper's 11-element vector: colour one-hot, relational one-hot, subtype one-hot."""
        vector = np.zeros(QUESTION_SIZE, dtype="float32")
        vector[COLOUR_NAMES.index(self.colour)] = 1.0
        vector[OBJECTS + int(self.relational)] = 1.0
        group = RELATIONAL if self.relational else NON_RELATIONAL
        vector[OBJECTS + 2 + group.index(self.kind)] = 1.0
        return vector

    def english(self, variant: int = 0) -> str:
        forms = TEMPLATES[self.kind]
        return forms[variant % len(forms)].format(c=self.colour) + "?"


def decode_question(vector) -> Question:
    """The :class:`Question` an 11-element encoding stands for."""
    vector = np.asarray(vector)
    colour = COLOUR_NAMES[int(np.argmax(vector[:OBJECTS]))]
    relational = bool(vector[OBJECTS + 1] > vector[OBJECTS])
    group = RELATIONAL if relational else NON_RELATIONAL
    return Question(group[int(np.argmax(vector[OBJECTS + 2 :]))], colour)


@dataclasses.dataclass
class ClevrScene:
    """Six objects, one per colour, and the answers to every question about them."""

    seed: int
    objects: list[SceneObject]

    def render(self) -> np.ndarray:
        """The scene as a (75, 75, 3) uint8 array (no anti-aliasing: exact colours)."""
        return np.asarray(Scene(self.seed, CANVAS, self.objects).render())

    def object_of(self, colour: str) -> SceneObject:
        return next(obj for obj in self.objects if obj.colour == colour)

    def answer(self, question: Question) -> str:
        target = self.object_of(question.colour)
        if question.kind == "shape":
            return target.shape
        if question.kind == "horizontal":
            return "left" if target.x < CANVAS / 2 else "right"
        if question.kind == "vertical":
            return "top" if target.y < CANVAS / 2 else "bottom"
        if question.kind == "count":
            return str(sum(obj.shape == target.shape for obj in self.objects))
        others = sorted(
            (obj for obj in self.objects if obj is not target),
            key=lambda obj: _squared_distance(obj, target),
        )
        return (others[0] if question.kind == "closest" else others[-1]).shape


def _squared_distance(a: SceneObject, b: SceneObject) -> int:
    return (a.x - b.x) ** 2 + (a.y - b.y) ** 2


def _unambiguous(objects: list[SceneObject]) -> bool:
    for target in objects:
        distances = sorted(_squared_distance(target, obj) for obj in objects if obj is not target)
        if distances[0] == distances[1] or distances[-1] == distances[-2]:
            return False
    return True


def check_seed(seed) -> int:
    if isinstance(seed, float) and seed.is_integer():
        seed = int(seed)  # number boxes send 3.0
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise InputError(f"The scene seed must be a whole number, not {seed!r}.")
    if not 0 <= seed < 2**32:
        raise InputError(f"The scene seed must be between 0 and {2**32 - 1}; {seed} is not.")
    return int(seed)


def make_scene(seed: int) -> ClevrScene:
    """The scene of ``seed``: the same seed gives the same objects and pixels."""
    seed = check_seed(seed)
    rng = np.random.default_rng([seed, 2017])
    low, high = RADIUS + 1, CANVAS - 1 - RADIUS
    for _ in range(_LAYOUT_TRIES):
        centres: list[tuple[int, int]] = []
        while len(centres) < OBJECTS:
            x, y = (int(value) for value in rng.integers(low, high, size=2))
            if all(max(abs(x - cx), abs(y - cy)) >= MIN_GAP for cx, cy in centres):
                centres.append((x, y))
        shapes = rng.integers(len(SHAPES), size=OBJECTS)
        objects = [
            SceneObject(SHAPES[shape], colour, "small", x, y, RADIUS)
            for colour, shape, (x, y) in zip(COLOUR_NAMES, shapes, centres, strict=True)
        ]
        if _unambiguous(objects):
            return ClevrScene(seed, objects)
    raise InputError(f"could not lay out an unambiguous scene for seed {seed}")  # pragma: no cover


def questions_for(seed: int, per_kind: int = QUESTIONS_PER_KIND) -> list[Question]:
    """The scene's ``per_kind`` non-relational then ``per_kind`` relational questions."""
    rng = np.random.default_rng([seed, 4])
    questions = []
    for group in (NON_RELATIONAL, RELATIONAL):
        colours = rng.integers(OBJECTS, size=per_kind)
        kinds = rng.integers(len(group), size=per_kind)
        questions += [
            Question(group[kind], COLOUR_NAMES[colour])
            for kind, colour in zip(kinds, colours, strict=True)
        ]
    return questions


@dataclasses.dataclass
class QuestionSet:
    """Images and questions, flat: question ``i`` is about ``images[image_index[i]]``."""

    images: np.ndarray  # (scenes, 75, 75, 3) uint8
    image_index: np.ndarray  # (questions,) int32
    questions: np.ndarray  # (questions, 11) float32
    texts: list[str]  # the English form of each question
    kinds: np.ndarray  # (questions,) index into QUESTION_TYPES
    answers: np.ndarray  # (questions,) index into ANSWERS
    seeds: np.ndarray  # (scenes,) the scene seeds

    def __len__(self) -> int:
        return len(self.answers)

    def subset(self, keep: np.ndarray) -> QuestionSet:
        """The questions where the boolean mask ``keep`` is true, about the same images."""
        keep = np.asarray(keep, dtype=bool)
        return dataclasses.replace(
            self,
            image_index=self.image_index[keep],
            questions=self.questions[keep],
            texts=[text for text, kept in zip(self.texts, keep, strict=True) if kept],
            kinds=self.kinds[keep],
            answers=self.answers[keep],
        )


def question_set(seeds, per_kind: int = QUESTIONS_PER_KIND) -> QuestionSet:
    """Render the scenes of ``seeds`` and ask each one ``2 * per_kind`` questions.

    English forms alternate between the templates' variants, picked by the scene's seed.
    """
    seeds = [check_seed(seed) for seed in seeds]
    images, image_index, vectors, texts, kinds, answers = [], [], [], [], [], []
    for position, seed in enumerate(seeds):
        scene = make_scene(seed)
        images.append(scene.render())
        for number, question in enumerate(questions_for(seed, per_kind)):
            image_index.append(position)
            vectors.append(question.encode())
            texts.append(question.english(seed + number))
            kinds.append(QUESTION_TYPES.index(question.kind))
            answers.append(ANSWERS.index(scene.answer(question)))
    return QuestionSet(
        images=np.stack(images) if images else np.zeros((0, CANVAS, CANVAS, 3), "uint8"),
        image_index=np.asarray(image_index, dtype="int32"),
        questions=np.asarray(vectors, dtype="float32").reshape(-1, QUESTION_SIZE),
        texts=texts,
        kinds=np.asarray(kinds, dtype="int32"),
        answers=np.asarray(answers, dtype="int32"),
        seeds=np.asarray(seeds, dtype="int64"),
    )


def train_set(scenes: int = TRAIN_SCENES) -> QuestionSet:
    return question_set(TRAIN_SEEDS[:scenes])


def validation_set(scenes: int = 200) -> QuestionSet:
    return question_set(VALIDATION_SEEDS[:scenes])


def test_set(scenes: int = TEST_SCENES) -> QuestionSet:
    return question_set(TEST_SEEDS[:scenes])


# Words a person may use for the templates' own: matched as if they were the template's word.
SYNONYMS = {"one": "object", "nearest": "closest", "farthest": "furthest", "thing": "object"}


def normalise(text: str) -> str:
    """Lower case, punctuation dropped, single spaces: the form templates are matched in."""
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())


def _canonical(text: str) -> str:
    return " ".join(SYNONYMS.get(word, word) for word in normalise(text).split())


def word_ids(texts: list[str]) -> np.ndarray:
    """(len(texts), QUESTION_WORDS) int32 word ids of the normalised texts, zero-padded."""
    ids = np.zeros((len(texts), QUESTION_WORDS), dtype="int32")
    for row, text in enumerate(texts):
        words = normalise(text).split()[:QUESTION_WORDS]
        ids[row, : len(words)] = [_WORD_IDS.get(word, UNKNOWN) for word in words]
    return ids


def parse_question(text) -> Question:
    """Read an English question in the templated language; a clear error for anything else."""
    if not isinstance(text, str):
        raise InputError(f"A question must be text, not {type(text).__name__}.")
    if len(text) > MAX_QUESTION_CHARS:
        raise InputError(f"A question is at most {MAX_QUESTION_CHARS} characters long.")
    words = _canonical(text)
    if not words:
        raise InputError("Type a question, for example: " + Question("shape", "red").english())
    for kind, forms in TEMPLATES.items():
        for form in forms:
            for colour in COLOUR_NAMES:
                if words == _canonical(form.format(c=colour)):
                    return Question(kind, colour)
    colours = ", ".join(COLOUR_NAMES)
    examples = "; ".join(Question(kind, "red").english() for kind in QUESTION_TYPES)
    raise InputError(
        "That question is outside what these models understand. Ask about one colour "
        f"({colours}) in one of these forms: {examples}"
    )
