"""``risk-copilot eval cuad``: the engine's clause-category scores against CUAD's annotated
clauses, per category and macro-averaged.

For every contract of the chosen split (the fixed split by contract of
``cuad_data.split_of``; default ``validation``), the contract is segmented into the
engine's clauses, each clause is scored for all 41 categories by the category heads the
engine uses (``risk_copilot.category_heads``, on the engine's embedding backend), and
labelled from the annotations (``cuad_data``: a clause is a true positive when it overlaps
an annotated clause by at least half of the shorter of the two). Clauses of all contracts
are pooled per category and ranked by score: AUPR, precision at 80% and 90% recall. The
macro averages skip categories with no positive in the split; ``playbook_macro`` averages
over the CUAD categories our playbooks use. Annotated texts that could not be located in
the contract, or that no clause covers, are counted in ``annotations``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from risk_copilot.evaluation.metrics import mean_ignoring_nan, ranking_summary
from risk_copilot.settings import REPO_ROOT

LABEL_CACHE = REPO_ROOT / "var" / "cuad-labels"
METRICS = ("aupr", "p_at_80r", "p_at_90r")


def playbook_categories(settings) -> list[str]:
    from risk_copilot.playbook import playbook_for_type

    found: set[str] = set()
    for contract_type in ("nda", "procurement"):
        found |= {p.category for p in playbook_for_type(contract_type, settings.playbook_dir).parameters}
    return sorted(found)


def _macro(per_category: dict[str, dict[str, Any]], categories: list[str]) -> dict[str, float | None]:
    return {m: _finite(mean_ignoring_nan([per_category[c][m] for c in categories if c in per_category
                                          and per_category[c][m] is not None])) for m in METRICS}


def _finite(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 4)


def evaluate_cuad(data: Path, *, split: str = "validation", limit: int | None = None, heads_dir: Path | None = None,
                  backend: str | None = None, use_cache: bool = True, progress: bool = False) -> dict[str, Any]:
    from risk_copilot.category_heads import load_category_heads
    from risk_copilot.embedding import encoder_for
    from risk_copilot.evaluation.cuad_data import label_contracts, load_cuad
    from risk_copilot.settings import ReviewerSettings
    from risk_copilot.training.embedding_cache import DiskEmbeddingCache

    started = time.perf_counter()
    settings = ReviewerSettings(**({"embedding_backend": backend} if backend else {}))
    heads = load_category_heads(heads_dir or settings.category_heads_dir)
    dataset = load_cuad(Path(data))
    contracts = dataset.select(split, limit)
    labelled = label_contracts(contracts, dataset.categories, cache_dir=LABEL_CACHE if use_cache else None)
    encoder = encoder_for(settings)
    embed = DiskEmbeddingCache(encoder).encode if use_cache else encoder.encode

    columns = [heads.index(c) for c in dataset.categories]
    scores, labels, owners = [], [], []
    for number, contract in enumerate(labelled):
        if progress:
            print(f"  {number + 1}/{len(labelled)} {contract.name}", file=sys.stderr, flush=True)
        # a lexical-only head ignores the embedding block: skip the encoder (same scores)
        vectors = embed(contract.clause_texts) if heads.uses_embedding else np.zeros((len(contract.clause_texts), 0))
        probabilities = heads.probabilities(contract.clause_texts, contract.clause_headings, vectors)
        scores.append(np.stack([probabilities[:, i] if i is not None else np.zeros(len(vectors))
                                for i in columns], axis=1))
        labels.append(contract.labels)
        owners.append(np.full(len(contract.clause_texts), number))
    all_scores = np.vstack(scores) if scores else np.zeros((0, len(columns)))
    all_labels = np.vstack(labels) if labels else np.zeros((0, len(columns)), dtype=bool)
    all_owners = np.concatenate(owners) if owners else np.zeros(0, dtype=int)

    per_category: dict[str, dict[str, Any]] = {}
    for j, category in enumerate(dataset.categories):
        y = all_labels[:, j]
        summary = ranking_summary(y, all_scores[:, j]) if y.any() else {m: float("nan") for m in METRICS}
        per_category[category] = {
            **{m: _finite(v) for m, v in summary.items()},
            "contracts": int(len(np.unique(all_owners[y]))),
            "positive_clauses": int(y.sum()),
        }
    ours = [c for c in playbook_categories(settings) if c in per_category]
    return {
        "macro": _macro(per_category, dataset.categories),
        "playbook_macro": _macro(per_category, ours),
        "per_category": per_category,
        "contracts": len(labelled),
        "clauses": int(len(all_labels)),
        "split": split,
        "limit": limit,
        "playbook_categories": ours,
        "annotations": {
            "total": sum(c.annotations for c in labelled),
            "not_located": sum(c.unlocated for c in labelled),
            "not_covered_by_a_clause": sum(c.uncovered for c in labelled),
        },
        "embedding_backend": settings.embedding_backend,
        "category_heads": heads.version,
        "seconds": round(time.perf_counter() - started, 1),
    }


def summary_for_manifest(report: dict[str, Any]) -> dict[str, Any]:
    keys = ("macro", "playbook_macro", "contracts", "clauses", "split", "playbook_categories", "annotations",
            "embedding_backend")
    return {**{k: report[k] for k in keys},
            "per_category": {c: {m: v[m] for m in METRICS} for c, v in report["per_category"].items()}}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, type=Path,
                        help="CUAD folder: master_clauses.csv and full_contract_txt/")
    parser.add_argument("--split", default="validation", choices=("validation", "train", "all"),
                        help="contracts to evaluate (the fixed split by contract file name; default validation)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N contracts of the split (by name)")
    parser.add_argument("--heads", type=Path, default=None, help="category-head folder (default: the engine's)")
    parser.add_argument("--no-cache", action="store_true",
                        help="do not read or write the label and embedding caches under var/")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    report = evaluate_cuad(args.data, split=args.split, limit=args.limit, heads_dir=args.heads,
                           use_cache=not args.no_cache, progress=not args.json)
    if args.json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return 0

    def show(value: float | None) -> str:
        return "  n/a" if value is None else f"{value:.3f}"

    print(f"CUAD {report['split']} split: {report['contracts']} contracts, {report['clauses']} clauses, "
          f"heads {report['category_heads']}, embeddings {report['embedding_backend']}")
    print(f"{'category':40} {'AUPR':>6} {'P@80R':>6} {'P@90R':>6} {'contracts':>9}")
    for category, row in report["per_category"].items():
        mark = "*" if category in report["playbook_categories"] else " "
        print(f"{mark}{category:39} {show(row['aupr']):>6} {show(row['p_at_80r']):>6} {show(row['p_at_90r']):>6} "
              f"{row['contracts']:>9}")
    for name in ("macro", "playbook_macro"):
        row = report[name]
        print(f"{name:40} {show(row['aupr']):>6} {show(row['p_at_80r']):>6} {show(row['p_at_90r']):>6}")
    a = report["annotations"]
    print(f"annotations: {a['total']}, not located {a['not_located']}, not covered by a clause "
          f"{a['not_covered_by_a_clause']}   (* = a category our playbooks use)")
    return 0
