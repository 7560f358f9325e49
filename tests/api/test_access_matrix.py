"""Each role refused what it may not do; one organisation cannot see another's contracts."""

from __future__ import annotations

import pytest

from tests.api.conftest import auth

ROLES = ("requester", "contract_manager", "legal", "finance", "approver", "admin", "vendor")


@pytest.fixture(scope="module")
def contract_id(client, tokens) -> int:
    r = client.post("/v1/contracts/import", headers=auth(tokens["carl"]),
                    data={"contract_type": "nda", "title": "Matrix NDA"},
                    files={"file": ("matrix.md", b"# NDA\n\n1. Confidentiality. The Recipient shall keep the "
                                                 b"Confidential Information secret for 3 months.\n", "text/markdown")})
    assert r.status_code == 201, r.text
    return r.json()["id"]


# (method, path, json, roles allowed); everything else must get 403
MATRIX = [
    ("POST", "/v1/reviews", {"text": "1. Term. Two years.", "contract_type": "nda"},
     {"requester", "contract_manager", "legal", "finance", "approver"}),
    ("POST", "/v1/contracts", {"template_key": "nda-standard", "title": "x", "vendor_id": 999999,
                               "effective_date": "2026-01-01", "attributes": {"purpose": "x"}},
     {"requester", "contract_manager"}),
    ("POST", "/v1/vendors", {"code": "V{role}", "name": "Vendor"}, {"contract_manager", "admin"}),
    ("GET", "/v1/audit/verify", None, {"legal", "admin"}),
    ("POST", "/v1/playbooks", None, {"admin"}),
    ("GET", "/v1/reports/high-risk", None, {"requester", "contract_manager", "legal", "finance", "approver", "admin"}),
    ("POST", "/v1/outbox/dispatch", None, {"admin"}),
    ("POST", "/v1/contracts/{cid}/release-orders", {"item": "X", "quantity": "1", "unit_price": "1"},
     {"contract_manager", "finance"}),
    ("PUT", "/v1/contracts/{cid}/text", {"text": "1. Changed."}, {"requester", "contract_manager", "legal"}),
    ("POST", "/v1/contracts/{cid}/termination", {"reason": "project-ended"}, {"contract_manager"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,body,allowed", MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_role_matrix(client, tokens, contract_id, role, method, path, body, allowed):
    url = path.replace("{cid}", str(contract_id))
    kwargs = {}
    if body is not None:
        kwargs["json"] = {k: (v.replace("{role}", role) if isinstance(v, str) else v) for k, v in body.items()}
    if path == "/v1/playbooks":
        kwargs = {"content": b"id: x\n", "headers": {"content-type": "application/yaml"}}
    headers = {**auth(tokens[role]), **kwargs.pop("headers", {})}
    r = client.request(method, url, headers=headers, **kwargs)
    if role in allowed:
        assert r.status_code != 403, (role, url, r.text)
    else:
        assert r.status_code in (403, 404), (role, url, r.text)
        assert r.json()["error"]["code"] in ("permission_denied", "not_found")
        if role != "vendor" or "{cid}" not in path:
            assert r.status_code == 403, (role, url, r.text)


def test_accepting_a_risk_needs_the_findings_approver_role(client, tokens):
    r = client.post("/v1/contracts/import", headers=auth(tokens["carl"]),
                    data={"contract_type": "procurement", "title": "Role check", "submit": "true"},
                    files={"file": ("nocap.md", _case("proc-no-cap.md"), "text/markdown")})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    detail = client.get(f"/v1/contracts/{cid}/review", headers=auth(tokens["carl"])).json()
    finding = next(f for f in detail["review"]["findings"] if f["flagged"] and f["approver_role"] == "legal")
    refused = client.post(f"/v1/contracts/{cid}/findings/{finding['id']}/accept", headers=auth(tokens["felix"]),
                          json={"reason": "business-need", "note": "finance cannot accept legal risk"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    refused = client.post(f"/v1/contracts/{cid}/findings/{finding['id']}/severity", headers=auth(tokens["carl"]),
                          json={"severity": "low", "reason": "a contract manager is not counsel"})
    assert refused.status_code == 403
    changed = client.post(f"/v1/contracts/{cid}/findings/{finding['id']}/severity", headers=auth(tokens["lena"]),
                          json={"severity": "high", "reason": "uncapped exposure on a large order"})
    assert changed.status_code in (200, 422), changed.text
    accepted = client.post(f"/v1/contracts/{cid}/findings/{finding['id']}/accept", headers=auth(tokens["lena"]),
                           json={"reason": "mitigated-elsewhere", "note": "insurance covers it"})
    assert accepted.status_code == 200, accepted.text
    again = client.post(f"/v1/contracts/{cid}/findings/{finding['id']}/accept", headers=auth(tokens["lena"]),
                        json={"reason": "mitigated-elsewhere", "note": "twice"})
    assert again.status_code == 409
    missing_note = client.post(f"/v1/contracts/{cid}/findings/{finding['id']}/accept", headers=auth(tokens["lena"]),
                               json={"reason": "mitigated-elsewhere"})
    assert missing_note.status_code == 422


def _case(name: str) -> bytes:
    from pathlib import Path

    return (Path(__file__).resolve().parents[2].parent / "shared" / "cases" / name).read_bytes()


def test_other_organisation_cannot_see_or_touch_contracts(client, tokens, contract_id):
    olga = auth(tokens["olga"])
    missing = client.get("/v1/contracts/99999999", headers=olga)
    foreign = client.get(f"/v1/contracts/{contract_id}", headers=olga)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
    assert str(contract_id) in foreign.json()["error"]["message"]  # same wording as a missing id
    for method, path in (("GET", "/review"), ("GET", "/versions"), ("GET", "/redline?from=1&to=1"),
                         ("POST", "/submit"), ("GET", "/history"), ("GET", "/documents"),
                         ("GET", "/purchase-agreement"), ("GET", "/signatures")):
        r = client.request(method, f"/v1/contracts/{contract_id}{path}", headers=olga)
        assert r.status_code == 404, (path, r.text)
    assert all(c["id"] != contract_id for c in client.get("/v1/contracts", headers=olga).json())
    assert any(c["id"] == contract_id for c in client.get("/v1/contracts", headers=auth(tokens["carl"])).json())


def test_stale_edit_is_409(client, tokens, contract_id):
    carl = auth(tokens["carl"])
    current = client.get(f"/v1/contracts/{contract_id}", headers=carl).json()
    r = client.put(f"/v1/contracts/{contract_id}/text", headers=carl,
                   json={"text": "1. Confidentiality. Two years.", "if_version": current["lock_version"] - 1})
    assert r.status_code == 409 and r.json()["error"]["code"] == "concurrent_update"
