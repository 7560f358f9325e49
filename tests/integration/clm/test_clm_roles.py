"""Seeded role-action mappings are enforced in the service layer, scoped by organisation."""

from __future__ import annotations

from datetime import date

import pytest

from clm_core.errors import NotFound, PermissionDenied
from clm_core.store import tables as t
from lifecycle_steps import THREE_LINES
from lifecycle_steps import author_procurement, execute_procurement


def refused(fn, *args, **kwargs):
    with pytest.raises(PermissionDenied) as exc:
        fn(*args, **kwargs)
    return exc.value


def _vendor_user(clm, vendor_id):
    with clm.context.session_factory() as s, s.begin():
        org = s.query(t.Organisation).filter_by(code="lakeshore").one()
        s.add(t.User(username="maria", display_name="Maria", email="maria@meridian.example",
                     organisation_id=org.id, roles=["vendor"], vendor_id=vendor_id))


def test_requester_may_draft_and_submit_but_not_approve_sign_or_terminate(clm, vendor_id, channel):
    c = clm.contracts.create_contract("rita", template_key="procurement-supply", title="Rita's order",
                                      vendor_id=vendor_id, attributes={}, effective_date=date(2026, 2, 1),
                                      lines=THREE_LINES)
    clm.approvals.submit("rita", c.id)
    err = refused(clm.approvals.approve, "rita", c.id, role="finance")
    assert err.details["required_role"] == "finance"
    refused(clm.contracts.create_vendor, "rita", code="X", name="X")
    done = execute_procurement(clm, channel, vendor_id, THREE_LINES)
    refused(clm.after_execution.terminate, "rita", done.id, reason="project-ended")
    refused(clm.after_execution.amend, "rita", done.id, note="x")


def test_legal_may_accept_risks_but_not_create_send_or_take_finance_steps(clm, vendor_id):
    refused(clm.contracts.create_contract, "lena", template_key="procurement-supply", title="x",
            vendor_id=vendor_id, attributes={}, effective_date=date(2026, 2, 1), lines=THREE_LINES)
    c = author_procurement(clm, vendor_id, THREE_LINES, variant_choices={"termination": "supplier-convenience"})
    clm.approvals.submit("carl", c.id)
    refused(clm.approvals.approve, "lena", c.id, role="finance")
    refused(clm.signatures.send_for_signature, "lena", c.id, internal_signer="abby")


def test_finance_may_not_accept_legal_findings(clm, vendor_id):
    c = author_procurement(clm, vendor_id, THREE_LINES, variant_choices={"termination": "supplier-convenience"})
    review = clm.approvals.submit("carl", c.id)
    legal_finding = [f for f in review.findings if f.approver_role == "legal"][0]
    err = refused(clm.approvals.accept_risk, "felix", c.id, legal_finding.finding_id, reason="business-need",
                  note="finance says fine")
    assert err.details["required_role"] == "legal"


def test_contract_manager_may_not_take_legal_steps_or_accept_legal_risks(clm, vendor_id):
    c = author_procurement(clm, vendor_id, THREE_LINES, variant_choices={"termination": "supplier-convenience"})
    review = clm.approvals.submit("carl", c.id)
    refused(clm.approvals.approve, "carl", c.id, role="legal")
    refused(clm.approvals.accept_risk, "carl", c.id, review.findings[0].finding_id, reason="business-need",
            note="I think it is fine")


def test_approver_and_admin_may_not_author_and_approver_may_not_sign_as_non_holder(clm, vendor_id):
    for user in ("abby", "admin"):
        refused(clm.contracts.create_contract, user, template_key="procurement-supply", title="x",
                vendor_id=vendor_id, attributes={}, effective_date=date(2026, 2, 1), lines=THREE_LINES)
    c = author_procurement(clm, vendor_id, THREE_LINES)
    clm.approvals.submit("carl", c.id)
    clm.approvals.approve("felix", c.id, role="finance")
    # legal holds no signature.sign: may not be named internal signer
    refused(clm.signatures.send_for_signature, "carl", c.id, internal_signer="lena")


def test_vendor_sees_only_its_own_contracts_and_may_not_edit(clm, vendor_id):
    _vendor_user(clm, vendor_id)
    other = clm.contracts.create_vendor("carl", code="OTHER", name="Other Co.", contact_email="o@other.example")
    mine = author_procurement(clm, vendor_id, THREE_LINES)
    theirs = author_procurement(clm, other, THREE_LINES)
    assert clm.contracts.get("maria", mine.id).number == mine.number
    refused(clm.contracts.get, "maria", theirs.id)
    refused(clm.contracts.edit_terms, "maria", mine.id, attributes={"payment_days": 90})
    refused(clm.approvals.submit, "maria", mine.id)


def test_other_organisation_is_refused_everything(clm, vendor_id):
    c = author_procurement(clm, vendor_id, THREE_LINES, variant_choices={"termination": "supplier-convenience"})
    review = clm.approvals.submit("carl", c.id)
    # olga is contract_manager + legal, but in another organisation
    refused(clm.contracts.get, "olga", c.id)
    refused(clm.approvals.accept_risk, "olga", c.id, review.findings[0].finding_id, reason="business-need",
            note="x")
    refused(clm.approvals.approve, "olga", c.id, role="legal")
    with pytest.raises(NotFound) as err:  # another organisation's vendor: the same answer as a missing one
        clm.contracts.create_contract("olga", template_key="procurement-supply", title="x", vendor_id=vendor_id,
                                      attributes={}, effective_date=date(2026, 2, 1), lines=THREE_LINES)
    assert err.value.message == f"vendor {vendor_id} not found"
