"""Focal loss, written once as a function and once as a Keras 3 ``Loss`` (``tfedu.losses.FocalLoss``)."""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

from tfedu._validate import flag, number

__all__ = ["FocalLoss", "focal_loss"]


def _same_rank(y_true, y_pred):
    """Line up (N,) and (N, 1) the way Keras losses do, and refuse any other shape mismatch.

    Without this, ``(N,) * (N, 1)`` broadcasts to an (N, N) matrix of every label
    against every prediction: the loss is still a number, just the wrong one.
    """
    true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
    if len(true_shape) == len(pred_shape) + 1 and true_shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    elif len(pred_shape) == len(true_shape) + 1 and pred_shape[-1] == 1:
        y_true = ops.expand_dims(y_true, axis=-1)
    true_shape = tuple(y_true.shape)
    if len(true_shape) != len(pred_shape) or any(
            a is not None and b is not None and a != b for a, b in zip(true_shape, pred_shape)):
        raise ValueError(
            f"y_true has shape {tuple(true_shape)} but y_pred has shape {pred_shape}: they must match (up to a "
            "trailing axis of size 1). Broadcasting them would compare every label with every prediction "
            "and return a wrong loss; reshape one of them, e.g. y_true = tf.reshape(y_true, (-1, 1)).")
    return y_true, y_pred


def _check(alpha, gamma):
    """-> (alpha, gamma) as floats (alpha may be None); NumPy scalars are fine, bools, strings and NaN are not."""
    try:
        alpha = number(alpha, "alpha", low=0, high=1, allow_none=True, example="0.25")
    except (TypeError, ValueError) as error:
        raise type(error)(f"{error} (alpha is the weight of class 1; None: no class weighting.)") from None
    try:
        gamma = number(gamma, "gamma", low=0, example="2.0")
    except (TypeError, ValueError) as error:
        raise type(error)(f"{error} (gamma = 0 turns focal loss into cross-entropy.)") from None
    return alpha, gamma


def _check_values(y_true, y_pred, from_logits):
    """Binary labels in [0, 1], and probabilities in [0, 1] unless ``from_logits``: checked on eager tensors.

    Inside ``model.fit`` (a graph) the values are not known in Python and this check is skipped.
    Without it, logits passed as probabilities are clipped to [eps, 1 - eps] and labels such as 5 give a
    loss that is a number, only a wrong one.
    """
    if not (hasattr(y_true, "numpy") and hasattr(y_pred, "numpy")):
        return
    labels = np.asarray(y_true.numpy())
    if np.any((labels < 0) | (labels > 1)):
        bad = labels[(labels < 0) | (labels > 1)].flat[0]
        raise ValueError(f"y_true holds {float(bad):g}, but focal loss is binary: labels are 0 or 1 (or "
                         "probabilities in between). For several classes use one-hot labels, one column per class.")
    if not from_logits:
        predictions = np.asarray(y_pred.numpy())
        outside = (predictions < 0) | (predictions > 1)
        if np.any(outside):
            raise ValueError(f"y_pred holds {float(predictions[outside].flat[0]):g}, outside [0, 1]: it looks like "
                             "logits. Pass from_logits=True (or apply a sigmoid first).")


def focal_loss(y_true, y_pred, alpha: float | None = 0.25, gamma: float = 2.0, from_logits: bool = False):
    """Binary focal loss per sample: FL = -alpha_t * (1 - p_t)**gamma * log(p_t), averaged over the last axis.

    ``p`` is the predicted probability of class 1 (``sigmoid(y_pred)`` if
    ``from_logits``); ``p_t = p`` where ``y_true = 1`` and ``1 - p`` where it is 0;
    ``alpha_t = alpha`` for class 1 and ``1 - alpha`` for class 0 (``alpha=None``:
    no class weighting). The factor ``(1 - p_t)**gamma`` shrinks the loss of
    examples the model already gets right, so training focuses on the hard
    ones; ``gamma = 0`` gives ``alpha_t`` times binary cross-entropy. Equals
    ``keras.losses.binary_focal_crossentropy(..., apply_class_balancing=alpha is
    not None)``. Probabilities are clipped to ``[eps, 1 - eps]`` like Keras does;
    with ``from_logits`` the cross-entropy is computed from the logits, stably.

    >>> import numpy as np
    >>> y_true = np.array([[1.0], [0.0]]); y_pred = np.array([[0.9], [0.4]])
    >>> [round(float(v), 5) for v in focal_loss(y_true, y_pred, alpha=0.25, gamma=2.0)]
    [0.00026, 0.0613]
    """
    alpha, gamma = _check(alpha, gamma)
    from_logits = flag(from_logits, "from_logits")
    y_pred = ops.convert_to_tensor(y_pred)
    if not str(y_pred.dtype).startswith(("float", "bfloat")):
        y_pred = ops.cast(y_pred, keras.config.floatx())
    y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
    y_true, y_pred = _same_rank(y_true, y_pred)
    _check_values(y_true, y_pred, from_logits)
    if from_logits:
        p = ops.sigmoid(y_pred)
        cross_entropy = ops.binary_crossentropy(y_true, y_pred, from_logits=True)
    else:
        epsilon = keras.config.epsilon()
        p = ops.clip(y_pred, epsilon, 1.0 - epsilon)
        cross_entropy = -(y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p))
    p_t = y_true * p + (1.0 - y_true) * (1.0 - p)
    loss = ops.power(1.0 - p_t, gamma) * cross_entropy
    if alpha is not None:
        loss = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * loss
    return ops.mean(loss, axis=-1)


@keras.saving.register_keras_serializable(package="tfedu")
class FocalLoss(keras.losses.Loss):
    """Binary focal loss (Lin et al., 2017) as a Keras 3 ``Loss``: use it in ``model.compile``.

    Per element::

        FL(p_t) = -alpha_t * (1 - p_t) ** gamma * log(p_t)

    where ``p_t`` is the probability the model gives the true class and
    ``alpha_t`` is ``alpha`` for class 1, ``1 - alpha`` for class 0. Easy
    examples (``p_t`` near 1) are down-weighted by ``(1 - p_t) ** gamma``; with
    ``gamma = 0`` it is ``alpha_t``-weighted binary cross-entropy. Pass
    ``alpha=None`` for no class weighting. Same numbers as
    ``keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=...,
    gamma=...)``; this class spells the formula out (see :func:`focal_loss`).

    As every Keras 3 loss it calls ``super().__init__`` (``name``,
    ``reduction``, ``dtype``), implements ``call(y_true, y_pred)`` returning one
    value per sample, and returns its arguments from ``get_config``; the
    ``register_keras_serializable`` decorator lets ``keras.models.load_model``
    rebuild it from a ``.keras`` file.

    >>> import numpy as np
    >>> loss = FocalLoss(alpha=0.25, gamma=2.0)
    >>> round(float(loss(np.array([[1.0], [0.0]]), np.array([[0.9], [0.4]]))), 5)
    0.03078
    >>> loss.get_config()["gamma"], keras.saving.get_registered_name(FocalLoss)
    (2.0, 'tfedu>FocalLoss')
    """

    def __init__(self, alpha: float | None = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 reduction="sum_over_batch_size", name: str = "focal_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.alpha, self.gamma = _check(alpha, gamma)
        self.from_logits = flag(from_logits, "from_logits")

    def call(self, y_true, y_pred):
        return focal_loss(y_true, y_pred, alpha=self.alpha, gamma=self.gamma, from_logits=self.from_logits)

    def get_config(self):
        config = super().get_config()
        config.update({"alpha": self.alpha, "gamma": self.gamma, "from_logits": self.from_logits})
        return config

    def __repr__(self) -> str:
        return f"FocalLoss(alpha={self.alpha}, gamma={self.gamma}, from_logits={self.from_logits})"
