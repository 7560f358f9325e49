"""Risk score, decision and approvers; merging findings that share parameter and evidence."""

from __future__ import annotations

from risk_copilot.findings import decide, merge_duplicate_findings
from risk_copilot.playbook import Playbook, RiskParameter

PLAYBOOK = Playbook(
    id="p", version="1", contract_type="procurement", title="p", our_side="customer",
    parameters=[RiskParameter(id="x", title="X", category="insurance", severity="low", approver_role="legal",
                              standard="standard wording", fallback="fallback wording")],
)


def finding(severity: str, role: str = "legal", parameter: str = "x", start: int = 0, kind: str = "deviation") -> dict:
    return {"id": "f", "parameter": parameter, "severity": severity, "approver_role": role, "kind": kind,
            "evidence": [{"start": start, "end": start + 5}]}


def test_no_findings_or_only_low_ones_approve_with_the_default_approver():
    assert decide([], PLAYBOOK) == (0, "approve", ["contract_manager"])
    assert decide([finding("low"), finding("info")], PLAYBOOK) == (3, "approve", ["contract_manager"])


def test_medium_or_high_escalates_to_their_approvers():
    score, decision, approvers = decide([finding("high", "legal"), finding("medium", "finance"), finding("low", "x")], PLAYBOOK)
    assert (score, decision, approvers) == (43, "escalate", ["finance", "legal"])


def test_many_serious_findings_reject_and_the_score_is_capped():
    score, decision, _ = decide([finding("high")] * 3, PLAYBOOK)
    assert (score, decision) == (90, "reject")
    assert decide([finding("high")] * 5, PLAYBOOK)[0] == 100


def test_duplicates_keep_the_most_severe_and_renumber_in_severity_order():
    merged = merge_duplicate_findings([
        finding("low", start=10), finding("high", start=10), finding("medium", parameter="y", start=3),
        {**finding("medium", parameter="z"), "evidence": []},
    ])
    assert [(f["id"], f["parameter"], f["severity"]) for f in merged] == [
        ("f1", "x", "high"), ("f2", "y", "medium"), ("f3", "z", "medium")]


def test_a_missing_finding_folds_into_an_as_severe_finding_on_a_clause_of_its_parameter():
    missing = {**finding("medium", kind="missing"), "evidence": []}
    merged = merge_duplicate_findings([finding("high", kind="unacceptable", start=40), missing])
    assert [(f["kind"], f["severity"]) for f in merged] == [("unacceptable", "high")]
    # a less severe finding on a clause does not hide a more severe missing protection
    merged = merge_duplicate_findings([finding("low", start=40), {**finding("high", kind="missing"), "evidence": []}])
    assert [(f["kind"], f["severity"]) for f in merged] == [("missing", "high"), ("deviation", "low")]
    # nor does a finding of another parameter
    merged = merge_duplicate_findings([finding("high", parameter="y"), missing])
    assert len(merged) == 2


def test_text_that_is_no_contract_is_told_apart_from_contracts():
    from pathlib import Path

    from risk_copilot.contract_type import reads_like_a_contract
    from risk_copilot.findings import not_a_contract_finding

    assert not reads_like_a_contract("x")
    assert not reads_like_a_contract("Banana bread\n\nMash three ripe bananas. Mix in butter, sugar and flour. Bake.")
    assert not reads_like_a_contract("Dear Sam, thanks for lunch. See you on Friday at the office.")
    assert reads_like_a_contract("The Supplier shall deliver the Goods; the Buyer shall pay within 30 days.")
    cases = sorted((Path(__file__).resolve().parents[2].parent / "shared" / "cases").glob("*.md"))
    assert cases and all(reads_like_a_contract(p.read_text(encoding="utf-8")) for p in cases)
    finding = not_a_contract_finding("nda")
    assert finding["category"] == "contract_type_mismatch" and finding["severity"] == "medium"
    assert "non-disclosure agreement" in finding["explanation"] and finding["evidence"] == []
