"""BEGAN: the equilibrium controller, the auto-encoder discriminator's shapes, a few steps that
lower its losses, and a run whose card `showcase evaluate dcgan` reproduces."""

import json
import shutil

import keras
import numpy as np
import pytest

from showcase.dcgan import DigitGenerator, began, framing
from showcase.dcgan.evaluate import evaluate
from showcase.errors import ShowcaseError


@pytest.mark.parametrize(
    ("k", "real", "fake", "moves"),
    [
        (0.5, 1.0, 0.2, "up"),  # fakes reconstruct too well: push them harder
        (0.5, 1.0, 0.9, "down"),  # fakes reconstruct badly: ease off
        (0.0, 1.0, 0.9, "stays"),  # clipped at 0
        (1.0, 1.0, 0.1, "stays"),  # clipped at 1
    ],
)
def test_k_moves_towards_the_equilibrium_and_stays_in_0_1(k, real, fake, moves):
    after = float(began.next_k(k, real, fake, gamma=0.5, lambda_k=0.1))
    assert 0.0 <= after <= 1.0
    if moves == "up":
        assert after == pytest.approx(k + 0.1 * (0.5 * real - fake))
    elif moves == "down":
        assert after < k
    else:
        assert after == k


def test_k_stays_in_0_1_for_any_losses():
    rng = np.random.default_rng(0)
    k = 0.0
    for real, fake in rng.uniform(0, 10, (500, 2)):
        k = float(began.next_k(k, real, fake, gamma=0.7, lambda_k=0.5))
        assert 0.0 <= k <= 1.0


def test_convergence_measure_is_the_papers_formula():
    assert float(began.convergence(0.4, 0.1, 0.5)) == pytest.approx(0.4 + 0.1)
    assert float(began.convergence(0.4, 0.3, 0.5)) == pytest.approx(0.4 + 0.1)
    assert float(began.convergence(0.4, 0.2, 0.5)) == pytest.approx(0.4)


def test_shapes_at_train_and_digit_size():
    generator = began.build_generator(noise_dim=8, filters=4)
    discriminator = began.build_discriminator(filters=4, code_size=8)
    noise, labels = np.zeros((3, 8), "float32"), np.array([0, 5, 9], "int32")
    drawn = np.asarray(generator([noise, labels]))
    assert drawn.shape == (3, 32, 32, 1)
    rebuilt, logits = discriminator([drawn, labels])
    assert rebuilt.shape == (3, 32, 32, 1) and logits.shape == (3, 10)
    cropped = framing.digit_generator(generator)([noise, labels])
    assert cropped.shape == (3, 28, 28, 1)
    np.testing.assert_allclose(cropped, np.clip(drawn[:, 2:30, 2:30], -1, 1), atol=1e-6)


def test_the_shipped_generator_clips_to_the_dcgans_range():
    generator = began.build_generator(noise_dim=8, filters=4)
    head = generator.get_layer("generator_image")
    kernel, bias = head.get_weights()
    head.set_weights([kernel, bias + 5.0])  # far outside [-1, 1] before the clip
    drawn = framing.digit_generator(generator)([np.zeros((2, 8), "float32"), np.array([1, 2])])
    np.testing.assert_allclose(np.asarray(drawn), 1.0)
    padded = np.asarray(framing.pad_to_train_side(np.ones((2, 28, 28, 1), "float32")))
    assert padded.shape == (2, 32, 32, 1)
    assert (padded[:, :2] == -1).all() and (padded[:, 2:30, 2:30] == 1).all()


def test_gamma_outside_0_1_is_refused():
    generator = began.build_generator(noise_dim=8, filters=4)
    discriminator = began.build_discriminator(filters=4, code_size=8)
    for gamma in (0.0, 1.5, -0.2):
        with pytest.raises(ValueError, match="gamma"):
            began.BoundaryEquilibriumGAN(generator, discriminator, gamma=gamma, noise_dim=8)


def test_a_few_steps_lower_the_discriminator_loss_and_m_global_and_move_k():
    """The generator's loss is not among them: it rises at first, as the discriminator learns
    to reconstruct digits and stops reconstructing the generator's blank output for free."""
    keras.utils.set_random_seed(0)
    gan = began.BoundaryEquilibriumGAN(
        began.build_generator(noise_dim=8, filters=8),
        began.build_discriminator(filters=8, code_size=16),
        gamma=0.5,
        lambda_k=0.01,
        noise_dim=8,
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
    )
    rng = np.random.default_rng(0)
    images = np.full((16, 32, 32, 1), -1.0, "float32")
    images[:, 10:22, 12:20] = 1.0  # a bright bar on background: easy to reconstruct
    images += rng.normal(0, 0.05, images.shape).astype("float32")
    labels = np.arange(16, dtype="int32") % 10
    logs = [gan.train_on_batch(images, labels, return_dict=True) for _ in range(40)]
    first, last = logs[0], logs[-1]
    assert last["d_loss"] < first["d_loss"]
    assert np.mean([log["m_global"] for log in logs[-5:]]) < first["m_global"]
    # At first the blank fakes reconstruct better than gamma times the digits: k must rise.
    assert logs[0]["k"] > 0.0
    assert all(0.0 <= log["k"] <= 1.0 for log in logs)


def _two_patterns(count: int = 16):
    """Horizontal bars labelled 0 and vertical bars labelled 1, on background."""
    images = np.full((count, 32, 32, 1), -1.0, "float32")
    labels = np.arange(count, dtype="int32") % 2
    images[labels == 0, 14:18, 6:26] = 1.0
    images[labels == 1, 6:26, 14:18] = 1.0
    return images, labels


def _began_pair(class_weight: float):
    keras.utils.set_random_seed(0)
    gan = began.BoundaryEquilibriumGAN(
        began.build_generator(noise_dim=8, filters=8),
        began.build_discriminator(filters=8, code_size=16),
        gamma=0.7,
        lambda_k=0.01,
        noise_dim=8,
        class_weight=class_weight,
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
    )
    return gan


def test_the_auxiliary_classifier_joins_the_generators_loss_and_learns_real_digits():
    images, labels = _two_patterns()
    gan = _began_pair(1.0)
    first = gan.train_on_batch(images, labels, return_dict=True)
    without = _began_pair(0.0).train_on_batch(images, labels, return_dict=True)
    # An untrained classifier is about uniform over ten digits: cross-entropy near ln 10.
    assert first["g_loss"] - without["g_loss"] == pytest.approx(np.log(10), abs=0.5)
    for _ in range(30):
        gan.train_on_batch(images, labels)
    _, logits = gan.discriminator([images, labels])
    assert (np.argmax(logits, axis=1) == labels).all()


@pytest.fixture(scope="module")
def tiny_began(tiny_mnist_dir, tiny_dcgan, tmp_path_factory):
    """A toy BEGAN trained for two epochs in a copy of the toy DCGAN's folder, so that it shares
    its judge and the folder holds both."""
    from showcase.dcgan.train import DCGANTrainConfig, train

    out = tmp_path_factory.mktemp("tiny_began")
    shutil.copytree(tiny_dcgan.parent / "evaluator", out / "evaluator")
    for suffix in (".keras", ".card.json"):
        shutil.copy(tiny_dcgan.with_name(f"mnist_digits{suffix}"), out)
    return train(
        DCGANTrainConfig(
            data=str(tiny_mnist_dir),
            model="began",
            gamma=0.7,
            epochs=2,
            batch_size=16,
            width=4,
            noise_dim=8,
            out=str(out),
            verbose=0,
        )
    )


def test_a_began_run_writes_a_card_that_evaluate_reproduces(tiny_began, tiny_mnist_dir):
    card = json.loads(tiny_began.with_name("began.card.json").read_text())
    settings = card["hyperparameters"]
    assert settings["model"] == "began" and settings["gamma"] == 0.7
    assert 0.0 <= settings["final_k"] <= 1.0
    assert settings["steps_run"] == 2 * (100 // 16)
    curves = card["curves"]
    assert len(curves["BEGAN convergence measure M_global"]["y"]) == settings["steps_run"] // 10
    assert all(0 <= k <= 1 for k in curves["BEGAN equilibrium controller k_t"]["y"])

    result = evaluate(str(tiny_began), str(tiny_mnist_dir))
    assert result["name"] == "began" and result["value"] == card["metric"]["value"]
    assert result["frechet_distance"] == card["metric"]["frechet_distance"]


def test_evaluate_scores_every_generator_in_a_folder(tiny_began, tiny_mnist_dir):
    result = evaluate(str(tiny_began.parent), str(tiny_mnist_dir))
    assert {row["name"] for row in result["results"]} == {"mnist_digits", "began"}


def test_the_began_generator_draws_digits_through_the_same_api(tiny_began):
    generator = DigitGenerator.load(tiny_began)
    assert generator.is_digit_model and generator.noise_dim == 8
    drawn = generator.generate([1, 2, 3], seed=4)
    assert drawn.shape == (3, 28, 28) and drawn.dtype == np.uint8
    np.testing.assert_array_equal(drawn, generator.generate([1, 2, 3], seed=4))


def test_began_refuses_pictures_without_digit_classes(tmp_path):
    from PIL import Image

    from showcase.dcgan.train import DCGANTrainConfig, train

    for index in range(4):
        Image.fromarray(np.full((8, 8, 3), index * 50, np.uint8)).save(tmp_path / f"{index}.png")
    with pytest.raises(ShowcaseError, match="BEGAN trains on MNIST digits only"):
        train(DCGANTrainConfig(data=str(tmp_path), model="began", out=str(tmp_path / "o")))


@pytest.mark.parametrize(
    "option",
    [
        {"gamma": 0.0},
        {"gamma": 1.5},
        {"lambda_k": -0.1},
        {"max_minutes": -1.0},
        {"class_weight": -1.0},
    ],
)
def test_out_of_range_began_options_get_a_one_line_error(tmp_path, option):
    from showcase.dcgan.train import DCGANTrainConfig, train

    config = DCGANTrainConfig(model="began", out=str(tmp_path), **option)
    with pytest.raises(ShowcaseError, match="--gamma|--lambda-k|--class-weight"):
        train(config)
