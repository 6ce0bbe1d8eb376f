"""The import API: ``Synthesizer.from_pretrained().synthesize("text")`` -> (rate, waveform).

Names imported ``as`` themselves below are re-exported: they are what the demo's UI
(apps/tts.py) and other importers use, since the UI imports from showcase only this module
and showcase.apps.common (tests/platform/test_layering.py).
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

from showcase.errors import InputError
from showcase.inputs import clean_text
from showcase.pretrained import Pretrained
from showcase.tts import audio, text
from showcase.tts.frontend import FrontEnd
from showcase.tts.plots import alignment_figure as alignment_figure
from showcase.tts.plots import spectrogram_figure as spectrogram_figure

DEMO = "tts"
CHECKPOINT_NAME = "espeak_tacotron"
MAX_CHARACTERS = 1000  # about a minute of speech
MAX_SECONDS_PER_SENTENCE = 20.0  # the decoder's hard cap, whatever the stop token says
PAUSE_SECONDS = 0.25  # silence between sentences
STOP_THRESHOLD = 0.5


# Pieces are spoken one at a time. A model only learns to attend (and to stop) over lengths it
# trained on, so sentences much longer than its corpus's are cut at , ; : or between words: the
# shipped voice, trained on sentences of at most 60 characters, ran to the 20-second cap on a
# 150-character one.
DEFAULT_SENTENCE_CHARACTERS = 180


def sentence_limit(card) -> int:
    """The longest piece to speak in one go: 4/3 of the longest training sentence, if known."""
    longest = (card.hyperparameters.get("corpus_max_chars") if card else None) or 0
    return round(longest * 4 / 3) if longest else DEFAULT_SENTENCE_CHARACTERS


def prepare_text(
    words: str, max_sentence_chars: int = DEFAULT_SENTENCE_CHARACTERS
) -> tuple[list[str], list[str]]:
    """(sentences to speak, notices for the user), or InputError when nothing can be said.

    Needs no model, so a user hears about bad text before any model is loaded.
    """
    cleaned, notice = clean_text(words, MAX_CHARACTERS, "text to speak")
    notices = [notice] if notice else []
    _, dropped = text.to_ids(cleaned)
    if dropped:
        notices.append("These characters cannot be spoken and were skipped: " + " ".join(dropped))
    sentences = text.split_sentences(cleaned, max_sentence_chars)
    if not sentences:
        raise InputError("There is nothing to say: the text has no letters or numbers.")
    return sentences, notices


@dataclasses.dataclass
class SpokenSentence:
    text: str
    symbols: list[str]  # what the model read (characters or phonemes, then the end mark)
    mel: np.ndarray  # (frames, n_mels), normalised
    alignment: np.ndarray  # (decoder steps, symbols)
    stopped: bool  # False when the hard cap ended decoding instead of the stop token


@dataclasses.dataclass
class Speech:
    sample_rate: int
    waveform: np.ndarray  # float32 in [-1, 1]
    sentences: list[SpokenSentence]
    notices: list[str]


class Synthesizer(Pretrained):
    """A trained Tacotron-style model plus Griffin-Lim: text in, a waveform out."""

    DEMO = DEMO
    DEFAULT_NAME = CHECKPOINT_NAME

    def __init__(self, model, path: Path | None = None, card=None, seed: int = 0):
        super().__init__(model, path, card)
        self.audio_config = audio.AudioConfig.from_dict(model.audio)
        self.front_end = FrontEnd.of(model)
        self.seed = seed
        self.max_sentence_chars = sentence_limit(card)
        self._encode = tf.function(
            lambda ids: model.encode(ids), input_signature=[tf.TensorSpec([1, None], tf.int32)]
        )
        self._step = tf.function(self._one_step, reduce_retracing=True)
        self._postprocess = tf.function(
            lambda mel: model.postprocess(mel),
            input_signature=[tf.TensorSpec([1, None, model.n_mels], tf.float32)],
        )

    def _one_step(self, state, frame, masks, memory, keys, text_mask):
        return self.model.decoder_step(state, frame, masks, memory, keys, text_mask)

    @property
    def sample_rate(self) -> int:
        return self.audio_config.sample_rate

    def _trace(self) -> None:
        self.speak_sentence("hello.")

    # -- one sentence --------------------------------------------------------------------------
    def speak_sentence(self, sentence: str, ids: list[int] | None = None) -> SpokenSentence:
        """Decode one sentence's mel frames, stopping on the stop token or the hard cap.

        ``ids``: the sentence's symbol ids, when already encoded.
        """
        model = self.model
        if ids is None:
            (ids,) = self.front_end.encode([sentence])
        memory, keys, text_mask = self._encode(np.array([ids], np.int32))
        state = tuple(np.asarray(t) for t in model.initial_state(memory))
        frame = np.zeros((1, model.n_mels), np.float32)
        rng = np.random.default_rng(self.seed)
        keep = 1.0 - model.prenet_rate
        frames_per_second = self.sample_rate / self.audio_config.hop_length
        cap = int(MAX_SECONDS_PER_SENTENCE * frames_per_second / model.reduction)
        mels, weights, stopped = [], [], False
        for _ in range(cap):
            masks = [
                (rng.random((1, units)) < keep).astype(np.float32) / keep
                for units in model.prenet_units
            ]
            state, frames, stop, attention = self._step(
                state, frame, masks, memory, keys, text_mask
            )
            frames = np.asarray(frames).reshape(model.reduction, model.n_mels)
            mels.append(frames)
            weights.append(np.asarray(attention)[0])
            frame = frames[-1:].astype(np.float32)
            if 1.0 / (1.0 + np.exp(-float(np.asarray(stop)[0]))) > STOP_THRESHOLD:
                stopped = True
                break
        return SpokenSentence(
            text=sentence,
            symbols=[*self.front_end.read(ids), text.END],
            mel=np.clip(np.concatenate(mels), 0.0, 1.0),
            alignment=np.stack(weights),
            stopped=stopped,
        )

    def waveform_of(self, spoken: SpokenSentence) -> np.ndarray:
        refined = np.asarray(self._postprocess(spoken.mel[None].astype(np.float32)))[0]
        refined = np.clip(refined, 0.0, 1.0)
        if self.model.predicts_linear:
            return audio.linear_to_waveform(refined, self.audio_config)
        return audio.mel_to_waveform(refined, self.audio_config)

    # -- any text ------------------------------------------------------------------------------
    def speak(self, words: str, max_seconds: float | None = None) -> Speech:
        """Any text -> speech: split into sentences, each spoken, joined with short pauses.

        With ``max_seconds`` (a time budget for the work, not the audio), sentences after the
        budget is spent are left out, and a notice says how many were spoken.
        """
        sentences, notices = prepare_text(words, self.max_sentence_chars)
        # One espeak-ng call for all sentences of a phoneme model.
        encoded = self.front_end.encode(sentences)
        started, spoken = time.perf_counter(), []
        for sentence, ids in zip(sentences, encoded, strict=True):
            if spoken and max_seconds is not None:
                if time.perf_counter() - started > max_seconds:
                    notices.append(
                        f"Only the first {len(spoken)} of {len(sentences)} sentences were spoken: "
                        f"this server gives one request {max_seconds:.0f} s of work."
                    )
                    break
            spoken.append(self.speak_sentence(sentence, ids))
        capped = sum(not s.stopped for s in spoken)
        if capped:
            notices.append(
                f"{capped} sentence(s) reached the {MAX_SECONDS_PER_SENTENCE:.0f}-second cap "
                "before the model said it had finished."
            )
        pause = np.zeros(int(PAUSE_SECONDS * self.sample_rate), np.float32)
        pieces = []
        for index, sentence in enumerate(spoken):
            if index:
                pieces.append(pause)
            pieces.append(self.waveform_of(sentence))
        return Speech(self.sample_rate, np.concatenate(pieces).astype(np.float32), spoken, notices)

    def synthesize(self, words: str) -> tuple[int, np.ndarray]:
        speech = self.speak(words)
        return speech.sample_rate, speech.waveform

    def alignment(self, words: str) -> tuple[list[str], np.ndarray]:
        """(symbols read, attention (decoder steps, symbols)) for the first sentence."""
        first = self.speak(words).sentences[0]
        return first.symbols, first.alignment
