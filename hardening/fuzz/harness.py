"""Atheris entry point: ``python -m hardening.fuzz.harness TARGET CRASH_DIR [libFuzzer flags] [CORPUS_DIR]``.

Our own modules (``risk_copilot.ingest``, ``segment``, ``sentences``, ``extract``) are
instrumented for coverage. An input that makes the target raise is a crash: it is
written to ``CRASH_DIR`` (``<target>-<sha1>.bin`` plus a ``.txt`` with the traceback),
one file per distinct exception type and line, and fuzzing goes on, so one run counts
every distinct crash rather than stopping at the first. libFuzzer's own exits
(timeout, out of memory) end the process; ``hardening.fuzzing`` records those.
"""

from __future__ import annotations

import hashlib
import sys
import traceback
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["risk_copilot"]):
    import risk_copilot.extract  # noqa: F401
    import risk_copilot.ingest  # noqa: F401
    import risk_copilot.ingest.docx_reader  # noqa: F401
    import risk_copilot.ingest.pdf_reader  # noqa: F401
    import risk_copilot.segment  # noqa: F401
    import risk_copilot.sentences  # noqa: F401

from hardening.fuzz.targets import TARGETS  # noqa: E402


def crash_signature(exc: BaseException) -> str:
    """Exception type and the innermost frame of our code: one crash per bug, not per input."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "risk_copilot" in f.filename or "hardening" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__}@{where}"


def main() -> None:
    target_name, crash_dir = sys.argv[1], Path(sys.argv[2])
    target = TARGETS[target_name]
    crash_dir.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()

    def one_input(data: bytes) -> None:
        try:
            target(data)
        except Exception as exc:  # noqa: BLE001 - every unexpected exception is a finding
            signature = crash_signature(exc)
            if signature in seen:
                return
            seen.add(signature)
            digest = hashlib.sha1(data).hexdigest()[:16]
            (crash_dir / f"{target_name}-{digest}.bin").write_bytes(data)
            (crash_dir / f"{target_name}-{digest}.txt").write_text(
                signature + "\n" + "".join(traceback.format_exception(exc)), encoding="utf-8")
            print(f"CRASH {target_name} {signature} -> {digest}", file=sys.stderr, flush=True)

    atheris.Setup([sys.argv[0], *sys.argv[3:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
