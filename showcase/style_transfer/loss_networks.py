"""ImageNet-trained CNNs whose activations define "content" and "style" (the loss networks).

Gatys et al. (2015) used VGG19. On a laptop CPU that is slow, so three networks are offered, each
with the layers that carry content and style:

- ``squeezenet``: SqueezeNet v1.1 (Iandola et al. 2016), 0.7 M parameters, a plain conv + ReLU net
  like VGG (no batch norm), as in the well-known CS231n style-transfer assignment. Keras has no
  class for it, so it is defined here to match the rcmalli/keras-squeezenet weight file.
- ``mobilenet``: ``keras.applications.MobileNet(alpha=0.25)`` (Howard et al. 2017), 0.2 M weights.
- ``vgg19``: ``keras.applications.VGG19`` (Simonyan & Zisserman 2015), the paper's network, 20 M.
- ``random``: SqueezeNet with He-initialised random weights (He et al. 2015), the fallback when
  no pretrained weights can be had. Its textures are much weaker; the UI says when it is in use.

Weights come through :func:`showcase.downloads.fetch` into Keras' model cache (``~/.keras/models``
or ``$KERAS_HOME/models``), with pinned hashes, so a copy placed there works offline.
"""

from __future__ import annotations

import dataclasses
import os

import keras
import numpy as np
from keras import layers, ops

from showcase.downloads import cache_dir, fetch
from showcase.errors import ShowcaseError
from showcase.imagenet import SQUEEZENET_WEIGHTS, mobilenet_quarter

# (squeeze, expand) channels of SqueezeNet v1.1's fire modules 2..9.
FIRE_MODULES = {
    2: (16, 64),
    3: (16, 64),
    4: (32, 128),
    5: (32, 128),
    6: (48, 192),
    7: (48, 192),
    8: (64, 256),
    9: (64, 256),
}
# The file keras.applications.VGG19 downloads into Keras' cache folder (models/).
VGG19_WEIGHTS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
CAFFE_BGR_MEAN = np.array([103.939, 116.779, 123.68], dtype="float32")


@dataclasses.dataclass(frozen=True)
class LossNetworkSpec:
    name: str
    title: str
    content_layer: str
    style_layers: tuple[str, ...]
    style_layer_weights: tuple[float, ...]
    pretrained: bool
    # Johnson et al. (2016) take content from a shallow layer (VGG16 relu2_2) for the fast
    # network: it keeps edges and shapes, which a feed-forward network would otherwise blur.
    fast_content_layer: str = ""


SPECS = {
    "squeezenet": LossNetworkSpec(
        "squeezenet",
        "SqueezeNet v1.1 (ImageNet)",
        "fire6",
        ("conv1", "fire2", "fire3", "fire5", "fire7"),
        (1.0, 1.0, 1.0, 1.0, 1.0),
        True,
        "fire3",
    ),
    "mobilenet": LossNetworkSpec(
        "mobilenet",
        "MobileNet alpha=0.25 (ImageNet)",
        "conv_pw_7_relu",
        ("conv_pw_1_relu", "conv_pw_3_relu", "conv_pw_5_relu", "conv_pw_7_relu", "conv_pw_11_relu"),
        (1.0, 1.0, 1.0, 1.0, 1.0),
        True,
        "conv_pw_3_relu",
    ),
    "vgg19": LossNetworkSpec(
        "vgg19",
        "VGG19 (ImageNet), the paper's network",
        "block4_conv2",
        ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"),
        (1.0, 1.0, 1.0, 1.0, 1.0),
        True,
        "block2_conv2",
    ),
    "random": LossNetworkSpec(
        "random",
        "SqueezeNet with random He-initialised weights (no pretrained weights found)",
        "fire6",
        ("conv1", "fire2", "fire3", "fire5", "fire7"),
        (1.0, 1.0, 1.0, 1.0, 1.0),
        False,
        "fire3",
    ),
}


def squeezenet_v11(seed: int | None = None) -> keras.Model:
    """SqueezeNet v1.1 without its classifier, layers created in the weight file's order."""
    initializer = keras.initializers.HeNormal(seed=seed)

    def conv(x, filters, size, name, strides=1, padding="same"):
        return layers.Conv2D(
            filters,
            size,
            strides=strides,
            padding=padding,
            activation="relu",
            kernel_initializer=initializer,
            name=name,
        )(x)

    image = keras.Input(shape=(None, None, 3), name="image")
    x = conv(image, 64, 3, "conv1", strides=2, padding="valid")
    for index, (squeeze, expand) in FIRE_MODULES.items():
        if index in (2, 4, 6):
            x = layers.MaxPooling2D(3, strides=2, name=f"pool{index - 1}")(x)
        squeezed = conv(x, squeeze, 1, f"fire{index}_squeeze1x1")
        x = layers.Concatenate(name=f"fire{index}")(
            [
                conv(squeezed, expand, 1, f"fire{index}_expand1x1"),
                conv(squeezed, expand, 3, f"fire{index}_expand3x3"),
            ]
        )
    return keras.Model(image, x, name="squeezenet_v11")


def _backbone(name: str, weights_path=None) -> keras.Model:
    if name in ("squeezenet", "random"):
        model = squeezenet_v11(seed=0)
        if name == "squeezenet":
            model.load_weights(fetch(SQUEEZENET_WEIGHTS, weights_path, subdir="models"))
        return model
    if name == "mobilenet":
        return mobilenet_quarter(weights_path=weights_path)
    if name == "vgg19":
        if weights_path is None and os.environ.get("SHOWCASE_OFFLINE"):
            # Keras would download them: in offline mode only a copy already in its cache counts.
            cached = cache_dir() / "models" / VGG19_WEIGHTS_FILE
            if not cached.is_file():
                # No path in the message: the web UI shows it to whoever picked VGG19.
                raise ShowcaseError(
                    f"VGG19's ImageNet weights ({VGG19_WEIGHTS_FILE}) are not in Keras' model "
                    "cache and SHOWCASE_OFFLINE forbids downloading them; pick SqueezeNet or "
                    "MobileNet"
                )
            weights_path = cached
        try:
            return keras.applications.VGG19(
                include_top=False, weights=str(weights_path) if weights_path else "imagenet"
            )
        except Exception as err:  # noqa: BLE001 - network and file errors vary by platform
            raise ShowcaseError(
                f"VGG19 ImageNet weights could not be loaded ({type(err).__name__}); "
                "pass a local weights file or pick the squeezenet loss network"
            ) from None
    raise ShowcaseError(f"unknown loss network {name!r}; choose one of {', '.join(SPECS)}")


class LossNetwork:
    """A frozen feature extractor: RGB images in [0, 255] -> {layer: activations}."""

    def __init__(self, name: str = "squeezenet", weights_path=None, for_fast_network=False):
        if name not in SPECS:
            raise ShowcaseError(f"unknown loss network {name!r}; choose one of {', '.join(SPECS)}")
        self.spec = SPECS[name]
        if for_fast_network:
            self.spec = dataclasses.replace(self.spec, content_layer=self.spec.fast_content_layer)
        backbone = _backbone(name, weights_path)
        backbone.trainable = False
        wanted = dict.fromkeys((self.spec.content_layer, *self.spec.style_layers))
        self.model = keras.Model(
            backbone.input, {layer: backbone.get_layer(layer).output for layer in wanted}
        )

    @classmethod
    def best_available(cls, preferred: str = "squeezenet") -> LossNetwork:
        """``preferred`` if its weights can be had, else the next pretrained one, else random."""
        order = [preferred] + [n for n in ("squeezenet", "mobilenet") if n != preferred]
        for name in order:
            try:
                return cls(name)
            except ShowcaseError:
                continue
        return cls("random")

    def preprocess(self, rgb):
        """RGB in [0, 255] -> what this network was trained on."""
        # uint8 pictures would make the mean subtraction wrap around in integer arithmetic.
        rgb = ops.cast(rgb, "float32")
        if self.spec.name in ("squeezenet", "random", "vgg19"):
            return ops.flip(rgb, axis=-1) - CAFFE_BGR_MEAN  # Caffe: BGR, mean-subtracted
        return rgb / 127.5 - 1.0  # MobileNet: [-1, 1]

    def features(self, rgb):
        return self.model(self.preprocess(rgb), training=False)
