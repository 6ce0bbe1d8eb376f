"""The captioner's model and decoding: shapes, a safe_mode round trip, beams sorted and equal to
greedy at size 1, and a short training run that lowers the loss."""

import numpy as np
import pytest

from showcase.captioning.api import Captioner, check_beam_size
from showcase.captioning.data import scene_split, scene_vocabulary
from showcase.captioning.model import ShowAndTell
from showcase.captioning.scenes import make_scene
from showcase.errors import InputError


def tiny_model(attention: bool) -> ShowAndTell:
    import keras

    keras.utils.set_random_seed(0)
    model = ShowAndTell(
        scene_vocabulary().tokens,
        image_size=32,
        attention=attention,
        embedding_dim=16,
        units=16,
        feature_dim=8,
        max_length=12,
    )
    model((np.zeros((1, 32, 32, 3), "float32"), np.zeros((1, 3), "int32")))
    return model


@pytest.mark.parametrize("attention", [False, True])
def test_shapes_and_a_safe_mode_round_trip(tmp_path, attention):
    import keras

    model = tiny_model(attention)
    images = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    words = np.array([[1, 5, 6, 7], [1, 8, 0, 0]], "int32")
    logits = model((images, words))
    assert logits.shape == (2, 4, len(model.tokens))
    path = tmp_path / "captioner.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded((images, words)), logits, atol=1e-5)


@pytest.mark.parametrize("attention", [False, True])
def test_beams_are_sorted_and_beam_one_is_greedy(attention):
    captioner = Captioner(tiny_model(attention))
    image = make_scene(3, canvas=32).render()
    beams = captioner.caption(image, beam_size=4)
    assert 1 <= len(beams) <= 4
    scores = [score for _, score in beams]
    assert scores == sorted(scores, reverse=True)
    assert captioner.caption(image, beam_size=1)[0] == captioner.greedy_caption(image)
    if attention:
        words, maps = captioner.attention(image)
        assert maps.shape == (len(words), 4, 4)
        np.testing.assert_allclose(maps.sum(axis=(1, 2)), 1.0, atol=1e-4)
    else:
        with pytest.raises(InputError, match="has no attention"):
            captioner.attention(image)


@pytest.mark.parametrize("bad", [0, 11, 2.5, "3", True])
def test_beam_size_out_of_range_gets_a_message(bad):
    with pytest.raises(InputError, match="beam size"):
        check_beam_size(bad)


def test_a_short_training_run_lowers_the_loss():
    import keras

    from showcase.captioning.batches import CaptionBatches
    from showcase.captioning.train import CaptioningTrainConfig

    config = CaptioningTrainConfig(batch_size=16, max_length=12, image_size=32)
    data = scene_split(40, "train", size=32)
    data.references = [
        [c for c in refs if len(c.split()) <= 10] or refs[:1] for refs in data.references
    ]
    batches = CaptionBatches(data, scene_vocabulary(), config, shuffle=True)
    model = tiny_model(attention=True)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0),
    )
    history = model.fit(batches, epochs=6, verbose=0)
    assert history.history["loss"][-1] < 0.8 * history.history["loss"][0]


def test_bleu_and_grounded_accuracy_on_a_few_held_out_scenes():
    from showcase.captioning.evaluate import corpus_bleu, score_on_scenes

    perfect = corpus_bleu(
        ["a small red circle", "a large blue square"],
        [["a small red circle"], ["x", "a large blue square"]],
    )
    assert perfect["bleu_4"] == pytest.approx(1.0)
    scores = score_on_scenes(Captioner(tiny_model(attention=False)), held_out_scenes=3, beam_size=2)
    assert 0.0 <= scores["bleu_4"] <= 1.0 and 0.0 <= scores["grounded_accuracy"] <= 1.0
    assert scores["split"].startswith("synthetic scenes, held-out seeds 10,000,000")


def test_the_imagenet_encoder_trains_from_a_cached_weight_file(tmp_path, monkeypatch):
    """encoder="mobilenet": weights come through the download cache with their hash checked,
    land in the frozen encoder, stay frozen through training and survive a safe_mode load."""
    import dataclasses

    import keras

    from showcase import imagenet
    from showcase.captioning.api import Captioner
    from showcase.captioning.train import CaptioningTrainConfig, train
    from showcase.downloads import sha256_of

    keras.utils.set_random_seed(3)
    weights = tmp_path / "cache" / "models" / imagenet.MOBILENET_WEIGHTS.filename
    weights.parent.mkdir(parents=True)
    stand_in = imagenet.mobilenet_quarter(pretrained=False)
    stand_in.save(weights)  # Keras' legacy HDF5 layout, as the ImageNet file has
    monkeypatch.setattr(
        imagenet,
        "MOBILENET_WEIGHTS",
        dataclasses.replace(imagenet.MOBILENET_WEIGHTS, sha256=sha256_of(weights)),
    )
    monkeypatch.setenv("SHOWCASE_CACHE", str(tmp_path / "cache"))
    config = CaptioningTrainConfig(
        encoder="mobilenet",
        attention=True,
        scenes=16,
        validation_scenes=4,
        epochs=1,
        batch_size=8,
        image_size=32,
        embedding_dim=16,
        units=16,
        feature_dim=8,
        evaluate=False,
        jit_compile=False,
        out=str(tmp_path / "out"),
        verbose=0,
    )
    path = train(config)
    captioner = Captioner.load(path)
    trunk = captioner.model.encoder.get_layer("mobilenet_trunk")
    expected = stand_in.get_layer("conv_pw_11").get_weights()[0]
    np.testing.assert_array_equal(trunk.get_layer("conv_pw_11").get_weights()[0], expected)
    words, maps = captioner.attention(make_scene(2, canvas=32).render())
    assert maps.shape == (len(words), 2, 2)
