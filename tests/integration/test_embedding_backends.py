"""The fast paths agree with plain sentence-transformers fp32: ONNX int8 closely, the
static (distilled) encoder as closely as its model card says; artefacts load only when
their manifests match."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from risk_copilot.embedding import SentenceEncoder, encoder_for, packaged_model_path
from risk_copilot.onnx_encoder import OnnxSentenceModel, artefact_is_current
from risk_copilot.ingest import ingest_path
from risk_copilot.segment import segment_document

CASES = Path(__file__).resolve().parents[2].parent / "shared" / "cases"


@pytest.fixture(scope="module")
def case_clauses() -> list[str]:
    texts = []
    for name in ("base-procurement.md", "base-nda.md", "proc-minimum.md", "nda-unilateral-disclosure.md"):
        texts += [c.text for c in segment_document(ingest_path(CASES / name))]
    return texts


@pytest.fixture(scope="module")
def fp32_vectors(case_clauses):
    return SentenceEncoder(backend="torch-fp32").encode(case_clauses)


def test_onnx_int8_is_the_default_and_matches_fp32(review_engine, case_clauses, fp32_vectors):
    assert review_engine.encoder.backend == "onnx-int8"
    fast = review_engine.encoder.encode(case_clauses)
    cosine = (fast * fp32_vectors).sum(axis=1)
    assert cosine.min() > 0.97 and cosine.mean() > 0.985
    # the neighbour structure is what the classifier uses: pairwise similarities agree closely
    assert np.abs(fast @ fast.T - fp32_vectors @ fp32_vectors.T).max() < 0.08


def test_static_encoder_approximates_fp32(review_engine, case_clauses, fp32_vectors):
    fast = encoder_for(review_engine.settings, "static").encode(case_clauses)
    cosine = (fast * fp32_vectors).sum(axis=1)
    assert cosine.mean() > 0.85 and np.median(cosine) > 0.87
    # which clause is nearest to which: the pairwise similarities keep MiniLM's structure
    static_pairs, plain_pairs = fast @ fast.T, fp32_vectors @ fp32_vectors.T
    upper = np.triu_indices(len(case_clauses), k=1)
    assert np.corrcoef(static_pairs[upper], plain_pairs[upper])[0, 1] > 0.9
    assert np.abs(static_pairs - plain_pairs)[upper].mean() < 0.08


def test_artefact_is_checked_against_its_manifest(review_engine, tmp_path):
    encoder_for(review_engine.settings, "onnx-int8").encode(["load the model"])
    source = review_engine.settings.onnx_dir
    copy = tmp_path / "onnx"
    shutil.copytree(source, copy)
    assert artefact_is_current(copy, packaged_model_path())
    manifest = json.loads((copy / "manifest.json").read_text())
    assert manifest["source_sha256"] and manifest["quantization"].startswith("dynamic int8")
    model_file = copy / manifest["file"]
    model_file.write_bytes(model_file.read_bytes()[:-16] + b"\0" * 16)
    with pytest.raises(RuntimeError, match="sha256"):
        OnnxSentenceModel(copy)
    manifest["source_sha256"] = "0" * 64
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert not artefact_is_current(copy, packaged_model_path())  # a new packaged model means a new export


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError):
        SentenceEncoder(backend="gpu-magic")


def test_static_path_passes_every_acceptance_case(review_engine, shared_dir):
    from risk_copilot.engine import ReviewEngine
    from risk_copilot.evaluation.cases import evaluate_cases, summarise

    engine = ReviewEngine(review_engine.settings.model_copy(update={"embedding_backend": "static"}))
    assert engine.encoder.backend == "static"
    summary = summarise(evaluate_cases(engine, shared_dir / "cases"))
    failing = [name for name, case in summary["per_case"].items() if not case["passed"]]
    assert summary["cases"] >= 10 and not failing, failing
    assert summary["expectations_met"] == summary["expectations"]
