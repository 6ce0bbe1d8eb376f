"""Training examples for the synthesiser: symbol ids, mel and linear spectrograms per clip, the
spectrograms computed once and cached, then batched with ``tf.data`` (similar lengths together).

The cache is one ``.npz`` per clip under ``<corpus>/features-<settings hash>/``, float16, so a
second run (or a resumed one) starts training at once. Symbol ids are made afresh on every load
(20,000 sentences take a second as characters, half a minute as espeak-ng phonemes), so both
front ends share one cache.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import json
from pathlib import Path

import numpy as np
import tensorflow as tf

from showcase.tts import audio, text
from showcase.tts.corpus import Utterance
from showcase.tts.frontend import FrontEnd

FRAME_BUCKETS = (64, 96, 128, 192, 256, 384, 512, 768)


@dataclasses.dataclass
class Example:
    id: str
    ids: np.ndarray  # int32 (N,)
    mel: np.ndarray  # float16 (T, n_mels), normalised to [0, 1]
    linear: np.ndarray  # float16 (T, n_bins)


def cache_folder(corpus_folder: Path, config: audio.AudioConfig) -> Path:
    # The character symbols stay in the hash although ids are no longer cached: caches written
    # before keep their name, and stay valid.
    digest = hashlib.sha256(
        json.dumps({"audio": config.to_dict(), "symbols": text.SYMBOLS}).encode()
    ).hexdigest()[:10]
    return Path(corpus_folder) / f"features-{digest}"


def spectrograms(utterance: Utterance, config: audio.AudioConfig) -> tuple[np.ndarray, np.ndarray]:
    """(mel, linear) of one clip, silence trimmed, float16."""
    waveform = audio.trim_silence(audio.read_wav(utterance.wav_path, config.sample_rate), config)
    return (
        audio.mel_spectrogram(waveform, config).astype(np.float16),
        audio.linear_spectrogram(waveform, config).astype(np.float16),
    )


def load_examples(
    utterances: list[Utterance],
    corpus_folder,
    config: audio.AudioConfig,
    progress=None,
    front_end: FrontEnd | None = None,
) -> list[Example]:
    """Every utterance's features, the spectrograms from the cache when there (computed and
    cached otherwise), the ids from ``front_end`` (characters by default)."""
    folder = cache_folder(corpus_folder, config)
    folder.mkdir(parents=True, exist_ok=True)
    all_ids = (front_end or FrontEnd()).encode([utterance.text for utterance in utterances])
    examples = []
    for index, (utterance, ids) in enumerate(zip(utterances, all_ids, strict=True)):
        path = folder / f"{utterance.id}.npz"
        if path.is_file():
            with np.load(path) as stored:
                mel, linear = stored["mel"], stored["linear"]
        else:
            mel, linear = spectrograms(utterance, config)
            np.savez(path, mel=mel, linear=linear)
        examples.append(Example(utterance.id, np.asarray(ids, np.int32), mel, linear))
        if progress:
            progress(index + 1, len(utterances))
    return examples


def batches(
    examples: list[Example],
    batch_size: int,
    reduction: int,
    shuffle: bool,
    seed=0,
    linear: bool = True,
):
    """A ``tf.data.Dataset`` of model inputs (dicts), frames padded to a multiple of ``reduction``.

    With ``shuffle`` it repeats forever, reshuffled on every pass; :func:`count_batches` gives the
    steps in one pass. ``linear=False`` leaves the linear spectrograms out (a model with a mel
    post-net never reads them, and they are six times the size of the mel frames).
    """
    n_mels = examples[0].mel.shape[1]
    n_bins = examples[0].linear.shape[1] if linear else 1

    def generate():
        for example in examples:
            spectrum = example.linear if linear else np.zeros((len(example.mel), 1), np.float16)
            yield example.ids, example.mel, spectrum, np.int32(len(example.mel))

    signature = (
        tf.TensorSpec([None], tf.int32),
        tf.TensorSpec([None, n_mels], tf.float16),
        tf.TensorSpec([None, n_bins], tf.float16),
        tf.TensorSpec([], tf.int32),
    )
    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature).cache()
    if shuffle:
        dataset = dataset.shuffle(len(examples), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.bucket_by_sequence_length(
        element_length_func=lambda ids, mel, linear, frames: frames,
        bucket_boundaries=list(FRAME_BUCKETS),
        bucket_batch_sizes=[batch_size] * (len(FRAME_BUCKETS) + 1),
    )
    if shuffle:
        dataset = dataset.repeat()

    def to_inputs(ids, mel, spectrum, frames):
        # Whole decoder steps: pad the frames to a multiple of the reduction factor.
        length = tf.shape(mel)[1]
        extra = (reduction - length % reduction) % reduction
        pad = [[0, 0], [0, extra], [0, 0]]
        inputs = {"text": ids, "mel": tf.cast(tf.pad(mel, pad), tf.float32), "frames": frames}
        if linear:
            inputs["linear"] = tf.cast(tf.pad(spectrum, pad), tf.float32)
        return inputs

    return dataset.map(to_inputs, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def count_batches(examples: list[Example], batch_size: int) -> int:
    sizes: dict[int, int] = {}
    for example in examples:
        bucket = bisect.bisect_right(FRAME_BUCKETS, len(example.mel))
        sizes[bucket] = sizes.get(bucket, 0) + 1
    return sum(-(-size // batch_size) for size in sizes.values())
