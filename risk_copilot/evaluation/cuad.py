"""``risk-copilot eval cuad``: the engine's clause scores against CUAD's annotated clauses.
(Work in progress: options are wired, the evaluation lands next.)"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, type=Path,
                        help="CUAD folder: master_clauses.csv and full_contract_txt/")
    parser.add_argument("--split", default="validation", choices=("validation", "train", "all"),
                        help="contracts to evaluate (the fixed split by contract file name; default validation)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N contracts of the split (by name)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from risk_copilot.errors import ReviewError

    raise ReviewError("eval cuad is not implemented yet", code="evaluation_unavailable")
