"""The shipped digit generator: it loads safely, draws the digits asked for (judged by the shipped
classifier), and, when the MNIST files are in the shared data, reproduces its model card."""

import numpy as np
import pytest

from showcase.dcgan import DigitGenerator
from showcase.dcgan.api import digit_classifier
from showcase.dcgan.data import to_unit_range
from showcase.dcgan.digit_classifier import logits_and_features
from showcase.dcgan.evaluate import evaluate
from tests.support import shared_dataset


@pytest.fixture(scope="module")
def shipped():
    return DigitGenerator.from_pretrained()


def test_shipped_generator_draws_the_requested_digits(shipped):
    digits = np.repeat(np.arange(10), 10)
    images = shipped.generate(list(digits), seed=7)
    logits, _ = logits_and_features(digit_classifier(shipped.path), to_unit_range(images))
    assert (logits.argmax(axis=1) == digits).mean() >= 0.9


def test_shipped_card_is_complete(shipped):
    card = shipped.card
    assert card.metric["value"] >= 0.95 and card.metric["diversity_passes"]
    assert card.metric["frechet_distance"] > card.metric["frechet_real_vs_real"] > 0
    assert 0 < card.training_time_s <= 20 * 60 and card.hardware.startswith("2 CPU cores")
    assert card.benchmark["median_ms"]["8x8 grid"] < 100


def test_shipped_card_is_reproduced_when_mnist_is_present(shared_data, shipped):
    # The DCGAN's card alone: each generator costs the suite about 25 s on 2 cores, and
    # `showcase evaluate dcgan` reproduces BEGAN's and PGGAN's the same way.
    mnist = shared_dataset(shared_data, "mnist_t10k")
    result = evaluate(str(shipped.path), str(mnist))
    assert result["name"] == "mnist_digits" and result["value"] == result["card_value"]
    assert result["value"] == shipped.card.metric["value"]
    assert result["frechet_distance"] == pytest.approx(
        shipped.card.metric["frechet_distance"], 0.01
    )
    assert result["diversity_passes"]


def test_shipped_began_had_the_dcgans_wall_time_and_logs_its_controller(shipped):
    began = DigitGenerator.from_pretrained("began")
    card = began.card
    assert began.is_digit_model and began.generate([3], seed=0).shape == (1, 28, 28)
    assert abs(card.training_time_s - shipped.card.training_time_s) < 60
    assert card.hyperparameters["model"] == "began" and card.metric["frechet_distance"] > 0
    k_curve = card.curves["BEGAN equilibrium controller k_t"]["y"]
    assert len(k_curve) > 100 and all(0.0 <= k <= 1.0 for k in k_curve)


def test_shipped_pggan_grew_for_the_dcgans_wall_time_and_beats_its_frechet_distance(shipped):
    grown = DigitGenerator.from_pretrained("pggan")
    card = grown.card
    stages = card.hyperparameters["stages"]
    assert [stage["resolution"] for stage in stages] == [4, 8, 16, 32]
    assert abs(sum(stage["seconds"] for stage in stages) - shipped.card.training_time_s) < 60
    assert card.metric["frechet_distance"] < shipped.card.metric["frechet_distance"]
    assert card.metric["value"] >= 0.95 and card.metric["diversity_passes"]
    assert [side for side, _ in grown.growth(3, seed=0)] == [4, 8, 16, 32]
    curve = card.curves["PGGAN resolution (pixels)"]["y"]
    assert curve[0] == 4 and curve[-1] == 32 and curve == sorted(curve)
