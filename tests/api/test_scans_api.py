"""Batch scans over HTTP: zip uploads (zip bombs, traversal, absolute paths, symlinks, too many
entries refused), server folders under the scan root (``..`` and symlink escapes refused),
background runs on the app's engine, progress and results, the report with a static-page CSP,
portfolio search, organisations kept apart, and scans that survive a restart."""

from __future__ import annotations

import io
import json
import os
import stat
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from tests.api.conftest import assert_error, auth

TERMINAL = ("done", "failed")


def _short(text: str, paragraphs: int) -> str:
    """The first paragraphs of a case contract: short, so the scans stay fast."""
    return "\n\n".join(text.split("\n\n")[:paragraphs]) + "\n"


@pytest.fixture(scope="module")
def contracts(shared_dir) -> dict[str, bytes]:
    cases = shared_dir / "cases"
    return {"acme/nda.md": _short((cases / "base-nda.md").read_text(), 12).encode(),
            "acme/supply.md": _short((cases / "proc-no-cap.md").read_text(), 14).encode(),
            "granite/nda-law.md": (cases / "nda-governing-law.md").read_bytes()}


@pytest.fixture(scope="module")
def roots(tmp_path_factory, contracts) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("scans")
    scan_root, data_root, outside = base / "scan-root", base / "data", base / "outside"
    (scan_root / "portfolio").mkdir(parents=True)
    (scan_root / "empty").mkdir()
    (scan_root / "empty" / "notes.xyz").write_text("not a contract")
    outside.mkdir()
    (outside / "secret.md").write_bytes(contracts["acme/nda.md"])
    (scan_root / "portfolio" / "supply.md").write_bytes(contracts["acme/supply.md"])
    (scan_root / "portfolio" / "leak.md").symlink_to(outside / "secret.md")  # a file escaping the root
    (scan_root / "escape").symlink_to(outside, target_is_directory=True)  # a folder escaping the root
    return {"scan_root": scan_root, "data_root": data_root, "outside": outside}


def _settings(roots: dict[str, Path]) -> ApiSettings:
    return ApiSettings(cookie_secure=False, log_json=True, log_level="WARNING", max_upload_bytes=2_000_000,
                       max_scan_upload_bytes=300_000, data_root=roots["data_root"], scan_root=roots["scan_root"],
                       scan_zip_max_files=20, scan_zip_max_ratio=50.0, warm_up=False)


@pytest.fixture(scope="module")
def scan_client(clm, review_engine, roots):
    with TestClient(create_app(_settings(roots), clm=clm, engine=review_engine), raise_server_exceptions=False) as c:
        yield c


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _upload(client, token: str, data: bytes, name: str = "portfolio.zip", contract_type: str | None = "auto"):
    form = {"contract_type": contract_type} if contract_type else {}
    return client.post("/v1/scans", headers=auth(token), data=form, files={"file": (name, data, "application/zip")})


def _wait(client, token: str, scan_id: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/v1/scans/{scan_id}", headers=auth(token))
        assert r.status_code == 200, r.text
        scan = r.json()
        if scan["status"] in TERMINAL or time.monotonic() > deadline:
            return scan
        time.sleep(0.2)


@pytest.fixture(scope="module")
def zip_scan(scan_client, tokens, contracts) -> dict:
    """One finished scan of an uploaded zip (two folders, three contracts, one non-contract file)."""
    data = _zip({**contracts, "acme/copy/nda.md": contracts["acme/nda.md"], "acme/readme.bin": b"\x00\x01"})
    r = _upload(scan_client, tokens["contract_manager"], data)
    assert r.status_code == 202, r.text
    accepted = r.json()
    assert accepted["status"] == "queued" and accepted["files"] == 4
    assert r.headers["location"] == f"/v1/scans/{accepted['scan_id']}" == accepted["links"]["self"]
    scan = _wait(scan_client, tokens["contract_manager"], accepted["scan_id"])
    assert scan["status"] == "done", scan
    return scan


def test_zip_scan_reports_progress_and_results(zip_scan):
    progress, results = zip_scan["progress"], zip_scan["results"]
    assert progress["files_total"] == 4 and progress["files_done"] == 4 and progress["files_failed"] == 0
    assert progress["files_reviewed"] == 3 and progress["files_skipped"] == 1  # the copy has the same bytes
    # the non-contract file is reported, not dropped
    assert progress["files_unsupported"] == 1
    assert [(e["path"], e["error_code"]) for e in zip_scan["results"]["errors"]] == [("acme/readme.bin", "unsupported_format")]
    assert progress["rate_per_minute"] > 0 and progress["state"] == "finished"
    assert zip_scan["source"] == {"kind": "upload", "name": "portfolio.zip"}
    assert zip_scan["owner"] == "svc-lakeshore-contract_manager"
    rows = {row["path"]: row for row in results["summary"]}
    # paths relative to the zip (no server paths); one row per content, the copy listed as a duplicate
    assert set(rows) == {"acme/copy/nda.md", "acme/supply.md", "granite/nda-law.md"}
    assert rows["acme/copy/nda.md"]["duplicate_paths"] == ["acme/nda.md"]
    assert rows["acme/supply.md"]["contract_type"] == "procurement"
    assert rows["acme/copy/nda.md"]["contract_type"] == rows["granite/nda-law.md"]["contract_type"] == "nda"
    assert rows["acme/supply.md"]["high"] >= 1 and rows["acme/supply.md"]["decision"] in ("escalate", "reject")
    for row in rows.values():  # numbers in JSON, like the review's own
        assert isinstance(row["risk_score"], int) and not isinstance(row["risk_score"], bool)
        assert row["type_confidence"] is None or isinstance(row["type_confidence"], float)
    assert all(row["page"].startswith(f"/v1/scans/{zip_scan['scan_id']}/contracts/") for row in rows.values())
    assert results["errors_count"] == 1  # acme/readme.bin, unsupported_format (above)
    assert results["paths"]["report.html"] == "out/report.html"
    assert zip_scan["created_at"].endswith("Z") and zip_scan["finished_at"]


def test_scan_results_are_limited_on_request(scan_client, tokens, zip_scan):
    r = scan_client.get(f"/v1/scans/{zip_scan['scan_id']}?limit=1", headers=auth(tokens["legal"]))
    assert r.status_code == 200 and len(r.json()["results"]["summary"]) == 1
    assert r.json()["results"]["summary_count"] == 3
    assert_error(scan_client.get(f"/v1/scans/{zip_scan['scan_id']}?limit=-1", headers=auth(tokens["legal"])), 422,
           "invalid_input")


def test_scans_of_another_organisation_are_404_like_missing_ones(scan_client, tokens, zip_scan):
    sid = zip_scan["scan_id"]
    for path in (f"/v1/scans/{sid}", f"/v1/scans/{sid}/report", f"/v1/search?q=liability&scan={sid}"):
        assert_error(scan_client.get(path, headers=auth(tokens["other_org"])), 404, "not_found")
    for missing in ("sc_0000000000000000", "../../etc", "sc_nope"):
        assert_error(scan_client.get(f"/v1/scans/{missing}", headers=auth(tokens["legal"])), 404, "not_found")
    listed = scan_client.get("/v1/scans", headers=auth(tokens["other_org"]))
    assert listed.status_code == 200 and sid not in [s["scan_id"] for s in listed.json()]
    mine = scan_client.get("/v1/scans", headers=auth(tokens["finance"]))
    assert sid in [s["scan_id"] for s in mine.json()] and all(s["results"] is None for s in mine.json())


def test_report_is_served_with_a_static_page_csp(scan_client, tokens, zip_scan, roots):
    sid = zip_scan["scan_id"]
    r = scan_client.get(f"/v1/scans/{sid}/report", headers=auth(tokens["legal"]))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp and "script-src" not in csp
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
    assert "<script" not in r.text.lower() and "<svg" in r.text  # charts drawn as inline SVG, no script needed
    assert str(roots["data_root"]) not in r.text and "acme/supply.md" in r.text  # no server folders shown
    page = zip_scan["results"]["summary"][0]["page"]
    assert f'href="{page.rsplit("/", 2)[-2]}/{page.rsplit("/", 1)[-1]}"' in r.text  # relative links resolve here
    contract = scan_client.get(page, headers=auth(tokens["legal"]))
    assert contract.status_code == 200 and "sandbox" in contract.headers["content-security-policy"]
    assert 'href="../report.html"' in contract.text
    assert scan_client.get(f"/v1/scans/{sid}/report.html", headers=auth(tokens["legal"])).status_code == 200
    assert_error(scan_client.get(f"/v1/scans/{sid}/contracts/..%2Fscan.json", headers=auth(tokens["legal"])), 404)
    assert_error(scan_client.get(f"/v1/scans/{sid}/contracts/0000000000aaaaaaaaaa.html", headers=auth(tokens["legal"])),
           404, "not_found")


def test_search_ranks_clauses_of_the_organisations_scans(scan_client, tokens, zip_scan):
    sid = zip_scan["scan_id"]
    r = scan_client.get("/v1/search", params={"q": "the supplier's liability is unlimited", "k": 5},
                        headers=auth(tokens["legal"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert sid in body["scans"] and 0 < len(body["hits"]) <= 5
    scores = [h["score"] for h in body["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert [h["rank"] for h in body["hits"]] == list(range(1, len(scores) + 1))
    top = body["hits"][0]
    assert top["scan_id"] == sid and top["contract"] == "supply.md" and top["path"] == "acme/supply.md"
    assert top["end"] > top["start"] >= 0 and "section" in top and top["text"]
    category = top["categories"][0] if top["categories"] else top["flagged"][0]["category"]
    only = scan_client.get("/v1/search", params={"q": "liability", "category": category, "scan": sid},
                           headers=auth(tokens["legal"]))
    assert only.status_code == 200 and only.json()["scans"] == [sid]
    assert all(category in h["categories"] or category in [f["category"] for f in h["flagged"]]
               for h in only.json()["hits"])
    assert_error(scan_client.get("/v1/search", params={"q": "x", "category": "no_such_category"},
                           headers=auth(tokens["legal"])), 422, "unknown_category")
    other = scan_client.get("/v1/search", params={"q": "liability"}, headers=auth(tokens["other_org"]))
    assert other.status_code == 200 and sid not in other.json()["scans"]
    assert all(h["scan_id"] != sid for h in other.json()["hits"])


def test_search_validates_its_query(scan_client, tokens):
    h = auth(tokens["legal"])
    assert_error(scan_client.get("/v1/search", headers=h), 422, "invalid_input")
    assert_error(scan_client.get("/v1/search", params={"q": "   "}, headers=h), 422, "empty_query")
    assert_error(scan_client.get("/v1/search", params={"q": "x", "k": 0}, headers=h), 422, "invalid_input")
    assert_error(scan_client.get("/v1/search", params={"q": "x", "k": 500}, headers=h), 422, "invalid_input")
    assert_error(scan_client.get("/v1/search", params={"q": "x", "category": "Bad Category!"}, headers=h), 422)
    assert_error(scan_client.get("/v1/search", params={"q": "x", "scan": "sc_0000000000000000"}, headers=h), 404)


def _wait_done_path_scan(scan_client, tokens, body: dict) -> dict:
    r = scan_client.post("/v1/scans", headers=auth(tokens["legal"]), json=body)
    assert r.status_code == 202, r.text
    return _wait(scan_client, tokens["legal"], r.json()["scan_id"])


def test_server_folder_scan_stays_inside_the_scan_root(scan_client, tokens, roots):
    scan = _wait_done_path_scan(scan_client, tokens, {"path": "portfolio", "contract_type": "procurement"})
    assert scan["status"] == "done" and scan["source"] == {"kind": "path", "path": "portfolio"}
    assert [row["path"] for row in scan["results"]["summary"]] == ["portfolio/supply.md"]
    assert scan["refused"] == ["portfolio/leak.md"]  # the symlinked file pointing out of the root is not read
    absolute = _wait_done_path_scan(scan_client, tokens, {"path": str(roots["scan_root"] / "portfolio" / "supply.md"),
                                                          "contract_type": "procurement"})
    assert absolute["status"] == "done" and absolute["progress"]["files_reviewed"] == 1


def test_server_paths_outside_the_root_are_refused(scan_client, tokens, roots):
    h = auth(tokens["legal"])
    for path in ("../outside", "portfolio/../../outside", str(roots["outside"]), "/etc", "escape",
                 "escape/secret.md", "portfolio/leak.md"):
        assert_error(scan_client.post("/v1/scans", headers=h, json={"path": path}), 403, "path_outside_root")
    assert_error(scan_client.post("/v1/scans", headers=h, json={"path": "no-such-folder"}), 422, "file_not_found")
    assert_error(scan_client.post("/v1/scans", headers=h, json={"path": "portfolio", "contract_type": "lease"}), 422,
           "invalid_input")
    assert_error(scan_client.post("/v1/scans", headers=h, json={"path": "portfolio", "extra": 1}), 422, "invalid_input")
    assert_error(scan_client.post("/v1/scans", headers=h, json={}), 422, "invalid_input")


def test_a_folder_without_contracts_fails_with_a_code(scan_client, tokens):
    scan = _wait_done_path_scan(scan_client, tokens, {"path": "empty"})
    assert scan["status"] == "failed" and scan["error"]["code"] == "no_input_files" and scan["results"] is None
    assert_error(scan_client.get(f"/v1/scans/{scan['scan_id']}/report", headers=auth(tokens["legal"])), 409,
           "scan_not_ready")
    assert_error(scan_client.get("/v1/search", params={"q": "x", "scan": scan["scan_id"]}, headers=auth(tokens["legal"])),
           409, "scan_not_ready")


def _symlink_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("link.md")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        info.create_system = 3
        z.writestr(info, "/etc/passwd")
    return buf.getvalue()


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("bomb.txt", b"0" * 20_000_000)  # ~20 KB packed, 20 MB unpacked
    return buf.getvalue()


@pytest.mark.parametrize("members,status,code", [
    (None, 413, "zip_ratio_exceeded"),
    ({f"part{i}.txt": b"0" * 900_000 for i in range(15)}, 413, "zip_ratio_exceeded"),  # many small bombs
    ({"../../evil.md": b"1. Term."}, 422, "unsafe_zip_entry"),
    ({"ok/../../evil.md": b"1. Term."}, 422, "unsafe_zip_entry"),
    ({"/tmp/evil.md": b"1. Term."}, 422, "unsafe_zip_entry"),
    ({"C:/evil.md": b"1. Term."}, 422, "unsafe_zip_entry"),
    ("symlink", 422, "unsafe_zip_entry"),
    ({f"c{i}.md": b"1. Term." for i in range(21)}, 413, "zip_too_many_files"),
    ({"readme.bin": b"nothing to scan"}, 422, "no_input_files"),
    ("corrupt", 422, "corrupt_zip"),
], ids=["bomb", "many-small-bombs", "dotdot", "nested-dotdot", "absolute", "drive-letter", "symlink", "too-many", "no-contracts",
        "corrupt"])
def test_unsafe_zips_are_refused_and_leave_nothing_behind(scan_client, tokens, roots, members, status, code):
    data = {None: _bomb, "symlink": _symlink_zip, "corrupt": lambda: b"PK\x03\x04 not really a zip"}[members]() \
        if members in (None, "symlink", "corrupt") else _zip(members)
    before = set((roots["data_root"] / "scans").iterdir()) if (roots["data_root"] / "scans").exists() else set()
    assert_error(_upload(scan_client, tokens["legal"], data), status, code)
    after = set((roots["data_root"] / "scans").iterdir()) if (roots["data_root"] / "scans").exists() else set()
    assert after == before  # no scan folder, no staging folder
    assert not list(roots["data_root"].parent.rglob("evil.md"))


def test_upload_errors(scan_client, tokens):
    h = auth(tokens["legal"])
    small = _zip({"a.md": b"1. Term. Two years."})
    assert_error(_upload(scan_client, tokens["legal"], small, name="contracts.tar"), 415, "unsupported_format")
    assert_error(_upload(scan_client, tokens["legal"], b"1. Term.", name="fake.zip"), 415, "unsupported_format")
    assert_error(_upload(scan_client, tokens["legal"], small, contract_type="lease"), 422, "invalid_input")
    assert_error(scan_client.post("/v1/scans", headers=h, data={"contract_type": "nda"},
                            files={"other": ("a.zip", small, "application/zip")}), 422, "invalid_input")
    assert_error(scan_client.post("/v1/scans", headers={**h, "content-type": "text/plain"}, content=b"x"), 415,
           "unsupported_media_type")
    too_big = _zip({f"big{i}.md": os.urandom(100_000) for i in range(4)})  # random bytes do not compress
    assert_error(_upload(scan_client, tokens["legal"], too_big), 413, "payload_too_large")


def test_scan_routes_need_a_token_and_the_right_role(scan_client, tokens, zip_scan):
    sid = zip_scan["scan_id"]
    assert_error(scan_client.post("/v1/scans", json={"path": "portfolio"}), 401, "unauthenticated")
    assert_error(scan_client.post("/v1/scans", headers=auth("rcp_forged"), json={"path": "portfolio"}), 401)
    for path in (f"/v1/scans/{sid}", f"/v1/scans/{sid}/report", "/v1/scans", "/v1/search?q=term"):
        assert_error(scan_client.get(path), 401, "unauthenticated")
        assert_error(scan_client.get(path, headers=auth(tokens["vendor"])), 403, "permission_denied")
    for role in ("vendor", "admin"):  # the roles that may not run reviews may not run scans
        assert_error(scan_client.post("/v1/scans", headers=auth(tokens[role]), json={"path": "portfolio"}), 403,
               "permission_denied")
    assert scan_client.get(f"/v1/scans/{sid}", headers=auth(tokens["admin"])).status_code == 200  # report.view


def test_path_scans_are_refused_without_a_scan_root(client, tokens):
    assert_error(client.post("/v1/scans", headers=auth(tokens["legal"]), json={"path": "anything"}), 403,
           "path_scans_disabled")


def test_scans_survive_a_restart_and_unfinished_ones_resume(clm, review_engine, roots, tokens, zip_scan, contracts):
    # an unfinished scan as a killed process leaves it: record says running, nothing committed yet
    sid = "sc_00000000000000ab"
    folder = roots["data_root"] / "scans" / sid
    (folder / "input").mkdir(parents=True)
    (folder / "input" / "nda.md").write_bytes(contracts["acme/nda.md"])
    org = {"organisation_id": zip_scan_org(clm), "organisation_code": "lakeshore"}
    (folder / "scan.json").write_text(json.dumps({
        "scan_id": sid, **org, "owner": "lena", "created_at": time.time(), "contract_type": "nda",
        "source": {"kind": "upload", "name": "old.zip"}, "status": "running", "started_at": time.time()}))
    with TestClient(create_app(_settings(roots), clm=clm, engine=review_engine), raise_server_exceptions=False) as c:
        done = c.get(f"/v1/scans/{zip_scan['scan_id']}", headers=auth(tokens["legal"]))
        assert done.status_code == 200 and done.json()["status"] == "done"
        assert done.json()["results"]["summary_count"] == 3
        resumed = _wait(c, tokens["legal"], sid)
        assert resumed["status"] == "done" and resumed["results"]["summary"][0]["path"] == "nda.md"


def zip_scan_org(clm) -> int:
    return clm.access.principal_for_token(clm.access.create_token(role="legal", organisation="lakeshore").token) \
        .organisation_id


def test_scan_routes_are_in_the_openapi_document(scan_client):
    spec = scan_client.get("/openapi.json").json()
    for path in ("/v1/scans", "/v1/scans/{scan_id}", "/v1/scans/{scan_id}/report",
                 "/v1/scans/{scan_id}/contracts/{page}", "/v1/search"):
        assert path in spec["paths"], path
    post = spec["paths"]["/v1/scans"]["post"]
    assert set(post["requestBody"]["content"]) == {"multipart/form-data", "application/json"}
    assert "202" in post["responses"] and "ScanPathRequest" in spec["components"]["schemas"]
    assert spec["components"]["schemas"]["Scan"].get("examples")
