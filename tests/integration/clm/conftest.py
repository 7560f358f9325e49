"""Fixtures for lifecycle integration tests: a migrated, seeded database on SQLite (default)
or PostgreSQL (``-m postgres``; a fresh schema per test, dropped afterwards)."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from clm_core.composition import Clm, build_clm
from clm_core.phrase_reviewer import PhraseRiskReviewer
from clm_core.services.context import RecordingChannel
from clm_core.settings import ClmSettings
from clm_core.store.database import create_db_engine

PG_URL = os.environ.get("CLM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    if request.param == "sqlite":
        eng = create_db_engine(f"sqlite:///{tmp_path / 'clm.sqlite3'}")
        yield eng
        eng.dispose()
        return
    schema = f"clm_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def channel() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
def reviewer() -> PhraseRiskReviewer:
    return PhraseRiskReviewer()


@pytest.fixture
def clm(engine, clock, channel, reviewer, tmp_path) -> Clm:
    settings = ClmSettings(database_url=str(engine.url), signing_secret="test-secret-123456")
    app = build_clm(settings, reviewer=reviewer, clock=clock, channel=channel, engine=engine)
    app.migrate()
    app.seed()
    return app


@pytest.fixture
def vendor_id(clm) -> int:
    return clm.contracts.create_vendor(
        "carl", code="MERIDIAN", name="Meridian Lab Supply Co.", legal_description="a Massachusetts corporation",
        contact_name="Maria Vendor", contact_email="maria@meridian.example")

