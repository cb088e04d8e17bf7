"""The draw layer of ``tfedu.activations``: f(x) with f'(x), and gradient norms layer by layer.

* :func:`draw_activation` draws a computed curve; :func:`plot_activation`
  computes one (:func:`~tfedu.activations.activation_curve`) and draws it;
* :func:`draw_gradient_flow` draws measured gradient norms;
  :func:`plot_gradient_flow` measures and draws them. :func:`gradient_flow` is
  the same function as :func:`plot_gradient_flow`, under the name lessons use.

Each ``draw_*(data, ax=None)`` gets its figure from ``tfedu._figures.figure_for``
and returns a result with ``.figure``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from tfedu._figures import check_axes, figure_for
from tfedu._text import significant
from tfedu._validate import describe
from tfedu.activations.compute import ActivationCurve, VectorActivationCurve, activation_curve
from tfedu.activations.gradient_flow import GradientFlow, _ratio, _sci, measure_gradient_flow

__all__ = ["ActivationPlot", "draw_activation", "plot_activation", "draw_gradient_flow", "plot_gradient_flow",
           "gradient_flow"]

F_COLOUR, DERIVATIVE_COLOUR, SATURATION_COLOUR = "#0969da", "#cf222e", "#d0d7de"
_FLOW_COLOURS = {"sigmoid": "#cf222e", "tanh": "#bf8700", "relu": "#1a7f37"}
_OTHER_FLOW_COLOURS = ("#0969da", "#8250df", "#1b7c83", "#6e7781", "#bf3989")


@dataclass
class ActivationPlot:
    """What :func:`plot_activation` drew: the computed ``curve`` and the matplotlib ``figure``."""

    curve: object
    figure: object = field(repr=False)

    def __str__(self) -> str:
        return str(self.curve)

    __repr__ = __str__


def draw_activation(curve, ax=None) -> ActivationPlot:
    """Draw a curve from :func:`~tfedu.activations.activation_curve`: f(x), f'(x), saturation, max f'.

    Returns an :class:`ActivationPlot` (``.figure``, ``.curve``); pass ``ax``
    to draw into your own axes.

    >>> drawing = draw_activation(activation_curve("tanh", (-3, 3)))
    >>> print(drawing)
    tanh: max f'(x) = 1 at x = 0; |f'| < 0.01 for |x| > 3
    >>> len(drawing.figure.axes)
    1
    """
    if not isinstance(curve, (ActivationCurve, VectorActivationCurve)):
        raise TypeError(f"draw_activation draws the result of activation_curve(...), got {describe(curve)}. "
                        "Call draw_activation(activation_curve('relu')), or plot_activation('relu').")
    figure, ax = figure_for(ax, figsize=(6.4, 3.6))
    if isinstance(curve, VectorActivationCurve):
        _draw_vector(curve, ax)
    else:
        _draw_curve(curve, ax)
    return ActivationPlot(curve, figure)


def plot_activation(fn_or_name="relu", x_range=(-5.0, 5.0), *, threshold: float = 0.01, num: int = 401,
                    ax=None, **params) -> ActivationPlot:
    """Plot an activation f(x) and its derivative f'(x) (from a ``GradientTape``) on one axes.

    The grey bands mark saturation, where ``|f'(x)| < threshold``: a neuron
    there passes almost no gradient back. The red dot marks the largest
    derivative (0.25 for sigmoid: each sigmoid layer shrinks the gradient at
    least four times). ``softmax`` is a vector function, so it is drawn as the
    outputs of ``softmax([x, 0, -1])`` as x varies. Returns an
    :class:`ActivationPlot` (``.figure``, ``.curve``) that prints a one-line
    summary. Pass ``ax`` to draw into your own axes. It is
    ``draw_activation(activation_curve(...), ax)``.

    >>> drawing = plot_activation("sigmoid")
    >>> print(drawing)
    sigmoid: max f'(x) = 0.25 at x = 0; |f'| < 0.01 for |x| > 4.6
    >>> [line.get_label() for line in drawing.figure.axes[0].lines if not line.get_label().startswith("_")]
    ['f(x) = sigmoid(x)', "f'(x) by GradientTape", "max f'"]
    >>> print(plot_activation("softmax"))
    softmax([x, 0, -1]): every output depends on x; max d out[0]/dx = 0.25 at x = 0.3; outputs sum to 1
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    check_axes(ax)  # before the tape runs
    return draw_activation(activation_curve(fn_or_name, x_range, num=num, threshold=threshold, **params), ax)


def _draw_curve(curve: ActivationCurve, ax):
    ax.fill_between(curve.x, 0, 1, where=curve.saturated, transform=ax.get_xaxis_transform(),
                    color=SATURATION_COLOUR, alpha=0.5, lw=0, label=f"saturated: |f'| < {curve.threshold:g}")
    ax.plot(curve.x, curve.y, color=F_COLOUR, lw=2, label=f"f(x) = {curve.name}(x)")
    ax.plot(curve.x, curve.derivative, color=DERIVATIVE_COLOUR, lw=1.8, ls="--", label="f'(x) by GradientTape")
    ax.plot([curve.argmax], [curve.max_derivative], "o", color=DERIVATIVE_COLOUR, ms=6, label="max f'")
    ax.annotate(f"max f' = {significant(curve.max_derivative)}", (curve.argmax, curve.max_derivative),
                xytext=(8, 8), textcoords="offset points", ha="left", va="bottom", fontsize=9,
                color=DERIVATIVE_COLOUR)
    ax.axhline(0, color="#57606a", lw=0.6)
    ax.set_xlim(curve.x[0], curve.x[-1])
    ax.set(xlabel="x", ylabel="value", title=f"{curve.name}: the function and its gradient")
    ax.legend(loc="best", fontsize=8)


def _draw_vector(curve: VectorActivationCurve, ax):
    colours = (F_COLOUR, "#8c959f", "#57606a")
    names = ["x", *(f"{v:g}" for v in curve.logits)]
    for k in range(curve.outputs.shape[1]):
        ax.plot(curve.x, curve.outputs[:, k], color=colours[k % 3], lw=2 if k == 0 else 1.4,
                label=f"out[{k}] (input {names[k]})")
    ax.plot(curve.x, curve.derivative, color=DERIVATIVE_COLOUR, lw=1.8, ls="--", label="d out[0]/dx by GradientTape")
    ax.plot([curve.argmax], [curve.max_derivative], "o", color=DERIVATIVE_COLOUR, ms=6)
    ax.annotate(f"max = {significant(curve.max_derivative)}", (curve.argmax, curve.max_derivative), xytext=(8, 8),
                textcoords="offset points", ha="left", fontsize=9, color=DERIVATIVE_COLOUR)
    ax.set_xlim(curve.x[0], curve.x[-1])
    ax.set(xlabel="x (the first input)", ylabel="output",
           title=f"{curve.name}({curve.input_text}): one input moves every output")
    ax.legend(loc="best", fontsize=8)


# --- gradient flow ---------------------------------------------------------------------------

def draw_gradient_flow(flow: GradientFlow, ax=None) -> GradientFlow:
    """Draw measured gradient norms (from :func:`~tfedu.activations.measure_gradient_flow`) on a log scale.

    Returns a copy of ``flow`` with ``.figure`` set; pass ``ax`` to draw into
    your own axes.

    >>> from tfedu.activations import measure_gradient_flow
    >>> flow = draw_gradient_flow(measure_gradient_flow(("relu",), depth=3, width=4, batch_size=8))
    >>> flow.figure.axes[0].get_yscale()
    'log'
    """
    if not isinstance(flow, GradientFlow):
        raise TypeError(f"draw_gradient_flow draws the result of measure_gradient_flow(...), got {describe(flow)}. "
                        "Call plot_gradient_flow(('sigmoid', 'relu')) to measure and draw in one step.")
    figure, ax = figure_for(ax, figsize=(6.4, 3.6))
    depth = flow.depth
    layers = np.arange(1, depth + 1)
    others = iter(_OTHER_FLOW_COLOURS * 4)
    for name, values in flow.norms.items():
        ax.semilogy(layers, values, marker="o", ms=4, lw=1.8, color=_FLOW_COLOURS.get(name) or next(others),
                    label=f"{name}: layer 1 / layer {depth} = {_sci(_ratio(values))}")
    ax.set_xticks(layers if depth <= 20 else layers[:: max(depth // 10, 1)])
    ax.set(xlabel="layer (1 = next to the input, where the gradient arrives last)",
           ylabel="|dL/dW| (log scale)",
           title=f"gradient flow: {depth} Dense layers of {flow.width}, {flow.initializer}")
    ax.legend(fontsize=8, loc="best")
    return dataclasses.replace(flow, figure=figure)


def plot_gradient_flow(activations=("sigmoid", "tanh", "relu"), *, depth: int = 12, width: int = 32,
                       batch_size: int = 64, initializer: str = "glorot_uniform", seed: int = 0,
                       ax=None) -> GradientFlow:
    """Build a deep MLP per activation, backpropagate one batch, and plot each layer's gradient norm.

    With sigmoid the norm shrinks by a factor of about 4 or more per layer on
    the way back (its derivative is at most 0.25), so the first layers barely
    learn: the vanishing-gradient problem, in numbers. Try
    ``initializer="he_normal"`` or more ``depth``. Returns a
    :class:`~tfedu.activations.GradientFlow` with ``.norms`` and ``.figure``
    (log-scale plot); pass ``ax`` to draw into your own axes. It is
    ``draw_gradient_flow(measure_gradient_flow(...), ax)``; :func:`gradient_flow`
    is another name for it.

    >>> flow = plot_gradient_flow(("sigmoid", "relu"), depth=6, width=16, batch_size=32)
    >>> bool(flow.norms["sigmoid"][0] < flow.norms["relu"][0] / 10)
    True
    >>> import matplotlib.pyplot as plt; plt.close(flow.figure)
    """
    check_axes(ax)  # before the networks are built
    flow = measure_gradient_flow(activations, depth=depth, width=width, batch_size=batch_size,
                                 initializer=initializer, seed=seed)
    return draw_gradient_flow(flow, ax)


#: The name lessons use for :func:`plot_gradient_flow` (``tfedu.activations.gradient_flow(...)``).
gradient_flow = plot_gradient_flow
