"""``python -m hardening.run [--quick]``: run every hardening part present, print its figures.

Parts, in order (each a module with ``run(quick: bool) -> dict``, flat figures plus
``"ok"``): ``bad_inputs`` (``hardening.bad_input_checks``), ``fuzzing``
(``hardening.fuzzing``, a short run), ``conformance``, ``load``, ``faults`` and
``access`` (hardening-B). A part whose module does not exist yet is listed as absent; a
part that raises counts as failed. Prints a table, then one JSON line
(``{"hardening": {...}, "ok": ...}``), and exits 1 when any part present is not ok.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
import time
import traceback
from typing import Any

PARTS: tuple[tuple[str, str], ...] = (
    ("bad_inputs", "hardening.bad_input_checks"),
    ("fuzzing", "hardening.fuzzing"),
    ("conformance", "hardening.conformance"),
    ("load", "hardening.load"),
    ("faults", "hardening.faults"),
    ("access", "hardening.access"),
)


def run_part(module_name: str, quick: bool) -> dict[str, Any]:
    if importlib.util.find_spec(module_name) is None:
        return {"absent": True}
    started = time.perf_counter()
    try:
        figures = dict(importlib.import_module(module_name).run(quick))
    except Exception as exc:  # noqa: BLE001 - a broken part is reported, the others still run
        traceback.print_exc()
        figures = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    figures.setdefault("ok", False)
    figures.setdefault("seconds", round(time.perf_counter() - started, 1))
    return figures


def format_table(results: dict[str, dict[str, Any]]) -> str:
    lines = [f"{'part':12} {'result':7} figures", f"{'-' * 12} {'-' * 7} {'-' * 58}"]
    for part, figures in results.items():
        if figures.get("absent"):
            lines.append(f"{part:12} {'absent':7} (module not present)")
            continue
        shown = ", ".join(f"{k}={v}" for k, v in figures.items() if k != "ok")
        lines.append(f"{part:12} {'ok' if figures['ok'] else 'FAILED':7} {shown}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hardening.run", description="Run the hardening checks of issue 7.")
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("HARDENING_QUICK")),
                        help="the fast part (CI): small corpus, a short fuzz, quick variants (env HARDENING_QUICK=1)")
    parser.add_argument("--only", action="append", choices=[p for p, _ in PARTS], help="run only this part")
    parser.add_argument("--skip", action="append", default=[], choices=[p for p, _ in PARTS], help="skip this part")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    started = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    for part, module_name in PARTS:
        if (args.only and part not in args.only) or part in args.skip:
            continue
        print(f"hardening: {part} ...", file=sys.stderr, flush=True)
        results[part] = run_part(module_name, args.quick)
    present = {p: f for p, f in results.items() if not f.get("absent")}
    ok = bool(present) and all(f["ok"] for f in present.values())
    print(format_table(results))
    print(f"hardening {'passed' if ok else 'FAILED'} in {time.perf_counter() - started:.0f} s"
          f" ({'quick' if args.quick else 'full'}; {len(present)} of {len(results)} parts present)")
    print(json.dumps({"hardening": results, "quick": args.quick, "ok": ok}, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
