"""The engine as a whole: review JSON shape, index persistence, reproducibility fields."""

from __future__ import annotations

import json
import re
from pathlib import Path

from risk_copilot.clause_library import ClauseLibraryIndex
from risk_copilot.engine import ReviewEngine
from risk_copilot.playbook import load_playbook
from risk_copilot.settings import ReviewerSettings

REPO = Path(__file__).resolve().parents[2]
CASES = REPO.parent / "shared" / "cases"
SEVERITIES = {"high", "medium", "low", "info"}
KINDS = {"deviation", "missing", "unacceptable", "out_of_range", "inconsistency"}


def test_review_json_has_the_design_shape(review_engine):
    review = review_engine.review_path(CASES / "proc-price-increase.md", "procurement")
    assert review["review_id"].startswith("rv_")
    assert set(review) >= {"review_id", "contract_type", "playbook", "document", "clauses", "findings", "risk_score",
                           "decision", "approvers", "versions", "timings_ms", "text"}
    assert review["versions"]["playbook"] == "procurement@" + review["playbook"]["version"]
    assert "all-MiniLM-L6-v2" in review["versions"]["embedding_model"]
    assert set(review["timings_ms"]) >= {"ingest", "segment", "embed", "rules", "detect_type", "total"}
    assert sum(v for k, v in review["timings_ms"].items() if k != "total") <= review["timings_ms"]["total"] + 1
    text = review["text"]
    for clause in review["clauses"]:
        assert 0 <= clause["start"] < clause["end"] <= len(text)
        for category in clause["categories"]:
            assert 0 < category["score"] <= 1
    termination = next(c for c in review["clauses"] if "without cause" in text[c["start"]:c["end"]])
    assert termination["section"] == "14(a)" and termination["heading"] == "Termination"
    assert "termination_for_convenience" in [c["name"] for c in termination["categories"]]
    for finding in review["findings"]:
        assert finding["kind"] in KINDS and finding["severity"] in SEVERITIES
        assert 0 < finding["confidence"] <= 1
    price = next(f for f in review["findings"] if f["category"] == "price_adjustment")
    assert price["values"] == {"notice_days": 15} and "15" in price["explanation"]
    assert "Price increases" in price["explanation"]  # names the parameter
    json.dumps(review)  # serialisable as is


def test_same_input_same_findings(review_engine):
    first = review_engine.review_path(CASES / "nda-governing-law.md", "nda")
    second = review_engine.review_text((CASES / "nda-governing-law.md").read_text(), "nda", name="nda-governing-law.md")
    assert first["document"]["sha256"] == second["document"]["sha256"]
    strip = lambda r: [(f["parameter"], f["kind"], f["severity"], f["evidence"]) for f in r["findings"]]
    assert strip(first) == strip(second)
    assert first["review_id"] != second["review_id"]


def test_index_is_saved_with_a_manifest_and_rebuilt_only_when_the_library_changes(review_engine, tmp_path):
    playbook = load_playbook(REPO / "corpora/playbooks/nda.yaml")
    built = ClauseLibraryIndex.load_or_build(playbook, review_engine.encoder, tmp_path)
    assert built.built
    folders = list(tmp_path.iterdir())
    assert len(folders) == 1
    manifest = json.loads((folders[0] / "manifest.json").read_text())
    assert manifest["entries"] == len(built.entries) == built.index.ntotal
    assert manifest["playbook"] == playbook.ref and manifest["embedding_model"] == review_engine.encoder.version

    again = ClauseLibraryIndex.load_or_build(playbook, review_engine.encoder, tmp_path)
    assert not again.built and again.manifest == manifest

    changed_parameter = playbook.parameters[0].model_copy(update={"examples": ["A brand new example wording."]})
    changed = playbook.model_copy(update={"parameters": [changed_parameter, *playbook.parameters[1:]]})
    rebuilt = ClauseLibraryIndex.load_or_build(changed, review_engine.encoder, tmp_path)
    assert rebuilt.built and len(list(tmp_path.iterdir())) == 2


def test_a_corrupt_saved_index_is_rebuilt(review_engine, tmp_path):
    playbook = load_playbook(REPO / "corpora/playbooks/nda.yaml")
    ClauseLibraryIndex.load_or_build(playbook, review_engine.encoder, tmp_path)
    folder = next(tmp_path.iterdir())
    (folder / "index.faiss").write_bytes(b"garbage")
    assert ClauseLibraryIndex.load_or_build(playbook, review_engine.encoder, tmp_path).built


def test_an_engine_built_from_settings_reads_another_playbook_dir(review_engine, tmp_path):
    source = re.sub(r'(?m)^version: "[^"]+"', 'version: "9"', (REPO / "corpora/playbooks/nda.yaml").read_text())
    (tmp_path / "nda.yaml").write_text(source)
    engine = ReviewEngine(ReviewerSettings(playbook_dir=tmp_path, index_dir=tmp_path / "index"),
                          encoder=review_engine.encoder)
    review = engine.review_path(CASES / "base-nda.md", "nda")
    assert review["playbook"]["version"] == "9" and review["decision"] == "approve"


def test_a_contract_reviewed_as_the_wrong_type_is_flagged(review_engine):
    review = review_engine.review_path(CASES / "proc-minimum.md", "nda")
    assert review["document"]["detected_type"]["type"] == "procurement"
    mismatch = [f for f in review["findings"] if f["category"] == "contract_type_mismatch"]
    assert mismatch and mismatch[0]["severity"] == "medium" and review["decision"] != "approve"
    assert "procurement playbook" in mismatch[0]["explanation"]
    right = review_engine.review_path(CASES / "proc-minimum.md", "procurement")
    assert not [f for f in right["findings"] if f["category"] == "contract_type_mismatch"]
