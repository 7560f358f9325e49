"""Standard reports, saved searches and the notification inbox."""

from __future__ import annotations

from datetime import date

import pytest

from clm_core.errors import NotFound, ValidationFailed
from lifecycle_steps import THREE_LINES
from lifecycle_steps import author_procurement, execute_procurement


def test_reports_over_a_small_portfolio(clm, vendor_id, channel, clock):
    draft = author_procurement(clm, vendor_id, THREE_LINES[:1])
    risky = author_procurement(clm, vendor_id, THREE_LINES, variant_choices={"termination": "supplier-convenience"})
    clm.approvals.submit("carl", risky.id)
    done = execute_procurement(clm, channel, vendor_id, THREE_LINES[:2], expiry_date=date(2026, 3, 1))

    by_status = {r["status"]: r["count"] for r in clm.insights.run_report("carl", "contracts-by-status")["rows"]}
    assert (by_status["Draft"], by_status["WaitingForApproval"], by_status["Executed"]) == (1, 1, 1)
    assert by_status["Terminated"] == 0

    expiring = clm.insights.run_report("carl", "expiring-90-days")["rows"]
    assert [r["number"] for r in expiring] == [done.number]
    assert clm.insights.run_report("carl", "expiring-90-days", days=10)["rows"] == []

    open_steps = clm.insights.run_report("lena", "open-approvals")["rows"]
    assert sorted(r["role"] for r in open_steps) == ["finance", "legal"]
    assert {r["number"] for r in open_steps} == {risky.number}

    high = clm.insights.run_report("felix", "high-risk")["rows"]
    assert [r["number"] for r in high] == [risky.number] and high[0]["risk_score"] == 40
    assert draft.number not in {r["number"] for r in high}

    # olga's organisation sees none of this
    assert clm.insights.run_report("olga", "high-risk")["rows"] == []
    with pytest.raises(NotFound):
        clm.insights.run_report("carl", "no-such-report")


def test_saved_searches_and_inbox(clm, vendor_id):
    a = author_procurement(clm, vendor_id, THREE_LINES)
    author_procurement(clm, vendor_id, THREE_LINES[:1])
    clm.approvals.submit("carl", a.id)
    clm.insights.save_search("carl", "big waiting", {"status": ["WaitingForApproval"], "min_value": 50000})
    assert [r["number"] for r in clm.insights.run_saved_search("carl", "big waiting")] == [a.number]
    clm.insights.save_search("carl", "big waiting", {"status": "Draft"})  # overwrite by name
    assert len(clm.insights.run_saved_search("carl", "big waiting")) == 1
    with pytest.raises(ValidationFailed):
        clm.insights.save_search("carl", "bad", {"colour": "red"})

    felix_inbox = clm.insights.inbox("felix", unread_only=True)
    assert [n["template"] for n in felix_inbox] == ["approval_requested"]
    assert a.number in felix_inbox[0]["subject"]
    clm.insights.mark_read("felix", felix_inbox[0]["id"])
    assert clm.insights.inbox("felix", unread_only=True) == []


def test_maildir_channel_receives_notifications(engine, clock, tmp_path):
    from email import message_from_bytes

    from clm_core.composition import build_clm
    from clm_core.phrase_reviewer import PhraseRiskReviewer
    from clm_core.settings import ClmSettings

    maildir = tmp_path / "mail"
    settings = ClmSettings(database_url=str(engine.url), notification_maildir=maildir)
    clm = build_clm(settings, reviewer=PhraseRiskReviewer(), clock=clock, engine=engine)
    clm.migrate()
    clm.seed()
    vendor = clm.contracts.create_vendor("carl", code="V", name="V Inc.", contact_email="v@v.example")
    c = author_procurement(clm, vendor, THREE_LINES)
    clm.approvals.submit("carl", c.id)
    messages = [message_from_bytes(p.read_bytes()) for p in maildir.glob("*.eml")]
    assert [(m["To"], m["Subject"]) for m in messages] == [
        ("felix@lakeshore.example", f"Approval needed: {c.number} Supplies")]
