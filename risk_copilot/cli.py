"""The ``risk-copilot`` command line.

Exit codes: 0 success; 2 bad input (one-line message, no traceback); 3 when a review
reaches ``--fail-on`` (or an ``eval cases`` run has a failing case); 1 an unexpected internal error (traceback only with
``RISK_COPILOT_DEBUG=1``). Other packages add sub-commands through the entry-point
group ``risk_copilot.commands`` (a ``register(subparsers)`` function).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Callable

from pydantic import ValidationError

from risk_copilot.errors import ReviewError, one_line
from risk_copilot.playbook import SEVERITY_ORDER

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_FAIL_ON = 0, 1, 2, 3
CONTRACT_TYPES = ("nda", "procurement")


def _engine(args: argparse.Namespace):
    from risk_copilot.engine import ReviewEngine
    from risk_copilot.settings import ReviewerSettings

    return ReviewEngine(ReviewerSettings())


def _print_table(review: dict[str, Any]) -> None:
    import shutil

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(width=max(120, shutil.get_terminal_size((160, 40)).columns))
    doc = review["document"]
    console.print(
        f"[bold]{escape(one_line(doc['name']))}[/] ({review['contract_type']}, playbook {review['versions']['playbook']}): "
        f"risk score [bold]{review['risk_score']}[/], decision [bold]{review['decision']}[/], "
        f"approvers: {', '.join(review['approvers'])}"
    )
    table = Table(show_lines=False)
    for column, width in (("id", 4), ("severity", 8), ("kind", 12), ("category", 28), ("finding", 40), ("evidence", 50)):
        table.add_column(column, overflow="fold", max_width=width)
    colours = {"high": "red", "medium": "yellow", "low": "cyan", "info": "blue"}
    for f in review["findings"]:
        evidence = f["evidence"][0]["text"] if f["evidence"] else "(absent)"
        if len(evidence) > 110:
            evidence = evidence[:109] + "…"
        table.add_row(f["id"], f"[{colours[f['severity']]}]{f['severity']}[/]", f["kind"], f["category"],
                      escape(f["title"]), escape(evidence))
    console.print(table)
    for f in review["findings"]:
        console.print(f"[bold]{f['id']}[/] ({f['approver_role']}): {escape(f['explanation'])}")
    console.print(f"timings (ms): {review['timings_ms']}")


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: must be at least 1")
    return number


def contract_type_argument(value: str) -> str:
    """``--type``: one of CONTRACT_TYPES, case-insensitive; anything else is the documented
    ``unknown_contract_type`` (one line, exit 2), not argparse's usage text."""
    chosen = value.strip().lower()
    if chosen not in CONTRACT_TYPES:
        raise ReviewError(f"--type {value!r}: unknown contract type; known types: {', '.join(CONTRACT_TYPES)}",
                          code="unknown_contract_type")
    return chosen


def cmd_review(args: argparse.Namespace) -> int:
    contract_type = contract_type_argument(args.type)
    if args.playbook:
        from risk_copilot.playbook import load_playbook

        playbook = load_playbook(args.playbook)
        if playbook.contract_type != contract_type:
            raise ReviewError(
                f"--playbook {args.playbook} is a playbook for {playbook.contract_type!r} contracts, not for "
                f"--type {contract_type!r}: pass --type {playbook.contract_type} or another playbook",
                code="playbook_type_mismatch")
    else:
        playbook = None
    if args.out and not Path(args.out).resolve().parent.is_dir():
        raise ReviewError(f"--out {args.out}: the folder {Path(args.out).parent} does not exist", code="output_folder_missing")
    if args.out and Path(args.out).resolve() == Path(args.path).resolve():
        raise ReviewError(f"--out {args.out} is the contract being reviewed: choose another file", code="output_is_input")
    engine = _engine(args)
    review = engine.review_path(args.path, contract_type, playbook=playbook)
    if args.format == "json":
        payload = dict(review)
        if args.no_text:
            payload.pop("text", None)
        output = json.dumps(payload, indent=2, ensure_ascii=False)
    elif args.format == "html":
        from risk_copilot.html_report import render_review_html

        output = render_review_html(review)
    else:
        output = None
    if output is not None:
        if args.out:
            try:
                Path(args.out).write_text(output, encoding="utf-8")
            except OSError as exc:
                raise ReviewError(f"--out {args.out}: {exc.strerror or exc}", code="output_write_failed") from exc
        else:
            sys.stdout.write(output + "\n")
    else:
        _print_table(review)
    if args.fail_on:
        worst = max((SEVERITY_ORDER[f["severity"]] for f in review["findings"]), default=-1)
        if worst >= SEVERITY_ORDER[args.fail_on]:
            return EXIT_FAIL_ON
    return EXIT_OK


def cmd_index(args: argparse.Namespace) -> int:
    engine = _engine(args)
    for contract_type in args.type or CONTRACT_TYPES:
        playbook = engine.playbook(contract_type)
        library = engine.classifier(playbook).library
        state = "built" if library.built else "up to date"
        print(f"{playbook.ref}: {len(library.entries)} library entries, index {state} "
              f"({library.manifest['library_sha256'][:12]})")
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from risk_copilot.rules.registry import rule_kinds

    for name, kind in sorted(rule_kinds().items()):
        print(f"{name}\n{'-' * len(name)}\n{kind.documentation}\n")
        for field_name, field in kind.options.model_fields.items():
            print(f"  {field_name}: {field.description or ''}")
        print()
    return EXIT_OK


def cmd_playbook_validate(args: argparse.Namespace) -> int:
    from risk_copilot.playbook import load_playbook

    failed = 0
    for path in args.paths:  # every file gets its line, valid or not
        try:
            playbook = load_playbook(path)
        except ReviewError as exc:
            failed += 1
            print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
            continue
        print(f"{one_line(path)}: ok ({playbook.ref}, {len(playbook.parameters)} parameters)")
    return EXIT_BAD_INPUT if failed else EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    from risk_copilot.bench import run_bench

    return run_bench(args)


EVALUATIONS = {  # sub-command -> module exposing add_arguments(parser) and run(args) -> int
    "cuad": ("risk_copilot.evaluation.cuad", "clause-level CUAD evaluation: AUPR and precision at 80%%/90%% recall"),
    "contract-nli": ("risk_copilot.evaluation.contract_nli", "ContractNLI evaluation of the NDA hypotheses"),
    "cases": ("risk_copilot.evaluation.cases", "the acceptance cases: each expectation met or not, and totals"),
}


def _register_evaluations(sub) -> None:
    """``risk-copilot eval <name>``: each evaluation module adds its own options; the
    heavy work is imported only when the command runs."""
    import importlib

    evaluation = sub.add_parser("eval", help="measure the reviewer on labelled data and the acceptance cases")
    eval_sub = evaluation.add_subparsers(dest="eval_command", required=True)
    for name, (module_name, help_text) in EVALUATIONS.items():
        parser = eval_sub.add_parser(name, help=help_text)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            parser.set_defaults(func=lambda args, m=module_name: _evaluation_unavailable(m))
            continue
        module.add_arguments(parser)
        parser.set_defaults(func=module.run)


def _evaluation_unavailable(module_name: str) -> int:
    raise ReviewError(f"{module_name} is not installed in this build", code="evaluation_unavailable")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="risk-copilot", description="Offline contract risk review.")
    sub = parser.add_subparsers(dest="command", required=True)

    review = sub.add_parser("review", help="review one contract file against a playbook")
    review.add_argument("path")
    review.add_argument("--type", required=True, help=f"contract type: {', '.join(CONTRACT_TYPES)}")
    review.add_argument("--format", default="json", choices=("json", "table", "html"))
    review.add_argument("--playbook", help="a playbook YAML file instead of the type's default")
    review.add_argument("--fail-on", choices=tuple(SEVERITY_ORDER), help="exit 3 when a finding is at least this severe")
    review.add_argument("--out", help="write the output to this file instead of stdout")
    review.add_argument("--no-text", action="store_true", help="leave the ingested text out of the JSON")
    review.set_defaults(func=cmd_review)

    index = sub.add_parser("index", help="build (or check) the clause-library indexes")
    index.add_argument("--type", action="append", choices=CONTRACT_TYPES)
    index.set_defaults(func=cmd_index)

    rules = sub.add_parser("rules", help="list the rule kinds and their documentation")
    rules.set_defaults(func=cmd_rules)

    playbook = sub.add_parser("playbook", help="playbook tools")
    playbook_sub = playbook.add_subparsers(dest="playbook_command", required=True)
    validate = playbook_sub.add_parser("validate", help="validate playbook files")
    validate.add_argument("paths", nargs="+")
    validate.set_defaults(func=cmd_playbook_validate)

    bench = sub.add_parser("bench", help="measure review speed, cold start and memory")
    bench.add_argument("paths", nargs="*")
    bench.add_argument("--type", default="auto", choices=("auto", *CONTRACT_TYPES))
    bench.add_argument("--repeat", type=positive_int, default=5, help="warm runs per file (at least 1)")
    bench.add_argument("--longest-cuad", help="also bench the longest .txt file in this folder")
    bench.add_argument("--json", action="store_true")
    bench.set_defaults(func=cmd_bench)

    _register_evaluations(sub)

    from risk_copilot.batch.commands import register_batch_commands

    register_batch_commands(sub)

    for entry in entry_points(group="risk_copilot.commands"):
        try:
            register: Callable[[Any], None] = entry.load()
        except Exception as exc:  # a broken plugin must not break reviewing
            print(f"warning: command plugin {entry.name} failed to load: {exc}", file=sys.stderr)
            continue
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ReviewError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValidationError as exc:  # settings from RISK_COPILOT_* variables
        from risk_copilot.settings import settings_error_message

        code = "invalid_setting" if exc.title.endswith("Settings") else "invalid_input"
        print(f"error: {code}: {settings_error_message(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # no traceback for users; RISK_COPILOT_DEBUG=1 shows it
        if os.environ.get("RISK_COPILOT_DEBUG"):
            raise
        code = getattr(exc, "code", None)
        if isinstance(code, str) and code:  # a coded domain error of a plugged-in command
            print(f"error: {code}: {getattr(exc, 'message', None) or exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"error: internal_error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
