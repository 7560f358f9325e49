"""Read models returned by the services (plain dataclasses, safe after the session closes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from clm_core.contract_terms import LineItem
from clm_core.store import tables as t


@dataclass(frozen=True)
class ContractView:
    id: int
    number: str
    contract_type: str
    title: str
    status: str
    organisation_id: int
    vendor_id: int | None
    nda_kind: str | None
    currency: str
    total_value: Decimal
    effective_date: date | None
    expiry_date: date | None
    version_no: int
    executed_version_no: int | None
    amendment_no: int
    agreement_number: str | None
    risk_score: int | None
    review_decision: str | None
    lines: tuple[LineItem, ...]
    updated_at: datetime
    lock_version: int  # pass back as ``if_version`` to detect edits made since this was read


def contract_view(c: t.Contract) -> ContractView:
    lines = tuple(LineItem(ln.item, ln.description, ln.unit, ln.unit_price, ln.quantity, ln.currency)
                  for ln in c.lines)
    return ContractView(c.id, c.number, c.contract_type, c.title, c.status, c.organisation_id, c.vendor_id,
                        c.nda_kind, c.currency, c.total_value, c.effective_date, c.expiry_date, c.current_version_no,
                        c.executed_version_no, c.amendment_no, c.agreement_number, c.risk_score,
                        c.review_decision, lines, c.updated_at, c.lock_version)


@dataclass(frozen=True)
class FindingView:
    finding_id: str
    category: str
    kind: str
    severity: str
    title: str
    approver_role: str | None
    flagged: bool
    accepted_by: str | None
    accepted_at: datetime | None
    acceptance_reason: str | None


@dataclass(frozen=True)
class StepView:
    id: int
    role: str
    sources: tuple[str, ...]
    status: str
    decided_by: str | None
    reason: str | None


@dataclass(frozen=True)
class ReviewView:
    review_id: str
    version_no: int
    decision: str
    risk_score: int
    document_sha256: str
    playbook: str
    findings: tuple[FindingView, ...]
    steps: tuple[StepView, ...]


def finding_view(f: t.ReviewFindingRow) -> FindingView:
    return FindingView(f.finding_id, f.category, f.kind, f.severity, f.title, f.approver_role, f.flagged,
                       f.accepted_by, f.accepted_at, f.acceptance_reason)


def step_view(s: t.ApprovalStep) -> StepView:
    return StepView(s.id, s.role, tuple(s.sources), s.status, s.decided_by, s.reason)
