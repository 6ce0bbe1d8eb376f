"""The colour curriculum: which questions each stage trains on, and a run that uses it."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from showcase.errors import ShowcaseError
from showcase.vqa import sort_of_clevr
from showcase.vqa.curriculum import (
    CURRICULUM_KINDS,
    DISTANCE_KINDS,
    asked_of_every_scene,
    stage_questions,
    stages,
)
from showcase.vqa.presets import VQATrainConfig
from showcase.vqa.train import train


@pytest.fixture(scope="module")
def scenes():
    return sort_of_clevr.question_set(range(30))


def asked(data) -> list[tuple[str, str]]:
    return [
        (sort_of_clevr.QUESTION_TYPES[kind], sort_of_clevr.decode_question(vector).colour)
        for kind, vector in zip(data.kinds, data.questions, strict=True)
    ]


def test_each_stage_asks_position_questions_about_one_more_colour_then_shape_too(scenes):
    everything = asked(scenes)
    plan = stages(scenes)
    for colours, kinds, questions in plan:
        allowed = set(sort_of_clevr.COLOUR_NAMES[:colours])
        expected = [(k, c) for k, c in everything if k in kinds and c in allowed]
        assert asked(questions) == expected and len(expected) > 0
    assert [(colours, kinds) for colours, kinds, _ in plan] == [
        *[(colours, CURRICULUM_KINDS) for colours in range(1, 7)],
        (6, sort_of_clevr.NON_RELATIONAL),
    ]


def test_a_stage_keeps_each_question_with_its_own_scene_and_answer(scenes):
    stage = stage_questions(scenes, 3)
    assert stage.images is scenes.images
    for row in range(len(stage)):
        scene = sort_of_clevr.make_scene(int(scenes.seeds[stage.image_index[row]]))
        question = sort_of_clevr.decode_question(stage.questions[row])
        assert sort_of_clevr.ANSWERS[stage.answers[row]] == scene.answer(question)
        assert stage.texts[row] in {question.english(0), question.english(1)}


@pytest.mark.parametrize("colours", [0, 7, -1])
def test_a_stage_asks_about_one_to_six_colours(scenes, colours):
    with pytest.raises(ValueError, match="1 to 6 colours"):
        stage_questions(scenes, colours)


def test_a_run_with_the_curriculum_logs_every_stage_on_its_card(tmp_path):
    config = VQATrainConfig(
        model="blind", scenes=12, validation_scenes=2, test_scenes=2, epochs=1,
        curriculum_steps=2, curriculum_learning_rate=3e-3, out=str(tmp_path), verbose=0,
    )  # fmt: skip
    card = json.loads(train(config).with_name("blind.card.json").read_text())
    log = card["hyperparameters"]["curriculum_log"]
    assert [row["colours"] for row in log] == [1, 2, 3, 4, 5, 6, 6]
    assert log[-1]["kinds"] == list(sort_of_clevr.NON_RELATIONAL)
    sizes = [row["questions"] for row in log]
    assert sizes == sorted(sizes) and sizes[-1] > 0
    assert all(np.isfinite(row["loss"]) for row in log if row["questions"])
    assert card["hyperparameters"]["curriculum_steps"] == 2
    assert card["hyperparameters"]["curriculum_learning_rate"] == 3e-3
    per_type = card["hyperparameters"]["epochs_log"][0]["validation_per_type"]
    assert set(per_type) == set(sort_of_clevr.QUESTION_TYPES)


def test_a_negative_curriculum_is_a_one_line_error(tmp_path):
    with pytest.raises(ShowcaseError, match="--curriculum-steps must be 0 or more"):
        train(VQATrainConfig(curriculum_steps=-1, out=str(tmp_path)))


def test_a_negative_curriculum_step_size_is_a_one_line_error(tmp_path):
    with pytest.raises(ShowcaseError, match="--curriculum-learning-rate must be 0 or more"):
        train(VQATrainConfig(curriculum_steps=1, curriculum_learning_rate=-1e-3, out=str(tmp_path)))


def test_a_stage_with_a_target_stops_once_it_is_met_and_logs_its_accuracy(tmp_path, monkeypatch):
    # Any network meets a target this low: each of the 7 stages stops at its first check, after
    # 2 of the 6 steps it may take.
    monkeypatch.setattr("showcase.vqa.train.CURRICULUM_CHECK_STEPS", 2)
    config = VQATrainConfig(
        model="blind", scenes=12, validation_scenes=3, test_scenes=2, epochs=1,
        curriculum_steps=6, curriculum_target=1e-9, out=str(tmp_path), verbose=0,
    )  # fmt: skip
    card = json.loads(train(config).with_name("blind.card.json").read_text())
    log = card["hyperparameters"]["curriculum_log"]
    assert [row["steps"] for row in log if row["questions"]] == [2] * 7
    assert all(0.0 <= row["validation_accuracy"] <= 1.0 for row in log)


@pytest.mark.parametrize("target", [-0.1, 1.5, float("nan")])
def test_a_curriculum_target_outside_0_to_1_is_a_one_line_error(tmp_path, target):
    with pytest.raises(ShowcaseError, match=r"--curriculum-target must be in \[0, 1\]"):
        train(VQATrainConfig(curriculum_steps=1, curriculum_target=target, out=str(tmp_path)))


def test_distance_stages_ask_every_scene_closest_and_furthest_about_one_more_colour(scenes):
    plan = stages(scenes, distance=True)
    assert [(colours, kinds) for colours, kinds, _ in plan[7:]] == [
        (colours, DISTANCE_KINDS) for colours in range(1, 7)
    ]
    for colours, _, questions in plan[7:]:
        allowed = sort_of_clevr.COLOUR_NAMES[:colours]
        expected = [(kind, colour) for colour in allowed for kind in DISTANCE_KINDS]
        assert asked(questions) == expected * len(scenes.seeds)
        assert questions.images is scenes.images


def test_every_scene_is_asked_with_its_own_answers(scenes):
    questions = asked_of_every_scene(scenes, DISTANCE_KINDS)
    assert len(questions) == 12 * len(scenes.seeds)
    for row in range(len(questions)):
        scene = sort_of_clevr.make_scene(int(scenes.seeds[questions.image_index[row]]))
        question = sort_of_clevr.decode_question(questions.questions[row])
        target = scene.object_of(question.colour)
        others = [obj for obj in scene.objects if obj is not target]
        distances = [math.dist((obj.x, obj.y), (target.x, target.y)) for obj in others]
        pick = np.argmin if question.kind == "closest" else np.argmax
        assert sort_of_clevr.ANSWERS[questions.answers[row]] == others[pick(distances)].shape
        assert questions.texts[row] in {question.english(0), question.english(1)}


def test_a_distance_curriculum_without_curriculum_steps_is_a_one_line_error(tmp_path):
    with pytest.raises(ShowcaseError, match="--distance-curriculum needs --curriculum-steps"):
        train(VQATrainConfig(distance_curriculum=True, out=str(tmp_path)))


def test_a_warm_start_skips_the_stages_it_already_meets_and_trains_the_others(tmp_path):
    small = {"model": "blind", "scenes": 12, "validation_scenes": 30, "test_scenes": 2}
    first = train(VQATrainConfig(**small, epochs=1, out=str(tmp_path / "first"), verbose=0))
    config = VQATrainConfig(
        **small, epochs=1, warm_start=str(first), curriculum_steps=4, curriculum_target=1e-9,
        distance_curriculum=True, out=str(tmp_path / "second"), verbose=0,
    )  # fmt: skip
    card = json.loads(train(config).with_name("blind.card.json").read_text())
    log = card["hyperparameters"]["curriculum_log"]
    assert len(log) == 13 and log[-1]["kinds"] == list(DISTANCE_KINDS)
    # A stage that one right answer meets is skipped; one with none right trains its 4 steps.
    assert any(row["steps"] == 0 for row in log)
    for row in log:
        assert row["steps"] in (0, 4)
        if row["steps"] == 0 or row["validation_accuracy"] < 1e-9:
            assert (row["steps"] == 0) == (row["validation_accuracy"] >= 1e-9)
    assert card["hyperparameters"]["distance_curriculum"] is True
