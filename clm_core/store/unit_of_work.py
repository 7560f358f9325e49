"""Unit of work: one session, one transaction; stale writes become ``ConcurrencyConflict``."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from clm_core.errors import ConcurrencyConflict
from clm_core.store.repositories import Repositories


class UnitOfWork:
    """``with uow: ...; uow.commit()`` - anything not committed is rolled back."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory
        self.session: Session | None = None
        self.repos: Repositories | None = None

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self.repos = Repositories(self.session)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self.session is not None
        try:
            if exc_type is not None:
                self.session.rollback()
        finally:
            self.session.close()
        if isinstance(exc, StaleDataError):
            raise ConcurrencyConflict("the record was changed by someone else; reload and retry") from exc

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError as exc:
            raise ConcurrencyConflict("the record was changed by someone else; reload and retry") from exc

    def commit(self) -> None:
        assert self.session is not None
        try:
            self.session.commit()
        except StaleDataError as exc:
            self.session.rollback()
            raise ConcurrencyConflict("the record was changed by someone else; reload and retry") from exc
        except OperationalError as exc:
            self.session.rollback()
            if "could not serialize" in str(exc) or "database is locked" in str(exc):
                raise ConcurrencyConflict("concurrent write; retry") from exc
            raise
        except IntegrityError:
            self.session.rollback()
            raise
