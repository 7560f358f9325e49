"""Real browser: Playwright driving Debian's Chromium against a real uvicorn server on a free
loopback port. Log in, upload a contract from ../shared/cases, see highlighted clauses, click a
finding (its evidence gets focus), move with the keyboard, filter by severity, accept a risk with a
reason and see the status change. A screenshot of the review view goes to test-artifacts/."""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
USER, PASSWORD = "bianca", "browser test password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, review_engine):
    import uvicorn

    from api.app import create_app
    from api.settings import ApiSettings
    from clm_core.composition import build_clm
    from clm_core.reviewer_adapter import RiskCopilotReviewer
    from clm_core.settings import ClmSettings

    db = tmp_path_factory.mktemp("browser-db") / "clm.sqlite3"
    clm = build_clm(ClmSettings(database_url=f"sqlite:///{db}"), reviewer=RiskCopilotReviewer(review_engine))
    clm.migrate()
    clm.seed()
    clm.access.create_user(username=USER, organisation="lakeshore", roles=["contract_manager", "legal", "finance"],
                           password=PASSWORD, display_name="Bianca Counsel")
    port = _free_port()
    app = create_app(ApiSettings(port=port, cookie_secure=True, log_level="WARNING"), clm=clm, engine=review_engine)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not srv.started and time.time() < deadline:
        time.sleep(0.1)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    clm.close()


@pytest.fixture(scope="module")
def page():
    if not Path(CHROMIUM).exists():
        pytest.fail("install Debian's chromium (apt-get install -y chromium); never download a browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        pg = context.new_page()
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.console_errors = errors  # type: ignore[attr-defined]
        yield pg
        context.close()
        browser.close()


def test_review_a_contract_in_the_browser(server, page, shared_dir):
    from playwright.sync_api import expect

    page.goto(f"{server}/ui/contracts")
    expect(page).to_have_url(re.compile(r"/ui/login"))
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Contracts")

    page.set_input_files("#upload-form input[type=file]", str(shared_dir / "cases" / "proc-liquidated.md"))
    page.select_option("#upload-form select[name=contract_type]", "procurement")
    page.fill("#upload-form input[name=title]", "Liquidated damages supply agreement")
    page.click("#upload-form button[type=submit]")
    expect(page.locator(".flash-ok")).to_contain_text("reviewed")
    expect(page.locator("#contract-status")).to_have_text("WaitingForApproval")

    marks = page.locator("#contract-text mark.ev")
    assert marks.count() > 0
    assert page.locator("#contract-text mark.sev-high, #contract-text mark.sev-medium").count() > 0
    colour = marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")

    flagged = page.locator("#findings .finding[data-severity=high], #findings .finding[data-severity=medium]")
    first = flagged.first
    fid = first.get_attribute("data-finding-id")
    first.locator("h3").click()
    expect(first).to_have_class(re.compile(r"\bselected\b"))
    evidence = page.locator(f"#ev-{fid}")
    expect(evidence).to_be_focused()
    expect(evidence).to_be_in_viewport()
    expect(evidence).to_have_class(re.compile(r"\bactive\b"))

    page.keyboard.press("j")
    second = page.locator("#findings .finding.selected")
    assert second.get_attribute("data-finding-id") != fid
    page.keyboard.press("k")
    assert page.locator("#findings .finding.selected").get_attribute("data-finding-id") == fid

    page.uncheck("#severity-filter input[value=info]")
    assert page.locator("#findings .finding[data-severity=info]:visible").count() == 0
    page.check("#severity-filter input[value=info]")

    page.screenshot(path=str(REPO / "test-artifacts" / "review-view.png"), full_page=False)

    first.locator("details.actions summary").click()
    form = first.locator("form.accept-form")
    form.locator("select[name=reason]").select_option("business-need")
    form.locator("textarea[name=note]").fill("Sole qualified supplier; convenience exit priced into the deal.")
    form.locator("button").click()
    expect(page.locator(".flash-ok")).to_contain_text(f"Risk {fid} accepted")
    accepted = page.locator(f"#finding-{fid}")
    expect(accepted.locator("[data-testid=finding-status]")).to_have_text(f"Accepted by {USER}")
    expect(accepted).to_have_class(re.compile(r"\baccepted\b"))
    expect(accepted).to_be_focused()
    page.screenshot(path=str(REPO / "test-artifacts" / "review-view-accepted.png"), full_page=False)
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors
