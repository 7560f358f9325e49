"""Shared fixtures: offline model loading and the paths of ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.fail(f"{SHARED} is missing: the tests read the acceptance cases and corpora from ../shared")
    return SHARED


@pytest.fixture(scope="session")
def review_engine(tmp_path_factory):
    """One real engine per test session (real MiniLM, real FAISS), index in a temp dir."""
    from risk_copilot.engine import ReviewEngine
    from risk_copilot.settings import ReviewerSettings

    settings = ReviewerSettings(index_dir=tmp_path_factory.mktemp("index"))
    return ReviewEngine(settings)
