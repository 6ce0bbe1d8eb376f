"""Reflection padding: the border treatment of the image generators (Johnson et al.'s style
networks, CycleGAN's ResNet generators). Mirroring the picture at its edge gives the convolutions
no dark frame to learn around, which zero padding would.
"""

from __future__ import annotations

import keras
from keras import layers, ops

# The name the first checkpoints using this layer (the style-transfer networks) were saved under;
# keeping it lets every shipped checkpoint load with safe_mode.
REGISTERED_PACKAGE = "showcase.style_transfer"


@keras.saving.register_keras_serializable(package=REGISTERED_PACKAGE)
class ReflectionPadding2D(layers.Layer):
    """Pads height and width by ``padding`` pixels, mirroring the picture at its border."""

    def __init__(self, padding: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)

    def call(self, images):
        p = self.padding
        return ops.pad(images, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        grow = 2 * self.padding
        return (
            batch,
            None if height is None else height + grow,
            None if width is None else width + grow,
            channels,
        )

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}
