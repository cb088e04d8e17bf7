"""The draw layer of ``tfedu.losses``: loss curves and their gradients, with a table of values.

* :func:`draw_regression_losses` draws :func:`~tfedu.losses.regression_losses`;
  :func:`plot_regression_losses` computes and draws;
* :func:`draw_classification_losses` draws
  :func:`~tfedu.losses.classification_losses` (and, if given,
  :func:`~tfedu.losses.categorical_losses`); :func:`plot_classification_losses`
  computes and draws.

Each returns a :class:`LossPlot` (``.figure``, ``.curves``) that prints the
losses at a few points.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes

from tfedu._figures import figure_for
from tfedu._text import significant, table
from tfedu._validate import describe, flag
from tfedu.losses.compute import (CLASSIFICATION_LOSSES, REGRESSION_LOSSES, LossCurves, categorical_losses,
                                  classification_losses, regression_losses)

__all__ = ["LossPlot", "draw_regression_losses", "plot_regression_losses", "draw_classification_losses",
           "plot_classification_losses"]

COLOURS = {"mean_squared_error": "#0969da", "mean_absolute_error": "#1a7f37", "huber": "#8250df",
           "log_cosh": "#bf8700", "binary_crossentropy": "#0969da", "focal": "#cf222e", "hinge": "#57606a",
           "true class": "#0969da", "wrong class": "#e16f24"}


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


def _loss_table(title, columns, rows) -> str:
    cells = [[label, *(significant(v) for v in values)] for label, values in rows]
    return table([title, *columns], cells, align="l" + "r" * len(columns))


def _check_curves(curves, what, compute, param, example):
    if not isinstance(curves, LossCurves) or param not in curves.params:
        raise TypeError(f"{what} must be the result of {compute}(...), got {describe(curves)}. "
                        f"For example: {example}.")


# --- regression ------------------------------------------------------------------------------

def draw_regression_losses(curves: LossCurves, ax=None, *, gradients: bool = True) -> LossPlot:
    """Draw :func:`~tfedu.losses.regression_losses` against the error, and (by default) their gradients.

    Dotted lines mark ±delta, where Huber turns from quadratic to linear. Pass
    ``ax`` (one axes: losses only; two: losses and gradients).

    >>> drawing = draw_regression_losses(regression_losses(delta=2.0), gradients=False)
    >>> [line.get_label() for line in drawing.figure.axes[0].lines][:4]
    ['MSE', 'MAE', 'Huber δ=2', 'log-cosh']
    """
    _check_curves(curves, "curves", "regression_losses", "delta", "draw_regression_losses(regression_losses())")
    gradients = flag(gradients, "gradients")
    delta = curves.params["delta"]
    figure, axes = figure_for(ax, count=(1, 2), figsize=(9.0, 3.4) if gradients else (5.2, 3.4),
                              ncols=2 if gradients else 1, example="plt.subplots(1, 2)")
    loss_ax, gradient_ax = axes[0], (axes[1] if gradients and len(axes) > 1 else None)
    for name in REGRESSION_LOSSES:
        loss_ax.plot(curves.x, curves.losses[name], color=COLOURS[name], lw=1.8, label=curves.label(name))
        if gradient_ax is not None:
            gradient_ax.plot(curves.x, curves.gradients[name], color=COLOURS[name], lw=1.8,
                             label=curves.label(name))
    for target in [a for a in (loss_ax, gradient_ax) if a is not None]:
        for sign in (-1, 1):
            target.axvline(sign * delta, color=COLOURS["huber"], ls=":", lw=1)
        target.set_xlim(curves.x[0], curves.x[-1])
        target.set_xlabel(curves.xlabel)
    loss_ax.set_ylim(0, min(float(np.max(curves.losses["mean_squared_error"])), 9.0) * 1.05)
    loss_ax.set(ylabel="loss", title="regression losses (dotted: ±δ)")
    loss_ax.legend(fontsize=8, loc="upper center")
    if gradient_ax is not None:
        gradient_ax.set(ylabel="d loss / d y_pred", title="their gradients (GradientTape)")
        gradient_ax.legend(fontsize=8, loc="upper left")
    points = regression_losses([0.5, 1.0, 2.0, 3.0], delta=delta)
    text = _loss_table("loss at error", ["0.5", "1", "2", "3"],
                       [(points.label(n), points.losses[n]) for n in REGRESSION_LOSSES])
    return LossPlot(curves, figure, text)


def plot_regression_losses(delta: float = 1.0, *, errors=None, gradients: bool = True, ax=None) -> LossPlot:
    """Plot MSE, MAE, Huber(delta) and log-cosh against the error, and (by default) their gradients.

    Values are ``keras.losses`` on the same inputs; gradients come from a
    ``GradientTape``. Dotted lines mark ±delta, where Huber turns from
    quadratic to linear. Pass ``ax`` (one axes: losses only; two: losses and
    gradients). Returns a :class:`LossPlot` that prints the losses at a few
    errors. It is ``draw_regression_losses(regression_losses(errors, delta=delta), ax)``.

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
    return draw_regression_losses(regression_losses(errors, delta=delta), ax, gradients=gradients)


# --- classification --------------------------------------------------------------------------

def draw_classification_losses(curves: LossCurves, ax=None, *, categorical: LossCurves | None = None,
                               gradients: bool = False) -> LossPlot:
    """Draw :func:`~tfedu.losses.classification_losses` for y=1 and y=0 (and ``categorical`` curves if given).

    Panels: true label 1, true label 0, and, with ``categorical`` (from
    :func:`~tfedu.losses.categorical_losses`), categorical cross-entropy
    against one logit. ``gradients=True`` adds a row with d loss / dx. One
    ``ax`` draws the binary losses only (y=1 solid, y=0 dashed); a sequence of
    axes is filled in panel order.

    >>> drawing = draw_classification_losses(classification_losses(gamma=0.0), categorical=categorical_losses())
    >>> [ax.get_title() for ax in drawing.figure.axes]
    ['loss when the true label is 1', 'loss when the true label is 0', 'categorical cross-entropy, 3 classes']
    """
    _check_curves(curves, "curves", "classification_losses", "gamma",
                  "draw_classification_losses(classification_losses())")
    if categorical is not None:
        _check_curves(categorical, "categorical", "categorical_losses", "others",
                      "draw_classification_losses(classification_losses(), categorical=categorical_losses())")
    gradients = flag(gradients, "gradients")
    rows, columns = (2 if gradients else 1), (3 if categorical is not None else 2)
    figure, axes = figure_for(ax, count=tuple(range(1, rows * columns + 1)),
                              figsize=(11.0 if columns == 3 else 7.4, 3.3 * rows), nrows=rows, ncols=columns,
                              example=f"plt.subplots({rows}, {columns})")
    if isinstance(ax, Axes):
        _draw_binary(axes[0], curves, "losses", targets=(1, 0))
        axes[0].set_title("binary losses: solid y=1, dashed y=0")
    else:
        _draw_panels(axes, curves, categorical, rows, columns)
    params = curves.params
    x_points = [-2.0, 0.0, 2.0] if params["from_logits"] else [0.1, 0.5, 0.9]
    points = classification_losses(x_points, alpha=params["alpha"], gamma=params["gamma"],
                                   from_logits=params["from_logits"])
    text = _loss_table("loss at z" if params["from_logits"] else "loss at p", [significant(v) for v in x_points],
                       [(points.label(k), points.losses[k]) for k in points.losses])
    return LossPlot(curves, figure, text, categorical)


def plot_classification_losses(alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False, *,
                               gradients: bool = False, ax=None) -> LossPlot:
    """Plot binary cross-entropy, focal loss and hinge for y=1 and y=0, and categorical cross-entropy.

    Panels: true label 1, true label 0 (against the predicted probability,
    or the logit if ``from_logits``), and categorical cross-entropy of 3
    classes against one logit. ``gradients=True`` adds a row with d loss / dx
    (by ``GradientTape``). One ``ax`` draws the binary losses only (y=1 solid,
    y=0 dashed); a sequence of axes is filled in panel order. Returns a
    :class:`LossPlot` (``.curves``, ``.categorical``, ``.figure``); it is
    :func:`draw_classification_losses` of the computed curves.

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
    return draw_classification_losses(curves, ax, categorical=categorical_losses(), gradients=gradients)


def _draw_panels(axes, curves, categorical, rows, columns):
    for row, kind in enumerate(["losses", "gradients"][:rows]):
        panel = axes[columns * row: columns * row + columns]
        for column, target in enumerate((1, 0)):
            if column < len(panel):
                _draw_binary(panel[column], curves, kind, targets=(target,))
                what = "loss" if kind == "losses" else "d loss / dx"
                panel[column].set_title(f"{what} when the true label is {target}")
        if len(panel) > 2:
            _draw_categorical(panel[2], categorical, kind)


def _draw_binary(ax, curves, kind, targets):
    values = curves.losses if kind == "losses" else curves.gradients
    for target in targets:
        for name in CLASSIFICATION_LOSSES:
            key = f"{name} y={target}"
            ax.plot(curves.x, values[key], color=COLOURS[name], lw=1.8, ls="-" if target == 1 else "--",
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
        ax.plot(curves.x, values[name], color=COLOURS[name], lw=1.8, label=f"z is the {name}'s logit")
    ax.set_xlim(curves.x[0], curves.x[-1])
    ax.set(xlabel="logit z (the other two logits are 0)", ylabel="loss" if kind == "losses" else "d loss / dz",
           title="categorical cross-entropy, 3 classes" if kind == "losses" else "its gradient: softmax(z) - y")
    ax.legend(fontsize=8, loc="upper center")
