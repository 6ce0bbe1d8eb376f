"""The shipped image-to-image models: their cards, the issue's targets as the cards state them, and
the figures measured again on part of the held-out photos (the whole test is `showcase evaluate
image_to_image`)."""

from pathlib import Path

import pytest

from showcase.image_to_image.api import Colorizer, CycleGAN, Pix2Pix
from showcase.image_to_image.data import held_out
from showcase.image_to_image.evaluate import (
    HINT_COUNTS,
    score_colouriser,
    score_generator,
    score_painter,
)
from showcase.image_to_image.painting_data import painted_held_out
from tests.support import shared_dataset, shipped

pytestmark = [
    pytest.mark.xdist_group("image_to_image_models"),
    pytest.mark.skipif(not shipped("image_to_image"), reason="no image_to_image model is shipped"),
]
PHOTOS = 20  # a tenth of the 200 held-out photos
PAINTERS = ("cyclegan", "painting_pix2pix")


@pytest.fixture(scope="module")
def cards():
    return {name: Pix2Pix.card_for(name) for name in shipped("image_to_image")}


def test_every_model_is_shipped_with_every_figure(cards):
    assert set(cards) == {"pix2pix", "l1_only", "colour_regression", "colour_classes",
                          "colour_hints", "cyclegan", "painting_pix2pix"}  # fmt: skip
    for name, card in cards.items():
        assert card.metric["split"].startswith("BSDS500/test, 200 photos")
        if name.startswith("colour"):
            wanted = {"ssim", "colourfulness", "grey_psnr"}
        elif name in PAINTERS:
            wanted = {"ssim", "l1", "unchanged"} | ({"to_photo", "cycle"} if name == "cyclegan"
                                                    else set())  # fmt: skip
        else:
            wanted = {"l1", "ssim", "edge_f1", "colourfulness", "sharpness"}
        assert wanted <= set(card.metric), name
    assert set(Colorizer.available()) == {"colour_regression", "colour_classes", "colour_hints"}
    assert set(Pix2Pix.available()) == {"pix2pix", "l1_only"}
    assert set(CycleGAN.available()) == set(PAINTERS)


def test_pix2pix_is_more_colourful_and_sharper_than_l1_alone_at_comparable_psnr(cards):
    gan, l1_only = cards["pix2pix"].metric, cards["l1_only"].metric
    assert gan["colourfulness"] > l1_only["colourfulness"]
    assert gan["sharpness"] > l1_only["sharpness"]
    assert abs(gan["psnr"] - l1_only["psnr"]) < 2.0


def test_classes_are_clearly_more_colourful_than_regression_within_a_db(cards):
    classes, regression = cards["colour_classes"].metric, cards["colour_regression"].metric
    assert classes["colourfulness"] > 1.25 * regression["colourfulness"]
    assert abs(classes["psnr"] - regression["psnr"]) <= 1.0


def test_each_hint_raises_psnr(cards):
    curve = cards["colour_hints"].metric["psnr_by_hints"]
    assert list(curve) == [str(count) for count in HINT_COUNTS]
    values = list(curve.values())
    assert all(later > earlier for earlier, later in zip(values, values[1:], strict=False))


def test_a_tenth_of_the_held_out_photos_agrees_with_each_card(cards, shared_data):
    photos = held_out(shared_dataset(shared_data, "natural_images", "BSDS500", "test"), PHOTOS)
    measured = {
        name: score_generator(Pix2Pix.from_pretrained(name).model, photos)
        for name in Pix2Pix.available()
    }
    measured |= {
        name: score_colouriser(Colorizer.from_pretrained(name).model, photos)
        for name in Colorizer.available()
    }
    for name, card in cards.items():
        if name in PAINTERS:
            continue  # scored against their paintings, below
        assert measured[name]["psnr"] == pytest.approx(card.metric["psnr"], abs=1.0), name
    assert measured["pix2pix"]["colourfulness"] > measured["l1_only"]["colourfulness"]
    assert (
        measured["colour_classes"]["colourfulness"] > measured["colour_regression"]["colourfulness"]
    )


def test_the_paired_upper_bound_and_the_cycle_as_the_cards_state_them(cards):
    cyclegan, paired = cards["cyclegan"].metric, cards["painting_pix2pix"].metric
    assert paired["psnr"] > cyclegan["psnr"]  # pairs teach more than their absence
    assert cyclegan["unchanged"] == paired["unchanged"]  # the same held-out photos and targets
    assert paired["psnr"] > paired["unchanged"]["psnr"]  # closer to the painting than the photo is
    # CycleGAN's paintings take most of the way from the photos' colourfulness (about 43) to the
    # true paintings'.
    assert cyclegan["colourfulness"] > 0.8 * cyclegan["paintings"]["colourfulness"]
    assert set(cyclegan["cycle"]) == {"photo", "painting"}


def test_a_tenth_of_the_painted_photos_agrees_with_each_painting_card(cards, shared_data):
    photos = shared_dataset(shared_data, "natural_images", "BSDS500", "test")
    paintings = Path(cards["cyclegan"].dataset["held_out_paintings"])
    if not paintings.is_dir():
        pytest.skip(f"the held-out photos' paintings are not in {paintings} (made by "
                    "python -m showcase.image_to_image.painted; see docs/data.md)")  # fmt: skip
    held = painted_held_out(photos, paintings, PHOTOS)
    for name in PAINTERS:
        measured = score_painter(CycleGAN.from_pretrained(name).model, held)
        assert measured["psnr"] == pytest.approx(cards[name].metric["psnr"], abs=1.0), name
