"""The keras-io character-level sequence-to-sequence recipe, as a baseline for the benchmark.

The recipe is François Chollet's keras-io example "Character-level recurrent sequence-to-sequence
model" (examples/nlp/lstm_seq2seq.py), a small-scale take on Sutskever, Vinyals & Le (2014),
"Sequence to Sequence Learning with Neural Networks". Every character is a one-hot vector. An
LSTM encoder (latent_dim 256) reads the source sentence; its final hidden and cell states are the
initial states of an LSTM decoder, which reads the target sentence after a start character
(``"\\t"``) and predicts each next character, up to an end character (``"\\n"``), with a Dense
softmax (teacher forcing). Training is RMSprop on categorical cross-entropy, batches of 64, with
20% of the pairs held out for validation. Translation is greedy: separate encoder and one-step
decoder models, feeding each predicted character back in until ``"\\n"``.

The benchmark trains this next to our attention model on the same pairs for the same wall-clock
time. What differs from the recipe, and why:

- Batches are one-hot encoded on the fly, by a generator feeding ``tf.data``, instead of one
  one-hot array for the whole corpus: 75k sentences x 300 characters x 100 symbols in float32 is
  about 9 GB per array, and the recipe builds three. (A ``keras.utils.PyDataset`` would do the
  same job, but Keras fixes its tensor shapes from the first two batches it sees, and these
  batches differ in length.)
- Each batch is padded to its own longest sentence, not the corpus's, and is drawn from a pool of
  pairs of similar length, so little time goes to padding. Padding is masked: the encoder's
  final state is the state after the last real character, and the loss ignores padded steps.
  (The current keras-io version pads with spaces, which the encoder reads and the decoder is
  trained to write.) So a sentence's encoding does not depend on the batch it is in, in
  training or in batched translation.
- Pairs whose source or target is longer than ``max_chars`` are skipped in training, so one long
  sentence cannot make a whole batch slow.
- The validation pairs are drawn at random: Keras' ``validation_split`` holds out the last pairs,
  which in a corpus sorted by length, such as Tatoeba's, are all the longest ones.
- Training stops when a wall-clock budget is spent, even mid-epoch, instead of after a fixed
  number of epochs (the recipe's 100 would take hours on a CPU).
- Greedy decoding runs on a batch of sentences at a time, rather than one sentence at a time.
  Characters missing from the source vocabulary are dropped.

The model is a benchmark baseline and is never saved.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Iterator, Sequence

import keras
import numpy as np
import tensorflow as tf
from keras import layers

START, END = "\t", "\n"
# Sentences translated together in one batch; bounds the one-hot input to a few dozen MB.
TRANSLATE_BATCH = 512
# Training pairs are sorted by length within pools of this many batches before batching.
POOL_BATCHES = 32


def _clean_target(text: str) -> str:
    """A target may not contain the start and end characters themselves."""
    return text.replace(START, " ").replace(END, " ")


class _BudgetCallback(keras.callbacks.Callback):
    """Stops training (or evaluation) once ``deadline`` (time.monotonic) has passed, or training
    after ``max_steps`` batches."""

    def __init__(self, deadline: float, max_steps: int | None = None):
        super().__init__()
        self.deadline = deadline
        self.max_steps = max_steps
        self.steps = 0
        self.first_loss: float | None = None
        self.last_loss: float | None = None
        self.expired = False

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        loss = float((logs or {}).get("loss", math.nan))
        if self.first_loss is None:
            self.first_loss = loss
        self.last_loss = loss
        if time.monotonic() >= self.deadline or self.steps == self.max_steps:
            self.expired = True
            self.model.stop_training = True

    def on_test_batch_end(self, batch, logs=None):
        if time.monotonic() >= self.deadline:
            self.expired = True
            self.model.stop_evaluating = True


class CharacterSeq2Seq:
    """The keras-io character-level LSTM encoder-decoder, trained for a fixed wall-clock time.

    ``sources`` / ``targets`` are the training pairs; the character vocabularies are built from
    them (the target one adds ``"\\t"`` and ``"\\n"``). ``max_chars`` caps the length of training
    sentences and, by default, of translations. ``seed`` seeds Keras' global random state (the
    weights) and the shuffling.
    """

    def __init__(
        self,
        sources: list[str],
        targets: list[str],
        latent_dim: int = 256,
        max_chars: int = 120,
        seed: int = 0,
    ):
        if len(sources) != len(targets):
            raise ValueError(f"{len(sources)} sources but {len(targets)} targets")
        if not sources:
            raise ValueError("no training pairs")
        self.sources = list(sources)
        self.targets = [_clean_target(t) for t in targets]
        self.latent_dim = latent_dim
        self.max_chars = max_chars
        self.seed = seed
        self._rng = np.random.default_rng(seed)

        self.source_chars = sorted(set("".join(self.sources)))
        self.target_chars = [START, END] + sorted(set("".join(self.targets)))
        self.source_index = {ch: i for i, ch in enumerate(self.source_chars)}
        self.target_index = {ch: i for i, ch in enumerate(self.target_chars)}

        keras.utils.set_random_seed(seed)
        self.model, self.encoder, self.decoder_step = self._build()
        self._encode_fn = tf.function(
            lambda x: self.encoder(x, training=False), reduce_retracing=True
        )
        self._step_fn = tf.function(
            lambda x, h, c: self.decoder_step([x, h, c], training=False), reduce_retracing=True
        )

    @property
    def num_source_chars(self) -> int:
        return len(self.source_chars)

    @property
    def num_target_chars(self) -> int:
        return len(self.target_chars)

    def _build(self) -> tuple[keras.Model, keras.Model, keras.Model]:
        """The training model, and the encoder and one-step decoder that share its layers."""
        n_src, n_tgt, dim = self.num_source_chars, self.num_target_chars, self.latent_dim
        source = keras.Input((None, n_src), name="source_chars")
        _, state_h, state_c = layers.LSTM(dim, return_state=True, name="encoder")(
            layers.Masking(name="source_padding")(source)
        )
        target_in = keras.Input((None, n_tgt), name="target_chars_in")
        decoder_lstm = layers.LSTM(dim, return_sequences=True, return_state=True, name="decoder")
        next_char = layers.Dense(n_tgt, activation="softmax", name="next_char")
        sequence, _, _ = decoder_lstm(
            layers.Masking(name="target_padding")(target_in), initial_state=[state_h, state_c]
        )
        model = keras.Model([source, target_in], next_char(sequence), name="char_seq2seq")
        model.compile(optimizer="rmsprop", loss="categorical_crossentropy")

        encoder = keras.Model(source, [state_h, state_c], name="char_encoder")
        step_in = keras.Input((None, n_tgt), name="previous_char")
        h_in = keras.Input((dim,), name="state_h")
        c_in = keras.Input((dim,), name="state_c")
        step_out, h_out, c_out = decoder_lstm(step_in, initial_state=[h_in, c_in])
        decoder_step = keras.Model(
            [step_in, h_in, c_in], [next_char(step_out), h_out, c_out], name="char_decoder_step"
        )
        return model, encoder, decoder_step

    # -- data -------------------------------------------------------------------------------

    def _source_ids(self, text: str) -> np.ndarray:
        """Source character ids; characters not in the vocabulary are dropped."""
        index = self.source_index
        return np.array([index[ch] for ch in text if ch in index], dtype=np.int32)

    def _target_ids(self, text: str) -> np.ndarray:
        """``\\t`` + target + ``\\n`` as ids (training targets only hold known characters)."""
        index = self.target_index
        ids = [index[START]] + [index[ch] for ch in text if ch in index] + [index[END]]
        return np.array(ids, dtype=np.int32)

    @staticmethod
    def _one_hot(sequences: Sequence[np.ndarray], depth: int, length: int) -> np.ndarray:
        """(batch, length, depth) float32; rows past a sequence's end stay all-zero (masked)."""
        out = np.zeros((len(sequences), length, depth), dtype=np.float32)
        for row, ids in enumerate(sequences):
            out[row, np.arange(len(ids)), ids] = 1.0
        return out

    def _batch(
        self, sources: Sequence[np.ndarray], targets: Sequence[np.ndarray]
    ) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
        """Encoder input, decoder input (targets without the end) and decoder output (without
        the start), each padded to this batch's longest sentence."""
        n_tgt = self.num_target_chars
        source_len = max(len(s) for s in sources)
        target_len = max(len(t) for t in targets) - 1
        x_source = self._one_hot(sources, self.num_source_chars, source_len)
        x_target = self._one_hot([t[:-1] for t in targets], n_tgt, target_len)
        y_target = self._one_hot([t[1:] for t in targets], n_tgt, target_len)
        return (x_source, x_target), y_target

    def _batch_order(self, lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
        """One epoch's batches of pair indices: shuffled, sorted by length within pools of
        POOL_BATCHES batches, cut into batches, and the batches shuffled."""
        order = self._rng.permutation(len(lengths))
        pool = POOL_BATCHES * batch_size
        batches = []
        for start in range(0, len(order), pool):
            chunk = order[start : start + pool]
            chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
            batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
        return [batches[i] for i in self._rng.permutation(len(batches))]

    def _dataset(
        self, sources: list[np.ndarray], targets: list[np.ndarray], batch_size: int, shuffle: bool
    ) -> tf.data.Dataset:
        lengths = np.array([len(s) + len(t) for s, t in zip(sources, targets, strict=True)])

        def generate() -> Iterator[tuple[tuple[np.ndarray, np.ndarray], np.ndarray]]:
            if shuffle:
                batches = self._batch_order(lengths, batch_size)
            else:
                order = np.argsort(lengths, kind="stable")
                batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
            for batch in batches:
                yield self._batch([sources[i] for i in batch], [targets[i] for i in batch])

        n_src, n_tgt = self.num_source_chars, self.num_target_chars
        signature = (
            (
                tf.TensorSpec((None, None, n_src), tf.float32),
                tf.TensorSpec((None, None, n_tgt), tf.float32),
            ),
            tf.TensorSpec((None, None, n_tgt), tf.float32),
        )
        pool = POOL_BATCHES * batch_size if shuffle else len(lengths)
        full_pools, rest = divmod(len(lengths), pool)
        num_batches = full_pools * math.ceil(pool / batch_size) + math.ceil(rest / batch_size)
        dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
        # A known length lets Keras count the epoch's steps instead of running off its end.
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(num_batches))
        return dataset.prefetch(4)

    # -- training ---------------------------------------------------------------------------

    def fit_for(
        self,
        seconds: float,
        batch_size: int = 64,
        validation_split: float = 0.2,
        max_steps: int | None = None,
    ) -> dict:
        """Train until ``seconds`` of wall-clock time are spent (or ``max_steps`` batches are
        done), stopping mid-epoch if need be.

        A random ``validation_split`` of the usable pairs is held out and evaluated after each
        full epoch, inside the budget, as Keras' ``fit(validation_split=...)`` would. Returns
        ``{"seconds", "epochs", "steps", "first_loss", "final_loss", "val_loss"}``: ``epochs``
        counts a partial last epoch as a fraction, ``first_loss`` is the first batch's loss,
        ``final_loss`` the mean training loss over the last (possibly partial) epoch, and
        ``val_loss`` the last full validation loss (None if there was none).
        """
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"validation_split must be in [0, 1), got {validation_split}")
        started = time.monotonic()
        deadline = started + seconds

        usable = [
            i
            for i, (s, t) in enumerate(zip(self.sources, self.targets, strict=True))
            if 0 < len(s) <= self.max_chars and len(t) <= self.max_chars
        ]
        if not usable:
            raise ValueError(f"no training pair has both sides within {self.max_chars} chars")
        # The same seed holds out the same pairs on every call, so a second call never trains
        # on the first call's validation pairs.
        split_rng = np.random.default_rng(self.seed)
        usable = np.array(usable)[split_rng.permutation(len(usable))]
        n_val = int(len(usable) * validation_split)
        if n_val == len(usable):
            n_val = 0
        train_idx, val_idx = usable[n_val:], usable[:n_val]

        def encode(indices):
            return (
                [self._source_ids(self.sources[i]) for i in indices],
                [self._target_ids(self.targets[i]) for i in indices],
            )

        train = self._dataset(*encode(train_idx), batch_size=batch_size, shuffle=True)
        val = self._dataset(*encode(val_idx), batch_size, shuffle=False) if n_val else None
        steps_per_epoch = int(train.cardinality())

        budget = _BudgetCallback(deadline, max_steps)
        epochs, final_loss, val_loss = 0.0, math.nan, None
        while time.monotonic() < deadline:
            steps_before = budget.steps
            history = self.model.fit(train, epochs=1, callbacks=[budget], shuffle=False, verbose=0)
            final_loss = float(history.history["loss"][-1])
            epoch_steps = budget.steps - steps_before
            epochs += epoch_steps / steps_per_epoch
            if budget.expired or epoch_steps < steps_per_epoch:
                break
            if val is not None:
                result = self.model.evaluate(val, callbacks=[budget], verbose=0, return_dict=True)
                if budget.expired:
                    break
                val_loss = float(result["loss"])

        # An epoch cut short leaves its generator mid-iteration inside a reference cycle; collect it
        # now, while Python can still finalize it (not at interpreter exit, where TF complains).
        del train, val
        gc.collect()
        return {
            "seconds": time.monotonic() - started,
            "epochs": epochs,
            "steps": budget.steps,
            "first_loss": budget.first_loss,
            "final_loss": final_loss,
            "val_loss": val_loss,
        }

    # -- inference --------------------------------------------------------------------------

    def translate(self, sentences: list[str], max_chars: int | None = None) -> list[str]:
        """Greedy character-by-character translations, ``TRANSLATE_BATCH`` sentences at a time.

        Each sentence stops at its ``"\\n"`` or after ``max_chars`` characters (default: the
        training ``max_chars``). Characters the source vocabulary lacks are dropped; a sentence
        left empty decodes from the zero state.
        """
        limit = max(self.max_chars if max_chars is None else max_chars, 0)
        encoded = [self._source_ids(s) for s in sentences]
        order = np.argsort([len(ids) for ids in encoded], kind="stable")
        results: list[str] = [""] * len(sentences)
        for start in range(0, len(order), TRANSLATE_BATCH):
            chunk = order[start : start + TRANSLATE_BATCH]
            texts = self._decode_batch([encoded[i] for i in chunk], limit)
            for i, text in zip(chunk, texts, strict=True):
                results[i] = text
        return results

    def _decode_batch(self, sources: list[np.ndarray], limit: int) -> list[str]:
        batch, dim, n_tgt = len(sources), self.latent_dim, self.num_target_chars
        state_h = np.zeros((batch, dim), dtype=np.float32)
        state_c = np.zeros((batch, dim), dtype=np.float32)
        # A sentence with no known characters keeps the zero state (an all-padding row would be
        # a zero-length sequence, which cuDNN rejects).
        nonempty = [i for i, ids in enumerate(sources) if len(ids)]
        if nonempty:
            length = max(len(sources[i]) for i in nonempty)
            x = self._one_hot([sources[i] for i in nonempty], self.num_source_chars, length)
            h, c = self._encode_fn(tf.constant(x))
            state_h[nonempty], state_c[nonempty] = h.numpy(), c.numpy()

        end_id = self.target_index[END]
        token = np.full(batch, self.target_index[START], dtype=np.int64)
        steps = np.zeros((batch, limit), dtype=np.int64)
        lengths = np.full(batch, limit, dtype=np.int64)
        done = np.zeros(batch, dtype=bool)
        h, c = tf.constant(state_h), tf.constant(state_c)
        for t in range(limit):
            x = np.zeros((batch, 1, n_tgt), dtype=np.float32)
            x[np.arange(batch), 0, token] = 1.0
            probs, h, c = self._step_fn(tf.constant(x), h, c)
            token = np.argmax(probs.numpy()[:, 0, :], axis=-1)
            finished = (token == end_id) & ~done
            lengths[finished] = t
            done |= finished
            steps[:, t] = token
            if done.all():
                break
        chars = self.target_chars
        return ["".join(chars[i] for i in steps[row, : lengths[row]]) for row in range(batch)]
