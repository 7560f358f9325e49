"""What every service needs: sessions, clock, settings, ports; plus shared helpers."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterator, Protocol

from sqlalchemy.orm import Session, sessionmaker

from clm_core import audit_log
from clm_core.esign.provider import SignatureProvider
from clm_core.review_port import RiskReviewer
from clm_core.settings import ClmSettings
from clm_core.statuses import next_status
from clm_core.store import tables as t
from clm_core.store.unit_of_work import UnitOfWork


class NotificationChannel(Protocol):
    """Where notifications go besides the stored inbox (email, chat...)."""

    def deliver(self, email: str, subject: str, body: str) -> None: ...


class NullChannel:
    def deliver(self, email: str, subject: str, body: str) -> None:
        return None


class RecordingChannel:
    """Keeps what was delivered (demos and tests)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def deliver(self, email: str, subject: str, body: str) -> None:
        self.sent.append((email, subject, body))


class MaildirChannel:
    """Writes each notification as an RFC 822 message file into a directory (offline e-mail drop)."""

    def __init__(self, directory) -> None:
        from pathlib import Path

        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def deliver(self, email: str, subject: str, body: str) -> None:
        import uuid
        from email.message import EmailMessage

        msg = EmailMessage()
        msg["To"], msg["From"], msg["Subject"] = email, "contract-risk-copilot@localhost", subject
        msg.set_content(body)
        path = self.directory / f"{uuid.uuid4().hex}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(bytes(msg))
        tmp.rename(path)  # readers never see half-written files


@dataclass
class ServiceContext:
    session_factory: sessionmaker[Session]
    settings: ClmSettings
    clock: Callable[[], datetime]
    reviewer: RiskReviewer
    signature_provider: SignatureProvider
    channel: NotificationChannel = field(default_factory=NullChannel)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Transaction(UnitOfWork):
    """A unit of work that also queues channel deliveries until after commit."""

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx.session_factory)
        self.ctx = ctx
        self.now = ctx.clock()
        self._after_commit: list[Callable[[], None]] = []

    def after_commit(self, fn: Callable[[], None]) -> None:
        self._after_commit.append(fn)

    def commit(self) -> None:
        super().commit()
        hooks, self._after_commit = self._after_commit, []
        for fn in hooks:
            try:
                fn()
            except Exception:  # a failing channel must not undo a committed change
                pass

    def audit(self, actor: str, action: str, entity: str, entity_id: Any, **data: Any) -> None:
        audit_log.append(self.session, actor=actor, action=action, entity=entity, entity_id=entity_id,
                         data=data, at=self.now)

    def move(self, contract: t.Contract, action: str, actor: str, reason: str | None = None) -> str:
        """Apply ``action`` through the transition table, record history and audit it."""
        before = contract.status
        after = next_status(before, action, held_from=contract.held_from)
        if action == "hold":
            contract.held_from = before
        elif action == "release_hold":
            contract.held_from = None
        contract.status = after.value
        contract.updated_at = self.now
        self.session.add(t.StatusChange(contract_id=contract.id, action=action, from_status=before,
                                        to_status=after.value, actor=actor, reason=reason, at=self.now))
        self.audit(actor, f"contract.{action}", "contract", contract.number, status_from=before,
                   status_to=after.value, reason=reason)
        return after.value

    def notify(self, user: t.User, template_code: str, dedupe_key: str, contract: t.Contract | None = None,
               **values: Any) -> bool:
        """Store a notification in ``user``'s inbox (once per dedupe key) and queue channel delivery."""
        from sqlalchemy import select

        if self.session.scalar(select(t.Notification.id).where(t.Notification.dedupe_key == dedupe_key)):
            return False
        tpl = self.repos.catalog.notification_template(template_code)
        context = dict(values)
        if contract is not None:
            context.setdefault("number", contract.number)
            context.setdefault("title", contract.title)
        subject = tpl.subject.format_map(_Missing(context)) if tpl else template_code
        body = tpl.body.format_map(_Missing(context)) if tpl else str(context)
        self.session.add(t.Notification(user_id=user.id, template_code=template_code, subject=subject, body=body,
                                        contract_id=contract.id if contract else None, dedupe_key=dedupe_key,
                                        created_at=self.now))
        channel, email = self.ctx.channel, user.email
        self.after_commit(lambda: channel.deliver(email, subject, body))
        return True


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Service:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @contextmanager
    def tx(self) -> Iterator[Transaction]:
        with Transaction(self.ctx) as tx:
            yield tx
            tx.commit()
