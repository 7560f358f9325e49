"""Paths of ../shared (acceptance cases, corpora) and a reader for its case contracts."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CASES = SHARED / "cases"


def read_case(name: str) -> str:
    """The text of ../shared/cases/NAME (the test is skipped when ../shared is absent)."""
    path = CASES / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path.read_text()
