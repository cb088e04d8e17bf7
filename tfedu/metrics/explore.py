"""The interact layer of ``tfedu.metrics``: a threshold slider over a classifier's scores.

:func:`threshold_explorer` builds a :class:`ThresholdExplorer`: moving the threshold moves
the line between the score histograms, the point on the ROC curve and the counts of the
confusion matrix, redrawn over a cached background.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from tfedu._i18n import text as words
from tfedu._figures import new_figure
from tfedu._text import significant
from tfedu._validate import number
from tfedu._widgets import Explorer
from tfedu.metrics.compute import _labels_and_scores
from tfedu.metrics.draw import ThresholdDrawing

__all__ = ["ThresholdExplorer", "threshold_explorer"]


class ThresholdExplorer(Explorer):
    """Scores, ROC curve and confusion matrix under a threshold slider (see :func:`threshold_explorer`)."""

    def __init__(self, y_true, y_score, threshold):
        super().__init__()
        labels, scores = _labels_and_scores(y_true, y_score)   # validate before building widgets
        threshold = number(threshold, "threshold", example="0.5")
        low, high = float(scores.min()), float(scores.max())
        if not low <= threshold <= high:
            raise ValueError(f"threshold={threshold:g} lies outside the scores ({low:g} to {high:g}), where every "
                             "example gets the same class. Pick a threshold between the lowest and highest score.")
        _, axes = new_figure((11.0, 3.5), ncols=3, gridspec_kw={"width_ratios": [1.3, 1.0, 0.9]})
        self.drawing = ThresholdDrawing(labels, scores, threshold, ax=list(axes))  # a figure outside pyplot
        self.figure = self.drawing.figure
        step = (high - low) / 200 if high > low else 0.01
        self.threshold = widgets.FloatSlider(value=threshold, min=low, max=high, step=step, description=words("threshold"),
                                             readout_format=".3f", continuous_update=True,
                                             layout=widgets.Layout(width="420px"))
        self._start([self.threshold], dpi=90, dynamic=self.drawing.dynamic)

    def update(self):
        self.drawing.set_threshold(float(self.threshold.value))

    def describe(self) -> str:
        counts = self.drawing.counts
        precision = "undefined" if np.isnan(counts.precision) else significant(counts.precision, 3)
        return (f"threshold_explorer: threshold {significant(counts.threshold, 3)}: TP {counts.true_positives}, "
                f"FP {counts.false_positives}, FN {counts.false_negatives}, TN {counts.true_negatives}; "
                f"precision {precision}, recall {significant(counts.recall, 3)}; "
                f"AUC {significant(self.drawing.roc.auc, 3)}")


def threshold_explorer(y_true=None, y_score=None, threshold: float = 0.5) -> ThresholdExplorer:
    """A threshold slider over a binary classifier's scores: histograms, ROC curve and confusion matrix.

    ``y_true`` holds 0/1 labels and ``y_score`` one score per example (a probability, or any
    real number). Without data it shows 200 made-up scores of two overlapping classes. Slide
    the threshold right and watch precision rise while recall falls: the point runs down the
    ROC curve, and examples move from the FP cell to TN (and from TP to FN).

    >>> explorer = threshold_explorer()
    >>> print(explorer)
    threshold_explorer: threshold 0.5: TP 81, FP 22, FN 19, TN 78; precision 0.786, recall 0.81; AUC 0.892
    >>> explorer.threshold.value = 0.7; print(explorer)
    threshold_explorer: threshold 0.7: TP 63, FP 7, FN 37, TN 93; precision 0.9, recall 0.63; AUC 0.892
    """
    if y_true is None and y_score is None:
        y_true, y_score = example_scores()
    elif y_true is None or y_score is None:
        raise TypeError("threshold_explorer needs both y_true and y_score (or neither, for the example scores).")
    return ThresholdExplorer(y_true, y_score, threshold)


def example_scores(n: int = 200, seed: int = 0):
    """``(y_true, y_score)``: ``n`` examples, half of each class, with overlapping probability scores."""
    rng = np.random.default_rng(seed)
    labels = np.repeat([0, 1], n // 2)
    logits = rng.normal(loc=np.where(labels == 1, 1.2, -1.2), scale=1.3)
    return labels, 1 / (1 + np.exp(-logits))
