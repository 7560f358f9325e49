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


@pytest.fixture(scope="session", autouse=True)
def network_guard():
    """No test may reach the network outside this machine (see tests/hardening/network_guard.py)."""
    from tests.hardening.network_guard import NetworkGuard

    guard = NetworkGuard().install()
    yield guard
    guard.uninstall()


@pytest.fixture(autouse=True)
def _no_outbound_network(network_guard):
    network_guard.take_attempts()
    yield
    attempts = network_guard.take_attempts()
    if attempts:
        pytest.fail(f"outbound network access attempted (blocked): {attempts}")


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
