"""How well clause recognition finds CUAD's categories (opt in: ``-m eval``).

For each CUAD contract and each CUAD category that our procurement playbook recognises,
the contract's score is its best clause's category score and the label is whether CUAD's
annotators found such a clause. Prints AUPR per category and the macro AUPR, for the fast
path (ONNX int8) and plain sentence-transformers fp32, and requires them within 0.01.
"""

from __future__ import annotations

import csv
import re
import sys

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from risk_copilot.embedding import SentenceEncoder
from risk_copilot.ingest import ingest_path
from risk_copilot.segment import segment_document

pytestmark = pytest.mark.eval
CONTRACTS = 120  # the first N contracts (by file name) keep the run to minutes on 2 cores


def snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def cuad_labels(cuad_dir) -> dict[str, dict[str, bool]]:
    csv.field_size_limit(sys.maxsize)
    labels: dict[str, dict[str, bool]] = {}
    with (cuad_dir / "master_clauses.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            key = re.sub(r"[^a-z0-9]", "", row["Filename"].rsplit(".", 1)[0].lower())
            labels[key] = {snake(col): row[col].strip() not in ("", "[]") for col in reader.fieldnames
                           if not col.endswith("-Answer") and col not in ("Filename",)}
    return labels


def document_scores(engine, encoder, playbook, path) -> dict[str, float]:
    clauses = segment_document(ingest_path(path))
    vectors = encoder.encode([c.text for c in clauses])
    return {cat: float(col.max()) for cat, col in engine.classifier(playbook).category_scores(clauses, vectors).items()}


def macro_aupr(engine, encoder, shared_dir) -> tuple[float, dict[str, float]]:
    from risk_copilot.engine import ReviewEngine

    cuad = shared_dir / "corpora/cuad"
    labels = cuad_labels(cuad)
    scorer = ReviewEngine(engine.settings, encoder=encoder)
    playbook = scorer.playbook("procurement")
    files = sorted((cuad / "full_contract_txt").glob("*.txt"))[:CONTRACTS]
    rows = []
    for path in files:
        key = re.sub(r"[^a-z0-9]", "", path.stem.lower())
        if key in labels:
            rows.append((labels[key], document_scores(scorer, encoder, playbook, path)))
    categories = sorted({c for _, s in rows for c in s} & set(rows[0][0]))
    per_category = {}
    for category in categories:
        y = np.array([truth[category] for truth, _ in rows])
        if 0 < y.sum() < len(y):
            per_category[category] = average_precision_score(y, np.array([s[category] for _, s in rows]))
    return float(np.mean(list(per_category.values()))), per_category


def test_cuad_category_recognition_fast_path_matches_fp32(review_engine, shared_dir):
    fast, fast_per = macro_aupr(review_engine, review_engine.encoder, shared_dir)
    plain, plain_per = macro_aupr(review_engine, SentenceEncoder(backend="torch-fp32"), shared_dir)
    print(f"\nCUAD document-level category recognition over {CONTRACTS} contracts, {len(fast_per)} categories")
    for category in sorted(fast_per):
        print(f"  {category:32} AUPR onnx-int8 {fast_per[category]:.3f}  fp32 {plain_per[category]:.3f}")
    print(f"  macro AUPR: onnx-int8 {fast:.4f}, torch-fp32 {plain:.4f}")
    assert fast > 0.5
    assert abs(fast - plain) <= 0.01
