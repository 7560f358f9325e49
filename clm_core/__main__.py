"""``python -m clm_core <command>``: the lifecycle commands without the reviewer's CLI."""

from __future__ import annotations

import argparse
import sys

from clm_core.commands import register


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clm_core", description="Contract lifecycle commands")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
