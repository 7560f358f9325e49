"""The bad-input corpus through the three ways in: the CLI, one batch scan, the API.

Each input ends as a successful review or a clear error code, as its ``BadInput``
expects: no traceback, no 5xx, no ``internal_error``, no half-written output, and HTML
from clauses shown escaped. The large inputs (50 MB of text, one 5 MB line, 10,000
sections) and the peak-memory checks are under the ``hardening`` marker (``make hardening``).
"""

from __future__ import annotations

import json

import pytest

from hardening.bad_input_checks import (SCRIPT_MARKER, check_api, check_batch, check_cli, check_cli_subprocess,
                                        judge_api_response)
from hardening.bad_inputs import REFUSED, REVIEWED, generate
from tests.api.conftest import app, auth, clm, client, tokens  # noqa: F401 - the API fixtures


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-inputs") / "corpus"
    return folder, generate(folder, large=False)


def _problems(outcomes):
    return [(o.input, o.way, o.problem) for o in outcomes if not o.ok]


def test_cli_reviews_or_refuses_every_input_with_one_error_line(corpus_dir, review_engine, tmp_path):
    _, items = corpus_dir
    outcomes = check_cli(items, review_engine, tmp_path / "cli")
    assert len(outcomes) == len(items)
    assert _problems(outcomes) == []
    for item, outcome in zip(items, outcomes):
        if item.expected == REVIEWED:
            assert outcome.result == "reviewed", outcome
        if item.expected == REFUSED:
            assert outcome.result == "refused" and outcome.code in item.codes, outcome
            assert not (tmp_path / "cli" / (item.name + ".json")).exists()  # nothing written for a refusal
    # the HTML report of a clause holding <script> was checked: it exists and is escaped
    page = (tmp_path / "cli" / "html-script.md.html").read_text(encoding="utf-8")
    assert SCRIPT_MARKER not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("name", ["empty.txt", "xxe.docx", "encrypted.pdf"])
def test_cli_process_exits_2_with_one_line_and_no_traceback(corpus_dir, tmp_path, name):
    _, items = corpus_dir
    run = check_cli_subprocess(next(i for i in items if i.name == name), tmp_path)
    assert run.outcome.ok, run.outcome
    assert run.outcome.result == "refused"


def test_one_batch_scan_records_every_input_and_leaves_nothing_half_written(corpus_dir, review_engine, tmp_path):
    folder, items = corpus_dir
    outcomes, status = check_batch(items, folder, review_engine, tmp_path / "scan")
    assert _problems(outcomes) == []
    assert status["state"] == "finished"
    totals = status["totals"]
    assert totals["contracts"] == len({i.path.read_bytes() for i in items})  # one result per distinct file
    assert "internal_error" not in totals["errors_by_code"]
    assert totals["errors_by_code"].get("corrupt_file", 0) >= 6
    assert not list((tmp_path / "scan").rglob("*.tmp"))
    report = (tmp_path / "scan" / "report.html").read_text(encoding="utf-8")
    assert SCRIPT_MARKER not in report


def test_api_answers_every_input_with_a_review_or_a_4xx_in_the_error_shape(corpus_dir, client, tokens):
    _, items = corpus_dir
    outcomes = check_api(items, client, tokens["legal"])
    assert _problems(outcomes) == []
    assert {o.result for o in outcomes} == {"reviewed", "refused"}


def test_api_json_review_keeps_html_as_text(client, tokens):
    from hardening.bad_inputs import HTML_CLAUSES

    r = client.post("/v1/reviews", headers=auth(tokens["legal"]),
                    json={"text": HTML_CLAUSES, "contract_type": "procurement", "name": "html.md"})
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert SCRIPT_MARKER in r.json()["text"]  # JSON carries the text as it was; pages escape it


def test_api_judge_flags_a_5xx_and_a_foreign_error_shape():
    # the checker itself can fail: a 500 or a body outside the error shape is a problem
    from hardening.bad_inputs import BadInput

    class FakeResponse:
        def __init__(self, status, body):
            self.status_code, self._body, self.text = status, body, json.dumps(body)

        def json(self):
            return self._body

    item = BadInput("x.txt", None, "x", REFUSED, ("empty_document",))
    assert not judge_api_response(item, FakeResponse(500, {"detail": "boom"})).ok
    assert not judge_api_response(item, FakeResponse(422, {"detail": "empty"})).ok
    assert not judge_api_response(item, FakeResponse(422, {"error": {"code": "other", "message": "m",
                                                                      "details": None}})).ok
    assert judge_api_response(item, FakeResponse(422, {"error": {"code": "empty_document", "message": "m",
                                                                 "details": None}})).ok


# ---------------------------------------------------------------- large inputs (make hardening)


@pytest.fixture(scope="module")
def large_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-inputs-large") / "corpus"
    items = generate(folder, large=True)
    for item in items:
        if not item.large:
            item.path.unlink()  # the batch scan covers the folder: only the large inputs stay
    return folder, [i for i in items if i.large]


@pytest.mark.hardening
def test_large_inputs_through_cli_batch_and_api(large_corpus, review_engine, client, tokens, tmp_path):
    folder, items = large_corpus
    assert {i.name for i in items} == {"fifty-mb.txt", "one-5mb-line.txt", "ten-thousand-sections.txt"}
    outcomes = check_cli(items, review_engine, tmp_path / "cli")
    batch, status = check_batch(items, folder, review_engine, tmp_path / "scan")
    outcomes += batch + check_api(items, client, tokens["legal"])
    assert _problems(outcomes) == []
    assert status["totals"]["errors_by_code"] == {"file_too_large": 2}


@pytest.mark.hardening
def test_memory_stays_bounded_on_large_and_hostile_inputs(large_corpus, corpus_dir, tmp_path):
    # Peak RSS of a real `risk-copilot review` process (its own VmHWM): the 50 MB file, the
    # 5 MB line and the zip bombs are refused before their bulk is read or inflated and
    # before the model loads, so they stay far below a small review.
    from hardening.bad_input_checks import REFUSED_PEAK_CEILING_MB

    _, large = large_corpus
    _, quick = corpus_dir
    baseline = check_cli_subprocess(next(i for i in quick if i.name == "latin1.txt"), tmp_path)
    assert baseline.outcome.ok and baseline.outcome.result == "reviewed", baseline
    assert baseline.peak_rss_mb > REFUSED_PEAK_CEILING_MB  # the ceiling is below what a model load costs
    for item in [*large[:2], *(i for i in quick if i.name in ("zip-bomb.docx", "zip-bomb-lying.docx"))]:
        run = check_cli_subprocess(item, tmp_path)
        assert run.outcome.ok and run.outcome.result == "refused", run
        assert run.peak_rss_mb < REFUSED_PEAK_CEILING_MB, (item.name, run.peak_rss_mb, baseline.peak_rss_mb)
