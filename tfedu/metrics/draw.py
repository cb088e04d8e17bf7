"""The draw layer of ``tfedu.metrics``: a classifier's scores, its ROC curve and its confusion matrix at one threshold.

:func:`draw_thresholds` draws the three panels and returns a :class:`ThresholdDrawing`,
whose :meth:`~ThresholdDrawing.set_threshold` moves the threshold on all three (the
explorer's slider calls it).
"""
from __future__ import annotations

import numpy as np

from tfedu._figures import figure_for
from tfedu._text import significant
from tfedu.metrics.compute import _labels_and_scores, roc_curve, threshold_counts

__all__ = ["ThresholdDrawing", "draw_thresholds"]

NEGATIVE, POSITIVE = "#0072B2", "#D55E00"
_AXES = dict(count=3, example="plt.subplots(1, 3)")


class ThresholdDrawing:
    """The drawn panels: ``.figure``, ``.counts`` (at the current threshold), ``.roc``; :meth:`set_threshold`."""

    def __init__(self, y_true, y_score, threshold, ax=None):
        self.labels, self.scores = _labels_and_scores(y_true, y_score)
        self.roc = roc_curve(self.labels, self.scores)
        self.figure, (self.score_ax, self.roc_ax, self.matrix_ax) = figure_for(
            ax, figsize=(11.0, 3.5), ncols=3, gridspec_kw={"width_ratios": [1.3, 1.0, 0.9]}, **_AXES)
        low, high = float(self.scores.min()), float(self.scores.max())
        bins = np.linspace(low, high if high > low else low + 1.0, 31)
        self.score_ax.hist(self.scores[~self.labels], bins=bins, color=NEGATIVE, alpha=0.6, label="true class 0")
        self.score_ax.hist(self.scores[self.labels], bins=bins, color=POSITIVE, alpha=0.6, label="true class 1")
        self.threshold_line = self.score_ax.axvline(threshold, color="black", lw=1.5)
        self.score_ax.set(xlabel="score", ylabel="examples", title="scores; right of the line: called 1")
        self.score_ax.legend(fontsize=8, loc="upper center")

        self.roc_ax.plot(self.roc.false_positive_rate, self.roc.true_positive_rate, color="#000000", lw=1.6)
        self.roc_ax.plot([0, 1], [0, 1], color="#8c959f", lw=0.8, ls="--")
        self.roc_point, = self.roc_ax.plot([], [], "o", color="black", ms=7, zorder=5)
        self.roc_ax.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.02), xlabel="false positive rate",
                        ylabel="true positive rate (recall)", title=f"ROC curve, AUC = {significant(self.roc.auc, 3)}")
        self.roc_ax.set_aspect("equal", adjustable="box")

        self.matrix_image = self.matrix_ax.imshow(np.zeros((2, 2)), cmap="Greys", vmin=0, vmax=len(self.labels),
                                                  alpha=0.6)
        self.matrix_texts = [[self.matrix_ax.text(j, i, "", ha="center", va="center", fontsize=10)
                              for j in range(2)] for i in range(2)]
        self.matrix_ax.set(xticks=[0, 1], yticks=[0, 1], xticklabels=["0", "1"], yticklabels=["0", "1"],
                           xlabel="predicted class", ylabel="true class")
        self.matrix_ax.set_title("confusion matrix")
        # inside an axes, so that redrawing only the moving artists (blitting) shows it
        self.summary_text = self.roc_ax.text(0.97, 0.04, "", transform=self.roc_ax.transAxes, ha="right",
                                             va="bottom", fontsize=9,
                                             bbox=dict(boxstyle="round", facecolor="white", edgecolor="#d0d7de"))
        self.set_threshold(threshold)

    @property
    def dynamic(self) -> list:
        """The artists :meth:`set_threshold` moves (for blitting)."""
        return [self.threshold_line, self.roc_point, self.matrix_image, *sum(self.matrix_texts, []),
                self.summary_text]

    def set_threshold(self, threshold: float) -> None:
        self.counts = threshold_counts(self.labels, self.scores, threshold)
        self.threshold_line.set_xdata([threshold, threshold])
        self.roc_point.set_data([self.counts.false_positive_rate], [self.counts.recall])
        matrix = self.counts.matrix
        self.matrix_image.set_data(matrix)
        names = [["TN", "FP"], ["FN", "TP"]]
        for i in range(2):
            for j in range(2):
                self.matrix_texts[i][j].set_text(f"{names[i][j]}\n{matrix[i, j]}")
        precision = "undefined" if np.isnan(self.counts.precision) else significant(self.counts.precision, 3)
        self.summary_text.set_text(f"threshold {significant(threshold, 3)}\nprecision {precision}\n"
                                   f"recall {significant(self.counts.recall, 3)}")


def draw_thresholds(y_true, y_score, threshold: float = 0.5, ax=None) -> ThresholdDrawing:
    """Draw the scores of both classes, the ROC curve and the confusion matrix at ``threshold``.

    Pass ``ax``: three axes (e.g. from ``plt.subplots(1, 3)``), or None for a new figure.

    >>> drawing = draw_thresholds([0, 0, 1, 1, 1], [0.1, 0.6, 0.4, 0.7, 0.9], threshold=0.5)
    >>> drawing.counts.matrix.tolist(), drawing.summary_text.get_text().splitlines()
    ([[1, 1], [1, 2]], ['threshold 0.5', 'precision 0.667', 'recall 0.667'])
    """
    return ThresholdDrawing(y_true, y_score, threshold, ax)
