"""``python -m risk_copilot.batch scan|search ...``: the batch commands on their own
(same exit codes and error lines as ``risk-copilot``), usable before they are wired
into the main CLI."""

from __future__ import annotations

import argparse
import os
import sys

from risk_copilot.batch.commands import register_batch_commands
from risk_copilot.errors import ReviewError


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = argparse.ArgumentParser(prog="python -m risk_copilot.batch", description="Batch scanning and search.")
    register_batch_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ReviewError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: results so far are kept; run the same command again to resume", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("RISK_COPILOT_DEBUG"):
            raise
        print(f"error: internal_error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
