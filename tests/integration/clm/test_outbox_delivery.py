"""The outbox to the ERP: a failing connector and a crash mid-delivery lose and duplicate nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clm_core.erp.connector import ConnectorUnavailable
from clm_core.store import tables as t
from lifecycle_steps import THREE_LINES
from lifecycle_steps import execute_procurement


class FlakyConnector:
    """Fails the first ``failures`` deliveries, then delegates to the real ledger connector."""

    def __init__(self, inner, failures):
        self.inner, self.failures, self.calls = inner, failures, 0

    def deliver(self, topic, key, payload):
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectorUnavailable("ERP is down")
        return self.inner.deliver(topic, key, payload)


def _messages(clm):
    with clm.context.session_factory() as s:
        return [(m.topic, m.status, m.attempts, m.next_attempt_at, m.last_error)
                for m in s.scalars(select(t.OutboxMessage).order_by(t.OutboxMessage.id))]


def _agreement_rows(clm):
    with clm.context.session_factory() as s:
        return s.scalar(select(func.count()).select_from(t.ErpAgreement))


def test_failing_connector_is_retried_with_backoff_and_delivers_once(clm, vendor_id, channel, clock):
    flaky = FlakyConnector(clm.outbox.connector, failures=2)
    clm.outbox.connector = flaky
    c = execute_procurement(clm, channel, vendor_id, THREE_LINES)

    assert clm.outbox.dispatch_due().retried == 1
    (_, status, attempts, next_at, error), = _messages(clm)
    assert (status, attempts) == ("pending", 1) and "ERP is down" in error
    assert next_at == clock.now + timedelta(seconds=30)
    assert clm.outbox.dispatch_due().sent == 0 and flaky.calls == 1  # not due yet: backoff respected

    clock.advance(seconds=31)
    assert clm.outbox.dispatch_due().retried == 1
    (_, _, attempts, next_at, _), = _messages(clm)
    assert attempts == 2 and next_at == clock.now + timedelta(seconds=60)  # exponential

    clock.advance(seconds=61)
    assert clm.outbox.dispatch_due().sent == 1
    assert _messages(clm)[0][1:3] == ("sent", 3)
    assert _agreement_rows(clm) == 1
    assert clm.contracts.get("carl", c.id).agreement_number == "PA-000001"


class Crash(Exception):
    """Stands in for the process being killed."""


def test_crash_between_delivery_and_mark_redelivers_without_duplicate(clm, vendor_id, channel):
    c = execute_procurement(clm, channel, vendor_id, THREE_LINES)

    def die(_msg):
        raise Crash()

    clm.outbox.after_deliver = die
    with pytest.raises(Crash):
        clm.outbox.dispatch_due()
    assert _agreement_rows(clm) == 1  # the ERP applied it ...
    assert _messages(clm)[0][1] == "pending"  # ... but the outbox never heard back

    clm.outbox.after_deliver = None  # "restart"
    assert clm.outbox.dispatch_due().sent == 1
    assert _agreement_rows(clm) == 1  # redelivery answered from the idempotency record
    with clm.context.session_factory() as s:
        msg = s.scalars(select(t.OutboxMessage)).one()
        assert msg.result["duplicate"] is True and msg.result["agreement_number"] == "PA-000001"
        assert s.scalar(select(func.count()).select_from(t.ErpProcessedMessage)) == 1
    assert clm.contracts.get("carl", c.id).agreement_number == "PA-000001"
    assert clm.outbox.dispatch_due().sent == 0  # nothing left, nothing re-sent


def test_messages_go_dead_after_max_attempts_and_can_be_requeued(clm, vendor_id, channel, clock):
    clm.outbox.connector = FlakyConnector(clm.outbox.connector, failures=100)
    clm.outbox.max_attempts = 3
    execute_procurement(clm, channel, vendor_id, THREE_LINES)
    for _ in range(3):
        clm.outbox.dispatch_due()
        clock.advance(hours=2)
    assert _messages(clm)[0][1] == "dead"
    assert _agreement_rows(clm) == 0
    clm.outbox.connector = clm.outbox.connector.inner
    assert clm.outbox.requeue_dead() == 1
    assert clm.outbox.dispatch_due().sent == 1 and _agreement_rows(clm) == 1


def test_release_orders_respect_remaining_quantity(clm, vendor_id, channel):
    from clm_core.errors import ReleaseOrderRefused

    c = execute_procurement(clm, channel, vendor_id, THREE_LINES)
    clm.outbox.dispatch_due()
    number = clm.contracts.get("carl", c.id).agreement_number
    clm.ledger.create_release_order(number, "CAL-01", "500", "38.00")
    with pytest.raises(ReleaseOrderRefused) as exc:
        clm.ledger.create_release_order(number, "CAL-01", "101", "38.00")
    assert exc.value.code == "quantity_above_remaining" and exc.value.details["remaining"] == "100.0000"
    assert clm.ledger.create_release_order(number, "CAL-01", "100", "37.50")["remaining"] == "0.0000"
    with pytest.raises(ReleaseOrderRefused) as unknown:
        clm.ledger.create_release_order(number, "NOPE", "1", "1")
    assert unknown.value.code == "unknown_item"
