"""Acceptance: the NDA scenario of issue 3 (no purchase agreement), with the phrase reviewer."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from clm_core.store import tables as t
from lifecycle_steps import tamper_one_audit_row, tokens_for


def test_nda_end_to_end(clm, vendor_id, channel, clock):
    c = clm.contracts.create_contract(
        "carl", template_key="nda-standard", title="LIMS collaboration NDA", vendor_id=vendor_id,
        attributes={"purpose": "a collaboration on laboratory information management software"},
        effective_date=date(2026, 2, 1), variant_choices={"permitted-recipients": "any-third-party"})
    assert c.nda_kind == "mutual" and c.lines == () and c.expiry_date == date(2027, 2, 1)
    body = clm.contracts.text("carl", c.id)
    assert "Each party may disclose information to the other" in body
    assert "with any third party it chooses" in body

    review = clm.approvals.submit("carl", c.id)
    assert review.decision == "escalate"
    flagged = [f for f in review.findings if f.flagged]
    assert [f.category for f in flagged] == ["nda_sharing_with_third_parties"]
    assert [s.role for s in review.steps] == ["legal"]  # no value rule for NDAs

    clm.approvals.accept_risk("lena", c.id, flagged[0].finding_id, reason="low-exposure",
                              note="Only public marketing material will be shared")
    assert clm.approvals.approve("lena", c.id, role="legal") == "Approved"

    sent = clm.signatures.send_for_signature("carl", c.id, internal_signer="abby")
    _, sha = clm.signatures.document_for_signing(sent.invitations[0].token)
    clm.signatures.sign(sent.invitations[0].token, document_sha256=sha)
    assert clm.signatures.sign(tokens_for(channel, "abby@lakeshore.example")[-1], document_sha256=sha) == "Executed"

    assert clm.outbox.dispatch_due().sent == 0  # nothing goes to the ERP for an NDA
    assert clm.ledger.agreement_count() == 0
    executed = clm.contracts.get("carl", c.id)
    assert executed.agreement_number is None and executed.executed_version_no == 1

    # amendment: extend the term, re-review, re-approve, re-sign
    clm.after_execution.amend("carl", c.id, note="extend by a year, restore need-to-know sharing")
    clm.contracts.edit_terms("carl", c.id, expiry_date=date(2028, 2, 1),
                             variant_choices={"permitted-recipients": "standard"})
    review2 = clm.approvals.submit("carl", c.id)
    assert review2.decision == "approve" and not [f for f in review2.findings if f.flagged]
    assert [s.role for s in review2.steps] == ["approver"]  # default business approval
    assert clm.approvals.approve("abby", c.id, role="approver") == "Approved"
    sent2 = clm.signatures.send_for_signature("carl", c.id, internal_signer="abby")
    _, sha2 = clm.signatures.document_for_signing(sent2.invitations[0].token)
    clm.signatures.sign(sent2.invitations[0].token, document_sha256=sha2)
    assert clm.signatures.sign(tokens_for(channel, "abby@lakeshore.example")[-1],
                               document_sha256=sha2) == "Executed"
    amended = clm.contracts.get("carl", c.id)
    assert amended.expiry_date == date(2028, 2, 1) and amended.executed_version_no == 2

    assert clm.after_execution.terminate("carl", c.id, reason="project-ended").status == "Terminated"
    assert clm.outbox.dispatch_due().sent == 0
    with clm.context.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(t.OutboxMessage)) == 0
        actions = [a for (a,) in s.execute(select(t.AuditEntry.action).order_by(t.AuditEntry.seq))]
    assert "contract.recorded" in actions and "risk.accepted" in actions

    assert clm.verify_audit().ok
    tamper_one_audit_row(clm)
    assert not clm.verify_audit().ok


def test_one_way_nda_names_a_single_discloser(clm, vendor_id):
    c = clm.contracts.create_contract(
        "carl", template_key="nda-standard", title="One-way NDA", vendor_id=vendor_id,
        attributes={"purpose": "a supply tender", "nda_kind": "one_way"}, effective_date=date(2026, 2, 1))
    body = clm.contracts.text("carl", c.id)
    assert c.nda_kind == "one_way"
    assert "Lakeshore Bio Ltd. (the \"Discloser\") will disclose information to Meridian Lab Supply Co." in body
    assert "Each party may disclose" not in body
