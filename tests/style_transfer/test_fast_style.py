import keras
import numpy as np
import pytest

from showcase import checkpoints
from showcase.style_transfer.loss_networks import LossNetwork
from showcase.style_transfer.model import FastStyleTrainer, build_transformer, stylize_array
from showcase.style_transfer.train import style_grams
from tests.support import train_tiny_style


@pytest.mark.parametrize("height, width", [(33, 47), (64, 64), (17, 90)])
def test_any_picture_size_comes_back_the_same_size(height, width):
    transformer = build_transformer(width=0.25, residual_blocks=1)
    picture = np.random.default_rng(0).integers(0, 255, (height, width, 3)).astype("uint8")
    out = stylize_array(transformer, picture)
    assert out.shape == (height, width, 3) and out.dtype == np.uint8


def test_instance_norm_network_round_trips_with_safe_mode(tmp_path):
    transformer = build_transformer(width=0.25, residual_blocks=1)
    path = tmp_path / "style.keras"
    transformer.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    picture = np.random.default_rng(1).uniform(0, 255, (1, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(transformer(picture), loaded(picture), atol=1e-4)
    assert any("instance_norm" in layer.name for layer in loaded.layers)


def test_a_short_training_run_lowers_the_perceptual_loss():
    keras.utils.set_random_seed(0)
    network = LossNetwork("random")
    rng = np.random.default_rng(2)
    painting = rng.integers(0, 255, (64, 64, 3)).astype("uint8")
    photos = rng.uniform(0, 255, (4, 64, 64, 3)).astype("float32")
    transformer = build_transformer(width=0.25, residual_blocks=1)
    trainer = FastStyleTrainer(transformer, network, style_grams(network, painting, 64))
    trainer.compile(optimizer=keras.optimizers.Adam(1e-2))
    history = trainer.fit(photos, epochs=12, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def _photos_and_painting(folder, painting_name, count, seed):
    """A folder of ``count`` random 40x48 photos and a random 32x32 painting, written as files."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    photos = folder / "photos"
    photos.mkdir()
    for i in range(count):
        Image.fromarray(rng.integers(0, 255, (40, 48, 3), dtype=np.uint8)).save(photos / f"{i}.png")
    painting = folder / painting_name
    Image.fromarray(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)).save(painting)
    return photos, painting


def test_training_saves_a_checkpoint_with_a_card(tmp_path):
    photos, painting = _photos_and_painting(tmp_path, "painting.png", count=3, seed=3)
    path = train_tiny_style(painting, photos, tmp_path, steps_per_epoch=2)
    card = checkpoints.ModelCard.read(checkpoints.card_path_for(path))
    assert path.name == "painting.keras" and card.metric["value"] > 0
    assert "random" in card.hyperparameters["loss_network_title"].lower()


def test_cli_trains_a_style_that_from_pretrained_applies(tmp_path, capsys):
    from PIL import Image

    from showcase import cli
    from showcase.style_transfer import StyleTransfer

    photos, painting = _photos_and_painting(tmp_path, "swirl.png", count=2, seed=4)
    code = cli.main(
        [
            "train",
            "style_transfer",
            "--style",
            str(painting),
            "--content-dir",
            str(photos),
            "--epochs",
            "1",
            "--steps-per-epoch",
            "2",
            "--batch-size",
            "2",
            "--crop-size",
            "32",
            "--width",
            "0.25",
            "--residual-blocks",
            "1",
            "--loss-network",
            "random",
            "--no-jit-compile",
            "--quiet",
        ]
    )
    assert code == 0 and "saved" in capsys.readouterr().out
    styled = StyleTransfer.from_pretrained("swirl")  # found in the user data dir
    picture = styled.stylize(Image.new("RGBA", (37, 29), (10, 200, 30, 255)))
    assert picture.size == (37, 29) and picture.mode == "RGB"
    assert styled.card.dataset["style"].endswith("swirl.png")


def test_a_missing_style_names_the_train_command():
    from showcase.errors import CheckpointError
    from showcase.style_transfer import StyleTransfer

    with pytest.raises(CheckpointError, match="showcase train style_transfer"):
        StyleTransfer.from_pretrained("no_such_painting")


@pytest.fixture(scope="module")
def two_styles(tmp_path_factory):
    """Two tiny trained styles in one folder, plus the photos and paintings they came from."""
    folder = tmp_path_factory.mktemp("styles")
    photos, first = _photos_and_painting(folder, "dots.png", count=3, seed=5)
    second = folder / "stripes.png"
    second.write_bytes(first.read_bytes())
    for painting in (first, second):
        train_tiny_style(painting, photos, folder / "checkpoints")
    return folder


def test_every_style_in_a_folder_is_available(two_styles):
    from showcase.style_transfer import StyleTransfer

    styles = StyleTransfer.available_styles(two_styles / "checkpoints")
    assert list(styles) == ["dots", "stripes"]
    one = StyleTransfer.available_styles(styles["dots"])
    assert list(one) == ["dots"]


def test_evaluate_scores_each_style_against_gatys(two_styles, monkeypatch, capsys):
    from showcase import cli
    from showcase.style_transfer import evaluate

    monkeypatch.setattr(evaluate, "EVAL_SIZE", 48)
    monkeypatch.setattr(evaluate, "GATYS_PHOTOS", 1)
    monkeypatch.setattr(evaluate, "GATYS_ITERATIONS", 3)
    result = evaluate.evaluate(two_styles / "checkpoints", two_styles / "photos", two_styles)
    rows = {row["style"]: row for row in result["results"]}
    assert set(rows) == {"dots", "stripes"}
    for row in rows.values():
        assert row["value"] > 0 and row["content_loss"] >= 0
        assert row["paired_with_gatys"]["photos"] == 1
    code = cli.main(
        [
            "evaluate",
            "style_transfer",
            "--checkpoint",
            str(two_styles / "checkpoints"),
            "--data",
            str(two_styles / "photos"),
            "--paintings",
            str(two_styles),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "style_transfer dots: style loss" in out and "Gatys" in out


def test_evaluate_without_the_painting_says_where_to_point(two_styles, tmp_path, capsys):
    from showcase import cli

    code = cli.main(
        [
            "evaluate",
            "style_transfer",
            "--checkpoint",
            str(two_styles / "checkpoints"),
            "--data",
            str(two_styles / "photos"),
            "--paintings",
            str(tmp_path),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "--paintings" in err and err.count("\n") == 1


def test_bench_measures_video_flicker_and_records_it_in_the_cards(two_styles, monkeypatch):
    from showcase import bench as showcase_bench
    from showcase.style_transfer import bench

    monkeypatch.setattr(bench, "CLIP_FRAMES", 3)
    monkeypatch.setattr(bench, "CLIP_SIZE", (48, 32))
    monkeypatch.setattr(bench, "VIDEO_GATYS_ITERATIONS", 3)
    monkeypatch.setattr(bench, "FAST_SIZES", (32,))
    loaded = bench.load(two_styles / "checkpoints")
    rows = bench._video_comparisons(loaded)
    assert [row["comparison"] for row in rows] == [
        "video flicker, fast style dots",
        "video flicker, fast style stripes",
        "video flicker, Gatys, 3 steps per frame",
    ]
    assert all(row["flicker_naive"] >= 0 and row["flicker_consistent"] >= 0 for row in rows)
    results = [
        {
            "demo": "style_transfer",
            "checkpoint": rows[0]["checkpoint"],
            "case": "fast dots 32x32",
            "cold_load_s": 0.1,
            "median_ms": 1.0,
            "runs": 1,
        }
    ]
    (updated,) = showcase_bench.record_in_cards(results, rows)
    card = checkpoints.ModelCard.read(updated)
    assert card.benchmark["comparisons"][0]["comparison"] == "video flicker, fast style dots"
