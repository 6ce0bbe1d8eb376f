"""The shipped sentiment checkpoint: it loads safely, answers sensibly, and (when the SST-2 files
are in the shared data) reproduces the accuracy its model card states."""

import json

import pytest

from showcase import cli
from showcase.sentiment import SentimentClassifier
from tests.support import shared_dataset


@pytest.fixture(scope="module")
def shipped():
    return SentimentClassifier.from_pretrained()


def test_shipped_model_reads_plain_movie_sentences(shipped):
    (good, p_good), (bad, p_bad) = shipped.predict(["a wonderful film", "this movie is terrible"])
    assert (good, bad) == ("positive", "negative")
    assert p_good > 0.8 and p_bad > 0.8


def test_shipped_model_card_is_complete(shipped):
    card = shipped.card
    assert card.metric["split"].startswith("SST-2 test")
    assert card.params > 0 and card.training_time_s > 0 and card.hardware and card.versions
    assert card.benchmark["median_ms"]["one sentence"] < 50


def test_evaluate_reproduces_the_card_on_sst2_test(shared_data, shipped, capsys):
    sst2 = shared_dataset(shared_data, "sst2_sentence")
    assert cli.main(["evaluate", "sentiment", "--data", str(sst2), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["split"] == "SST-2 test (1,821 sentences)"
    assert result["value"] == pytest.approx(shipped.card.metric["value"], abs=1e-4)
