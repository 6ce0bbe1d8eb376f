"""The shipped networks: their cards, and their figures measured again on part of the held-out
scenes (the whole test is `showcase evaluate vqa`)."""

import pytest

from showcase.vqa.api import QuestionAnswerer, RelationNetwork, SortOfClevr
from showcase.vqa.scoring import score
from tests.support import shipped

pytestmark = [
    pytest.mark.xdist_group("vqa_models"),
    pytest.mark.skipif(not shipped("vqa"), reason="no vqa checkpoint is shipped"),
]
SCENES = 100  # 2,000 questions: a tenth of the card's held-out scenes


@pytest.fixture(scope="module")
def cards():
    return {name: QuestionAnswerer.card_for(name) for name in shipped("vqa")}


def test_every_model_is_shipped_with_a_card_per_question_type(cards):
    assert set(cards) == {"relation_network", "cnn_mlp", "cnn_lstm", "blind"}
    for card in cards.values():
        assert card.metric["questions"] == 20_000 and card.metric["value"] is not None
        assert set(card.metric["per_type"]) == set(SortOfClevr.question_types)


def test_the_relation_network_meets_its_targets_and_beats_every_baseline_on_relations(cards):
    network = cards["relation_network"].metric
    assert network["non_relational"] >= 0.98 and network["relational"] >= 0.90
    for name in ("cnn_mlp", "cnn_lstm", "blind"):
        assert network["relational"] > cards[name].metric["relational"], name


def test_every_model_that_looks_beats_the_question_alone_on_relational_questions(cards):
    blind = cards["blind"].metric["relational"]
    for name in ("relation_network", "cnn_mlp", "cnn_lstm"):
        assert cards[name].metric["relational"] > blind + 0.1, name


def test_a_tenth_of_the_held_out_scenes_agrees_with_each_card(cards):
    data = SortOfClevr.split("test", SCENES)
    for name, card in cards.items():
        measured = score(QuestionAnswerer.from_pretrained(name).model, data)
        for group in ("non_relational", "relational"):
            # 1,000 questions a group: a binomial standard error of 1.5 points at most.
            assert measured[group] == pytest.approx(card.metric[group], abs=0.05), (name, group)


def test_the_shipped_relation_network_shows_its_pairs():
    network = RelationNetwork.from_pretrained()
    answer, weights = network.pair_weights(
        SortOfClevr.scene(10_000_001), "what shape is the red object?"
    )
    assert answer.text in ("square", "circle") and weights.shape == (25, 25)
