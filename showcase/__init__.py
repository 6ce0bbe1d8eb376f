"""showcase: landmark deep-learning applications as trained Keras 3 models with Gradio demos.

Each demo is a subpackage with a one-line import API, e.g.
``from showcase.sentiment import SentimentClassifier``. Importing ``showcase`` itself is cheap:
TensorFlow loads only when a model is used.
"""

from importlib import metadata

try:
    __version__ = metadata.version("showcase")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
