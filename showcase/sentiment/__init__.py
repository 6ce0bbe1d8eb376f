"""Sentiment classification: a bidirectional LSTM that reads raw sentences.

from showcase.sentiment import SentimentClassifier
SentimentClassifier.from_pretrained().predict(["I love my mobile phone"])
"""

from showcase.sentiment.api import SentimentClassifier

__all__ = ["SentimentClassifier"]
