"""Reports, saved searches and the notification inbox."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from clm_core import actions as A
from clm_core.errors import NotFound, ValidationFailed
from clm_core.permissions import require, sees_contract
from clm_core.services.context import Service
from clm_core.statuses import ContractStatus
from clm_core.store import tables as t

SEARCH_KEYS = {"status", "contract_type", "vendor_id", "owner_id", "text", "min_value", "min_risk_score",
               "expires_before"}


def _row(c: t.Contract) -> dict[str, Any]:
    return {"number": c.number, "title": c.title, "status": c.status, "type": c.contract_type,
            "value": str(c.total_value), "expiry_date": c.expiry_date.isoformat() if c.expiry_date else None,
            "risk_score": c.risk_score}


class InsightService(Service):
    # --- reports ------------------------------------------------------------------------
    def run_report(self, actor: str, code: str, **overrides: Any) -> dict[str, Any]:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            require(tx.repos, user, A.REPORT_VIEW)
            definition = tx.session.get(t.ReportDefinition, code)
            if definition is None:
                raise NotFound(f"report {code} not found")
            params = {**definition.params, **overrides}
            org = user.organisation_id
            contracts = tx.repos.contracts.search(org, {})
            if definition.kind == "by_status":
                counts = Counter(c.status for c in contracts)
                rows = [{"status": s.value, "count": counts.get(s.value, 0)} for s in ContractStatus]
            elif definition.kind == "expiring":
                horizon = tx.now.date() + timedelta(days=int(params.get("days", 90)))
                rows = [_row(c) for c in contracts if c.status == ContractStatus.EXECUTED and c.expiry_date
                        and tx.now.date() <= c.expiry_date <= horizon]
            elif definition.kind == "open_approvals":
                by_id = {c.id: c for c in contracts}
                rows = [{"number": by_id[s.contract_id].number, "role": s.role, "step_id": s.id}
                        for s in tx.repos.reviews.open_steps(org)]
            elif definition.kind == "high_risk":
                limit = int(params.get("min_risk_score", 40))
                rows = [_row(c) for c in contracts if (c.risk_score or 0) >= limit
                        and c.status not in (ContractStatus.CANCELLED, ContractStatus.TERMINATED)]
            else:
                raise ValidationFailed(f"unknown report kind {definition.kind}")
            return {"code": code, "name": definition.name, "params": params, "rows": rows}

    # --- saved searches -------------------------------------------------------------------
    def save_search(self, actor: str, name: str, criteria: dict[str, Any]) -> int:
        unknown = sorted(set(criteria) - SEARCH_KEYS)
        if unknown:
            raise ValidationFailed("unknown search criteria", details={"unknown": unknown, "known": sorted(SEARCH_KEYS)})
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            require(tx.repos, user, A.CONTRACT_VIEW)
            row = tx.session.scalar(select(t.SavedSearch).where(t.SavedSearch.user_id == user.id,
                                                                t.SavedSearch.name == name))
            if row is None:
                row = t.SavedSearch(user_id=user.id, name=name, criteria=criteria)
                tx.session.add(row)
            else:
                row.criteria = criteria
            tx.flush()
            return row.id

    def run_saved_search(self, actor: str, name: str) -> list[dict[str, Any]]:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            require(tx.repos, user, A.CONTRACT_VIEW)
            row = tx.session.scalar(select(t.SavedSearch).where(t.SavedSearch.user_id == user.id,
                                                                t.SavedSearch.name == name))
            if row is None:
                raise NotFound(f"saved search {name!r} not found")
            rows = tx.repos.contracts.search(user.organisation_id, row.criteria)
            rows = [c for c in rows if sees_contract(user, c)]  # vendor contacts: only their own, as in the list
            return [_row(c) for c in rows]

    # --- inbox -------------------------------------------------------------------------------
    def inbox(self, actor: str, *, unread_only: bool = False) -> list[dict[str, Any]]:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            q = select(t.Notification).where(t.Notification.user_id == user.id)
            if unread_only:
                q = q.where(t.Notification.read_at.is_(None))
            return [{"id": n.id, "template": n.template_code, "subject": n.subject, "body": n.body,
                     "read": n.read_at is not None} for n in tx.session.scalars(q.order_by(t.Notification.id))]

    def mark_read(self, actor: str, notification_id: int) -> None:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            n = tx.session.get(t.Notification, notification_id)
            if n is None or n.user_id != user.id:
                raise NotFound("notification not found")
            n.read_at = tx.now
