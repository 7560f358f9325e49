"""The engine reviews real public contracts without error (opt in: ``-m eval``).

25 CUAD contracts (procurement playbook), the 61 NDAs of ContractNLI dev (NDA playbook),
and the Common Paper / Bonterms texts and DOCX files. Prints finding counts per severity.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from risk_copilot.bench import guess_contract_type
from risk_copilot.errors import IngestError
from risk_copilot.ingest import ingest_text

pytestmark = pytest.mark.eval


def _count(reviews: list[dict]) -> Counter:
    return Counter(f["severity"] for r in reviews for f in r["findings"])


def _check(review: dict) -> None:
    text = review["text"]
    assert review["decision"] in {"approve", "escalate", "reject"}
    assert 0 <= review["risk_score"] <= 100
    for finding in review["findings"]:
        assert finding["explanation"] and finding["approver_role"]
        for span in finding["evidence"]:
            assert text[span["start"]:span["end"]] == span["text"]


def test_25_cuad_contracts(review_engine, shared_dir):
    files = sorted((shared_dir / "corpora/cuad/full_contract_txt").glob("*.txt"))[:25]
    assert len(files) == 25
    reviews = [review_engine.review_path(p, "procurement") for p in files]
    for review in reviews:
        _check(review)
    print("\nCUAD x25 findings by severity:", dict(_count(reviews)))


def test_contract_nli_dev_ndas(review_engine, shared_dir):
    documents = json.loads((shared_dir / "corpora/contract-nli/dev.json").read_text())["documents"]
    assert len(documents) == 61
    reviews = []
    for doc in documents:
        reviews.append(review_engine.review_document(ingest_text(doc["text"], name=doc["file_name"]), "nda"))
    for review in reviews:
        _check(review)
    print("\nContractNLI dev x61 findings by severity:", dict(_count(reviews)))


def test_common_paper_and_bonterms(review_engine, shared_dir):
    corpora = shared_dir / "corpora"
    files = sorted(
        [*(corpora / "common-paper").rglob("*.md"), *(corpora / "common-paper/docx").rglob("*.docx"),
         *(corpora / "common-paper/text").glob("*.txt"), *(corpora / "bonterms").rglob("*.md")]
    )
    files = [f for f in files if not f.name.lower().startswith(("readme", "license"))]
    assert len(files) >= 25
    reviews, failures = [], []
    for path in files:
        try:
            text_type = guess_contract_type(path.read_text(errors="ignore")) if path.suffix != ".docx" else (
                "nda" if "nda" in path.name.lower() else "procurement")
            reviews.append(review_engine.review_path(path, text_type))
        except IngestError as exc:  # a clear, coded error is acceptable; a crash is not
            failures.append((path.name, exc.code))
    for review in reviews:
        _check(review)
    assert len(reviews) >= len(files) - 2, failures
    print(f"\nCommon Paper + Bonterms x{len(reviews)} findings by severity:", dict(_count(reviews)), "errors:", failures)
