"""See how each loss punishes errors, and how hard it pushes back (its gradient).

Three layers, each usable alone:

* :func:`regression_losses`, :func:`classification_losses` and
  :func:`categorical_losses` (compute) call the real ``keras.losses`` functions
  on a grid of predictions and differentiate them with a ``GradientTape``;
* :func:`plot_regression_losses` and :func:`plot_classification_losses` (draw);
* :func:`loss_explorer` (interact): sliders for Huber's delta, focal loss's
  alpha and gamma, and ``from_logits``, updating the same curves.

:class:`FocalLoss` is a complete Keras 3 loss (serializable, usable in
``model.compile``), and :func:`focal_loss` the same formula as a function.

>>> curves = regression_losses(errors=[-2.0, 0.5, 3.0], delta=1.0)
>>> curves.losses["mean_squared_error"].tolist(), curves.losses["huber"].tolist()
([4.0, 0.25, 9.0], [1.5, 0.125, 2.5])
"""
from __future__ import annotations

from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from tfedu._focal import FocalLoss, _check as _check_focal, focal_loss
from tfedu._validate import describe, finite_array, flag, number

__all__ = ["LossCurves", "LossPlot", "regression_losses", "classification_losses", "categorical_losses",
           "plot_regression_losses", "plot_classification_losses", "loss_explorer", "FocalLoss", "focal_loss",
           "REGRESSION_LOSSES", "CLASSIFICATION_LOSSES"]

#: The regression losses drawn, by their ``keras.losses`` function names.
REGRESSION_LOSSES = ("mean_squared_error", "mean_absolute_error", "huber", "log_cosh")
#: The binary classification losses drawn (``focal`` is :func:`focal_loss`, equal to Keras's).
CLASSIFICATION_LOSSES = ("binary_crossentropy", "focal", "hinge")

_COLOURS = {"mean_squared_error": "#0969da", "mean_absolute_error": "#1a7f37", "huber": "#8250df",
            "log_cosh": "#bf8700", "binary_crossentropy": "#0969da", "focal": "#cf222e", "hinge": "#57606a",
            "true class": "#0969da", "wrong class": "#e16f24"}
_ERRORS = np.linspace(-3.0, 3.0, 301)
_PROBABILITIES = np.linspace(0.005, 0.995, 199)
_LOGITS = np.linspace(-6.0, 6.0, 241)
#: The most points a loss curve takes.
MAX_POINTS = 100_000


def _fmt(value: float) -> str:
    return f"{float(value) + 0.0:.3g}"


def _label(name: str, params: dict) -> str:
    if name == "huber":
        return f"Huber δ={_fmt(params['delta'])}"
    if name == "focal":
        alpha = "" if params["alpha"] is None else f"α={_fmt(params['alpha'])} "  # None: no class weighting
        return f"focal {alpha}γ={_fmt(params['gamma'])}"
    if name == "hinge":
        return "hinge" if params.get("from_logits") else "hinge on 2p-1"
    return {"mean_squared_error": "MSE", "mean_absolute_error": "MAE", "log_cosh": "log-cosh",
            "binary_crossentropy": "binary cross-entropy", "categorical_crossentropy": "categorical cross-entropy"
            }.get(name, name)


# --- compute ---------------------------------------------------------------------------------

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
    ``keras.losses.hinge``. Hinge expects a score in [-1, 1] (a tanh output or a
    logit), not a probability, so on the probability axis it is given
    ``2p - 1``. Gradients are d loss / d x, by ``GradientTape``.

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


# --- draw ------------------------------------------------------------------------------------

def _table(title, columns, rows):
    cells = [[title, *columns], *[[label, *(_fmt(v) for v in values)] for label, values in rows]]
    widths = [max(len(row[k]) for row in cells) for k in range(len(cells[0]))]
    return "\n".join("  ".join(c.ljust(w) if k == 0 else c.rjust(w) for k, (c, w) in enumerate(zip(row, widths)))
                     for row in cells)


@dataclass
class LossPlot:
    """What a loss plot drew: the computed ``curves`` (one or more :class:`LossCurves`) and the ``figure``.

    Prints a small table of loss values at a few points.
    """

    curves: LossCurves
    figure: object = field(repr=False)
    table: str = ""
    categorical: LossCurves | None = None

    def __str__(self) -> str:
        return self.table

    __repr__ = __str__


def _axes_list(ax, count, figsize, **subplots):
    if ax is None:
        import matplotlib.pyplot as plt

        figure, axes = plt.subplots(figsize=figsize, layout="constrained", squeeze=False, **subplots)
        return figure, list(axes.ravel())
    axes = list(np.ravel(ax)) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
    if not axes or not all(hasattr(a, "plot") and hasattr(a, "figure") for a in axes):
        raise TypeError(f"ax must be a matplotlib Axes or a list of them (e.g. from plt.subplots(1, 2)), got "
                        f"{describe(ax)}.")
    return axes[0].figure, axes


def plot_regression_losses(delta: float = 1.0, *, errors=None, gradients: bool = True, ax=None) -> LossPlot:
    """Plot MSE, MAE, Huber(delta) and log-cosh against the error, and (by default) their gradients.

    Values are ``keras.losses`` on the same inputs; gradients come from a
    ``GradientTape``. Dotted lines mark ±delta, where Huber turns from
    quadratic to linear. Pass ``ax`` (one axes: losses only; two: losses and
    gradients). Returns a :class:`LossPlot` that prints the losses at a few
    errors.

    >>> drawing = plot_regression_losses(delta=1.0)
    >>> print(drawing)
    loss at error  0.5      1     2     3
    MSE           0.25      1     4     9
    MAE            0.5      1     2     3
    Huber δ=1    0.125    0.5   1.5   2.5
    log-cosh      0.12  0.434  1.33  2.31
    >>> import matplotlib.pyplot as plt; plt.close(drawing.figure)
    """
    gradients = flag(gradients, "gradients")
    curves = regression_losses(errors, delta=delta)
    delta = curves.params["delta"]
    figure, axes = _axes_list(ax, 2, (9.0, 3.4) if gradients else (5.2, 3.4), ncols=2 if gradients else 1)
    loss_ax, gradient_ax = axes[0], (axes[1] if gradients and len(axes) > 1 else None)
    for name in REGRESSION_LOSSES:
        loss_ax.plot(curves.x, curves.losses[name], color=_COLOURS[name], lw=1.8, label=curves.label(name))
        if gradient_ax is not None:
            gradient_ax.plot(curves.x, curves.gradients[name], color=_COLOURS[name], lw=1.8,
                             label=curves.label(name))
    for target in [a for a in (loss_ax, gradient_ax) if a is not None]:
        for sign in (-1, 1):
            target.axvline(sign * delta, color=_COLOURS["huber"], ls=":", lw=1)
        target.set_xlim(curves.x[0], curves.x[-1])
        target.set_xlabel(curves.xlabel)
    loss_ax.set_ylim(0, min(float(np.max(curves.losses["mean_squared_error"])), 9.0) * 1.05)
    loss_ax.set(ylabel="loss", title="regression losses (dotted: ±δ)")
    loss_ax.legend(fontsize=8, loc="upper center")
    if gradient_ax is not None:
        gradient_ax.set(ylabel="d loss / d y_pred", title="their gradients (GradientTape)")
        gradient_ax.legend(fontsize=8, loc="upper left")
    points = regression_losses([0.5, 1.0, 2.0, 3.0], delta=delta)
    table = _table("loss at error", ["0.5", "1", "2", "3"],
                   [(points.label(n), points.losses[n]) for n in REGRESSION_LOSSES])
    return LossPlot(curves, figure, table)


def plot_classification_losses(alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False, *,
                               gradients: bool = False, ax=None) -> LossPlot:
    """Plot binary cross-entropy, focal loss and hinge for y=1 and y=0, and categorical cross-entropy.

    Panels: true label 1, true label 0 (against the predicted probability,
    or the logit if ``from_logits``), and categorical cross-entropy of 3
    classes against one logit. ``gradients=True`` adds a row with d loss / dx
    (by ``GradientTape``). One ``ax`` draws the binary losses only (y=1 solid,
    y=0 dashed); a sequence of axes is filled in panel order. Returns a
    :class:`LossPlot` (``.curves``, ``.categorical``, ``.figure``).

    >>> drawing = plot_classification_losses(alpha=0.25, gamma=2.0)
    >>> print(drawing)
    loss at p                       0.1     0.5       0.9
    binary cross-entropy (y=1)      2.3   0.693     0.105
    focal α=0.25 γ=2 (y=1)        0.466  0.0433  0.000263
    hinge on 2p-1 (y=1)             1.8       1       0.2
    binary cross-entropy (y=0)    0.105   0.693       2.3
    focal α=0.25 γ=2 (y=0)      0.00079    0.13       1.4
    hinge on 2p-1 (y=0)             0.2       1       1.8
    >>> import matplotlib.pyplot as plt; plt.close(drawing.figure)
    """
    gradients = flag(gradients, "gradients")
    curves = classification_losses(alpha=alpha, gamma=gamma, from_logits=from_logits)
    from_logits = curves.params["from_logits"]
    categorical = categorical_losses()
    single = ax is not None and not isinstance(ax, (list, tuple, np.ndarray))
    rows = 2 if gradients else 1
    figure, axes = _axes_list(ax, 3 * rows, (11.0, 3.3 * rows), nrows=rows, ncols=3)
    if single:
        _draw_binary(axes[0], curves, "losses", targets=(1, 0))
        axes[0].set_title("binary losses: solid y=1, dashed y=0")
    else:
        kinds = ["losses", "gradients"][:rows]
        for row, kind in enumerate(kinds):
            panel = axes[3 * row: 3 * row + 3]
            for column, target in enumerate((1, 0)):
                if column < len(panel):
                    _draw_binary(panel[column], curves, kind, targets=(target,))
                    what = "loss" if kind == "losses" else "d loss / dx"
                    panel[column].set_title(f"{what} when the true label is {target}")
            if len(panel) > 2:
                _draw_categorical(panel[2], categorical, kind)
    x_points = [-2.0, 0.0, 2.0] if from_logits else [0.1, 0.5, 0.9]
    points = classification_losses(x_points, alpha=alpha, gamma=gamma, from_logits=from_logits)
    table = _table("loss at z" if from_logits else "loss at p", [_fmt(v) for v in x_points],
                   [(points.label(k), points.losses[k]) for k in points.losses])
    return LossPlot(curves, figure, table, categorical)


def _draw_binary(ax, curves, kind, targets):
    values = curves.losses if kind == "losses" else curves.gradients
    for target in targets:
        for name in CLASSIFICATION_LOSSES:
            key = f"{name} y={target}"
            ax.plot(curves.x, values[key], color=_COLOURS[name], lw=1.8, ls="-" if target == 1 else "--",
                    label=curves.label(name) if target == targets[0] else None)
    ax.set_xlim(curves.x[0], curves.x[-1])
    if kind == "losses":
        ax.set_ylim(0, 4.5)
    else:
        ax.set_ylim(*((-1.6, 1.6) if curves.params["from_logits"] else (-10, 10)))
        ax.axhline(0, color="#57606a", lw=0.6)
    ax.set(xlabel=curves.xlabel, ylabel="loss" if kind == "losses" else "d loss / dx")
    ax.legend(fontsize=8, loc="upper center")


def _draw_categorical(ax, curves, kind):
    values = curves.losses if kind == "losses" else curves.gradients
    for name in ("true class", "wrong class"):
        ax.plot(curves.x, values[name], color=_COLOURS[name], lw=1.8, label=f"z is the {name}'s logit")
    ax.set_xlim(curves.x[0], curves.x[-1])
    ax.set(xlabel="logit z (the other two logits are 0)", ylabel="loss" if kind == "losses" else "d loss / dz",
           title="categorical cross-entropy, 3 classes" if kind == "losses" else "its gradient: softmax(z) - y")
    ax.legend(fontsize=8, loc="upper center")


# --- interact --------------------------------------------------------------------------------

def loss_explorer(delta: float = 1.0, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                  show: str = "loss"):
    """A widget with Huber's δ, focal loss's α and γ, ``from_logits`` and loss/gradient, updating the curves.

    Left: regression losses against the error (δ moves Huber's bend, the
    dotted lines). Right: binary cross-entropy, focal loss and hinge against
    the predicted probability (or logit), solid for a true label 1, dashed for
    0. Raise γ and watch focal loss flatten where the prediction is already
    right; move α to weight the two classes. A δ or γ beyond the slider's usual
    range widens it; α must lie in [0, 1].

    >>> explorer = loss_explorer()
    >>> print(explorer)
    loss_explorer (losses): Huber(δ=1) at error 2: 1.5; y=1 at p=0.1: BCE 2.3, focal(α=0.25, γ=2) 0.466
    >>> explorer.gamma.value = 0.0; explorer.from_logits.value = True; print(explorer)
    loss_explorer (losses): Huber(δ=1) at error 2: 1.5; y=1 at z=-2: BCE 2.13, focal(α=0.25, γ=0) 0.532
    """
    from tfedu._explorers import LossExplorer

    return LossExplorer(delta, alpha, gamma, from_logits, show)
