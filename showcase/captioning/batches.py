"""Teacher-forcing batches for the captioner, on any Keras backend."""

from __future__ import annotations

import keras
import numpy as np

from showcase.captioning.data import encode_pairs


class CaptionBatches(keras.utils.PyDataset):
    """((images, input words), target words) batches, reshuffled every epoch.

    A Keras PyDataset rather than tf.data so the same training runs on every Keras backend (the
    shipped checkpoints were trained with JAX on a GPU); images stay uint8 until the model.
    """

    def __init__(self, data, vocabulary, config, shuffle: bool):
        super().__init__()
        self.images = data.images
        self.indices, self.inputs, self.targets = encode_pairs(data, vocabulary, config.max_length)
        self.batch_size = config.batch_size
        self.shuffle = shuffle
        self.rng = np.random.default_rng(config.seed)
        self.order = np.arange(len(self.indices))
        self.on_epoch_end()

    def __len__(self) -> int:
        if self.shuffle:  # whole batches only: one compiled step shape
            return len(self.order) // self.batch_size
        return -(-len(self.order) // self.batch_size)

    def __getitem__(self, batch):
        rows = self.order[batch * self.batch_size : (batch + 1) * self.batch_size]
        images = self.images[self.indices[rows]].astype("float32")
        return (images, self.inputs[rows]), self.targets[rows]

    def on_epoch_end(self):
        if self.shuffle:
            self.rng.shuffle(self.order)
