"""Acceptance: all 394 CUAD contracts plus the 124 ContractNLI NDAs (written to a temp
folder as .txt) scan with zero crashes, the reports exist, a re-run skips every file.

Slow (about 20-30 minutes on 2 cores): run with
``HF_HUB_OFFLINE=1 .venv/bin/python -m pytest -q -m slow tests/integration/batch/test_acceptance_corpora.py -s``.
"""

from __future__ import annotations

import csv

import pytest

from risk_copilot.batch import run_scan
from tests.integration.batch.corpus_labels import write_contract_nli_folder

pytestmark = pytest.mark.slow
CRASH_CODES = {"internal_error", "worker_crashed", "out_of_memory"}


def test_cuad_and_contract_nli_scan_with_zero_crashes_and_rerun_skips_all(shared_dir, tmp_path):
    nli = write_contract_nli_folder(shared_dir, tmp_path / "contract-nli")
    cuad = shared_dir / "corpora" / "cuad" / "full_contract_txt"
    out = tmp_path / "out"
    status = run_scan([cuad, tmp_path / "contract-nli"], out, contract_type="auto", workers=2, show_progress=False)
    print(f"\n{status['processed']} processed at {status['rate_per_minute']} contracts/min; totals {status['totals']}")
    assert status["files_found"] == 394 + len(nli) == 518
    with open(out / "errors.csv") as handle:
        errors = list(csv.DictReader(handle))
    assert not [e for e in errors if e["error_code"] in CRASH_CODES], errors
    assert status["totals"]["reviewed"] + status["totals"]["other"] + status["totals"]["errors"] == 517  # 1 duplicate
    for name in ("reviews.jsonl", "summary.csv", "errors.csv", "report.html", "index/clauses.faiss"):
        assert (out / name).stat().st_size > 0, name
    again = run_scan([cuad, tmp_path / "contract-nli"], out, contract_type="auto", workers=1, show_progress=False)
    assert (again["skipped_done"], again["to_review"]) == (518, 0)
