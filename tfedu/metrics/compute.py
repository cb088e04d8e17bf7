"""The compute layer of ``tfedu.metrics``: what a threshold does to a binary classifier's scores.

:func:`threshold_counts` counts, at one threshold, the four cells of the confusion matrix
and the rates made from them; :func:`roc_curve` sweeps every threshold and integrates the
area under the curve exactly (ties split as in the Mann-Whitney statistic). Both are plain
NumPy, so a lesson can show how each number is made and check it against Keras
(``keras.metrics.Precision(thresholds=t)``, ``keras.metrics.AUC(num_thresholds=...)``).

>>> y_true = [0, 0, 1, 1, 1]
>>> y_score = [0.1, 0.6, 0.4, 0.7, 0.9]
>>> counts = threshold_counts(y_true, y_score, 0.5)
>>> counts.true_positives, counts.false_positives, counts.false_negatives, counts.true_negatives
(2, 1, 1, 1)
>>> round(counts.precision, 4), round(counts.recall, 4)
(0.6667, 0.6667)
>>> round(roc_curve(y_true, y_score).auc, 4)
0.8333
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tfedu import _validate
from tfedu.metrics.ks import _binary_labels

__all__ = ["ThresholdCounts", "threshold_counts", "RocCurve", "roc_curve"]


def _labels_and_scores(y_true, y_score):
    labels = _binary_labels(y_true)
    if isinstance(y_score, str):
        raise TypeError(f"y_score must be an array of scores, got {_validate.describe(y_score)}.")
    scores = _validate.finite_array(np.asarray(y_score, dtype=np.float64), "y_score").reshape(-1)
    if labels.shape != scores.shape:
        raise ValueError(f"y_true and y_score have different sizes: {labels.size} and {scores.size}. Pass one score "
                         "per example (for two-column probabilities, the column of class 1: y_score[:, 1]).")
    if labels.all() or not labels.any():
        only = "1 (positive)" if labels.all() else "0 (negative)"
        raise ValueError(f"every one of the {labels.size} labels is {only}: rates such as recall and the false "
                         "positive rate need examples of both classes.")
    return labels, scores


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else float("nan")


@dataclass(frozen=True)
class ThresholdCounts:
    """The confusion matrix at one threshold (a score ``> threshold`` is predicted positive, as in Keras)."""

    threshold: float
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int

    @property
    def precision(self) -> float:
        """TP / (TP + FP): of the examples called positive, the fraction that are (nan if none is called)."""
        return _ratio(self.true_positives, self.true_positives + self.false_positives)

    @property
    def recall(self) -> float:
        """TP / (TP + FN), the true positive rate: of the positives, the fraction found."""
        return _ratio(self.true_positives, self.true_positives + self.false_negatives)

    @property
    def false_positive_rate(self) -> float:
        """FP / (FP + TN): of the negatives, the fraction wrongly called positive."""
        return _ratio(self.false_positives, self.false_positives + self.true_negatives)

    @property
    def accuracy(self) -> float:
        total = self.true_positives + self.false_positives + self.false_negatives + self.true_negatives
        return _ratio(self.true_positives + self.true_negatives, total)

    @property
    def matrix(self) -> np.ndarray:
        """``[[TN, FP], [FN, TP]]``: rows are the true class 0, 1; columns the predicted class."""
        return np.array([[self.true_negatives, self.false_positives], [self.false_negatives, self.true_positives]])


def threshold_counts(y_true, y_score, threshold: float = 0.5) -> ThresholdCounts:
    """The confusion matrix of ``y_score > threshold`` against the 0/1 labels ``y_true``."""
    labels, scores = _labels_and_scores(y_true, y_score)
    threshold = _validate.number(threshold, "threshold", example="0.5")
    called = scores > threshold
    return ThresholdCounts(threshold, int(np.sum(called & labels)), int(np.sum(called & ~labels)),
                           int(np.sum(~called & labels)), int(np.sum(~called & ~labels)))


@dataclass(frozen=True)
class RocCurve:
    """Every threshold's (false positive rate, true positive rate), from (0, 0) to (1, 1), and the exact AUC."""

    false_positive_rate: np.ndarray
    true_positive_rate: np.ndarray
    thresholds: np.ndarray   # the score above which the point's examples are called positive
    auc: float


def roc_curve(y_true, y_score) -> RocCurve:
    """The ROC curve through every distinct score, and its area (the trapezoid rule is exact here).

    The area equals the probability that a random positive scores above a random negative
    (a tie counts one half): the Mann-Whitney statistic.
    """
    labels, scores = _labels_and_scores(y_true, y_score)
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_labels = scores[order], labels[order]
    last_of_each = np.r_[np.flatnonzero(np.diff(sorted_scores)), sorted_scores.size - 1]
    true_positives = np.cumsum(sorted_labels)[last_of_each]
    false_positives = np.cumsum(~sorted_labels)[last_of_each]
    tpr = np.r_[0.0, true_positives / labels.sum()]
    fpr = np.r_[0.0, false_positives / (~labels).sum()]
    thresholds = np.r_[np.inf, sorted_scores[last_of_each]]
    # Called positive at a point: every score >= its threshold, i.e. > the next lower score.
    area = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    return RocCurve(fpr, tpr, thresholds, area)
