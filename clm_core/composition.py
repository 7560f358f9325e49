"""The composition root: build every lifecycle service from one ``ClmSettings``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Callable

from sqlalchemy import Engine

from clm_core import audit_log
from clm_core.erp.connector import ErpConnector
from clm_core.erp.ledger import ErpLedger, LedgerConnector
from clm_core.esign.builtin import BuiltinSignatureProvider
from clm_core.esign.provider import SignatureProvider
from clm_core.outbox import OutboxDispatcher
from clm_core.review_port import RiskReviewer
from clm_core.seed_loader import SeedReport, load_seed
from clm_core.services.access_service import AccessService
from clm_core.services.after_execution_service import AfterExecutionService, ExpiryJob
from clm_core.services.approval_service import ApprovalService
from clm_core.services.context import MaildirChannel, NotificationChannel, NullChannel, ServiceContext
from clm_core.services.contracts_service import ContractService
from clm_core.services.insight_service import InsightService
from clm_core.services.review_desk_service import ReviewDeskService
from clm_core.services.signature_service import SignatureService
from clm_core.settings import ClmSettings
from clm_core.store import migrate
from clm_core.store.database import create_db_engine, create_session_factory


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Clm:
    """Everything the CLI, the API and tests use."""

    settings: ClmSettings
    engine: Engine
    context: ServiceContext
    contracts: ContractService
    approvals: ApprovalService
    signatures: SignatureService
    after_execution: AfterExecutionService
    expiry_job: ExpiryJob
    insights: InsightService
    ledger: ErpLedger
    outbox: OutboxDispatcher
    access: AccessService
    review_desk: ReviewDeskService

    def migrate(self) -> None:
        migrate.upgrade(self.engine)

    def seed(self) -> SeedReport:
        with self.context.session_factory() as session, session.begin():
            return load_seed(session, self.settings.seed_dir, now=self.context.clock())

    def verify_audit(self) -> audit_log.ChainVerification:
        with self.context.session_factory() as session:
            return audit_log.verify(session)

    def close(self) -> None:
        self.engine.dispose()


def _default_reviewer() -> RiskReviewer:
    from clm_core.reviewer_adapter import RiskCopilotReviewer

    return RiskCopilotReviewer()


def _default_channel(settings: ClmSettings) -> NotificationChannel:
    if settings.notification_maildir is not None:
        return MaildirChannel(settings.notification_maildir)
    return NullChannel()


def build_clm(settings: ClmSettings | None = None, *, reviewer: RiskReviewer | None = None,
              clock: Callable[[], datetime] = utc_now, connector: ErpConnector | None = None,
              signature_provider: SignatureProvider | None = None,
              channel: NotificationChannel | None = None, engine: Engine | None = None) -> Clm:
    settings = settings or ClmSettings()
    engine = engine or create_db_engine(settings.database_url)
    sessions = create_session_factory(engine)
    provider = signature_provider or BuiltinSignatureProvider(
        settings.signing_secret, timedelta(hours=settings.signing_token_ttl_hours))
    ctx = ServiceContext(session_factory=sessions, settings=settings, clock=clock,
                         reviewer=reviewer or _default_reviewer(), signature_provider=provider,
                         channel=channel or _default_channel(settings))
    ledger = ErpLedger(sessions, clock)
    dispatcher = OutboxDispatcher(sessions, connector or LedgerConnector(ledger), clock,
                                  max_attempts=settings.outbox_max_attempts,
                                  base_delay=settings.outbox_base_delay_seconds,
                                  max_delay=settings.outbox_max_delay_seconds)
    return Clm(settings, engine, ctx, ContractService(ctx), ApprovalService(ctx), SignatureService(ctx),
               AfterExecutionService(ctx), ExpiryJob(ctx), InsightService(ctx), ledger, dispatcher,
               AccessService(ctx), ReviewDeskService(ctx))
