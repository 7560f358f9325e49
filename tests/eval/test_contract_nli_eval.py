"""ContractNLI on the model's validation fold (opt in: ``-m eval``).

The NDA hypothesis model never saw these NDAs (the fixed split by document id of
``risk_copilot.evaluation.contract_nli.document_fold``). Each figure must stay within
``MARGIN`` of the one committed in ``models/nda-nli/manifest.json`` (measured by
``python -m risk_copilot.training.nda_nli`` on the same documents, with onnx-int8
embeddings) with the default embedding path (onnx-int8), and each fast path
(onnx-int8 and the opt-in static encoder) must lose no more than 0.01 of NLI accuracy and evidence mAP
against torch-fp32. (The heads are trained on onnx-int8 vectors, so the other paths feed
them slightly different inputs.) When a change improves a figure on purpose, retrain and commit.
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


def evaluate(shared_dir, backend=None):
    from risk_copilot.embedding import encoder_for
    from risk_copilot.settings import ReviewerSettings

    encoder = encoder_for(ReviewerSettings(), backend, cache_size=0)
    return evaluate_documents(NdaHypothesisModel.load(), encoder, validation_documents(shared_dir)).summary()


@pytest.fixture(scope="module")
def default_figures(shared_dir):
    return evaluate(shared_dir)


def test_validation_fold_holds_the_committed_figures(default_figures):
    print(f"\nContractNLI validation fold: {default_figures}\ncommitted: {COMMITTED}")
    assert default_figures["documents"] == COMMITTED["documents"]
    for metric in ("accuracy", "evidence_map"):
        assert default_figures[metric] >= COMMITTED[metric] - MARGIN, metric
    for label, committed in COMMITTED["f1"].items():
        assert default_figures["f1"][label] >= committed - MARGIN, label


@pytest.fixture(scope="module")
def fp32_figures(shared_dir):
    return evaluate(shared_dir, "torch-fp32")


@pytest.mark.parametrize("backend", ["static", "onnx-int8"])
def test_fast_path_loses_at_most_a_hundredth_against_fp32(backend, default_figures, fp32_figures, shared_dir):
    from risk_copilot.settings import ReviewerSettings

    fast = default_figures if backend == ReviewerSettings().embedding_backend else evaluate(shared_dir, backend)
    print(f"\n{backend} {fast}\ntorch-fp32 {fp32_figures}")
    assert fast["accuracy"] >= fp32_figures["accuracy"] - 0.01
    assert fast["evidence_map"] >= fp32_figures["evidence_map"] - 0.01
