"""Load ``corpora/seed/*.yaml`` into the database; running it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from clm_core import actions as A
from clm_core import audit_log
from clm_core.errors import ValidationFailed
from clm_core.store import tables as t


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _load(seed_dir: Path, name: str) -> dict[str, Any]:
    path = seed_dir / name
    if not path.exists():
        raise ValidationFailed(f"seed file {path} is missing")
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def _upsert(session: Session, report: SeedReport, kind: str, model: type, lookup: dict[str, Any],
            values: dict[str, Any]) -> Any:
    row = session.scalar(select(model).filter_by(**lookup))
    if row is None:
        row = model(**lookup, **values)
        session.add(row)
        report.count(kind, True)
        return row
    if any(getattr(row, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(row, k, v)
        report.count(kind, False)
    return row


def load_seed(session: Session, seed_dir: Path, *, now: datetime) -> SeedReport:
    report = SeedReport()
    master = _load(seed_dir, "master_data.yaml")
    for org in master.get("organisations", []):
        _upsert(session, report, "organisations", t.Organisation, {"code": org["code"]}, {"name": org["name"]})
    for cur in master.get("currencies", []):
        _upsert(session, report, "currencies", t.Currency, {"code": cur["code"]}, {"name": cur["name"]})
    for pt in master.get("payment_terms", []):
        _upsert(session, report, "payment_terms", t.PaymentTerm, {"code": pt["code"]},
                {"days": pt["days"], "description": pt["description"]})
    session.flush()

    roles = _load(seed_dir, "roles.yaml")["roles"]
    for code, spec in roles.items():
        unknown = sorted(set(spec["actions"]) - A.ALL_ACTIONS)
        if unknown:
            raise ValidationFailed(f"role {code} names unknown actions", details={"unknown": unknown})
        _upsert(session, report, "roles", t.Role, {"code": code}, {"name": spec["name"]})
        session.flush()
        for action in spec["actions"]:
            _upsert(session, report, "role_actions", t.RoleAction, {"role_code": code, "action": action}, {})
        for stale in session.scalars(select(t.RoleAction).where(
                t.RoleAction.role_code == code, t.RoleAction.action.not_in(spec["actions"]))):
            session.delete(stale)  # an action removed from roles.yaml is revoked
            report.count("role_actions_revoked", True)
    session.flush()

    orgs = {o.code: o.id for o in session.scalars(select(t.Organisation))}
    for user in master.get("users", []):
        _upsert(session, report, "users", t.User, {"username": user["username"]},
                {"display_name": user["display_name"], "email": user["email"],
                 "organisation_id": orgs[user["organisation"]], "roles": list(user["roles"])})
    for vendor in master.get("vendors", []):
        _upsert(session, report, "vendors", t.Vendor,
                {"organisation_id": orgs[vendor["organisation"]], "code": vendor["code"]},
                {k: vendor[k] for k in ("name", "legal_description", "contact_name", "contact_email", "currency")
                 if k in vendor})

    for ct in _load(seed_dir, "contract_types.yaml")["contract_types"]:
        _upsert(session, report, "contract_types", t.ContractType, {"code": ct["code"]},
                {"name": ct["name"], "playbook": ct["playbook"], "has_lines": bool(ct.get("has_lines")),
                 "attributes": ct["attributes"]})
    session.flush()
    for tpl in _load(seed_dir, "templates.yaml")["templates"]:
        _upsert(session, report, "templates", t.Template, {"key": tpl["key"]},
                {"contract_type": tpl["contract_type"], "title": tpl["title"], "version": tpl["version"],
                 "spec": tpl["spec"]})
    for name in sorted(p.name for p in seed_dir.glob("clauses_*.yaml")):
        lib = _load(seed_dir, name)
        for clause in lib["clauses"]:
            for variant, body in clause["variants"].items():
                _upsert(session, report, "clauses", t.Clause,
                        {"contract_type": lib["contract_type"], "key": clause["key"], "variant": variant},
                        {"heading": clause["heading"], "category": clause.get("category", ""), "body": body})
    for rule in _load(seed_dir, "rules.yaml")["rules"]:
        if rule["effect"] not in ("include_clause", "require_approval"):
            raise ValidationFailed(f"rule {rule['key']} has unknown effect {rule['effect']}")
        _upsert(session, report, "rules", t.Rule, {"key": rule["key"]},
                {"contract_type": rule["contract_type"], "effect": rule["effect"], "condition": rule["condition"],
                 "params": rule["params"], "description": rule.get("description", "")})
    for reason in _load(seed_dir, "reasons.yaml")["reasons"]:
        _upsert(session, report, "reasons", t.Reason, {"code": reason["code"]},
                {"kind": reason["kind"], "text": reason["text"]})
    for nt in _load(seed_dir, "notification_templates.yaml")["notification_templates"]:
        _upsert(session, report, "notification_templates", t.NotificationTemplate, {"code": nt["code"]},
                {"subject": nt["subject"], "body": nt["body"]})
    for rep in _load(seed_dir, "reports.yaml")["reports"]:
        _upsert(session, report, "reports", t.ReportDefinition, {"code": rep["code"]},
                {"name": rep["name"], "kind": rep["kind"], "params": rep.get("params", {})})
    if session.get(t.AuditHead, 1) is None:
        session.add(t.AuditHead(id=1, seq=0, last_hash=audit_log.GENESIS_HASH))
    session.flush()
    if report.changed:
        audit_log.append(session, actor="system", action="seed.loaded", entity="seed", entity_id=str(seed_dir.name),
                         data={"created": report.created, "updated": report.updated}, at=now)
    return report
