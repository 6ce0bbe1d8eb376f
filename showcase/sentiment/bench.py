"""What ``showcase bench sentiment`` loads and times."""

from showcase.sentiment import SentimentClassifier

LECTURE_EXAMPLES = ["I love my mobile phone", "I hate the small screen of my PDA"]


def load(checkpoint=None):
    return SentimentClassifier.from_pretrained(checkpoint=checkpoint)


def bench_cases(classifier):
    one = LECTURE_EXAMPLES[:1]
    batch = [LECTURE_EXAMPLES[i % 2] + f" ({i})" for i in range(64)]
    return {
        "one sentence": lambda: classifier.predict(one),
        "one sentence + word contributions": lambda: classifier.word_contributions(one[0]),
        "batch of 64 sentences": lambda: classifier.predict(batch),
    }
