"""Lifecycle API: contracts, versions and redlines, submit and approvals, signatures, purchase
agreements and release orders, amendments, termination and expiry reset.

Every contract route first checks that the contract is in the caller's organisation (404 otherwise,
whether it exists elsewhere or not); the services then check the role-action mapping (403)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from api.auth import contract_in_org, current_principal, require_action, services
from api.errors import ApiError
from api.schemas import MAX_DB_INT, RowId, Severity, errors
from api.services import AppServices
from clm_core import actions as A
from clm_core.services.access_service import Principal

router = APIRouter(prefix="/v1", tags=["lifecycle"])
E = errors(400, 401, 403, 404, 409, 422)  # 400: a signature refusal (no open envelope, ...)
UPLOAD_SUFFIXES = (".txt", ".md", ".markdown", ".docx", ".pdf")


def jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {k: jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class ContractOut(Out):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "id": 7, "number": "PC-000007", "contract_type": "procurement", "title": "Lab consumables",
        "status": "Draft", "organisation_id": 1, "vendor_id": 3, "currency": "USD", "total_value": "145920.00",
        "version_no": 1, "risk_score": None, "lock_version": 1, "lines": []}]})
    id: int
    number: str
    contract_type: str
    title: str
    status: str
    version_no: int
    lock_version: int


class LineIn(BaseModel):
    item: str
    description: str = ""
    unit: str
    unit_price: Decimal
    quantity: Decimal


class ContractCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "template_key": "procurement-supply", "title": "Lab consumables", "vendor_id": 3,
        "attributes": {"processes_personal_data": True}, "effective_date": "2026-02-01",
        "lines": [{"item": "TUBE-50", "description": "Centrifuge tubes", "unit": "case", "unit_price": "148.00",
                   "quantity": "240"}], "variant_choices": {"termination": "standard"}}]})
    template_key: str
    title: str = Field(..., min_length=1, max_length=300)
    vendor_id: int = Field(..., ge=1, le=MAX_DB_INT)
    attributes: dict[str, Any] = {}
    effective_date: date
    expiry_date: date | None = None
    lines: list[LineIn] = []
    variant_choices: dict[str, str] = {}
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")


class TermsEdit(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "expiry_date": "2029-02-01", "add_lines": [{"item": "GLV-M", "unit": "box", "unit_price": "9.85",
                                                     "quantity": "6000"}], "if_version": 3}]})
    attributes: dict[str, Any] | None = None
    lines: list[LineIn] | None = None
    add_lines: list[LineIn] | None = None
    variant_choices: dict[str, str] | None = None
    expiry_date: date | None = None
    note: str = "terms edited"
    if_version: int | None = Field(None, description="the lock_version you read; 409 if someone changed it since")


class TextEdit(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "text": "# Supply Agreement\n...", "note": "counterparty markup", "if_version": 3}]})
    text: str = Field(..., min_length=1)
    note: str = "text edited"
    if_version: int | None = None


class ReasonNote(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "business-need",
                                                                              "note": "capped by insurance"}]})
    reason: str = Field(..., min_length=1, description="a reason code of the seeded reasons")
    note: str = ""


class AcceptRisk(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "reason": "mitigated-elsewhere", "note": "covered by the master services agreement, s. 12"}]})
    reason: str = Field(..., min_length=1, description="risk_acceptance reason code")
    note: str = Field(..., min_length=3, description="why the risk is accepted (required)")


class SeverityChange(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "severity": "low", "reason": "supplier is a sole source; exposure is small"}]})
    severity: Severity
    reason: str = Field(..., min_length=5)


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"note": "add gloves"}]})
    note: str = ""


class SignatureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"internal_signer": "abby"}]})
    internal_signer: str


class SignBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"document_sha256": "9f86d0..."}]})
    document_sha256: str = Field(..., min_length=64, max_length=64)


class DeclineBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "wrong entity name"}]})
    reason: str = Field(..., min_length=3)


class ReleaseOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"item": "TUBE-50", "quantity": "10", "unit_price": "148.00"}]})
    item: str
    quantity: Decimal
    unit_price: Decimal


class ExpiryReset(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"new_expiry": "2030-01-31",
                                                                              "note": "renewed for 1 year"}]})
    new_expiry: date
    note: str = ""


class TeamMemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"username": "lena",
                                                                              "role": "reviewer"}]})
    username: str
    role: str = Field(..., min_length=1, max_length=64)


def _guard(svc: AppServices, principal: Principal, contract_id: RowId) -> str:
    contract_in_org(svc, principal, contract_id)
    return principal.username


def _contract(view) -> dict[str, Any]:
    return jsonable(view)


def _dispatch(svc: AppServices) -> None:
    """Deliver outbox messages now (the ERP ledger is local); failures stay queued for retry."""
    try:
        svc.clm.outbox.dispatch_due()
    except Exception:
        svc.logger.warning("outbox dispatch failed; messages stay queued", exc_info=True)


# --- contracts --------------------------------------------------------------------------------

@router.get("/contracts", responses=errors(401, 403), summary="Contracts of your organisation, with risk scores")
def list_contracts(status: list[str] | None = Query(None, examples=["WaitingForApproval"]),
                   contract_type: str | None = Query(None, examples=["procurement"]),
                   min_risk_score: int | None = Query(None, ge=0, le=100), q: str | None = Query(None, max_length=100),
                   svc: AppServices = Depends(services),
                   principal: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    criteria = {"status": status, "contract_type": contract_type, "min_risk_score": min_risk_score, "text": q}
    return svc.clm.review_desk.list_contracts(principal.username, {k: v for k, v in criteria.items() if v})


@router.post("/contracts", response_model=ContractOut, status_code=201, responses=E,
             summary="Author a contract from a template")
def create_contract(body: ContractCreate, svc: AppServices = Depends(services),
                    principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    view = svc.clm.contracts.create_contract(
        principal.username, template_key=body.template_key, title=body.title, vendor_id=body.vendor_id,
        attributes=body.attributes, effective_date=body.effective_date, expiry_date=body.expiry_date,
        lines=[ln.model_dump(mode="json") for ln in body.lines], variant_choices=body.variant_choices,
        currency=body.currency)
    return _contract(view)


async def ingest_upload(svc: AppServices, file: UploadFile) -> tuple[str, str]:
    """The text to store for an uploaded contract (Markdown/TXT as written; DOCX/PDF as extracted)."""
    import anyio
    from risk_copilot.ingest import ingest_bytes

    name = file.filename or "upload"
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise ApiError(415, "unsupported_format", f"{name}: send TXT, Markdown, DOCX or PDF",
                       {"accepted": list(UPLOAD_SUFFIXES)})
    data = await file.read()
    document = await anyio.to_thread.run_sync(
        lambda: ingest_bytes(data, name, max_bytes=svc.settings.max_upload_bytes))
    if document.format in ("md", "txt"):
        try:
            return data.decode("utf-8-sig").replace("\r\n", "\n"), name
        except UnicodeDecodeError:
            pass
    return document.text, name


@router.post("/contracts/import", response_model=ContractOut, status_code=201, responses=errors(401, 403, 413, 415, 422),
             summary="Import a counterparty's document (TXT, Markdown, DOCX, PDF) as a new Draft contract")
async def import_contract(file: UploadFile = File(...), contract_type: str = Form(..., examples=["procurement"]),
                          title: str = Form("", max_length=300),
                          vendor_id: int | None = Form(None, ge=1, le=MAX_DB_INT),
                          submit: bool = Form(False, description="submit for review and approval at once"),
                          svc: AppServices = Depends(services),
                          principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    import anyio

    if not principal.may(A.CONTRACT_CREATE):
        raise ApiError(403, "permission_denied", f"your roles may not {A.CONTRACT_CREATE}")
    text, name = await ingest_upload(svc, file)
    view = await anyio.to_thread.run_sync(lambda: svc.clm.review_desk.import_document(
        principal.username, contract_type=contract_type, title=title or name, text=text, source_name=name,
        vendor_id=vendor_id))
    if submit:
        await anyio.to_thread.run_sync(lambda: svc.clm.approvals.submit(principal.username, view.id),
                                       limiter=svc.review_limiter)
        view = svc.clm.contracts.get(principal.username, view.id)
    return _contract(view)


@router.get("/contracts/{contract_id}", response_model=ContractOut, responses=E, summary="One contract")
def get_contract(contract_id: RowId, svc: AppServices = Depends(services),
                 principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    return _contract(svc.clm.contracts.get(_guard(svc, principal, contract_id), contract_id))


@router.patch("/contracts/{contract_id}/terms", response_model=ContractOut, responses=E,
              summary="Edit attributes, lines, clause variants or dates of a Draft (new version)")
def edit_terms(contract_id: RowId, body: TermsEdit, svc: AppServices = Depends(services),
               principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    dump = lambda lines: None if lines is None else [ln.model_dump(mode="json") for ln in lines]  # noqa: E731
    return _contract(svc.clm.contracts.edit_terms(
        _guard(svc, principal, contract_id), contract_id, attributes=body.attributes, lines=dump(body.lines),
        add_lines=dump(body.add_lines), variant_choices=body.variant_choices, expiry_date=body.expiry_date,
        note=body.note, if_version=body.if_version))


@router.put("/contracts/{contract_id}/text", response_model=ContractOut, responses=E,
            summary="Replace the negotiated text of a Draft (new version)")
def edit_text(contract_id: RowId, body: TextEdit, svc: AppServices = Depends(services),
              principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    return _contract(svc.clm.contracts.edit_text(_guard(svc, principal, contract_id), contract_id, body.text,
                                                 note=body.note, if_version=body.if_version))


@router.get("/contracts/{contract_id}/versions", responses=E, summary="Versions of a contract")
def versions(contract_id: RowId, svc: AppServices = Depends(services),
             principal: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    rows = svc.clm.contracts.versions(_guard(svc, principal, contract_id), contract_id)
    return [jsonable({k: v for k, v in r.items() if k != "terms"} | {"created_at": r["created_at"].isoformat()})
            for r in rows]


@router.get("/contracts/{contract_id}/versions/{version_no}/text", response_class=Response, responses=E,
            summary="The text of one version (Markdown)")
def version_text(contract_id: RowId, version_no: RowId, svc: AppServices = Depends(services),
                 principal: Principal = Depends(current_principal)) -> Response:
    text = svc.clm.contracts.text(_guard(svc, principal, contract_id), contract_id, version_no)
    return Response(text, media_type="text/markdown; charset=utf-8")


@router.get("/contracts/{contract_id}/redline", responses=E, summary="Word-level redline between two versions")
def redline(contract_id: RowId, from_version: int = Query(..., alias="from", ge=1, le=MAX_DB_INT),
            to_version: int = Query(..., alias="to", ge=1, le=MAX_DB_INT), svc: AppServices = Depends(services),
            principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    diff = svc.clm.contracts.redline(_guard(svc, principal, contract_id), contract_id, from_version, to_version)
    return {"from": from_version, "to": to_version, **jsonable(diff)}


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/contracts/{contract_id}/redline.docx", response_class=Response, responses=E,
            summary="Redline as DOCX with tracked changes")
def redline_docx(contract_id: RowId, from_version: int = Query(..., alias="from", ge=1, le=MAX_DB_INT),
                 to_version: int = Query(..., alias="to", ge=1, le=MAX_DB_INT), svc: AppServices = Depends(services),
                 principal: Principal = Depends(current_principal)) -> Response:
    data = svc.clm.contracts.export_redline_docx(_guard(svc, principal, contract_id), contract_id, from_version,
                                                 to_version)
    return Response(data, media_type=DOCX, headers={
        "content-disposition": f'attachment; filename="contract-{contract_id}-v{from_version}-v{to_version}.docx"'})


@router.get("/contracts/{contract_id}/document.docx", response_class=Response, responses=E,
            summary="A version rendered as DOCX")
def document_docx(contract_id: RowId, version: int | None = Query(None, ge=1, le=MAX_DB_INT),
                  svc: AppServices = Depends(services),
                  principal: Principal = Depends(current_principal)) -> Response:
    data = svc.clm.contracts.export_docx(_guard(svc, principal, contract_id), contract_id, version)
    return Response(data, media_type=DOCX,
                    headers={"content-disposition": f'attachment; filename="contract-{contract_id}.docx"'})


@router.get("/contracts/{contract_id}/history", responses=E, summary="Status history")
def history(contract_id: RowId, svc: AppServices = Depends(services),
            principal: Principal = Depends(current_principal)) -> list[dict[str, str]]:
    rows = svc.clm.contracts.status_history(_guard(svc, principal, contract_id), contract_id)
    return [{"action": a, "from": f, "to": t, "actor": who} for a, f, t, who in rows]


@router.post("/contracts/{contract_id}/documents", status_code=201, responses=errors(401, 403, 404, 413, 422),
             summary="Attach a document")
async def attach(contract_id: RowId, file: UploadFile = File(...), svc: AppServices = Depends(services),
                 principal: Principal = Depends(current_principal)) -> dict[str, str]:
    actor = _guard(svc, principal, contract_id)
    data = await file.read()
    digest = svc.clm.contracts.attach_document(actor, contract_id, name=file.filename or "document", content=data,
                                               media_type=file.content_type or "application/octet-stream")
    return {"sha256": digest}


@router.get("/contracts/{contract_id}/documents", responses=E, summary="Attached documents")
def documents(contract_id: RowId, svc: AppServices = Depends(services),
              principal: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    return [jsonable(d | {"uploaded_at": d["uploaded_at"].isoformat()})
            for d in svc.clm.contracts.documents(_guard(svc, principal, contract_id), contract_id)]


@router.get("/contracts/{contract_id}/documents/{document_id}", response_class=Response, responses=E,
            summary="Download an attached document")
def document(contract_id: RowId, document_id: RowId, svc: AppServices = Depends(services),
             principal: Principal = Depends(current_principal)) -> Response:
    name, media, content = svc.clm.contracts.document_content(_guard(svc, principal, contract_id), contract_id,
                                                              document_id)
    return Response(content, media_type="application/octet-stream",
                    headers={"content-disposition": f'attachment; filename="{name.replace(chr(34), "")}"'})


@router.get("/contracts/{contract_id}/team", responses=E, summary="Contract team")
def team(contract_id: RowId, svc: AppServices = Depends(services),
         principal: Principal = Depends(current_principal)) -> list[dict[str, str]]:
    return [{"username": u, "role": r} for u, r in svc.clm.contracts.team(_guard(svc, principal, contract_id),
                                                                          contract_id)]


@router.post("/contracts/{contract_id}/team", status_code=201, responses=E, summary="Add a team member")
def add_team(contract_id: RowId, body: TeamMemberIn, svc: AppServices = Depends(services),
             principal: Principal = Depends(current_principal)) -> dict[str, str]:
    svc.clm.contracts.add_team_member(_guard(svc, principal, contract_id), contract_id, body.username, body.role)
    return {"username": body.username, "role": body.role}


# --- review and approvals -------------------------------------------------------------------------

@router.post("/contracts/{contract_id}/submit", responses=errors(401, 403, 404, 409, 422, 502),
             summary="Submit for approval: runs the risk review and creates the approval steps")
async def submit(contract_id: RowId, svc: AppServices = Depends(services),
                 principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    import anyio

    actor = _guard(svc, principal, contract_id)
    view = await anyio.to_thread.run_sync(lambda: svc.clm.approvals.submit(actor, contract_id),
                                          limiter=svc.review_limiter)
    return jsonable(view)


@router.get("/contracts/{contract_id}/review", responses=E,
            summary="The current review: review JSON with text, reviewer decisions and approval steps")
def current_review(contract_id: RowId, svc: AppServices = Depends(services),
                   principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    detail = svc.clm.review_desk.review_detail(_guard(svc, principal, contract_id), contract_id)
    if detail is None:
        raise ApiError(404, "not_reviewed", "the contract has not been reviewed yet")
    return detail


@router.post("/contracts/{contract_id}/findings/{finding_id}/accept", responses=E,
             summary="Accept a flagged risk (the finding's approver role; a reason is required)")
def accept_risk(contract_id: RowId, finding_id: str, body: AcceptRisk, svc: AppServices = Depends(services),
                principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    actor = _guard(svc, principal, contract_id)
    svc.clm.approvals.accept_risk(actor, contract_id, finding_id, reason=body.reason, note=body.note)
    return {"finding_id": finding_id, "accepted_by": actor, "reason": body.reason}


@router.post("/contracts/{contract_id}/findings/{finding_id}/severity", responses=E,
             summary="Change a finding's severity, with a reason")
def change_severity(contract_id: RowId, finding_id: str, body: SeverityChange, svc: AppServices = Depends(services),
                    principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    return svc.clm.review_desk.change_severity(_guard(svc, principal, contract_id), contract_id, finding_id,
                                               severity=body.severity, reason=body.reason)


@router.post("/contracts/{contract_id}/findings/{finding_id}/fallback", responses=E,
             summary="Propose the playbook's fallback wording: a new version (back to Draft) and its redline")
def propose_fallback(contract_id: RowId, finding_id: str, svc: AppServices = Depends(services),
                     principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    actor = _guard(svc, principal, contract_id)
    result = svc.clm.review_desk.propose_fallback(actor, contract_id, finding_id)
    diff = svc.clm.contracts.redline(actor, contract_id, result["from_version"], result["to_version"])
    return {**result, "redline": jsonable(diff)}


@router.post("/contracts/{contract_id}/approvals/{role}/approve", responses=E, summary="Approve your step")
def approve(contract_id: RowId, role: str, body: Note, svc: AppServices = Depends(services),
            principal: Principal = Depends(current_principal)) -> dict[str, str]:
    status = svc.clm.approvals.approve(_guard(svc, principal, contract_id), contract_id, role=role, note=body.note)
    return {"status": status}


@router.post("/contracts/{contract_id}/approvals/{role}/reject", responses=E, summary="Reject (send back)")
def reject(contract_id: RowId, role: str, body: ReasonNote, svc: AppServices = Depends(services),
           principal: Principal = Depends(current_principal)) -> dict[str, str]:
    status = svc.clm.approvals.reject(_guard(svc, principal, contract_id), contract_id, role=role,
                                      reason=body.reason, note=body.note)
    return {"status": status}


@router.post("/contracts/{contract_id}/revise", responses=E, summary="Back to Draft for changes")
def revise(contract_id: RowId, svc: AppServices = Depends(services),
           principal: Principal = Depends(current_principal)) -> dict[str, str]:
    return {"status": svc.clm.approvals.revise(_guard(svc, principal, contract_id), contract_id)}


@router.get("/approvals/open", responses=errors(401, 403), summary="Open approval steps of your organisation")
def open_approvals(svc: AppServices = Depends(services),
                   principal: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    return svc.clm.approvals.open_steps(principal.username)


@router.post("/contracts/{contract_id}/hold", response_model=ContractOut, responses=E, summary="Put on hold")
def hold(contract_id: RowId, body: ReasonNote, svc: AppServices = Depends(services),
         principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    view = svc.clm.contracts.hold(_guard(svc, principal, contract_id), contract_id, body.reason)
    _dispatch(svc)
    return _contract(view)


@router.post("/contracts/{contract_id}/release-hold", response_model=ContractOut, responses=E,
             summary="Release a hold")
def release_hold(contract_id: RowId, svc: AppServices = Depends(services),
                 principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    view = svc.clm.contracts.release_hold(_guard(svc, principal, contract_id), contract_id)
    _dispatch(svc)
    return _contract(view)


@router.post("/contracts/{contract_id}/cancel", response_model=ContractOut, responses=E, summary="Cancel")
def cancel(contract_id: RowId, body: ReasonNote, svc: AppServices = Depends(services),
           principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    return _contract(svc.clm.contracts.cancel(_guard(svc, principal, contract_id), contract_id, body.reason))


# --- signatures ----------------------------------------------------------------------------------

@router.post("/contracts/{contract_id}/signatures", status_code=201, responses=E,
             summary="Send an approved contract for signature; returns the signing links")
def send_for_signature(contract_id: RowId, body: SignatureRequest, svc: AppServices = Depends(services),
                       principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    result = svc.clm.signatures.send_for_signature(_guard(svc, principal, contract_id), contract_id,
                                                   internal_signer=body.internal_signer)
    return {"envelope_id": result.envelope_id, "document_sha256": result.document_sha256,
            "signing_links": [{"email": i.email, "url": f"/v1/signing/{i.token}",
                               "expires_at": i.expires_at.isoformat()} for i in result.invitations]}


@router.get("/contracts/{contract_id}/signatures", responses=E, summary="The envelope and its signers")
def envelope(contract_id: RowId, svc: AppServices = Depends(services),
             principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    return jsonable(svc.clm.signatures.envelope(_guard(svc, principal, contract_id), contract_id))


@router.get("/contracts/{contract_id}/signatures/my-link", responses=E,
            summary="Your own signing link (internal signer), once it is your turn")
def my_signing_link(contract_id: RowId, svc: AppServices = Depends(services),
                    principal: Principal = Depends(current_principal)) -> dict[str, str]:
    inv = svc.clm.signatures.my_signing_link(_guard(svc, principal, contract_id), contract_id)
    return {"email": inv.email, "url": f"/v1/signing/{inv.token}", "expires_at": inv.expires_at.isoformat()}


@router.post("/contracts/{contract_id}/signatures/void", responses=E, summary="Void the open envelope")
def void(contract_id: RowId, body: ReasonNote, svc: AppServices = Depends(services),
         principal: Principal = Depends(current_principal)) -> dict[str, str]:
    return {"status": svc.clm.signatures.void(_guard(svc, principal, contract_id), contract_id, reason=body.reason)}


@router.get("/signing/{token}", tags=["signing"], responses=errors(400, 404),
            summary="What a signer sees (the signing token is the credential)")
def signing_document(token: str, svc: AppServices = Depends(services)) -> dict[str, str]:
    text, sha = svc.clm.signatures.document_for_signing(token)
    return {"text": text, "document_sha256": sha}


@router.post("/signing/{token}/sign", tags=["signing"], responses=errors(400, 403, 404, 409),
             summary="Sign the document whose sha256 you saw")
def sign(token: str, body: SignBody, svc: AppServices = Depends(services)) -> dict[str, Any]:
    status = svc.clm.signatures.sign(token, document_sha256=body.document_sha256)
    _dispatch(svc)
    return {"status": status}


@router.post("/signing/{token}/decline", tags=["signing"], responses=errors(400, 404, 409),
             summary="Decline to sign")
def decline(token: str, body: DeclineBody, svc: AppServices = Depends(services)) -> dict[str, str]:
    return {"status": svc.clm.signatures.decline(token, reason=body.reason)}


# --- ERP purchase agreement and release orders ---------------------------------------------------------

def _agreement_number(svc: AppServices, principal: Principal, contract_id: RowId) -> tuple[str, str]:
    actor = _guard(svc, principal, contract_id)
    view = svc.clm.contracts.get(actor, contract_id)
    if not view.agreement_number:
        raise ApiError(404, "no_agreement", "the contract has no purchase agreement (yet)")
    return view.number, view.agreement_number


@router.get("/contracts/{contract_id}/purchase-agreement", responses=E, summary="The ERP purchase agreement")
def purchase_agreement(contract_id: RowId, svc: AppServices = Depends(services),
                       principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    number, _ = _agreement_number(svc, principal, contract_id)
    return jsonable(svc.clm.ledger.agreement(number))


@router.post("/contracts/{contract_id}/release-orders", status_code=201, responses=E,
             summary="Release order against the agreement (within its quantities and prices)")
def release_order(contract_id: RowId, body: ReleaseOrderIn, svc: AppServices = Depends(services),
                  principal: Principal = Depends(require_action(A.RELEASE_ORDER_CREATE))) -> dict[str, Any]:
    _, agreement = _agreement_number(svc, principal, contract_id)
    return svc.clm.ledger.create_release_order(agreement, body.item, body.quantity, body.unit_price)


# --- after execution -----------------------------------------------------------------------------

@router.post("/contracts/{contract_id}/amendments", response_model=ContractOut, responses=E,
             summary="Open an amendment (back to Draft; re-review and re-approval follow)")
def amend(contract_id: RowId, body: Note, svc: AppServices = Depends(services),
          principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    return _contract(svc.clm.after_execution.amend(_guard(svc, principal, contract_id), contract_id, note=body.note))


@router.post("/contracts/{contract_id}/termination", response_model=ContractOut, responses=E,
             summary="Terminate an executed contract (closes the purchase agreement)")
def terminate(contract_id: RowId, body: ReasonNote, svc: AppServices = Depends(services),
              principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    view = svc.clm.after_execution.terminate(_guard(svc, principal, contract_id), contract_id, reason=body.reason,
                                             note=body.note)
    _dispatch(svc)
    return _contract(view)


@router.post("/contracts/{contract_id}/expiry", response_model=ContractOut, responses=E,
             summary="Reset the expiry date (renewal)")
def reset_expiry(contract_id: RowId, body: ExpiryReset, svc: AppServices = Depends(services),
                 principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    view = svc.clm.after_execution.reset_expiry(_guard(svc, principal, contract_id), contract_id,
                                                new_expiry=body.new_expiry, note=body.note)
    _dispatch(svc)
    return _contract(view)
