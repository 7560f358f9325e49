"""--engine ray on a local Ray with two actors gives the same results as the local engine.

Slow (Ray start-up plus two model loads per engine): run with
``HF_HUB_OFFLINE=1 .venv/bin/python -m pytest -q -m slow tests/integration/batch/test_ray_engine.py``.
"""

from __future__ import annotations

import json

import pytest
import ray  # noqa: F401  (installed with the distributed extra: a missing ray fails the test, never skips it)

from risk_copilot.batch import run_scan
from tests.integration.batch.conftest import copy_cases

pytestmark = pytest.mark.slow


def comparable(out) -> dict[str, tuple]:
    results = {}
    for line in (out / "reviews.jsonl").read_text(encoding="utf-8").splitlines():
        review = json.loads(line)
        findings = sorted((f["parameter"], f["severity"], f["kind"], f["title"],
                           tuple((e["start"], e["end"]) for e in f["evidence"])) for f in review["findings"])
        clauses = [(c["id"], c["start"], c["end"], tuple(x["name"] for x in c["categories"])) for c in review["clauses"]]
        results[review["scan"]["sha256"]] = (review["contract_type"], review["scan"]["detected_type"],
                                             review["risk_score"], review["decision"], findings, clauses)
    return results


def test_ray_with_two_workers_matches_the_local_engine(shared_dir, tmp_path, review_engine):
    src = tmp_path / "in"
    copy_cases(shared_dir, src, ["base-nda", "nda-governing-law", "proc-no-cap", "proc-liquidated",
                                 "proc-minimum", "nda-nonsolicit"])
    (src / "broken.pdf").write_bytes(b"%PDF-1.4 nonsense")
    local = run_scan([src], tmp_path / "local", workers=1, show_progress=False, settings=review_engine.settings)
    ray_status = run_scan([src], tmp_path / "ray", workers=2, engine="ray", show_progress=False,
                          settings=review_engine.settings)
    assert (ray_status["reviewed"], ray_status["errors"]) == (local["reviewed"], local["errors"]) == (6, 1)
    assert len(ray_status["worker_peak_rss_mb"]) == 2, "two Ray actors did the work"
    assert comparable(tmp_path / "ray") == comparable(tmp_path / "local")
    assert (tmp_path / "ray" / "errors.csv").read_text() == (tmp_path / "local" / "errors.csv").read_text()
