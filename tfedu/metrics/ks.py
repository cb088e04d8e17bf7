"""The Kolmogorov-Smirnov statistic: a Keras metric the course writes itself, and its NumPy reference.

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

from tfedu import _validate

__all__ = ["KolmogorovSmirnov", "ks_statistic"]


def _binary_labels(y_true) -> np.ndarray:
    """``y_true`` as a flat boolean array, after checking it only holds 0/1 (or True/False) labels."""
    if isinstance(y_true, str):
        raise TypeError(f"y_true must be an array of 0/1 labels, got {_validate.describe(y_true)}.")
    try:
        labels = np.asarray(y_true).reshape(-1)
    except (TypeError, ValueError) as error:
        raise TypeError(f"y_true must be an array of 0/1 labels, got {_validate.describe(y_true)} "
                        f"({error}).") from None
    if labels.dtype == bool:
        return labels
    if not np.issubdtype(labels.dtype, np.number):
        raise TypeError(f"y_true must hold 0/1 labels (or True/False), got an array of dtype {labels.dtype}.")
    values = labels.astype(np.float64)
    bad = np.flatnonzero(~np.isin(values, (0.0, 1.0)))
    if bad.size:
        raise ValueError(f"y_true must hold binary labels 0 and 1 (or True/False), got {values[bad[0]]:g} at "
                         f"index {bad[0]}. KS compares positives with negatives: for one class of several, "
                         "pass y_true == that_class.")
    return values == 1.0


def ks_statistic(y_true, y_score) -> float:
    """The exact KS statistic, ``max |F_pos(t) - F_neg(t)|`` over every threshold ``t``, in NumPy.

    ``F_pos(t)`` is the fraction of positive examples scoring at most ``t``;
    ``|F_pos - F_neg|`` equals ``|TPR - FPR|`` at the same threshold.
    ``y_true`` holds 0/1 (or True/False) labels and ``y_score`` one finite
    score per example (any real numbers: only their order matters). KS is
    undefined without both classes, so that raises a ``ValueError``.

    >>> ks_statistic([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    1.0
    >>> ks_statistic([0, 1], [0.5, 0.5])
    0.0
    >>> ks_statistic([0, 2, 1], [0.1, 0.5, 0.9])
    Traceback (most recent call last):
    ...
    ValueError: y_true must hold binary labels 0 and 1 (or True/False), got 2 at index 1. KS compares \
positives with negatives: for one class of several, pass y_true == that_class.
    """
    y_true = _binary_labels(y_true)
    score = np.asarray(y_score) if not isinstance(y_score, str) else y_score
    if getattr(score, "dtype", None) == bool:
        score = score.astype(np.float64)
    y_score = _validate.finite_array(score, "y_score").reshape(-1).astype(np.float64)
    if y_true.shape != y_score.shape:
        raise ValueError(f"y_true and y_score have different sizes: {y_true.size} and {y_score.size}. Pass one "
                         "score per example (for two-column probabilities, the column of class 1: y_score[:, 1]).")
    positives, negatives = y_score[y_true], y_score[~y_true]
    if positives.size == 0 or negatives.size == 0:
        only = "positive (1)" if negatives.size == 0 else "negative (0)"
        raise ValueError(f"KS needs at least one positive and one negative example, but all {y_true.size} "
                         f"labels are {only}: the statistic is undefined.")
    thresholds = np.unique(y_score)
    f_pos = np.searchsorted(np.sort(positives), thresholds, side="right") / positives.size
    f_neg = np.searchsorted(np.sort(negatives), thresholds, side="right") / negatives.size
    return float(np.max(np.abs(f_pos - f_neg)))


#: Scores may leave [0, 1] by this much (round-off) before they are taken for logits.
_SCORE_SLACK = 1e-3
_LABELS_MESSAGE = ("KolmogorovSmirnov: y_true must hold binary labels 0 and 1 (or True/False). KS compares "
                   "positives with negatives: for one class of several, use y_true == that_class.")
_SCORES_MESSAGE = ("KolmogorovSmirnov: y_pred must hold finite probabilities in [0, 1] (for a model that outputs "
                   "logits, end it with activation='sigmoid').")
_SIZES_MESSAGE = ("KolmogorovSmirnov: y_true and y_pred must have one score per example (for two-column "
                  "probabilities, use a single sigmoid output).")
_WEIGHTS_MESSAGE = ("KolmogorovSmirnov: sample_weight must hold one finite weight >= 0 per example.")


@keras.saving.register_keras_serializable(package="tfedu")
class KolmogorovSmirnov(keras.metrics.Metric):
    """KS statistic of a binary classifier's scores, accumulated over batches.

    Scores in ``[0, 1]`` (probabilities) are counted in ``bins`` equal bins,
    separately for positive and negative labels (``sample_weight`` weights the
    counts). ``result()`` compares the two cumulative histograms; with
    ``bins=100`` thresholds are 0.01 apart. It is ``nan`` until both classes
    have been seen (KS is undefined with one class).

    Bad input raises instead of giving a wrong number: labels other than 0/1,
    NaN scores, scores outside ``[0, 1]`` (logits: add a sigmoid) and
    mismatched sizes. Called directly that is a ``ValueError``; inside
    ``fit``/``evaluate`` (a graph) an ``InvalidArgumentError`` with the same
    explanation.

    >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, activation="sigmoid")])
    >>> model.compile("adam", "binary_crossentropy", metrics=[KolmogorovSmirnov()])
    >>> [m.name for m in model.metrics]
    ['loss', 'compile_metrics']
    >>> KolmogorovSmirnov().update_state([0, 1, 2], [0.2, 0.7, 0.9])
    Traceback (most recent call last):
    ...
    ValueError: KolmogorovSmirnov: y_true must hold binary labels 0 and 1 (or True/False). KS compares \
positives with negatives: for one class of several, use y_true == that_class. Got 2 at index 2.
    """

    def __init__(self, bins: int = 100, name: str = "ks", **kwargs):
        super().__init__(name=name, **kwargs)
        bins = _validate.count(bins, "bins", example=100, hint="It is the number of histogram bins of the scores.")
        self.bins = bins
        self.positive_counts = self.add_weight(shape=(bins + 1,), initializer="zeros", name="positive_counts")
        self.negative_counts = self.add_weight(shape=(bins + 1,), initializer="zeros", name="negative_counts")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = keras.ops.reshape(keras.ops.cast(y_true, "float32"), (-1,))
        y_pred = keras.ops.reshape(keras.ops.cast(y_pred, "float32"), (-1,))
        weight = None if sample_weight is None else keras.ops.reshape(
            keras.ops.cast(sample_weight, "float32"), (-1,))
        checks = self._check(y_true, y_pred, weight)
        with _control_dependencies(checks):  # in a graph, the counts wait for the checks
            # round, not floor: 0.7 * 100 is 69.99999 in float32 and must land in bin 70
            index = keras.ops.cast(keras.ops.round(keras.ops.clip(y_pred, 0.0, 1.0) * self.bins), "int32")
            weight = keras.ops.ones_like(y_true) if weight is None else weight
            one_hot = keras.ops.one_hot(index, self.bins + 1)              # (batch, bins + 1)
            self.positive_counts.assign_add(keras.ops.sum(one_hot * (y_true * weight)[:, None], axis=0))
            self.negative_counts.assign_add(keras.ops.sum(one_hot * ((1.0 - y_true) * weight)[:, None], axis=0))

    @staticmethod
    def _check(y_true, y_pred, weight):
        """Reject bad batches: a ValueError when eager, graph assertions inside fit/evaluate."""
        import tensorflow as tf

        if tf.executing_eagerly():
            labels, scores = np.asarray(y_true), np.asarray(y_pred)
            if labels.size != scores.size:
                raise ValueError(f"{_SIZES_MESSAGE} Got {labels.size} labels and {scores.size} scores.")
            bad = np.flatnonzero(~np.isin(labels, (0.0, 1.0)))
            if bad.size:
                raise ValueError(f"{_LABELS_MESSAGE} Got {labels[bad[0]]:g} at index {bad[0]}.")
            bad = np.flatnonzero(~(np.isfinite(scores) & (scores >= -_SCORE_SLACK) & (scores <= 1 + _SCORE_SLACK)))
            if bad.size:
                raise ValueError(f"{_SCORES_MESSAGE} Got {scores[bad[0]]:g} at index {bad[0]}.")
            if weight is not None:
                weights = np.asarray(weight)
                if weights.size != labels.size or not np.all(np.isfinite(weights) & (weights >= 0)):
                    raise ValueError(f"{_WEIGHTS_MESSAGE} Got {weights.size} weights for {labels.size} examples"
                                     f"{'' if weights.size != labels.size else ', some negative or not finite'}.")
            return []
        checks = [
            tf.debugging.assert_equal(tf.size(y_true), tf.size(y_pred), message=_SIZES_MESSAGE),
            tf.debugging.Assert(tf.reduce_all((y_true == 0.0) | (y_true == 1.0)),
                                [_LABELS_MESSAGE, "Some are not 0 or 1; first labels:", y_true], summarize=10),
            tf.debugging.Assert(tf.reduce_all(tf.math.is_finite(y_pred) & (y_pred >= -_SCORE_SLACK)
                                              & (y_pred <= 1.0 + _SCORE_SLACK)),
                                [_SCORES_MESSAGE, "Some are NaN, infinite or outside [0, 1]; first scores:", y_pred],
                                summarize=10),
        ]
        if weight is not None:
            checks += [
                tf.debugging.assert_equal(tf.size(weight), tf.size(y_true), message=_WEIGHTS_MESSAGE),
                tf.debugging.Assert(tf.reduce_all(tf.math.is_finite(weight) & (weight >= 0.0)),
                                    [_WEIGHTS_MESSAGE], summarize=10),
            ]
        return checks

    def result(self):
        def cumulative(counts):
            return keras.ops.cumsum(counts) / keras.ops.maximum(keras.ops.sum(counts), 1e-12)

        ks = keras.ops.max(keras.ops.abs(cumulative(self.positive_counts) - cumulative(self.negative_counts)))
        both = keras.ops.logical_and(keras.ops.sum(self.positive_counts) > 0, keras.ops.sum(self.negative_counts) > 0)
        return keras.ops.where(both, ks, float("nan"))  # undefined until both classes were seen

    def get_config(self):
        return {**super().get_config(), "bins": self.bins}


def _control_dependencies(checks):
    """Run the graph assertions before the counts are updated (nothing to wait for when eager)."""
    import contextlib

    if not checks:
        return contextlib.nullcontext()
    import tensorflow as tf

    return tf.control_dependencies([c for c in checks if c is not None])
