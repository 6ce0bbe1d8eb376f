"""Render the README's demo table from the registry and the shipped model cards.

    python -m showcase.demo_table                    # print the table
    python -m showcase.demo_table --write README.md  # replace the table between its markers

Every figure in the table is read from a shipped card (``models/<demo>/<name>.card.json``), so
the README changes when a card does and never by hand; a test checks that the two agree. Only
the registry and the cards are read: no TensorFlow is imported.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from showcase import checkpoints, registry

START = "<!-- demo-table:start -->"
END = "<!-- demo-table:end -->"

# One line each for a newcomer; a demo missing here shows its registry title instead.
WHAT_IT_DOES = {
    "sentiment": "a sentence in, positive or negative out, with how much each word pushed",
    "style_transfer": "a photo in a painting's style: one-pass fast styles, the Gatys "
    "optimisation, video",
    "dcgan": "draws the handwritten digits you ask for with a DCGAN, BEGAN or a progressive GAN; "
    "shuffle, reset, walk between seeds, watch the progressive GAN grow",
    "captioning": "writes captions for a picture, with where it looked for each word",
    "translation": "English to French or German, with the attention heatmap and the beams",
    "tts": "reads English text aloud, with its alignment and spectrogram",
    "rl": "agents that learnt by trial and error play CartPole, Pendulum and Breakout; play "
    "Connect Four against AlphaZero",
    "vqa": "answers questions about a scene of shapes; a Relation Network beside CNN and "
    "question-only baselines, with the object pairs it used",
    "image_to_image": "draw a sketch (or give a photo) and pix2pix paints a photo-like picture "
    "from its lines, beside the same network trained with L1 alone; grey photos coloured three "
    "ways, the last with the colours you click in; photos turned into paintings and back by "
    "CycleGAN, learnt without pairs, beside pix2pix given the pairs",
    "lessons": "the lecture's ideas computed live: running mean, overfitting and dropout, "
    "vanishing gradients, convolution, feature maps, RNN vs LSTM memory",
}

# A path inside a card ("../shared/data/mnist_t10k") shows as its last part ("mnist_t10k").
_PATH = re.compile(r"(?<![\w/.])(?:\.{1,2}/|/)(?:[\w.-]+/)*([\w.-]+)")


def _cell(text: str) -> str:
    return _PATH.sub(r"\1", text).replace("|", "\\|")


def _clauses(paper: str) -> list[str]:
    """The papers of a registry entry: its parts between semicolons outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in paper:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()]


def _paper(demo: registry.Demo) -> str:
    first, *rest = _clauses(demo.paper)
    more = f" + {len(rest)} more" if rest else ""
    return f"[{_cell(first)}]({demo.paper_url}){more}"


def _value(card: checkpoints.ModelCard) -> str:
    """The card's value as ``metric_summary`` writes it, without the metric's name and split."""
    summary = card.metric_summary
    name, split = card.metric.get("name", "metric"), card.metric.get("split")
    value = summary.removeprefix(f"{name} ")
    return value.removesuffix(f" on {split}") if split else value


def _metrics(demo: registry.Demo, cards: dict) -> str:
    if not demo.checkpoint_names:
        return "none needed"
    groups: dict[tuple, list[str]] = {}
    for name in demo.checkpoint_names:
        card = cards[name]
        if card is None:
            groups.setdefault((name,), []).append(f"`{name}`: no card")
            continue
        key = (card.metric.get("name", "metric"), card.metric.get("split"))
        groups.setdefault(key, []).append(name)
    lines = []
    for key, names in groups.items():
        if len(key) == 1:
            lines.extend(names)
        elif len(names) == 1:
            lines.append(f"`{names[0]}`: {cards[names[0]].metric_summary}")
        else:
            metric, split = key
            where = f"{metric} on {split}" if split else metric
            values = ", ".join(f"`{name}` {_value(cards[name])}" for name in names)
            lines.append(f"{where}: {values}")
    return "<br>".join(_cell(line) for line in lines)


def _milliseconds(value: float) -> str:
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


def _latency(demo: registry.Demo, cards: dict) -> str:
    """The first timed case of each card's ``showcase bench`` figures, or a dash."""
    cases = []
    for name in demo.checkpoint_names:
        timings = ((cards[name] and cards[name].benchmark) or {}).get("median_ms") or {}
        if timings:
            case, value = next(iter(timings.items()))
            cases.append(f"{case}: {_milliseconds(value)}")
    return "<br>".join(_cell(case) for case in dict.fromkeys(cases)) or "-"


def _hardware(cards) -> list[str]:
    found = [(card.benchmark or {}).get("hardware") for card in cards if card is not None]
    return list(dict.fromkeys(hardware for hardware in found if hardware))


def shipped_cards(demo: registry.Demo) -> dict:
    """The card of every checkpoint the package ships for ``demo`` (None where one is missing).

    Always the shipped ones, never the user's own: the README describes what a user installs.
    """
    folder = checkpoints.shipped_checkpoint_dir(demo.name)
    return {name: checkpoints.find_card(demo.name, name, folder) for name in demo.checkpoint_names}


def render() -> str:
    """The demo table as Markdown, with a line saying where its figures come from."""
    rows = [
        "| demo | what it does | paper | shipped checkpoints: metric from the card "
        "| median latency | docs |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    every_card = []
    for demo in registry.DEMOS.values():
        cards = shipped_cards(demo)
        every_card.extend(cards.values())
        what = _cell(WHAT_IT_DOES.get(demo.name, demo.title))
        docs = f"[{demo.name}.md](docs/demos/{demo.name}.md)"
        rows.append(
            f"| `{demo.name}` | {what} | {_paper(demo)} | {_metrics(demo, cards)} "
            f"| {_latency(demo, cards)} | {docs} |"
        )
    hardware = "; ".join(_hardware(every_card)) or "not recorded"
    rows += [
        "",
        "Metrics as `showcase evaluate` reproduces them; latency is the median of the first case "
        f"of each card's `showcase bench` run ({hardware}). Generated from the model cards by "
        "`python -m showcase.demo_table --write README.md`.",
    ]
    return "\n".join(rows)


def extract(text: str) -> str | None:
    """What stands between the markers (stripped), or None when they are missing."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start + len(START) : end].strip("\n")


def replace(text: str, table: str) -> str:
    """``text`` with everything between the markers replaced by ``table``."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"no {START} ... {END} markers")
    return text[: start + len(START)] + "\n" + table + "\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m showcase.demo_table",
        description="Print the demo table, or write it between the markers of a Markdown file.",
    )
    parser.add_argument("--write", metavar="FILE", help="rewrite the table inside FILE")
    args = parser.parse_args(argv)
    table = render()
    if args.write is None:
        print(table)
        return 0
    path = Path(args.write)
    try:
        text = path.read_text(encoding="utf-8")
        new = replace(text, table)
    except (OSError, UnicodeDecodeError, ValueError) as err:
        print(f"error: {path}: {err}", file=sys.stderr)
        return 2
    if new != text:
        path.write_text(new, encoding="utf-8")
    print(f"{path}: demo table {'rewritten' if new != text else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
