"""The acceptance cases of ../shared/cases: each contract gives the findings a careful
reviewer expects, and nothing in ``expect_absent``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from risk_copilot.evaluation.cases import finding_matches

CASES = sorted((Path(__file__).resolve().parents[2].parent / "shared" / "cases").glob("*.json"))


def test_the_cases_are_there():
    assert len(CASES) >= 10, "../shared/cases must be beside the repository"


@pytest.mark.parametrize("case_path", CASES, ids=[p.stem for p in CASES])
def test_acceptance_case(case_path: Path, review_engine):
    case = json.loads(case_path.read_text())
    review = review_engine.review_path(case_path.with_name(case["file"]), case["contract_type"])
    text = review["text"]
    summary = [(f["kind"], f["category"], f["severity"], f["title"]) for f in review["findings"]]
    for expectation in case["expect"]:
        assert any(finding_matches(f, text, expectation) for f in review["findings"]), (
            f"{case['file']}: no finding matches {expectation}; findings: {summary}"
        )
    for absent in case.get("expect_absent", []):
        hits = [f for f in review["findings"] if finding_matches(f, text, absent)]
        assert not hits, f"{case['file']}: unexpected findings {[(f['category'], f['severity'], f['title']) for f in hits]}"
    for finding in review["findings"]:  # evidence offsets index the returned text exactly
        for span in finding["evidence"]:
            assert text[span["start"]:span["end"]] == span["text"]
