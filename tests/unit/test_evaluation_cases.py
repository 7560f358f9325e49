"""The acceptance-case check of ``risk-copilot eval cases`` on hand-made reviews."""

from __future__ import annotations

import json

import pytest

from risk_copilot.errors import ReviewError
from risk_copilot.evaluation.cases import CaseResult, check_review, load_cases, summarise

TEXT = "The Supplier may raise prices on fifteen (15) days' written notice. Governing law: Delaware."


def finding(fid, kind, category, severity, start=0, end=67):
    return {"id": fid, "kind": kind, "category": category, "severity": severity,
            "evidence": [{"start": start, "end": end, "text": TEXT[start:end]}]}


CASE = {
    "contract_type": "procurement", "file": "x.md",
    "expect": [
        {"kind_any": ["deviation"], "category_any": ["price_adjustment"], "min_severity": "medium",
         "evidence_contains": "fifteen (15) days"},
        {"kind_any": ["missing"], "category_any": ["cap_on_liability"], "min_severity": "medium"},
    ],
    "expect_absent": [{"category_any": ["*"], "min_severity": "high"}],
}


def test_each_expectation_is_met_or_not():
    review = {"text": TEXT, "findings": [finding("f1", "deviation", "price_adjustment", "medium"),
                                         finding("f2", "deviation", "governing_law", "high", 69, 92)]}
    results = check_review(CASE, review)
    assert [(r.kind, r.met, r.matching_findings) for r in results] == [
        ("expect", True, ["f1"]), ("expect", False, []), ("expect_absent", False, ["f2"])]


def test_severity_below_the_minimum_and_evidence_elsewhere_do_not_match():
    review = {"text": TEXT, "findings": [finding("f1", "deviation", "price_adjustment", "low"),
                                         finding("f2", "deviation", "price_adjustment", "high", 69, 92)]}
    assert check_review(CASE, review)[0].met is False


def test_summary_counts_cases_and_expectations(tmp_path):
    (tmp_path / "x.json").write_text(json.dumps(CASE))
    (tmp_path / "other.json").write_text(json.dumps({"not": "a case"}))
    assert [p.name for p, _ in load_cases(tmp_path)] == ["x.json"]
    ok = CaseResult("x", "procurement", check_review(CASE, {"text": TEXT, "findings": [
        finding("f1", "deviation", "price_adjustment", "medium"), finding("f3", "missing", "cap_on_liability", "medium")]}))
    broken = CaseResult("y", "nda", [], error="empty_document: no clauses")
    summary = summarise([ok, broken])
    assert (summary["cases"], summary["cases_passed"], summary["expectations"], summary["expectations_met"],
            summary["errors"]) == (2, 1, 3, 3, 1)
    assert summary["per_case"]["x"]["passed"] and not summary["per_case"]["y"]["passed"]


def test_a_folder_without_cases_is_a_coded_error(tmp_path):
    with pytest.raises(ReviewError) as err:
        load_cases(tmp_path)
    assert err.value.code == "bad_eval_data"
