"""Sentiment classification: a bidirectional LSTM that reads raw sentences.

from showcase.sentiment import SentimentClassifier
SentimentClassifier.from_pretrained().predict(["I love my mobile phone"])
"""


def __getattr__(name):
    # Imported on first use: the CLI reads this package's presets without importing TensorFlow.
    if name == "SentimentClassifier":
        from showcase.sentiment.api import SentimentClassifier

        return SentimentClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SentimentClassifier"]
