import keras
import numpy as np
import pytest
import tensorflow as tf

from showcase import checkpoints
from showcase.errors import CheckpointError
from showcase.sentiment.model import (
    build_classifier_core,
    build_end_to_end,
    make_vectorizer,
    ptb_like_standardize,
)


def _tiny_model():
    vectorizer = make_vectorizer(100)
    vectorizer.adapt(tf.constant(["a good film", "a bad film", "i do n't like it ."]))
    core = build_classifier_core(vectorizer.vocabulary_size(), 8, 4)
    return build_end_to_end(vectorizer, core)


def test_standardiser_splits_like_sst():
    out = ptb_like_standardize(tf.constant(["I don't love it, it's DULL!"])).numpy()[0].decode()
    assert out.split() == ["i", "do", "n't", "love", "it", ",", "it", "'s", "dull", "!"]


def test_strings_in_probabilities_out():
    model = _tiny_model()
    out = model(tf.constant(["a good film", "", "a bad film with many more words than before"]))
    assert out.shape == (3, 1)
    assert np.all((out.numpy() >= 0) & (out.numpy() <= 1))


def test_save_load_round_trip_with_safe_mode(tmp_path):
    model = _tiny_model()
    path = tmp_path / "sentiment.keras"
    model.save(path)
    loaded = checkpoints.load_model(path, "sentiment")
    texts = tf.constant(["a good film", "i do n't like it"])
    np.testing.assert_allclose(model(texts).numpy(), loaded(texts).numpy(), atol=1e-6)


def test_a_checkpoint_with_a_lambda_layer_is_refused(tmp_path):
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    path = tmp_path / "evil.keras"
    model.save(path)
    with pytest.raises(CheckpointError, match="safe_mode"):
        checkpoints.load_model(path, "sentiment")


def test_a_corrupt_checkpoint_names_the_train_command(tmp_path):
    path = tmp_path / "broken.keras"
    path.write_bytes(b"not a zip file")
    with pytest.raises(CheckpointError, match="showcase train sentiment"):
        checkpoints.load_model(path, "sentiment")


def test_a_short_training_run_lowers_the_loss():
    keras.utils.set_random_seed(0)
    texts = ["great fun", "a delight", "so good", "dull mess", "awful bore", "so bad"] * 8
    labels = np.array([1, 1, 1, 0, 0, 0] * 8, dtype="float32")
    vectorizer = make_vectorizer(50)
    vectorizer.adapt(tf.constant(texts))
    core = build_classifier_core(vectorizer.vocabulary_size(), 8, 4, word_dropout=0.0, dropout=0.0)
    core.compile(keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
    tokens = vectorizer(tf.constant(texts))
    history = core.fit(tokens, labels, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
