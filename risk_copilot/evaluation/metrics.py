"""Ranking metrics shared by the evaluations: precision-recall curve, AUPR (average
precision), precision at a given recall.

Conventions (the CUAD paper's): items are ranked by score, highest first; ties share
one threshold. ``n_positives`` lets a caller count relevant items the ranking never
contains (e.g. annotated clauses no predicted clause covers): they stay in the recall
denominator, so recall may never reach 1 and the metrics are penalised for them.
All functions are pure numpy and deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class PrecisionRecallCurve:
    """One point per distinct score threshold, in decreasing threshold order."""

    precision: np.ndarray
    recall: np.ndarray
    thresholds: np.ndarray


def _as_arrays(labels: Sequence[bool] | np.ndarray, scores: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels, dtype=bool).ravel()
    s = np.asarray(scores, dtype=np.float64).ravel()
    if y.shape != s.shape:
        raise ValueError(f"labels and scores differ in length ({y.size} vs {s.size})")
    if s.size and not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite")
    return y, s


def precision_recall_curve(labels, scores, *, n_positives: int | None = None) -> PrecisionRecallCurve:
    y, s = _as_arrays(labels, scores)
    total = int(y.sum()) if n_positives is None else int(n_positives)
    if total < int(y.sum()):
        raise ValueError("n_positives is smaller than the positives among the labels")
    if s.size == 0 or total == 0:
        empty = np.zeros(0)
        return PrecisionRecallCurve(empty, empty, empty)
    order = np.argsort(-s, kind="mergesort")  # stable: deterministic order among ties
    s_sorted, y_sorted = s[order], y[order]
    tp = np.cumsum(y_sorted)
    # last index of each run of equal scores: one threshold per distinct score
    distinct = np.r_[np.nonzero(np.diff(s_sorted))[0], s_sorted.size - 1]
    tp_at = tp[distinct].astype(np.float64)
    predicted = (distinct + 1).astype(np.float64)
    return PrecisionRecallCurve(precision=tp_at / predicted, recall=tp_at / total, thresholds=s_sorted[distinct])


def average_precision(labels, scores, *, n_positives: int | None = None) -> float:
    """Area under the precision-recall curve as the step sum ``sum (R_k - R_{k-1}) P_k``
    (equal to scikit-learn's ``average_precision_score`` when ``n_positives`` is None).
    NaN when there is no positive at all (the metric is undefined)."""
    curve = precision_recall_curve(labels, scores, n_positives=n_positives)
    if curve.recall.size == 0:
        return float("nan")
    recall_steps = np.diff(np.r_[0.0, curve.recall])
    return float(np.sum(recall_steps * curve.precision))


aupr = average_precision  # the name the CUAD paper uses


def precision_at_recall(labels, scores, recall: float, *, n_positives: int | None = None) -> float:
    """The best precision at any threshold whose recall is at least ``recall`` (the
    interpolated precision of the CUAD paper); 0.0 when that recall is never reached,
    NaN when there is no positive."""
    if not 0.0 < recall <= 1.0:
        raise ValueError("recall must be in (0, 1]")
    curve = precision_recall_curve(labels, scores, n_positives=n_positives)
    if curve.recall.size == 0:
        return float("nan")
    reached = curve.recall >= recall - 1e-12
    return float(curve.precision[reached].max()) if reached.any() else 0.0


def mean_ignoring_nan(values: Sequence[float]) -> float:
    """Macro average over the defined values (NaN where none is defined)."""
    finite = [float(v) for v in values if v == v]
    return float(np.mean(finite)) if finite else float("nan")


def ranking_summary(labels, scores, *, n_positives: int | None = None) -> dict[str, float]:
    """AUPR, precision at 80% and at 90% recall, as the evaluations report them."""
    return {
        "aupr": average_precision(labels, scores, n_positives=n_positives),
        "p_at_80r": precision_at_recall(labels, scores, 0.8, n_positives=n_positives),
        "p_at_90r": precision_at_recall(labels, scores, 0.9, n_positives=n_positives),
    }
