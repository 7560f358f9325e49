"""Clause-category heads trained on CUAD: one logistic regression per category over
lexical features of the clause (TF-IDF of word unigrams and bigrams, with the clause's
section heading as extra ``h:`` terms) and its frozen MiniLM sentence embedding.

Artefacts (``models/cuad-heads/``, written by ``risk_copilot.training.cuad_heads``):

- ``heads.npz``: ``lexical_weights`` (vocabulary x categories, float16), ``embedding_weights``
  (384 x categories), ``bias``, ``idf``, ``thresholds`` (per category, the score at which a
  clause is reported as carrying the category);
- ``vocabulary.json``: the terms, in column order;
- ``manifest.json``: categories, feature parameters, sha256 of each file, the training
  data, split and seed, package versions, validation metrics.

All categories are scored with one sparse and one dense matrix product; no pickles, only
numpy and scipy at review time. ``load_category_heads`` checks every file's sha256.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from risk_copilot.errors import ReviewError

FORMAT = "cuad-heads/1"
TOKEN_RE = re.compile(r"[a-z0-9]{2,}|[$%€£]")
HEADING_PREFIX = "h:"


def clause_terms(text: str, heading: str | None = None) -> list[str]:
    """The lexical terms of a clause: lower-cased word unigrams and bigrams of its text,
    plus ``h:``-prefixed unigrams of its heading."""
    tokens = TOKEN_RE.findall(text.lower())
    terms = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
    if heading:
        terms += [HEADING_PREFIX + t for t in TOKEN_RE.findall(heading.lower())]
    return terms


@dataclass
class LexicalFeaturizer:
    """Sub-linear TF-IDF over a fixed vocabulary, rows L2-normalised."""

    vocabulary: dict[str, int]
    idf: np.ndarray  # float32, one per vocabulary term

    def transform(self, texts: Sequence[str], headings: Sequence[str | None] | None = None):
        from scipy.sparse import csr_matrix

        headings = headings if headings is not None else [None] * len(texts)
        indptr, indices, data = [0], [], []
        vocabulary, idf = self.vocabulary, self.idf
        for text, heading in zip(texts, headings):
            counts: dict[int, int] = {}
            for term in clause_terms(text, heading):
                column = vocabulary.get(term)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if counts:
                columns = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
                values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * idf[columns]
                values /= max(float(np.sqrt(np.dot(values, values))), 1e-12)
                indices.append(columns)
                data.append(values.astype(np.float32))
            indptr.append(indptr[-1] + len(counts))
        return csr_matrix(
            (np.concatenate(data) if data else np.zeros(0, np.float32),
             np.concatenate(indices) if indices else np.zeros(0, np.int32), np.array(indptr)),
            shape=(len(texts), len(vocabulary)), dtype=np.float32,
        )


@dataclass
class CategoryHeads:
    categories: list[str]
    featurizer: LexicalFeaturizer
    lexical_weights: np.ndarray  # (vocabulary, categories) float32
    embedding_weights: np.ndarray  # (384, categories) float32
    bias: np.ndarray  # (categories,)
    thresholds: np.ndarray  # (categories,) report a category at or above this probability
    embedding_scale: float
    version: str
    manifest: dict

    def logits(self, texts: Sequence[str], headings: Sequence[str | None] | None, vectors: np.ndarray) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, len(self.categories)), dtype=np.float32)
        lexical = self.featurizer.transform(texts, headings)
        out = np.asarray(lexical @ self.lexical_weights, dtype=np.float32)
        if self.embedding_scale:  # 0: a lexical-only model, the embedding block is unused
            out += (np.asarray(vectors, dtype=np.float32) * self.embedding_scale) @ self.embedding_weights
        out += self.bias
        return out

    def probabilities(self, texts: Sequence[str], headings: Sequence[str | None] | None,
                      vectors: np.ndarray) -> np.ndarray:
        """(clauses, categories) probabilities, one matrix product per feature block."""
        logits = self.logits(texts, headings, vectors)
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -40, 40)))

    def index(self, category: str) -> int | None:
        try:
            return self.categories.index(category)
        except ValueError:
            return None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_category_heads(folder: Path, *, categories: list[str], vocabulary: list[str], idf: np.ndarray,
                        lexical_weights: np.ndarray, embedding_weights: np.ndarray, bias: np.ndarray,
                        thresholds: np.ndarray, embedding_scale: float, manifest: dict) -> dict:
    """Write the artefacts and a manifest recording each file's sha256; returns the manifest."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        folder / "heads.npz",
        lexical_weights=lexical_weights.astype(np.float16), embedding_weights=embedding_weights.astype(np.float32),
        bias=bias.astype(np.float32), idf=idf.astype(np.float32), thresholds=thresholds.astype(np.float32),
    )
    (folder / "vocabulary.json").write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
    manifest = dict(manifest)
    manifest.update({
        "format": FORMAT, "categories": categories, "embedding_scale": embedding_scale,
        "files": {name: sha256_of(folder / name) for name in ("heads.npz", "vocabulary.json")},
    })
    manifest["version"] = "cuad-heads@" + hashlib.sha256(
        json.dumps(manifest["files"], sort_keys=True).encode()).hexdigest()[:12]
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return manifest


def load_category_heads(folder: Path) -> CategoryHeads:
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise ReviewError(f"{folder}: no manifest.json for the category heads", code="model_missing")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise ReviewError(f"{folder}: unknown category-head format {manifest.get('format')!r}", code="model_invalid")
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file() or sha256_of(path) != expected:
            raise ReviewError(f"{path}: missing or its sha256 differs from the manifest", code="model_invalid")
    vocabulary = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
    with np.load(folder / "heads.npz") as arrays:
        idf = arrays["idf"].astype(np.float32)
        lexical = arrays["lexical_weights"].astype(np.float32)
        embedding = arrays["embedding_weights"].astype(np.float32)
        bias = arrays["bias"].astype(np.float32)
        thresholds = arrays["thresholds"].astype(np.float32)
    categories = list(manifest["categories"])
    if lexical.shape != (len(vocabulary), len(categories)) or embedding.shape[1] != len(categories):
        raise ReviewError(f"{folder}: weight shapes do not match the vocabulary and categories", code="model_invalid")
    return CategoryHeads(
        categories=categories,
        featurizer=LexicalFeaturizer({t: i for i, t in enumerate(vocabulary)}, idf),
        lexical_weights=lexical, embedding_weights=embedding, bias=bias, thresholds=thresholds,
        embedding_scale=float(manifest.get("embedding_scale", 1.0)), version=manifest["version"], manifest=manifest,
    )


def idf_weights(document_frequency: np.ndarray, documents: int) -> np.ndarray:
    """Smoothed idf, as scikit-learn's ``TfidfVectorizer(smooth_idf=True)``."""
    return (np.log((1.0 + documents) / (1.0 + document_frequency)) + 1.0).astype(np.float32)


__all__ = ["CategoryHeads", "LexicalFeaturizer", "clause_terms", "idf_weights", "load_category_heads",
           "save_category_heads"]


def reported_categories(heads: CategoryHeads, probabilities: np.ndarray) -> list[list[tuple[str, float]]]:
    """Per clause, the categories at or above their threshold, best first."""
    above = probabilities >= heads.thresholds
    out: list[list[tuple[str, float]]] = []
    for row, mask in zip(probabilities, above):
        columns = np.nonzero(mask)[0]
        ranked = sorted(((heads.categories[j], round(float(row[j]), 3)) for j in columns), key=lambda cs: -cs[1])
        out.append(ranked)
    return out


def merge_categories(*lists: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """One list of (category, score), best score per category, best first (ties by name)."""
    best: dict[str, float] = {}
    for ranked in lists:
        for name, score in ranked:
            best[name] = max(score, best.get(name, float("-inf")))
    return sorted(best.items(), key=lambda cs: (-cs[1], cs[0]))
