"""Issue 7 item 6: every route x every role, a second organisation and anonymous callers (allowed,
or 401/403/404 as the matrix in hardening/access.py declares; never another organisation's data;
security headers on every response), plus regression tests for what the matrix found: vendor
contacts saw contracts that were not theirs, another organisation's vendor id was confirmed as
existing, refused callers learned a contract's state (409 before 403), and the login's 429 was
HTML for API clients."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from hardening.access import MATRIX, app_routes, check_matrix, secrets_at_rest
from hardening.service_under_test import ALL_ROLES_USER, WEB_PASSWORD, WEB_USER, build_service
from clm_core.permissions import sees_contract
from clm_core.store import tables as t
from tests.api.conftest import assert_error


@pytest.fixture(scope="module")
def service(tmp_path_factory, review_engine):
    review_engine.warm_up()
    svc = build_service(tmp_path_factory.mktemp("access"), review_engine)
    yield svc
    svc.app.state.services.scans.close()
    svc.clm.close()


@pytest.fixture(scope="module")
def client(service):
    with TestClient(service.app, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c


def test_every_route_of_the_app_is_in_the_matrix(service):
    routes = app_routes(service.app)
    assert len(routes) >= 85
    assert [r for r in routes if r not in MATRIX] == [], "declare who may call each new route in hardening/access.py"
    assert [r for r in MATRIX if r not in routes] == []


def test_the_matrix_holds_for_every_route_and_caller(service):
    outcome = check_matrix(service)
    assert outcome["problems"] == []
    seen = outcome["expected"]  # every kind of outcome was exercised, refusals included
    assert seen["deny"] >= 50 and seen["deny-flash"] >= 10 and seen["notfound"] >= 30 and seen["allow-flash"] >= 5
    assert seen["unauthenticated"] >= 60 and seen["login"] >= 8 and seen["allow"] >= 200, seen
    # 9 API callers (anonymous, another organisation, 7 roles) per API route, web routes with sessions
    assert outcome["cases"] >= 9 * outcome["routes"] - 9 * 10
    assert outcome["header_checks"] == outcome["cases"] - sum(1 for r in MATRIX.values() if r.who == "web-action")


def test_the_api_explorer_allows_its_inline_script_by_hash_only(client):
    import base64
    import hashlib

    page = client.get("/docs")
    script = re.search(r"<script>(.*?)</script>", page.text, re.S).group(1)  # was allowed by 'unsafe-inline'
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = dict(d.strip().split(" ", 1) for d in page.headers["content-security-policy"].split(";"))
    assert csp["script-src"] == f"'self' 'sha256-{digest}'" and csp["frame-ancestors"] == "'none'"
    redoc = client.get("/redoc").headers["content-security-policy"]
    assert "script-src 'self';" in redoc and "unsafe-eval" not in redoc


def test_tokens_and_sessions_are_stored_only_as_hashes(service):
    assert secrets_at_rest(service, service.folder / "clm.sqlite3") == []
    with service.clm.context.session_factory() as s:
        stored = [row.token_sha256 for row in s.query(t.ApiToken)]
    assert stored and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stored)


def test_a_vendor_contact_sees_only_their_own_vendors_contracts():
    unassigned = SimpleNamespace(roles=["vendor"], vendor_id=None)
    assigned = SimpleNamespace(roles=["vendor"], vendor_id=7)
    legal = SimpleNamespace(roles=["legal"], vendor_id=None)
    no_vendor, vendors = SimpleNamespace(vendor_id=None), SimpleNamespace(vendor_id=7)
    assert not sees_contract(unassigned, no_vendor)  # was True: None == None
    assert not sees_contract(unassigned, vendors) and not sees_contract(assigned, no_vendor)
    assert sees_contract(assigned, vendors) and sees_contract(legal, no_vendor)


def test_an_unassigned_vendor_contact_cannot_read_contracts_over_http(service, client):
    headers = service.headers()
    r = client.post("/v1/contracts/import", headers=headers, data={"contract_type": "nda", "title": "Vendorless NDA"},
                    files={"file": ("v.md", b"# NDA\n\n1. Confidentiality. Keep it secret.\n", "text/markdown")})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    vendor = {"Authorization": f"Bearer {service.tokens['vendor']}"}
    assert all(c["id"] != cid for c in client.get("/v1/contracts", headers=vendor).json())
    for path in ("", "/review", "/signatures", "/versions"):
        assert_error(client.get(f"/v1/contracts/{cid}{path}", headers=vendor), 403, "permission_denied")
    assert client.put("/v1/saved-searches/all", headers=vendor, json={"criteria": {}}).status_code == 200
    assert all(c["title"] != "Vendorless NDA" for c in client.get("/v1/saved-searches/all/results",
                                                                  headers=vendor).json())


def test_an_assigned_vendor_contact_reads_their_own_contract(service, client):
    clm = service.clm
    vendor_id = clm.contracts.create_vendor(ALL_ROLES_USER, code="OWNV", name="Own vendor")
    with clm.context.session_factory() as s, s.begin():
        org = s.query(t.Organisation).filter_by(code="lakeshore").one()
        s.add(t.User(username="vera", display_name="Vera", email="vera@own.example", organisation_id=org.id,
                     roles=["vendor"], vendor_id=vendor_id, active=True))
    token = clm.access.create_token(role="vendor", organisation="lakeshore", username="vera").token
    view = clm.contracts.create_contract(ALL_ROLES_USER, template_key="nda-standard", title="Own NDA",
                                         vendor_id=vendor_id, attributes={"purpose": "evaluation"},
                                         effective_date=date(2026, 1, 1))
    r = client.get(f"/v1/contracts/{view.id}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["title"] == "Own NDA"
    listed = client.get("/v1/contracts", headers={"Authorization": f"Bearer {token}"}).json()
    assert [c["id"] for c in listed] == [view.id]


def test_another_organisations_vendor_is_not_found_like_a_missing_one(service, client):
    vendor_id = service.clm.contracts.create_vendor(ALL_ROLES_USER, code="SECRETV", name="Secret vendor")
    body = {"template_key": "nda-standard", "title": "x", "effective_date": "2026-01-01",
            "attributes": {"purpose": "x"}}
    other = service.headers("hardening-other")
    foreign = client.post("/v1/contracts", headers=other, json={**body, "vendor_id": vendor_id})
    missing = client.post("/v1/contracts", headers=other, json={**body, "vendor_id": 99_999_999})
    assert_error(foreign, 404, "not_found")
    assert_error(missing, 404, "not_found")


def test_a_refused_approver_gets_403_whatever_the_contracts_state(service, client):
    r = client.post("/v1/contracts/import", headers=service.headers(), data={"contract_type": "nda", "title": "Draft"},
                    files={"file": ("d.md", b"# NDA\n\n1. Term. Two years.\n", "text/markdown")})
    cid = r.json()["id"]  # a Draft: approving it is a 409 for who may approve, a 403 for who may not
    admin = {"Authorization": f"Bearer {service.tokens['admin']}"}
    assert_error(client.post(f"/v1/contracts/{cid}/approvals/legal/approve", headers=admin, json={"note": ""}),
                 403, "permission_denied")
    assert_error(client.post(f"/v1/contracts/{cid}/approvals/legal/reject", headers=admin,
                             json={"reason": "legal-terms"}), 403, "permission_denied")
    assert_error(client.post(f"/v1/contracts/{cid}/findings/f1/accept", headers=admin,
                             json={"reason": "business-need", "note": "because"}), 403, "permission_denied")
    assert_error(client.post(f"/v1/contracts/{cid}/findings/f1/severity", headers=admin,
                             json={"severity": "low", "reason": "small exposure"}), 403, "permission_denied")
    legal = {"Authorization": f"Bearer {service.tokens['legal']}"}
    assert_error(client.post(f"/v1/contracts/{cid}/approvals/legal/approve", headers=legal, json={"note": ""}),
                 409, "invalid_transition")


def _csrf(c: TestClient) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', c.get("/ui/login").text).group(1)


def test_login_errors_are_json_for_api_clients_and_the_429_has_retry_after(service):
    json_accept = {"accept": "application/json"}
    with TestClient(service.app, client=("203.0.113.50", 4000), follow_redirects=False) as c:
        stale = c.post("/ui/login", headers=json_accept, data={"username": WEB_USER, "password": "x", "csrf": "forged"})
        assert_error(stale, 403, "csrf_failed")
        for _ in range(5):
            wrong = c.post("/ui/login", headers=json_accept,
                           data={"username": WEB_USER, "password": "wrong guess", "csrf": _csrf(c)})
            assert_error(wrong, 401, "login_failed")
        throttled = c.post("/ui/login", headers=json_accept,
                           data={"username": WEB_USER, "password": WEB_PASSWORD, "csrf": _csrf(c)})
        error = assert_error(throttled, 429, "too_many_requests")
        assert 0 < int(throttled.headers["retry-after"]) == error["details"]["retry_after_seconds"] <= 300
        assert "rc_session" not in throttled.headers.get("set-cookie", "")
        page = c.post("/ui/login", headers={"accept": "text/html"},  # a browser still gets the page
                      data={"username": WEB_USER, "password": WEB_PASSWORD, "csrf": _csrf(c)})
        assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
        assert "retry-after" in page.headers
