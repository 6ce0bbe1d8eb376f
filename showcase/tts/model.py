"""A Tacotron-style synthesiser: symbols -> mel frames -> spectrogram (-> Griffin-Lim).

Papers: Wang et al. (2017), "Tacotron: Towards End-to-End Speech Synthesis" (pre-nets, CBHG,
reduction factor r, post-net to a linear spectrogram, Griffin-Lim); Shen et al. (2018), Tacotron 2
(location-sensitive attention, stop token, the conv + BiLSTM encoder and the convolutional
post-net offered as ``encoder="conv"`` / ``postnet="conv"``);
Chorowski et al. (2015) for location-sensitive attention; Tachibana, Uenoyama & Aihara (2017) for
the guided attention loss, which makes alignment appear after a few thousand steps on a CPU.

Changed from the papers, and why:
- The shipped voice reads espeak-ng's phonemes instead of characters (``text_units="phonemes"``,
  :mod:`showcase.tts.phonemes`; Tacotron 2 names phonemes as the usual alternative). Trained
  on characters for 13,125 steps, the voice was heard with a word error rate 38.7 points above
  that of espeak-ng's own audio; 20,000 short sentences do not teach English spelling. The
  model records its text units in its config, and characters remain an option.
- Smaller everywhere (128-unit encoder, 256-unit decoder LSTMs, CBHG banks of 8 and 4): the model
  must train on a laptop CPU on one synthetic voice; Tacotron used 256/256 GRUs and banks of 16.
- LSTM cells instead of Tacotron's GRUs in the decoder (as Tacotron 2), and an L1 loss on both
  spectrograms (Tacotron), plus a binary stop-token loss (Tacotron 2) so decoding ends by itself.
- The decoder loop is written with ``keras.ops.scan``, so the same model trains under the
  TensorFlow and the JAX backends.
- The shipped voice uses ``postnet="mel"``, Tacotron 2's residual mel post-net (128 channels
  instead of 512), and turns its mel frames into sound through the filterbank's pseudo-inverse
  and Griffin-Lim. Measured on held-out espeak-ng sentences, the true mel spectrogram through
  that path is as intelligible as the original recording, so the paper's linear post-net buys
  nothing here; and the 5 x 256-channel post-net over 513 linear bins made a CPU training step
  about twice as slow.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from showcase.tts.presets import SHIPPED

PACKAGE = "showcase.tts"
MASKED = -1e9
ENCODERS = ("cbhg", "conv")
# "mel": Tacotron 2's residual post-net, which refines the decoder's mel frames (synthesis then
# inverts the mel filterbank); the other two predict a linear spectrogram as Tacotron does.
POSTNETS = ("cbhg", "conv", "mel")


@keras.saving.register_keras_serializable(package=PACKAGE)
class CBHG(layers.Layer):
    """Conv bank (widths 1..K) + max-pool + conv projections + residual + highway layers + BiGRU
    (Tacotron §3.1). ``mask`` (B, T) zeroes padded frames before each convolution."""

    def __init__(self, bank=8, channels=128, projections=(128, 128), highways=4, units=64, **kw):
        super().__init__(**kw)
        self.supports_masking = True
        self.bank, self.channels, self.projections = bank, channels, tuple(projections)
        self.highways, self.units = highways, units
        self.bank_convs = [
            layers.Conv1D(channels, k, padding="same", activation="relu", name=f"bank{k}")
            for k in range(1, bank + 1)
        ]
        self.bank_norms = [
            layers.BatchNormalization(name=f"bank{k}_bn") for k in range(1, bank + 1)
        ]
        self.pool = layers.MaxPooling1D(2, strides=1, padding="same")
        self.projection_convs = [
            layers.Conv1D(c, 3, padding="same", name=f"projection{i}")
            for i, c in enumerate(projections)
        ]
        self.projection_norms = [
            layers.BatchNormalization(name=f"projection{i}_bn") for i in range(len(projections))
        ]
        self.highway_in = layers.Dense(units * 2, name="highway_in")
        self.highway_h = [layers.Dense(units * 2, activation="relu") for _ in range(highways)]
        self.highway_t = [
            layers.Dense(
                units * 2, activation="sigmoid", bias_initializer=keras.initializers.Constant(-1.0)
            )
            for _ in range(highways)
        ]
        self.gru = layers.Bidirectional(layers.GRU(units, return_sequences=True), name="bigru")

    def call(self, x, mask=None, training=False):
        keep = 1.0 if mask is None else ops.cast(mask, x.dtype)[..., None]
        x = x * keep
        bank = [
            n(c(x), training=training)
            for c, n in zip(self.bank_convs, self.bank_norms, strict=True)
        ]
        y = self.pool(ops.concatenate(bank, axis=-1)) * keep
        for index, (conv, norm) in enumerate(
            zip(self.projection_convs, self.projection_norms, strict=True)
        ):
            y = norm(conv(y), training=training)
            if index < len(self.projection_convs) - 1:
                y = ops.relu(y)
            y = y * keep
        y = self.highway_in(y + x if y.shape[-1] == x.shape[-1] else y)
        for h, t in zip(self.highway_h, self.highway_t, strict=True):
            gate = t(y)
            y = h(y) * gate + y * (1.0 - gate)
        return self.gru(y, mask=None if mask is None else ops.cast(mask, "bool"), training=training)

    def get_config(self):
        return {
            **super().get_config(),
            "bank": self.bank,
            "channels": self.channels,
            "projections": list(self.projections),
            "highways": self.highways,
            "units": self.units,
        }


def guided_attention_weights(text_lengths, decoder_steps, max_text, max_steps, sigma=0.2):
    """Tachibana et al. (2017): W[t, n] = 1 - exp(-(n/N - t/T)^2 / (2 sigma^2)), per example.

    Returns (B, max_steps, max_text); zero outside each example's (T, N) rectangle, so padding
    never adds to the loss.
    """
    n = ops.arange(max_text, dtype="float32")[None, None, :]
    t = ops.arange(max_steps, dtype="float32")[None, :, None]
    length_n = ops.cast(text_lengths, "float32")[:, None, None]
    length_t = ops.cast(decoder_steps, "float32")[:, None, None]
    weights = 1.0 - ops.exp(-ops.square(n / length_n - t / length_t) / (2.0 * sigma**2))
    inside = ops.logical_and(n < length_n, t < length_t)
    return ops.where(inside, weights, 0.0)


@keras.saving.register_keras_serializable(package=PACKAGE)
class Tacotron(keras.Model):
    """``call({"text": ids (B, N), "mel": frames (B, T, n_mels)})`` -> predictions, teacher-forced.

    ``T`` must be a multiple of ``reduction``. Predictions: ``mel`` (B, T, n_mels), the
    post-net's ``linear`` (B, T, n_linear) or, with ``postnet="mel"``, ``postnet_mel`` (B, T,
    n_mels), ``stop`` logits (B, T / r) and ``alignment`` (B, T / r, N). Training data also
    carries ``frames`` (true lengths) and, for a linear post-net, ``linear`` targets for
    :meth:`compute_loss`.
    """

    def __init__(
        self,
        symbols: int,
        n_mels: int = 80,
        n_linear: int = 513,
        reduction: int = SHIPPED.reduction,
        encoder: str = SHIPPED.encoder,
        postnet: str = SHIPPED.postnet,
        embedding_dim: int = SHIPPED.embedding_dim,
        decoder_units: int = SHIPPED.decoder_units,
        attention_units: int = SHIPPED.attention_units,
        prenet_units: tuple = (128, 64),
        location_filters: int = 16,
        location_kernel: int = 15,
        guided_sigma: float = 0.2,
        guided_weight: float = SHIPPED.guided_weight,
        postnet_channels: int = SHIPPED.postnet_channels,
        audio: dict | None = None,
        text_units: str = SHIPPED.text_units,
        phoneme_voice: str = "en-us",
        **kwargs,
    ):
        super().__init__(**kwargs)
        # What the symbol ids stand for (see showcase.tts.frontend), so synthesis reads text the
        # way the model was trained to.
        self.text_units, self.phoneme_voice = text_units, phoneme_voice
        # The signal settings the spectrograms were made with, so synthesis can invert them.
        self.audio = dict(audio or {})
        if encoder not in ENCODERS:
            raise ValueError(f"encoder must be one of {ENCODERS}")
        if postnet not in POSTNETS:
            raise ValueError(f"postnet must be one of {POSTNETS}")
        self.postnet_kind = postnet
        self.symbols, self.n_mels, self.n_linear = symbols, n_mels, n_linear
        self.reduction, self.encoder_kind, self.embedding_dim = reduction, encoder, embedding_dim
        self.decoder_units, self.attention_units = decoder_units, attention_units
        self.prenet_units = tuple(prenet_units)
        self.location_filters, self.location_kernel = location_filters, location_kernel
        self.guided_sigma, self.guided_weight = guided_sigma, guided_weight
        self.postnet_channels = postnet_channels
        self.prenet_rate = 0.5
        # Under JAX, random numbers in a traced call need a generator owned by the model.
        self.prenet_seed = keras.random.SeedGenerator(0)

        self.embedding = layers.Embedding(symbols, embedding_dim, name="characters")
        if encoder == "cbhg":
            self.encoder_prenet = [
                layers.Dense(embedding_dim, activation="relu", name="encoder_prenet1"),
                layers.Dense(embedding_dim // 2, activation="relu", name="encoder_prenet2"),
            ]
            self.encoder_dropout = layers.Dropout(0.5)
            self.encoder_cbhg = CBHG(
                bank=8,
                channels=embedding_dim // 2,
                projections=(embedding_dim, embedding_dim // 2),
                units=embedding_dim // 2,
                name="encoder_cbhg",
            )
        else:
            self.encoder_convs = [
                layers.Conv1D(embedding_dim, 5, padding="same", name=f"encoder_conv{i}")
                for i in range(3)
            ]
            self.encoder_norms = [
                layers.BatchNormalization(name=f"encoder_bn{i}") for i in range(3)
            ]
            self.encoder_dropout = layers.Dropout(0.5)
            self.encoder_lstm = layers.Bidirectional(
                layers.LSTM(embedding_dim // 2, return_sequences=True), name="encoder_bilstm"
            )
        self.decoder_prenet = [
            layers.Dense(u, activation="relu", name=f"decoder_prenet{i}")
            for i, u in enumerate(self.prenet_units)
        ]
        self.attention_cell = layers.LSTMCell(decoder_units, name="attention_lstm")
        self.decoder_cell = layers.LSTMCell(decoder_units, name="decoder_lstm")
        self.attention_query = layers.Dense(attention_units, use_bias=False, name="attention_query")
        self.attention_keys = layers.Dense(attention_units, use_bias=False, name="attention_keys")
        self.location_conv = layers.Conv1D(
            location_filters, location_kernel, padding="same", use_bias=False, name="location_conv"
        )
        self.location_dense = layers.Dense(attention_units, use_bias=False, name="location")
        self.attention_energy = layers.Dense(1, name="attention_energy")
        self.frame_projection = layers.Dense(n_mels * reduction, name="frames")
        self.stop_projection = layers.Dense(1, name="stop")
        if postnet == "cbhg":
            self.postnet = CBHG(
                bank=8, channels=128, projections=(256, n_mels), units=128, name="postnet_cbhg"
            )
        elif postnet == "conv":
            # Tacotron 2's five-convolution post-net, here ending in the linear spectrogram.
            self.postnet_convs = [
                layers.Conv1D(
                    postnet_channels, 5, padding="same", activation="tanh", name=f"postnet_conv{i}"
                )
                for i in range(5)
            ]
        else:
            # Tacotron 2 (§2.3): five convolutions with batch norm, tanh on all but the last,
            # predicting a residual that is added to the decoder's mel frames.
            widths = [postnet_channels] * 4 + [n_mels]
            self.postnet_convs = [
                layers.Conv1D(width, 5, padding="same", name=f"postnet_conv{i}")
                for i, width in enumerate(widths)
            ]
            self.postnet_norms = [
                layers.BatchNormalization(name=f"postnet_bn{i}") for i in range(len(widths))
            ]
            self.postnet_dropout = layers.Dropout(0.5)
        if postnet != "mel":
            self.linear_projection = layers.Dense(n_linear, name="linear")

    # -- encoder ---------------------------------------------------------------------------------
    def encode(self, text, training=False):
        """ids (B, N) -> (memory (B, N, E), keys (B, N, A), text mask (B, N) bool)."""
        mask = ops.not_equal(text, 0)
        x = self.embedding(text)
        if self.encoder_kind == "cbhg":
            for dense in self.encoder_prenet:
                x = self.encoder_dropout(dense(x), training=training)
            memory = self.encoder_cbhg(x, mask=mask, training=training)
        else:
            keep = ops.cast(mask, x.dtype)[..., None]
            for conv, norm in zip(self.encoder_convs, self.encoder_norms, strict=True):
                x = self.encoder_dropout(
                    ops.relu(norm(conv(x * keep), training=training)), training=training
                )
            memory = self.encoder_lstm(x, mask=mask, training=training)
        return memory, self.attention_keys(memory), mask

    # -- decoder ---------------------------------------------------------------------------------
    def initial_state(self, memory):
        batch, length = ops.shape(memory)[0], ops.shape(memory)[1]
        zeros = ops.zeros((batch, self.decoder_units))
        return (
            zeros,
            zeros,
            zeros,
            zeros,
            ops.zeros((batch, memory.shape[-1])),
            ops.zeros((batch, length)),
            ops.zeros((batch, length)),
        )

    def prenet_masks(self, steps, batch, seed=None):
        """Dropout masks for the decoder pre-net, one per step, drawn outside the loop so the
        loop has no random state (needed for ``ops.scan`` under JAX)."""
        keep = 1.0 - self.prenet_rate
        return [
            ops.cast(
                keras.random.uniform((steps, batch, u), seed=seed or self.prenet_seed) < keep,
                "float32",
            )
            / keep
            for u in self.prenet_units
        ]

    def decoder_step(self, state, previous_frame, masks, memory, keys, text_mask):
        """One step: (state, last frame (B, n_mels), pre-net masks) -> (state, frames (B, r *
        n_mels), stop logit (B,), attention (B, N))."""
        attention_h, attention_c, decoder_h, decoder_c, context, weights, cumulative = state
        x = previous_frame
        for dense, mask in zip(self.decoder_prenet, masks, strict=True):
            x = dense(x) * mask
        attention_h, (_, attention_c) = self.attention_cell(
            ops.concatenate([x, context], axis=-1), [attention_h, attention_c]
        )
        location = self.location_dense(self.location_conv(ops.stack([weights, cumulative], -1)))
        energies = self.attention_energy(
            ops.tanh(self.attention_query(attention_h)[:, None, :] + keys + location)
        )[..., 0]
        energies = ops.where(text_mask, energies, MASKED)
        weights = ops.softmax(energies, axis=-1)
        cumulative = cumulative + weights
        context = ops.einsum("bn,bne->be", weights, memory)
        decoder_h, (_, decoder_c) = self.decoder_cell(
            ops.concatenate([attention_h, context], axis=-1), [decoder_h, decoder_c]
        )
        out = ops.concatenate([decoder_h, context], axis=-1)
        state = (attention_h, attention_c, decoder_h, decoder_c, context, weights, cumulative)
        return state, self.frame_projection(out), self.stop_projection(out)[:, 0], weights

    @property
    def predicts_linear(self) -> bool:
        """Whether the post-net ends in a linear spectrogram (else it refines the mel frames)."""
        return self.postnet_kind != "mel"

    def postprocess(self, mel, training=False):
        """The post-net: mel frames (B, T, n_mels) -> a linear spectrogram (B, T, n_linear), or
        refined mel frames (B, T, n_mels) for ``postnet="mel"``."""
        if self.postnet_kind == "cbhg":
            return self.linear_projection(self.postnet(mel, training=training))
        x = mel
        if self.postnet_kind == "conv":
            for conv in self.postnet_convs:
                x = conv(x)
            return self.linear_projection(x)
        last = len(self.postnet_convs) - 1
        for index, (conv, norm) in enumerate(
            zip(self.postnet_convs, self.postnet_norms, strict=True)
        ):
            x = norm(conv(x), training=training)
            if index < last:
                x = ops.tanh(x)
            x = self.postnet_dropout(x, training=training)
        return mel + x

    def call(self, inputs, training=False):
        text, mel = inputs["text"], inputs["mel"]
        memory, keys, text_mask = self.encode(text, training=training)
        batch = ops.shape(mel)[0]
        steps = mel.shape[1] // self.reduction if mel.shape[1] is not None else None
        steps = steps or ops.shape(mel)[1] // self.reduction
        groups = ops.reshape(mel, (batch, -1, self.reduction * self.n_mels))
        go = ops.zeros((batch, 1, self.n_mels))
        previous = ops.concatenate([go, groups[:, :-1, -self.n_mels :]], axis=1)
        masks = self.prenet_masks(ops.shape(groups)[1], batch)

        # The carry holds the step's outputs too: Keras' TensorFlow scan stacks outputs shaped
        # like the carry, so returning the carry as the output works on every backend.
        def step(carry, inputs):
            frame = inputs[:, : self.n_mels]
            step_masks, start = [], self.n_mels
            for units in self.prenet_units:
                step_masks.append(inputs[:, start : start + units])
                start += units
            state, frames, stop, _ = self.decoder_step(
                carry[:7], frame, step_masks, memory, keys, text_mask
            )
            carry = (*state, frames, stop)
            return carry, carry

        initial = (
            *self.initial_state(memory),
            ops.zeros((batch, self.reduction * self.n_mels)),
            ops.zeros((batch,)),
        )
        # One stacked input: Keras' TensorFlow scan cannot check several inputs whose number of
        # steps is unknown when tracing.
        inputs = ops.concatenate([ops.transpose(previous, (1, 0, 2)), *masks], axis=-1)
        _, stacked = ops.scan(step, initial, inputs)
        frames, stops, alignment = stacked[7], stacked[8], stacked[5]
        mel_out = ops.reshape(ops.transpose(frames, (1, 0, 2)), (batch, -1, self.n_mels))
        refined = "linear" if self.predicts_linear else "postnet_mel"
        return {
            "mel": mel_out,
            refined: self.postprocess(mel_out, training=training),
            "stop": ops.transpose(stops, (1, 0)),
            "alignment": ops.transpose(alignment, (1, 0, 2)),
        }

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """L1 on the decoder's mel frames and on the post-net's output (linear or refined mel
        frames), padding excluded, + stop-token cross-entropy + guided attention."""
        frames = x["frames"]
        length = ops.shape(x["mel"])[1]
        frame_mask = ops.cast(ops.arange(length)[None, :] < frames[:, None], "float32")
        count = ops.maximum(ops.sum(frame_mask), 1.0)

        def l1(target, prediction):
            error = ops.mean(ops.abs(target - prediction), axis=-1)
            return ops.sum(error * frame_mask) / count

        steps = ops.shape(y_pred["stop"])[1]
        decoder_steps = (frames + self.reduction - 1) // self.reduction
        stop_target = ops.cast(ops.arange(steps)[None, :] >= decoder_steps[:, None] - 1, "float32")
        stop = ops.mean(
            keras.losses.binary_crossentropy(
                stop_target[..., None], y_pred["stop"][..., None], from_logits=True
            )
        )
        text_lengths = ops.sum(ops.cast(ops.not_equal(x["text"], 0), "int32"), axis=1)
        guide = guided_attention_weights(
            text_lengths,
            decoder_steps,
            ops.shape(x["text"])[1],
            steps,
            self.guided_sigma,
        )
        guided = ops.sum(guide * y_pred["alignment"]) / ops.maximum(
            ops.sum(ops.cast(guide > 0, "float32")), 1.0
        )
        if self.predicts_linear:
            refined = l1(x["linear"], y_pred["linear"])
        else:
            refined = l1(x["mel"], y_pred["postnet_mel"])
        return l1(x["mel"], y_pred["mel"]) + refined + stop + self.guided_weight * guided

    def get_config(self):
        return {
            **super().get_config(),
            "symbols": self.symbols,
            "n_mels": self.n_mels,
            "n_linear": self.n_linear,
            "reduction": self.reduction,
            "encoder": self.encoder_kind,
            "postnet": self.postnet_kind,
            "embedding_dim": self.embedding_dim,
            "decoder_units": self.decoder_units,
            "attention_units": self.attention_units,
            "prenet_units": list(self.prenet_units),
            "location_filters": self.location_filters,
            "location_kernel": self.location_kernel,
            "guided_sigma": self.guided_sigma,
            "guided_weight": self.guided_weight,
            "postnet_channels": self.postnet_channels,
            "audio": self.audio,
            "text_units": self.text_units,
            "phoneme_voice": self.phoneme_voice,
        }
