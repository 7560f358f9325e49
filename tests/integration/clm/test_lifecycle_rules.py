"""Lifecycle refusals and side paths: transitions, rejection, gating, signature errors."""

from __future__ import annotations

import pytest

from clm_core.errors import ApprovalBlocked, InvalidTransition, SignatureError, ValidationFailed
from lifecycle_steps import THREE_LINES
from lifecycle_steps import approve_all, author_procurement, execute_procurement, tokens_for


def test_moves_outside_the_transition_table_are_domain_errors(clm, vendor_id, channel):
    c = author_procurement(clm, vendor_id, THREE_LINES)
    with pytest.raises(InvalidTransition) as exc:
        clm.signatures.send_for_signature("carl", c.id, internal_signer="abby")
    assert exc.value.code == "invalid_transition" and "submit" in exc.value.details["allowed_actions"]
    with pytest.raises(InvalidTransition):
        clm.after_execution.terminate("carl", c.id, reason="project-ended")
    done = execute_procurement(clm, channel, vendor_id, THREE_LINES[:1])
    with pytest.raises(InvalidTransition):
        clm.approvals.submit("carl", done.id)
    with pytest.raises(InvalidTransition) as not_editable:
        clm.contracts.edit_terms("carl", done.id, attributes={"payment_days": 45})
    assert not_editable.value.code == "not_editable"


def test_reject_with_reason_then_revise_and_resubmit(clm, vendor_id):
    c = author_procurement(clm, vendor_id, THREE_LINES)
    clm.approvals.submit("carl", c.id)
    with pytest.raises(ValidationFailed) as bad_reason:
        clm.approvals.reject("felix", c.id, role="finance", reason="because")
    assert "budget" in bad_reason.value.details["valid_reasons"]
    assert clm.approvals.reject("felix", c.id, role="finance", reason="budget", note="next year") == "Rejected"
    inbox = clm.insights.inbox("carl")
    assert any(n["template"] == "contract_rejected" and "No budget" in n["body"] for n in inbox)
    assert clm.approvals.revise("carl", c.id) == "Draft"
    clm.contracts.edit_terms("carl", c.id, lines=THREE_LINES[:2], note="drop calibration")
    review = clm.approvals.submit("carl", c.id)
    assert review.version_no == 2 and [s.status for s in review.steps] == ["pending"]


def test_approval_waits_for_flagged_findings_and_a_reason(clm, vendor_id):
    c = author_procurement(clm, vendor_id, THREE_LINES, variant_choices={"liability": "uncapped"})
    review = clm.approvals.submit("carl", c.id)
    fid = review.findings[0].finding_id
    with pytest.raises(ApprovalBlocked) as blocked:
        clm.approvals.approve("lena", c.id, role="legal")
    assert blocked.value.details["findings"] == [fid]
    with pytest.raises(ApprovalBlocked):
        clm.approvals.accept_risk("lena", c.id, fid, reason="business-need", note="  ")
    clm.approvals.approve("felix", c.id, role="finance")
    assert clm.contracts.get("carl", c.id).status == "WaitingForApproval"  # escalation still open
    with pytest.raises(InvalidTransition):
        clm.signatures.send_for_signature("carl", c.id, internal_signer="abby")


def test_signing_order_hash_binding_and_token_checks(clm, vendor_id, channel, clock):
    c = author_procurement(clm, vendor_id, THREE_LINES)
    clm.approvals.submit("carl", c.id)
    approve_all(clm, c.id)
    sent = clm.signatures.send_for_signature("carl", c.id, internal_signer="abby")
    vendor_token = sent.invitations[0].token
    assert tokens_for(channel, "abby@lakeshore.example") == []  # internal signer waits for the vendor
    with pytest.raises(SignatureError) as wrong_doc:
        clm.signatures.sign(vendor_token, document_sha256="0" * 64)
    assert wrong_doc.value.code == "document_mismatch"
    with pytest.raises(SignatureError) as forged:
        clm.signatures.sign(vendor_token[:-1] + ("0" if vendor_token[-1] != "0" else "1"),
                            document_sha256=sent.document_sha256)
    assert forged.value.code == "invalid_token"
    clock.advance(hours=73)
    with pytest.raises(SignatureError) as expired:
        clm.signatures.sign(vendor_token, document_sha256=sent.document_sha256)
    assert expired.value.code == "token_expired"
    assert clm.contracts.get("carl", c.id).status == "WaitingForExternalSignatures"


def test_decline_and_void_return_the_contract_to_approved(clm, vendor_id, channel):
    c = author_procurement(clm, vendor_id, THREE_LINES)
    clm.approvals.submit("carl", c.id)
    approve_all(clm, c.id)
    sent = clm.signatures.send_for_signature("carl", c.id, internal_signer="abby")
    assert clm.signatures.decline(sent.invitations[0].token, reason="price list outdated") == "Approved"
    assert clm.signatures.envelope("carl", c.id)["status"] == "declined"
    with pytest.raises(SignatureError):
        clm.signatures.sign(sent.invitations[0].token, document_sha256=sent.document_sha256)
    again = clm.signatures.send_for_signature("carl", c.id, internal_signer="abby")
    assert clm.signatures.void("carl", c.id, reason="wrong-signer") == "Approved"
    with pytest.raises(SignatureError) as voided:
        clm.signatures.sign(again.invitations[0].token, document_sha256=again.document_sha256)
    assert voided.value.code == "envelope_voided"


def test_edit_that_changes_nothing_is_refused_and_lines_are_validated(clm, vendor_id):
    c = author_procurement(clm, vendor_id, THREE_LINES)
    with pytest.raises(ValidationFailed) as same:
        clm.contracts.edit_terms("carl", c.id, attributes={})
    assert same.value.code == "no_change"
    with pytest.raises(ValidationFailed):
        clm.contracts.edit_terms("carl", c.id, add_lines=[dict(THREE_LINES[0])])  # duplicate item
    with pytest.raises(ValidationFailed):
        clm.contracts.edit_terms("carl", c.id, add_lines=[{"item": "X", "description": "x", "unit": "u",
                                                          "unit_price": "-1", "quantity": "1"}])
    with pytest.raises(ValidationFailed) as unknown:
        clm.contracts.edit_terms("carl", c.id, attributes={"colour": "blue"})
    assert unknown.value.details["unknown"] == ["colour"]
