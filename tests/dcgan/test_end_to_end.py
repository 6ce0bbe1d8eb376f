"""The DCGAN end to end: training writes a judged checkpoint, the import API draws reproducibly,
the evaluation reproduces the card and can fail, and bad input gets a message."""

import json

import keras
import numpy as np
import pytest
from PIL import Image

from showcase.dcgan import DigitGenerator, data
from showcase.dcgan.api import digit_classifier
from showcase.dcgan.evaluate import (
    evaluate,
    frechet_distance,
    mean_pairwise_distance,
    score_generator,
)
from showcase.dcgan.model import build_generator, grid
from showcase.errors import DataError, InputError


@pytest.fixture(scope="module")
def generator(tiny_dcgan):
    return DigitGenerator.load(tiny_dcgan)


def test_generate_is_reproducible_by_seed_and_follows_the_request(generator):
    first = generator.generate([3, 7], seed=5)
    assert first.shape == (2, 28, 28) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, generator.generate([3, 7], seed=5))
    assert not np.array_equal(first, generator.generate([3, 7], seed=6))
    assert generator.generate(None, seed=1, count=64).shape == (64, 28, 28)
    # Noise strength 0: every sample of a digit is that digit's one "average" picture.
    same = generator.generate(4, seed=2, noise_strength=0.0, count=5)
    assert all(np.array_equal(same[0], image) for image in same)
    assert grid(generator.generate(None, count=6), 3).shape == (58, 88)


def test_interpolation_ends_are_the_two_seeds_drawings(generator):
    walk = generator.interpolate(11, 12, steps=6, digit=2)
    assert walk.shape == (6, 28, 28)
    np.testing.assert_array_equal(walk[0], generator.generate(2, seed=11)[0])
    np.testing.assert_array_equal(walk[-1], generator.generate(2, seed=12)[0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: g.generate([10]), "Digit 10 is out of range"),
        (lambda g: g.generate(-1), "Digit -1 is out of range"),
        (lambda g: g.generate([True]), "whole number"),
        (lambda g: g.generate(seed=-3), "between 0 and 2,147,483,647"),
        (lambda g: g.generate(seed=2**40), "between 0 and"),
        (lambda g: g.generate(seed=1.5), "whole number"),
        (lambda g: g.generate(noise_strength=2.5), "noise strength must be between 0 and 2"),
        (lambda g: g.generate(noise_strength=float("nan")), "noise strength"),
        (lambda g: g.generate(count=0), "between 1 and 256"),
        (lambda g: g.generate(count=257), "between 1 and 256"),
        (lambda g: g.interpolate(0, 1, steps=1), "at least 2 steps"),
        (lambda g: g.interpolate(0, 1, steps=33), "between 1 and 32"),
    ],
)
def test_bad_requests_get_a_message(generator, call, message):
    with pytest.raises(InputError, match=message):
        call(generator)


def test_frechet_distance_of_known_gaussians():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4000, 3))
    assert frechet_distance(a, rng.standard_normal((4000, 3))) < 0.02
    # Means 2 apart in one coordinate, equal covariances: the distance is 2^2.
    shifted = rng.standard_normal((4000, 3)) + np.array([2.0, 0, 0])
    assert frechet_distance(a, shifted) == pytest.approx(4.0, abs=0.15)
    # Standard deviation 3 against 1 in every coordinate: 3 * (3 - 1)^2 = 12.
    assert frechet_distance(a, 3 * rng.standard_normal((4000, 3))) == pytest.approx(12, rel=0.05)
    assert mean_pairwise_distance(np.array([[0.0, 0], [3, 4]])) == pytest.approx(5.0)


def test_training_writes_a_card_that_evaluate_reproduces(tiny_dcgan, tiny_mnist_dir):
    card = json.loads(tiny_dcgan.with_name("mnist_digits.card.json").read_text())
    assert card["dataset"]["train"].endswith("(100 images)")
    metric = card["metric"]
    assert 0.0 <= metric["value"] <= 1.0
    assert {"frechet_distance", "frechet_real_vs_real", "diversity_ratio"} <= set(metric)
    assert (tiny_dcgan.parent / "evaluator" / "digit_classifier.card.json").is_file()
    assert (tiny_dcgan.parent / "samples" / "mnist_digits" / "epoch_001.png").is_file()

    result = evaluate(str(tiny_dcgan), str(tiny_mnist_dir))
    assert result["value"] == metric["value"] == result["card_value"]
    assert result["frechet_distance"] == metric["frechet_distance"]


def test_the_cli_prints_the_evaluation_as_json(tiny_dcgan, tiny_mnist_dir, capsys):
    from showcase.cli import main

    # In this process: a subprocess would spend most of its time importing TensorFlow again.
    command = ["evaluate", "dcgan", "--json"]
    command += ["--checkpoint", str(tiny_dcgan), "--data", str(tiny_mnist_dir)]
    assert main(command) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["demo"] == "dcgan" and result["held_out"] == 2000


def test_the_diversity_check_catches_a_collapsed_generator(tiny_dcgan, tiny_mnist_dir):
    """A generator that ignores its noise draws one picture per class: the check must fail."""
    collapsed = build_generator(width=4)
    project = collapsed.get_layer("project")
    kernel = project.get_weights()[0]
    kernel[:100] = 0.0  # the noise's rows: only the label reaches the picture
    project.set_weights([kernel])
    train, held_out = data.load_splits(str(tiny_mnist_dir))
    scores = score_generator(collapsed, digit_classifier(tiny_dcgan), train, held_out, 20)
    assert scores["diversity_min"] < 0.05 and scores["diversity_passes"] is False


def test_a_folder_of_pictures_trains_an_unconditional_colour_gan(tmp_path):
    from showcase.dcgan.train import DCGANTrainConfig, train

    rng = np.random.default_rng(3)
    folder = tmp_path / "faces"
    folder.mkdir()
    for index in range(8):
        Image.fromarray(rng.integers(0, 255, (50, 40, 3), dtype=np.uint8)).save(
            folder / f"{index}.png"
        )
    (folder / "broken.jpg").write_bytes(b"not a picture")
    config = DCGANTrainConfig(
        data=str(folder), epochs=1, batch_size=4, width=4, image_size=32, out=str(tmp_path / "o")
    )
    path = train(config)
    pictures = DigitGenerator.load(path)
    assert pictures.classes == 1 and not pictures.is_digit_model
    assert pictures.generate(None, count=3).shape == (3, 32, 32, 3)
    with pytest.raises(InputError, match="no classes"):
        pictures.generate([1])
    with pytest.raises(DataError, match="judges 28x28 MNIST digit generators only"):
        evaluate(str(path), None)
    card = json.loads(path.with_name(f"{path.stem}.card.json").read_text())
    assert "1 unreadable skipped" in card["dataset"]["train"]


def test_mnist_from_keras_datasets_splits_like_the_idx_files(monkeypatch):
    """The download path (users with internet), fed a local array through keras.datasets."""
    images = np.random.default_rng(4).integers(0, 255, (2050, 28, 28), dtype=np.uint8)
    labels = np.arange(2050) % 10
    monkeypatch.setattr(
        keras.datasets.mnist, "load_data", lambda: ((images[:60], labels[:60]), (images, labels))
    )
    train, held_out = data.load_splits(None)
    assert (len(train), len(held_out)) == (50, 2000)
    np.testing.assert_array_equal(
        held_out.images, data.split(data.ImageSet(images, labels, ""))[1].images
    )
    train, same_held_out = data.load_splits("mnist")
    assert len(train) == 60 and np.array_equal(same_held_out.images, held_out.images)

    def offline():
        raise OSError("no network")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(DataError, match="could not be downloaded"):
        data.load_splits(None)


def test_bench_times_the_grid_and_compares_training_throughput(tiny_dcgan, monkeypatch):
    from showcase import bench
    from showcase.dcgan import bench as dcgan_bench

    monkeypatch.setattr(dcgan_bench, "WARMUP_STEPS", 1)
    monkeypatch.setattr(dcgan_bench, "TIMED_STEPS", 2)
    monkeypatch.setattr(dcgan_bench, "DATA_IMAGES", 3 * dcgan_bench.BATCH_SIZE)
    comparisons = []
    rows = bench.run_benchmarks(
        ["dcgan"], runs=2, checkpoint=str(tiny_dcgan), comparisons=comparisons
    )
    assert {row["case"] for row in rows} >= {"8x8 grid", "16x16 grid"}
    (throughput,) = comparisons
    assert throughput["ours_images_per_s"] > 0 and throughput["keras_io_images_per_s"] > 0
