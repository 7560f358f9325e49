"""Transactional outbox to the ERP connector: retries with exponential backoff, idempotency keys.

Messages are written in the same transaction as the change that causes them. The
dispatcher delivers each due message with its idempotency key and marks it ``sent`` in a
separate transaction; if the process dies between delivery and marking, the next run
redelivers and the idempotent connector answers without applying it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from clm_core import audit_log
from clm_core.erp.connector import ConnectorUnavailable, ErpConnector
from clm_core.errors import DomainError
from clm_core.store import tables as t


def enqueue(session: Session, *, topic: str, idempotency_key: str, payload: dict[str, Any],
            now: datetime) -> t.OutboxMessage:
    existing = session.scalar(select(t.OutboxMessage).where(t.OutboxMessage.idempotency_key == idempotency_key))
    if existing is not None:
        return existing
    msg = t.OutboxMessage(idempotency_key=idempotency_key, topic=topic, payload=payload, status="pending",
                          attempts=0, next_attempt_at=now, created_at=now)
    session.add(msg)
    return msg


@dataclass(frozen=True)
class DispatchReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0


class OutboxDispatcher:
    def __init__(self, session_factory: sessionmaker[Session], connector: ErpConnector,
                 clock: Callable[[], datetime], *, max_attempts: int = 8, base_delay: float = 30.0,
                 max_delay: float = 3600.0) -> None:
        self._sessions = session_factory
        self.connector = connector
        self._clock = clock
        self.max_attempts, self.base_delay, self.max_delay = max_attempts, base_delay, max_delay
        # test hook: called after a successful delivery, before it is marked sent (simulates a crash)
        self.after_deliver: Callable[[t.OutboxMessage], None] | None = None

    def backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.max_delay, self.base_delay * 2 ** max(0, attempts - 1)))

    def pending(self) -> list[tuple[int, str, datetime]]:
        """Pending messages in order: (id, ordering key, due time). The ordering key is the contract."""
        with self._sessions() as session:
            rows = session.execute(select(t.OutboxMessage.id, t.OutboxMessage.payload, t.OutboxMessage.next_attempt_at)
                                   .where(t.OutboxMessage.status == "pending").order_by(t.OutboxMessage.id))
            return [(i, str((p or {}).get("contract_number", i)), due) for i, p, due in rows]

    def dispatch_due(self) -> DispatchReport:
        """Deliver due messages in id order, keeping per-contract order: a message waits while an
        earlier message of the same contract is pending (in backoff or failing now)."""
        now = self._clock()
        sent = retried = dead = 0
        blocked: set[str] = set()
        for msg_id, order_key, due in self.pending():
            if order_key in blocked:
                continue
            if due > now:
                blocked.add(order_key)
                continue
            outcome = self._dispatch_one(msg_id)
            sent += outcome == "sent"
            retried += outcome == "retry"
            dead += outcome == "dead"
            if outcome != "sent":
                blocked.add(order_key)
        return DispatchReport(sent, retried, dead)

    def _dispatch_one(self, msg_id: int) -> str:
        with self._sessions() as session:
            msg = session.get(t.OutboxMessage, msg_id)
            if msg is None or msg.status != "pending":
                return "skipped"
            topic, key, payload = msg.topic, msg.idempotency_key, dict(msg.payload)
        try:
            result = self.connector.deliver(topic, key, payload)
            error = None
        except (ConnectorUnavailable, DomainError, OSError) as exc:
            result, error = None, f"{type(exc).__name__}: {exc}"
        if error is None and self.after_deliver is not None:
            self.after_deliver(msg)  # may raise to simulate a crash before the mark
        now = self._clock()
        try:
            with self._sessions() as session, session.begin():
                msg = session.get(t.OutboxMessage, msg_id)
                if msg.status != "pending":
                    return "skipped"
                msg.attempts += 1
                if error is None:
                    msg.status, msg.sent_at, msg.result, msg.last_error = "sent", now, result, None
                    if topic == "agreement.create" and result.get("agreement_number"):
                        session.execute(update(t.Contract).where(t.Contract.number == payload["contract_number"])
                                        .values(agreement_number=result["agreement_number"]),
                                        execution_options={"synchronize_session": False})
                    audit_log.append(session, actor="outbox", action="outbox.sent", entity="outbox",
                                     entity_id=msg.id, data={"topic": topic, "key": key, "result": result}, at=now)
                    return "sent"
                msg.last_error = error
                if msg.attempts >= self.max_attempts:
                    msg.status = "dead"
                    audit_log.append(session, actor="outbox", action="outbox.dead", entity="outbox",
                                     entity_id=msg.id, data={"topic": topic, "key": key, "error": error}, at=now)
                    return "dead"
                msg.next_attempt_at = now + self.backoff(msg.attempts)
                return "retry"
        except StaleDataError:
            return "skipped"  # another dispatcher handled it

    def requeue_dead(self) -> int:
        """Operator action: give dead messages another round of attempts."""
        now = self._clock()
        with self._sessions() as session, session.begin():
            rows = list(session.scalars(select(t.OutboxMessage).where(t.OutboxMessage.status == "dead")))
            for msg in rows:
                msg.status, msg.attempts, msg.next_attempt_at = "pending", 0, now
            return len(rows)
