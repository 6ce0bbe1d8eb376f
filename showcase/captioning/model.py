"""Show and Tell, and a spatial-attention variant, as one registered Keras model.

Vinyals, Toshev, Bengio & Erhan (2015), "Show and Tell: A Neural Image Caption Generator": a CNN
encodes the image; its embedding is the LSTM's first input (at t = -1), then the caption's words
follow, each embedded, with teacher forcing in training; the LSTM's output at every step is a
softmax over the vocabulary. Decoding is beam search (``showcase.beam_search``).

``attention=True`` adds soft attention over the encoder's 8x8 grid of region features, so every
word comes with a map of where the model looked (Xu et al. 2015, "Show, Attend and Tell"). What
differs from Xu et al. and why: the attention query is the LSTM's *current* output h_t, and the
attended context joins h_t before the softmax (the "spatial attention" of Lu, Xiong, Parikh &
Socher 2017, "Knowing When to Look"), instead of the previous state h_{t-1} with the context fed
into the LSTM. The LSTM then runs as one fused layer over the whole caption in training, rather
than a Python loop of cells, and Lu et al. report it captions better.

Other changes, all for 64x64 synthetic scenes on a CPU:
- The default encoder is a small CNN trained from scratch with the decoder (Show and Tell uses an
  ImageNet GoogLeNet, fine-tuned late). ``encoder="mobilenet"`` uses keras.applications' ImageNet
  MobileNet (alpha 0.25), frozen, for photographs.
- Show and Tell flattens the 8x8 feature map into its image embedding instead of pooling it:
  captions name spatial relations, and global pooling throws positions away.
- Region features get a learned position embedding, for the same reason.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from showcase.captioning.presets import SHIPPED
from showcase.imagenet import mobilenet_quarter

PACKAGE = "showcase.captioning"
ENCODERS = ("scratch", "mobilenet")


def build_scratch_encoder(image_size: int, channels: int = 128) -> keras.Model:
    """(image_size, image_size, 3) pixels in [0, 255] -> (image_size/8, image_size/8, channels)."""
    image = keras.Input((image_size, image_size, 3), name="image")
    x = layers.Rescaling(1 / 255, name="to_unit_range")(image)
    for block, filters in enumerate((32, 64, channels), start=1):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{block}")(x)
        x = layers.BatchNormalization(name=f"conv{block}_bn")(x)
        x = layers.ReLU(name=f"conv{block}_relu")(x)
        x = layers.MaxPooling2D(name=f"pool{block}")(x)
    x = layers.Conv2D(channels, 3, padding="same", activation="relu", name="conv4")(x)
    return keras.Model(image, x, name="scratch_encoder")


MOBILENET_TRUNK_END = "conv_pw_11_relu"


def build_mobilenet_encoder(image_size: int) -> keras.Model:
    """keras.applications MobileNet (alpha 0.25) up to its stride-16 block, frozen.

    Cut at ``conv_pw_11_relu`` (128 channels), a 224-pixel photograph gives a 14 x 14 grid of
    regions, the grid Xu et al. (2015) attend over. The architecture is built here without weights;
    :func:`load_imagenet_weights` fills them in before training (a saved model keeps its own).
    """
    backbone = mobilenet_quarter((image_size, image_size, 3), pretrained=False)
    trunk = keras.Model(
        backbone.input, backbone.get_layer(MOBILENET_TRUNK_END).output, name="mobilenet_trunk"
    )
    trunk.trainable = False
    image = keras.Input((image_size, image_size, 3), name="image")
    # MobileNet expects [-1, 1].
    features = trunk(layers.Rescaling(1 / 127.5, offset=-1.0, name="to_mobilenet")(image))
    return keras.Model(image, features, name="mobilenet_encoder")


def load_imagenet_weights(encoder: keras.Model, weights_path=None) -> int:
    """Copy MobileNet's ImageNet weights into a :func:`build_mobilenet_encoder` encoder.

    Returns how many layers received weights. Raises ``DownloadError`` when the weight file can
    neither be found in the cache nor downloaded.
    """
    pretrained = mobilenet_quarter(weights_path=weights_path)
    trunk = encoder.get_layer("mobilenet_trunk")
    filled = 0
    for layer in trunk.layers:
        if layer.weights:
            layer.set_weights(pretrained.get_layer(layer.name).get_weights())
            filled += 1
    return filled


@keras.saving.register_keras_serializable(package=PACKAGE)
class ShowAndTell(keras.Model):
    """``call((images, input_words))`` -> next-word logits, teacher-forced; pixels in [0, 255].

    ``input_words`` is ``<start> w1 .. wn <pad>..``; position t of the output predicts word t+1
    (``w1 .. wn <end>``). For decoding, :meth:`start` and :meth:`step` advance one word at a time.
    """

    def __init__(
        self,
        tokens: list[str],
        image_size: int = SHIPPED.image_size,
        encoder: str = SHIPPED.encoder,
        attention: bool = SHIPPED.attention,
        embedding_dim: int = SHIPPED.embedding_dim,
        units: int = SHIPPED.units,
        feature_dim: int = SHIPPED.feature_dim,
        dropout: float = SHIPPED.dropout,
        max_length: int = SHIPPED.max_length,
        image_norm: bool = SHIPPED.image_norm,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if encoder not in ENCODERS:
            raise ValueError(f"encoder must be one of {ENCODERS}, not {encoder!r}")
        self.tokens = list(tokens)
        self.image_size = image_size
        self.encoder_name = encoder
        self.attention = attention
        self.embedding_dim = embedding_dim
        self.units = units
        self.feature_dim = feature_dim
        self.dropout_rate = dropout
        self.max_length = max_length
        self.image_norm = image_norm

        self.encoder = (
            build_scratch_encoder(image_size, feature_dim)
            if encoder == "scratch"
            else build_mobilenet_encoder(image_size)
        )
        grid = self.encoder.output.shape[1] * self.encoder.output.shape[2]
        self.regions = grid
        self.image_embedding = layers.Dense(embedding_dim, name="image_embedding")
        if image_norm:
            # The flattened 8x8 map has thousands of ReLU features: unnormalised, its embedding
            # saturates the LSTM's gates at t = -1 and the image is never learned from.
            self.image_embedding_norm = layers.LayerNormalization(name="image_embedding_norm")
        self.word_embedding = layers.Embedding(len(self.tokens), embedding_dim, name="words")
        self.lstm = layers.LSTM(units, return_sequences=True, return_state=True, name="lstm")
        self.dropout = layers.Dropout(dropout, name="dropout")
        self.vocabulary_logits = layers.Dense(len(self.tokens), name="vocabulary_logits")
        if attention:
            self.region_projection = layers.Dense(feature_dim, name="region_projection")
            self.region_position = layers.Embedding(grid, feature_dim, name="region_position")
            self.attention_regions = layers.Dense(units, use_bias=False, name="attention_regions")
            self.attention_query = layers.Dense(units, name="attention_query")
            self.attention_score = layers.Dense(1, use_bias=False, name="attention_score")
            self.combine = layers.Dense(units, activation="tanh", name="combine")

    # -- pieces shared by training and decoding -------------------------------------------------
    def encode(self, images, training=False):
        """images -> (image embedding (B, E), regions (B, R, F) or None)."""
        maps = self.encoder(images, training=training)
        flat = ops.reshape(maps, (-1, self.regions * maps.shape[-1]))
        embedded = self.image_embedding(flat)
        if self.image_norm:
            embedded = self.image_embedding_norm(embedded)
        if not self.attention:
            return embedded, None
        regions = ops.reshape(maps, (-1, self.regions, maps.shape[-1]))
        positions = self.region_position(ops.arange(self.regions))
        return embedded, self.region_projection(regions) + positions[None]

    def _attend(self, outputs, regions):
        """outputs (B, T, U), regions (B, R, F) -> (combined (B, T, U), weights (B, T, R))."""
        keys = self.attention_regions(regions)[:, None]  # (B, 1, R, U)
        query = self.attention_query(outputs)[:, :, None]  # (B, T, 1, U)
        scores = ops.squeeze(self.attention_score(ops.tanh(keys + query)), -1)  # (B, T, R)
        weights = ops.softmax(scores, axis=-1)
        context = ops.einsum("btr,brf->btf", weights, regions)
        return self.combine(ops.concatenate([outputs, context], axis=-1)), weights

    def _head(self, outputs, regions, training=False):
        weights = None
        if self.attention:
            outputs, weights = self._attend(outputs, regions)
        return self.vocabulary_logits(self.dropout(outputs, training=training)), weights

    def call(self, inputs, training=False):
        images, words = inputs
        embedded, regions = self.encode(images, training=training)
        sequence = ops.concatenate([embedded[:, None], self.word_embedding(words)], axis=1)
        outputs, _, _ = self.lstm(sequence, training=training)
        logits, _ = self._head(outputs[:, 1:], regions, training=training)
        return logits

    def start(self, images):
        """Feed the image (t = -1): returns (h, c, regions)."""
        embedded, regions = self.encode(images)
        _, h, c = self.lstm(embedded[:, None])
        if regions is None:
            regions = ops.zeros((ops.shape(h)[0], 1, 1))
        return h, c, regions

    def step(self, words, h, c, regions):
        """One word per row -> (log-probabilities (B, V), h, c, attention (B, R) or zeros)."""
        outputs, h, c = self.lstm(self.word_embedding(words)[:, None], initial_state=[h, c])
        logits, weights = self._head(outputs, regions if self.attention else None)
        if weights is None:
            weights = ops.zeros((ops.shape(h)[0], 1, 1))
        return ops.log_softmax(logits[:, 0], axis=-1), h, c, weights[:, 0]

    @classmethod
    def from_config(cls, config):
        # Checkpoints saved before the option existed (the shipped scenes_attention) had none.
        return cls(**{"image_norm": False, **config})

    def get_config(self):
        return {
            **super().get_config(),
            "tokens": self.tokens,
            "image_size": self.image_size,
            "encoder": self.encoder_name,
            "attention": self.attention,
            "embedding_dim": self.embedding_dim,
            "units": self.units,
            "feature_dim": self.feature_dim,
            "dropout": self.dropout_rate,
            "max_length": self.max_length,
            "image_norm": self.image_norm,
        }
