"""``risk-copilot eval cases``: review every acceptance case of a folder in the format of
``../shared/cases`` (``<name>.json`` expectations beside ``<name>.md`` contracts) and
report, per case, each expectation met or not, plus the totals.

An ``expect`` entry is met when at least one finding matches it; an ``expect_absent``
entry is met when no finding matches it. A finding matches when its kind is one of
``kind_any`` (if given), its category one of ``category_any`` (``"*"`` = any), its
severity at least ``min_severity``, and ``evidence_contains`` (if given) lies inside one
of its evidence spans.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from risk_copilot.errors import ReviewError
from risk_copilot.playbook import SEVERITY_ORDER


@dataclass
class ExpectationResult:
    kind: str  # "expect" | "expect_absent"
    expectation: dict[str, Any]
    met: bool
    matching_findings: list[str] = field(default_factory=list)  # finding ids


@dataclass
class CaseResult:
    name: str
    contract_type: str
    expectations: list[ExpectationResult]
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(e.met for e in self.expectations)


def finding_matches(finding: dict[str, Any], text: str, expectation: dict[str, Any]) -> bool:
    if "kind_any" in expectation and finding["kind"] not in expectation["kind_any"]:
        return False
    categories = expectation.get("category_any", ["*"])
    if "*" not in categories and finding["category"] not in categories:
        return False
    if SEVERITY_ORDER[finding["severity"]] < SEVERITY_ORDER[expectation.get("min_severity", "info")]:
        return False
    wanted = expectation.get("evidence_contains")
    if wanted is not None:
        return any(wanted in text[e["start"]:e["end"]] for e in finding["evidence"])
    return True


def check_review(case: dict[str, Any], review: dict[str, Any]) -> list[ExpectationResult]:
    """Each expectation of ``case`` against one review (with its ``text``)."""
    text = review["text"]
    results = []
    for kind in ("expect", "expect_absent"):
        for expectation in case.get(kind, []):
            hits = [f["id"] for f in review["findings"] if finding_matches(f, text, expectation)]
            met = bool(hits) if kind == "expect" else not hits
            results.append(ExpectationResult(kind, expectation, met, hits))
    return results


def load_cases(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    if not folder.is_dir():
        raise ReviewError(f"{folder}: not a folder of acceptance cases", code="bad_eval_data")
    cases = []
    for path in sorted(folder.glob("*.json")):
        try:
            case = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ReviewError(f"{path.name}: not readable JSON ({exc})", code="bad_eval_data") from exc
        if not isinstance(case, dict) or not {"contract_type", "file", "expect"} <= case.keys():
            continue  # not a case file (e.g. another JSON beside the cases)
        cases.append((path, case))
    if not cases:
        raise ReviewError(f"{folder}: no acceptance cases (<name>.json with contract_type, file, expect)",
                          code="bad_eval_data")
    return cases


def evaluate_cases(engine, folder: Path) -> list[CaseResult]:
    results = []
    for path, case in load_cases(folder):
        try:
            review = engine.review_path(path.with_name(case["file"]), case["contract_type"])
        except ReviewError as exc:
            results.append(CaseResult(path.stem, case["contract_type"], [], error=f"{exc.code}: {exc.message}"))
            continue
        results.append(CaseResult(path.stem, case["contract_type"], check_review(case, review)))
    return results


def summarise(results: list[CaseResult]) -> dict[str, Any]:
    expectations = [e for r in results for e in r.expectations]
    return {
        "cases": len(results),
        "cases_passed": sum(r.passed for r in results),
        "expectations": len(expectations),
        "expectations_met": sum(e.met for e in expectations),
        "errors": sum(r.error is not None for r in results),
        "per_case": {
            r.name: {"passed": r.passed, "contract_type": r.contract_type, "error": r.error,
                     "expectations": [asdict(e) for e in r.expectations]}
            for r in results
        },
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, type=Path, help="folder of <name>.json cases beside their contracts")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from risk_copilot.engine import ReviewEngine
    from risk_copilot.settings import ReviewerSettings

    summary = summarise(evaluate_cases(ReviewEngine(ReviewerSettings()), args.data))
    if args.json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        for name, case in summary["per_case"].items():
            print(f"{'PASS' if case['passed'] else 'FAIL'}  {name} ({case['contract_type']})"
                  + (f"  error {case['error']}" if case["error"] else ""))
            for e in case["expectations"]:
                shown = {k: v for k, v in e["expectation"].items()}
                print(f"    {'met    ' if e['met'] else 'NOT met'} {e['kind']}: {json.dumps(shown)}")
        print(f"cases passed {summary['cases_passed']}/{summary['cases']}, "
              f"expectations met {summary['expectations_met']}/{summary['expectations']}")
    return 0 if summary["cases_passed"] == summary["cases"] else 3  # 3: like --fail-on, the check failed
