"""Bidirectional LSTM sentence classifier, strings in, P(positive) out.

Paper: the recurrent sentence encoder of Hochreiter & Schmidhuber (1997), run in both directions
(Schuster & Paliwal 1997, "Bidirectional Recurrent Neural Networks"), trained with dropout
(Srivastava et al. 2014) on the Stanford Sentiment Treebank (Socher et al. 2013, SST-2 sentence
splits of Kim 2014). This is the lecture's "Sentiment Classification" slide: a many-to-one RNN.

What differs from a textbook BiLSTM and why:
- The sentence vector is the max over time of the BiLSTM outputs joined with the two final states
  (Conneau et al. 2017 found max-pooling the strongest simple readout); a last-state-only readout
  forgets the start of long sentences.
- Whole-word dropout on the embeddings (Gal & Ghahramani 2016, "embedding dropout") on top of
  ordinary dropout: with 6,920 training sentences and no pretrained embeddings, overfitting is the
  main enemy, exactly the lecture's point about dropout.
- The tokeniser lives inside the model (a Keras ``TextVectorization`` with a registered, PTB-like
  standardiser), so the saved ``.keras`` file takes raw strings and splits "don't" like SST does.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers, ops

PACKAGE = "showcase.sentiment"


@keras.saving.register_keras_serializable(package=PACKAGE)
def ptb_like_standardize(text):
    """Lower-case and split clitics and punctuation the way SST's PTB tokenisation does.

    "I don't love it." -> "i do n't love it ." so user sentences meet the vocabulary the model saw.
    """
    text = tf.strings.lower(text)
    text = tf.strings.regex_replace(text, "[\u2018\u2019`\u00b4]", "'")
    text = tf.strings.regex_replace(text, "[\u201c\u201d]", '"')
    text = tf.strings.regex_replace(text, "n't\\b", " n't")
    text = tf.strings.regex_replace(text, "'(s|re|ve|ll|d|m)\\b", " '\\1")
    text = tf.strings.regex_replace(text, "([.,!?;:()\"]|--)", " \\1 ")
    return text


@keras.saving.register_keras_serializable(package=PACKAGE)
class WordDropout(layers.Layer):
    """Drop whole token ids (replace them with the out-of-vocabulary id) while training."""

    def __init__(self, rate: float, replacement_id: int = 1, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.replacement_id = replacement_id
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, token_ids, training=False):
        if not training or self.rate <= 0:
            return token_ids
        keep = keras.random.uniform(ops.shape(token_ids), seed=self.seed_generator) >= self.rate
        # Padding (id 0) stays padding so the mask is unchanged.
        keep = ops.logical_or(keep, ops.equal(token_ids, 0))
        return ops.where(keep, token_ids, ops.full_like(token_ids, self.replacement_id))

    def get_config(self):
        return {
            **super().get_config(),
            "rate": self.rate,
            "replacement_id": self.replacement_id,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package=PACKAGE)
class MaskedMaxPooling1D(layers.Layer):
    """Max over the time steps that the mask keeps (Keras' GlobalMaxPooling1D ignores masks)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, sequence, mask=None):
        if mask is not None:
            lowest = ops.full_like(sequence, -1e9)
            sequence = ops.where(ops.expand_dims(mask, -1), sequence, lowest)
        return ops.max(sequence, axis=1)

    def compute_mask(self, inputs, mask=None):
        return None


def make_vectorizer(max_tokens: int = 20000, vocabulary=None) -> layers.TextVectorization:
    return layers.TextVectorization(
        max_tokens=max_tokens,
        standardize=ptb_like_standardize,
        split="whitespace",
        output_mode="int",
        vocabulary=vocabulary,
        name="tokenizer",
    )


def build_classifier_core(
    vocabulary_size: int,
    embedding_dim: int = 128,
    lstm_units: int = 96,
    word_dropout: float = 0.2,
    dropout: float = 0.5,
    seed: int = 1337,
) -> keras.Model:
    """Token ids (batch, time) -> P(positive) (batch, 1)."""
    token_ids = keras.Input(shape=(None,), dtype="int64", name="token_ids")
    dropped = WordDropout(word_dropout, seed=seed, name="word_dropout")(token_ids)
    embedded = layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True, name="embedding")(
        dropped
    )
    embedded = layers.Dropout(dropout, seed=seed, name="embedding_dropout")(embedded)
    sequence, forward_h, _, backward_h, _ = layers.Bidirectional(
        layers.LSTM(lstm_units, return_sequences=True, return_state=True, seed=seed),
        name="bilstm",
    )(embedded)
    pooled = MaskedMaxPooling1D(name="max_over_time")(sequence)
    sentence = layers.Concatenate(name="sentence_vector")([pooled, forward_h, backward_h])
    sentence = layers.Dropout(dropout, seed=seed, name="sentence_dropout")(sentence)
    probability = layers.Dense(1, activation="sigmoid", dtype="float32", name="positive")(sentence)
    return keras.Model(token_ids, probability, name="bilstm_classifier")


def build_end_to_end(vectorizer: layers.TextVectorization, core: keras.Model) -> keras.Model:
    """Raw strings (batch,) -> P(positive) (batch, 1); this is the model that is saved."""
    text = keras.Input(shape=(), dtype="string", name="text")
    probability = core(vectorizer(text))
    return keras.Model(text, probability, name="sentiment_bilstm")
