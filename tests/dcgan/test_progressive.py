"""The progressive GAN: equalised learning rate, pixel norm, minibatch spread, fade-in at alpha 0
and 1, shapes at every resolution, the stage schedule, a few steps that lower the losses, and a
grown run whose card `showcase evaluate dcgan` reproduces."""

import json
import math
import shutil

import keras
import numpy as np
import pytest

from showcase.dcgan import DigitGenerator, progressive
from showcase.dcgan.evaluate import evaluate
from showcase.dcgan.growing import stage_budgets


def test_equalised_dense_scales_its_unit_weights_by_hes_constant():
    layer = progressive.EqualizedDense(32, name="dense")
    inputs = np.random.default_rng(0).standard_normal((512, 200)).astype("float32")
    outputs = np.asarray(layer(inputs))
    kernel = np.asarray(layer.kernel)
    # Stored weights are N(0, 1): the scale is applied at run time, not at initialisation.
    assert abs(kernel.std() - 1.0) < 0.05
    np.testing.assert_allclose(
        outputs, inputs @ (kernel * math.sqrt(2.0) / math.sqrt(200)), rtol=1e-4, atol=1e-4
    )
    # He's constant keeps the output variance at gain^2 = 2 times the input's.
    assert outputs.var() == pytest.approx(2.0, rel=0.15)


def test_equalised_convolution_scales_by_its_fan_in():
    layer = progressive.EqualizedConv2D(4, 3, gain=1.0)
    inputs = np.random.default_rng(1).standard_normal((2, 6, 6, 5)).astype("float32")
    plain = keras.layers.Conv2D(4, 3, padding="same")
    plain.build(inputs.shape)
    layer.build(inputs.shape)
    plain.set_weights([np.asarray(layer.kernel) / math.sqrt(9 * 5), np.zeros(4, "float32")])
    np.testing.assert_allclose(layer(inputs), plain(inputs), rtol=1e-4, atol=1e-5)


def test_pixel_norm_gives_every_pixel_unit_root_mean_square():
    inputs = np.random.default_rng(2).normal(0, 7, (3, 4, 4, 16)).astype("float32")
    normed = np.asarray(progressive.PixelNorm()(inputs))
    np.testing.assert_allclose(np.sqrt((normed**2).mean(axis=-1)), 1.0, rtol=1e-4)


def test_minibatch_spread_adds_one_map_of_the_mean_standard_deviation():
    inputs = np.random.default_rng(3).normal(0, 2, (8, 4, 4, 3)).astype("float32")
    spread = np.asarray(progressive.MinibatchStdDev()(inputs))
    assert spread.shape == (8, 4, 4, 4)
    np.testing.assert_allclose(spread[..., :3], inputs)
    np.testing.assert_allclose(spread[..., 3], inputs.std(axis=0).mean(), rtol=1e-3)
    same = np.repeat(inputs[:1], 8, axis=0)  # a collapsed batch has no spread
    assert np.asarray(progressive.MinibatchStdDev()(same))[..., 3].max() < 1e-3


def test_fade_in_layer_blends_linearly():
    fade = progressive.FadeIn()
    old, new = np.zeros((1, 2, 2, 1), "float32"), np.ones((1, 2, 2, 1), "float32")
    fade.build([old.shape, new.shape])
    for alpha in (0.0, 0.25, 1.0):
        fade.alpha.assign(alpha)
        np.testing.assert_allclose(fade([old, new]), alpha)


@pytest.fixture(scope="module")
def growing_pair():
    keras.utils.set_random_seed(0)
    return progressive.GrowingGenerator(noise_dim=8, width=2), progressive.GrowingDiscriminator(
        width=2
    )


@pytest.mark.parametrize("side", progressive.RESOLUTIONS)
def test_shapes_at_every_resolution(growing_pair, side):
    generators, discriminators = growing_pair
    noise, labels = np.ones((4, 8), "float32"), np.array([0, 3, 6, 9], "int32")
    for fade in (False, True):
        drawn = generators.model(side, fade)([noise, labels])
        assert drawn.shape == (4, side, side, 1)
        scores = discriminators.model(side, fade)([drawn, keras.ops.convert_to_tensor(labels)])
        assert scores.shape == (4, 1)


def test_generator_fade_in_is_the_old_output_at_alpha_0_and_the_new_at_1(growing_pair):
    generators, _ = growing_pair
    noise = np.random.default_rng(4).standard_normal((3, 8)).astype("float32")
    labels = np.array([1, 2, 3], "int32")
    fading = generators.model(16, fade=True)  # builds the fade layer
    generators.fades[16].alpha.assign(0.0)
    old = np.asarray(generators.model(8)([noise, labels]))
    np.testing.assert_allclose(
        fading([noise, labels]), old.repeat(2, axis=1).repeat(2, axis=2), atol=1e-5
    )
    generators.fades[16].alpha.assign(1.0)
    np.testing.assert_allclose(
        fading([noise, labels]), generators.model(16)([noise, labels]), atol=1e-5
    )


def test_discriminator_fade_in_reads_the_halved_image_at_alpha_0(growing_pair):
    _, discriminators = growing_pair
    images = np.random.default_rng(5).uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
    labels = np.array([0, 1, 2, 3], "int32")
    halved = images.reshape(4, 8, 2, 8, 2, 1).mean(axis=(2, 4))
    fading = discriminators.model(16, fade=True)
    discriminators.fades[16].alpha.assign(0.0)
    np.testing.assert_allclose(
        fading.predict([images, labels], verbose=0),
        discriminators.model(8).predict([halved, labels], verbose=0),
        atol=1e-4,
    )
    discriminators.fades[16].alpha.assign(1.0)
    np.testing.assert_allclose(
        fading.predict([images, labels], verbose=0),
        discriminators.model(16).predict([images, labels], verbose=0),
        atol=1e-4,
    )


def test_real_images_are_averaged_down_and_blended_while_fading():
    images = np.random.default_rng(6).uniform(-1, 1, (2, 32, 32, 1)).astype("float32")
    at_8 = images.reshape(2, 8, 4, 8, 4, 1).mean(axis=(2, 4))
    np.testing.assert_allclose(progressive.downscale(images, 8), at_8, atol=1e-6)
    fade = progressive.FadeIn()
    fade.build([(1,), (1,)])
    gan = progressive.ProgressiveGAN(None, None, 8, fade=fade)
    fade.alpha.assign(0.0)
    coarse = at_8.reshape(2, 4, 2, 4, 2, 1).mean(axis=(2, 4)).repeat(2, axis=1).repeat(2, axis=2)
    np.testing.assert_allclose(gan.real_images(images), coarse, atol=1e-6)
    fade.alpha.assign(1.0)
    np.testing.assert_allclose(gan.real_images(images), at_8, atol=1e-6)


def test_stage_budgets_share_the_steps_or_the_minutes():
    by_steps = stage_budgets(1000, 0.0)
    assert [steps for steps, _ in by_steps.values()] == [50, 200, 300, 450]
    by_time = stage_budgets(1000, 10.0)
    assert [seconds for _, seconds in by_time.values()] == pytest.approx([30, 120, 180, 270])


def test_the_schedule_fades_over_half_the_stage_then_stops_it():
    fade = progressive.FadeIn()
    fade.build([(1,), (1,)])
    schedule = progressive.GrowthSchedule([fade], steps=10)

    class Model:
        stop_training = False

    schedule.set_model(Model())
    schedule.on_train_begin()
    alphas = []
    for step in range(10):
        schedule.on_train_batch_begin(step)
        alphas.append(float(fade.alpha.numpy()))
        schedule.on_train_batch_end(step)
    assert alphas == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0])
    assert schedule.model.stop_training


def _bars(count: int, side: int):
    rng = np.random.default_rng(7)
    images = np.full((count, side, side, 1), -1.0, "float32")
    images[:, side // 4 : 3 * side // 4, side // 3 : 2 * side // 3] = 1.0
    return images + rng.normal(0, 0.05, images.shape).astype("float32")


def test_a_few_steps_lower_the_critics_loss_and_then_the_generators():
    keras.utils.set_random_seed(0)
    generators = progressive.GrowingGenerator(noise_dim=8, width=2)
    discriminators = progressive.GrowingDiscriminator(width=2)
    gan = progressive.ProgressiveGAN(generators.model(8), discriminators.model(8), 8, noise_dim=8)
    gan.compile()
    images, labels = _bars(32, 32), np.arange(32, dtype="int32") % 10
    logs = [gan.train_on_batch(images, labels, return_dict=True) for _ in range(30)]
    assert np.mean([log["d_loss"] for log in logs[-5:]]) < logs[0]["d_loss"]
    assert logs[-1]["wasserstein"] > 0  # the critic tells the bars from the generator's output
    # With the critic frozen, the generator's steps lower its loss against that critic.
    frozen = progressive.ProgressiveGAN(
        generators.model(8), discriminators.model(8), 8, noise_dim=8
    )
    frozen.compile(d_optimizer=keras.optimizers.SGD(0.0))
    g_logs = [frozen.train_on_batch(images, labels, return_dict=True) for _ in range(10)]
    assert g_logs[-1]["g_loss"] < g_logs[0]["g_loss"]


@pytest.fixture(scope="module")
def tiny_pggan(tiny_mnist_dir, tiny_dcgan, tmp_path_factory):
    """A toy progressive GAN grown over four epochs in a copy of the toy DCGAN's folder, so that
    it shares its judge, and a toy BEGAN beside them: the folder holds all three GANs."""
    from showcase.dcgan.train import DCGANTrainConfig, train

    out = tmp_path_factory.mktemp("tiny_pggan")
    shutil.copytree(tiny_dcgan.parent / "evaluator", out / "evaluator")
    for suffix in (".keras", ".card.json"):
        shutil.copy(tiny_dcgan.with_name(f"mnist_digits{suffix}"), out)
    grown = train(
        DCGANTrainConfig(
            data=str(tiny_mnist_dir),
            model="pggan",
            epochs=4,
            batch_size=16,
            width=2,
            noise_dim=8,
            out=str(out),
            verbose=0,
        )
    )
    options = {"data": str(tiny_mnist_dir), "batch_size": 16, "noise_dim": 8, "verbose": 0}
    train(DCGANTrainConfig(model="began", gamma=0.7, epochs=1, width=4, out=str(out), **options))
    return grown


@pytest.mark.slow
def test_a_grown_run_writes_a_card_and_stages_that_evaluate_reproduces(tiny_pggan, tiny_mnist_dir):
    card = json.loads(tiny_pggan.with_name("pggan.card.json").read_text())
    settings = card["hyperparameters"]
    assert settings["model"] == "pggan"
    assert [stage["resolution"] for stage in settings["stages"]] == [4, 8, 16, 32]
    assert [stage["steps"] for stage in settings["stages"]] == [1, 5, 7, 11]  # of 24
    curves = card["curves"]
    assert curves["PGGAN resolution (pixels)"]["y"][-1] == 32
    assert all(0 <= alpha <= 1 for alpha in curves["PGGAN fade-in alpha"]["y"])

    result = evaluate(str(tiny_pggan), str(tiny_mnist_dir))
    assert result["name"] == "pggan" and result["value"] == card["metric"]["value"]
    assert result["frechet_distance"] == card["metric"]["frechet_distance"]


@pytest.mark.slow
def test_the_grown_generator_draws_the_same_seed_at_every_stage(tiny_pggan):
    generator = DigitGenerator.load(tiny_pggan)
    assert generator.is_digit_model and sorted(generator.stage_paths()) == [4, 8, 16]
    drawn = generator.generate([4, 5], seed=1)
    assert drawn.shape == (2, 28, 28) and drawn.dtype == np.uint8
    growth = generator.growth(digit=5, seed=1)
    assert [side for side, _ in growth] == [4, 8, 16, 32]
    assert all(image.shape == (28, 28) for _, image in growth)
    np.testing.assert_array_equal(growth[-1][1], generator.generate(5, seed=1, count=1)[0])
    # The 4-pixel stage draws 4 x 4 blocks of 8 pixels; cropping 2 puts their edges at 6, 14, 22.
    coarse = growth[0][1]
    assert len(np.unique(coarse[6:14, 6:14])) == 1 and len(np.unique(coarse[6:14, 6:22])) == 2


@pytest.fixture(scope="module")
def client(tiny_pggan):
    from gradio_client import Client

    from showcase.apps.hub import launch
    from tests.support import free_port

    port = free_port()
    blocks = launch(
        ["dcgan"], port=port, block=False, warmup=False, checkpoint=str(tiny_pggan.parent)
    )
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    blocks.close()


def _path(image) -> str:
    return image["path"] if isinstance(image, dict) else image


@pytest.mark.slow
def test_the_page_draws_with_the_chosen_generator(client):
    from PIL import Image

    dcgan = client.predict("3", 1.0, 5, 1, 2, "DCGAN", api_name="/dcgan_draw")
    grown = client.predict("3", 1.0, 5, 1, 2, "PGGAN (progressive)", api_name="/dcgan_draw")
    assert "drawn by PGGAN (progressive)" in grown[2] and "drawn by DCGAN" in dcgan[2]
    pictures = [Image.open(_path(drawn[0])).tobytes() for drawn in (dcgan, grown)]
    assert pictures[0] != pictures[1]
    # The generator is optional: an older client's five values still draw with the DCGAN.
    assert client.predict("3", 1.0, 5, 1, 2, api_name="/dcgan_draw")[2] == dcgan[2]


@pytest.mark.slow
def test_the_page_shows_one_seed_as_the_network_grew(client):
    from PIL import Image

    strip, notice = client.predict("5", 2, "PGGAN (progressive)", api_name="/dcgan_growth")
    assert "4 px, 8 px, 16 px, 32 px" in notice
    assert Image.open(_path(strip)).size == (3 * (4 * 30 - 2), 3 * 28)
    # From the DCGAN's entry the page still finds the installed progressive GAN.
    assert "Seed 2" in client.predict("5", 2, "DCGAN", api_name="/dcgan_growth")[1]


@pytest.mark.slow
def test_the_page_compares_the_installed_begans_on_one_seed(client):
    from PIL import Image

    picture, notice = client.predict("any", 4, api_name="/dcgan_gammas")
    assert "row 1: BEGAN, gamma 0.7" in notice
    assert Image.open(_path(picture)).size == (3 * (8 * 30 - 2), 3 * 28)


@pytest.mark.slow
def test_the_page_plots_training_curves_from_the_cards(client):
    plot, notice = client.predict("PGGAN (progressive)", api_name="/dcgan_curves")
    assert plot is not None and "Wasserstein" in notice
    plot, notice = client.predict("DCGAN", api_name="/dcgan_curves")
    assert plot is None and "no per-step curves" in notice


@pytest.mark.slow
def test_an_unknown_generator_gets_a_message(client):
    from gradio_client.exceptions import AppError

    # Gradio refuses a value outside the dropdown's choices before the page's own check does.
    with pytest.raises(AppError, match="choices|Pick a generator from the list"):
        client.predict("3", 1.0, 5, 1, 1, "StyleGAN", api_name="/dcgan_draw")
    assert client.predict("1", 1.0, 0, 1, 1, api_name="/dcgan_draw")[2]


@pytest.mark.slow
def test_bench_times_every_generator_and_prints_the_gan_table(tiny_pggan):
    from showcase import bench
    from showcase.dcgan import bench as dcgan_bench

    rows = bench.run_benchmarks(["gan"], runs=1, checkpoint=str(tiny_pggan.parent))
    cases = {row["case"]: row for row in rows}
    assert {"8x8 grid", "pggan: 8x8 grid", "pggan: growth strip (4 stages)"} <= set(cases)
    assert cases["pggan: 8x8 grid"]["case_in_card"] == "8x8 grid"

    # The throughputs come from comparisons that train each network for a moment (timed in
    # `showcase bench gan`); the table only has to put them beside the cards' figures.
    generators = dcgan_bench.load(str(tiny_pggan.parent))
    speeds = [
        {"ours_images_per_s": 500.0},
        {"began_images_per_s": 170.0},
        {"pggan_images_per_s": {"4": 1700.0, "8": 500.0, "16": 380.0, "32": 230.0}},
    ]
    table = dcgan_bench.gan_table(generators, speeds)
    assert [row["generator"] for row in table["table"]] == ["mnist_digits", "began", "pggan"]
    assert [row["training_images_per_s"] for row in table["table"]] == [500.0, 170.0, 230.0]
    assert "FD" in table["summary"] and "pggan" in table["summary"]
