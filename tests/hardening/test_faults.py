"""Issue 7 item 5: faults. A database that goes away answers 503 with Retry-After in the error shape
(it was a 500) and the service recovers; the ERP down means retries and one agreement after
recovery; a full disk while writing reports is ``disk_full`` with no temporary file left and the
previous report intact (it was an unhandled OSError leaving ``*.tmp`` files). The stop/start of a
real private PostgreSQL runs under the ``hardening`` marker (``make hardening``); SIGKILL during a
batch scan is tests/integration/batch/test_kill_and_resume.py (default suite)."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from hardening.faults import erp_outage, full_disk, postgres_outage
from hardening.service_under_test import build_service
from tests.api.conftest import assert_error


def test_an_unreachable_database_is_503_with_retry_after_then_recovers(tmp_path, review_engine):
    service = build_service(tmp_path / "svc", review_engine)
    headers = service.headers()
    with TestClient(service.app, raise_server_exceptions=False) as client:
        assert client.post("/v1/vendors", headers=headers, json={"code": "UP1", "name": "Up"}).status_code == 201
        service.clm.engine.dispose()  # drop pooled connections; the database file's folder disappears
        (tmp_path / "svc").rename(tmp_path / "moved")
        for method, path, body in (("POST", "/v1/vendors", {"code": "DOWN1", "name": "Down"}),
                                   ("GET", "/v1/contracts", None), ("GET", "/v1/vendors", None)):
            r = client.request(method, path, headers=headers, json=body)
            error = assert_error(r, 503, "database_unavailable")
            assert r.headers["retry-after"] == str(error["details"]["retry_after_seconds"]) == "5"
            assert "Traceback" not in r.text and "sqlite" not in r.text.lower()
        (tmp_path / "moved").rename(tmp_path / "svc")
        assert client.post("/v1/vendors", headers=headers, json={"code": "UP2", "name": "Up"}).status_code == 201
        codes = {v["code"] for v in client.get("/v1/vendors", headers=headers).json()}
    assert {"UP1", "UP2"} <= codes and "DOWN1" not in codes
    spec = service.app.openapi()
    assert spec["paths"]["/v1/vendors"]["post"]["responses"]["503"]["headers"]["Retry-After"]
    service.clm.close()


def test_erp_down_means_retries_then_exactly_one_agreement(tmp_path):
    figures = erp_outage(tmp_path)
    assert figures["ok"], figures
    assert figures["deliveries_refused"] >= 4 and figures["agreements_while_down"] == 0
    assert figures["agreements"] == 1 and figures["undelivered_messages"] == 0


def test_a_full_disk_while_writing_reports_is_a_clear_error(tmp_path):
    figures = full_disk(tmp_path, use_mount=shutil.which("mount") is not None)
    assert figures["error_code"] == "disk_full", figures
    assert "free some space" in figures["message"] and figures["temporary_files_left"] == 0, figures
    assert figures["previous_report_intact"] and figures["ok"], figures


@pytest.mark.hardening
def test_postgres_stopped_mid_run_gives_503_no_partial_writes_and_recovers(tmp_path):
    figures = postgres_outage(tmp_path, down_seconds=3.0)
    assert figures["ok"], figures
    assert figures["writes_while_down"] > 0 and figures["server_errors"] == 0
    assert figures["lost_acknowledged"] == figures["stored_although_refused"] == 0
    assert figures["vendor_rows_without_audit"] == 0 and figures["audit_chain_ok"]
    assert figures["recovered_writes"] >= 5
