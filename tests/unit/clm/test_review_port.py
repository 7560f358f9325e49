from __future__ import annotations

import pytest

from clm_core.errors import ReviewFailed
from clm_core.phrase_reviewer import PhraseRiskReviewer
from clm_core.review_port import ReviewOutcome, RiskReviewer
from clm_core.reviewer_adapter import RiskCopilotReviewer

REVIEW = {
    "review_id": "rv_1", "contract_type": "nda", "playbook": {"id": "nda", "version": "3"},
    "document": {"name": "x.md", "sha256": "f" * 64},
    "findings": [{"id": "f1", "parameter": "p", "category": "governing_law", "kind": "deviation",
                  "severity": "high", "title": "Law", "explanation": "why",
                  "evidence": [{"start": 0, "end": 4, "text": "laws"}], "approver_role": "legal"},
                 {"id": "f2", "parameter": "q", "category": "x", "kind": "missing", "severity": "low",
                  "title": "Minor", "evidence": [], "approver_role": None}],
    "risk_score": 61.6, "decision": "escalate", "approvers": ["legal"],
}


class FakeEngine:
    def __init__(self, result=None, error=None):
        self.result, self.error, self.calls = result, error, []

    def review_text(self, text, contract_type, name):
        self.calls.append((contract_type, name))
        if self.error:
            raise self.error
        return self.result


def test_adapter_maps_the_review_json():
    engine = FakeEngine(REVIEW)
    outcome = RiskCopilotReviewer(engine).review("text", "nda", name="x.md")
    assert isinstance(outcome, ReviewOutcome) and engine.calls == [("nda", "x.md")]
    assert (outcome.review_id, outcome.decision, outcome.risk_score) == ("rv_1", "escalate", 62)
    assert (outcome.playbook_id, outcome.playbook_version, outcome.document_sha256) == ("nda", "3", "f" * 64)
    f1, f2 = outcome.findings
    assert (f1.category, f1.approver_role, f1.evidence_text, f1.flagged) == ("governing_law", "legal", "laws", True)
    assert f2.flagged is False and f2.approver_role is None


def test_adapter_turns_engine_errors_into_review_failed():
    class EngineError(Exception):
        code = "empty_document"

    with pytest.raises(ReviewFailed) as exc:
        RiskCopilotReviewer(FakeEngine(error=EngineError("nothing"))).review("", "nda", name="x")
    assert exc.value.details == {"reviewer_code": "empty_document"}


def test_outcome_rejects_unknown_decisions():
    with pytest.raises(ValueError):
        ReviewOutcome("r", "maybe", 0, [], [], "p", "1", "s")


def test_phrase_reviewer_is_a_risk_reviewer():
    reviewer = PhraseRiskReviewer()
    assert isinstance(reviewer, RiskReviewer)
    clean = reviewer.review("**16. Limitation of Liability.** capped", "procurement", name="a")
    assert clean.decision == "approve" and clean.findings == []
    no_cap = reviewer.review("no such section", "procurement", name="b")
    assert [(f.category, f.kind) for f in no_cap.findings] == [("cap_on_liability", "missing")]
    nda = reviewer.review("may share with any third party it chooses", "nda", name="c")
    assert nda.decision == "escalate" and nda.approvers == ["legal"]
