"""``showcase bench``: cold-load time and median inference latency per demo.

A benchmark, not a test: it prints figures for the README and model cards and asserts nothing.

A demo's bench module has ``load(checkpoint) -> object`` and ``bench_cases(object) -> {case:
call}``; a case may be a :class:`Case` to name the checkpoint it measures (demos with several).
An optional ``comparisons(object) -> [dict]`` runs head-to-head measurements (e.g. against a
published recipe) that are not latencies.
"""

from __future__ import annotations

import dataclasses
import inspect
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from showcase import checkpoints, registry


@dataclasses.dataclass
class Case:
    call: Callable[[], object]
    checkpoint: str = ""
    max_runs: int | None = None  # slow cases (an optimisation of seconds) cap their repetitions
    # The case's name in its checkpoint's card, where the table's name carries a prefix.
    name_in_card: str = ""


def _median_ms(call, runs: int) -> float:
    call()  # the first call traces tf.functions; it is reported as part of warm-up, not latency
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def run_benchmarks(
    demo_names: list[str],
    runs: int = 20,
    checkpoint: str | None = None,
    comparisons=None,
    compare_minutes: float | None = None,
) -> list[dict]:
    """Latency rows for every case; ``comparisons`` (a list) also receives comparison rows.

    ``compare_minutes`` sets the training budget of comparisons that train a recipe.
    """
    results = []
    for name in demo_names:
        demo = registry.get(name)
        module = demo.bench_module()
        started = time.perf_counter()
        loaded = module.load(checkpoint)
        load_s = time.perf_counter() - started
        cases = {
            case: call if isinstance(call, Case) else Case(call, str(getattr(loaded, "path", "")))
            for case, call in module.bench_cases(loaded).items()
        }
        first_call = next(iter(cases.values())).call
        started = time.perf_counter()
        first_call()
        first_s = time.perf_counter() - started
        for case, measured in cases.items():
            call = measured.call
            case_runs = min(runs, measured.max_runs or runs)
            results.append(
                {
                    "demo": name,
                    "checkpoint": measured.checkpoint,
                    "case": case,
                    "case_in_card": measured.name_in_card or case,
                    "cold_load_s": round(load_s, 3),
                    "first_call_s": round(first_s, 3),
                    "median_ms": round(_median_ms(call, case_runs), 2),
                    "runs": case_runs,
                }
            )
        if comparisons is not None and hasattr(module, "comparisons"):
            options = {}
            if compare_minutes and "minutes" in inspect.signature(module.comparisons).parameters:
                options["minutes"] = compare_minutes
            rows = module.comparisons(loaded, **options)
            comparisons.extend({"demo": name, **row} for row in rows)
    return results


def format_table(results: list[dict]) -> str:
    header = ("demo", "case", "cold load (s)", "first call (s)", "median (ms)", "runs")
    rows = [header] + [
        (
            r["demo"],
            r["case"],
            f"{r['cold_load_s']:.2f}",
            f"{r['first_call_s']:.2f}",
            f"{r['median_ms']:.1f}",
            str(r["runs"]),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def record_in_cards(results: list[dict], comparisons: list[dict] | None = None) -> list[str]:
    """Write each checkpoint's figures (latencies, and comparisons that name the checkpoint)
    into its model card's ``benchmark`` field."""
    updated = []
    for path in dict.fromkeys(r["checkpoint"] for r in results if r["checkpoint"]):
        card_path = checkpoints.card_path_for(Path(path))
        card = checkpoints.ModelCard.read(card_path)
        earlier = card.benchmark.get("comparisons")
        rows = [r for r in results if r["checkpoint"] == path]
        card.benchmark = {
            "hardware": checkpoints.hardware_summary(),
            "date": checkpoints.today(),
            "cold_load_s": rows[0]["cold_load_s"],
            "median_ms": {r.get("case_in_card", r["case"]): r["median_ms"] for r in rows},
            "runs": rows[0]["runs"],
            "command": f"showcase bench {rows[0]['demo']} --runs {rows[0]['runs']}",
        }
        own = [
            {k: v for k, v in row.items() if k not in ("demo", "checkpoint")}
            for row in comparisons or []
            if row.get("checkpoint") == path
        ]
        if own or (comparisons is None and earlier):
            # A run without comparisons (--no-compare) keeps the ones measured before.
            card.benchmark["comparisons"] = own or earlier
        card.write(card_path)
        updated.append(str(card_path))
    return updated
