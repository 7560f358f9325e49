"""Acceptance: the procurement scenario of issue 3, end to end, with the phrase reviewer."""

from __future__ import annotations

from datetime import date

import pytest

from clm_core.errors import ReleaseOrderRefused
from lifecycle_steps import THREE_LINES
from lifecycle_steps import tamper_one_audit_row


def tokens_from_channel(channel, email):
    out = []
    for to, subject, body in channel.sent:
        if to == email and "token " in body:
            out.append(body.split("token ", 1)[1].split(" ", 1)[0])
    return out


def test_procurement_end_to_end(clm, vendor_id, channel, clock):
    # author from the template with 3 lines and a risky clause variant
    c = clm.contracts.create_contract(
        "carl", template_key="procurement-supply", title="Lab consumables 2026", vendor_id=vendor_id,
        attributes={"processes_personal_data": True}, effective_date=date(2026, 2, 1), lines=THREE_LINES,
        variant_choices={"termination": "supplier-convenience"})
    assert c.status == "Draft" and c.version_no == 1 and len(c.lines) == 3
    body = clm.contracts.text("carl", c.id)
    assert "**9. Insurance.**" in body  # value above USD 25,000
    assert "Protection of Personal Data" in body  # personal data processed
    assert "Supplier may terminate this Agreement for convenience" in body

    review = clm.approvals.submit("carl", c.id)
    assert review.decision == "escalate"
    flagged = [f for f in review.findings if f.flagged]
    assert [f.category for f in flagged] == ["termination_for_convenience"]
    assert sorted(s.role for s in review.steps) == ["finance", "legal"]
    assert clm.contracts.get("carl", c.id).status == "WaitingForApproval"

    clm.approvals.accept_risk("lena", c.id, flagged[0].finding_id, reason="business-need",
                              note="Sole qualified supplier; 10 days accepted for year one")
    assert clm.approvals.approve("lena", c.id, role="legal") == "WaitingForApproval"
    assert clm.approvals.approve("felix", c.id, role="finance") == "Approved"
    accepted = clm.approvals.current_review("carl", c.id).findings[0]
    assert (accepted.accepted_by, accepted.acceptance_reason) == ("lena", "business-need")
    assert accepted.accepted_at == clock.now

    sent = clm.signatures.send_for_signature("carl", c.id, internal_signer="abby")
    assert [i.email for i in sent.invitations] == ["maria@meridian.example"]
    _, sha = clm.signatures.document_for_signing(sent.invitations[0].token)
    assert clm.signatures.sign(sent.invitations[0].token, document_sha256=sha) == "WaitingForInternalSignatures"
    internal_token = tokens_from_channel(channel, "abby@lakeshore.example")[-1]
    assert clm.signatures.sign(internal_token, document_sha256=sha) == "Executed"
    env = clm.signatures.envelope("carl", c.id)
    assert env["status"] == "completed"
    assert all(s["signed_sha256"] == sha and s["signature_valid"] for s in env["signers"])

    assert clm.outbox.dispatch_due().sent == 1
    executed = clm.contracts.get("carl", c.id)
    assert executed.status == "Executed" and executed.agreement_number
    agreement = clm.ledger.agreement(executed.number)
    assert agreement["status"] == "Effective" and len(agreement["lines"]) == 3

    with pytest.raises(ReleaseOrderRefused) as refused:
        clm.ledger.create_release_order(executed.agreement_number, "TUBE-50", "10", "150.00")
    assert refused.value.code == "price_above_agreement"
    ok = clm.ledger.create_release_order(executed.agreement_number, "TUBE-50", "10", "148.00")
    assert ok["remaining"] == "230.0000"

    # amendment: add a line, move the expiry date, re-review, re-approve, re-sign
    clm.after_execution.amend("carl", c.id, note="add gloves; extend by one year")
    clm.contracts.edit_terms("carl", c.id, add_lines=[
        {"item": "GLV-M", "description": "Nitrile gloves, size M", "unit": "box of 100", "unit_price": "9.85",
         "quantity": "6000"}], expiry_date=date(2029, 2, 1), note="amendment 1")
    review2 = clm.approvals.submit("carl", c.id)
    assert review2.version_no == 2
    fid = [f for f in review2.findings if f.flagged][0].finding_id
    clm.approvals.accept_risk("lena", c.id, fid, reason="business-need", note="unchanged from v1")
    clm.approvals.approve("lena", c.id, role="legal")
    assert clm.approvals.approve("felix", c.id, role="finance") == "Approved"
    sent2 = clm.signatures.send_for_signature("carl", c.id, internal_signer="abby")
    _, sha2 = clm.signatures.document_for_signing(sent2.invitations[0].token)
    assert sha2 != sha
    clm.signatures.sign(sent2.invitations[0].token, document_sha256=sha2)
    assert clm.signatures.sign(tokens_from_channel(channel, "abby@lakeshore.example")[-1],
                               document_sha256=sha2) == "Executed"
    assert clm.outbox.dispatch_due().sent == 1
    agreement = clm.ledger.agreement(executed.number)
    assert len(agreement["lines"]) == 4 and agreement["version"] == 2
    assert agreement["expiry_date"] == "2029-02-01"
    assert agreement["lines"][1]["released_quantity"] == "10.0000"  # history of releases kept
    assert [h["event"] for h in clm.ledger.history(executed.number)] == ["created", "amended"]
    assert clm.ledger.agreement_count() == 1

    final = clm.after_execution.terminate("carl", c.id, reason="project-ended", note="lab closed")
    assert final.status == "Terminated"
    clm.outbox.dispatch_due()
    assert clm.ledger.agreement(executed.number)["status"] == "Closed"

    check = clm.verify_audit()
    assert check.ok, check
    tamper_one_audit_row(clm)
    broken = clm.verify_audit()
    assert not broken.ok and broken.first_bad_seq is not None
