"""The Tacotron model: shapes, the guided-attention weights and a safe_mode round trip (training
that lowers the loss is tested end to end in test_tts_training.py)."""

import numpy as np
import pytest

from showcase.tts.model import Tacotron, guided_attention_weights


def tiny_model(encoder="cbhg", postnet="cbhg", text_units="characters"):
    import keras

    keras.utils.set_random_seed(0)
    return Tacotron(
        symbols=12,
        n_mels=8,
        n_linear=17,
        reduction=2,
        encoder=encoder,
        postnet=postnet,
        embedding_dim=16,
        decoder_units=16,
        attention_units=8,
        prenet_units=(8, 8),
        postnet_channels=8,
        text_units=text_units,
    )


def toy_batch():
    """Each "utterance" holds one tone per character, so text and frames really align."""
    rng = np.random.default_rng(0)
    text = rng.integers(2, 12, (4, 6)).astype("int32")
    text[1, 4:] = 0
    mel = np.zeros((4, 12, 8), "float32")
    for row in range(4):
        for position, symbol in enumerate(text[row]):
            if symbol:
                mel[row, 2 * position : 2 * position + 2, symbol % 8] = 1.0
    linear = np.repeat(mel, 2, axis=-1)[..., :17]
    linear = np.pad(linear, ((0, 0), (0, 0), (0, 17 - linear.shape[-1])))
    return {
        "text": text,
        "mel": mel,
        "linear": linear,
        "frames": np.array([12, 8, 12, 12], "int32"),
    }


@pytest.mark.parametrize("encoder, postnet", [("cbhg", "cbhg"), ("conv", "conv"), ("conv", "mel")])
def test_shapes_alignment_rows_sum_to_one_and_padding_gets_no_attention(encoder, postnet):
    model = tiny_model(encoder, postnet)
    out = model(toy_batch())
    assert out["mel"].shape == (4, 12, 8)
    if postnet == "mel":
        assert out["postnet_mel"].shape == (4, 12, 8) and "linear" not in out
    else:
        assert out["linear"].shape == (4, 12, 17)
    assert out["stop"].shape == (4, 6) and out["alignment"].shape == (4, 6, 6)
    alignment = np.asarray(out["alignment"])
    np.testing.assert_allclose(alignment.sum(-1), 1.0, atol=1e-5)
    assert alignment[1, :, 4:].max() < 1e-6


def test_guided_attention_weights_follow_the_diagonal():
    weights = np.asarray(guided_attention_weights(np.array([4]), np.array([4]), 6, 5, sigma=0.2))
    assert weights.shape == (1, 5, 6)
    assert np.allclose(np.diagonal(weights[0, :4, :4]), 0.0)
    # Far from the diagonal the penalty is near 1: 1 - exp(-(3/4)^2 / 0.08).
    assert weights[0, 0, 3] == pytest.approx(1 - np.exp(-(0.75**2) / 0.08), rel=1e-5)
    assert weights[0, 4].max() == 0.0 and weights[0, :, 4:].max() == 0.0  # outside (T, N)


def test_a_safe_mode_round_trip_gives_the_same_encoder(tmp_path):
    import keras

    model = tiny_model("conv", "conv", text_units="phonemes")
    batch = toy_batch()
    model(batch)
    path = tmp_path / "tts.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert (loaded.text_units, loaded.phoneme_voice) == ("phonemes", "en-us")
    np.testing.assert_allclose(
        loaded.encode(batch["text"])[0], model.encode(batch["text"])[0], atol=1e-6
    )


def test_the_mel_post_net_refines_the_decoder_frames_and_needs_no_linear_targets():
    import keras

    model = tiny_model("conv", "mel")
    batch = toy_batch()
    del batch["linear"]
    out = model(batch)
    # A residual: the refined frames are the decoder's plus a correction, not a copy.
    correction = np.asarray(out["postnet_mel"]) - np.asarray(out["mel"])
    assert 0 < np.abs(correction).mean() < 10
    loss = float(model.compute_loss(x=batch, y_pred=out))
    assert np.isfinite(loss) and loss > 0
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    first = model.fit(batch, epochs=1, batch_size=4, verbose=0).history["loss"][0]
    last = model.fit(batch, epochs=30, batch_size=4, verbose=0).history["loss"][-1]
    assert last < first
    with pytest.raises(ValueError, match="postnet"):
        Tacotron(symbols=12, postnet="linear")


def test_a_model_trained_on_characters_lends_all_but_its_embedding_to_a_phoneme_model():
    from showcase.tts.train import build, carry_weights

    characters = build(tiny_model(encoder="conv", postnet="mel"))
    config = {**characters.get_config(), "symbols": 20, "text_units": "phonemes"}
    sounds = build(Tacotron.from_config(config))
    assert sounds.text_units == "phonemes" and characters.text_units == "characters"
    fresh = carry_weights(characters, sounds)
    assert len(fresh) == 1 and fresh[0].endswith("characters/embeddings")
    for old, new in zip(characters.weights, sounds.weights, strict=True):
        if tuple(old.shape) == tuple(new.shape):
            np.testing.assert_array_equal(old.numpy(), new.numpy())
    assert sounds.embedding.embeddings.shape == (20, 16)
