import json

import numpy as np
import pytest

from risk_copilot.batch.results_store import ResultsStore, ScanOutcome
from tests.unit.batch.fake_workers import fake_review, fake_vectors

TEXT = "1. The Supplier's liability is uncapped.\n2. Payment within 30 days.\n"


def reviewed(sha: str, path: str = "/c/a.txt", text: str = TEXT) -> ScanOutcome:
    review = fake_review(path, text)
    vectors = fake_vectors([text[c["start"]:c["end"]] for c in review["clauses"]])
    return ScanOutcome(sha256=sha, path=path, status="reviewed", review=review, vectors=vectors)


def jsonl_shas(out):
    return [json.loads(line)["scan"]["sha256"] for line in (out / "reviews.jsonl").read_text().splitlines()]


def test_commit_writes_row_clauses_and_one_jsonl_line(tmp_path):
    store = ResultsStore.open(tmp_path)
    assert store.commit(reviewed("a" * 64))
    assert not store.commit(reviewed("a" * 64)), "a second commit of the same hash must be refused"
    assert jsonl_shas(tmp_path) == ["a" * 64]
    row = store.result_rows()[0]
    assert (row["status"], row["risk_score"], row["high"], row["clause_count"]) == ("reviewed", 90, 1, 2)
    assert row["top_findings"][0]["title"] == "Uncapped liability"
    meta, vectors = next(store.iter_clauses())
    assert [m["text"] for m in meta] == ["1. The Supplier's liability is uncapped.", "2. Payment within 30 days."]
    assert meta[0]["flagged"][0]["severity"] == "high" and meta[1]["flagged"] == []
    assert np.allclose(vectors, fake_vectors([m["text"] for m in meta]))
    assert store.review("a" * 64)["text"] == TEXT


def test_torn_last_line_is_cut_and_the_committed_review_appended_again(tmp_path):
    store = ResultsStore.open(tmp_path)
    store.commit(reviewed("a" * 64))
    store.commit(reviewed("b" * 64))
    store.close()
    data = (tmp_path / "reviews.jsonl").read_bytes()
    (tmp_path / "reviews.jsonl").write_bytes(data[: len(data) - 40])  # killed mid-write of b's line
    report = ResultsStore.open(tmp_path).reconcile_jsonl()  # open() already repaired it: nothing left to do
    assert report == {"truncated_bytes": 0, "appended": 0, "dropped": 0}
    assert jsonl_shas(tmp_path) == ["a" * 64, "b" * 64]


def test_reconcile_reports_what_it_repaired(tmp_path):
    store = ResultsStore.open(tmp_path)
    store.commit(reviewed("a" * 64))
    store.commit(reviewed("b" * 64))
    store.close()
    data = (tmp_path / "reviews.jsonl").read_bytes()
    (tmp_path / "reviews.jsonl").write_bytes(data[: len(data) - 10])
    store = ResultsStore.open(tmp_path, reconcile=False)
    report = store.reconcile_jsonl()
    assert report["truncated_bytes"] > 0 and report["appended"] == 1
    assert jsonl_shas(tmp_path) == ["a" * 64, "b" * 64]


def test_lines_without_a_committed_row_are_dropped(tmp_path):
    store = ResultsStore.open(tmp_path)
    store.commit(reviewed("a" * 64))
    line = (tmp_path / "reviews.jsonl").read_text().splitlines()[0]
    ghost = json.loads(line)
    ghost["scan"]["sha256"] = "f" * 64
    with open(tmp_path / "reviews.jsonl", "a") as handle:
        handle.write(line + "\n" + json.dumps(ghost) + "\n")  # a duplicate and a ghost
    report = store.reconcile_jsonl()
    assert report["dropped"] == 2
    assert jsonl_shas(tmp_path) == ["a" * 64]


def test_retryable_errors_are_not_done_but_file_errors_are(tmp_path):
    store = ResultsStore.open(tmp_path)
    store.commit(ScanOutcome(sha256="1" * 64, path="/x.pdf", status="error", error_code="scanned_pdf", error_message="m"))
    store.commit(ScanOutcome(sha256="2" * 64, path="/y.txt", status="error", error_code="worker_crashed", error_message="m"))
    store.commit(ScanOutcome(sha256="3" * 64, path="/z.txt", status="other", detected_type="other", type_confidence=0.8))
    assert store.done_hashes() == {"1" * 64, "3" * 64}
    assert store.forget_retryable_errors() == 1
    assert store.count("error") == 1
    assert not (tmp_path / "reviews.jsonl").exists(), "only reviewed contracts go to reviews.jsonl"


def test_vector_count_must_match_clauses(tmp_path):
    store = ResultsStore.open(tmp_path)
    bad = reviewed("a" * 64)
    bad = ScanOutcome(**{**bad.__dict__, "vectors": bad.vectors[:1]})
    with pytest.raises(ValueError):
        store.commit(bad)
    assert store.count() == 0, "a failed commit leaves nothing behind"
    assert not (tmp_path / "reviews.jsonl").exists()
