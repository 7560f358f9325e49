"""Catalog and organisation data: contract types, templates, clauses, playbooks, vendors and master
data, notifications, saved searches, reports, audit verification, outbox dispatch."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from api.auth import current_principal, require_action, services
from api.errors import ApiError
from api.schemas import RowId, errors
from api.services import AppServices
from clm_core import actions as A
from clm_core.services.access_service import Principal
from clm_core.store import tables as t

router = APIRouter(prefix="/v1", tags=["catalog"])
VIEW = require_action(A.CONTRACT_VIEW)


def _read(svc: AppServices):
    return svc.clm.context.session_factory()


@router.get("/contract-types", responses=errors(401, 403), summary="Contract types and their attributes")
def contract_types(svc: AppServices = Depends(services), _: Principal = Depends(VIEW)) -> list[dict[str, Any]]:
    with _read(svc) as s:
        return [{"code": c.code, "name": c.name, "playbook": c.playbook, "has_lines": c.has_lines,
                 "attributes": c.attributes} for c in s.scalars(select(t.ContractType).order_by(t.ContractType.code))]


@router.get("/templates", responses=errors(401, 403), summary="Contract templates")
def templates(svc: AppServices = Depends(services), _: Principal = Depends(VIEW)) -> list[dict[str, Any]]:
    with _read(svc) as s:
        return [{"key": x.key, "contract_type": x.contract_type, "title": x.title, "version": x.version}
                for x in s.scalars(select(t.Template).order_by(t.Template.key))]


@router.get("/templates/{key}", responses=errors(401, 403, 404), summary="One template with its specification")
def template(key: str, svc: AppServices = Depends(services), _: Principal = Depends(VIEW)) -> dict[str, Any]:
    with _read(svc) as s:
        x = s.get(t.Template, key)
        if x is None:
            raise ApiError(404, "not_found", f"template {key} not found")
        return {"key": x.key, "contract_type": x.contract_type, "title": x.title, "version": x.version, "spec": x.spec}


@router.get("/clauses", responses=errors(401, 403), summary="The clause library (standard and fallback variants)")
def clauses(contract_type: str | None = None, svc: AppServices = Depends(services),
            _: Principal = Depends(VIEW)) -> list[dict[str, Any]]:
    with _read(svc) as s:
        q = select(t.Clause).order_by(t.Clause.contract_type, t.Clause.key, t.Clause.variant)
        if contract_type:
            q = q.where(t.Clause.contract_type == contract_type)
        return [{"key": c.key, "variant": c.variant, "contract_type": c.contract_type, "heading": c.heading,
                 "category": c.category, "body": c.body} for c in s.scalars(q)]


# --- playbooks --------------------------------------------------------------------------------------

def _builtin(svc: AppServices) -> dict[str, Any]:
    from risk_copilot.playbook import load_playbook

    out = {}
    for path in sorted(svc.engine.settings.playbook_dir.glob("*.yaml")):
        pb = load_playbook(path)
        out[pb.id] = (pb, path)
    return out


@router.get("/playbooks", responses=errors(401, 403), summary="Built-in and uploaded playbooks")
def playbooks(svc: AppServices = Depends(services), principal: Principal = Depends(VIEW)) -> list[dict[str, Any]]:
    builtin = [{"id": pb.id, "version": str(pb.version), "contract_type": pb.contract_type, "source": "built-in",
                "parameters": len(pb.parameters)} for pb, _ in _builtin(svc).values()]
    return builtin + svc.clm.review_desk.playbooks(principal.username)


@router.get("/playbooks/{playbook_id}", response_class=Response, responses=errors(401, 403, 404),
            summary="A playbook's YAML (uploaded newest first, else built-in); ?version= for one version")
def playbook(playbook_id: str, version: str | None = None, svc: AppServices = Depends(services),
             principal: Principal = Depends(VIEW)) -> Response:
    text = svc.clm.review_desk.playbook_yaml(principal.username, playbook_id, version)
    if text is None:
        found = _builtin(svc).get(playbook_id)
        if found is None or (version and str(found[0].version) != version):
            raise ApiError(404, "not_found", f"playbook {playbook_id} not found")
        text = found[1].read_text(encoding="utf-8")
    return Response(text, media_type="application/yaml")


@router.post("/playbooks", status_code=201, responses=errors(401, 403, 409, 413, 415, 422),
             openapi_extra={"requestBody": {"required": True, "content": {"application/yaml": {
                 "schema": {"type": "string"}, "example": "id: procurement\nversion: '4'\ncontract_type: procurement\n..."}}}},
             summary="Upload a new playbook version (validated; errors name the file line)")
async def upload_playbook(request: Request, svc: AppServices = Depends(services),
                          principal: Principal = Depends(require_action(A.MASTER_DATA_MANAGE))) -> dict[str, Any]:
    from risk_copilot.playbook import parse_playbook

    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in ("application/yaml", "application/x-yaml", "text/yaml", "text/plain"):
        raise ApiError(415, "unsupported_media_type", "send the playbook as application/yaml")
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(422, "invalid_playbook", "the playbook is not UTF-8 text") from None
    pb = parse_playbook(text, source="uploaded.yaml")  # PlaybookError -> 422 with file:line
    return svc.clm.review_desk.save_playbook(principal.username, playbook_id=pb.id, version=str(pb.version),
                                             contract_type=pb.contract_type, yaml_text=text)


# --- vendors and master data ---------------------------------------------------------------------------

class VendorIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "code": "MERIDIAN", "name": "Meridian Lab Supply Co.", "legal_description": "a Massachusetts corporation",
        "contact_name": "Maria Vendor", "contact_email": "maria@meridian.example", "currency": "USD"}]})
    code: str = Field(..., pattern=r"^[A-Za-z0-9_\-]{1,64}$")
    name: str = Field(..., min_length=1, max_length=200)
    legal_description: str = "a corporation"
    contact_name: str = ""
    contact_email: str = ""
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")


@router.get("/vendors", responses=errors(401, 403), summary="Vendors of your organisation")
def vendors(svc: AppServices = Depends(services), principal: Principal = Depends(VIEW)) -> list[dict[str, Any]]:
    with _read(svc) as s:
        return [{"id": v.id, "code": v.code, "name": v.name, "contact_email": v.contact_email, "currency": v.currency}
                for v in s.scalars(select(t.Vendor).where(t.Vendor.organisation_id == principal.organisation_id)
                                   .order_by(t.Vendor.code))]


@router.post("/vendors", status_code=201, responses=errors(401, 403, 422), summary="Create a vendor")
def create_vendor(body: VendorIn, svc: AppServices = Depends(services),
                  principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    vid = svc.clm.contracts.create_vendor(principal.username, **body.model_dump())
    return {"id": vid, **body.model_dump()}


@router.get("/master-data", responses=errors(401, 403), summary="Currencies, payment terms, reasons, roles")
def master_data(svc: AppServices = Depends(services), _: Principal = Depends(VIEW)) -> dict[str, Any]:
    with _read(svc) as s:
        return {
            "currencies": [{"code": c.code, "name": c.name} for c in s.scalars(select(t.Currency))],
            "payment_terms": [{"code": p.code, "days": p.days, "description": p.description}
                              for p in s.scalars(select(t.PaymentTerm))],
            "reasons": [{"code": r.code, "kind": r.kind, "text": r.text} for r in s.scalars(select(t.Reason))],
            "roles": [{"code": r.code, "name": r.name,
                       "actions": sorted(s.scalars(select(t.RoleAction.action).where(t.RoleAction.role_code == r.code)))}
                      for r in s.scalars(select(t.Role))],
        }


# --- notifications, saved searches, reports, audit -------------------------------------------------------

@router.get("/notifications", tags=["insight"], responses=errors(401), summary="Your notification inbox")
def notifications(unread_only: bool = False, svc: AppServices = Depends(services),
                  principal: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    return svc.clm.insights.inbox(principal.username, unread_only=unread_only)


@router.post("/notifications/{notification_id}/read", tags=["insight"], responses=errors(401, 404),
             summary="Mark a notification read")
def mark_read(notification_id: RowId, svc: AppServices = Depends(services),
              principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    svc.clm.insights.mark_read(principal.username, notification_id)
    return {"id": notification_id, "read": True}


class SavedSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"criteria": {"contract_type": "procurement", "min_risk_score": 40}}]})
    criteria: dict[str, Any]


@router.put("/saved-searches/{name}", tags=["insight"], responses=errors(401, 403, 422), summary="Save a search")
def save_search(name: str, body: SavedSearchIn, svc: AppServices = Depends(services),
                principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    return {"id": svc.clm.insights.save_search(principal.username, name, body.criteria), "name": name}


@router.get("/saved-searches/{name}/results", tags=["insight"], responses=errors(401, 403, 404),
            summary="Run a saved search")
def run_search(name: str, svc: AppServices = Depends(services),
               principal: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    return svc.clm.insights.run_saved_search(principal.username, name)


@router.get("/reports/{code}", tags=["insight"], responses=errors(401, 403, 404), summary="Run a report")
def report(code: str, svc: AppServices = Depends(services),
           principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    return svc.clm.insights.run_report(principal.username, code)


@router.get("/audit/verify", tags=["insight"], responses=errors(401, 403), summary="Verify the audit hash chain")
def audit_verify(svc: AppServices = Depends(services),
                 _: Principal = Depends(require_action(A.AUDIT_VERIFY))) -> dict[str, Any]:
    check = svc.clm.verify_audit()
    import dataclasses

    return dataclasses.asdict(check)


@router.post("/outbox/dispatch", tags=["operations"], responses=errors(401, 403),
             summary="Deliver due outbox messages to the ERP now (normally automatic)")
def outbox_dispatch(svc: AppServices = Depends(services),
                    _: Principal = Depends(require_action(A.MASTER_DATA_MANAGE))) -> dict[str, Any]:
    import dataclasses

    return dataclasses.asdict(svc.clm.outbox.dispatch_due())
