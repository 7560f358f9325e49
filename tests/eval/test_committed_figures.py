"""The CI subset of the evaluations (opt in: ``-m eval``; ``make eval-ci``).

CUAD: the first ``CUAD_LIMIT`` validation contracts (by name) through ``eval cuad``; each
macro metric must stay within ``MARGIN`` of the figure committed in
``committed_figures.json`` (measured with the committed heads and the default onnx-int8
encoder on the same subset), and each fast path (onnx-int8, the default, and the opt-in
static encoder) must agree with the plain torch-fp32 path within 0.01 macro AUPR.
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


def cuad_subset(shared_dir, backend):
    return evaluate_cuad(shared_dir / "corpora/cuad", split="validation", limit=CUAD_LIMIT, backend=backend)


@pytest.fixture(scope="module")
def cuad_default(shared_dir):
    return cuad_subset(shared_dir, None)


@pytest.fixture(scope="module")
def cuad_fp32(shared_dir):
    return cuad_subset(shared_dir, "torch-fp32")


def test_cuad_subset_holds_the_committed_figures(cuad_default):
    assert cuad_default["embedding_backend"] == COMMITTED["cuad"]["backend"]
    print(f"\nCUAD validation subset ({cuad_default['contracts']} contracts, {cuad_default['clauses']} clauses):")
    for block in ("macro", "playbook_macro"):
        print(f"  {block}: {cuad_default[block]}  committed {COMMITTED['cuad'][block]}")
    assert cuad_default["contracts"] == CUAD_LIMIT
    assert cuad_default["annotations"]["not_located"] <= COMMITTED["cuad"]["max_not_located"]
    for block in ("macro", "playbook_macro"):
        for metric, committed in COMMITTED["cuad"][block].items():
            assert cuad_default[block][metric] >= committed - MARGIN, (block, metric, cuad_default[block][metric], committed)


@pytest.mark.parametrize("backend", ["static", "onnx-int8"])
def test_cuad_fast_path_within_a_hundredth_of_fp32(backend, cuad_default, cuad_fp32, shared_dir):
    fast = cuad_default if backend == cuad_default["embedding_backend"] else cuad_subset(shared_dir, backend)
    print(f"\nmacro AUPR {backend} {fast['macro']['aupr']}, torch-fp32 {cuad_fp32['macro']['aupr']}")
    assert abs(fast["macro"]["aupr"] - cuad_fp32["macro"]["aupr"]) <= 0.01
    assert abs(fast["playbook_macro"]["aupr"] - cuad_fp32["playbook_macro"]["aupr"]) <= 0.01


def test_every_acceptance_case_passes(review_engine, shared_dir):
    summary = summarise(evaluate_cases(review_engine, shared_dir / "cases"))
    failing = [name for name, case in summary["per_case"].items() if not case["passed"]]
    assert summary["cases"] >= 10 and not failing, failing
    assert summary["expectations_met"] == summary["expectations"]
