"""Repositories: the queries the services need, one class per aggregate."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clm_core.errors import NotFound
from clm_core.store import tables as t


class _Repo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Any) -> Any:
        self.session.add(row)
        return row


class ContractRepository(_Repo):
    def get(self, contract_id: int) -> t.Contract:
        row = self.session.get(t.Contract, contract_id)
        if row is None:
            raise NotFound(f"contract {contract_id} not found", details={"contract_id": contract_id})
        return row

    def by_number(self, number: str) -> t.Contract:
        row = self.session.scalar(select(t.Contract).where(t.Contract.number == number))
        if row is None:
            raise NotFound(f"contract {number} not found", details={"number": number})
        return row

    @staticmethod
    def number_for(contract_type: str, contract_id: int) -> str:
        prefix = {"procurement": "PC", "nda": "NDA"}.get(contract_type, "C")
        return f"{prefix}-{contract_id:06d}"

    def version(self, contract_id: int, version_no: int) -> t.ContractVersion:
        row = self.session.scalar(select(t.ContractVersion).where(
            t.ContractVersion.contract_id == contract_id, t.ContractVersion.version_no == version_no))
        if row is None:
            raise NotFound(f"version {version_no} of contract {contract_id} not found")
        return row

    def versions(self, contract_id: int) -> list[t.ContractVersion]:
        return list(self.session.scalars(select(t.ContractVersion).where(
            t.ContractVersion.contract_id == contract_id).order_by(t.ContractVersion.version_no)))

    def history(self, contract_id: int) -> list[t.StatusChange]:
        return list(self.session.scalars(select(t.StatusChange).where(
            t.StatusChange.contract_id == contract_id).order_by(t.StatusChange.id)))

    def search(self, organisation_id: int, criteria: dict[str, Any]) -> list[t.Contract]:
        q = select(t.Contract).where(t.Contract.organisation_id == organisation_id)
        if criteria.get("status"):
            statuses = criteria["status"]
            q = q.where(t.Contract.status.in_([statuses] if isinstance(statuses, str) else statuses))
        if criteria.get("contract_type"):
            q = q.where(t.Contract.contract_type == criteria["contract_type"])
        if criteria.get("vendor_id"):
            q = q.where(t.Contract.vendor_id == criteria["vendor_id"])
        if criteria.get("owner_id"):
            q = q.where(t.Contract.owner_id == criteria["owner_id"])
        if criteria.get("text"):
            q = q.where(t.Contract.title.ilike(f"%{criteria['text']}%"))
        if criteria.get("min_value") is not None:
            q = q.where(t.Contract.total_value >= criteria["min_value"])
        if criteria.get("min_risk_score") is not None:
            q = q.where(t.Contract.risk_score >= criteria["min_risk_score"])
        if criteria.get("expires_before"):
            q = q.where(t.Contract.expiry_date <= date.fromisoformat(str(criteria["expires_before"])))
        return list(self.session.scalars(q.order_by(t.Contract.id)))

    def in_force_with_expiry(self) -> list[t.Contract]:
        """Contracts in force: Executed, or executed before and now being amended or on hold."""
        return list(self.session.scalars(select(t.Contract).where(
            t.Contract.expiry_date.is_not(None), t.Contract.executed_version_no.is_not(None),
            t.Contract.status.not_in(("Terminated", "Expired", "Cancelled"))).order_by(t.Contract.id)))


class ReviewRepository(_Repo):
    def current(self, contract_id: int) -> t.Review | None:
        return self.session.scalar(select(t.Review).where(
            t.Review.contract_id == contract_id, t.Review.is_current.is_(True)).order_by(t.Review.id.desc()))

    def all_for(self, contract_id: int) -> list[t.Review]:
        return list(self.session.scalars(select(t.Review).where(
            t.Review.contract_id == contract_id).order_by(t.Review.id)))

    def finding(self, review_pk: int, finding_id: str) -> t.ReviewFindingRow:
        row = self.session.scalar(select(t.ReviewFindingRow).where(
            t.ReviewFindingRow.review_pk == review_pk, t.ReviewFindingRow.finding_id == finding_id))
        if row is None:
            raise NotFound(f"finding {finding_id} not found in the current review")
        return row

    def steps(self, contract_id: int, *, review_pk: int | None = None) -> list[t.ApprovalStep]:
        q = select(t.ApprovalStep).where(t.ApprovalStep.contract_id == contract_id)
        if review_pk is not None:
            q = q.where(t.ApprovalStep.review_pk == review_pk)
        return list(self.session.scalars(q.order_by(t.ApprovalStep.id)))

    def open_steps(self, organisation_id: int) -> list[t.ApprovalStep]:
        return list(self.session.scalars(
            select(t.ApprovalStep).join(t.Contract, t.Contract.id == t.ApprovalStep.contract_id)
            .where(t.Contract.organisation_id == organisation_id, t.ApprovalStep.status == "pending")
            .order_by(t.ApprovalStep.id)))


class DirectoryRepository(_Repo):
    """Users, roles, organisations, vendors and other master data."""

    def user(self, username: str) -> t.User:
        row = self.session.scalar(select(t.User).where(t.User.username == username))
        if row is None or not row.active:
            raise NotFound(f"user {username!r} not found", details={"username": username})
        return row

    def user_by_id(self, user_id: int) -> t.User:
        return self.session.get(t.User, user_id)

    def users_with_role(self, organisation_id: int, role: str) -> list[t.User]:
        users = self.session.scalars(select(t.User).where(
            t.User.organisation_id == organisation_id, t.User.active.is_(True)).order_by(t.User.id))
        return [u for u in users if role in (u.roles or [])]

    def organisation(self, code: str) -> t.Organisation:
        row = self.session.scalar(select(t.Organisation).where(t.Organisation.code == code))
        if row is None:
            raise NotFound(f"organisation {code!r} not found")
        return row

    def actions_of_roles(self, roles: list[str]) -> set[str]:
        if not roles:
            return set()
        return set(self.session.scalars(select(t.RoleAction.action).where(t.RoleAction.role_code.in_(roles))))

    def vendor(self, vendor_id: int) -> t.Vendor:
        row = self.session.get(t.Vendor, vendor_id)
        if row is None:
            raise NotFound(f"vendor {vendor_id} not found")
        return row

    def vendor_by_code(self, organisation_id: int, code: str) -> t.Vendor | None:
        return self.session.scalar(select(t.Vendor).where(
            t.Vendor.organisation_id == organisation_id, t.Vendor.code == code))

    def reason(self, code: str, kind: str) -> t.Reason:
        row = self.session.get(t.Reason, code)
        if row is None or row.kind != kind:
            from clm_core.errors import ValidationFailed
            valid = list(self.session.scalars(select(t.Reason.code).where(t.Reason.kind == kind)))
            raise ValidationFailed(f"unknown {kind} reason {code!r}", details={"valid_reasons": valid})
        return row

    def currency(self, code: str) -> t.Currency | None:
        return self.session.get(t.Currency, code)


class CatalogRepository(_Repo):
    """Contract types, templates, clauses and rules."""

    def contract_type(self, code: str) -> t.ContractType:
        row = self.session.get(t.ContractType, code)
        if row is None:
            raise NotFound(f"contract type {code!r} not found")
        return row

    def template(self, key: str) -> t.Template:
        row = self.session.get(t.Template, key)
        if row is None:
            raise NotFound(f"template {key!r} not found")
        return row

    def clauses(self, contract_type: str) -> list[t.Clause]:
        return list(self.session.scalars(select(t.Clause).where(t.Clause.contract_type == contract_type)))

    def rules(self, contract_type: str, effect: str) -> list[t.Rule]:
        return list(self.session.scalars(select(t.Rule).where(
            t.Rule.contract_type == contract_type, t.Rule.effect == effect).order_by(t.Rule.key)))

    def notification_template(self, code: str) -> t.NotificationTemplate | None:
        return self.session.get(t.NotificationTemplate, code)


class Repositories:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.contracts = ContractRepository(session)
        self.reviews = ReviewRepository(session)
        self.directory = DirectoryRepository(session)
        self.catalog = CatalogRepository(session)
