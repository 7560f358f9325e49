from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, delete, update
from sqlalchemy.orm import Session

from clm_core import audit_log
from clm_core.store import tables as t


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    t.Base.metadata.create_all(engine)
    with Session(engine) as s:
        yield s


def _fill(session, n=4):
    at = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(n):
        audit_log.append(session, actor="carl", action=f"a{i}", entity="contract", entity_id="PC-1",
                         data={"i": i, "amount": "1.50"}, at=at + timedelta(minutes=i))
    session.commit()


def test_chain_links_and_verifies(session):
    _fill(session)
    entries = session.query(t.AuditEntry).order_by(t.AuditEntry.seq).all()
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == audit_log.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:]))
    assert audit_log.verify(session).ok


@pytest.mark.parametrize("change", [{"actor": "mallory"}, {"data": {"i": 1, "amount": "9.99"}},
                                    {"at": datetime(2020, 1, 1, tzinfo=UTC)}, {"action": "other"}])
def test_any_altered_field_is_detected_at_its_row(session, change):
    _fill(session)
    session.execute(update(t.AuditEntry).where(t.AuditEntry.seq == 2).values(**change))
    session.commit()
    result = audit_log.verify(session)
    assert not result.ok and result.first_bad_seq == 2 and "hash" in result.problem


def test_rehashing_a_row_breaks_the_next_link(session):
    _fill(session)
    row = session.get(t.AuditEntry, 2)
    row.actor = "mallory"
    row.hash = audit_log.entry_hash(seq=2, at=row.at, actor=row.actor, action=row.action, entity=row.entity,
                                    entity_id=row.entity_id, data=row.data, prev_hash=row.prev_hash)
    session.commit()
    result = audit_log.verify(session)
    assert not result.ok and result.first_bad_seq == 3


def test_deleted_rows_are_detected(session):
    _fill(session)
    session.execute(delete(t.AuditEntry).where(t.AuditEntry.seq == 4))
    session.commit()
    assert audit_log.verify(session).problem == "entries were removed from the end of the chain"
    session.execute(delete(t.AuditEntry).where(t.AuditEntry.seq == 2))
    session.commit()
    assert audit_log.verify(session).first_bad_seq == 3
