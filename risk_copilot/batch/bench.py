"""Batch throughput: ``python -m risk_copilot.batch.bench [--folder DIR] [--limit N]
[--workers 1 2] [--type procurement|auto]``.

Scans the folder (default: CUAD's 394 contracts) into a fresh temporary output folder
once per worker count and prints contracts per minute, end to end (start-up and model
loading included, what a user waits for) and steady (first result to last), with the
peak RSS of each worker. ``--limit N`` takes an evenly spread subset of N files (0 =
all). ``--type procurement`` (default) reviews every file with a full playbook, the
worst case; ``auto`` also detects the type and skips other kinds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_FOLDER = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "cuad" / "full_contract_txt"


def spread_subset(files: list[Path], limit: int) -> list[Path]:
    if not limit or limit >= len(files):
        return files
    step = len(files) / limit
    return [files[int(i * step)] for i in range(limit)]


def bench_once(files: list[Path], workers: int, contract_type: str, engine: str) -> dict:
    from risk_copilot.batch.scan import run_scan

    times: list[float] = []
    cpu: list[float] = []

    def record(outcome) -> None:
        times.append(time.perf_counter())
        cpu.append(outcome.cpu_seconds)

    with tempfile.TemporaryDirectory(prefix="risk-copilot-bench-") as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for i, path in enumerate(files):  # copies: the scan refuses symlinks leaving its folder
            shutil.copyfile(path, src / f"{i:04d}-{path.name}")
        started = time.perf_counter()
        status = run_scan([src], Path(tmp) / "out", contract_type=contract_type, workers=workers, engine=engine,
                          show_progress=False, build_reports=False, on_outcome=record)
        wall = time.perf_counter() - started
    processed = status["processed"]
    steady = (processed - 1) * 60.0 / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else None
    return {
        "workers": workers, "engine": engine, "contract_type": contract_type, "files": len(files),
        "reviewed": status["reviewed"], "other": status["other"], "errors": status["errors"],
        "wall_seconds": round(wall, 1), "first_result_seconds": round(times[0] - started, 1) if times else None,
        "contracts_per_minute": round(processed * 60.0 / wall, 1),
        "steady_contracts_per_minute": round(steady, 1) if steady else None,
        "worker_peak_rss_mb": status.get("worker_peak_rss_mb", {}),
        # CPU time per contract and what it implies on cores not shared with anything else
        "cpu_seconds_per_contract": round(sum(cpu) / len(cpu), 2) if cpu else None,
        "cpu_bound_contracts_per_minute_per_core": round(60.0 * len(cpu) / sum(cpu), 1) if cpu and sum(cpu) else None,
        "findings_by_severity": status["totals"]["findings_by_severity"],
    }


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = argparse.ArgumentParser(prog="python -m risk_copilot.batch.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--limit", type=int, default=40, help="evenly spread subset of N files; 0 = all")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--type", default="procurement", choices=("procurement", "nda", "auto"))
    parser.add_argument("--engine", default="local", choices=("local", "ray"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    files = sorted(p for p in args.folder.iterdir() if p.suffix.lower() in (".txt", ".md", ".docx", ".pdf"))
    if not files:
        print(f"error: no contracts in {args.folder}", file=sys.stderr)
        return 2
    files = spread_subset(files, args.limit)
    results = []
    for workers in args.workers:
        result = bench_once(files, workers, args.type, args.engine)
        results.append(result)
        if not args.json:
            peaks = ", ".join(f"{mb:.0f}" for mb in result["worker_peak_rss_mb"].values())
            print(f"{workers} worker(s), {args.engine}: {result['files']} files in {result['wall_seconds']} s -> "
                  f"{result['contracts_per_minute']} contracts/min end to end, "
                  f"{result['steady_contracts_per_minute']} steady (first result after "
                  f"{result['first_result_seconds']} s); reviewed {result['reviewed']}, other {result['other']}, "
                  f"failed {result['errors']}; peak RSS per worker (MB): {peaks}; "
                  f"{result['cpu_seconds_per_contract']} CPU s per contract "
                  f"(= {result['cpu_bound_contracts_per_minute_per_core']} contracts/min per dedicated core)",
                  flush=True)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
