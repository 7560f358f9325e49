"""No outbound network calls anywhere: the reviewer, the API and the batch scan work with
every non-loopback connection and name lookup refused, and attempt none.

The whole suite runs under the same guard (``tests/conftest.py``, autouse): any test
whose code tries to leave the machine fails at teardown. These tests prove the guard
is installed, catches attempts (so it can fail), and that a real review, an API
request and a scan make no attempt.
"""

from __future__ import annotations

import socket
import threading
import urllib.request

import pytest

from tests.api.conftest import app, auth, clm, client, tokens  # noqa: F401 - the API fixtures
from tests.hardening.network_guard import NetworkGuard, OutboundNetworkBlocked

CONTRACT = """SUPPLY AGREEMENT

1. Price. The Buyer shall pay USD 250,000 within 60 days of invoice.

2. Liability. The Supplier's liability is unlimited.

3. Governing Law. This Agreement is governed by the laws of the State of New York.
"""


@pytest.fixture()
def recording_guard():
    guard = NetworkGuard().install()  # on top of the session guard, recording this test only
    yield guard
    guard.uninstall()


def test_the_suite_runs_under_the_guard(network_guard):
    assert socket.socket.connect.__name__ == "guarded_connect"
    assert socket.getaddrinfo.__name__ == "guarded_getaddrinfo"


def test_guard_refuses_and_records_connections_and_lookups_off_the_machine(recording_guard):
    with pytest.raises(OutboundNetworkBlocked):
        socket.create_connection(("93.184.216.34", 443), timeout=1)
    with pytest.raises(OutboundNetworkBlocked):
        socket.getaddrinfo("huggingface.co", 443)
    with pytest.raises(OSError):  # urllib reports it as a URLError, but the attempt is recorded
        urllib.request.urlopen("http://203.0.113.7/model.bin", timeout=1)
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as udp:
        with pytest.raises(OutboundNetworkBlocked):
            udp.sendto(b"x", ("2001:db8::1", 53))
    with socket.socket() as tcp:
        with pytest.raises(OutboundNetworkBlocked):
            tcp.connect(("198.51.100.1", 80))
        with pytest.raises(OutboundNetworkBlocked):
            tcp.connect_ex(("10.1.2.3", 80))
    attempts = recording_guard.take_attempts()
    assert [a.via for a in attempts] == ["getaddrinfo", "getaddrinfo", "getaddrinfo", "sendto", "connect",
                                         "connect_ex"], attempts
    assert "huggingface.co" in attempts[1].target and "203.0.113.7" in attempts[2].target


def test_guard_lets_loopback_through(recording_guard):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        accepted = []
        thread = threading.Thread(target=lambda: accepted.append(server.accept()[0].close()))
        thread.start()
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        with socket.create_connection(("localhost", port), timeout=5):
            pass
        thread.join(5)
    assert recording_guard.take_attempts() == []


def test_guard_catches_a_call_home_hidden_inside_a_review(recording_guard, review_engine, monkeypatch):
    # the check can fail: an extractor that phones home is caught although it swallows the error
    from risk_copilot.extract import clause_values

    original = clause_values.extract_clause_values

    def phoning_home(text, roles=None):
        try:
            urllib.request.urlopen("http://telemetry.invalid/ping", timeout=1)
        except OSError:
            pass
        return original(text, roles)

    monkeypatch.setattr("risk_copilot.extract.extract_clause_values", phoning_home)
    review_engine.review_text(CONTRACT, "procurement", name="po.md")
    assert [a.via for a in recording_guard.take_attempts()][:1] == ["getaddrinfo"]


def test_review_api_and_scan_make_no_outbound_call(recording_guard, review_engine, client, tokens, tmp_path):
    from api.scan_service import InProcessRunner
    from risk_copilot.batch.scan import run_scan
    from risk_copilot.batch.worker import ContractWorker
    from risk_copilot.ingest import ingest_bytes
    from hardening.bad_inputs import docx_bytes, document_xml, text_pdf

    review = review_engine.review_text(CONTRACT, "procurement", name="po.md")
    assert review["findings"]
    assert ingest_bytes(text_pdf(CONTRACT), "po.pdf").text
    assert ingest_bytes(docx_bytes(document_xml(CONTRACT.split("\n")).encode()), "po.docx").text
    r = client.post("/v1/reviews", headers=auth(tokens["legal"]),
                    data={"contract_type": "procurement"}, files={"file": ("po.md", CONTRACT.encode(), "text/markdown")})
    assert r.status_code == 201, r.text
    assert client.get("/v1/reviews/" + r.json()["review_id"], headers=auth(tokens["legal"])).status_code == 200
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "po.md").write_text(CONTRACT, encoding="utf-8")
    runner = InProcessRunner(ContractWorker.from_engine(review_engine), threading.Event())
    status = run_scan([folder], tmp_path / "out", contract_type="procurement", show_progress=False, runner=runner,
                      settings=review_engine.settings)
    assert status["totals"]["reviewed"] == 1
    assert recording_guard.take_attempts() == []
