"""Acceptance with the real reviewer (risk_copilot.engine.ReviewEngine) through the adapter.

Slow on first use (models and indexes load once per process); not skipped.
"""

from __future__ import annotations

from datetime import date

import pytest

from clm_core.errors import ReleaseOrderRefused
from clm_core.reviewer_adapter import RiskCopilotReviewer
from lifecycle_steps import THREE_LINES
from lifecycle_steps import HOLDERS, approve_all, sign_both, tamper_one_audit_row

SEVERITY = ["info", "low", "medium", "high"]


@pytest.fixture(scope="module")
def real_reviewer_instance():
    return RiskCopilotReviewer()


@pytest.fixture
def reviewer(real_reviewer_instance):  # overrides the phrase reviewer of conftest
    return real_reviewer_instance


def at_least(severity, minimum):
    return SEVERITY.index(severity) >= SEVERITY.index(minimum)


def test_standard_procurement_template_is_balanced(clm, vendor_id):
    c = clm.contracts.create_contract("carl", template_key="procurement-supply", title="Standard supply",
                                      vendor_id=vendor_id, attributes={"processes_personal_data": True},
                                      effective_date=date(2026, 2, 1), lines=THREE_LINES)
    review = clm.approvals.submit("carl", c.id)
    high = [(f.category, f.title) for f in review.findings if f.severity == "high"]
    assert high == [], high
    assert review.playbook.startswith("procurement@")


def test_procurement_end_to_end_with_real_reviewer(clm, vendor_id, channel):
    c = clm.contracts.create_contract("carl", template_key="procurement-supply", title="Risky supply",
                                      vendor_id=vendor_id, attributes={}, effective_date=date(2026, 2, 1),
                                      lines=THREE_LINES, variant_choices={"termination": "supplier-convenience"})
    review = clm.approvals.submit("carl", c.id)
    flagged = [f for f in review.findings if f.flagged and f.category == "termination_for_convenience"
               and f.kind in ("deviation", "unacceptable") and at_least(f.severity, "medium")]
    assert flagged, [(f.category, f.kind, f.severity) for f in review.findings]
    assert review.decision in ("escalate", "reject")
    roles = {s.role for s in review.steps}
    assert "finance" in roles and flagged[0].approver_role in roles

    holder = HOLDERS[flagged[0].approver_role]
    clm.approvals.accept_risk(holder, c.id, flagged[0].finding_id, reason="business-need",
                              note="sole qualified supplier")
    assert approve_all(clm, c.id) == "Approved"
    assert sign_both(clm, channel, c.id) == "Executed"
    clm.outbox.dispatch_due()
    executed = clm.contracts.get("carl", c.id)
    agreement = clm.ledger.agreement(executed.number)
    assert agreement["status"] == "Effective" and len(agreement["lines"]) == 3
    with pytest.raises(ReleaseOrderRefused):
        clm.ledger.create_release_order(executed.agreement_number, "TIP-200F", "100", "6.50")

    clm.after_execution.amend("carl", c.id, note="add gloves, extend")
    clm.contracts.edit_terms("carl", c.id, add_lines=[{"item": "GLV-M", "description": "Nitrile gloves",
                                                       "unit": "box of 100", "unit_price": "9.85",
                                                       "quantity": "6000"}], expiry_date=date(2029, 2, 1))
    clm.approvals.submit("carl", c.id)
    assert approve_all(clm, c.id) == "Approved"
    assert sign_both(clm, channel, c.id) == "Executed"
    clm.outbox.dispatch_due()
    assert len(clm.ledger.agreement(executed.number)["lines"]) == 4
    clm.after_execution.terminate("carl", c.id, reason="project-ended")
    clm.outbox.dispatch_due()
    assert clm.ledger.agreement(executed.number)["status"] == "Closed"
    assert clm.verify_audit().ok
    tamper_one_audit_row(clm)
    assert not clm.verify_audit().ok


def test_nda_end_to_end_with_real_reviewer(clm, vendor_id, channel):
    c = clm.contracts.create_contract(
        "carl", template_key="nda-standard", title="Risky NDA", vendor_id=vendor_id,
        attributes={"purpose": "a collaboration on laboratory software"}, effective_date=date(2026, 2, 1),
        variant_choices={"permitted-recipients": "any-third-party"})
    review = clm.approvals.submit("carl", c.id)
    flagged = [f for f in review.findings if f.flagged and f.category in
               ("nda_sharing_with_third_parties", "confidentiality") and at_least(f.severity, "medium")]
    assert flagged, [(f.category, f.kind, f.severity) for f in review.findings]
    assert approve_all(clm, c.id) == "Approved"
    assert sign_both(clm, channel, c.id) == "Executed"
    assert clm.ledger.agreement_count() == 0
    assert clm.after_execution.terminate("carl", c.id, reason="project-ended").status == "Terminated"
    assert clm.verify_audit().ok


def test_standard_nda_template_is_balanced(clm, vendor_id):
    c = clm.contracts.create_contract("carl", template_key="nda-standard", title="Standard NDA",
                                      vendor_id=vendor_id, attributes={"purpose": "a research collaboration"},
                                      effective_date=date(2026, 2, 1))
    review = clm.approvals.submit("carl", c.id)
    assert [(f.category, f.title) for f in review.findings if f.severity == "high"] == []


def test_procurement_without_liability_cap_is_flagged_missing(clm, vendor_id):
    c = clm.contracts.create_contract("carl", template_key="procurement-supply", title="No cap",
                                      vendor_id=vendor_id, attributes={}, effective_date=date(2026, 2, 1),
                                      lines=THREE_LINES, variant_choices={"liability": "omitted"})
    assert "Limitation of Liability" not in clm.contracts.text("carl", c.id)
    review = clm.approvals.submit("carl", c.id)
    missing = [f for f in review.findings if f.kind == "missing"
               and f.category in ("cap_on_liability", "uncapped_liability") and at_least(f.severity, "medium")]
    assert missing, [(f.category, f.kind, f.severity) for f in review.findings]
