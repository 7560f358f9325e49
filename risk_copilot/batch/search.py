"""``search_portfolio``: the clauses of a scanned portfolio nearest in meaning to a query."""

from __future__ import annotations

import os
from typing import Any

from risk_copilot.batch.errors import BatchError
from risk_copilot.batch.portfolio_index import PortfolioIndex


def encoder_for_index(manifest: dict[str, Any], settings=None):
    """The reviewer's encoder, on the backend the index was built with (static, onnx-int8
    or plain torch: its version string says), so query and clause vectors compare."""
    from risk_copilot.embedding import backend_of_version
    from risk_copilot.engine import ReviewEngine
    from risk_copilot.settings import ReviewerSettings

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    settings = settings or ReviewerSettings()
    backend = backend_of_version(manifest.get("embedding_model") or "")
    if getattr(settings, "embedding_backend", backend) != backend:
        settings = settings.model_copy(update={"embedding_backend": backend})
    return ReviewEngine(settings).encoder


def search_portfolio(index_dir: str | os.PathLike[str], query: str, category: str | None = None, k: int = 20, *,
                     encoder=None, index: PortfolioIndex | None = None) -> list[dict[str, Any]]:
    """Rank the scanned clauses by cosine similarity to ``query``.

    ``index_dir`` is a scan's output folder (or its ``index/``). ``category`` keeps only
    clauses classified in that category (e.g. ``cap_on_liability``). Returns up to ``k``
    hits, best first: ``rank``, ``score``, ``path``, ``contract`` (file name),
    ``sha256``, ``contract_type``, ``clause_id``, ``section``, ``heading``, ``start``,
    ``end`` (offsets into the ingested text of the review), ``categories``, ``flagged``
    (findings whose evidence is this clause) and ``text``. A clause matches ``category``
    when it is classified in it or is the evidence of a finding of that category. Pass ``encoder`` (a
    ``SentenceEncoder``) and ``index`` to reuse loaded ones (the API should).
    Raises ``BatchError``: ``no_index``, ``empty_query``, ``model_mismatch``, ``unknown_category``.
    """
    if not query or not query.strip():
        raise BatchError("the search query is empty", code="empty_query")
    k = max(1, min(int(k), 1000))
    index = index or PortfolioIndex(index_dir)
    if encoder is None:
        encoder = encoder_for_index(index.manifest)
    if index.manifest.get("embedding_model") not in (None, encoder.version):
        raise BatchError(
            f"the index was built with {index.manifest['embedding_model']}, the query encoder is {encoder.version}",
            code="model_mismatch")
    vector = encoder.encode([query.strip()])[0]
    hits = []
    for rank, (score, meta) in enumerate(index.search(vector, k, category), start=1):
        hits.append({
            "rank": rank, "score": round(score, 4), "path": meta["path"], "contract": os.path.basename(meta["path"]),
            "sha256": meta["sha256"], "contract_type": meta.get("contract_type"), "clause_id": meta["clause_id"],
            "section": meta["section"], "heading": meta["heading"], "start": meta["start"], "end": meta["end"],
            "categories": meta["categories"], "flagged": meta["flagged"], "text": meta["text"],
        })
    return hits
