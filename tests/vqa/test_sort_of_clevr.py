"""The generator's scenes and answers, checked against the pixels it drew."""

from __future__ import annotations

import numpy as np
import pytest

from showcase.captioning.api import COLOURS
from showcase.errors import InputError
from showcase.vqa import sort_of_clevr
from showcase.vqa.sort_of_clevr import (
    ANSWERS,
    CANVAS,
    COLOUR_NAMES,
    QUESTION_TYPES,
    Question,
    make_scene,
    parse_question,
    question_set,
)


def objects_seen_in(pixels: np.ndarray) -> dict[str, tuple[float, float, str]]:
    """colour -> (x, y, shape) measured from the picture alone: the centroid of the colour's
    pixels, and "square" when it fills its bounding box, "circle" when it fills about pi/4."""
    found = {}
    for name in COLOUR_NAMES:
        mask = (pixels == np.asarray(COLOURS[name], dtype=np.uint8)).all(axis=-1)
        rows, columns = np.nonzero(mask)
        assert len(rows), f"no {name} pixels"
        box = (rows.max() - rows.min() + 1) * (columns.max() - columns.min() + 1)
        fill = mask.sum() / box
        assert fill > 0.97 or 0.65 < fill < 0.85, (name, fill)
        found[name] = (columns.mean(), rows.mean(), "square" if fill > 0.97 else "circle")
    return found


def answer_from_pixels(pixels: np.ndarray, question: Question) -> str:
    seen = objects_seen_in(pixels)
    x, y, shape = seen[question.colour]
    if question.kind == "shape":
        return shape
    if question.kind == "horizontal":
        return "left" if x < CANVAS / 2 else "right"
    if question.kind == "vertical":
        return "top" if y < CANVAS / 2 else "bottom"
    if question.kind == "count":
        return str(sum(other[2] == shape for other in seen.values()))
    others = [
        (np.hypot(ox - x, oy - y), s) for c, (ox, oy, s) in seen.items() if c != question.colour
    ]
    others.sort()
    return (others[0] if question.kind == "closest" else others[-1])[1]


@pytest.mark.parametrize("seed", list(range(0, 4000, 97)) + [10_000_000, 2**32 - 1])
def test_every_answer_matches_what_the_pixels_show(seed):
    scene = make_scene(seed)
    pixels = scene.render()
    assert pixels.shape == (CANVAS, CANVAS, 3) and pixels.dtype == np.uint8
    for kind in QUESTION_TYPES:
        for colour in COLOUR_NAMES:
            question = Question(kind, colour)
            assert scene.answer(question) == answer_from_pixels(pixels, question), (seed, question)


def test_scenes_are_reproducible_and_hold_six_separate_objects():
    first, again = make_scene(5), make_scene(5)
    assert np.array_equal(first.render(), again.render())
    assert sorted(obj.colour for obj in first.objects) == sorted(COLOUR_NAMES)
    assert not np.array_equal(first.render(), make_scene(6).render())
    for seed in range(200):
        objects = make_scene(seed).objects
        for a in objects:
            for b in objects:
                if a is not b:
                    assert max(abs(a.x - b.x), abs(a.y - b.y)) >= sort_of_clevr.MIN_GAP


def test_encoding_is_the_papers_eleven_bits_and_decodes_back():
    for kind in QUESTION_TYPES:
        for colour in COLOUR_NAMES:
            question = Question(kind, colour)
            vector = question.encode()
            assert vector.shape == (11,) and vector.sum() == 3
            assert sort_of_clevr.decode_question(vector) == question
    assert Question("count", "red").encode()[7] == 1  # relational bit
    assert Question("shape", "red").encode()[6] == 1  # non-relational bit


def test_question_sets_split_half_relational_and_follow_the_seeds():
    data = question_set(range(3))
    assert len(data) == 60 and data.images.shape == (3, CANVAS, CANVAS, 3)
    relational = np.isin(np.asarray(QUESTION_TYPES)[data.kinds], sort_of_clevr.RELATIONAL)
    assert relational.sum() == 30
    assert set(data.answers) <= set(range(len(ANSWERS)))
    for row in range(len(data)):
        scene = make_scene(int(data.seeds[data.image_index[row]]))
        question = sort_of_clevr.decode_question(data.questions[row])
        assert ANSWERS[data.answers[row]] == scene.answer(question)
        assert parse_question(data.texts[row]) == question
    assert not set(sort_of_clevr.TRAIN_SEEDS[:9_800]) & set(sort_of_clevr.TEST_SEEDS)


@pytest.mark.parametrize(
    "text",
    [
        "What shape is the RED object?",
        "  what   shape is the red object ",
        "what shape is the red object!!",
    ],
)
def test_typed_questions_are_read_loosely(text):
    assert parse_question(text) == Question("shape", "red")


@pytest.mark.parametrize(
    "text",
    ["", "   ", "What colour is the sky?", "what shape is the pink object", "x" * 500, 42, None],
)
def test_questions_outside_the_templates_get_a_clear_message(text):
    with pytest.raises(InputError) as caught:
        parse_question(text)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 600


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "3", None, True])
def test_bad_seeds_are_refused(seed):
    with pytest.raises(InputError):
        make_scene(seed)


def test_word_ids_pad_and_mark_unknown_words():
    ids = sort_of_clevr.word_ids(["what shape is the red object?", "zebra"])
    assert ids.shape == (2, sort_of_clevr.QUESTION_WORDS)
    assert (ids[0, :6] > 1).all() and (ids[0, 6:] == 0).all()
    assert ids[1, 0] == sort_of_clevr.UNKNOWN
