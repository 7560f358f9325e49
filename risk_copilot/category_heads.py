"""Clause-category heads trained on CUAD: one logistic regression per category over
lexical features of the clause and of its neighbours (TF-IDF of word unigrams and bigrams,
with the clause's section heading as extra ``h:`` terms; the previous and the next clause
of the document as two more blocks), plus the logit of a second, embedding-only logistic
regression over the clause's frozen MiniLM sentence embedding (late fusion: a fixed weight
per category; the training's centring of that logit is folded into ``bias``).

Artefacts (``models/cuad-heads/``, written by ``risk_copilot.training.cuad_heads``):

- ``heads.npz``: ``lexical_weights`` (vocabulary x (blocks x categories), float16; block
  ``b`` holds columns ``b*C .. b*C+C-1``, blocks named in the manifest's
  ``lexical_blocks``: ``clause``, ``previous``, ``next``), ``embedding_weights``
  (384 x categories) and ``embedding_bias`` of the embedding-only head,
  ``embedding_logit_weight`` (per category, the weight of that head's logit clipped to
  +-``EMBEDDING_LOGIT_CLIP``; zeros: the embedding is not used), ``bias``, ``idf``,
  ``thresholds`` (per category, the score at which a clause is reported as carrying it);
- ``vocabulary.json``: the terms, in column order;
- ``manifest.json``: format, categories, lexical blocks, feature parameters, sha256 of
  each file, the training data, split and seed, package versions, validation metrics.

The clauses must be given in document order (the engine's segmentation of one document):
the ``previous`` / ``next`` blocks read the neighbouring rows. All categories are scored
with one sparse and one dense matrix product; no pickles, only numpy and scipy at review
time. ``load_category_heads`` checks every file's sha256.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from risk_copilot.digests import sha256_of_file
from risk_copilot.errors import ReviewError

FORMAT = "cuad-heads/2"
LEXICAL_ONLY_FORMAT_1 = "cuad-heads/1"  # still read when its embedding block is unused (embedding_scale 0)
TOKEN_RE = re.compile(r"[a-z0-9]{2,}|[$%€£]")
HEADING_PREFIX = "h:"
LEXICAL_BLOCKS = ("clause", "previous", "next")  # the clause itself, the clause before it, the clause after it
EMBEDDING_LOGIT_CLIP = 30.0


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


def shift_rows(block: np.ndarray, name: str) -> np.ndarray:
    """A lexical block's contribution to each row: its own row (``clause``), the row before
    (``previous``; the first row gets none) or the row after (``next``; the last gets none)."""
    if name == "clause":
        return block
    out = np.zeros_like(block)
    if name == "previous":
        out[1:] = block[:-1]
    elif name == "next":
        out[:-1] = block[1:]
    else:
        raise ValueError(f"unknown lexical block {name!r}")
    return out


@dataclass
class CategoryHeads:
    categories: list[str]
    featurizer: LexicalFeaturizer
    lexical_weights: np.ndarray  # (vocabulary, blocks x categories) float32
    lexical_blocks: tuple[str, ...]
    embedding_weights: np.ndarray  # (384, categories) float32: the embedding-only head
    embedding_bias: np.ndarray  # (categories,)
    embedding_logit_weight: np.ndarray  # (categories,) weight of the clipped embedding-head logit
    bias: np.ndarray  # (categories,)
    thresholds: np.ndarray  # (categories,) report a category at or above this probability
    version: str
    manifest: dict

    @property
    def uses_embedding(self) -> bool:
        return bool(np.any(self.embedding_logit_weight))

    def embedding_logits(self, vectors: np.ndarray) -> np.ndarray:
        """The embedding-only head's logits, clipped as in training."""
        z = np.asarray(vectors, dtype=np.float32) @ self.embedding_weights + self.embedding_bias
        return np.clip(z, -EMBEDDING_LOGIT_CLIP, EMBEDDING_LOGIT_CLIP)

    def logits(self, texts: Sequence[str], headings: Sequence[str | None] | None, vectors: np.ndarray) -> np.ndarray:
        """Logits of the clauses of one document, given in document order."""
        n_categories = len(self.categories)
        if len(texts) == 0:
            return np.zeros((0, n_categories), dtype=np.float32)
        lexical = self.featurizer.transform(texts, headings)
        parts = np.asarray(lexical @ self.lexical_weights, dtype=np.float32)
        out = np.zeros((len(texts), n_categories), dtype=np.float32)
        for b, name in enumerate(self.lexical_blocks):
            out += shift_rows(parts[:, b * n_categories:(b + 1) * n_categories], name)
        if self.uses_embedding:  # zeros: a lexical-only model, the vectors are not read
            out += self.embedding_logits(vectors) * self.embedding_logit_weight
        out += self.bias
        return out

    def probabilities(self, texts: Sequence[str], headings: Sequence[str | None] | None,
                      vectors: np.ndarray) -> np.ndarray:
        """(clauses, categories) probabilities for the clauses of one document in order."""
        logits = self.logits(texts, headings, vectors)
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -40, 40)))

    def index(self, category: str) -> int | None:
        try:
            return self.categories.index(category)
        except ValueError:
            return None


def save_category_heads(folder: Path, *, categories: list[str], vocabulary: list[str], idf: np.ndarray,
                        lexical_weights: np.ndarray, lexical_blocks: Sequence[str], embedding_weights: np.ndarray,
                        embedding_bias: np.ndarray, embedding_logit_weight: np.ndarray, bias: np.ndarray,
                        thresholds: np.ndarray, manifest: dict) -> dict:
    """Write the artefacts and a manifest recording each file's sha256; returns the manifest."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lexical_blocks = list(lexical_blocks)
    unknown = set(lexical_blocks) - set(LEXICAL_BLOCKS)
    if unknown or lexical_weights.shape != (len(vocabulary), len(lexical_blocks) * len(categories)):
        raise ValueError("lexical weights must be (vocabulary, blocks x categories) with known block names")
    np.savez_compressed(
        folder / "heads.npz",
        lexical_weights=lexical_weights.astype(np.float16), embedding_weights=embedding_weights.astype(np.float32),
        embedding_bias=np.asarray(embedding_bias, dtype=np.float32),
        embedding_logit_weight=np.asarray(embedding_logit_weight, dtype=np.float32),
        bias=np.asarray(bias, dtype=np.float32), idf=idf.astype(np.float32),
        thresholds=np.asarray(thresholds, dtype=np.float32),
    )
    (folder / "vocabulary.json").write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
    manifest = dict(manifest)
    manifest.update({
        "format": FORMAT, "categories": categories, "lexical_blocks": lexical_blocks,
        "embedding_logit_clip": EMBEDDING_LOGIT_CLIP,
        "files": {name: sha256_of_file(folder / name) for name in ("heads.npz", "vocabulary.json")},
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
    legacy = manifest.get("format") == LEXICAL_ONLY_FORMAT_1 and not manifest.get("embedding_scale", 1.0)
    if manifest.get("format") != FORMAT and not legacy:
        raise ReviewError(f"{folder}: unknown category-head format {manifest.get('format')!r}", code="model_invalid")
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file() or sha256_of_file(path) != expected:
            raise ReviewError(f"{path}: missing or its sha256 differs from the manifest", code="model_invalid")
    vocabulary = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
    with np.load(folder / "heads.npz", allow_pickle=False) as arrays:
        idf = arrays["idf"].astype(np.float32)
        lexical = arrays["lexical_weights"].astype(np.float32)
        embedding = arrays["embedding_weights"].astype(np.float32)
        bias = arrays["bias"].astype(np.float32)
        if legacy:  # one clause block, no embedding head
            embedding_bias = embedding_logit_weight = np.zeros_like(bias)
        else:
            embedding_bias = arrays["embedding_bias"].astype(np.float32)
            embedding_logit_weight = arrays["embedding_logit_weight"].astype(np.float32)
        thresholds = arrays["thresholds"].astype(np.float32)
    categories = list(manifest["categories"])
    blocks = ("clause",) if legacy else tuple(manifest.get("lexical_blocks", ()))
    n = len(categories)
    if (not blocks or set(blocks) - set(LEXICAL_BLOCKS) or lexical.shape != (len(vocabulary), len(blocks) * n)
            or embedding.shape != (384, n) or not embedding_bias.shape == embedding_logit_weight.shape == bias.shape
            == thresholds.shape == (n,)):
        raise ReviewError(f"{folder}: weight shapes do not match the vocabulary, blocks and categories",
                          code="model_invalid")
    return CategoryHeads(
        categories=categories,
        featurizer=LexicalFeaturizer({t: i for i, t in enumerate(vocabulary)}, idf),
        lexical_weights=lexical, lexical_blocks=blocks, embedding_weights=embedding, embedding_bias=embedding_bias,
        embedding_logit_weight=embedding_logit_weight, bias=bias, thresholds=thresholds,
        version=manifest["version"], manifest=manifest,
    )


def idf_weights(document_frequency: np.ndarray, documents: int) -> np.ndarray:
    """Smoothed idf, as scikit-learn's ``TfidfVectorizer(smooth_idf=True)``."""
    return (np.log((1.0 + documents) / (1.0 + document_frequency)) + 1.0).astype(np.float32)


__all__ = ["CategoryHeads", "EMBEDDING_LOGIT_CLIP", "LEXICAL_BLOCKS", "LexicalFeaturizer", "clause_terms",
           "idf_weights", "load_category_heads", "save_category_heads", "shift_rows"]


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
