import keras
import numpy as np
import pytest
import tensorflow as tf

from showcase import checkpoints
from showcase.errors import CheckpointError
from showcase.sentiment.model import (
    SentenceTokenizer,
    SubwordEmbedding,
    build_classifier_core,
    build_end_to_end,
    make_vectorizer,
    ptb_like_standardize,
)


def _tiny_model(ensemble_size=2):
    tokenizer = SentenceTokenizer(max_length=12)
    vectorizer = make_vectorizer(100)
    vectorizer.adapt(tokenizer(tf.constant(["a good film", "a bad film", "i do n't like it ."])))
    cores = [
        build_classifier_core(vectorizer.vocabulary_size(), 8, 8, 64, 4, name=f"core_{i}")
        for i in range(ensemble_size)
    ]
    return build_end_to_end(tokenizer, vectorizer, cores)


def test_standardiser_splits_like_sst():
    out = ptb_like_standardize(tf.constant(["I don't love it, it's DULL!"])).numpy()[0].decode()
    assert out.split() == ["i", "do", "n't", "love", "it", ",", "it", "'s", "dull", "!"]


def test_tokenizer_pads_and_caps_length():
    tokens = SentenceTokenizer(max_length=3)(tf.constant(["It's great!", "ok"])).numpy()
    assert tokens.tolist() == [[b"it", b"'s", b"great"], [b"ok", b"", b""]]


def test_subwords_give_unseen_words_vectors_and_padding_zeros():
    layer = SubwordEmbedding(num_buckets=50, output_dim=4)
    vectors = layer(tf.constant([["unwatchable", ""]])).numpy()
    assert vectors.shape == (1, 2, 4)
    assert np.abs(vectors[0, 0]).sum() > 0 and np.abs(vectors[0, 1]).sum() == 0


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
    tokens = SentenceTokenizer()(tf.constant(texts))
    vectorizer = make_vectorizer(50)
    vectorizer.adapt(tokens)
    core = build_classifier_core(
        vectorizer.vocabulary_size(), 8, 8, 64, 4, word_dropout=0.0, dropout=0.0
    )
    core.compile(keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
    history = core.fit([vectorizer(tokens), tokens], labels, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
