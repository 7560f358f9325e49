import csv
import re

from risk_copilot.batch.reports import write_reports
from risk_copilot.batch.results_store import ResultsStore, ScanOutcome
from risk_copilot.batch.svg_charts import score_histogram_svg, severity_by_category_svg
from tests.unit.batch.fake_workers import fake_review, fake_vectors

EVIL = '<script>alert("x")</script>'


def commit(store, sha, name, text):
    review = fake_review(f"/in/{name}", text)
    store.commit(ScanOutcome(sha256=sha, path=f"/in/{name}", status="reviewed", review=review,
                             vectors=fake_vectors([text[c["start"]:c["end"]] for c in review["clauses"]])))


def test_histogram_counts_each_score_in_its_band():
    svg = str(score_histogram_svg([0, 5, 9, 10, 55, 100, 100]))
    counts = [int(c) for c in re.findall(r'class="bar"[^>]*data-count="(\d+)"', svg)]
    assert counts == [3, 1, 0, 0, 0, 1, 0, 0, 0, 2]


def test_category_chart_escapes_labels_and_stacks_severities():
    svg = str(severity_by_category_svg({EVIL: {"high": 2, "low": 1}, "governing_law": {"medium": 1}}))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert re.findall(r'data-count="(\d+)"', svg) == ["2", "1", "1"]


def test_report_is_self_contained_escaped_and_csv_safe(tmp_path):
    store = ResultsStore.open(tmp_path)
    commit(store, "a" * 64, f"{EVIL}.txt", f"1. Liability is uncapped {EVIL}.\n2. Fine.\n")
    commit(store, "b" * 64, "=HYPERLINK(1).txt", "1. Fine.\n")
    store.commit(ScanOutcome(sha256="c" * 64, path="/in/scan.pdf", status="error", error_code="scanned_pdf",
                             error_message="no text layer"))
    write_reports(store, tmp_path)
    html = (tmp_path / "report.html").read_text()
    assert "<script" not in html, "contract-derived text must be escaped and the report has no scripts"
    assert not re.search(r'(src|href)="(https?:)?//', html), "nothing loaded from outside"
    for chart in ("chart-risk-distribution", "chart-findings-by-category", "chart-riskiest"):
        assert f'id="{chart}"' in html
    assert "scanned_pdf" in html
    page = (tmp_path / "contracts" / ("a" * 20 + ".html")).read_text()
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert page.count("../report.html") == 1, "each contract page links back to the portfolio"
    assert 'class="sev-high"' in page
    with open(tmp_path / "summary.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["path"].startswith("/in/<script>") and rows[0]["risk_score"] == "90"
    assert rows[1]["path"] == "/in/=HYPERLINK(1).txt"  # not a formula: the path starts with '/'
    with open(tmp_path / "errors.csv") as handle:
        assert [r["error_code"] for r in csv.DictReader(handle)] == ["scanned_pdf"]


def test_formula_cells_are_neutralised(tmp_path):
    store = ResultsStore.open(tmp_path)
    store.commit(ScanOutcome(sha256="d" * 64, path="=cmd|' /C calc'!A0", status="error", error_code="corrupt_file",
                             error_message="+bad"))
    write_reports(store, tmp_path)
    with open(tmp_path / "errors.csv") as handle:
        row = next(csv.DictReader(handle))
    assert row["path"].startswith("'=") and row["error_message"] == "'+bad"


def _scan_for_paths(tmp_path, inputs, **kwargs):
    from risk_copilot.batch.local_runner import LocalRunner
    from risk_copilot.batch.scan import run_scan

    return run_scan(inputs, tmp_path / "out", contract_type="procurement", show_progress=False,
                    runner=LocalRunner(1, worker_class="tests.unit.batch.fake_workers:FakeWorker"), **kwargs)


def _server_tree(tmp_path):
    src = tmp_path / "server" / "private" / "contracts"
    (src / "acme").mkdir(parents=True)
    (src / "acme" / "supply.txt").write_text("1. Liability is uncapped.\n")
    (src / "acme" / "copy.txt").write_text("1. Liability is uncapped.\n")
    (src / "empty.md").write_text("   \n")
    return src


def test_report_pages_show_paths_relative_to_the_scanned_folder_not_server_paths(tmp_path):
    src = _server_tree(tmp_path)
    _scan_for_paths(tmp_path, [str(src)])
    out = tmp_path / "out"
    html = (out / "report.html").read_text()
    assert str(tmp_path) not in html and "/server/private" not in html
    assert ">acme/supply.txt<" in html or ">acme/copy.txt<" in html
    assert "empty.md" in html
    for page in (out / "contracts").glob("*.html"):
        assert str(tmp_path) not in page.read_text()
    with open(out / "summary.csv") as handle:  # the machine record keeps the path as scanned
        assert all(r["path"].startswith(str(src)) for r in csv.DictReader(handle))


def test_report_paths_with_several_inputs_or_a_root(tmp_path):
    src = _server_tree(tmp_path)
    other = tmp_path / "server" / "other"
    other.mkdir()
    (other / "nda.txt").write_text("1. Fine.\n")
    _scan_for_paths(tmp_path, [str(src), str(other / "nda.txt")])
    html = (tmp_path / "out" / "report.html").read_text()
    assert str(tmp_path) not in html
    assert "contracts/acme/" in html and ">nda.txt<" in html  # folder name kept when several inputs
    rooted = tmp_path / "rooted"
    rooted.mkdir()
    _scan_for_paths(rooted, [str(src / "acme" / "supply.txt")], root=tmp_path / "server")
    html = (rooted / "out" / "report.html").read_text()
    assert ">private/contracts/acme/supply.txt<" in html and str(tmp_path) not in html


def test_type_confidence_is_a_number_in_the_rows_and_formatted_in_csv_and_html(tmp_path):
    from risk_copilot.batch.reports import summary_rows

    store = ResultsStore.open(tmp_path)
    commit(store, "a" * 64, "nda.txt", "1. Fine.\n")
    store.commit(ScanOutcome(sha256="e" * 64, path="/in/lease.txt", status="other", detected_type="other",
                             type_confidence=0.8123))
    rows = {r["path"]: r for r in summary_rows(store)}
    assert rows["/in/lease.txt"]["type_confidence"] == 0.81 and isinstance(rows["/in/lease.txt"]["type_confidence"], float)
    write_reports(store, tmp_path)
    with open(tmp_path / "summary.csv") as handle:
        csv_rows = {r["path"]: r for r in csv.DictReader(handle)}
    assert csv_rows["/in/lease.txt"]["type_confidence"] == "0.81"
    assert "0.81" in (tmp_path / "report.html").read_text()
