"""Training data for the translator: Multi30k and Tatoeba together, as batches of subword ids.

Batches group sentences of similar length (``tf.data``'s bucketing), so a batch of short Tatoeba
sentences is not padded to the length of a long Multi30k description.
"""

from __future__ import annotations

import bisect
import dataclasses

import tensorflow as tf

from showcase.translation import corpora
from showcase.translation.subwords import END_ID, START_ID, Subwords

BUCKET_BOUNDARIES = (8, 11, 14, 17, 20, 24, 29, 36, 48)


@dataclasses.dataclass
class Corpora:
    train: list[corpora.ParallelText]
    validation: list[corpora.ParallelText]

    def training_pairs(self) -> tuple[list[str], list[str]]:
        sources, targets = [], []
        for part in self.train:
            s, t = part.pairs()
            sources += s
            targets += t
        return sources, targets

    def validation_pairs(self) -> tuple[list[str], list[str]]:
        sources, targets = [], []
        for part in self.validation:
            s, t = part.pairs()
            sources += s
            targets += t
        return sources, targets

    def describe(self, parts) -> str:
        return "; ".join(f"{part.name}: {len(part):,} sentences" for part in parts)


def load_corpora(pair: str, multi30k_folder=None, tatoeba_file=None) -> Corpora:
    """Multi30k train/val (downloaded unless a folder is given), plus Tatoeba if a file is given."""
    corpora.check_pair(pair)
    train = [corpora.multi30k("train", pair, multi30k_folder)]
    validation = [corpora.multi30k("val", pair, multi30k_folder)]
    if tatoeba_file is not None:
        split = corpora.tatoeba_file_split(tatoeba_file, pair)
        train.append(split["train"])
        validation.append(split["validation"])
    return Corpora(train, validation)


def encode_pairs(
    source_subwords: Subwords,
    target_subwords: Subwords,
    sources: list[str],
    targets: list[str],
    max_source_length: int,
    max_target_length: int,
) -> tuple[list[list[int]], list[list[int]]]:
    """Subword ids; targets framed as <s> .. </s>. Pairs longer than the limits are dropped."""
    source_ids = source_subwords.encode(sources)
    target_ids = target_subwords.encode(targets)
    kept_sources, kept_targets = [], []
    for source, target in zip(source_ids, target_ids, strict=True):
        if 0 < len(source) <= max_source_length and 0 < len(target) + 1 <= max_target_length:
            kept_sources.append(source)
            kept_targets.append([START_ID, *target, END_ID])
    return kept_sources, kept_targets


def count_batches(target_ids, batch_size: int) -> int:
    """How many batches :func:`batches` makes: each length bucket is cut into batches on its own."""
    sizes: dict[int, int] = {}
    for target in target_ids:
        bucket = bisect.bisect_right(BUCKET_BOUNDARIES, len(target))
        sizes[bucket] = sizes.get(bucket, 0) + 1
    return sum(-(-size // batch_size) for size in sizes.values())


def batches(source_ids, target_ids, batch_size: int, shuffle: bool, seed: int = 0):
    """A ``tf.data.Dataset`` of ((source, target input), target output), bucketed by length.

    With ``shuffle`` it repeats forever (an epoch is :func:`count_batches` steps), reshuffled on
    every pass.
    """

    def pairs():
        yield from zip(source_ids, target_ids, strict=True)

    spec = tf.TensorSpec([None], tf.int32)
    dataset = tf.data.Dataset.from_generator(pairs, output_signature=(spec, spec)).cache()
    if shuffle:
        dataset = dataset.shuffle(len(source_ids), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.bucket_by_sequence_length(
        element_length_func=lambda source, target: tf.shape(target)[0],
        bucket_boundaries=list(BUCKET_BOUNDARIES),
        bucket_batch_sizes=[batch_size] * (len(BUCKET_BOUNDARIES) + 1),
    )
    if shuffle:
        dataset = dataset.repeat()
    dataset = dataset.map(
        lambda source, target: ((source, target[:, :-1]), target[:, 1:]),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    return dataset.prefetch(tf.data.AUTOTUNE)
