"""Batch scans over HTTP: scan an uploaded zip or a server folder under the scan root in the
background, follow its progress, read its results and report, and search the clauses of the
organisation's scanned portfolio.

Running a scan needs the actions that allow running reviews; reading scans, reports and
search results needs ``report.view``. A scan of another organisation is a 404, like a
missing one."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from api.auth import current_principal, require_action, services
from api.errors import ApiError
from api.scan_service import ScanRecord
from api.schemas import Scan, ScanAccepted, ScanPathRequest, SearchResults, errors
from api.services import AppServices
from clm_core import actions as A
from clm_core.services.access_service import Principal
from risk_copilot.batch import BatchError

router = APIRouter(prefix="/v1", tags=["scans"])
SCAN_TYPES = ("nda", "procurement", "auto")
# batch error code -> HTTP status (anything else the scanner refuses is invalid input: 422)
BATCH_ERROR_STATUS = {"path_outside_root": 403, "path_scans_disabled": 403, "zip_too_large": 413,
                      "zip_too_many_files": 413, "zip_ratio_exceeded": 413, "no_index": 409, "no_scan": 409}

_MULTIPART_SCHEMA = {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "a zip of TXT, Markdown, DOCX or PDF contracts (folders allowed)"},
                   "contract_type": {"type": "string", "enum": list(SCAN_TYPES), "default": "auto"}}}
SCAN_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": _MULTIPART_SCHEMA},
    "application/json": {"schema": {"$ref": "#/components/schemas/ScanPathRequest"},
                         "example": {"path": "legal/2023-suppliers", "contract_type": "auto"}}}}}
REPORT_RESPONSE = {200: {"content": {"text/html": {"example": "<!doctype html><html>...portfolio report...</html>"}},
                         "description": "the self-contained report (inline CSS and SVG, no scripts)"}}


def batch_error(exc: BatchError) -> ApiError:
    return ApiError(BATCH_ERROR_STATUS.get(exc.code, 422), exc.code, exc.message, exc.details)


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat().replace("+00:00", "Z") if ts else None


def _links(scan_id: str) -> dict[str, str]:
    return {"self": f"/v1/scans/{scan_id}", "report": f"/v1/scans/{scan_id}/report"}


def scan_of_org(svc: AppServices, principal: Principal, scan_id: str) -> ScanRecord:
    """404 for a scan that does not exist *or* belongs to another organisation (no leak)."""
    record = svc.scans.load(scan_id)
    if record is None or record.organisation_id != principal.organisation_id:
        raise ApiError(404, "not_found", f"scan {scan_id} not found")
    return record


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_input", message, {"problems": [{"loc": ["body", field], "message": message}]})


async def _upload_scan(request: Request, svc: AppServices, principal: Principal) -> tuple[ScanRecord, int]:
    form = await request.form(max_files=1, max_fields=8)
    upload, contract_type = form.get("file"), form.get("contract_type") or "auto"
    if upload is None or isinstance(upload, str):
        raise _invalid("file", "send the zip as the multipart field 'file'")
    if contract_type not in SCAN_TYPES:
        raise _invalid("contract_type", f"contract_type must be one of {', '.join(SCAN_TYPES)}")
    name = upload.filename or "upload.zip"
    head = await upload.read(4)
    await upload.seek(0)
    if not name.lower().endswith(".zip") or head[:2] != b"PK":
        raise ApiError(415, "unsupported_format", f"{name}: send a zip of contracts", {"accepted": [".zip"]})
    record = svc.scans.new_record(principal, contract_type, {"kind": "upload", "name": name[-200:]})
    folder = svc.scans.folder(record.scan_id)
    folder.mkdir(parents=True)
    zip_path = folder / "upload.zip"

    def unpack() -> int:
        with open(zip_path, "wb") as sink:
            shutil.copyfileobj(upload.file, sink, 1 << 20)
        return len(svc.scans.unpack_upload(record, zip_path))

    try:
        files = await anyio.to_thread.run_sync(unpack)
    except BatchError as exc:
        raise batch_error(exc) from None
    return record, files


async def _path_scan(request: Request, svc: AppServices) -> ScanPathRequest:
    try:
        return ScanPathRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        problems = [{"loc": [str(p) for p in e["loc"]], "message": e["msg"], "type": e["type"]} for e in exc.errors()]
        raise ApiError(422, "invalid_input", "the request is not valid", {"problems": problems}) from None


@router.post("/scans", response_model=ScanAccepted, status_code=202, openapi_extra=SCAN_BODY,
             responses=errors(401, 403, 413, 415, 422),
             summary="Scan a zip upload or a server folder under the scan root, in the background")
async def create_scan(request: Request, response: Response, svc: AppServices = Depends(services),
                      principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    await anyio.to_thread.run_sync(svc.clm.review_desk.check_may_review, principal.username)  # as for a review
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    files = None
    if ctype == "multipart/form-data":
        record, files = await _upload_scan(request, svc, principal)
    elif ctype == "application/json":
        body = await _path_scan(request, svc)
        try:
            target = svc.scans.resolve_server_path(body.path)
        except BatchError as exc:
            raise batch_error(exc) from None
        relative = target.relative_to(svc.settings.scan_root.resolve()).as_posix()
        record = svc.scans.new_record(principal, body.contract_type, {"kind": "path", "path": relative or "."})
    else:
        raise ApiError(415, "unsupported_media_type", "send multipart/form-data (a zip) or application/json (a path)",
                       {"content_type": ctype or None})
    svc.scans.save(record)
    svc.scans.submit(record)
    svc.logger.info("scan queued", extra={"route": "/v1/scans", "scan_id": record.scan_id})
    response.headers["Location"] = f"/v1/scans/{record.scan_id}"
    return {"scan_id": record.scan_id, "status": record.status, "files": files, "links": _links(record.scan_id)}


@router.get("/scans", response_model=list[Scan], responses=errors(401, 403),
            summary="The scans of your organisation, oldest first (progress, no result rows)")
def list_scans(svc: AppServices = Depends(services),
               principal: Principal = Depends(require_action(A.REPORT_VIEW))) -> list[dict[str, Any]]:
    return [_scan_view(svc, record, None) for record in svc.scans.records(principal.organisation_id)]


def _scan_view(svc: AppServices, record: ScanRecord, limit: int | None) -> dict[str, Any]:
    return {"scan_id": record.scan_id, "status": record.status, "contract_type": record.contract_type,
            "owner": record.owner, "created_at": _iso(record.created_at), "started_at": _iso(record.started_at),
            "finished_at": _iso(record.finished_at), "source": record.source, "progress": svc.scans.progress(record),
            "results": svc.scans.results(record, limit) if limit is not None else None,
            "error": record.error, "refused": record.refused, "links": _links(record.scan_id)}


@router.get("/scans/{scan_id}", response_model=Scan, responses=errors(401, 403, 404, 422),
            summary="A scan: status, progress (files done / failed / total, rate) and, when done, its results")
def get_scan(scan_id: str, limit: int = Query(100, ge=0, le=10_000, description="summary and error rows at most"),
             svc: AppServices = Depends(services),
             principal: Principal = Depends(require_action(A.REPORT_VIEW))) -> dict[str, Any]:
    return _scan_view(svc, scan_of_org(svc, principal, scan_id), limit)


def _report(svc: AppServices, principal: Principal, scan_id: str, relative: str) -> HTMLResponse:
    record = scan_of_org(svc, principal, scan_id)
    if record.status != "done":
        raise ApiError(409, "scan_not_ready", f"scan {scan_id} is {record.status}; the report comes when it is done",
                       {"status": record.status})
    path = svc.scans.report_file(record, relative)
    if path is None:
        raise ApiError(404, "not_found", f"scan {scan_id} has no {relative}")
    return HTMLResponse(svc.scans.report_html(record, path))


@router.get("/scans/{scan_id}/report", response_class=HTMLResponse, responses={**REPORT_RESPONSE,
                                                                              **errors(401, 403, 404, 409)},
            summary="The scan's self-contained portfolio report (HTML with charts; links to a page per contract)")
def get_scan_report(scan_id: str, svc: AppServices = Depends(services),
                    principal: Principal = Depends(require_action(A.REPORT_VIEW))) -> HTMLResponse:
    return _report(svc, principal, scan_id, "report.html")


@router.get("/scans/{scan_id}/report.html", include_in_schema=False)
def get_scan_report_html(scan_id: str, svc: AppServices = Depends(services),
                         principal: Principal = Depends(require_action(A.REPORT_VIEW))) -> HTMLResponse:
    """The same report under its file name: the contract pages link back to ``../report.html``."""
    return _report(svc, principal, scan_id, "report.html")


@router.get("/scans/{scan_id}/contracts/{page}", response_class=HTMLResponse,
            responses={**REPORT_RESPONSE, **errors(401, 403, 404, 409)},
            summary="A contract's page of the report: its flagged clauses highlighted")
def get_scan_contract_page(scan_id: str, page: str, svc: AppServices = Depends(services),
                           principal: Principal = Depends(require_action(A.REPORT_VIEW))) -> HTMLResponse:
    return _report(svc, principal, scan_id, f"contracts/{page}")


@router.get("/search", response_model=SearchResults, responses=errors(401, 403, 404, 409, 422),
            summary="Search the clauses of your organisation's scanned contracts by meaning")
def search(q: str = Query(..., min_length=1, max_length=1000, description="what the clause says, in your words"),
           category: str | None = Query(None, pattern=r"^[a-z][a-z0-9_]{0,79}$",
                                        description="only clauses classified in (or flagged for) this category"),
           k: int = Query(20, ge=1, le=200), scan: str | None = Query(None, description="only this scan"),
           svc: AppServices = Depends(services),
           principal: Principal = Depends(require_action(A.REPORT_VIEW))) -> dict[str, Any]:
    if not q.strip():
        raise ApiError(422, "empty_query", "the search query is empty")
    if scan is not None:
        record = scan_of_org(svc, principal, scan)
        if record.status != "done":
            raise ApiError(409, "scan_not_ready", f"scan {scan} is {record.status}; search it when it is done",
                           {"status": record.status})
        records = [record]
    else:
        records = [r for r in svc.scans.records(principal.organisation_id) if r.status == "done"]
    try:
        hits = svc.scans.search(records, q, category, k)
    except BatchError as exc:
        raise batch_error(exc) from None
    return {"query": q, "category": category, "k": k, "scans": [r.scan_id for r in records], "hits": hits}

