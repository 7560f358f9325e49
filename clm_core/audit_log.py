"""Append-only, hash-chained audit log: each entry hashes its content and the previous hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clm_core.store import tables as t

GENESIS_HASH = "0" * 64


def canonical_data(data: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe copy (decimals, dates as strings) so what is hashed is what is stored."""
    return json.loads(json.dumps(data, default=str, sort_keys=True))


def entry_hash(*, seq: int, at: datetime, actor: str, action: str, entity: str, entity_id: str,
               data: dict[str, Any], prev_hash: str) -> str:
    at_text = at.astimezone(UTC).isoformat(timespec="microseconds")
    body = json.dumps([seq, at_text, actor, action, entity, entity_id, data, prev_hash],
                      sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(session: Session, *, actor: str, action: str, entity: str, entity_id: Any,
           data: dict[str, Any], at: datetime) -> t.AuditEntry:
    """Append one entry. The head row is updated first so concurrent appends serialise."""
    session.flush()
    claimed = session.execute(
        update(t.AuditHead).where(t.AuditHead.id == 1).values(seq=t.AuditHead.seq + 1)
        .returning(t.AuditHead.seq, t.AuditHead.last_hash),
        execution_options={"synchronize_session": False},
    ).first()
    if claimed is None:  # fresh database without the head row
        session.add(t.AuditHead(id=1, seq=1, last_hash=GENESIS_HASH))
        session.flush()
        seq, prev = 1, GENESIS_HASH
    else:
        seq, prev = claimed
    at = at.astimezone(UTC).replace(microsecond=at.microsecond)
    data = canonical_data(data)
    digest = entry_hash(seq=seq, at=at, actor=actor, action=action, entity=entity,
                        entity_id=str(entity_id), data=data, prev_hash=prev)
    entry = t.AuditEntry(seq=seq, at=at, actor=actor, action=action, entity=entity,
                         entity_id=str(entity_id), data=data, prev_hash=prev, hash=digest)
    session.add(entry)
    session.execute(update(t.AuditHead).where(t.AuditHead.id == 1).values(last_hash=digest),
                    execution_options={"synchronize_session": False})
    return entry


@dataclass(frozen=True)
class ChainVerification:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(session: Session) -> ChainVerification:
    """Recompute every hash; report the first entry whose content or link does not match."""
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for e in session.scalars(select(t.AuditEntry).order_by(t.AuditEntry.seq)).yield_per(500):
        count += 1
        if e.seq != expected_seq:
            return ChainVerification(False, count, e.seq, f"sequence gap: expected {expected_seq}")
        if e.prev_hash != prev:
            return ChainVerification(False, count, e.seq, "link to the previous entry is broken")
        digest = entry_hash(seq=e.seq, at=e.at, actor=e.actor, action=e.action, entity=e.entity,
                            entity_id=e.entity_id, data=e.data, prev_hash=e.prev_hash)
        if digest != e.hash:
            return ChainVerification(False, count, e.seq, "entry content does not match its hash")
        prev = e.hash
        expected_seq += 1
    head = session.get(t.AuditHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or head.last_hash != prev):
        return ChainVerification(False, count, head.seq, "entries were removed from the end of the chain")
    return ChainVerification(True, count)
