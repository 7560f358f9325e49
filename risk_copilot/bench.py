"""``risk-copilot bench``: warm review time per file (median of N in one process, split by
stage), cold start (a new process to its first result) and peak RSS."""

from __future__ import annotations

import argparse
import json
import resource
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TARGET_WORDS = 10_000  # the contract size the speed targets are set for
NDA_MARKERS = ("non-disclosure", "nondisclosure", "confidentiality agreement", "confidential disclosure agreement")


def guess_contract_type(text: str) -> str:
    head = text[:3000].lower()
    return "nda" if any(m in head for m in NDA_MARKERS) else "procurement"


def longest_file(folder: Path) -> Path:
    return max(folder.glob("*.txt"), key=lambda p: p.stat().st_size)


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def _naive_encoder():
    from sentence_transformers import SentenceTransformer

    from risk_copilot.embedding import packaged_model_path

    return SentenceTransformer(str(packaged_model_path()), device="cpu", local_files_only=True)


_CHILD = (
    "import resource, sys; from risk_copilot.cli import main; code = main(sys.argv[1:]); "
    "sys.stderr.write('\\nPEAK_RSS_KB=%d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(code)"
)


def cold_start_seconds(path: Path, contract_type: str) -> tuple[float, float]:
    """Wall time of a new review process to its first result, and that process's peak RSS (MB).

    The child is started through ``sh`` so that its peak RSS is its own: a process forked
    straight from this (large) one would inherit our high-water mark across exec."""
    argv = [sys.executable, "-c", _CHILD, "review", str(path), "--type", contract_type, "--no-text"]
    started = time.perf_counter()
    result = subprocess.run(["sh", "-c", " ".join(shlex.quote(a) for a in argv)], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 3):
        raise RuntimeError(f"cold-start review failed: {result.stderr.strip()[-500:]}")
    peak_kb = max((int(line.split("=", 1)[1]) for line in result.stderr.splitlines() if line.startswith("PEAK_RSS_KB=")),
                  default=0)
    return elapsed, peak_kb / 1024


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
    naive = _naive_encoder()
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
        sentences = [review["text"][c["start"]:c["end"]] for c in review["clauses"]]
        naive_runs = []
        for _ in range(max(1, min(args.repeat, 3))):
            started = time.perf_counter()
            naive.encode(sentences, batch_size=32, show_progress_bar=False)
            naive_runs.append(time.perf_counter() - started)
        files.append({
            "path": str(path), "contract_type": contract_type, "words": len(document.text.split()),
            "clauses": len(review["clauses"]), "findings": len(review["findings"]),
            "warm_ms": round(warm * 1000, 1), "naive_embed_ms": round(statistics.median(naive_runs) * 1000, 1),
            "stages_ms": stages, "embedding_backend": engine.encoder.backend,
        })
    peak_in_process = _peak_rss_mb()
    cold_rss = 0.0
    for entry in files:  # each file: a new process to its first result, one after another
        cold, rss = cold_start_seconds(Path(entry["path"]), entry["contract_type"])
        entry["cold_start_s"] = round(cold, 2)
        entry["peak_rss_mb"] = round(rss, 1)
        cold_rss = max(cold_rss, rss)
    reference = min(files, key=lambda f: abs(f["words"] - TARGET_WORDS))
    report = {"files": files, "cold_start_s": reference["cold_start_s"], "cold_start_file": reference["path"],
              "peak_rss_mb": round(cold_rss, 1), "peak_rss_mb_bench_process": round(peak_in_process, 1),
              "repeat": args.repeat}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for f in files:
        ratio = f["warm_ms"] / f["naive_embed_ms"] if f["naive_embed_ms"] else float("nan")
        print(f"{f['path']}: {f['words']} words, {f['clauses']} clauses, {f['findings']} findings, "
              f"warm review {f['warm_ms']} ms (median of {args.repeat}, {f['embedding_backend']}); "
              f"naive floor (fp32 sentence-transformers, batch 32) {f['naive_embed_ms']} ms; "
              f"warm/naive {ratio:.2f}; stages {f['stages_ms']}")
    for f in files:
        print(f"cold start (new process to first result) {Path(f['path']).name}: {f['cold_start_s']} s, "
              f"peak RSS {f['peak_rss_mb']} MB")
    print(f"cold start of the file nearest {TARGET_WORDS:,} words ({Path(report['cold_start_file']).name}): "
          f"{report['cold_start_s']} s")
    print(f"peak RSS of one review process (largest of the cold runs): {report['peak_rss_mb']} MB "
          f"(this bench process, with the naive model too: {report['peak_rss_mb_bench_process']} MB)")
    return 0
