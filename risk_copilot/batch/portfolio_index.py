"""The portfolio index: a FAISS inner-product index over every clause a scan reviewed,
built from the vectors stored at review time (nothing is re-embedded).

Files in ``DIR/index/``: ``clauses.faiss`` (``IndexFlatIP`` over unit vectors, so scores
are cosine similarities), ``clauses.jsonl`` (row i: contract path and hash, clause id,
section, heading, offsets, categories, findings on it, text) and ``manifest.json``
(embedding model, dimension, count, the results it covers). Loading checks the manifest.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from risk_copilot.batch.errors import BatchError
from risk_copilot.batch.results_store import ResultsStore

INDEX_FILE, META_FILE, MANIFEST_FILE = "clauses.faiss", "clauses.jsonl", "manifest.json"


def _store_fingerprint(store: ResultsStore) -> dict[str, int]:
    row = store.db.execute("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM results WHERE status = 'reviewed'").fetchone()
    return {"reviewed": row[0], "max_seq": row[1], "clauses": store.clause_count()}


def build_portfolio_index(store: ResultsStore, index_dir: Path) -> dict[str, Any]:
    """(Re)build the index when the store has changed since the last build; returns the manifest."""
    import faiss

    from risk_copilot.embedding import DIMENSION, packaged_model_version

    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    fingerprint = _store_fingerprint(store)
    manifest_path = index_dir / MANIFEST_FILE
    if manifest_path.exists() and (index_dir / INDEX_FILE).exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("store") == fingerprint:
            return manifest
    index = faiss.IndexFlatIP(DIMENSION)
    meta_tmp = index_dir / (META_FILE + ".tmp")
    with open(meta_tmp, "w", encoding="utf-8") as handle:
        for meta, vectors in store.iter_clauses():
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
            for row in meta:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    index_tmp = index_dir / (INDEX_FILE + ".tmp")
    faiss.write_index(index, str(index_tmp))
    manifest = {
        "kind": "portfolio-clause-index", "embedding_model": _embedding_model(store) or packaged_model_version(),
        "dimension": DIMENSION, "count": int(index.ntotal), "metric": "inner_product (cosine on unit vectors)",
        "store": fingerprint, "built_at": time.time(),
    }
    os.replace(index_tmp, index_dir / INDEX_FILE)
    os.replace(meta_tmp, index_dir / META_FILE)
    tmp = index_dir / (MANIFEST_FILE + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(tmp, manifest_path)
    return manifest


def _embedding_model(store: ResultsStore) -> str | None:
    for _, review in store.iter_reviews():
        return review.get("versions", {}).get("embedding_model")
    return None


class PortfolioIndex:
    """A loaded index: ``search(vector, k, category)``."""

    def __init__(self, index_dir: str | os.PathLike[str]) -> None:
        import faiss

        directory = resolve_index_dir(index_dir)
        self.manifest = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
        self.index = faiss.read_index(str(directory / INDEX_FILE))
        with open(directory / META_FILE, encoding="utf-8") as handle:
            self.meta = [json.loads(line) for line in handle]
        if self.index.ntotal != len(self.meta) or self.manifest.get("count") != len(self.meta):
            raise BatchError(f"the portfolio index in {directory} is inconsistent; re-run the scan to rebuild it",
                             code="no_index")

    @staticmethod
    def clause_categories(meta: dict[str, Any]) -> set[str]:
        """The clause's classified categories plus the categories of findings it is evidence for."""
        return set(meta["categories"]) | {f["category"] for f in meta["flagged"] if f.get("category")}

    def categories(self) -> set[str]:
        return {c for m in self.meta for c in self.clause_categories(m)}

    def search(self, vector: np.ndarray, k: int = 20, category: str | None = None) -> list[tuple[float, dict[str, Any]]]:
        import faiss

        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        params = None
        if category:
            ids = np.array([i for i, m in enumerate(self.meta) if category in self.clause_categories(m)],
                           dtype=np.int64)
            if not len(ids):
                known = ", ".join(sorted(self.categories()))
                raise BatchError(f"no scanned clause has category '{category}'; categories in this index: {known}",
                                 code="unknown_category")
            params = faiss.SearchParameters(sel=faiss.IDSelectorArray(ids))
            k = min(k, len(ids))
        k = min(k, self.index.ntotal)
        if k <= 0:
            return []
        scores, rows = self.index.search(query, k, params=params)
        return [(float(s), self.meta[int(r)]) for s, r in zip(scores[0], rows[0]) if r >= 0]


def resolve_index_dir(index_dir: str | os.PathLike[str]) -> Path:
    """Accept the index folder itself or the scan's output folder holding ``index/``."""
    directory = Path(index_dir)
    for candidate in (directory, directory / "index"):
        if (candidate / MANIFEST_FILE).exists() and (candidate / INDEX_FILE).exists():
            return candidate
    raise BatchError(f"no portfolio index in {directory} (run a scan with --out {directory} first)", code="no_index")
