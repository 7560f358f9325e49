"""Recognise which risk parameters (and so which categories) each clause is about.

A clause belongs to a parameter when its embedding is close to the parameter's library
entries: at least ``strong_similarity``, or at least ``min_similarity`` when one of the
parameter's keywords also appears in the clause or its section heading, or when the
trained CUAD head of the parameter's category gives the clause a probability of at least
``HEAD_GATE`` (wordings the keywords miss).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from risk_copilot.clause_library import ClauseLibraryIndex
from risk_copilot.playbook import Playbook, RiskParameter
from risk_copilot.rules.context import ClauseMatch

KEYWORD_BONUS = 0.08
HEAD_GATE = 0.9  # a CUAD head this sure of the category stands in for a keyword hit


@dataclass(frozen=True)
class _ParameterView:
    parameter: RiskParameter
    columns: dict[str, np.ndarray]  # label -> entry indices
    all_columns: np.ndarray
    keywords: tuple[re.Pattern[str], ...]
    min_similarity: float
    strong_similarity: float


@dataclass
class Classification:
    matches: dict[str, list[ClauseMatch]]  # parameter id -> matches, best first
    clause_categories: dict[str, list[tuple[str, float]]]  # clause id -> [(category, score)], best first


class ClauseClassifier:
    def __init__(self, playbook: Playbook, library: ClauseLibraryIndex) -> None:
        self.playbook = playbook
        self.library = library
        self._views: list[_ParameterView] = []
        for parameter in playbook.parameters:
            columns: dict[str, list[int]] = {}
            for i, entry in enumerate(library.entries):
                if entry.parameter == parameter.id:
                    columns.setdefault(entry.label, []).append(i)
            hints = parameter.classification
            self._views.append(
                _ParameterView(
                    parameter=parameter,
                    columns={k: np.array(v) for k, v in columns.items()},
                    all_columns=np.array(sorted(i for v in columns.values() for i in v)),
                    keywords=tuple(re.compile(k, re.IGNORECASE) for k in hints.keywords),
                    min_similarity=hints.min_similarity if hints.min_similarity is not None else playbook.min_similarity,
                    strong_similarity=(
                        hints.strong_similarity if hints.strong_similarity is not None else playbook.strong_similarity
                    ),
                )
            )

    def category_scores(self, clauses: list, vectors: np.ndarray) -> dict[str, np.ndarray]:
        """A continuous score per clause for every category of the playbook (for evaluation):
        recognised clauses score their recognition score; the others their similarity
        minus one, so that every recognised clause ranks above every unrecognised one."""
        sims = self.library.similarities(vectors)
        scores: dict[str, np.ndarray] = {}
        for view in self._views:
            if view.all_columns.size == 0:
                continue
            best = sims[:, view.all_columns].max(axis=1)
            column = np.empty(len(clauses), dtype=np.float32)
            for row, clause in enumerate(clauses):
                text_hit = any(k.search(clause.text) for k in view.keywords)
                heading_hit = bool(clause.heading) and any(k.search(clause.heading) for k in view.keywords)
                similarity = float(best[row])
                recognised = similarity >= view.strong_similarity or (
                    (text_hit or heading_hit) and similarity >= view.min_similarity)
                bonus = (KEYWORD_BONUS if text_hit else 0) + (KEYWORD_BONUS / 2 if heading_hit else 0)
                column[row] = min(0.99, similarity + bonus) if recognised else similarity - 1
            category = view.parameter.category
            scores[category] = np.maximum(scores[category], column) if category in scores else column
        return scores

    def classify(self, clauses: list, vectors: np.ndarray, values: dict,
                 head_scores: dict[str, np.ndarray] | None = None) -> Classification:
        """``head_scores``: category -> per-clause probability from the CUAD heads (optional)."""
        sims = self.library.similarities(vectors)
        head_scores = head_scores or {}
        overall = sims.max(axis=1) if sims.size else np.zeros(len(clauses))
        matches: dict[str, list[ClauseMatch]] = {v.parameter.id: [] for v in self._views}
        categories: dict[str, dict[str, float]] = {c.id: {} for c in clauses}
        for view in self._views:
            if view.all_columns.size == 0:
                continue
            block = sims[:, view.all_columns]
            best = block.max(axis=1)
            candidates = np.nonzero(best >= min(view.min_similarity, view.strong_similarity))[0]
            for row in candidates:
                clause = clauses[row]
                text_hit = any(k.search(clause.text) for k in view.keywords)
                heading_hit = bool(clause.heading) and any(k.search(clause.heading) for k in view.keywords)
                head = head_scores.get(view.parameter.category)
                head_hit = head is not None and float(head[row]) >= HEAD_GATE
                keyword_hit = text_hit or heading_hit
                similarity = float(best[row])
                gated = keyword_hit or head_hit
                if similarity < view.strong_similarity and not (gated and similarity >= view.min_similarity):
                    continue
                score = min(0.99, similarity + (KEYWORD_BONUS if text_hit else 0) + (KEYWORD_BONUS / 2 if heading_hit else 0))
                by_label = {label: float(sims[row, cols].max()) for label, cols in view.columns.items()}
                top = int(view.all_columns[int(block[row].argmax())])
                entry = self.library.entries[top]
                matches[view.parameter.id].append(
                    ClauseMatch(
                        clause=clause, values=values.get(clause.id), score=round(score, 4),
                        similarity=by_label, neighbour=(entry.label, entry.text), keyword_hit=keyword_hit,
                        best_overall=float(overall[row]),
                    )
                )
                category = view.parameter.category
                categories[clause.id][category] = max(score, categories[clause.id].get(category, 0.0))
        for found in matches.values():
            found.sort(key=lambda m: m.score, reverse=True)
        ranked = {
            cid: sorted(((c, round(s, 3)) for c, s in cats.items()), key=lambda cs: cs[1], reverse=True)
            for cid, cats in categories.items()
        }
        return Classification(matches=matches, clause_categories=ranked)
