"""The ``showcase`` command: list, launch, train, evaluate, export-space, bench.

A thin shell over the same functions importers call. Every user error prints one line and exits 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile

from showcase import checkpoints, registry
from showcase.bench import format_table, record_in_cards, run_benchmarks
from showcase.errors import ShowcaseError
from showcase.spaces import export_space

# TensorFlow's C++ start-up chatter is noise for a command-line user; their own setting wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _with_default(described: str, default) -> str:
    """An option's help, with its default when it has one worth saying."""
    if default is None or default == "":
        return described
    return f"{described} (default {default})" if described else f"default {default}"


def _add_config_option(parser, field: dataclasses.Field, default) -> None:
    """One ``--option`` for a training config field (see showcase.training.TrainConfig)."""
    metadata = field.metadata
    flag = metadata.get("option", f"--{field.name.replace('_', '-')}")
    described = metadata.get("help", "")
    if "const" in metadata:
        parser.add_argument(
            flag,
            dest=field.name,
            action="store_const",
            const=metadata["const"],
            default=default,
            help=described,
        )
    elif isinstance(default, bool):
        parser.add_argument(
            flag,
            dest=field.name,
            action=argparse.BooleanOptionalAction,
            default=default,
            help=described,
        )
    else:
        parser.add_argument(
            flag,
            dest=field.name,
            type=str if default is None else type(default),
            default=default,
            choices=metadata.get("choices"),
            help=_with_default(described, default),
        )


def _add_train_parsers(subcommands) -> None:
    train = subcommands.add_parser("train", help="train a demo's model and write checkpoint + card")
    demos = train.add_subparsers(dest="demo", metavar="DEMO", parser_class=OneLineParser)
    demos.required = True
    for name in registry.trainable():
        demo = registry.get(name)
        config_class = demo.train_config()
        defaults = config_class()
        parser = demos.add_parser(demo.name, help=demo.title, aliases=registry.aliases_of(name))
        for field in dataclasses.fields(config_class):
            _add_config_option(parser, field, getattr(defaults, field.name))


def _add_evaluate_parsers(subcommands) -> None:
    evaluate = subcommands.add_parser("evaluate", help="recompute a checkpoint's card metric")
    demos = evaluate.add_subparsers(dest="demo", metavar="DEMO", parser_class=OneLineParser)
    demos.required = True
    for name in registry.evaluable():
        demo = registry.get(name)
        parser = demos.add_parser(demo.name, help=demo.title, aliases=registry.aliases_of(name))
        parser.add_argument(
            "--checkpoint", help="checkpoint file (default: user-trained > shipped)"
        )
        parser.add_argument("--data", help="dataset name or local path (see docs/data.md)")
        for option, described in demo.evaluate_options:
            parser.add_argument(f"--{option.replace('_', '-')}", dest=option, help=described)
        parser.add_argument("--json", action="store_true", help="print the result as JSON")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="showcase",
        description="Landmark deep-learning applications as trained Keras models and Gradio demos.",
    )
    subcommands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=OneLineParser
    )
    subcommands.required = True

    subcommands.add_parser("list", help="demos, papers, checkpoints and their metrics")

    launch = subcommands.add_parser("launch", help="serve the hub (all demos) or chosen demos")
    launch.add_argument("demos", nargs="*", metavar="DEMO", help="default: all demos")
    launch.add_argument("--host", default="127.0.0.1")
    launch.add_argument("--port", type=int, default=7860)
    launch.add_argument("--share", action="store_true", help="also open a public Gradio link")
    launch.add_argument("--checkpoint", help="checkpoint file (with a single DEMO)")
    launch.add_argument(
        "--no-warmup",
        action="store_true",
        help="load models on first use only, not in the background",
    )

    _add_train_parsers(subcommands)

    _add_evaluate_parsers(subcommands)

    export = subcommands.add_parser("export-space", help="write a Hugging Face Space folder")
    export.add_argument("demo", metavar="DEMO", choices=list(registry.DEMOS))
    export.add_argument("directory", metavar="DIR")
    export.add_argument(
        "--checkpoint",
        help="checkpoint file, or folder of them, to ship (default: every shipped checkpoint, "
        "replaced by your own of the same name)",
    )
    export.add_argument("--force", action="store_true", help="write into a non-empty folder")

    bench = subcommands.add_parser("bench", help="cold-load time and inference latency")
    bench.add_argument("demos", nargs="*", metavar="DEMO", help="default: all demos")
    bench.add_argument("--runs", type=int, default=20, help="timed runs per case (median)")
    bench.add_argument("--checkpoint", help="checkpoint file (with a single DEMO)")
    bench.add_argument("--json", action="store_true", help="print the results as JSON")
    bench.add_argument(
        "--no-compare",
        action="store_true",
        help="skip head-to-head comparisons with published recipes (they take minutes)",
    )
    bench.add_argument(
        "--compare-minutes",
        type=float,
        help="training budget of comparisons that train a recipe (default: what the checkpoint "
        "took to train)",
    )
    bench.add_argument(
        "--update-card",
        action="store_true",
        help="also record the figures in the benchmarked checkpoint's model card",
    )
    return parser


def _list() -> int:
    rows = [("demo", "title", "checkpoint", "from", "metric")]
    user_dir = str(checkpoints.user_data_dir())
    for demo in registry.DEMOS.values():
        found = checkpoints.available(demo.name)
        names = list(dict.fromkeys([*demo.checkpoint_names, *found]))
        if not names:
            rows.append((demo.name, demo.title, "not needed", "-", "-"))
        for name in names:
            if name not in found:
                rows.append((demo.name, demo.title, name, "missing", "-"))
                continue
            card = checkpoints.find_card(demo.name, name)
            source = "user-trained" if str(found[name]).startswith(user_dir) else "shipped"
            metric = card.metric_summary if card else "-"
            rows.append((demo.name, demo.title, name, source, metric))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    for demo in registry.DEMOS.values():
        print(f"\n{demo.name}: {demo.paper}")
    return 0


def _chosen_demos(args) -> list[str]:
    """The DEMO arguments (all demos when none is named), each checked against the registry."""
    names = [registry.get(name).name for name in args.demos]
    if args.checkpoint and len(names) != 1:
        raise ShowcaseError("--checkpoint needs exactly one DEMO")
    return names or list(registry.DEMOS)


def _launch(args) -> int:
    # Imported here: Gradio and the hub cost 2.5 s (its demos then load TensorFlow), which the
    # other verbs and --help must not pay.
    from showcase.apps.hub import launch

    launch(
        _chosen_demos(args),
        host=args.host,
        port=args.port,
        share=args.share,
        checkpoint=args.checkpoint,
        warmup=not args.no_warmup,
        as_hub=not args.demos,
    )
    return 0


def _train(args) -> int:
    demo = registry.get(args.demo)
    config_class = demo.train_config()
    fields = {field.name for field in dataclasses.fields(config_class)}
    config = config_class(**{k: v for k, v in vars(args).items() if k in fields})
    path = demo.training_module().train(config)
    card = checkpoints.card_beside(path)
    summary = card.metric_summary if card else "no model card"
    seconds = f"; trained in {card.training_time_s:.0f} s" if card else ""
    print(f"saved {path}\n{summary}{seconds}")
    return 0


def _evaluate(args) -> int:
    demo = registry.get(args.demo)
    evaluation = demo.evaluation_module()
    options = {
        option: getattr(args, option)
        for option, _ in demo.evaluate_options
        if getattr(args, option) is not None
    }
    result = evaluation.evaluate(args.checkpoint, args.data, **options)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    describe = getattr(evaluation, "describe", None)
    for row in result.get("results", [result]):
        card = row.get("card_value")
        card_text = f" (card: {card})" if card is not None else " (no card)"
        name = row.get("name")
        what = f"{row['demo']} {name}" if name else row["demo"]
        print(f"{what}: {row['metric']} {row['value']} on {row['split']}{card_text}")
        for line in describe(row) if describe else []:
            print(f"  {line}")
    return 0


def _export(args) -> int:
    folder = export_space(args.demo, args.directory, args.checkpoint, force=args.force)
    print(f"wrote a Hugging Face Space to {folder}; try it: cd {folder} && python app.py")
    return 0


def _bench(args) -> int:
    comparisons = None if args.no_compare else []
    results = run_benchmarks(
        _chosen_demos(args), args.runs, args.checkpoint, comparisons, args.compare_minutes
    )
    if args.json:
        print(json.dumps({"latency": results, "comparisons": comparisons or []}, indent=2))
    else:
        print(format_table(results))
        for row in comparisons or []:
            print(f"\n{row['demo']}: {row['summary']}")
    if args.update_card:
        for path in record_in_cards(results, comparisons):
            print(f"updated {path}")
    return 0


COMMANDS = {
    "list": lambda args: _list(),
    "launch": _launch,
    "train": _train,
    "evaluate": _evaluate,
    "export-space": _export,
    "bench": _bench,
}


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow and probe its devices with their C++ log lines hidden.

    Those lines (CUDA probing, CPU features) go to file descriptor 2 before absl logging can be
    configured, so no environment variable silences them; they are replayed if the import fails.
    """
    if "tensorflow" in sys.modules:
        return

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            import tensorflow  # this function's whole point; not at the top (4.0 s)

            tensorflow.config.list_physical_devices("GPU")
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.buffer.write(sink.read())
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command != "list":
        _import_tensorflow_quietly()
    try:
        return COMMANDS[args.command](args)
    except ShowcaseError as err:
        print(f"showcase: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
