"""Train tiny networks through the real trainer, reload them through the API, evaluate them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from showcase.errors import CheckpointError, InputError, ShowcaseError
from showcase.vqa import RelationNetwork, SortOfClevr
from showcase.vqa.api import ANSWERS, QuestionAnswerer
from showcase.vqa.evaluate import describe, evaluate
from showcase.vqa.presets import VQATrainConfig
from showcase.vqa.train import train

pytestmark = pytest.mark.xdist_group("vqa_models")


def tiny(model: str, out, **changes) -> VQATrainConfig:
    settings = dict(
        model=model, scenes=8, validation_scenes=2, test_scenes=4, epochs=2, out=str(out),
        verbose=0,
    )  # fmt: skip
    return VQATrainConfig(**{**settings, **changes})


@pytest.fixture(scope="module")
def trained(tiny_vqa_models):
    return tiny_vqa_models


def test_training_writes_a_card_that_evaluate_reproduces(trained):
    path = trained["relation_network"]
    card = json.loads(path.with_name("relation_network.card.json").read_text())
    metric = card["metric"]
    assert metric["scenes"] == 4 and metric["questions"] == 80
    assert set(metric["per_type"]) == set(SortOfClevr.question_types)
    assert card["hyperparameters"]["model"] == "relation_network"
    assert len(card["curves"]["validation accuracy, relational questions"]["y"]) == 2
    row = evaluate(checkpoint=str(path))
    assert row["value"] == row["card_value"] == metric["value"]
    assert row["relational"] == metric["relational"]
    assert "relational" in describe(row)[0]


def test_evaluate_scores_every_checkpoint_in_a_folder_or_the_one_named(trained):
    folder = str(trained["blind"].parent)
    every = evaluate(checkpoint=folder)
    assert {row["name"] for row in every["results"]} == set(trained)
    assert evaluate(checkpoint=folder, model="blind")["architecture"] == "blind"
    with pytest.raises(CheckpointError, match="no vqa checkpoint called"):
        evaluate(checkpoint=folder, model="nonesuch")


def test_a_warm_start_continues_and_adds_up_the_training(trained, tmp_path):
    first = json.loads(trained["blind"].with_name("blind.card.json").read_text())
    path = train(tiny("blind", tmp_path, epochs=1, warm_start=str(trained["blind"])))
    card = json.loads(path.with_name("blind.card.json").read_text())
    assert card["hyperparameters"]["epochs_run"] == 3
    assert card["training_time_s"] > first["training_time_s"]
    with pytest.raises(ShowcaseError, match="is the model"):
        train(tiny("cnn_mlp", tmp_path, warm_start=str(trained["blind"])))


def test_the_api_answers_scenes_text_and_encodings(trained):
    network = RelationNetwork.load(trained["relation_network"]).warm_up()
    scene = SortOfClevr.scene(3)
    by_text = network.answer(scene, "What shape is the red object?")
    question = SortOfClevr.parse("what shape is the red object")
    assert by_text == network.answer(scene.render(), question)
    assert by_text == network.answer(scene.render(), question.encode())
    assert by_text.text in ANSWERS
    assert abs(sum(by_text.probabilities.values()) - 1) < 1e-4
    assert by_text.confidence == max(by_text.probabilities.values())
    many = network.answer_many([scene, scene], ["What shape is the red object?", question])
    # A batch of two may differ from a batch of one in the last bits of a float.
    assert [answer.text for answer in many] == [by_text.text] * 2
    assert [answer.confidence for answer in many] == pytest.approx([by_text.confidence] * 2)

    answer, weights = network.pair_weights(scene, question)
    assert answer == by_text
    assert weights.shape == (25, 25) and np.isfinite(weights).all()
    assert network.cell_centre(0) == (7.5, 7.5) and network.cell_centre(24) == (67.5, 67.5)


def test_every_architecture_answers_through_the_same_api(trained):
    scene = SortOfClevr.scene(11)
    for path in trained.values():
        network = QuestionAnswerer.load(path)
        assert network.answer(scene, "How many objects have the same shape as the blue one?")
    assert not QuestionAnswerer.load(trained["blind"]).sees_the_image
    with pytest.raises(CheckpointError, match="not a Relation Network"):
        RelationNetwork.load(trained["blind"])


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((0, 75, 3)),
        np.zeros((75, 75, 2)),
        np.full((75, 75, 3), np.nan),
        np.zeros((5000, 10, 3), "uint8"),
        np.array([["a"]], dtype=object),
        "a picture",
    ],
    ids=["empty", "two-channels", "nan", "huge", "objects", "text"],
)
def test_bad_images_get_clear_messages(trained, image):
    network = QuestionAnswerer.load(trained["blind"])
    with pytest.raises(InputError):
        QuestionAnswerer.load(trained["relation_network"]).answer(
            image, "what shape is the red object"
        )
    # The blind model does not look, but it still checks what it is given.
    with pytest.raises(InputError):
        network.answer(image, "what shape is the red object")


@pytest.mark.parametrize("question", ["Is the sky blue?", np.zeros(5), np.full(11, np.nan), 7])
def test_bad_questions_get_clear_messages(trained, question):
    network = QuestionAnswerer.load(trained["blind"])
    with pytest.raises(InputError):
        network.answer(SortOfClevr.scene(0), question)


def test_other_picture_sizes_are_resized():
    from PIL import Image

    from showcase.vqa.api import as_pixels

    picture = Image.fromarray(SortOfClevr.scene(1).render()).resize((150, 150))
    assert as_pixels(picture).shape == (75, 75, 3)
    assert as_pixels(np.zeros((30, 40), "uint8")).shape == (75, 75, 3)
