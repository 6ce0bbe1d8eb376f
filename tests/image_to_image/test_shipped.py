"""The shipped pix2pix models: their cards, the issue's targets as the cards state them, and the
figures measured again on part of the held-out photos (the whole test is `showcase evaluate
image_to_image`)."""

import pytest

from showcase.image_to_image.api import Pix2Pix
from showcase.image_to_image.data import held_out
from showcase.image_to_image.evaluate import score_generator
from tests.support import shared_dataset, shipped

pytestmark = [
    pytest.mark.xdist_group("image_to_image_models"),
    pytest.mark.skipif(not shipped("image_to_image"), reason="no image_to_image model is shipped"),
]
PHOTOS = 40  # a fifth of the 200 held-out photos


@pytest.fixture(scope="module")
def cards():
    return {name: Pix2Pix.card_for(name) for name in shipped("image_to_image")}


def test_both_models_are_shipped_with_every_figure(cards):
    assert set(cards) == {"pix2pix", "l1_only"}
    for card in cards.values():
        assert card.metric["split"].startswith("BSDS500/test, 200 photos")
        assert {"l1", "ssim", "edge_f1", "colourfulness", "sharpness"} <= set(card.metric)


def test_pix2pix_is_more_colourful_and_sharper_than_l1_alone_at_comparable_psnr(cards):
    gan, l1_only = cards["pix2pix"].metric, cards["l1_only"].metric
    assert gan["colourfulness"] > l1_only["colourfulness"]
    assert gan["sharpness"] > l1_only["sharpness"]
    assert abs(gan["psnr"] - l1_only["psnr"]) < 2.0


def test_a_fifth_of_the_held_out_photos_agrees_with_each_card(cards, shared_data):
    photos = held_out(shared_dataset(shared_data, "natural_images", "BSDS500", "test"), PHOTOS)
    measured = {
        name: score_generator(Pix2Pix.from_pretrained(name).model, photos) for name in cards
    }
    for name, card in cards.items():
        assert measured[name]["psnr"] == pytest.approx(card.metric["psnr"], abs=1.0), name
    assert measured["pix2pix"]["colourfulness"] > measured["l1_only"]["colourfulness"]
