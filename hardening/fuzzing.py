"""Run every fuzz target for a share of a time budget and count executions and crashes.

``python -m hardening.fuzzing --seconds 600`` (``make fuzz``, ``FUZZ_SECONDS``) runs each
target of ``hardening.fuzz.targets.TARGETS`` in its own atheris process for
``seconds / len(TARGETS)`` seconds, seeded from ``hardening.fuzz.seeds``, and prints one
line per target: executions, distinct crashes, and where the crashing inputs are
(``var/fuzz/<target>/``; each becomes a regression test in
``tests/hardening/test_fuzz_regressions.py`` once fixed). A libFuzzer exit (an input
running longer than ``--timeout`` seconds, or over the memory limit) is a crash too; the
target is then restarted for the rest of its time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "var" / "fuzz"
QUICK_SECONDS = 80  # make hardening-quick: about 5 s per target
FULL_SECONDS = 240  # make hardening: about 15 s per target (make fuzz: 600 s or more)

_DONE_RE = re.compile(r"^Done (\d+) runs in (\d+) second", re.M)
_STATUS_RE = re.compile(r"^#(\d+)\s", re.M)
_LIBFUZZER_CRASH_RE = re.compile(r"==\d+== ERROR: libFuzzer: (\S+)|ERROR: libFuzzer: (\S+)")


def fuzz_target(target: str, seconds: float, out_dir: Path, *, timeout: int = 20, rss_limit_mb: int = 3072,
                python: str | None = None) -> dict[str, Any]:
    """Fuzz one target for ``seconds``; returns ``{"target", "executions", "crashes", "files"}``."""
    from hardening.fuzz.seeds import write_seeds

    crash_dir = out_dir / target
    crash_dir.mkdir(parents=True, exist_ok=True)
    before = {p.name for p in crash_dir.glob("*")}
    executions, libfuzzer_crashes, restarts = 0, [], 0
    deadline = time.monotonic() + seconds
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{target}-") as tmp:
        corpus = write_seeds(target, Path(tmp) / "corpus")
        while restarts < 4:
            left = int(deadline - time.monotonic())
            if left < 1:
                break
            command = [python or sys.executable, "-m", "hardening.fuzz.harness", target, str(crash_dir),
                       f"-max_total_time={left}", f"-timeout={timeout}", f"-rss_limit_mb={rss_limit_mb}",
                       f"-artifact_prefix={crash_dir}/{target}-libfuzzer-", "-print_final_stats=0", str(corpus)]
            proc = subprocess.run(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, errors="replace")
            log = proc.stdout
            done = _DONE_RE.search(log)
            statuses = _STATUS_RE.findall(log)
            executions += int(done.group(1)) if done else (int(statuses[-1]) if statuses else 0)
            failure = _LIBFUZZER_CRASH_RE.search(log)
            if done and proc.returncode == 0:
                break
            kind = (failure.group(1) or failure.group(2)) if failure else f"exit {proc.returncode}"
            libfuzzer_crashes.append(kind)
            (crash_dir / f"{target}-run{restarts}-{kind.replace('/', '_')}.log").write_text(log[-20000:], encoding="utf-8")
            restarts += 1
    new_files = sorted(p.name for p in crash_dir.glob("*.bin") if p.name not in before)
    return {"target": target, "executions": executions, "crashes": len(new_files) + len(libfuzzer_crashes),
            "python_crashes": new_files, "libfuzzer_exits": libfuzzer_crashes, "crash_dir": str(crash_dir)}


def fuzz_all(seconds: float, out_dir: Path = DEFAULT_OUT, *, targets: list[str] | None = None,
             echo: bool = True) -> list[dict[str, Any]]:
    from hardening.fuzz.targets import TARGETS

    chosen = targets or list(TARGETS)
    share = max(2.0, seconds / len(chosen))
    results = []
    for target in chosen:
        result = fuzz_target(target, share, out_dir)
        results.append(result)
        if echo:
            print(f"fuzz {target:24} {result['executions']:>9,} executions  {result['crashes']} crashes"
                  + (f"  -> {result['crash_dir']}" if result["crashes"] else ""), flush=True)
    return results


def run(quick: bool) -> dict[str, Any]:
    """``make hardening``'s fuzzing part: every target for a short time."""
    started = time.perf_counter()
    try:
        import atheris  # noqa: F401
    except ImportError:
        return {"ok": False, "error": "atheris is not installed (pip install -e '.[fuzz]')"}
    results = fuzz_all(QUICK_SECONDS if quick else FULL_SECONDS, echo=False)
    crashes = sum(r["crashes"] for r in results)
    return {"targets": len(results), "executions": sum(r["executions"] for r in results), "crashes": crashes,
            "seconds": round(time.perf_counter() - started, 1), "ok": crashes == 0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hardening.fuzzing", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="total budget, split across the targets")
    parser.add_argument("--target", action="append", help="only this target (repeatable)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="crashing inputs go to OUT/<target>/")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = fuzz_all(args.seconds, args.out, targets=args.target)
    total = {"targets": len(results), "executions": sum(r["executions"] for r in results),
             "crashes": sum(r["crashes"] for r in results), "seconds": round(time.perf_counter() - started, 1)}
    print(f"fuzz total: {total['executions']:,} executions, {total['crashes']} crashes, "
          f"{len(results)} targets in {total['seconds']} s")
    print(json.dumps({"fuzz": total, "per_target": results}))
    return 1 if total["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
