"""The portfolio reports of a scan folder: ``summary.csv``, ``errors.csv`` and
``report.html`` (self-contained: inline CSS and SVG, no scripts, nothing loaded from
outside; links to the per-contract pages in ``contracts/``). Rebuilt from the results
store, so they always cover every run into the folder.

Paths: the CSV files are machine records and keep each file's path as the scan found it
(absolute when the scan was given absolute folders). ``report.html`` is for people and may
be shared or served: it shows each path relative to the scan's ``root`` when one was given,
else relative to the scanned folder holding it (prefixed with that folder's name when the
scan covers more than one input path), and a file given directly by its name; never the
server's own folders (also taken out of error messages)."""

from __future__ import annotations

import csv
import errno
import os
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Callable

from jinja2 import Environment, FileSystemLoader, select_autoescape

from risk_copilot.batch.contract_pages import contract_page_name, write_contract_page
from risk_copilot.batch.errors import BatchError
from risk_copilot.batch.results_store import SEVERITIES, ResultsStore
from risk_copilot.batch.svg_charts import riskiest_contracts_svg, score_histogram_svg, severity_by_category_svg

_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

SUMMARY_COLUMNS = ("path", "duplicate_paths", "sha256", "status", "contract_type", "type_confidence", "risk_score",
                   "decision", "high", "medium", "low", "info", "top_finding_1", "top_finding_2", "top_finding_3",
                   "page")
ERROR_COLUMNS = ("path", "sha256", "error_code", "error_message")


def _cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (a file name may start with '=')."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _confidence_text(value: Any) -> str:
    """``type_confidence`` as the CSV and the HTML report show it ("0.81"); a number in JSON."""
    return "" if value is None or value == "" else f"{float(value):.2f}"


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            if "type_confidence" in row:
                row = {**row, "type_confidence": _confidence_text(row["type_confidence"])}
            writer.writerow([_cell(row.get(c)) for c in columns])
    os.replace(tmp, path)


def summary_rows(store: ResultsStore) -> list[dict[str, Any]]:
    """One row per contract (reviewed or of another type), riskiest first; ``type_confidence``
    is a number (or None), formatted only in the CSV and the HTML report."""
    paths = store.paths_by_sha()
    rows = []
    for r in store.result_rows():
        if r["status"] == "error":
            continue
        others = [p for p in paths.get(r["sha256"], []) if p != r["path"]]
        row = {
            "path": r["path"], "duplicate_paths": "; ".join(others), "sha256": r["sha256"], "status": r["status"],
            "contract_type": r["contract_type"] or r["detected_type"],
            "type_confidence": None if r["type_confidence"] is None else round(float(r["type_confidence"]), 2),
            "risk_score": r["risk_score"], "decision": r["decision"] or "",
            **{s: r[s] for s in SEVERITIES},
            "page": contract_page_name(r["sha256"]) if r["status"] == "reviewed" else "",
        }
        for i in range(3):
            top = r["top_findings"][i] if i < len(r["top_findings"]) else None
            row[f"top_finding_{i + 1}"] = f"{top['severity']}: {top['title']}" if top else ""
        rows.append(row)
    # riskiest first: score, then the count of high, medium and low findings break ties
    rows.sort(key=lambda row: (row["status"] != "reviewed", -(row["risk_score"] or 0), -row["high"], -row["medium"],
                               -row["low"], row["path"]))
    return rows


def error_rows(store: ResultsStore) -> list[dict[str, Any]]:
    return [{"path": r["path"], "sha256": "" if r["sha256"].startswith("path:") else r["sha256"],
             "error_code": r["error_code"], "error_message": r["error_message"]}
            for r in store.result_rows() if r["status"] == "error"]


def portfolio_findings(store: ResultsStore) -> tuple[dict[str, dict[str, int]], list[dict[str, Any]]]:
    """Findings by category and severity, and per playbook parameter the contracts that
    carry a finding on it (the analyst's "which contracts have uncapped liability")."""
    by_category: dict[str, Counter] = defaultdict(Counter)
    by_parameter: dict[tuple[str, str], dict[str, Any]] = {}
    for sha, review in store.iter_reviews():
        name = review["document"]["name"]
        for finding in review["findings"]:
            by_category[finding["category"]][finding["severity"]] += 1
            key = (review["contract_type"], finding["parameter"])
            entry = by_parameter.setdefault(key, {
                "contract_type": key[0], "parameter": key[1], "category": finding["category"],
                "severities": Counter(), "kinds": Counter(), "contracts": {},
            })
            entry["severities"][finding["severity"]] += 1
            entry["kinds"][finding["kind"]] += 1
            entry["contracts"].setdefault(sha, (name, finding["title"]))
    parameters = []
    order = {s: i for i, s in enumerate(SEVERITIES)}
    for entry in by_parameter.values():
        worst = min(entry["severities"], key=order.get)
        parameters.append({
            "contract_type": entry["contract_type"], "parameter": entry["parameter"], "category": entry["category"],
            "worst": worst, "kinds": ", ".join(f"{k} ×{n}" for k, n in entry["kinds"].most_common()),
            "count": len(entry["contracts"]),
            "contracts": [{"name": n, "title": t, "page": contract_page_name(s)}
                          for s, (n, t) in list(entry["contracts"].items())[:12]],
        })
    parameters.sort(key=lambda p: (order[p["worst"]], -p["count"], p["parameter"]))
    return {c: dict(v) for c, v in by_category.items()}, parameters


def report_path_display(store: ResultsStore) -> Callable[[str], str]:
    """A function showing a scanned file's path as ``report.html`` does (see the module doc)."""
    config = store.get_meta("config") or {}
    if config.get("root"):
        bases, prefix = [Path(config["root"])], False
    else:
        bases, prefix = [Path(p) for p in config.get("paths", [])], len(config.get("paths", [])) > 1
    bases.sort(key=lambda b: -len(b.parts))  # the deepest folder holding a file wins

    def show(path: str) -> str:
        if not path:
            return path
        found = Path(path)
        candidates = [found.absolute()]
        try:
            candidates += [found.absolute().parent.resolve() / found.name, found.resolve()]
        except OSError:
            pass
        for candidate in candidates:
            for base in bases:
                if candidate == base:
                    return found.name
                if base in candidate.parents:
                    relative = candidate.relative_to(base).as_posix()
                    return f"{base.name}/{relative}" if prefix else relative
        return found.name

    return show


def _rows_for_people(summary: list[dict[str, Any]], errors: list[dict[str, Any]],
                     show: Callable[[str], str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    shown_summary = [{**row, "path": show(row["path"]), "type_confidence": _confidence_text(row["type_confidence"]),
                      "duplicate_paths": "; ".join(show(p) for p in row["duplicate_paths"].split("; ") if p)}
                     for row in summary]
    shown_errors = []
    for row in errors:
        shown = show(row["path"])
        message = row["error_message"] or ""
        for raw in {row["path"], str(Path(row["path"]).absolute())}:
            if raw:
                message = message.replace(raw, shown)
        shown_errors.append({**row, "path": shown, "error_message": message})
    return shown_summary, shown_errors


NO_SPACE = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


def write_reports(store: ResultsStore, out_dir: Path) -> dict[str, str]:
    """Write summary.csv, errors.csv, report.html (and any missing contract page). Each file is written
    to a temporary name and renamed, so a report is whole or the previous one; a failed write (full
    disk, quota, size limit, permissions) removes its temporary files and raises ``BatchError``
    ``disk_full`` or ``report_write_failed``."""
    out = Path(out_dir)
    try:
        return _write_reports(store, out)
    except OSError as exc:
        for tmp in [*out.glob("*.tmp"), *out.glob("contracts/*.tmp")]:
            tmp.unlink(missing_ok=True)
        full = exc.errno in NO_SPACE
        raise BatchError(
            f"could not write the reports in {out}: {exc.strerror or exc}"
            + ("; free some space and run the scan again with --resume (reviews already done are kept)"
               if full else ""),
            code="disk_full" if full else "report_write_failed",
            details={"folder": str(out), "errno": exc.errno, "file": Path(exc.filename).name if exc.filename else None},
        ) from None


def _write_reports(store: ResultsStore, out: Path) -> dict[str, str]:
    summary = summary_rows(store)
    errors = error_rows(store)
    _write_csv(out / "summary.csv", SUMMARY_COLUMNS, summary)
    _write_csv(out / "errors.csv", ERROR_COLUMNS, errors)
    for row in summary:
        if row["page"] and not (out / row["page"]).exists():
            review = store.review(row["sha256"])
            if review is not None:
                write_contract_page(out, row["sha256"], review)
    by_category, parameters = portfolio_findings(store)
    summary, errors = _rows_for_people(summary, errors, report_path_display(store))
    reviewed = [r for r in summary if r["status"] == "reviewed"]
    others = [r for r in summary if r["status"] == "other"]
    riskiest = [(Path(r["path"]).name, int(r["risk_score"] or 0), r["page"]) for r in reviewed[:15]]
    totals = {s: sum(int(r[s] or 0) for r in reviewed) for s in SEVERITIES}
    decisions = Counter(r["decision"] for r in reviewed)
    types = Counter(r["contract_type"] for r in summary)
    error_codes = Counter(e["error_code"] for e in errors)
    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("batch_report.html.j2").render(
        generated_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"), reviewed=reviewed, others=others, errors=errors,
        totals=totals, decisions=decisions, types=types, error_codes=error_codes, parameters=parameters,
        histogram=score_histogram_svg([int(r["risk_score"] or 0) for r in reviewed]),
        category_chart=severity_by_category_svg(by_category),
        riskiest_chart=riskiest_contracts_svg(riskiest),
        severities=SEVERITIES, folder=out.name,
    )
    tmp = out / "report.html.tmp"
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, out / "report.html")
    return {"summary_csv": str(out / "summary.csv"), "errors_csv": str(out / "errors.csv"),
            "report_html": str(out / "report.html")}
