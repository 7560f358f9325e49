"""Issue 7 item 3: schemathesis against our OpenAPI document, authenticated, a few examples per
operation (valid and invalid requests): no server error, documented status codes and content types,
bodies matching their schemas. Plus one regression test per fault it found."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hardening.conformance import check_operations, existing_resources
from hardening.service_under_test import build_service
from tests.api.conftest import assert_error

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
HUGE = 5474787276313151732765949952  # a number schemathesis sent: larger than a 64-bit database integer


@pytest.fixture(scope="module")
def service(tmp_path_factory, review_engine):
    review_engine.warm_up()
    svc = build_service(tmp_path_factory.mktemp("conformance"), review_engine)
    yield svc
    svc.clm.close()


@pytest.fixture(scope="module")
def client(service):
    with TestClient(service.app, raise_server_exceptions=False) as c:
        yield c


def test_every_operation_conforms_to_the_openapi_document(service):
    existing = existing_resources(service.app, service.headers())  # a contract, review, document, ...
    outcome = check_operations(service.app, service.headers(), max_examples=3, existing=existing)
    spec_operations = sum(len(methods) for methods in service.app.openapi()["paths"].values())
    assert outcome["operations"] == spec_operations >= 60
    assert outcome["cases"] >= outcome["operations"]  # at least one request per operation
    assert outcome["failures"] == 0, outcome["problems"]


@pytest.mark.parametrize("method,path", [
    ("GET", "/v1/contracts/{n}"), ("POST", "/v1/contracts/{n}/documents"), ("GET", "/v1/contracts/1/versions/{n}/text"),
    ("GET", "/v1/contracts/1/document.docx?version={n}"), ("POST", "/v1/notifications/{n}/read"),
    ("GET", "/ui/contracts/{n}")])
def test_ids_beyond_64_bits_are_invalid_input_not_a_server_error(client, service, method, path):
    kwargs = {"files": {"file": ("a.txt", b"x", "text/plain")}} if path.endswith("/documents") else {}
    r = client.request(method, path.format(n=HUGE), headers=service.headers(), **kwargs)
    assert_error(r, 422, "invalid_input")


def test_an_unreadable_body_is_invalid_input_not_400(client, service):
    # JSON that is not UTF-8: FastAPI's own answer would be a 400 no operation declares
    r = client.post("/v1/vendors", headers={**service.headers(), "content-type": "application/json"},
                    content=b'{"code": "V\xff", "name": "x"}')
    assert_error(r, 422, "invalid_input")


def test_broken_multipart_is_invalid_input_not_400(client, service):
    r = client.post("/v1/contracts/1/documents", headers={**service.headers(),
                                                          "content-type": "multipart/form-data; boundary=x"},
                    content=b"--x\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--x--\r\n")
    assert_error(r, 422, "invalid_input")
    fields = {f"f{i}": "v" for i in range(9)}  # scans accept at most 8 fields
    r = client.post("/v1/scans", headers=service.headers(), data=fields,
                    files={"file": ("a.zip", b"PK\x03\x04", "application/zip")})
    assert_error(r, 422, "invalid_input")


def test_errors_of_html_and_yaml_routes_are_documented_as_json(service):
    spec = service.app.openapi()
    for path, method in (("/v1/scans/{scan_id}/report", "get"), ("/v1/playbooks/{playbook_id}", "get"),
                         ("/v1/contracts/{contract_id}/document.docx", "get")):
        responses = spec["paths"][path][method]["responses"]
        assert responses["404"]["content"] == {"application/json": {"schema": ERROR_BODY}}
    assert "ErrorBody" in spec["components"]["schemas"]


def test_a_signature_refusal_is_a_documented_400(client, service):
    r = client.post("/v1/contracts/import", headers=service.headers(), data={"contract_type": "nda", "title": "x"},
                    files={"file": ("x.md", b"# NDA\n\n1. Term. Two years.\n", "text/markdown")})
    r = client.get(f"/v1/contracts/{r.json()['id']}/signatures/my-link", headers=service.headers())
    assert_error(r, 400, "no_open_envelope")  # was undocumented: schemathesis on an existing contract found it
    responses = service.app.openapi()["paths"]["/v1/contracts/{contract_id}/signatures/my-link"]["get"]["responses"]
    assert "400" in responses and "503" in responses


def test_a_missing_scan_report_is_a_json_404(client, service):
    r = client.get("/v1/scans/sc_missing/report", headers=service.headers())
    assert r.headers["content-type"].startswith("application/json")
    assert_error(r, 404, "not_found")
