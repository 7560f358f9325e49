"""A real scan (MiniLM, spaCy, FAISS, two spawned workers) of a mixed folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from risk_copilot.batch import BatchError, run_scan, scan_status, search_portfolio
from risk_copilot.batch.results_store import ResultsStore
from tests.integration.batch.conftest import CASE_TYPES


@pytest.fixture(scope="module")
def scanned(mixed_folder, tmp_path_factory, review_engine):
    out = tmp_path_factory.mktemp("scan-out")
    status = run_scan([mixed_folder], out, contract_type="auto", workers=2, show_progress=False,
                      settings=review_engine.settings)
    return out, status


def reviews_by_name(out: Path) -> dict[str, dict]:
    lines = (out / "reviews.jsonl").read_text(encoding="utf-8").splitlines()
    return {Path(r["scan"]["path"]).name: r for r in map(json.loads, lines)}


def test_every_file_is_accounted_for(scanned):
    out, status = scanned
    assert status["state"] == "finished"
    assert (status["files_found"], status["reviewed"], status["other"], status["errors"], status["duplicates"]) == \
        (14, 10, 1, 2, 1)
    with open(out / "errors.csv") as handle:
        errors = {Path(r["path"]).name: r["error_code"] for r in csv.DictReader(handle)}
    assert errors == {"broken.pdf": "corrupt_file", "empty.txt": "empty_document"}
    with open(out / "summary.csv") as handle:
        rows = list(csv.DictReader(handle))
    other = [r for r in rows if r["status"] == "other"]
    assert [Path(r["path"]).name for r in other] == ["licence.txt"]
    assert len(rows) == 11 and all(r["page"] for r in rows if r["status"] == "reviewed")
    scores = [int(r["risk_score"]) for r in rows if r["status"] == "reviewed"]
    assert scores == sorted(scores, reverse=True), "summary.csv lists the riskiest first"
    assert status["worker_peak_rss_mb"] and len(status["worker_peak_rss_mb"]) == 2


def test_auto_detection_picks_each_cases_playbook(scanned):
    out, _ = scanned
    reviews = reviews_by_name(out)
    detected = {name.rsplit(".", 1)[0]: r["contract_type"] for name, r in reviews.items()}
    assert detected == CASE_TYPES
    assert reviews["proc-no-cap.docx"]["document"]["format"] == "docx"


def test_batch_reviews_equal_a_direct_review(scanned, review_engine, mixed_folder):
    out, _ = scanned
    batch = reviews_by_name(out)["proc-liquidated.md"]
    direct = review_engine.review_path(mixed_folder / "procurement" / "2024" / "proc-liquidated.md", "procurement")
    assert batch["risk_score"] == direct["risk_score"] and batch["decision"] == direct["decision"]
    key = lambda f: (f["parameter"], f["severity"], f["kind"], tuple((e["start"], e["end"]) for e in f["evidence"]))
    assert sorted(map(key, batch["findings"])) == sorted(map(key, direct["findings"]))


def test_stored_clause_vectors_are_the_reviewers_embeddings(scanned, review_engine):
    out, _ = scanned
    store = ResultsStore.open_readonly(out)
    meta, vectors = next(store.iter_clauses(batch=50))
    expected = review_engine.encoder.encode([m["text"] for m in meta])
    # the int8 path quantises per batch, so re-encoding in other batches is close, not bit-equal
    cosines = np.sum(vectors * expected, axis=1)
    assert cosines.min() > 0.98, cosines.min()
    nearest = np.argmax(vectors @ expected.T, axis=1)
    assert all(meta[j]["text"] == meta[i]["text"] for i, j in enumerate(nearest)), "row i is clause i's vector"
    assert store.clause_count() == sum(len(r["clauses"]) for r in reviews_by_name(out).values())


def test_search_finds_the_clause_with_exact_offsets(scanned, review_engine):
    out, _ = scanned
    hits = search_portfolio(out, "governed by the laws of the Seychelles", k=5, encoder=review_engine.encoder)
    assert hits[0]["contract"] == "nda-governing-law.md"
    review = reviews_by_name(out)["nda-governing-law.md"]
    assert review["text"][hits[0]["start"]:hits[0]["end"]] == hits[0]["text"]
    assert "Seychelles" in hits[0]["text"]
    assert [h["rank"] for h in hits] == [1, 2, 3, 4, 5] and hits[0]["score"] >= hits[-1]["score"]
    capped = search_portfolio(out, "limitation of liability", category="cap_on_liability", k=50,
                              encoder=review_engine.encoder)
    assert capped and all("cap_on_liability" in h["categories"] for h in capped)
    with pytest.raises(BatchError) as err:
        search_portfolio(out, "liability", category="no_such_category", encoder=review_engine.encoder)
    assert err.value.code == "unknown_category" and "cap_on_liability" in err.value.message


def test_rerun_skips_every_file_and_status_reads_finished(scanned, mixed_folder, review_engine):
    out, first = scanned
    before = (out / "reviews.jsonl").read_bytes()
    again = run_scan([mixed_folder], out, contract_type="auto", workers=1, show_progress=False,
                     settings=review_engine.settings)
    assert (again["to_review"], again["reviewed"], again["errors"]) == (0, 0, 0)
    assert again["skipped_done"] == first["files_found"]
    assert (out / "reviews.jsonl").read_bytes() == before
    status = scan_status(out)
    assert status["state"] == "finished" and status["live"] is False
    assert status["totals"]["reviewed"] == 10 and status["totals"]["errors"] == 2


def test_a_different_type_on_the_same_folder_is_refused(scanned, mixed_folder):
    out, _ = scanned
    with pytest.raises(BatchError) as err:
        run_scan([mixed_folder], out, contract_type="nda", show_progress=False)
    assert err.value.code == "scan_config_mismatch"


def test_text_that_is_not_a_contract_is_other_not_a_reviewed_contract(review_engine, tmp_path):
    from risk_copilot.batch.worker import ContractWorker
    from risk_copilot.digests import sha256_of_file

    recipe = tmp_path / "recipe.txt"
    # (this one, from a user's test, is nearest to the procurement type, confidence 0.5)
    recipe.write_text("Banana bread\n\nMash three ripe bananas. Mix with flour, sugar, butter and eggs. Bake at 180C "
                      "for one hour. Let it cool before slicing.\n")
    outcome = ContractWorker.from_engine(review_engine, name="t").review_file(str(recipe), sha256_of_file(recipe), "auto")
    assert outcome.status == "other" and outcome.review is None
