"""The ``scan`` and ``search`` sub-commands: ``register_batch_commands(subparsers)`` adds
them to the ``risk-copilot`` parser (also usable as ``python -m risk_copilot.batch``).

Exit codes follow ``risk_copilot.cli``: 0 done (failed files are recorded, not fatal),
2 bad input (``BatchError``/``ReviewError``, handled by the CLI's ``main``).
"""

from __future__ import annotations

import argparse
import json
import sys

from risk_copilot.batch.scan import ENGINES, SCAN_TYPES


def cmd_scan(args: argparse.Namespace) -> int:
    from rich.console import Console

    from risk_copilot.batch.scan import run_scan

    if args.workers < 1:
        raise SystemExit("error: --workers must be at least 1")
    status = run_scan(args.paths, args.out, contract_type=args.type, workers=args.workers, engine=args.engine,
                      address=args.address, resume=args.resume, show_progress=not args.quiet)
    console = Console(stderr=True)
    totals = status["totals"]
    sev = totals["findings_by_severity"]
    console.print(
        f"[bold]{args.out}[/]: this run reviewed {status['reviewed']}, other type {status['other']}, failed "
        f"{status['errors']}, skipped {status['skipped_done']} already done"
        + (f", {status['duplicates']} duplicate file(s)" if status.get("duplicates") else "")
        + (f", {status['unsupported']} file(s) of an unsupported format not reviewed (listed in errors.csv)"
           if status.get("unsupported") else "")
        + f" ({status.get('rate_per_minute', 0):.1f} contracts/min)"
    )
    console.print(
        f"portfolio: {totals['reviewed']} reviewed, {totals['other']} other, {totals['errors']} failed"
        + (f", {totals['unsupported']} unsupported" if totals.get("unsupported") else "")
        + "; findings "
        f"high {sev['high']}, medium {sev['medium']}, low {sev['low']}, info {sev['info']}; "
        f"index {status['index']['count']} clauses; report {status['reports']['report_html']}"
    )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from risk_copilot.batch.search import search_portfolio

    hits = search_portfolio(args.index, args.query, category=args.category, k=args.k)
    if args.json:
        sys.stdout.write(json.dumps(hits, indent=2, ensure_ascii=False) + "\n")
        return 0
    if not hits:
        print(f"no clauses match “{args.query}”" + (f" in category {args.category}" if args.category else ""))
        return 0
    for hit in hits:
        section = " ".join(x for x in (hit["section"] or "", hit["heading"] or "") if x)
        print(f"{hit['rank']:>3}. {hit['score']:.3f}  {hit['contract']}  §{section or '-'}  "
              f"[{hit['start']}:{hit['end']}]  {', '.join(hit['categories'])}")
        text = " ".join(hit["text"].split())
        print("     " + (text if len(text) <= 400 else text[:399] + "…"))
        for flag in hit["flagged"]:
            print(f"     flagged {flag['severity']}: {flag['title']}")
    return 0


def register_batch_commands(subparsers) -> None:
    """Add ``scan`` and ``search`` to the ``risk-copilot`` sub-command parsers."""
    scan = subparsers.add_parser("scan", help="scan folders of contracts into a portfolio report (resumable)")
    scan.add_argument("paths", nargs="*", help="files or folders (recursive: .txt .md .docx .pdf)")
    scan.add_argument("--type", default=None, choices=SCAN_TYPES,
                      help="contract type, or auto to detect it (other types are reported, not reviewed); "
                           "default: the type recorded in --out, else auto")
    scan.add_argument("--out", required=True, help="output folder: results, reports and the portfolio index")
    scan.add_argument("--workers", type=int, default=1, help="worker processes (local) or Ray actors (default 1)")
    scan.add_argument("--engine", default="local", choices=ENGINES)
    scan.add_argument("--address", help="Ray cluster address to join (with --engine ray); default: a local Ray")
    scan.add_argument("--resume", action="store_true",
                      help="continue the scan recorded in --out (its paths are used when none are given)")
    scan.add_argument("--quiet", action="store_true", help="no progress bar")
    scan.set_defaults(func=cmd_scan)

    search = subparsers.add_parser("search", help="search the clauses of a scanned portfolio")
    search.add_argument("query")
    search.add_argument("--index", required=True, help="a scan's --out folder (or its index/ folder)")
    search.add_argument("--category", help="only clauses of this category, e.g. cap_on_liability")
    search.add_argument("--k", type=int, default=20, help="number of results (default 20)")
    search.add_argument("--json", action="store_true", help="print JSON instead of a table")
    search.set_defaults(func=cmd_search)
