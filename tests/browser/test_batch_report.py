"""report.html of a scan renders in real headless Chromium with its charts drawn, loads
nothing from outside, and links to per-contract pages with highlighted clauses.

Run: ``HF_HUB_OFFLINE=1 .venv/bin/python -m pytest -q -m browser tests/browser/test_batch_report.py``
(needs ``playwright`` from PyPI and Debian's ``chromium``; never ``playwright install``).
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from risk_copilot.batch.reports import write_reports
from risk_copilot.batch.results_store import ResultsStore, ScanOutcome
from tests.unit.batch.fake_workers import fake_review, fake_vectors

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("RISK_COPILOT_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHARTS = ("chart-risk-distribution", "chart-findings-by-category", "chart-riskiest")


@pytest.fixture
def report_dir(tmp_path):
    store = ResultsStore.open(tmp_path)
    for i in range(12):
        risky = "\n".join(f"{j}. Liability is uncapped in case {j}." for j in range(1, i % 4 + 2))
        text = f"1. Supply of goods {i} <b>not bold</b>.\n{risky if i % 3 else '2. Fine.'}\n"
        review = fake_review(f"/portfolio/contract-{i:02d}.txt", text)
        review["risk_score"] = (i * 9) % 101
        for j, finding in enumerate(review["findings"]):
            finding["severity"] = ("high", "medium", "low")[j % 3]
            finding["category"] = ("uncapped_liability", "governing_law", "insurance")[i % 3]
        store.commit(ScanOutcome(sha256=f"{i:064x}", path=f"/portfolio/contract-{i:02d}.txt", status="reviewed",
                                 review=review, vectors=fake_vectors([text[c["start"]:c["end"]] for c in review["clauses"]])))
    store.commit(ScanOutcome(sha256="e" * 64, path="/portfolio/scan.pdf", status="error", error_code="scanned_pdf",
                             error_message="no text layer"))
    store.commit(ScanOutcome(sha256="d" * 64, path="/portfolio/licence.txt", status="other", detected_type="other",
                             type_confidence=0.81))
    write_reports(store, tmp_path)
    store.close()
    return tmp_path


def test_report_renders_with_charts_drawn(report_dir):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto((report_dir / "report.html").as_uri())
            for chart in CHARTS:
                drawn = page.evaluate(
                    """id => { const svg = document.getElementById(id);
                               if (!svg) return null;
                               const box = svg.getBoundingClientRect();
                               const bars = [...svg.querySelectorAll('rect.bar')].map(r => r.getBBox())
                                            .filter(b => b.width > 0 && b.height > 0);
                               return {w: box.width, h: box.height, bars: bars.length}; }""", chart)
                assert drawn is not None, f"{chart} missing"
                assert drawn["w"] > 100 and drawn["h"] > 50, f"{chart} has no size: {drawn}"
                assert drawn["bars"] >= 3, f"{chart} drew {drawn['bars']} bars"
            heights = page.evaluate("""() => [...document.querySelectorAll('#chart-risk-distribution rect.bar')]
                                          .map(r => Number(r.getAttribute('data-count')))""")
            assert sum(heights) == 12, "the histogram counts every reviewed contract"
            assert page.locator("#contracts tbody tr").count() == 12
            assert page.locator("#errors tbody tr").count() == 1 and page.locator("#others tbody tr").count() == 1
            assert page.locator("#contracts b").count() == 0, "contract-derived markup is escaped, not rendered"
            page.screenshot(path=str(ARTIFACTS / "batch-report.png"), full_page=True)

            page.locator("#chart-riskiest a").first.click()
            page.wait_for_load_state()
            assert "/contracts/" in page.url
            assert page.locator("mark.sev-high").count() >= 1, "flagged clauses are highlighted"
            page.screenshot(path=str(ARTIFACTS / "batch-contract-page.png"), full_page=True)
        finally:
            browser.close()
    assert outside == [], f"the report loaded from outside: {outside}"
    assert errors == []
