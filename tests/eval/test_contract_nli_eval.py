"""ContractNLI on the model's validation fold (opt in: ``-m eval``).

The NDA hypothesis model never saw these NDAs (the fixed split by document id of
``risk_copilot.evaluation.contract_nli.document_fold``). Each figure must stay within
``MARGIN`` of the one committed in ``models/nda-nli/manifest.json`` (measured by
``python -m risk_copilot.training.nda_nli`` on the same documents), and the fast
embedding path (onnx-int8, the default) must lose no more than 0.01 of NLI accuracy
against torch-fp32. (The heads are trained on onnx-int8 vectors, so the fp32 path feeds
them slightly different inputs; measured, the fast path scores 0.012 higher.) When a change improves a figure on purpose, retrain and commit.
"""

from __future__ import annotations

import json

import pytest

from risk_copilot.evaluation.contract_nli import VALIDATION_FOLD, document_fold, evaluate_documents, read_contract_nli
from risk_copilot.nda_hypotheses import MODEL_DIR, NdaHypothesisModel

pytestmark = pytest.mark.eval
MARGIN = 0.02
COMMITTED = json.loads((MODEL_DIR / "manifest.json").read_text())["metrics"]["validation"]


def validation_documents(shared_dir):
    corpus = shared_dir / "corpora" / "contract-nli"
    documents = [d for name in ("dev.json", "test_a.json") for d in read_contract_nli(corpus / name)]
    return [d for d in documents if document_fold(d.id) == VALIDATION_FOLD]


def evaluate(shared_dir, backend):
    from risk_copilot.embedding import SentenceEncoder
    from risk_copilot.settings import ReviewerSettings

    settings = ReviewerSettings()
    encoder = SentenceEncoder(settings.model_path, backend=backend, onnx_dir=settings.onnx_dir, cache_size=0)
    return evaluate_documents(NdaHypothesisModel.load(), encoder, validation_documents(shared_dir)).summary()


@pytest.fixture(scope="module")
def onnx_figures(shared_dir):
    return evaluate(shared_dir, "onnx-int8")


def test_validation_fold_holds_the_committed_figures(onnx_figures):
    print(f"\nContractNLI validation fold: {onnx_figures}\ncommitted: {COMMITTED}")
    assert onnx_figures["documents"] == COMMITTED["documents"]
    for metric in ("accuracy", "evidence_map"):
        assert onnx_figures[metric] >= COMMITTED[metric] - MARGIN, metric
    for label, committed in COMMITTED["f1"].items():
        assert onnx_figures["f1"][label] >= committed - MARGIN, label


def test_fast_path_loses_at_most_a_hundredth_against_fp32(onnx_figures, shared_dir):
    fp32 = evaluate(shared_dir, "torch-fp32")
    print(f"\nonnx-int8 {onnx_figures}\ntorch-fp32 {fp32}")
    assert onnx_figures["accuracy"] >= fp32["accuracy"] - 0.01
    assert onnx_figures["evidence_map"] >= fp32["evidence_map"] - 0.01
