"""Metrics the course writes itself, and what a threshold does to a classifier.

* ``ks.py``: :class:`KolmogorovSmirnov`, the KS statistic as a stateful Keras 3 metric, and
  :func:`ks_statistic`, its exact NumPy reference;
* ``compute.py``: :func:`threshold_counts` (the confusion matrix, precision, recall and the
  false positive rate at one threshold) and :func:`roc_curve` (every threshold, and the
  exact area under the curve), in NumPy;
* ``draw.py``: :func:`draw_thresholds`, the scores of both classes, the ROC curve and the
  confusion matrix;
* ``explore.py``: :func:`threshold_explorer`, the same under a threshold slider.

>>> counts = threshold_counts([0, 1, 1, 0], [0.2, 0.9, 0.4, 0.6], threshold=0.5)
>>> counts.matrix.tolist(), counts.precision, counts.recall
([[1, 1], [1, 1]], 0.5, 0.5)
"""
from tfedu.metrics.compute import RocCurve, ThresholdCounts, roc_curve, threshold_counts
from tfedu.metrics.draw import ThresholdDrawing, draw_thresholds
from tfedu.metrics.explore import ThresholdExplorer, example_scores, threshold_explorer
from tfedu.metrics.ks import KolmogorovSmirnov, ks_statistic

__all__ = ["KolmogorovSmirnov", "ks_statistic", "ThresholdCounts", "threshold_counts", "RocCurve", "roc_curve",
           "ThresholdDrawing", "draw_thresholds", "ThresholdExplorer", "threshold_explorer", "example_scores"]
