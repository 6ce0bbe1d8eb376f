"""Small ImageNet-trained CNNs that several demos build on, fetched by pinned hash.

The weight files go into Keras' model cache (``~/.keras/models`` or ``$SHOWCASE_CACHE/models``)
through :func:`showcase.downloads.fetch`, so a copy placed there, or passed as a local path, works
offline and goes through the same hash check as a download.
"""

from __future__ import annotations

import keras

from showcase.downloads import RemoteFile, fetch

SQUEEZENET_WEIGHTS = RemoteFile(
    url="https://github.com/rcmalli/keras-squeezenet/releases/download/v1.0/"
    "squeezenet_weights_tf_dim_ordering_tf_kernels_notop.h5",
    filename="squeezenet_weights_tf_dim_ordering_tf_kernels_notop.h5",
    sha256="17154246284f555591549ac2c83e127abfbf4307dc4b0060fdaa2931d0fa38da",
)
MOBILENET_WEIGHTS = RemoteFile(
    url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
    "mobilenet_2_5_224_tf_no_top.h5",
    filename="mobilenet_2_5_224_tf_no_top.h5",
    sha256="dbdb03ee2a22fd895301636cd328b234bb3a9952358f436d82f46b81e0d5b0bf",
)


def mobilenet_quarter(input_shape=(None, None, 3), pretrained: bool = True, weights_path=None):
    """``keras.applications.MobileNet(alpha=0.25)`` without its classifier (Howard et al. 2017).

    With ``pretrained`` its ImageNet weights are loaded (downloaded once, or from
    ``weights_path``); inputs are RGB scaled to [-1, 1].
    """
    model = keras.applications.MobileNet(
        input_shape=input_shape, alpha=0.25, include_top=False, weights=None
    )
    if pretrained:
        model.load_weights(fetch(MOBILENET_WEIGHTS, weights_path, subdir="models"))
    return model
