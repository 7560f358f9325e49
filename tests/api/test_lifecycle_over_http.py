"""The whole procurement lifecycle through HTTP only: vendor, contract from template, submit (real
review), accept risks and approve by role, sign both sides, purchase agreement Effective, a refused
and an accepted release order, amendment with redline and re-approval, expiry reset, termination, audit."""

from __future__ import annotations

from tests.api.conftest import auth

LINES = [{"item": "TIP-200F", "description": "Filtered pipette tips", "unit": "rack", "unit_price": "6.40",
          "quantity": "18000"},
         {"item": "TUBE-50", "description": "Centrifuge tubes, 50 mL", "unit": "case", "unit_price": "148.00",
          "quantity": "240"}]
HOLDER = {"legal": "lena", "finance": "felix", "approver": "abby", "contract_manager": "carl"}


def ok(r, status: int = 200) -> dict:
    assert r.status_code == status, r.text
    return r.json()


def approve_all(client, tokens, cid: int) -> None:
    detail = ok(client.get(f"/v1/contracts/{cid}/review", headers=auth(tokens["carl"])))
    for f in detail["review"]["findings"]:
        if f["flagged"] and not f["accepted_by"]:
            who = HOLDER.get(f["approver_role"] or "legal", "lena")
            ok(client.post(f"/v1/contracts/{cid}/findings/{f['id']}/accept", headers=auth(tokens[who]),
                           json={"reason": "business-need", "note": "accepted after negotiation"}))
    for step in detail["steps"]:
        if step["status"] == "pending":
            ok(client.post(f"/v1/contracts/{cid}/approvals/{step['role']}/approve",
                           headers=auth(tokens[HOLDER[step["role"]]]), json={"note": "ok"}))
    assert ok(client.get(f"/v1/contracts/{cid}", headers=auth(tokens["carl"])))["status"] == "Approved"


def sign_all(client, tokens, cid: int) -> None:
    sent = ok(client.post(f"/v1/contracts/{cid}/signatures", headers=auth(tokens["carl"]),
                          json={"internal_signer": "abby"}), 201)
    external = sent["signing_links"][0]["url"]
    doc = ok(client.get(external))
    assert doc["document_sha256"] == sent["document_sha256"]
    assert ok(client.post(f"{external}/sign", json={"document_sha256": doc["document_sha256"]}))["status"] == \
        "WaitingForInternalSignatures"
    mine = ok(client.get(f"/v1/contracts/{cid}/signatures/my-link", headers=auth(tokens["abby"])))
    client.get(mine["url"])
    assert ok(client.post(f"{mine['url']}/sign", json={"document_sha256": doc["document_sha256"]}))["status"] == \
        "Executed"
    envelope = ok(client.get(f"/v1/contracts/{cid}/signatures", headers=auth(tokens["carl"])))
    assert envelope["status"] == "completed" and all(s["signature_valid"] for s in envelope["signers"])


def test_procurement_lifecycle_over_http(client, tokens):
    carl = auth(tokens["carl"])
    vendor = ok(client.post("/v1/vendors", headers=carl, json={
        "code": "MERIDIAN-HTTP", "name": "Meridian Lab Supply Co.", "legal_description": "a Massachusetts corporation",
        "contact_name": "Maria Vendor", "contact_email": "maria@meridian.example"}), 201)
    c = ok(client.post("/v1/contracts", headers=carl, json={
        "template_key": "procurement-supply", "title": "Lab consumables (HTTP)", "vendor_id": vendor["id"],
        "attributes": {"processes_personal_data": True}, "effective_date": "2026-02-01", "lines": LINES,
        "variant_choices": {"termination": "supplier-convenience"}}), 201)
    cid = c["id"]
    assert c["status"] == "Draft" and c["version_no"] == 1
    review = ok(client.post(f"/v1/contracts/{cid}/submit", headers=carl))
    assert review["decision"] in ("approve", "escalate", "reject") and review["steps"]
    assert any(f["category"] == "termination_for_convenience" for f in review["findings"])
    # approval is blocked while a flagged finding is open
    detail = ok(client.get(f"/v1/contracts/{cid}/review", headers=carl))
    open_steps = [s for s in detail["steps"] if s["status"] == "pending"]
    flagged_roles = {f["approver_role"] for f in detail["review"]["findings"] if f["flagged"]}
    role = next(r for r in flagged_roles if r)
    r = client.post(f"/v1/contracts/{cid}/approvals/{role}/approve", headers=auth(tokens[HOLDER[role]]), json={})
    assert r.status_code == 409 and r.json()["error"]["code"] == "approval_blocked"
    assert open_steps
    approve_all(client, tokens, cid)
    sign_all(client, tokens, cid)
    c = ok(client.get(f"/v1/contracts/{cid}", headers=carl))
    assert c["status"] == "Executed" and c["agreement_number"]
    agreement = ok(client.get(f"/v1/contracts/{cid}/purchase-agreement", headers=carl))
    assert agreement["status"] == "Effective" and len(agreement["lines"]) == 2
    refused = client.post(f"/v1/contracts/{cid}/release-orders", headers=auth(tokens["felix"]),
                          json={"item": "TUBE-50", "quantity": "10", "unit_price": "150.00"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "price_above_agreement"
    order = ok(client.post(f"/v1/contracts/{cid}/release-orders", headers=auth(tokens["felix"]),
                           json={"item": "TUBE-50", "quantity": "10", "unit_price": "148.00"}), 201)
    assert order["remaining"] == "230.0000" or float(order["remaining"]) == 230
    # amendment: a 3rd line and a later expiry, re-reviewed and re-approved, agreement v2
    ok(client.post(f"/v1/contracts/{cid}/amendments", headers=carl, json={"note": "add gloves"}))
    edited = ok(client.patch(f"/v1/contracts/{cid}/terms", headers=carl, json={
        "expiry_date": "2029-02-01", "add_lines": [{"item": "GLV-M", "description": "Nitrile gloves", "unit": "box",
                                                    "unit_price": "9.85", "quantity": "6000"}]}))
    assert edited["version_no"] == 2
    redline = ok(client.get(f"/v1/contracts/{cid}/redline?from=1&to=2", headers=carl))
    assert redline["paragraphs"]
    docx = client.get(f"/v1/contracts/{cid}/redline.docx?from=1&to=2", headers=carl)
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert client.get(f"/v1/contracts/{cid}/document.docx", headers=carl).content[:2] == b"PK"
    assert "Nitrile" in client.get(f"/v1/contracts/{cid}/versions/2/text", headers=carl).text
    assert [v["version_no"] for v in ok(client.get(f"/v1/contracts/{cid}/versions", headers=carl))] == [1, 2]
    ok(client.post(f"/v1/contracts/{cid}/submit", headers=carl))
    approve_all(client, tokens, cid)
    sign_all(client, tokens, cid)
    agreement = ok(client.get(f"/v1/contracts/{cid}/purchase-agreement", headers=carl))
    assert agreement["version"] == 2 and len(agreement["lines"]) == 3
    renewed = ok(client.post(f"/v1/contracts/{cid}/expiry", headers=carl, json={"new_expiry": "2030-02-01"}))
    assert renewed["expiry_date"] == "2030-02-01"
    ended = ok(client.post(f"/v1/contracts/{cid}/termination", headers=carl, json={"reason": "project-ended"}))
    assert ended["status"] == "Terminated"
    assert ok(client.get(f"/v1/contracts/{cid}/purchase-agreement", headers=carl))["status"] == "Closed"
    history = ok(client.get(f"/v1/contracts/{cid}/history", headers=carl))
    assert history[-1]["to"] == "Terminated"
    assert ok(client.get("/v1/audit/verify", headers=auth(tokens["lena"])))["ok"] is True
    inbox = ok(client.get("/v1/notifications", headers=carl))
    assert any(n["template"] == "contract_executed" for n in inbox)
    ok(client.post(f"/v1/notifications/{inbox[0]['id']}/read", headers=carl))
