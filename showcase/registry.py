"""The demos showcase offers, and where each one's API, training, evaluation and UI live.

Entries name modules by string so ``showcase list`` and the CLI's help never import TensorFlow.
"""

from __future__ import annotations

import dataclasses
import importlib

from showcase.errors import ShowcaseError


@dataclasses.dataclass(frozen=True)
class Demo:
    name: str
    title: str
    paper: str
    paper_url: str
    checkpoint_name: str
    api: str  # "module:Class" with from_pretrained(checkpoint)
    training: str  # module with train(config), evaluate(checkpoint, data), a *TrainConfig class
    app: str  # module with render(checkpoint) and build(checkpoint)
    bench: str  # "module:function" taking the loaded API object, returning {case: callable}

    def load_api_class(self):
        module, _, attribute = self.api.partition(":")
        return getattr(importlib.import_module(module), attribute)

    def training_module(self):
        return importlib.import_module(self.training)

    def app_module(self):
        return importlib.import_module(self.app)

    def bench_cases(self, loaded):
        module, _, attribute = self.bench.partition(":")
        return getattr(importlib.import_module(module), attribute)(loaded)


DEMOS: dict[str, Demo] = {
    demo.name: demo
    for demo in [
        Demo(
            name="sentiment",
            title="Sentiment classification",
            paper="Bidirectional LSTM with dropout (Hochreiter & Schmidhuber 1997; "
            "Schuster & Paliwal 1997; Srivastava et al. 2014) on SST-2 (Socher et al. 2013)",
            paper_url="https://nlp.stanford.edu/sentiment/",
            checkpoint_name="sst2_bilstm",
            api="showcase.sentiment:SentimentClassifier",
            training="showcase.sentiment.train",
            app="showcase.apps.sentiment",
            bench="showcase.sentiment.bench:bench_cases",
        ),
    ]
}


def get(name: str) -> Demo:
    try:
        return DEMOS[name]
    except KeyError:
        raise ShowcaseError(f"unknown demo {name!r}; available: {', '.join(DEMOS)}") from None
