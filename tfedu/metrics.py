"""Metrics the course writes itself, with NumPy references to check them against.

:class:`KolmogorovSmirnov` is the KS statistic of a binary classifier,
``max over thresholds |TPR - FPR|``: how far apart the score distributions of
the positive and the negative examples are (0 = indistinguishable, 1 =
perfectly separated). It is a stateful Keras 3 ``Metric``: it accumulates
histograms of the scores over batches, so the value over an epoch is exact up
to the histogram's resolution (``bins``), whatever the batch size.

>>> import numpy as np
>>> y_true = np.array([1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0])
>>> y_score = np.array([.6, .1, .4, .5, .7, .7, .7, .4, .4, .5, .8, .3, .5, .3])
>>> round(ks_statistic(y_true, y_score), 4)
0.625
>>> metric = KolmogorovSmirnov()
>>> metric.update_state(y_true, y_score)
>>> round(float(metric.result()), 4)
0.625
"""
from __future__ import annotations

import keras
import numpy as np

__all__ = ["KolmogorovSmirnov", "ks_statistic"]


def ks_statistic(y_true, y_score) -> float:
    """The exact KS statistic, ``max |F_pos(t) - F_neg(t)|`` over every threshold ``t``, in NumPy.

    ``F_pos(t)`` is the fraction of positive examples scoring at most ``t``;
    ``|F_pos - F_neg|`` equals ``|TPR - FPR|`` at the same threshold.

    >>> ks_statistic([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    1.0
    >>> ks_statistic([0, 1], [0.5, 0.5])
    0.0
    """
    y_true = np.asarray(y_true).reshape(-1).astype(bool)
    y_score = np.asarray(y_score, dtype=np.float64).reshape(-1)
    if y_true.shape != y_score.shape:
        raise ValueError(f"y_true and y_score have different sizes: {y_true.size} and {y_score.size}.")
    positives, negatives = y_score[y_true], y_score[~y_true]
    if positives.size == 0 or negatives.size == 0:
        raise ValueError("KS needs at least one positive and one negative example.")
    thresholds = np.unique(y_score)
    f_pos = np.searchsorted(np.sort(positives), thresholds, side="right") / positives.size
    f_neg = np.searchsorted(np.sort(negatives), thresholds, side="right") / negatives.size
    return float(np.max(np.abs(f_pos - f_neg)))


@keras.saving.register_keras_serializable(package="tfedu")
class KolmogorovSmirnov(keras.metrics.Metric):
    """KS statistic of a binary classifier's scores, accumulated over batches.

    Scores in ``[0, 1]`` (probabilities) are counted in ``bins`` equal bins,
    separately for positive and negative labels (``sample_weight`` weights the
    counts). ``result()`` compares the two cumulative histograms. Scores are
    clipped to ``[0, 1]``; with ``bins=100`` thresholds are 0.01 apart.

    >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, activation="sigmoid")])
    >>> model.compile("adam", "binary_crossentropy", metrics=[KolmogorovSmirnov()])
    >>> [m.name for m in model.metrics]
    ['loss', 'compile_metrics']
    """

    def __init__(self, bins: int = 100, name: str = "ks", **kwargs):
        super().__init__(name=name, **kwargs)
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
            raise ValueError(f"bins must be a positive int, got {bins!r}.")
        self.bins = bins
        self.positive_counts = self.add_weight(shape=(bins + 1,), initializer="zeros", name="positive_counts")
        self.negative_counts = self.add_weight(shape=(bins + 1,), initializer="zeros", name="negative_counts")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = keras.ops.reshape(keras.ops.cast(y_true, "float32"), (-1,))
        y_pred = keras.ops.reshape(keras.ops.cast(y_pred, "float32"), (-1,))
        # round, not floor: 0.7 * 100 is 69.99999 in float32 and must land in bin 70
        index = keras.ops.cast(keras.ops.round(keras.ops.clip(y_pred, 0.0, 1.0) * self.bins), "int32")
        weight = keras.ops.ones_like(y_true) if sample_weight is None else keras.ops.reshape(
            keras.ops.cast(sample_weight, "float32"), (-1,))
        one_hot = keras.ops.one_hot(index, self.bins + 1)              # (batch, bins + 1)
        self.positive_counts.assign_add(keras.ops.sum(one_hot * (y_true * weight)[:, None], axis=0))
        self.negative_counts.assign_add(keras.ops.sum(one_hot * ((1.0 - y_true) * weight)[:, None], axis=0))

    def result(self):
        def cumulative(counts):
            return keras.ops.cumsum(counts) / keras.ops.maximum(keras.ops.sum(counts), 1e-12)

        return keras.ops.max(keras.ops.abs(cumulative(self.positive_counts) - cumulative(self.negative_counts)))

    def get_config(self):
        return {**super().get_config(), "bins": self.bins}
