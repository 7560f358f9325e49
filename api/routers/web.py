"""The reviewer page (``/ui``): server-rendered Jinja2 (autoescaped), plain JS in static files.

Forms carry the session's CSRF token; the session cookie is HttpOnly, SameSite=Strict and Secure
(unless turned off for plain-HTTP tests). Errors of an action come back as a flash message
(``api.flash``: a cookie our redirects set, never text from the URL)."""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import (LOGIN_CSRF_COOKIE, SESSION_COOKIE, check_form_csrf, contract_in_org, services, session_ttl,
                      web_principal)
from api.errors import ApiError, error_response
from api.flash import FLASH_COOKIE, decode_flash, encode_flash
from api.routers.lifecycle import ingest_upload
from api.schemas import RowId
from api.services import AppServices
from clm_core import actions as A
from clm_core.errors import DomainError
from clm_core.services.access_service import Principal
from risk_copilot.errors import ReviewError

router = APIRouter(prefix="/ui", include_in_schema=False)
SEVERITIES = ("high", "medium", "low", "info")
STATUSES = ("Draft", "WaitingForReview", "Reviewed", "WaitingForApproval", "Approved", "Rejected",
            "WaitingForExternalSignatures", "WaitingForInternalSignatures", "Executed", "OnHold", "Terminated",
            "Expired", "Cancelled")


class LoginRequired(Exception):
    pass


def _cookie(response: Response, svc: AppServices, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=svc.settings.cookie_secure, path="/")


def _user(request: Request, svc: AppServices) -> Principal:
    principal = web_principal(request, svc)
    if principal is None:
        raise ApiError(303, "login_required", "log in first")
    return principal


def wants_json(request: Request) -> bool:
    """An API client (``Accept: application/json`` and not HTML) gets errors in the JSON error shape."""
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/html" not in accept


def _redirect(url: str, flash: str | None = None, kind: str = "error") -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(FLASH_COOKIE, encode_flash(flash, kind), max_age=120, path="/ui", httponly=True,
                            samesite="strict")
    return response


def _page(svc: AppServices, request: Request, name: str, principal: Principal | None, status: int = 200,
          **context: Any) -> HTMLResponse:
    flash = context.pop("flash", None)  # a message of this very response (e.g. the login's 429)
    flash_kind = "error"
    cookie = request.cookies.get(FLASH_COOKIE)
    if flash is None and (shown := decode_flash(cookie)) is not None:
        flash_kind, flash = shown
    response = svc.templates.TemplateResponse(request, name, {
        "user": principal, "flash": flash, "flash_kind": flash_kind,
        "severities": SEVERITIES, **context}, status_code=status)
    if cookie is not None:
        response.delete_cookie(FLASH_COOKIE, path="/ui", httponly=True, samesite="strict")
    return response


def _guarded(request: Request, svc: AppServices):
    principal = web_principal(request, svc)
    return principal


# --- login ---------------------------------------------------------------------------------------------

@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, svc: AppServices = Depends(services)) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = _page(svc, request, "login.html", None, csrf=token, next=request.query_params.get("next", ""))
    _cookie(response, svc, LOGIN_CSRF_COOKIE, token, 600)
    return response


@router.post("/login")
def login(request: Request, username: str = Form(..., max_length=100), password: str = Form(..., max_length=200),
          csrf: str = Form(...), next: str = Form(""), svc: AppServices = Depends(services)) -> Response:
    json_client = wants_json(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf, expected):
        if json_client:
            return error_response(403, "csrf_failed", "the login form expired or was forged; load /ui/login again")
        return _redirect("/ui/login", "Your login form expired; please try again.")
    limiter = svc.login_limiter
    key = limiter.key(username, request.client.host if request.client else None)
    wait = limiter.retry_after(key)
    if wait is not None:  # checked before the password: a correct guess during the lock-out gets in nowhere
        svc.logger.warning("login throttled", extra={"route": "/ui/login", "error_code": "too_many_requests"})
        if json_client:
            return error_response(429, "too_many_requests", f"too many failed logins; try again in {wait} seconds",
                                  {"retry_after_seconds": wait}, headers={"Retry-After": str(wait)})
        token = secrets.token_urlsafe(24)
        response = _page(svc, request, "login.html", None, status=429, csrf=token, next=next,
                         flash=f"Too many failed logins. Try again in {wait} seconds.")
        response.headers["Retry-After"] = str(wait)
        _cookie(response, svc, LOGIN_CSRF_COOKIE, token, 600)
        return response
    try:
        session_id, _ = svc.clm.access.login(username, password, session_ttl(svc))
    except DomainError:
        limiter.failed(key)
        if json_client:
            return error_response(401, "login_failed", "wrong username or password")
        return _redirect("/ui/login", "Wrong username or password.")
    limiter.succeeded(key)
    target = next if next.startswith("/ui/") and "//" not in next else "/ui/contracts"
    response = RedirectResponse(target, status_code=303)
    _cookie(response, svc, SESSION_COOKIE, session_id, svc.settings.session_ttl_minutes * 60)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, csrf: str = Form(""), svc: AppServices = Depends(services)) -> Response:
    principal = web_principal(request, svc)
    if principal is not None:
        check_form_csrf(principal, csrf)
        svc.clm.access.logout(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _login_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/ui/login?next={quote(request.url.path)}", status_code=303)


# --- contract list and upload ----------------------------------------------------------------------------

@router.get("/contracts", response_class=HTMLResponse)
def contract_list(request: Request, svc: AppServices = Depends(services)) -> Response:
    principal = web_principal(request, svc)
    if principal is None:
        return _login_redirect(request)
    qp = request.query_params
    filters = {"status": qp.get("status") or None, "contract_type": qp.get("contract_type") or None,
               "text": (qp.get("q") or "").strip()[:100] or None,
               "min_risk_score": int(qp["min_risk"]) if qp.get("min_risk", "").isdigit() else None}
    rows = svc.clm.review_desk.list_contracts(principal.username, {k: v for k, v in filters.items() if v is not None})
    if qp.get("decision"):
        rows = [r for r in rows if r["decision"] == qp.get("decision")]
    order = qp.get("sort", "risk")
    if order == "risk":
        rows.sort(key=lambda r: (r["risk_score"] is None, -(r["risk_score"] or 0), r["id"]))
    return _page(svc, request, "contracts.html", principal, contracts=rows, filters=dict(qp), statuses=STATUSES,
                 may_upload=principal.may(A.CONTRACT_CREATE))


@router.post("/contracts/upload")
async def upload(request: Request, file: UploadFile = File(...), contract_type: str = Form(...),
                 title: str = Form("", max_length=300), csrf: str = Form(""),
                 svc: AppServices = Depends(services)) -> Response:
    principal = web_principal(request, svc)
    if principal is None:
        return _login_redirect(request)
    check_form_csrf(principal, csrf)
    try:
        text, name = await ingest_upload(svc, file)
        view = await anyio.to_thread.run_sync(lambda: svc.clm.review_desk.import_document(
            principal.username, contract_type=contract_type, title=title or name, text=text, source_name=name))
    except (DomainError, ReviewError) as exc:
        return _redirect("/ui/contracts", f"{file.filename}: {exc.message}")
    except ApiError as exc:
        return _redirect("/ui/contracts", exc.message)
    try:
        await anyio.to_thread.run_sync(lambda: svc.clm.approvals.submit(principal.username, view.id),
                                       limiter=svc.review_limiter)
    except DomainError as exc:
        return _redirect(f"/ui/contracts/{view.id}", f"Imported, but the review failed: {exc.message}")
    return _redirect(f"/ui/contracts/{view.id}", f"{name} reviewed.", "ok")


# --- review view ----------------------------------------------------------------------------------------

def _segments(text: str, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from risk_copilot.html_report import highlighted_segments

    segments = highlighted_segments(text, findings)
    seen: set[str] = set()
    for seg in segments:  # the first piece of each finding's evidence is its anchor
        seg["anchors"] = [fid for fid in seg["finding_ids"] if fid not in seen]
        seen.update(seg["finding_ids"])
    return segments


@router.get("/contracts/{contract_id}", response_class=HTMLResponse)
def review_view(contract_id: RowId, request: Request, svc: AppServices = Depends(services)) -> Response:
    principal = web_principal(request, svc)
    if principal is None:
        return _login_redirect(request)
    contract_in_org(svc, principal, contract_id)
    contract = svc.clm.contracts.get(principal.username, contract_id)
    detail = svc.clm.review_desk.review_detail(principal.username, contract_id)
    reasons = _reasons(svc, "risk_acceptance")
    context: dict[str, Any] = {"contract": contract, "detail": detail, "reasons": reasons, "segments": [],
                               "findings": [], "counts": {}, "versions": [], "stale": False}
    if detail is not None:
        review = detail["review"]
        order = {s: i for i, s in enumerate(SEVERITIES)}
        findings = sorted(review["findings"], key=lambda f: (order.get(f["severity"], 9), f["id"]))
        context.update(segments=_segments(review.get("text", ""), review["findings"]), findings=findings,
                       counts={s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITIES},
                       stale=detail["version_no"] != contract.version_no)
    context["versions"] = list(range(1, contract.version_no + 1))
    context["may_accept_roles"] = set(principal.roles) if principal.may(A.RISK_ACCEPT) else set()
    context["may_edit"] = principal.may(A.CONTRACT_EDIT)
    context["may_submit"] = principal.may(A.CONTRACT_SUBMIT)
    context["csrf"] = principal.csrf_token
    return _page(svc, request, "review.html", principal, **context)


def _reasons(svc: AppServices, kind: str) -> list[dict[str, str]]:
    from sqlalchemy import select

    from clm_core.store import tables as t

    with svc.clm.context.session_factory() as s:
        return [{"code": r.code, "text": r.text} for r in s.scalars(select(t.Reason).where(t.Reason.kind == kind))]


def _action(request: Request, svc: AppServices, contract_id: RowId, csrf: str) -> Principal | None:
    principal = web_principal(request, svc)
    if principal is None:
        return None
    check_form_csrf(principal, csrf)
    contract_in_org(svc, principal, contract_id)
    return principal


@router.post("/contracts/{contract_id}/findings/{finding_id}/accept")
def accept(contract_id: RowId, finding_id: str, request: Request, reason: str = Form(""), note: str = Form(""),
           csrf: str = Form(""), svc: AppServices = Depends(services)) -> Response:
    principal = _action(request, svc, contract_id, csrf)
    if principal is None:
        return _login_redirect(request)
    back = f"/ui/contracts/{contract_id}#finding-{finding_id}"
    if not reason or len(note.strip()) < 3:
        return _redirect(back, "Choose a reason and say why the risk is accepted.")
    try:
        svc.clm.approvals.accept_risk(principal.username, contract_id, finding_id, reason=reason, note=note.strip())
    except DomainError as exc:
        return _redirect(back, exc.message)
    return _redirect(back, f"Risk {finding_id} accepted.", "ok")


@router.post("/contracts/{contract_id}/findings/{finding_id}/severity")
def severity(contract_id: RowId, finding_id: str, request: Request, severity: str = Form(""), reason: str = Form(""),
             csrf: str = Form(""), svc: AppServices = Depends(services)) -> Response:
    principal = _action(request, svc, contract_id, csrf)
    if principal is None:
        return _login_redirect(request)
    back = f"/ui/contracts/{contract_id}#finding-{finding_id}"
    try:
        svc.clm.review_desk.change_severity(principal.username, contract_id, finding_id, severity=severity,
                                            reason=reason)
    except DomainError as exc:
        return _redirect(back, exc.message)
    return _redirect(back, f"Severity of {finding_id} changed to {severity}.", "ok")


@router.post("/contracts/{contract_id}/findings/{finding_id}/fallback")
def fallback(contract_id: RowId, finding_id: str, request: Request, csrf: str = Form(""),
             svc: AppServices = Depends(services)) -> Response:
    principal = _action(request, svc, contract_id, csrf)
    if principal is None:
        return _login_redirect(request)
    try:
        result = svc.clm.review_desk.propose_fallback(principal.username, contract_id, finding_id)
    except DomainError as exc:
        return _redirect(f"/ui/contracts/{contract_id}#finding-{finding_id}", exc.message)
    return _redirect(f"/ui/contracts/{contract_id}/redline?from={result['from_version']}&to={result['to_version']}",
                     "Fallback wording proposed as a new version; resubmit it for review.", "ok")


@router.post("/contracts/{contract_id}/submit")
async def resubmit(contract_id: RowId, request: Request, csrf: str = Form(""),
                   svc: AppServices = Depends(services)) -> Response:
    principal = _action(request, svc, contract_id, csrf)
    if principal is None:
        return _login_redirect(request)
    try:
        await anyio.to_thread.run_sync(lambda: svc.clm.approvals.submit(principal.username, contract_id),
                                       limiter=svc.review_limiter)
    except DomainError as exc:
        return _redirect(f"/ui/contracts/{contract_id}", exc.message)
    return _redirect(f"/ui/contracts/{contract_id}", "Reviewed again.", "ok")


@router.get("/contracts/{contract_id}/redline", response_class=HTMLResponse)
def redline(contract_id: RowId, request: Request, svc: AppServices = Depends(services)) -> Response:
    principal = web_principal(request, svc)
    if principal is None:
        return _login_redirect(request)
    contract_in_org(svc, principal, contract_id)
    contract = svc.clm.contracts.get(principal.username, contract_id)
    qp = request.query_params
    to_v = int(qp["to"]) if qp.get("to", "").isdigit() else contract.version_no
    from_v = int(qp["from"]) if qp.get("from", "").isdigit() else max(1, to_v - 1)
    try:
        diff = svc.clm.contracts.redline(principal.username, contract_id, from_v, to_v)
    except DomainError as exc:
        return _redirect(f"/ui/contracts/{contract_id}", exc.message)
    return _page(svc, request, "redline.html", principal, contract=contract, diff=diff, from_v=from_v, to_v=to_v,
                 csrf=principal.csrf_token, may_submit=principal.may(A.CONTRACT_SUBMIT))
