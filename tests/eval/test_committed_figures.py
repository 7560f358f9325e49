"""The CI subset of the evaluations (opt in: ``-m eval``; ``make eval-ci``).

CUAD: the first ``CUAD_LIMIT`` validation contracts (by name) through ``eval cuad``; each
macro metric must stay within ``MARGIN`` of the figure committed in
``committed_figures.json`` (measured with the committed heads on the same subset), and the
torch-fp32 path must agree with the default onnx-int8 path within 0.01 macro AUPR.
Acceptance cases: every expectation of ../shared/cases met (``eval cases``).

When a change improves a figure on purpose, re-measure and commit the new figure.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from risk_copilot.evaluation.cases import evaluate_cases, summarise
from risk_copilot.evaluation.cuad import evaluate_cuad

pytestmark = pytest.mark.eval
COMMITTED = json.loads((Path(__file__).with_name("committed_figures.json")).read_text())
CUAD_LIMIT = COMMITTED["cuad"]["limit"]
MARGIN = COMMITTED["margin"]


@pytest.fixture(scope="module")
def cuad_onnx(shared_dir):
    return evaluate_cuad(shared_dir / "corpora/cuad", split="validation", limit=CUAD_LIMIT, backend="onnx-int8")


def test_cuad_subset_holds_the_committed_figures(cuad_onnx):
    print(f"\nCUAD validation subset ({cuad_onnx['contracts']} contracts, {cuad_onnx['clauses']} clauses):")
    for block in ("macro", "playbook_macro"):
        print(f"  {block}: {cuad_onnx[block]}  committed {COMMITTED['cuad'][block]}")
    assert cuad_onnx["contracts"] == CUAD_LIMIT
    assert cuad_onnx["annotations"]["not_located"] <= COMMITTED["cuad"]["max_not_located"]
    for block in ("macro", "playbook_macro"):
        for metric, committed in COMMITTED["cuad"][block].items():
            assert cuad_onnx[block][metric] >= committed - MARGIN, (block, metric, cuad_onnx[block][metric], committed)


def test_cuad_fast_path_within_a_hundredth_of_fp32(cuad_onnx, shared_dir):
    fp32 = evaluate_cuad(shared_dir / "corpora/cuad", split="validation", limit=CUAD_LIMIT, backend="torch-fp32")
    print(f"\nmacro AUPR onnx-int8 {cuad_onnx['macro']['aupr']}, torch-fp32 {fp32['macro']['aupr']}")
    assert abs(cuad_onnx["macro"]["aupr"] - fp32["macro"]["aupr"]) <= 0.01
    assert abs(cuad_onnx["playbook_macro"]["aupr"] - fp32["playbook_macro"]["aupr"]) <= 0.01


def test_every_acceptance_case_passes(review_engine, shared_dir):
    summary = summarise(evaluate_cases(review_engine, shared_dir / "cases"))
    failing = [name for name, case in summary["per_case"].items() if not case["passed"]]
    assert summary["cases"] >= 10 and not failing, failing
    assert summary["expectations_met"] == summary["expectations"]
