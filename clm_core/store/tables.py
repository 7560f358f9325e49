"""SQLAlchemy 2 tables of the lifecycle (ORM-mapped). Migrations live in ``migrations/``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, MetaData,
                        Numeric, String, Text, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from clm_core.store.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Money = Numeric(18, 4, asdecimal=True)
Qty = Numeric(18, 4, asdecimal=True)
TS = UTCDateTime()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# --- master data and configuration -------------------------------------------------

class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Role(Base):
    __tablename__ = "roles"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class RoleAction(Base):
    __tablename__ = "role_actions"
    role_code: Mapped[str] = mapped_column(ForeignKey("roles.code"), primary_key=True)
    action: Mapped[str] = mapped_column(String(64), primary_key=True)


class Vendor(Base):
    __tablename__ = "vendors"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    legal_description: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    __table_args__ = (UniqueConstraint("organisation_id", "code", name="uq_vendors_org_code"),)


class Currency(Base):
    __tablename__ = "currencies"
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class PaymentTerm(Base):
    __tablename__ = "payment_terms"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))


class ContractType(Base):
    __tablename__ = "contract_types"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    playbook: Mapped[str] = mapped_column(String(64))
    has_lines: Mapped[bool] = mapped_column(Boolean, default=False)
    attributes: Mapped[list[dict]] = mapped_column(JSON, default=list)


class Template(Base):
    __tablename__ = "templates"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    contract_type: Mapped[str] = mapped_column(ForeignKey("contract_types.code"))
    title: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    spec: Mapped[dict] = mapped_column(JSON)  # preamble, slots, signature block


class Clause(Base):
    __tablename__ = "clauses"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(32))
    contract_type: Mapped[str] = mapped_column(ForeignKey("contract_types.code"))
    heading: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64), default="")
    body: Mapped[str] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("contract_type", "key", "variant", name="uq_clauses_type_key_variant"),)


class Rule(Base):
    """A data rule: clause selection (``include_clause``) or approval (``require_approval``)."""

    __tablename__ = "rules"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    contract_type: Mapped[str] = mapped_column(ForeignKey("contract_types.code"))
    effect: Mapped[str] = mapped_column(String(32))
    condition: Mapped[dict] = mapped_column(JSON)
    params: Mapped[dict] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(String(300), default="")


class Reason(Base):
    __tablename__ = "reasons"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # reject | terminate | risk_acceptance | hold | decline | void
    text: Mapped[str] = mapped_column(String(300))


class NotificationTemplate(Base):
    __tablename__ = "notification_templates"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)


class ReportDefinition(Base):
    __tablename__ = "report_definitions"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict] = mapped_column(JSON, default=dict)


# --- contracts ------------------------------------------------------------------------

class Contract(Base):
    __tablename__ = "contracts"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    contract_type: Mapped[str] = mapped_column(ForeignKey("contract_types.code"))
    template_key: Mapped[str] = mapped_column(ForeignKey("templates.key"))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(40), index=True)
    held_from: Mapped[str | None] = mapped_column(String(40), nullable=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"), nullable=True)
    nda_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)  # mutual | one_way
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    total_value: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    effective_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    expiry_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    renewal_notice_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    variant_choices: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    current_version_no: Mapped[int] = mapped_column(Integer, default=0)
    executed_version_no: Mapped[int | None] = mapped_column(Integer, nullable=True)
    amendment_no: Mapped[int] = mapped_column(Integer, default=0)
    agreement_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    risk_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    review_decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    termination_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(TS)
    updated_at: Mapped[datetime] = mapped_column(TS)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": lock_version}

    lines: Mapped[list[ContractLine]] = relationship(
        order_by="ContractLine.line_no", cascade="all, delete-orphan", back_populates="contract")


class ContractLine(Base):
    __tablename__ = "contract_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(64))
    unit_price: Mapped[Decimal] = mapped_column(Money)
    quantity: Mapped[Decimal] = mapped_column(Qty)
    currency: Mapped[str] = mapped_column(String(3))
    contract: Mapped[Contract] = relationship(back_populates="lines")


class ContractVersion(Base):
    __tablename__ = "contract_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    body_markdown: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    terms: Mapped[dict] = mapped_column(JSON)  # attributes, lines, dates at this version
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(TS)
    __table_args__ = (UniqueConstraint("contract_id", "version_no", name="uq_contract_versions_no"),)


class TeamMember(Base):
    __tablename__ = "contract_team_members"
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(64))


class AttachedDocument(Base):
    __tablename__ = "contract_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(TS)


class StatusChange(Base):
    __tablename__ = "contract_status_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str] = mapped_column(String(40))
    to_status: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    at: Mapped[datetime] = mapped_column(TS)


class Review(Base):
    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    review_id: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))
    risk_score: Mapped[int] = mapped_column(Integer)
    approvers: Mapped[list[str]] = mapped_column(JSON)
    playbook_id: Mapped[str] = mapped_column(String(64))
    playbook_version: Mapped[str] = mapped_column(String(32))
    document_sha256: Mapped[str] = mapped_column(String(64))
    raw: Mapped[dict] = mapped_column(JSON)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(TS)
    findings: Mapped[list[ReviewFindingRow]] = relationship(order_by="ReviewFindingRow.id")


class ReviewFindingRow(Base):
    __tablename__ = "review_findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_pk: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    finding_id: Mapped[str] = mapped_column(String(32))
    parameter: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    approver_role: Mapped[str | None] = mapped_column(String(64), nullable=True)
    flagged: Mapped[bool] = mapped_column(Boolean)
    evidence_text: Mapped[str] = mapped_column(Text, default="")
    accepted_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    acceptance_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acceptance_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    original_severity: Mapped[str | None] = mapped_column(String(16), nullable=True)
    severity_changed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    severity_change_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": lock_version}


class ApprovalStep(Base):
    __tablename__ = "approval_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    review_pk: Mapped[int] = mapped_column(ForeignKey("reviews.id"))
    role: Mapped[str] = mapped_column(String(64))
    sources: Mapped[list[str]] = mapped_column(JSON)  # finding ids / rule keys that require it
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending approved rejected superseded
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": lock_version}


# --- signatures ------------------------------------------------------------------------

class Envelope(Base):
    __tablename__ = "esign_envelopes"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    document_sha256: Mapped[str] = mapped_column(String(64))
    status_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(TS)
    updated_at: Mapped[datetime] = mapped_column(TS)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": lock_version}
    signers: Mapped[list[EnvelopeSigner]] = relationship(order_by="EnvelopeSigner.routing_order")


class EnvelopeSigner(Base):
    __tablename__ = "esign_signers"
    id: Mapped[int] = mapped_column(primary_key=True)
    envelope_id: Mapped[str] = mapped_column(ForeignKey("esign_envelopes.id"), index=True)
    routing_order: Mapped[int] = mapped_column(Integer)
    side: Mapped[str] = mapped_column(String(16))  # external | internal
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="created")  # created sent delivered signed declined
    delivered_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    signed_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    signed_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    signature: Mapped[str | None] = mapped_column(String(64), nullable=True)
    declined_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)


# --- outbox, notifications, searches, audit ---------------------------------------------

class OutboxMessage(Base):
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    topic: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending sent dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(TS)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(TS)
    sent_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": lock_version}


class Notification(Base):
    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    template_code: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), nullable=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(TS)
    read_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)


class SavedSearch(Base):
    __tablename__ = "saved_searches"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    criteria: Mapped[dict] = mapped_column(JSON)
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_searches_user_name"),)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(TS)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row: the chain's last sequence number and hash (locked by every append)."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


# --- the built-in ERP ledger (a separate system that happens to share the database) ------

class ErpAgreement(Base):
    __tablename__ = "erp_purchase_agreements"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    contract_number: Mapped[str] = mapped_column(String(32), unique=True)
    vendor_code: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    effective_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    expiry_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(TS)
    lines: Mapped[list[ErpAgreementLine]] = relationship(
        order_by="ErpAgreementLine.line_no", cascade="all, delete-orphan")


class ErpAgreementLine(Base):
    __tablename__ = "erp_agreement_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("erp_purchase_agreements.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(64))
    unit_price: Mapped[Decimal] = mapped_column(Money)
    quantity: Mapped[Decimal] = mapped_column(Qty)
    released_quantity: Mapped[Decimal] = mapped_column(Qty, default=Decimal("0"))


class ErpAgreementHistory(Base):
    __tablename__ = "erp_agreement_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("erp_purchase_agreements.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(32))
    snapshot: Mapped[dict] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(TS)


class ErpReleaseOrder(Base):
    __tablename__ = "erp_release_orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("erp_purchase_agreements.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[Decimal] = mapped_column(Qty)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    at: Mapped[datetime] = mapped_column(TS)


class ErpProcessedMessage(Base):
    """Idempotency keys the ledger has applied, with the result it returned."""

    __tablename__ = "erp_processed_messages"
    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    result: Mapped[dict] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(TS)


# --- access: API tokens, web passwords and sessions; standalone reviews; uploaded playbooks --

class ApiToken(Base):
    """An API token: only its sha256 is stored; ``prefix`` identifies it in listings."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(TS)
    expires_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)


class UserCredential(Base):
    """The web-login password of a user (scrypt hash with its salt and parameters)."""

    __tablename__ = "user_credentials"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(TS)


class WebSession(Base):
    """A login session of the reviewer page: the cookie value's sha256 and its CSRF token."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TS)
    expires_at: Mapped[datetime] = mapped_column(TS)


class StandaloneReview(Base):
    """A review asked for through the review API (not tied to a lifecycle contract)."""

    __tablename__ = "standalone_reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(32))  # review | approval_check
    contract_type: Mapped[str] = mapped_column(String(32))
    document_name: Mapped[str] = mapped_column(String(300))
    document_sha256: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))
    risk_score: Mapped[int] = mapped_column(Integer)
    raw: Mapped[dict] = mapped_column(JSON)  # the review JSON with the ingested text
    created_at: Mapped[datetime] = mapped_column(TS)


class PlaybookVersion(Base):
    """A playbook uploaded by an organisation (validated YAML); the built-in ones live in corpora/."""

    __tablename__ = "playbook_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    playbook_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    contract_type: Mapped[str] = mapped_column(String(32))
    yaml_text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TS)
    __table_args__ = (UniqueConstraint("organisation_id", "playbook_id", "version", name="uq_playbook_versions_org_id_version"),)
