"""Issue 7 item 6: the access-control matrix. Every route of the app (``app.routes``: API, web
pages, operations, docs) is declared here with who may call it and what it touches; the check
calls each route as every seeded role, as a user of a second organisation and anonymously, and
asserts the declared outcome:

- allowed: not 401, not a 403 ``permission_denied``/``csrf_failed``, never a 5xx;
- refused: 401 (anonymous API), 403 (a role without the action), 404 (another organisation's
  contract, scan, review or playbook: the same answer as for one that does not exist), or a 303
  to the login page (anonymous web page);
- never a leak: no response to the other organisation or to an anonymous caller contains the
  marker that every name, title and text of the first organisation's data carries;
- security headers on every response: a Content-Security-Policy without 'unsafe-inline' or
  'unsafe-eval' scripts (the API explorer's one inline script is allowed by its hash), nosniff,
  frame-ancestors 'none' and X-Frame-Options DENY.

Web forms (POST /ui/...) are called with the session's CSRF token; a separate case sends each
one without it (403 ``csrf_failed``). On the web page a refused action comes back as a 303 with an
error flash: a form declares the rule its service enforces (``acts_as``), and a role without it
must get the refusal flash, a role with it must not.

``run(quick)`` builds its own service; ``check_matrix`` is what the tests call."""

from __future__ import annotations

import io
import re
import secrets
import sqlite3
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from hardening.service_under_test import ORG, OTHER_ORG, ROLES

ANONYMOUS, OTHER = "anonymous", "other-org"
NDA_TEXT = ("# Mutual Non-Disclosure Agreement {marker}\n\n1. Confidentiality. The Recipient shall keep the "
            "Confidential Information secret for 3 months after termination.\n\n2. Governing law. This Agreement is "
            "governed by the laws of England.\n")


@dataclass(frozen=True)
class Rule:
    """``who``: public | link (the path's token is the credential) | any (any role) | review (roles that
    may run reviews) | an action of clm_core.actions | web-page | web-action | web-login.
    ``scope``: org (names a resource of the first organisation) | own (lists the caller's own
    organisation) | global (catalog data shared by all organisations) | none."""

    who: str
    scope: str = "none"
    request: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    acts_as: str | None = None  # a web form: the rule (as ``who``) its service enforces; refusals come as a flash


def _json(body: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda ctx: {"json": {k: (v.format(**ctx) if isinstance(v, str) else v) for k, v in body.items()}}


def _file(name: str, data: Callable[[dict[str, Any]], bytes], **fields: str):
    return lambda ctx: {"files": {"file": (name, data(ctx), "application/octet-stream")},
                        "data": {k: v.format(**ctx) for k, v in fields.items()}}


def _zip(ctx: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("nda.md", NDA_TEXT.format(marker=ctx["marker"]))
    return buf.getvalue()


REASON = _json({"reason": "negotiation-paused", "note": "x"})
REVIEW = _json({"text": "{nda_text}", "contract_type": "nda", "name": "{marker}.md"})
PLAYBOOK_UPLOAD = lambda ctx: {  # noqa: E731  (a new id each time: not the first organisation's playbook)
    "content": ctx["playbook_yaml"].replace(ctx["playbook_id"], f"upload-{secrets.token_hex(4)}").encode(),
    "headers": {"content-type": "application/yaml"}}

MATRIX: dict[tuple[str, str], Rule] = {
    # operations and the API document
    ("GET", "/healthz"): Rule("public"), ("GET", "/readyz"): Rule("public"), ("GET", "/metrics"): Rule("public"),
    ("GET", "/openapi.json"): Rule("public"), ("GET", "/docs"): Rule("public"), ("GET", "/redoc"): Rule("public"),
    ("GET", "/docs/oauth2-redirect"): Rule("public"),
    # reviews
    ("POST", "/v1/reviews"): Rule("review", "none", REVIEW),
    ("GET", "/v1/reviews/{review_id}"): Rule("any", "org"),
    ("POST", "/v1/approval-checks"): Rule("review", "none", REVIEW),
    # scans and search
    ("POST", "/v1/scans"): Rule("review", "none", _file("{marker}.zip", _zip)),
    ("GET", "/v1/scans"): Rule("report.view", "own"),
    ("GET", "/v1/scans/{scan_id}"): Rule("report.view", "org"),
    ("GET", "/v1/scans/{scan_id}/report"): Rule("report.view", "org"),
    ("GET", "/v1/scans/{scan_id}/report.html"): Rule("report.view", "org"),
    ("GET", "/v1/scans/{scan_id}/contracts/{page}"): Rule("report.view", "org"),
    ("GET", "/v1/search"): Rule("report.view", "own"),
    # contracts
    ("GET", "/v1/contracts"): Rule("any", "own"),
    ("POST", "/v1/contracts"): Rule("contract.create", "org", _json({  # org: names the first organisation's vendor
        "template_key": "nda-standard", "title": "{marker} authored", "vendor_id": "{vendor_id}",
        "effective_date": "2026-01-01", "attributes": {"purpose": "evaluation"}})),
    ("POST", "/v1/contracts/import"): Rule("contract.create", "none",
                                           _file("{marker}.md", lambda c: c["nda_text"].encode(), contract_type="nda")),
    ("GET", "/v1/contracts/{contract_id}"): Rule("viewer", "org"),
    ("PATCH", "/v1/contracts/{contract_id}/terms"): Rule("contract.edit", "org", _json({"note": "terms"})),
    ("PUT", "/v1/contracts/{contract_id}/text"): Rule("contract.edit", "org", _json({"text": "{nda_text}"})),
    ("GET", "/v1/contracts/{contract_id}/versions"): Rule("viewer", "org"),
    ("GET", "/v1/contracts/{contract_id}/versions/{version_no}/text"): Rule("viewer", "org"),
    ("GET", "/v1/contracts/{contract_id}/redline"): Rule("viewer", "org", lambda c: {"params": {"from": 1, "to": 1}}),
    ("GET", "/v1/contracts/{contract_id}/redline.docx"): Rule("viewer", "org",
                                                              lambda c: {"params": {"from": 1, "to": 1}}),
    ("GET", "/v1/contracts/{contract_id}/document.docx"): Rule("viewer", "org"),
    ("GET", "/v1/contracts/{contract_id}/history"): Rule("viewer", "org"),
    ("POST", "/v1/contracts/{contract_id}/documents"): Rule("document.attach", "org",
                                                            _file("{marker}.txt", lambda c: c["marker"].encode())),
    ("GET", "/v1/contracts/{contract_id}/documents"): Rule("viewer", "org"),
    ("GET", "/v1/contracts/{contract_id}/documents/{document_id}"): Rule("viewer", "org"),
    ("GET", "/v1/contracts/{contract_id}/team"): Rule("viewer", "org"),
    ("POST", "/v1/contracts/{contract_id}/team"): Rule("contract.edit", "org",
                                                       _json({"username": "hardening-web", "role": "reviewer"})),
    ("POST", "/v1/contracts/{contract_id}/submit"): Rule("contract.submit", "org"),
    ("GET", "/v1/contracts/{contract_id}/review"): Rule("viewer", "org"),
    # accepting a risk or changing its severity: the finding's approver role; deciding a step: the step's role
    ("POST", "/v1/contracts/{contract_id}/findings/{finding_id}/accept"): Rule(
        "risk.accept@role", "org", _json({"reason": "mitigated-elsewhere", "note": "insurance covers it"})),
    ("POST", "/v1/contracts/{contract_id}/findings/{finding_id}/severity"): Rule(
        "risk.accept@role", "org", _json({"severity": "high", "reason": "exposure matters here"})),
    ("POST", "/v1/contracts/{contract_id}/findings/{finding_id}/fallback"): Rule("contract.edit", "org"),
    ("POST", "/v1/contracts/{contract_id}/approvals/{role}/approve"): Rule("approval.decide@role", "org",
                                                                           _json({"note": "ok"})),
    ("POST", "/v1/contracts/{contract_id}/approvals/{role}/reject"): Rule(
        "approval.decide@role", "org", _json({"reason": "legal-terms", "note": "x"})),
    ("POST", "/v1/contracts/{contract_id}/revise"): Rule("contract.edit", "org"),
    ("GET", "/v1/approvals/open"): Rule("report.view", "own"),
    ("POST", "/v1/contracts/{contract_id}/hold"): Rule("contract.hold", "org", REASON),
    ("POST", "/v1/contracts/{contract_id}/release-hold"): Rule("contract.hold", "org"),
    ("POST", "/v1/contracts/{contract_id}/cancel"): Rule("contract.cancel", "org", REASON),
    ("POST", "/v1/contracts/{contract_id}/signatures"): Rule("signature.send", "org",
                                                             _json({"internal_signer": "hardening-web"})),
    ("GET", "/v1/contracts/{contract_id}/signatures"): Rule("viewer", "org"),
    ("GET", "/v1/contracts/{contract_id}/signatures/my-link"): Rule("signature.sign", "org"),
    ("POST", "/v1/contracts/{contract_id}/signatures/void"): Rule("signature.void", "org",
                                                                  _json({"reason": "wrong-signer"})),
    ("GET", "/v1/signing/{token}"): Rule("link"),
    ("POST", "/v1/signing/{token}/sign"): Rule("link", "none", _json({"document_sha256": "0" * 64})),
    ("POST", "/v1/signing/{token}/decline"): Rule("link", "none", _json({"reason": "not mine"})),
    ("GET", "/v1/contracts/{contract_id}/purchase-agreement"): Rule("viewer", "org"),
    ("POST", "/v1/contracts/{contract_id}/release-orders"): Rule(
        "release_order.create", "org", _json({"item": "X", "quantity": "1", "unit_price": "1"})),
    ("POST", "/v1/contracts/{contract_id}/amendments"): Rule("contract.amend", "org", _json({"note": "x"})),
    ("POST", "/v1/contracts/{contract_id}/termination"): Rule("contract.terminate", "org",
                                                              _json({"reason": "project-ended"})),
    ("POST", "/v1/contracts/{contract_id}/expiry"): Rule("contract.renew", "org",
                                                         _json({"new_expiry": "2031-01-31"})),
    # catalog and organisation data
    ("GET", "/v1/contract-types"): Rule("any", "global"), ("GET", "/v1/templates"): Rule("any", "global"),
    ("GET", "/v1/templates/{key}"): Rule("any", "global"), ("GET", "/v1/clauses"): Rule("any", "global"),
    ("GET", "/v1/master-data"): Rule("any", "global"),
    ("GET", "/v1/playbooks"): Rule("any", "own"),
    ("GET", "/v1/playbooks/{playbook_id}"): Rule("any", "org"),
    ("POST", "/v1/playbooks"): Rule("master_data.manage", "none", PLAYBOOK_UPLOAD),
    ("GET", "/v1/vendors"): Rule("any", "own"),
    ("POST", "/v1/vendors"): Rule("vendor.manage", "none", _json({"code": "V{nonce}", "name": "{marker} vendor"})),
    ("GET", "/v1/notifications"): Rule("any", "own"),
    ("POST", "/v1/notifications/{notification_id}/read"): Rule("any", "org"),
    ("PUT", "/v1/saved-searches/{name}"): Rule("any", "own", _json({"criteria": {"contract_type": "nda"}})),
    ("GET", "/v1/saved-searches/{name}/results"): Rule("any", "own"),  # a user's own search, by name
    ("GET", "/v1/reports/{code}"): Rule("report.view", "own"),
    ("GET", "/v1/audit/verify"): Rule("audit.verify", "global"),
    ("POST", "/v1/outbox/dispatch"): Rule("master_data.manage", "global"),
    # the reviewer page
    ("GET", "/"): Rule("public"), ("GET", "/ui"): Rule("public"), ("GET", "/ui/"): Rule("public"),
    ("GET", "/ui/login"): Rule("public"), ("POST", "/ui/login"): Rule("web-login"),
    ("POST", "/ui/logout"): Rule("web-action"),
    ("GET", "/ui/contracts"): Rule("web-page", "own"),
    ("POST", "/ui/contracts/upload"): Rule("web-action", "none",
                                           _file("{marker}-web.md", lambda c: c["nda_text"].encode(),
                                                 contract_type="nda"), acts_as="contract.create"),
    ("GET", "/ui/contracts/{contract_id}"): Rule("web-page", "org"),
    ("GET", "/ui/contracts/{contract_id}/redline"): Rule("web-page", "org"),
    ("POST", "/ui/contracts/{contract_id}/findings/{finding_id}/accept"): Rule(
        "web-action", "org", lambda c: {"data": {"reason": "mitigated-elsewhere", "note": "insurance"}},
        acts_as="risk.accept@role"),
    ("POST", "/ui/contracts/{contract_id}/findings/{finding_id}/severity"): Rule(
        "web-action", "org", lambda c: {"data": {"severity": "high", "reason": "exposure matters"}},
        acts_as="risk.accept@role"),
    ("POST", "/ui/contracts/{contract_id}/findings/{finding_id}/fallback"): Rule("web-action", "org",
                                                                                  acts_as="contract.edit"),
    ("POST", "/ui/contracts/{contract_id}/submit"): Rule("web-action", "org", acts_as="contract.submit"),
    ("GET", "/ui/static"): Rule("public"),  # the mount: style sheet and scripts
}


def app_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every route the app serves (HEAD left out; a mount as GET of its path)."""
    from fastapi.routing import iter_route_contexts

    out = []
    for route in iter_route_contexts(app.routes):
        if route.methods is None:
            out.append(("GET", route.path))
            continue
        out.extend((m, route.path) for m in sorted(route.methods) if m != "HEAD")
    return sorted(set(out), key=lambda mp: (mp[1], mp[0]))


# --- the first organisation's data, and the callers ------------------------------------------------

@dataclass
class Caller:
    name: str
    headers: dict[str, str]
    csrf: str | None = None
    role: str | None = None  # a seeded role, or None (anonymous / other organisation)


def prepare(service: Any) -> tuple[dict[str, Any], dict[str, Caller], dict[str, Caller]]:
    """Data of the first organisation, every id marked; API callers (tokens) and web callers (sessions)."""
    from datetime import timedelta

    from fastapi.testclient import TestClient

    marker = f"hx{secrets.token_hex(6)}"
    clm, headers = service.clm, service.headers()
    ctx: dict[str, Any] = {"marker": marker, "nda_text": NDA_TEXT.format(marker=marker), "nonce": marker}
    ctx["vendor_id"] = clm.contracts.create_vendor("hardening-all", code=f"V{marker}", name=f"{marker} vendor")
    pb = yaml.safe_load((Path(service.app.state.services.engine.settings.playbook_dir) / "nda.yaml").read_text())
    pb["id"], pb["version"] = f"{marker}-nda", "1"
    ctx["playbook_yaml"] = yaml.safe_dump(pb, sort_keys=False)
    with TestClient(service.app, raise_server_exceptions=False) as c:
        r = c.post("/v1/playbooks", headers={**headers, "content-type": "application/yaml"},
                   content=ctx["playbook_yaml"].encode())
        assert r.status_code == 201, r.text
        ctx["playbook_id"] = pb["id"]
        ctx["contract_only"] = f"contract-only-{secrets.token_hex(5)}"  # in the contract, nowhere else
        contract_text = ctx["nda_text"] + f"\n3. Notices. Notices go to {ctx['contract_only']}.\n"
        r = c.post("/v1/contracts/import", headers=headers, data={"contract_type": "nda", "title": f"{marker} NDA",
                                                                  "submit": "true"},
                   files={"file": (f"{marker}.md", contract_text.encode(), "text/markdown")})
        assert r.status_code == 201, r.text
        ctx["contract_id"], ctx["contract_title"] = r.json()["id"], r.json()["title"]
        review = c.get(f"/v1/contracts/{ctx['contract_id']}/review", headers=headers).json()
        findings = review["review"]["findings"]  # the 3-month confidentiality term is flagged for legal
        finding = next((f for f in findings if f.get("flagged") and f.get("approver_role")),
                       findings[0] if findings else {"id": "f1", "approver_role": "legal"})
        ctx["finding_id"], ctx["role"] = finding["id"], finding.get("approver_role") or "legal"
        ctx["version_no"] = 1
        r = c.post(f"/v1/contracts/{ctx['contract_id']}/documents", headers=headers,
                   files={"file": (f"{marker}.txt", marker.encode(), "text/plain")})
        assert r.status_code == 201, r.text
        ctx["document_id"] = c.get(f"/v1/contracts/{ctx['contract_id']}/documents", headers=headers).json()[0]["id"]
        r = c.post("/v1/reviews", headers=headers, json={"text": ctx["nda_text"], "contract_type": "nda",
                                                         "name": f"{marker}.md"})
        assert r.status_code == 201, r.text
        ctx["review_id"] = r.json()["review_id"]
        r = c.post("/v1/scans", headers=headers, files={"file": (f"{marker}.zip", _zip(ctx), "application/zip")})
        assert r.status_code == 202, r.text
        ctx["scan_id"] = r.json()["scan_id"]
        deadline = time.monotonic() + 300
        while True:
            scan = c.get(f"/v1/scans/{ctx['scan_id']}", headers=headers).json()
            if scan["status"] in ("done", "failed") or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert scan["status"] == "done", scan
        rows = scan["results"]["summary"]
        ctx["page"] = rows[0]["page"].rsplit("/", 1)[-1] if rows and rows[0].get("page") else "missing.html"
        r = c.put(f"/v1/saved-searches/{marker}", headers=headers, json={"criteria": {"contract_type": "nda"}})
        assert r.status_code == 200, r.text
        ctx["name"] = marker
    ctx["notification_id"] = _first_notification_id(clm)
    ctx["code"], ctx["key"], ctx["token"] = "high-risk", "nda-standard", "not-a-signing-token"

    api = {ANONYMOUS: Caller(ANONYMOUS, {}), OTHER: Caller(OTHER, service.headers("hardening-other"))}
    for role in ROLES:
        api[role] = Caller(role, {"Authorization": f"Bearer {service.tokens[role]}"}, role=role)
    web = {ANONYMOUS: Caller(ANONYMOUS, {})}
    password = "matrix web passphrase"
    for name, org, roles in [(OTHER, OTHER_ORG, ["contract_manager", "legal"])] + [(r, ORG, [r]) for r in ROLES]:
        username = f"web-{name}"
        clm.access.create_user(username=username, organisation=org, roles=roles, password=password)
        session_id, principal = clm.access.login(username, password, timedelta(hours=1))
        web[name] = Caller(name, {"Cookie": f"rc_session={session_id}"}, principal.csrf_token,
                           role=None if name == OTHER else name)
    return ctx, api, web


def _first_notification_id(clm: Any) -> int:
    from sqlalchemy import select

    from clm_core.store import tables as t

    with clm.context.session_factory() as s:
        user_ids = set(s.scalars(select(t.User.id).join(t.Organisation, t.User.organisation_id == t.Organisation.id)
                                 .where(t.Organisation.code == ORG)))
        for n in s.scalars(select(t.Notification).order_by(t.Notification.id)):
            if getattr(n, "user_id", None) in user_ids:
                return n.id
    return 1


def allowed_roles(clm: Any) -> dict[str, set[str]]:
    """who -> the seeded roles allowed (from the role-action mapping in the database)."""
    from clm_core.services.review_desk_service import REVIEW_RUN_ACTIONS
    from sqlalchemy import select

    from clm_core.store import tables as t

    with clm.context.session_factory() as s:
        actions: dict[str, set[str]] = {}
        for role, action in s.execute(select(t.RoleAction.role_code, t.RoleAction.action)):
            actions.setdefault(role, set()).add(action)
    out = {"any": set(ROLES), "review": {r for r in ROLES if actions.get(r, set()) & set(REVIEW_RUN_ACTIONS)},
           # a contract's readers: its organisation's roles with contract.view, but a vendor contact only for
           # the contracts of their own vendor (the matrix's contract has none)
           "viewer": {r for r in ROLES if "contract.view" in actions.get(r, set())} - {"vendor"}}
    for role, granted in actions.items():
        for action in granted:
            out.setdefault(action, set()).add(role)
    return out


# --- the check ----------------------------------------------------------------------------------------

def _fill(path: str, ctx: dict[str, Any]) -> str:
    return path.format(**{k: v for k, v in ctx.items() if isinstance(v, (str, int))}) if "{" in path else path


def _code(r) -> str | None:
    try:
        body = r.json()
    except ValueError:
        return None
    return body.get("error", {}).get("code") if isinstance(body, dict) and isinstance(body.get("error"), dict) else None


def header_problems(path: str, r) -> list[str]:
    h = r.headers
    problems = []
    csp = h.get("content-security-policy", "")
    if not csp:
        problems.append("no Content-Security-Policy")
    if "frame-ancestors 'none'" not in csp:
        problems.append("CSP without frame-ancestors 'none'")
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    script = directives.get("script-src", directives.get("default-src", ""))
    if "'unsafe-inline'" in script or "'unsafe-eval'" in script:
        problems.append(f"CSP allows inline script: {csp}")
    if h.get("x-content-type-options", "").lower() != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if h.get("x-frame-options", "").upper() != "DENY":
        problems.append("no X-Frame-Options: DENY")
    return problems


def _expect(rule: Rule, caller: Caller, allowed: dict[str, set[str]], web: bool, ctx: dict[str, Any]) -> str:
    """allow | deny | login | notfound | any (no role dimension: public pages and signing links).
    ``who`` viewer: the contract's readers; action@key: the action and holding the role ctx[key]."""
    if rule.who in ("public", "link"):
        return "any"
    if rule.who == "web-login":
        return "any"
    if caller.name == ANONYMOUS:
        return "login" if web else "unauthenticated"
    if caller.name == OTHER:
        return "notfound" if rule.scope == "org" else "allow"
    if web and rule.acts_as:  # a form: the page answers 303 either way; a refusal is an error flash
        return "allow-flash" if _may(rule.acts_as, caller, allowed, ctx) else "deny-flash"
    if web:
        return "deny" if rule.who == "web-page" and rule.scope == "org" and caller.role == "vendor" else "allow"
    return "allow" if _may(rule.who, caller, allowed, ctx) else "deny"


def _may(who: str, caller: Caller, allowed: dict[str, set[str]], ctx: dict[str, Any]) -> bool:
    action, _, role_key = who.partition("@")  # action@role: the action, and holding the role in ctx[role]
    return caller.role in allowed[action] and (not role_key or caller.role == ctx[role_key])


REFUSAL = re.compile(r"may not|does not hold the role|see only their own|belongs to another organisation")


def _flash(r) -> tuple[str, str]:
    """(kind, message) of the flash cookie a redirect sets (``api.flash``)."""
    from api.flash import FLASH_COOKIE, decode_flash

    return decode_flash(r.cookies.get(FLASH_COOKIE)) or ("", "")


def _judge(expect: str, r, rule: Rule) -> str | None:
    status, code = r.status_code, _code(r)
    if status >= 500:
        return f"server error {status}"
    if expect in ("allow-flash", "deny-flash"):
        kind, flash = _flash(r)
        refused = status == 303 and kind == "error" and bool(REFUSAL.search(flash))
        if expect == "deny-flash":
            return None if refused else f"expected a refusal flash, got {status} {kind}: {flash[:80]}"
        return f"expected allowed, got {status} {code or flash[:80]}" if refused or status in (401, 403) else None
    if expect == "any":
        return None
    if expect == "unauthenticated":
        return None if status == 401 and code == "unauthenticated" else f"expected 401, got {status} {code}"
    if expect == "login":
        location = r.headers.get("location", "")
        return None if status == 303 and location.startswith("/ui/login") else \
            f"expected a 303 to the login page, got {status} {location}"
    if expect == "notfound":
        if status == 404 and code in ("not_found", None):
            return None
        return f"expected 404 (another organisation's resource), got {status} {code}"
    if expect == "deny":
        return None if status in (403, 404) and code in ("permission_denied", "not_found") else \
            f"expected 403, got {status} {code}"
    # allow
    if status == 401 or (status == 403 and code in ("permission_denied", "csrf_failed")):
        return f"expected allowed, got {status} {code}"
    return None


def check_matrix(service: Any) -> dict[str, Any]:
    """Every route x every caller; returns routes, cases, failures and each problem."""
    from fastapi.testclient import TestClient

    routes = app_routes(service.app)
    missing = [f"{m} {p}" for m, p in routes if (m, p) not in MATRIX]
    stale = [f"{m} {p}" for m, p in MATRIX if (m, p) not in set(routes)]
    ctx, api_callers, web_callers = prepare(service)
    allowed = allowed_roles(service.clm)
    problems: list[dict[str, Any]] = []
    cases = leaks = header_cases = 0
    expected: dict[str, int] = {}
    order = [ANONYMOUS, OTHER, *ROLES]
    with TestClient(service.app, raise_server_exceptions=False, follow_redirects=False) as client:
        for method, path in routes:
            rule = MATRIX.get((method, path))
            if rule is None:
                continue
            web = path.startswith("/ui") and rule.who.startswith("web")
            callers = web_callers if web else api_callers
            url = _fill(path, ctx) if path != "/ui/static" else "/ui/static/app.css"
            if web and method == "POST" and rule.who == "web-action":  # the same form without its CSRF token
                kwargs = rule.request(ctx) if rule.request else {}
                kwargs.setdefault("data", {})
                r = client.request(method, url, headers=web_callers["contract_manager"].headers, **kwargs)
                cases += 1
                if r.status_code != 403 or _code(r) != "csrf_failed":
                    problems.append({"route": f"{method} {path}", "caller": "contract_manager without CSRF",
                                     "problem": f"expected 403 csrf_failed, got {r.status_code} {_code(r)}"})
            for name in order:
                caller = callers.get(name)
                if caller is None:
                    continue
                kwargs = rule.request(ctx) if rule.request else {}
                headers = {**caller.headers, **kwargs.pop("headers", {})}
                if web and method == "POST" and caller.csrf:
                    kwargs.setdefault("data", {})["csrf"] = caller.csrf
                if rule.who == "web-login":
                    kwargs = {"data": {"username": "nobody", "password": "wrong password!", "csrf": "x"}}
                r = client.request(method, url, headers=headers, **kwargs)
                cases += 1
                expect = _expect(rule, caller, allowed, web, ctx)
                expected[expect] = expected.get(expect, 0) + 1
                verdict = _judge(expect, r, rule)
                if verdict:
                    problems.append({"route": f"{method} {path}", "caller": name, "problem": verdict,
                                     "body": r.text[:160]})
                echo = ctx["marker"] in url or ctx["marker"] in repr(kwargs)  # the caller's own request carries it
                if name in (ANONYMOUS, OTHER) and not echo and ctx["marker"] in r.text:
                    leaks += 1
                    problems.append({"route": f"{method} {path}", "caller": name,
                                     "problem": "response carries the first organisation's data"})
                if name == "vendor" and (ctx["contract_title"] in r.text or ctx["contract_only"] in r.text):
                    leaks += 1
                    problems.append({"route": f"{method} {path}", "caller": name,
                                     "problem": "a vendor contact sees a contract that is not theirs"})
                header_cases += 1
                for p in header_problems(path, r):
                    problems.append({"route": f"{method} {path}", "caller": name, "problem": p})
    for route in missing:
        problems.append({"route": route, "caller": "-", "problem": "route missing from the access matrix"})
    for route in stale:
        problems.append({"route": route, "caller": "-", "problem": "matrix entry for a route the app does not have"})
    return {"routes": len(routes), "cases": cases, "failures": len(problems), "leaks": leaks,
            "header_checks": header_cases, "missing": missing, "expected": expected, "problems": problems}


def secrets_at_rest(service: Any, database: Path) -> list[str]:
    """Issued API tokens and session ids must not appear in the database file (only their hashes)."""
    from datetime import timedelta

    session_id, _ = service.clm.access.login("hardening-web", "hardening web passphrase", timedelta(minutes=5))
    plain = [*service.tokens.values(), session_id]
    found = []
    with sqlite3.connect(database) as db:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            for row in db.execute(f'SELECT * FROM "{table}"'):
                text = " ".join(str(v) for v in row if v is not None)
                found.extend(f"{table}: {secret[:12]}..." for secret in plain if secret in text)
    return found


def run(quick: bool) -> dict[str, Any]:
    """Figures for ``make hardening`` (never raises for a failed check)."""
    started = time.monotonic()
    try:
        from hardening.service_under_test import build_service

        with tempfile.TemporaryDirectory(prefix="access-") as tmp:
            service = build_service(Path(tmp))
            outcome = check_matrix(service)
            plain = secrets_at_rest(service, Path(tmp) / "clm.sqlite3")
            service.app.state.services.scans.close()
            service.clm.close()
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}", "seconds": round(time.monotonic() - started, 1)}
    return {"ok": outcome["failures"] == 0 and not plain, "routes": outcome["routes"], "cases": outcome["cases"],
            "failures": outcome["failures"], "leaks": outcome["leaks"], "header_checks": outcome["header_checks"],
            **{f"expected_{k.replace('-', '_')}": v for k, v in sorted(outcome["expected"].items())},
            "plaintext_secrets_at_rest": len(plain), "seconds": round(time.monotonic() - started, 1),
            "problems": outcome["problems"][:30]}


if __name__ == "__main__":  # python -m hardening.access
    import json
    import sys

    print(json.dumps(run(quick="--full" not in sys.argv), indent=2, default=str))
