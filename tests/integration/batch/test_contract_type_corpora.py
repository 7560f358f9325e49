"""Contract-type detection measured on the shared corpora (opt-in: ``-m eval``).

Run: ``HF_HUB_OFFLINE=1 .venv/bin/python -m pytest -q -m eval tests/integration/batch/test_contract_type_corpora.py -s``
Measured on 2026-12-03: ContractNLI NDAs 122/124 (98.4%); CUAD 379/394 (96.2%) against
the labels of ``corpus_labels.cuad_label``.
"""

from __future__ import annotations

from collections import Counter

import pytest

from risk_copilot.contract_type import ContractTypeDetector
from tests.integration.batch.corpus_labels import contract_nli_texts, cuad_label

pytestmark = pytest.mark.eval


@pytest.fixture(scope="module")
def detector(review_engine):
    return ContractTypeDetector(review_engine.encoder)


def test_contract_nli_ndas_are_detected_as_ndas(shared_dir, detector):
    predictions = Counter(detector.detect(text)[0] for _, text in contract_nli_texts(shared_dir))
    total = sum(predictions.values())
    print(f"\nContractNLI: {predictions['nda']}/{total} detected as nda ({predictions})")
    assert total == 124
    assert predictions["nda"] / total >= 0.95


def test_cuad_contracts_are_split_into_procurement_and_other(shared_dir, detector):
    confusion = Counter()
    for path in sorted((shared_dir / "corpora" / "cuad" / "full_contract_txt").glob("*.txt")):
        confusion[(cuad_label(path.name), detector.detect(path.read_text(encoding="utf-8", errors="replace"))[0])] += 1
    total = sum(confusion.values())
    correct = sum(n for (gold, predicted), n in confusion.items() if gold == predicted)
    print(f"\nCUAD: {correct}/{total} correct; confusion (gold, predicted): {dict(sorted(confusion.items()))}")
    assert total == 394
    assert correct / total >= 0.92
    wrongly_nda = sum(n for (gold, predicted), n in confusion.items() if predicted == "nda" and gold != "nda")
    assert wrongly_nda <= 4, "commercial contracts with a confidentiality section are not NDAs"
