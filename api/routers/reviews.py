"""The review API: review a text or an uploaded file; read a stored review; approval checks."""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError

from api.auth import current_principal, services
from api.errors import ApiError
from api.schemas import ApprovalCheck, ApprovalCheckRequest, Review, ReviewRequest, errors
from api.services import AppServices
from clm_core.services.access_service import Principal
from risk_copilot.errors import ReviewError

router = APIRouter(prefix="/v1", tags=["reviews"])
TEXT_TYPES = ("application/json",)
UPLOAD_SUFFIXES = (".txt", ".md", ".markdown", ".docx", ".pdf")

_MULTIPART_SCHEMA = {
    "type": "object", "required": ["file", "contract_type"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "TXT, Markdown, DOCX or PDF"},
                   "contract_type": {"type": "string", "example": "procurement"},
                   "playbook": {"type": "string", "description": "uploaded playbook id or id@version"}}}
_JSON_SCHEMA = {"$ref": "#/components/schemas/ReviewRequest"}
REVIEW_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": _JSON_SCHEMA, "example": {"text": "1. Confidentiality. ...",
                                                             "contract_type": "nda", "name": "acme-nda.md"}},
    "multipart/form-data": {"schema": _MULTIPART_SCHEMA}}}}


def _playbook(svc: AppServices, principal: Principal, ref: str | None, contract_type: str):
    """Resolve an uploaded playbook ``id`` or ``id@version`` of the caller's organisation."""
    if not ref:
        return None
    from risk_copilot.playbook import parse_playbook

    playbook_id, _, version = ref.partition("@")
    text = svc.clm.review_desk.playbook_yaml(principal.username, playbook_id, version or None)
    if text is None:
        raise ApiError(422, "unknown_playbook", f"no uploaded playbook {ref!r} in your organisation",
                       {"playbook": ref})
    playbook = parse_playbook(text, source=f"{ref}.yaml")
    if playbook.contract_type != contract_type:
        raise ApiError(422, "playbook_type_mismatch",
                       f"playbook {ref} is for {playbook.contract_type}, not {contract_type}")
    return playbook


def _empty_text(name: str | None) -> ApiError:
    """``empty_document`` for a JSON text: names the document only when the caller named it."""
    message = f"The text '{name}' contains nothing to review." if name else "The text contains nothing to review."
    return ApiError(422, "empty_document", message, {"name": name} if name else None)


async def review_request(request: Request, svc: AppServices, principal: Principal,
                         model: type[ReviewRequest] = ReviewRequest) -> tuple[dict[str, Any], ReviewRequest | None]:
    """Run the review of a JSON body or a multipart upload; returns the review and the JSON body. Database
    calls run in worker threads, like the review: the event loop never waits on the database."""
    await anyio.to_thread.run_sync(svc.clm.review_desk.check_may_review, principal.username)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype in TEXT_TYPES:
        try:
            body = model.model_validate_json(await request.body())
        except ValidationError as exc:
            problems = [{"loc": [str(p) for p in e["loc"]], "message": e["msg"], "type": e["type"]}
                        for e in exc.errors()]
            raise ApiError(422, "invalid_input", "the request is not valid", {"problems": problems}) from None
        named = "name" in body.model_fields_set
        if not body.text.strip():  # "" and whitespace alike: nothing to review (never a schema problem)
            raise _empty_text(body.name if named else None)
        playbook = await anyio.to_thread.run_sync(_playbook, svc, principal, body.playbook, body.contract_type)
        try:
            review = await svc.run_review(svc.engine.review_text, body.text, body.contract_type, name=body.name,
                                          playbook=playbook, contract_type=body.contract_type)
        except ReviewError as exc:
            if exc.code == "empty_document" and not named:  # its message names the default file name
                raise _empty_text(None) from None
            raise
        return review, body
    if ctype == "multipart/form-data":
        form = await request.form()
        upload, contract_type = form.get("file"), form.get("contract_type")
        if upload is None or isinstance(upload, str):
            raise ApiError(422, "invalid_input", "send the contract as the multipart field 'file'",
                           {"problems": [{"loc": ["body", "file"], "message": "Field required"}]})
        if not isinstance(contract_type, str) or not contract_type.strip():
            raise ApiError(422, "invalid_input", "contract_type is required",
                           {"problems": [{"loc": ["body", "contract_type"], "message": "Field required"}]})
        contract_type = contract_type.strip().lower()  # any case, as on the command line
        name = upload.filename or "upload"
        if not name.lower().endswith(UPLOAD_SUFFIXES):
            raise ApiError(415, "unsupported_format", f"{name}: send TXT, Markdown, DOCX or PDF",
                           {"accepted": list(UPLOAD_SUFFIXES)})
        data = await upload.read()
        ref = form.get("playbook")
        playbook = await anyio.to_thread.run_sync(_playbook, svc, principal, ref if isinstance(ref, str) else None,
                                                  contract_type)
        review = await svc.run_review(svc.engine.review_bytes, data, name, contract_type, playbook=playbook,
                                      contract_type=contract_type)
        return review, None
    raise ApiError(415, "unsupported_media_type", "send application/json or multipart/form-data",
                   {"content_type": ctype or None})


@router.post("/reviews", response_model=Review, status_code=201, openapi_extra=REVIEW_BODY,
             responses=errors(401, 403, 413, 415, 422),
             summary="Review a contract (JSON text or multipart file upload)")
async def create_review(request: Request, svc: AppServices = Depends(services),
                        principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    review, _ = await review_request(request, svc, principal)
    await anyio.to_thread.run_sync(partial(svc.clm.review_desk.record_standalone, principal.username, review,
                                           purpose="review"))
    return review


@router.get("/reviews/{review_id}", response_model=Review, responses=errors(401, 403, 404),
            summary="A stored review of your organisation")
def get_review(review_id: str, svc: AppServices = Depends(services),
               principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    return svc.clm.review_desk.standalone(principal.username, review_id)


@router.post("/approval-checks", response_model=ApprovalCheck, responses=errors(401, 403, 413, 415, 422),
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": {"$ref": "#/components/schemas/ApprovalCheckRequest"},
                 "example": {"text": "SUPPLY AGREEMENT ...", "contract_type": "procurement",
                             "external_reference": "ariba:CW-2291"}}}}},
             summary="May this contract be approved, and by whom? (for an external CLM's approval step)")
async def approval_check(request: Request, svc: AppServices = Depends(services),
                         principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise ApiError(415, "unsupported_media_type", "send application/json")
    review, body = await review_request(request, svc, principal, ApprovalCheckRequest)
    await anyio.to_thread.run_sync(partial(svc.clm.review_desk.record_standalone, principal.username, review,
                                           purpose="approval_check"))
    blocking = [f["id"] for f in review["findings"] if f["severity"] in ("high", "medium")]
    approvers = list(dict.fromkeys([*review.get("approvers", []),
                                    *(f["approver_role"] for f in review["findings"]
                                      if f["severity"] in ("high", "medium") and f.get("approver_role"))]))
    return {"review_id": review["review_id"], "may_approve": review["decision"] == "approve" and not blocking,
            "decision": review["decision"], "risk_score": review["risk_score"], "required_approvers": approvers,
            "blocking_findings": blocking, "findings": review["findings"], "playbook": review["playbook"],
            "document_sha256": review["document"]["sha256"],
            "external_reference": getattr(body, "external_reference", None)}
