"""The reviewer page over HTTP: login with CSRF, list with filters, upload-and-review, escaped
contract text, accept / change severity / propose fallback (new version and redline)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import WEB_PASSWORD, WEB_USER

SCRIPT_CLAUSE = b"""# Supply Agreement

1. Limitation of Liability. <script>alert('pwned')</script> The Supplier's liability is unlimited.

2. Term. This Agreement lasts two years.
"""


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@pytest.fixture(scope="module")
def browser(app):
    with TestClient(app, raise_server_exceptions=False) as c:
        page = c.get("/ui/login")
        r = c.post("/ui/login", data={"username": WEB_USER, "password": WEB_PASSWORD, "csrf": _csrf(page.text)},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/ui/contracts"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        yield c


def test_login_refuses_wrong_password_and_forged_form(app):
    with TestClient(app) as c:
        assert c.get("/ui/contracts", follow_redirects=False).headers["location"].startswith("/ui/login")
        page = c.get("/ui/login")
        r = c.post("/ui/login", data={"username": WEB_USER, "password": "wrong password!", "csrf": _csrf(page.text)})
        assert "Wrong username or password" in r.text
        r = c.post("/ui/login", data={"username": WEB_USER, "password": WEB_PASSWORD, "csrf": "forged"})
        assert "expired" in r.text
        assert "rc_session" not in c.cookies


def test_forms_need_the_csrf_token(browser):
    r = browser.post("/ui/contracts/upload", data={"contract_type": "nda", "csrf": "forged"},
                     files={"file": ("a.md", b"1. A.", "text/markdown")})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    r = browser.post("/v1/reviews", json={"text": "1. A.", "contract_type": "nda"})  # cookie without header
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"


def test_upload_review_and_escaping(browser):
    listing = browser.get("/ui/contracts")
    r = browser.post("/ui/contracts/upload", data={"contract_type": "procurement", "title": "Script clause",
                                                   "csrf": _csrf(listing.text)},
                     files={"file": ("script.md", SCRIPT_CLAUSE, "text/markdown")})
    assert r.status_code == 200 and "/ui/contracts/" in str(r.url)
    html = r.text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in html
    assert re.search(r'<script src="/ui/static/app.js"', html)
    assert 'class="ev sev-' in html and 'class="finding sev-' in html
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    listing = browser.get("/ui/contracts?contract_type=procurement&min_risk=1")
    assert "Script clause" in listing.text
    assert "Script clause" not in browser.get("/ui/contracts?contract_type=nda").text


def test_accept_change_severity_and_propose_fallback(browser, shared_dir):
    listing = browser.get("/ui/contracts")
    r = browser.post("/ui/contracts/upload", data={"contract_type": "procurement", "title": "Web no cap",
                                                   "csrf": _csrf(listing.text)},
                     files={"file": ("proc-supplier-tfc.md", (shared_dir / "cases" / "proc-supplier-tfc.md").read_bytes(),
                                     "text/markdown")})
    url = str(r.url).split("?")[0]
    cid = int(url.rsplit("/", 1)[1])
    html = r.text
    csrf = _csrf(html)
    ids = re.findall(r'id="finding-(f\d+)"[^>]*data-severity="(high|medium)"', html)
    assert ids, "expected flagged findings"
    fid = ids[0][0]
    r = browser.post(f"/ui/contracts/{cid}/findings/{fid}/accept", data={"reason": "", "note": "", "csrf": csrf})
    assert "Choose a reason" in r.text
    r = browser.post(f"/ui/contracts/{cid}/findings/{fid}/accept",
                     data={"reason": "business-need", "note": "sole supplier", "csrf": csrf})
    assert f"Risk {fid} accepted" in r.text and "Accepted by maya" in r.text
    if len(ids) > 1:
        other = ids[1][0]
        r = browser.post(f"/ui/contracts/{cid}/findings/{other}/severity",
                         data={"severity": "low", "reason": "short contract, low exposure", "csrf": csrf})
        assert "changed to low" in r.text
    with_fallback = re.findall(r'/ui/contracts/\d+/findings/(f\d+)/fallback', r.text)
    assert with_fallback
    r = browser.post(f"/ui/contracts/{cid}/findings/{with_fallback[0]}/fallback", data={"csrf": csrf})
    assert "/redline" in str(r.url) and "<ins>" in r.text and "Fallback wording proposed" in r.text
    contract = browser.get(f"/v1/contracts/{cid}", headers={"x-csrf-token": csrf}).json()
    assert contract["status"] == "Draft" and contract["version_no"] == 2
    r = browser.post(f"/ui/contracts/{cid}/submit", data={"csrf": csrf})
    assert "Reviewed again" in r.text


def test_other_organisation_review_page_is_404(app, clm):
    clm.access.create_user(username="nora", organisation="northwind", roles=["legal"], password="northwind pass 1")
    with TestClient(app) as c:
        page = c.get("/ui/login")
        c.post("/ui/login", data={"username": "nora", "password": "northwind pass 1", "csrf": _csrf(page.text)})
        assert c.get("/ui/contracts/1").status_code == 404
        assert "PC-" not in c.get("/ui/contracts").text


@pytest.mark.parametrize("path", ["/", "/ui", "/ui/"])
def test_entry_points_lead_to_the_contract_list(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ui/contracts"


def test_flash_messages_come_from_our_redirects_not_from_the_url(browser):
    forged = browser.get("/ui/contracts?flash=Your+session+expired.+Call+%2B1-555-0100&kind=error")
    assert forged.status_code == 200 and "Call +1-555-0100" not in forged.text and 'class="flash' not in forged.text
    listing = browser.get("/ui/contracts")
    r = browser.post("/ui/contracts/upload", data={"contract_type": "procurement", "title": "Empty",
                                                   "csrf": _csrf(listing.text)},
                     files={"file": ("empty.md", b"   \n", "text/markdown")}, follow_redirects=False)
    assert r.status_code == 303 and "flash" not in r.headers["location"]
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("crc_flash=") and "HttpOnly" in cookie and "Path=/ui" in cookie
    shown = browser.get(r.headers["location"])
    assert re.search(r'class="flash flash-error" role="alert">[^<]*no text', shown.text)
    assert 'class="flash' not in browser.get(r.headers["location"]).text  # shown once


def test_an_upload_over_the_limit_gets_a_page_not_raw_json(browser):
    listing = browser.get("/ui/contracts")
    too_big = b"1. Term. " + b"x" * 2_100_000  # the test service allows 2,000,000 bytes
    r = browser.post("/ui/contracts/upload", data={"contract_type": "nda", "title": "Huge", "csrf": _csrf(listing.text)},
                     files={"file": ("huge.md", too_big, "text/markdown")})
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert "File too large" in r.text and 'href="/ui"' in r.text
    r = browser.post("/v1/reviews", json={"text": "x" * 2_100_000, "contract_type": "nda"})  # the API keeps JSON
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
