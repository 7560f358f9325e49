"""Portfolio index and search over fake reviews with a fake encoder (exact vectors)."""

import numpy as np
import pytest

from risk_copilot.batch.errors import BatchError
from risk_copilot.batch.portfolio_index import build_portfolio_index
from risk_copilot.batch.results_store import ResultsStore, ScanOutcome
from risk_copilot.batch.search import search_portfolio
from tests.unit.batch.fake_workers import fake_review, fake_vectors


class FakeEncoder:
    version = "fake-model"

    def encode(self, texts):
        return fake_vectors(texts)


@pytest.fixture
def out(tmp_path):
    store = ResultsStore.open(tmp_path)
    texts = {"a": "1. Liability is uncapped for all claims.\n2. Payment within 30 days.\n",
             "b": "1. Each party's liability is limited to fees paid.\n2. Delivery is DDP.\n"}
    for key, text in texts.items():
        review = fake_review(f"/in/{key}.txt", text)
        store.commit(ScanOutcome(sha256=key * 64, path=f"/in/{key}.txt", status="reviewed", review=review,
                                 vectors=fake_vectors([text[c["start"]:c["end"]] for c in review["clauses"]])))
    manifest = build_portfolio_index(store, tmp_path / "index")
    assert manifest["count"] == 4
    assert build_portfolio_index(store, tmp_path / "index")["built_at"] == manifest["built_at"], "unchanged: no rebuild"
    store.close()
    return tmp_path


def test_the_exact_clause_ranks_first_with_its_offsets(out):
    hits = search_portfolio(out, "2. Delivery is DDP.", encoder=FakeEncoder(), k=3)
    assert hits[0]["contract"] == "b.txt" and hits[0]["score"] == pytest.approx(1.0, abs=1e-5)
    source = "1. Each party's liability is limited to fees paid.\n2. Delivery is DDP.\n"
    assert source[hits[0]["start"]:hits[0]["end"]] == hits[0]["text"] == "2. Delivery is DDP."
    assert (hits[0]["start"], hits[0]["section"]) == (51, "2")
    assert [h["rank"] for h in hits] == [1, 2, 3]


def test_category_matches_classified_and_flagged_clauses(out):
    flagged = search_portfolio(out, "anything", category="uncapped_liability", encoder=FakeEncoder())
    assert [(h["contract"], h["clause_id"]) for h in flagged] == [("a.txt", "c1")]
    assert flagged[0]["flagged"][0]["severity"] == "high"
    classified = search_portfolio(out, "anything", category="cap_on_liability", encoder=FakeEncoder(), k=50)
    assert len(classified) == 4
    with pytest.raises(BatchError) as err:
        search_portfolio(out, "anything", category="insurance", encoder=FakeEncoder())
    assert err.value.code == "unknown_category"


def test_index_folder_or_scan_folder_and_errors(out, tmp_path):
    assert search_portfolio(out / "index", "x", encoder=FakeEncoder(), k=1)
    with pytest.raises(BatchError) as err:
        search_portfolio(tmp_path / "nowhere", "x", encoder=FakeEncoder())
    assert err.value.code == "no_index"
    with pytest.raises(BatchError) as err:
        search_portfolio(out, "   ", encoder=FakeEncoder())
    assert err.value.code == "empty_query"

    class OtherModel(FakeEncoder):
        version = "another-model"

    with pytest.raises(BatchError) as err:
        search_portfolio(out, "x", encoder=OtherModel())
    assert err.value.code == "model_mismatch"
