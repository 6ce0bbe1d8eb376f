"""What ``showcase bench vqa`` loads and times.

Latency: one question to each installed network, 64 questions at once to the Relation Network,
and its pair attribution (what the UI's picture needs).

Comparison: training steps per second of the shipped Relation Network (g: 3 layers of 128 on a
factorised first layer) against the paper's size (g: 4 layers of 256), on the same batches of 64
questions, back to back on the same machine; and the same step with XLA (jit_compile) on.
"""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf

from showcase.bench import Case
from showcase.vqa import model as networks
from showcase.vqa.api import QuestionAnswerer, RelationNetwork, SortOfClevr, load_installed
from showcase.vqa.batches import inputs_for
from showcase.vqa.sort_of_clevr import question_set

BATCH_SIZE = 64
WARMUP_STEPS = 3
TIMED_STEPS = 30


def load(checkpoint=None) -> dict[str, QuestionAnswerer]:
    return load_installed(checkpoint)


def bench_cases(models: dict) -> dict:
    scene = SortOfClevr.scene(0)
    question = "How many objects have the same shape as the blue object?"
    cases = {
        f"{name}: one question": Case(
            lambda network=network: network.answer(scene, question), str(network.path)
        )
        for name, network in models.items()
    }
    network = models.get("relation_network")
    if network is not None:
        scenes = [SortOfClevr.scene(seed) for seed in range(BATCH_SIZE)]
        pixels = [scene.render() for scene in scenes]
        asked = [question] * BATCH_SIZE
        cases["relation_network: 64 questions"] = Case(
            lambda: network.answer_many(pixels, asked), str(network.path)
        )
        cases["relation_network: pair weights"] = Case(
            lambda: network.pair_weights(scene, question), str(network.path)
        )
    return cases


def _steps_per_second(model, inputs, answers, jit_compile: bool = False) -> float:
    model.compile(
        optimizer=keras.optimizers.Adam(2.5e-4),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=jit_compile,
    )
    batches = tf.data.Dataset.from_tensors((inputs, answers)).repeat()
    model.fit(batches, steps_per_epoch=WARMUP_STEPS, epochs=1, verbose=0)
    started = time.perf_counter()
    model.fit(batches, steps_per_epoch=TIMED_STEPS, epochs=1, verbose=0)
    return TIMED_STEPS / (time.perf_counter() - started)


def training_speed(network: RelationNetwork) -> dict:
    data = question_set(range(BATCH_SIZE // 20 + 1))
    rows = np.arange(BATCH_SIZE)
    template = networks.build_relation_network()
    inputs = inputs_for(
        template, data.images[data.image_index[rows]], data.questions[rows],
        [data.texts[row] for row in rows],
    )  # fmt: skip
    answers = data.answers[rows]
    shipped = _steps_per_second(networks.build_relation_network(), inputs, answers)
    with_xla = _steps_per_second(networks.build_relation_network(), inputs, answers, True)
    paper = _steps_per_second(networks.build_relation_network(256, 4), inputs, answers)
    return {
        "checkpoint": str(network.path),
        "case": "Relation Network training steps per second (batch 64)",
        "summary": f"Relation Network training, batch 64: ours {shipped:.2f} steps/s (with XLA "
        f"{with_xla:.2f}), g at the paper's size {paper:.2f} steps/s: {shipped / paper:.2f}x",
        "ours": round(shipped, 2),
        "ours_with_xla": round(with_xla, 2),
        "paper_size_g": round(paper, 2),
        "speedup_over_paper_size": round(shipped / paper, 2),
        "note": "ours: g of 3 x 128 units; paper size: g of 4 x 256 units; both factorised, "
        "5 x 5 grid, same batches",
    }


def comparisons(models: dict) -> list[dict]:
    network = models.get("relation_network")
    return [training_speed(network)] if network is not None else []
