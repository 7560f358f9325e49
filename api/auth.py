"""Authentication (bearer API tokens, web session cookies) and authorisation dependencies."""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Callable

from fastapi import Depends, Request

from api.errors import ApiError
from api.services import AppServices
from clm_core.services.access_service import Principal

SESSION_COOKIE = "rc_session"
LOGIN_CSRF_COOKIE = "rc_login_csrf"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def services(request: Request) -> AppServices:
    return request.app.state.services


def _session_principal(request: Request, svc: AppServices) -> Principal | None:
    sid = request.cookies.get(SESSION_COOKIE)
    return svc.clm.access.principal_for_session(sid) if sid else None


def current_principal(request: Request, svc: AppServices = Depends(services)) -> Principal:
    """API callers: ``Authorization: Bearer rcp_...``; the reviewer page's own scripts may use the
    session cookie, with the session's CSRF token in ``X-CSRF-Token`` on unsafe methods."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        principal = svc.clm.access.principal_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if principal is None:
            raise ApiError(401, "unauthenticated", "the API token is missing, unknown, expired or revoked")
        return principal
    principal = _session_principal(request, svc)
    if principal is None:
        raise ApiError(401, "unauthenticated", "send an API token: Authorization: Bearer <token>")
    if request.method in UNSAFE and not hmac.compare_digest(request.headers.get("x-csrf-token", ""),
                                                            principal.csrf_token or "-"):
        raise ApiError(403, "csrf_failed", "missing or wrong X-CSRF-Token header")
    return principal


def require_action(action: str) -> Callable[..., Principal]:
    """A dependency refusing (403) callers whose roles do not grant ``action``."""

    def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if not principal.may(action):
            raise ApiError(403, "permission_denied", f"your roles ({', '.join(principal.roles)}) may not {action}",
                           {"action": action})
        return principal

    return dependency


def contract_in_org(svc: AppServices, principal: Principal, contract_id: int) -> None:
    """404 for a contract that does not exist *or* belongs to another organisation (no leak)."""
    org = svc.clm.review_desk.contract_organisation(contract_id)
    if org is None or org != principal.organisation_id:
        raise ApiError(404, "not_found", f"contract {contract_id} not found")


def web_principal(request: Request, svc: AppServices) -> Principal | None:
    return _session_principal(request, svc)


def check_form_csrf(principal: Principal, submitted: str | None) -> None:
    if not submitted or not hmac.compare_digest(submitted, principal.csrf_token or "-"):
        raise ApiError(403, "csrf_failed", "the form is stale or forged; reload the page and try again")


def session_ttl(svc: AppServices) -> timedelta:
    return timedelta(minutes=svc.settings.session_ttl_minutes)
