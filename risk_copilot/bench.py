"""``risk-copilot bench``: warm review time per file (median of N in one process, split by
stage), cold start (a new process to its first result) and peak RSS."""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

NDA_MARKERS = ("non-disclosure", "nondisclosure", "confidentiality agreement", "confidential disclosure agreement")


def guess_contract_type(text: str) -> str:
    head = text[:3000].lower()
    return "nda" if any(m in head for m in NDA_MARKERS) else "procurement"


def longest_file(folder: Path) -> Path:
    return max(folder.glob("*.txt"), key=lambda p: p.stat().st_size)


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def cold_start_seconds(path: Path, contract_type: str) -> tuple[float, float]:
    """Wall time of a new ``risk-copilot review`` process, and its peak RSS (MB)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "risk_copilot.cli", "review", str(path), "--type", contract_type, "--no-text"],
        capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 3):
        raise RuntimeError(f"cold-start review failed: {result.stderr.strip()}")
    return elapsed, _peak_rss_mb(resource.RUSAGE_CHILDREN)


def run_bench(args: argparse.Namespace) -> int:
    from risk_copilot.engine import ReviewEngine
    from risk_copilot.ingest import ingest_path

    paths = [Path(p) for p in args.paths]
    if args.longest_cuad:
        folder = Path(args.longest_cuad)
        if folder.is_dir():
            paths.append(longest_file(folder))
        else:
            print(f"warning: {folder} is not a folder; skipping the longest-CUAD file", file=sys.stderr)
    if not paths:
        print("error: give at least one file", file=sys.stderr)
        return 2

    engine = ReviewEngine()
    engine.warm_up()
    files: list[dict[str, Any]] = []
    for path in paths:
        document = ingest_path(path)
        contract_type = args.type if args.type != "auto" else guess_contract_type(document.text)
        runs = []
        for _ in range(max(1, args.repeat)):
            engine.encoder.clear_cache()  # warm model, cold cache: every run embeds every clause
            started = time.perf_counter()
            review = engine.review_path(path, contract_type)
            runs.append((time.perf_counter() - started, review))
        warm = statistics.median(t for t, _ in runs)
        stages = {
            stage: round(statistics.median(r["timings_ms"][stage] for _, r in runs), 1)
            for stage in runs[0][1]["timings_ms"]
        }
        review = runs[0][1]
        files.append({
            "path": str(path), "contract_type": contract_type, "words": len(document.text.split()),
            "clauses": len(review["clauses"]), "findings": len(review["findings"]),
            "warm_ms": round(warm * 1000, 1), "stages_ms": stages,
        })
    peak_in_process = _peak_rss_mb()
    cold, cold_rss = cold_start_seconds(paths[0], files[0]["contract_type"])
    report = {"files": files, "cold_start_s": round(cold, 2), "peak_rss_mb": round(max(peak_in_process, cold_rss), 1),
              "peak_rss_mb_cold_process": round(cold_rss, 1), "repeat": args.repeat}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for f in files:
        print(f"{f['path']}: {f['words']} words, {f['clauses']} clauses, {f['findings']} findings, "
              f"warm review {f['warm_ms']} ms (median of {args.repeat}); stages {f['stages_ms']}")
    print(f"cold start (new process to first result): {report['cold_start_s']} s")
    print(f"peak RSS: {report['peak_rss_mb']} MB (one cold review process: {report['peak_rss_mb_cold_process']} MB)")
    return 0
