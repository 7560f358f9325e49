"""The shared ranking metrics, checked against hand-computed values and scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from risk_copilot.evaluation.metrics import (
    average_precision, mean_ignoring_nan, precision_at_recall, precision_recall_curve, ranking_summary,
)


def test_average_precision_by_hand():
    # ranking: +, -, +, -  -> precision at the two hits 1/1 and 2/3
    labels, scores = [1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]
    assert average_precision(labels, scores) == pytest.approx((1.0 + 2 / 3) / 2)


def test_average_precision_matches_scikit_learn_with_ties():
    rng = np.random.default_rng(7)
    labels = rng.random(500) < 0.2
    scores = np.round(rng.random(500) + labels * 0.3, 1)  # many ties
    assert average_precision(labels, scores) == pytest.approx(average_precision_score(labels, scores))


def test_missed_positives_lower_recall_and_aupr():
    labels, scores = [1, 0, 1], [0.9, 0.5, 0.4]
    assert average_precision(labels, scores, n_positives=4) == pytest.approx((1.0 + 2 / 3) / 4)
    assert precision_at_recall(labels, scores, 0.8, n_positives=4) == 0.0
    with pytest.raises(ValueError):
        average_precision(labels, scores, n_positives=1)


def test_precision_at_recall_takes_best_precision_beyond_the_recall():
    # ranking: +, -, +, +, -, +   recall after each: .25 .25 .5 .75 .75 1
    labels, scores = [1, 0, 1, 1, 0, 1], [6, 5, 4, 3, 2, 1]
    assert precision_at_recall(labels, scores, 0.5) == pytest.approx(3 / 4)  # best at recall>=.5 is 3/4
    assert precision_at_recall(labels, scores, 0.8) == pytest.approx(4 / 6)
    assert precision_at_recall(labels, scores, 0.25) == 1.0


def test_tied_scores_form_one_threshold():
    curve = precision_recall_curve([1, 0, 1], [0.5, 0.5, 0.1])
    assert list(curve.thresholds) == [0.5, 0.1]
    assert list(curve.precision) == pytest.approx([0.5, 2 / 3])


def test_undefined_without_positives_and_macro_skips_them():
    assert math.isnan(average_precision([0, 0], [0.3, 0.2]))
    assert mean_ignoring_nan([0.5, float("nan"), 1.0]) == pytest.approx(0.75)
    summary = ranking_summary([1, 1, 0], [0.9, 0.8, 0.1])
    assert summary == {"aupr": 1.0, "p_at_80r": 1.0, "p_at_90r": 1.0}
