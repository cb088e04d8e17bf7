"""The compute layer of ``tfedu.losses``: real ``keras.losses`` on a grid, with tape gradients.

>>> curves = regression_losses(errors=[-2.0, 0.5, 3.0], delta=1.0)
>>> curves.losses["mean_squared_error"].tolist(), curves.losses["huber"].tolist()
([4.0, 0.25, 9.0], [1.5, 0.125, 2.5])
"""
from __future__ import annotations

from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from tfedu._text import significant
from tfedu._validate import describe, finite_array, flag, number
from tfedu.losses.focal import _check as _check_focal, focal_loss

__all__ = ["LossCurves", "regression_losses", "classification_losses", "categorical_losses", "REGRESSION_LOSSES",
           "CLASSIFICATION_LOSSES", "MAX_POINTS"]

#: The regression losses drawn, by their ``keras.losses`` function names.
REGRESSION_LOSSES = ("mean_squared_error", "mean_absolute_error", "huber", "log_cosh")
#: The binary classification losses drawn (``focal`` is :func:`focal_loss`, equal to Keras's).
CLASSIFICATION_LOSSES = ("binary_crossentropy", "focal", "hinge")

_ERRORS = np.linspace(-3.0, 3.0, 301)
_PROBABILITIES = np.linspace(0.005, 0.995, 199)
_LOGITS = np.linspace(-6.0, 6.0, 241)
#: The most points a loss curve takes.
MAX_POINTS = 100_000


def _label(name: str, params: dict) -> str:
    if name == "huber":
        return f"Huber δ={significant(params['delta'])}"
    if name == "focal":
        alpha = "" if params["alpha"] is None else f"α={significant(params['alpha'])} "  # None: no class weighting
        return f"focal {alpha}γ={significant(params['gamma'])}"
    if name == "hinge":
        return "hinge" if params.get("from_logits") else "hinge on 2p-1"
    return {"mean_squared_error": "MSE", "mean_absolute_error": "MAE", "log_cosh": "log-cosh",
            "binary_crossentropy": "binary cross-entropy", "categorical_crossentropy": "categorical cross-entropy"
            }.get(name, name)


@dataclass
class LossCurves:
    """Losses on a grid: ``losses[key]`` and ``gradients[key]`` (dLoss/dx by tape) at each ``x``.

    For classification the keys end in the true label: ``"focal y=1"``.
    """

    x: np.ndarray
    xlabel: str
    losses: dict
    gradients: dict
    params: dict = field(default_factory=dict)

    def label(self, key: str) -> str:
        name, _, target = key.partition(" ")
        return _label(name, self.params) + (f" ({target})" if target else "")


def _grid(values, default, name):
    """The points to evaluate at: one number or a 1-D array of finite numbers (``name`` is the argument)."""
    if values is None:
        return np.asarray(default, dtype=np.float32)
    x = finite_array(values, name)
    if np.iscomplexobj(x):
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {x.dtype}.")
    if x.ndim > 1:
        raise ValueError(f"{name} must be one number or a 1-D list of numbers, got shape {x.shape}; "
                         "flatten it first (np.ravel).")
    if x.size > MAX_POINTS:
        raise ValueError(f"{name} has {x.size:,} points; at most {MAX_POINTS:,} (a plot has far fewer pixels).")
    with np.errstate(over="ignore"):
        result = x.astype(np.float32).reshape(-1)
    if not np.isfinite(result).all():
        raise ValueError(f"{name} holds values too large for float32 (at most 3.4e38).")
    return result


def _delta(delta):
    try:
        return number(delta, "delta", low=0, low_open=True, example="1.0")
    except (TypeError, ValueError) as error:
        raise type(error)(f"{error} (Huber's delta is the error size where it turns from quadratic to "
                          "linear.)") from None


def _per_sample(loss_fn, y_true, x, transform=None):
    """Per-sample loss and its derivative with respect to each prediction, by one tape pass."""
    xt = tf.constant(x[:, None])
    with tf.GradientTape() as tape:
        tape.watch(xt)
        loss = loss_fn(tf.constant(y_true, tf.float32), xt if transform is None else transform(xt))
    return loss.numpy(), tape.gradient(loss, xt).numpy()[:, 0]


def regression_losses(errors=None, *, delta: float = 1.0) -> LossCurves:
    """MSE, MAE, Huber(delta) and log-cosh of ``y_pred - y_true = error``, with their gradients.

    The values come from ``keras.losses.mean_squared_error``, ``mean_absolute_error``,
    ``huber`` and ``log_cosh`` with ``y_true = 0``; the gradients d loss / d y_pred
    from a ``GradientTape``. MSE's gradient grows with the error (outliers pull
    hard), MAE's is always ±1, Huber is MSE/2 inside ±delta and MAE-like
    outside, log-cosh is a smooth Huber.

    >>> curves = regression_losses(errors=[1.0, 3.0], delta=2.0)
    >>> curves.losses["huber"].tolist(), curves.gradients["huber"].tolist()
    ([0.5, 4.0], [1.0, 2.0])
    """
    delta = _delta(delta)
    x = _grid(errors, _ERRORS, "errors")
    y_true = np.zeros((x.size, 1), np.float32)
    functions = {"mean_squared_error": keras.losses.mean_squared_error,
                 "mean_absolute_error": keras.losses.mean_absolute_error,
                 "huber": lambda t, p: keras.losses.huber(t, p, delta=delta),
                 "log_cosh": keras.losses.log_cosh}
    losses, gradients = {}, {}
    for name, function in functions.items():
        losses[name], gradients[name] = _per_sample(function, y_true, x)
    return LossCurves(x, "error = y_pred - y_true", losses, gradients, {"delta": float(delta)})


def classification_losses(x=None, *, alpha: float = 0.25, gamma: float = 2.0,
                          from_logits: bool = False) -> LossCurves:
    """Binary cross-entropy, focal loss and hinge for a true label of 1 and of 0, with gradients.

    ``x`` is the predicted probability of class 1 (default 0.005 ... 0.995), or
    the logit if ``from_logits`` (default -6 ... 6). Values come from
    ``keras.losses.binary_crossentropy``, :func:`focal_loss` (equal to
    ``keras.losses.binary_focal_crossentropy`` with class balancing) and
    ``keras.losses.hinge``. Hinge takes an unbounded score (a logit, or any real
    output) with labels ±1 (Keras turns 0/1 labels into ±1), not a probability, so on the
    probability axis it is given ``2p - 1``. Gradients are d loss / d x, by ``GradientTape``.

    >>> curves = classification_losses([0.1, 0.9], alpha=0.25, gamma=2.0)
    >>> [round(float(v), 4) for v in curves.losses["binary_crossentropy y=1"]]
    [2.3026, 0.1054]
    >>> [round(float(v), 4) for v in curves.losses["focal y=1"]]
    [0.4663, 0.0003]
    """
    alpha, gamma = _check_focal(alpha, gamma)
    from_logits = flag(from_logits, "from_logits")
    x = _grid(x, _LOGITS if from_logits else _PROBABILITIES, "x")
    if not from_logits and (np.any(x < 0) or np.any(x > 1)):
        raise ValueError("With from_logits=False, x holds probabilities and must lie in [0, 1]; pass "
                         "from_logits=True to use logits (any real number).")
    score = None if from_logits else (lambda p: 2.0 * p - 1.0)
    functions = {"binary_crossentropy": lambda t, p: keras.losses.binary_crossentropy(t, p, from_logits=from_logits),
                 "focal": lambda t, p: focal_loss(t, p, alpha=alpha, gamma=gamma, from_logits=from_logits),
                 "hinge": keras.losses.hinge}
    losses, gradients = {}, {}
    for target in (1, 0):
        y_true = np.full((x.size, 1), target, np.float32)
        for name, function in functions.items():
            key = f"{name} y={target}"
            losses[key], gradients[key] = _per_sample(function, y_true, x, score if name == "hinge" else None)
    xlabel = "logit z (predicted class 1 if z > 0)" if from_logits else "predicted probability p of class 1"
    return LossCurves(x, xlabel, losses, gradients,
                      {"alpha": alpha, "gamma": gamma, "from_logits": from_logits})


def categorical_losses(logits=None, *, others=(0.0, 0.0)) -> LossCurves:
    """Categorical cross-entropy (from logits) as one logit z moves, with 3 classes and class 0 true.

    ``"true class"``: logits ``[z, *others]``, so raising z makes the right
    answer likelier and the loss falls towards 0. ``"wrong class"``: logits
    ``[others[0], z, others[1]]``, so raising z makes a wrong class likelier and
    the loss grows about linearly. Values from
    ``keras.losses.categorical_crossentropy(..., from_logits=True)``.

    >>> curves = categorical_losses([0.0])
    >>> round(float(curves.losses["true class"][0]), 4), round(float(np.log(3)), 4)
    (1.0986, 1.0986)
    """
    z = _grid(logits, _LOGITS, "logits")
    if isinstance(others, (str, bytes)) or not np.iterable(others) or len(others) != 2:
        raise ValueError(f"others must hold the 2 other logits (3 classes), e.g. (0.0, 0.0), got {describe(others)}.")
    fixed = [number(v, f"others[{k}]") for k, v in enumerate(others)]
    one_hot = np.tile(np.array([[1.0, 0.0, 0.0]], np.float32), (z.size, 1))

    def true_class(zt):
        return tf.concat([zt, tf.fill(tf.shape(zt), fixed[0]), tf.fill(tf.shape(zt), fixed[1])], axis=1)

    def wrong_class(zt):
        return tf.concat([tf.fill(tf.shape(zt), fixed[0]), zt, tf.fill(tf.shape(zt), fixed[1])], axis=1)

    def cce(t, logits):
        return keras.losses.categorical_crossentropy(t, logits, from_logits=True)

    losses, gradients = {}, {}
    for name, build in (("true class", true_class), ("wrong class", wrong_class)):
        losses[name], gradients[name] = _per_sample(cce, one_hot, z, build)
    return LossCurves(z, "logit z", losses, gradients, {"others": tuple(fixed)})
