"""Bidirectional LSTM sentence classifier, strings in, P(positive) out.

Paper: the recurrent sentence encoder of Hochreiter & Schmidhuber (1997), run in both directions
(Schuster & Paliwal 1997, "Bidirectional Recurrent Neural Networks"), trained with dropout
(Srivastava et al. 2014) on the Stanford Sentiment Treebank (Socher et al. 2013, SST-2 sentence
splits of Kim 2014). This is the lecture's "Sentiment Classification" slide: a many-to-one RNN.

What differs from a textbook BiLSTM and why (each measured on SST-2 dev, see the model card):
- Words are embedded twice: a learned vector per frequent word, joined with the mean of hashed
  character n-gram vectors (fastText subwords, Bojanowski et al. 2017). With 6,920 training
  sentences many test words are rare or unseen; their n-grams ("disappoint", "-less") are not.
  Nothing is pretrained: both tables start random and learn from SST-2 alone.
- The sentence vector is the max over time of the BiLSTM outputs joined with the two final states
  (Conneau et al. 2017 found max-pooling the strongest simple readout).
- Whole-word dropout (Gal & Ghahramani 2016) on top of ordinary dropout: overfitting is the main
  enemy on a small dataset, exactly the lecture's point about dropout.
- The shipped model averages the probabilities of a few such networks trained from different
  seeds (an ensemble, as Sutskever et al. 2014 did with their LSTMs): single networks on SST-2
  swing by +-1.5 points from seed to seed, their average does not.
- The tokeniser lives inside the model (a registered layer that lower-cases and splits clitics
  and punctuation like SST's PTB tokenisation), so the saved ``.keras`` file takes raw strings.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers, ops

from showcase.sentiment.presets import SHIPPED

PACKAGE = "showcase.sentiment"
PADDING = ""
OUT_OF_VOCABULARY_ID = 1  # TextVectorization reserves 0 for padding and 1 for unknown words


def ptb_like_standardize(text):
    """Lower-case and split clitics and punctuation the way SST's PTB tokenisation does.

    "I don't love it." -> "i do n't love it ." so user sentences meet the vocabulary the model saw.
    """
    text = tf.strings.lower(text, encoding="utf-8")
    text = tf.strings.regex_replace(text, "[\u2018\u2019`\u00b4]", "'")
    text = tf.strings.regex_replace(text, "[\u201c\u201d]", '"')
    text = tf.strings.regex_replace(text, "n't\\b", " n't")
    text = tf.strings.regex_replace(text, "'(s|re|ve|ll|d|m)\\b", " '\\1")
    text = tf.strings.regex_replace(text, '([.,!?;:()"]|--)', " \\1 ")
    return text


@keras.saving.register_keras_serializable(package=PACKAGE)
class SentenceTokenizer(layers.Layer):
    """Raw sentences (batch,) -> word tokens (batch, time), padded with "" and capped in length."""

    def __init__(self, max_length: int = SHIPPED.max_length, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length

    def call(self, text):
        tokens = tf.strings.split(ptb_like_standardize(text))
        return tokens[:, : self.max_length].to_tensor(PADDING)

    def get_config(self):
        return {**super().get_config(), "max_length": self.max_length}


@keras.saving.register_keras_serializable(package=PACKAGE)
class SubwordEmbedding(layers.Layer):
    """Each token -> mean of its hashed character n-gram vectors (fastText, Bojanowski et al. 2017).

    "<film>" contributes "<fi", "fil", "ilm", "lm>", "<fil", ... Hashing (FarmHash, stable across
    platforms) maps any string, seen or not, into ``num_buckets`` rows. Padding gets zeros.
    """

    def __init__(
        self,
        num_buckets: int = 20000,
        output_dim: int = 64,
        min_n: int = 3,
        max_n: int = 5,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_buckets = num_buckets
        self.output_dim = output_dim
        self.min_n = min_n
        self.max_n = max_n

    def build(self, input_shape):
        self.table = self.add_weight(
            shape=(self.num_buckets, self.output_dim), initializer="uniform", name="table"
        )

    def call(self, tokens):
        characters = tf.strings.unicode_split(tf.strings.join(["<", tokens, ">"]), "UTF-8")
        ngrams = tf.concat(
            [
                tf.strings.ngrams(characters, n, separator="")
                for n in range(self.min_n, self.max_n + 1)
            ],
            axis=-1,
        )
        ids = tf.strings.to_hash_bucket_fast(ngrams, self.num_buckets)
        vectors = tf.gather(self.table, ids)
        total = tf.reduce_sum(vectors, axis=2)
        count = tf.reduce_sum(tf.ones_like(ids, dtype=total.dtype), axis=2)
        mean = tf.math.divide_no_nan(total, tf.expand_dims(count, -1))
        if isinstance(mean, tf.RaggedTensor):
            mean = mean.to_tensor()
        not_padding = tf.cast(tf.not_equal(tokens, PADDING), mean.dtype)[..., None]
        return tf.cast(mean * not_padding, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {
            **super().get_config(),
            "num_buckets": self.num_buckets,
            "output_dim": self.output_dim,
            "min_n": self.min_n,
            "max_n": self.max_n,
        }


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


def make_vectorizer(
    max_tokens: int = SHIPPED.max_tokens, vocabulary=None
) -> layers.TextVectorization:
    """Word tokens (batch, time) -> ids; frequent words only, the rest share the unknown id."""
    return layers.TextVectorization(
        max_tokens=max_tokens,
        standardize=None,
        split=None,
        output_mode="int",
        vocabulary=vocabulary,
        name="vocabulary",
    )


def build_classifier_core(
    vocabulary_size: int,
    embedding_dim: int = SHIPPED.embedding_dim,
    subword_dim: int = SHIPPED.subword_dim,
    subword_buckets: int = SHIPPED.subword_buckets,
    lstm_units: int = SHIPPED.lstm_units,
    word_dropout: float = SHIPPED.word_dropout,
    dropout: float = SHIPPED.dropout,
    seed: int = SHIPPED.seed,
    name: str = "bilstm_classifier",
) -> keras.Model:
    """[token ids (batch, time), tokens (batch, time)] -> P(positive) (batch, 1)."""
    token_ids = keras.Input(shape=(None,), dtype="int64", name="token_ids")
    tokens = keras.Input(shape=(None,), dtype="string", name="tokens")
    dropped = WordDropout(word_dropout, OUT_OF_VOCABULARY_ID, seed=seed, name="word_dropout")(
        token_ids
    )
    words = layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True, name="embedding")(
        dropped
    )
    embedded = words
    if subword_dim:
        subwords = SubwordEmbedding(subword_buckets, subword_dim, name="subwords")(tokens)
        embedded = layers.Concatenate(name="word_and_subwords")([words, subwords])
    embedded = layers.Dropout(dropout, seed=seed, name="embedding_dropout")(embedded)
    sequence, forward_h, _, backward_h, _ = layers.Bidirectional(
        layers.LSTM(lstm_units, return_sequences=True, return_state=True, seed=seed),
        name="bilstm",
    )(embedded)
    pooled = MaskedMaxPooling1D(name="max_over_time")(sequence)
    sentence = layers.Concatenate(name="sentence_vector")([pooled, forward_h, backward_h])
    sentence = layers.Dropout(dropout, seed=seed, name="sentence_dropout")(sentence)
    probability = layers.Dense(1, activation="sigmoid", dtype="float32", name="positive")(sentence)
    return keras.Model([token_ids, tokens], probability, name=name)


def build_end_to_end(
    tokenizer: SentenceTokenizer, vectorizer: layers.TextVectorization, cores: list[keras.Model]
) -> keras.Model:
    """Raw strings (batch,) -> P(positive) (batch, 1), averaged over the cores; this is saved."""
    text = keras.Input(shape=(), dtype="string", name="text")
    tokens = tokenizer(text)
    token_ids = vectorizer(tokens)
    outputs = [core([token_ids, tokens]) for core in cores]
    probability = outputs[0] if len(outputs) == 1 else layers.Average(name="ensemble")(outputs)
    return keras.Model(text, probability, name="sentiment_bilstm")
