"""Operations routes, security headers, request ids, the unexpected-error body and OpenAPI examples."""

from __future__ import annotations

from tests.api.conftest import auth


def test_healthz_readyz_metrics(client, tokens):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "checks": {"model": True, "database": True}}
    client.post("/v1/reviews", headers=auth(tokens["legal"]), json={"text": "1. Term. The Agreement lasts two years.",
                                                                     "contract_type": "nda"})
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    for name in ("http_requests_total", "http_request_duration_seconds", "review_duration_seconds",
                 "review_findings_total"):
        assert name in metrics.text


def test_readyz_reports_a_missing_model(app, client, monkeypatch):
    engine = app.state.services.engine
    monkeypatch.setattr(type(engine.encoder), "loaded", property(lambda self: False), raising=False)
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["checks"]["model"] is False


def test_security_headers_and_request_id(client):
    r = client.get("/healthz", headers={"X-Request-ID": "abcdef0123456789"})
    assert r.headers["x-request-id"] == "abcdef0123456789"
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32


def test_unexpected_error_is_a_generic_500_with_the_request_id(app, client, tokens, monkeypatch):
    desk = app.state.services.clm.review_desk

    def boom(*a, **k):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(desk, "list_contracts", boom)
    r = client.get("/v1/contracts", headers=auth(tokens["legal"]))
    assert r.status_code == 500
    body = r.json()["error"]
    assert body["code"] == "internal_error" and "secret" not in r.text and "Traceback" not in r.text
    assert body["details"]["request_id"] == r.headers["x-request-id"]


def test_unknown_route_and_method_use_the_error_shape(client):
    r = client.get("/v1/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.delete("/healthz")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


def test_every_route_has_a_summary_and_an_example(client):
    spec = client.get("/openapi.json").json()
    missing = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if not op.get("summary"):
                missing.append((method, path, "summary"))
    assert not missing
    schemas = spec["components"]["schemas"]
    for name in ("Review", "ReviewRequest", "ApprovalCheck", "ApprovalCheckRequest", "ErrorBody", "ContractCreate"):
        assert schemas[name].get("examples"), name
    assert "/v1/reviews" in spec["paths"] and "/v1/approval-checks" in spec["paths"]


def test_fastapi_own_routes_are_labelled_with_their_path_in_the_metrics(client):
    import re

    for path in ("/openapi.json", "/docs", "/ui/static/does-not-exist.css"):
        client.get(path)
    metrics = client.get("/metrics").text
    labelled = set(re.findall(r'http_requests_total\{[^}]*route="([^"]+)"', metrics))
    assert {"/openapi.json", "/docs", "/ui/static/{path}"} <= labelled, labelled


def test_a_malformed_multipart_body_logs_json_lines_only(app, client, tokens):
    import io
    import json
    import logging

    from api.observability import JsonLogFormatter

    handlers = [h for h in logging.getLogger("python_multipart").handlers if getattr(h, "_risk_copilot", False)]
    assert handlers and isinstance(handlers[0].formatter, JsonLogFormatter), "the parser logs through the app's handler"
    handler = handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        r = client.post("/v1/reviews", headers={**auth(tokens["legal"]),
                                                "content-type": "multipart/form-data; boundary=x"},
                        content=b"--garbage\r\n")
    finally:
        handler.setStream(previous)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    lines = stream.getvalue().splitlines()
    assert lines, "the parser's warning is logged"
    records = [json.loads(line) for line in lines]  # every line is JSON
    assert any("Expected boundary character" in rec["message"] and rec["logger"].startswith("python_multipart")
               for rec in records), records
