"""The scheduled expiry job, notices ahead of expiry / renewal-notice deadlines, and renewal."""

from __future__ import annotations

from datetime import date

import pytest

from clm_core.errors import ValidationFailed
from lifecycle_steps import THREE_LINES, approve_all, execute_procurement, sign_both


def test_notices_then_expiry_then_renewal(clm, vendor_id, channel, clock):
    # effective 2026-02-01, 2-year term -> expires 2028-02-01, renewal notice 90 days before
    c = execute_procurement(clm, channel, vendor_id, THREE_LINES)
    clm.outbox.dispatch_due()
    assert clm.contracts.get("carl", c.id).expiry_date == date(2028, 2, 1)

    quiet = clm.expiry_job.run(date(2027, 6, 1))
    assert (quiet.expired, quiet.expiry_notices, quiet.renewal_notices) == ([], [], [])

    deadline_run = clm.expiry_job.run(date(2027, 10, 25))  # deadline 2027-11-03 within 14 days
    assert deadline_run.renewal_notices == [c.number] and deadline_run.expiry_notices == []
    assert clm.expiry_job.run(date(2027, 10, 26)).renewal_notices == []  # once only

    near = clm.expiry_job.run(date(2028, 1, 10))
    assert near.expiry_notices == [c.number]
    subjects = [n["subject"] for n in clm.insights.inbox("carl")]
    assert f"Renewal notice due by 2027-11-03: {c.number}" in subjects
    assert f"Expires on 2028-02-01: {c.number}" in subjects
    assert any(to == "carl@lakeshore.example" and "Expires on" in s for to, s, _ in channel.sent)

    assert clm.expiry_job.run(date(2028, 2, 1)).expired == []  # valid through its expiry date
    gone = clm.expiry_job.run(date(2028, 2, 2))
    assert gone.expired == [c.number]
    assert clm.contracts.get("carl", c.id).status == "Expired"
    assert clm.expiry_job.run(date(2028, 2, 3)).expired == []
    clm.outbox.dispatch_due()
    assert clm.ledger.agreement(c.number)["status"] == "OnHold"

    clock.now = clock.now.replace(year=2028, month=2, day=5)
    with pytest.raises(ValidationFailed):
        clm.after_execution.reset_expiry("carl", c.id, new_expiry=date(2028, 1, 1))
    renewed = clm.after_execution.reset_expiry("carl", c.id, new_expiry=date(2029, 2, 1), note="renewed 1 year")
    assert renewed.status == "Executed" and renewed.expiry_date == date(2029, 2, 1)
    clm.outbox.dispatch_due()
    agreement = clm.ledger.agreement(c.number)
    assert agreement["status"] == "Effective" and agreement["expiry_date"] == "2029-02-01"


def test_owner_is_warned_while_an_amendment_is_under_way(clm, vendor_id, channel):
    c = execute_procurement(clm, channel, vendor_id, THREE_LINES)
    clm.after_execution.amend("carl", c.id, note="renegotiating prices")
    report = clm.expiry_job.run(date(2028, 1, 20))
    assert report.expiry_notices == [c.number] and report.expired == []
    # past its date but mid-amendment: warned, not expired (the table has no Draft -> Expired move)
    assert clm.expiry_job.run(date(2028, 3, 1)).expired == []
    assert clm.contracts.get("carl", c.id).status == "Draft"


def test_amendment_cannot_drop_a_line_with_release_orders(clm, vendor_id, channel):
    c = execute_procurement(clm, channel, vendor_id, THREE_LINES)
    clm.outbox.dispatch_due()
    number = clm.contracts.get("carl", c.id).agreement_number
    clm.ledger.create_release_order(number, "CAL-01", "5", "38.00")
    clm.after_execution.amend("carl", c.id, note="drop calibration")
    clm.contracts.edit_terms("carl", c.id, lines=THREE_LINES[:2])
    clm.approvals.submit("carl", c.id)
    approve_all(clm, c.id)
    assert sign_both(clm, channel, c.id) == "Executed"
    report = clm.outbox.dispatch_due()
    assert report.retried == 1 and report.sent == 0
    assert len(clm.ledger.agreement(c.number)["lines"]) == 3  # the agreement kept its released line
