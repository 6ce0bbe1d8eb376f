"""What each network is fed: the right inputs for its architecture, and the training pipeline.

Every network names its inputs: ``image`` (uint8 pixels), ``question`` (the paper's 11-element
encoding) and ``question_words`` (word ids of the English question); :func:`inputs_for` builds
exactly the ones a model asks for, so callers never need to know which architecture it is.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from showcase.vqa.sort_of_clevr import QuestionSet, word_ids


def input_names(model) -> list[str]:
    return [tensor.name.split(":")[0] for tensor in model.inputs]


def inputs_for(model, images: np.ndarray, questions: np.ndarray, texts: list[str]) -> dict:
    """The model's inputs for rows of images, encoded questions and English questions."""
    available = {
        "image": lambda: np.asarray(images, dtype="uint8"),
        "question": lambda: np.asarray(questions, dtype="float32"),
        "question_words": lambda: word_ids(texts),
    }
    return {name: available[name]() for name in input_names(model)}


def training_batches(model, data: QuestionSet, batch_size: int, seed: int) -> tf.data.Dataset:
    """Shuffled (inputs, answer) batches over every question of ``data``, repeated forever.

    The scenes are held once; a batch gathers the images its questions are about.
    """
    names = input_names(model)
    columns = {
        "question": data.questions,
        "question_words": word_ids(data.texts),
        "image_index": data.image_index,
    }
    images = tf.constant(data.images)
    dataset = tf.data.Dataset.from_tensor_slices(
        (
            {key: columns[key] for key in columns if key in names or key == "image_index"},
            data.answers,
        )
    )

    def gather(features, answers):
        index = features.pop("image_index")
        if "image" in names:
            features["image"] = tf.gather(images, index)
        return features, answers

    return (
        dataset.shuffle(len(data), seed=seed, reshuffle_each_iteration=True)
        .repeat()
        .batch(batch_size, drop_remainder=True)
        .map(gather, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
