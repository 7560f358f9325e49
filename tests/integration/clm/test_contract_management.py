"""Documents, team members, hold / cancel, review failures and per-contract outbox ordering."""

from __future__ import annotations

import pytest

from clm_core.erp.connector import ConnectorUnavailable
from clm_core.errors import ConcurrencyConflict, InvalidTransition, PermissionDenied, ReviewFailed
from clm_core.settings import ClmSettings
from lifecycle_steps import THREE_LINES
from lifecycle_steps import author_procurement, execute_procurement


def test_documents_team_hold_and_cancel(clm, vendor_id):
    c = author_procurement(clm, vendor_id, THREE_LINES)
    digest = clm.contracts.attach_document("carl", c.id, name="quote.pdf", content=b"%PDF-1.7 quote",
                                           media_type="application/pdf")
    assert len(digest) == 64
    clm.contracts.add_team_member("carl", c.id, "lena", "reviewer")
    assert clm.contracts.team("carl", c.id) == [("carl", "owner"), ("lena", "reviewer")]
    assert clm.contracts.hold("carl", c.id, reason="negotiation-paused").status == "OnHold"
    with pytest.raises(InvalidTransition):
        clm.approvals.submit("carl", c.id)
    assert clm.contracts.release_hold("carl", c.id).status == "Draft"
    assert clm.contracts.cancel("carl", c.id, reason="no longer needed").status == "Cancelled"
    history = clm.contracts.status_history("carl", c.id)
    assert [h[0] for h in history] == ["hold", "release_hold", "cancel"]


def test_holding_an_executed_contract_holds_its_agreement(clm, vendor_id, channel):
    c = execute_procurement(clm, channel, vendor_id, THREE_LINES)
    clm.contracts.hold("carl", c.id, reason="negotiation-paused")
    clm.outbox.dispatch_due()
    assert clm.ledger.agreement(c.number)["status"] == "OnHold"
    assert clm.contracts.release_hold("carl", c.id).status == "Executed"
    clm.outbox.dispatch_due()
    assert clm.ledger.agreement(c.number)["status"] == "Effective"


def test_messages_of_one_contract_are_delivered_in_order(clm, vendor_id, channel, clock):
    class DownOnce:
        def __init__(self, inner):
            self.inner, self.calls = inner, []

        def deliver(self, topic, key, payload):
            self.calls.append(topic)
            if len(self.calls) == 1:
                raise ConnectorUnavailable("down")
            return self.inner.deliver(topic, key, payload)

    connector = DownOnce(clm.outbox.connector)
    clm.outbox.connector = connector
    c = execute_procurement(clm, channel, vendor_id, THREE_LINES)
    clm.contracts.hold("carl", c.id, reason="negotiation-paused")
    assert clm.outbox.dispatch_due().retried == 1
    assert connector.calls == ["agreement.create"]  # the hold waits behind the failed create
    clock.advance(minutes=5)
    assert clm.outbox.dispatch_due().sent == 2
    assert connector.calls == ["agreement.create", "agreement.create", "contract.status"]
    assert clm.ledger.agreement(c.number)["status"] == "OnHold"


def test_review_failure_returns_the_contract_to_draft(clm, vendor_id):
    class Broken:
        def review(self, text, contract_type, *, name):
            raise RuntimeError("model files missing")

    clm.context.reviewer = Broken()
    c = author_procurement(clm, vendor_id, THREE_LINES)
    with pytest.raises(ReviewFailed):
        clm.approvals.submit("carl", c.id)
    assert clm.contracts.get("carl", c.id).status == "Draft"
    assert [h[0] for h in clm.contracts.status_history("carl", c.id)] == ["submit", "review_failed"]


def test_settings_read_database_url_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/x")
    assert ClmSettings().database_url == "postgresql+psycopg://u@db/x"
    monkeypatch.delenv("DATABASE_URL")
    assert ClmSettings().database_url.endswith("/var/clm.sqlite3")


def test_stale_edit_is_refused_with_if_version(clm, vendor_id):
    c = author_procurement(clm, vendor_id, THREE_LINES)
    seen = clm.contracts.get("carl", c.id).lock_version
    clm.contracts.edit_terms("carl", c.id, attributes={"payment_days": 45}, if_version=seen)
    with pytest.raises(ConcurrencyConflict) as exc:
        clm.contracts.edit_terms("rita", c.id, attributes={"payment_days": 60}, if_version=seen)
    assert exc.value.code == "concurrent_update" and exc.value.details["expected"] == seen
    assert clm.contracts.versions("carl", c.id)[-1]["terms"]["attributes"]["payment_days"] == 45


def test_attached_documents_are_listed_and_read_back(clm, vendor_id):
    c = author_procurement(clm, vendor_id, THREE_LINES)
    clm.contracts.attach_document("rita", c.id, name="quote.pdf", content=b"%PDF quote", media_type="application/pdf")
    (doc,) = clm.contracts.documents("carl", c.id)
    assert (doc["name"], doc["size"]) == ("quote.pdf", 10)
    assert clm.contracts.document_content("carl", c.id, doc["id"]) == ("quote.pdf", "application/pdf", b"%PDF quote")
    with pytest.raises(PermissionDenied):
        clm.contracts.documents("olga", c.id)
