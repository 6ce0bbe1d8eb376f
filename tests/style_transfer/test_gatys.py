import shutil

import numpy as np
import pytest
from PIL import Image

from showcase.errors import DownloadError, InputError
from showcase.style_transfer import gatys
from showcase.style_transfer.loss_networks import LossNetwork, squeezenet_v11
from showcase.style_transfer.losses import gram_matrix
from tests.support import shared_dataset


def _picture(seed, size=(48, 40)):
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))


def test_gram_matrix_matches_numpy():
    features = np.random.default_rng(0).normal(size=(2, 5, 7, 3)).astype("float32")
    flat = features.reshape(2, -1, 3)
    expected = np.einsum("bpc,bpd->bcd", flat, flat) / 35
    np.testing.assert_allclose(np.asarray(gram_matrix(features)), expected, rtol=1e-5)


def test_squeezenet_shapes_follow_the_paper():
    model = squeezenet_v11(seed=0)
    assert model.count_params() == 722_496
    assert model.output_shape == (None, None, None, 512)


def test_a_few_optimisation_steps_lower_the_loss():
    network = LossNetwork("random")
    settings = gatys.GatysSettings(size=48, iterations=30, stages=1, learning_rate=4.0)
    reports = list(gatys.optimise(_picture(0), [_picture(1)], settings, network, report_every=5))
    assert reports[-1].losses["total"] < reports[0].losses["total"]
    assert reports[-1].image.size == (48, 40) and reports[-1].step == 30


def test_two_styles_and_colour_preservation_run():
    network = LossNetwork("random")
    settings = gatys.GatysSettings(
        size=64, iterations=4, stages=2, preserve_colour=True, style_ratio=0.3
    )
    result = list(
        gatys.optimise(
            _picture(0, (64, 40)), [_picture(1), _picture(2)], settings, network, report_every=2
        )
    )[-1]
    assert result.image.mode == "RGB" and result.image.size == (64, 40)


@pytest.mark.parametrize("iterations", [1, 2, 3, 7])
def test_every_stage_runs_and_the_result_is_full_size(iterations):
    assert all(steps >= 1 for steps in gatys._split_steps(max(iterations, 3), 3))
    settings = gatys.GatysSettings(size=128, iterations=iterations, stages=3)
    reports = list(
        gatys.optimise(
            _picture(0, (128, 96)), [_picture(1)], settings, LossNetwork("random"), report_every=100
        )
    )
    assert reports[-1].step == iterations and reports[-1].image.size == (128, 96)


def test_lbfgs_lowers_the_loss_within_the_pixel_range():
    network = LossNetwork("random")
    settings = gatys.GatysSettings(size=48, iterations=15, stages=1, optimiser="lbfgs")
    reports = list(gatys.optimise(_picture(0), [_picture(1)], settings, network, report_every=5))
    assert reports[-1].losses["total"] < reports[0].losses["total"]
    assert reports[-1].image.size == (48, 40) and 1 <= reports[-1].step <= 15
    # L-BFGS-B's bounds keep every pixel in range (the image is not clipped after the fact).
    picture = np.asarray(reports[-1].image)
    assert picture.min() >= 0 and picture.max() <= 255


def test_lbfgs_runs_every_stage_and_keeps_a_time_budget():
    network = LossNetwork("random")
    settings = gatys.GatysSettings(
        size=128, iterations=2000, stages=2, optimiser="lbfgs", max_seconds=1.0
    )
    reports = list(gatys.optimise(_picture(0, (128, 96)), [_picture(1)], settings, network, 10**6))
    assert reports[-1].image.size == (128, 96)
    assert reports[-1].seconds < 6.0 and reports[-1].step < 2000


def test_closing_an_lbfgs_optimisation_stops_its_thread():
    import threading

    network = LossNetwork("random")
    settings = gatys.GatysSettings(size=48, iterations=500, stages=1, optimiser="lbfgs")
    reports = gatys.optimise(_picture(0), [_picture(1)], settings, network, report_every=1)
    next(reports)
    reports.close()
    assert not [t for t in threading.enumerate() if t.name == "showcase-lbfgs"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"optimiser": "sgd"}, "optimiser"),
        ({"size": 4096}, "size"),
        ({"iterations": 0}, "iterations"),
        ({"style_ratio": 2.0}, "style ratio"),
    ],
)
def test_bad_settings_are_refused(change, message):
    with pytest.raises(InputError, match=message):
        gatys.GatysSettings(**change).check()


def test_a_weights_file_with_the_wrong_hash_is_refused(tmp_path):
    bogus = tmp_path / "squeezenet.weights.h5"
    squeezenet_v11(seed=1).save_weights(bogus)
    with pytest.raises(DownloadError, match="SHA-256"):
        LossNetwork("squeezenet", weights_path=bogus)


def test_pretrained_weights_load_from_the_keras_cache(shared_data, tmp_path, monkeypatch):
    weights = shared_dataset(shared_data, "imagenet_weights")
    models = tmp_path / "models"
    models.mkdir()
    for name in (
        "squeezenet_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "mobilenet_2_5_224_tf_no_top.h5",
    ):
        shutil.copy(weights / name, models / name)
    monkeypatch.setenv("SHOWCASE_CACHE", str(tmp_path))
    for name in ("squeezenet", "mobilenet"):
        network = LossNetwork(name)
        features = network.features(np.zeros((1, 64, 64, 3), dtype="float32"))
        assert set(features) >= set(network.spec.style_layers)


def test_the_keras_io_comparison_reports_a_speed_ratio(monkeypatch):
    from showcase.style_transfer import bench

    monkeypatch.setattr(bench, "COMPARISON_SIZE", 48)
    monkeypatch.setattr(bench, "GATYS_ITERATIONS", 30)
    monkeypatch.setattr(bench, "KERAS_IO_MAX_STEPS", 40)
    monkeypatch.setattr(bench, "LOSS_SCALES", (1e3, 1e5))
    monkeypatch.setattr(bench, "SCALE_TRIAL_STEPS", 3)
    monkeypatch.setattr(bench, "LBFGS_MAX_ITERATIONS", 20)
    row = bench._keras_io_comparison(bench.Loaded(_RandomNetworkStyleTransfer, {}))
    assert row["keras_io_loss_scale"] in (1e3, 1e5)
    assert row["ours_s"] > 0 and row["keras_io_steps"] <= 40
    assert row["speed_ratio"] > 0 and "keras-io recipe" in row["summary"]
    for label in ("coarse_to_fine", "one_scale"):
        lbfgs = row[f"lbfgs_{label}"]
        assert lbfgs["seconds"] > 0 and lbfgs["iterations"] <= 20
        assert lbfgs["reached"] == (lbfgs["best_loss"] <= row["target_loss"] + 1e-4)
    assert "L-BFGS at one scale" in row["summary"]


class _RandomNetworkStyleTransfer:
    """Stands in for StyleTransfer with the weight-free loss network, so no download is needed."""

    network = None

    @classmethod
    def loss_network(cls, name="squeezenet"):
        if cls.network is None:
            cls.network = LossNetwork("random")
        return cls.network


def test_uint8_and_float_pictures_give_the_same_features():
    network = LossNetwork("random")
    picture = np.asarray(_picture(7))
    as_uint8 = network.features(picture[None])
    as_float = network.features(picture[None].astype("float32"))
    for layer in network.spec.style_layers:
        np.testing.assert_allclose(as_uint8[layer], as_float[layer], rtol=1e-5)
