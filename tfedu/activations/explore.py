"""The interact layer of ``tfedu.activations``: compare activations side by side, with sliders.

:func:`activation_explorer` builds an :class:`ActivationExplorer`, a
:class:`tfedu._widgets.Explorer` whose lines and markers are redrawn over a
cached background, so a slider step costs tens of milliseconds
(``benchmarks/explorer_response.py``).
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from tfedu._i18n import text as words
from tfedu._figures import new_figure
from tfedu._text import significant
from tfedu._validate import choices, describe, flag, number
from tfedu._widgets import Explorer, slider_range
from tfedu.activations.compute import _fmt_x, _grid, activation_curve

__all__ = ["EXPLORER_ACTIVATIONS", "ActivationExplorer", "activation_explorer"]

#: What the explorer offers, in menu order (silu is also called swish).
EXPLORER_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "mish",
                        "softplus", "softsign", "hard_sigmoid", "exponential", "linear")
# Every explorer shows the values it was given: a value outside a slider's usual range widens the
# slider (slider_range) when it makes sense, and raises a ValueError naming the argument otherwise.

_PALETTE = ("#0969da", "#cf222e", "#1a7f37", "#8250df", "#bf8700", "#e16f24", "#1b7c83", "#d4a72c",
            "#6e7781", "#bf3989", "#0550ae", "#4d2d00", "#116329", "#a40e26")


def _nice_limits(low, high, step, cap):
    low, high = max(low, -cap), min(high, cap)
    pad = 0.05 * max(high - low, 1e-3)
    return float(np.floor((low - pad) / step) * step), float(np.ceil((high + pad) / step) * step)


class ActivationExplorer(Explorer):
    """f(x) and f'(x) of the chosen activations, with their parameters on sliders (see :func:`activation_explorer`)."""

    def __init__(self, names, x_range, negative_slope, alpha, approximate, threshold):
        super().__init__()
        names = _explorer_names(names)
        _grid(x_range, 401)
        low, high = (float(v) for v in x_range)
        negative_slope = number(negative_slope, "negative_slope", low=0)  # leaky: a fraction of x < 0 passes
        alpha = number(alpha, "alpha", low=0)  # ELU's level for large negative x is -alpha
        approximate = flag(approximate, "approximate")
        self.threshold = number(threshold, "threshold", low=0, low_open=True)
        self.figure, (self.f_ax, self.d_ax) = new_figure((8.4, 3.3), ncols=2)
        self.lines, self.flat, self.derivatives, self.markers = {}, {}, {}, {}
        for name, colour in zip(EXPLORER_ACTIVATIONS, _PALETTE):
            self.flat[name], = self.f_ax.plot([], [], color=colour, lw=7, alpha=0.25, solid_capstyle="butt")
            self.lines[name], = self.f_ax.plot([], [], color=colour, lw=1.8, label=name)
            self.derivatives[name], = self.d_ax.plot([], [], color=colour, lw=1.6, label=name)
            self.markers[name], = self.d_ax.plot([], [], "o", color=colour, ms=5)
        for ax in (self.f_ax, self.d_ax):
            ax.axhline(0, color="#57606a", lw=0.6)
            ax.axvline(0, color="#57606a", lw=0.6)
        self.f_ax.set(xlabel="x", ylabel="f(x)", title=f"f(x); shaded where saturated (|f'| < {self.threshold:g})")
        self.d_ax.set(xlabel="x", ylabel="f'(x)", title="f'(x) by GradientTape (dot = max)")
        wide = {"description_width": "initial"}
        self.activations = widgets.SelectMultiple(options=EXPLORER_ACTIVATIONS, value=tuple(names), rows=6,
                                                  description=words("activations"), style=wide,
                                                  layout=widgets.Layout(width="230px"))
        slope_min, slope_max = slider_range(negative_slope, 0.0, 0.5, 0.01)
        self.negative_slope = widgets.FloatSlider(value=negative_slope, min=slope_min, max=slope_max, step=0.01,
                                                  description=words("leaky_relu slope"), style=wide)
        alpha_min, alpha_max = slider_range(alpha, 0.1, 3.0, 0.1)
        self.alpha = widgets.FloatSlider(value=alpha, min=alpha_min, max=alpha_max, step=0.1,
                                         description="elu alpha", style=wide)
        self.approximate = widgets.Checkbox(value=approximate, description=words("gelu tanh approximation"),
                                            indent=False)
        x_min = slider_range(low, -10.0, 10.0, 0.5)[0]
        x_max = slider_range(high, -10.0, 10.0, 0.5)[1]
        self.x_range = widgets.FloatRangeSlider(value=(low, high), min=x_min, max=x_max, step=0.5,
                                                description=words("x range"), style=wide)
        self.curves = {}
        dynamic = [*self.flat.values(), *self.lines.values(), *self.derivatives.values(), *self.markers.values()]
        sliders = widgets.VBox([self.negative_slope, self.alpha, self.approximate, self.x_range])
        self._start([self.activations, sliders], dpi=90, dynamic=dynamic)

    def _params(self, name):
        return {"leaky_relu": {"negative_slope": round(self.negative_slope.value, 4)},
                "elu": {"alpha": round(self.alpha.value, 4)},
                "gelu": {"approximate": bool(self.approximate.value)}}.get(name, {})

    def update(self):
        low, high = self.x_range.value
        if high <= low:
            high = low + 0.5
        selected = list(self.activations.value)
        self.curves = {}
        for name in EXPLORER_ACTIVATIONS:
            shown = name in selected
            for artists in (self.flat, self.lines, self.derivatives, self.markers):
                artists[name].set_visible(shown)
            if shown:
                curve = activation_curve(name, (low, high), threshold=self.threshold, **self._params(name))
                self.curves[name] = curve
                self.flat[name].set_data(curve.x, np.where(curve.saturated, curve.y, np.nan))
                self.lines[name].set_data(curve.x, curve.y)
                self.derivatives[name].set_data(curve.x, curve.derivative)
                self.markers[name].set_data([curve.argmax], [curve.max_derivative])
        for ax in (self.f_ax, self.d_ax):
            ax.set_xlim(low, high)
        if self.curves:  # limits move in whole steps, so most slider moves keep the background
            ys = np.concatenate([c.y for c in self.curves.values()])
            ds = np.concatenate([c.derivative for c in self.curves.values()])
            cap = max(abs(low), abs(high)) + 1.0
            self.f_ax.set_ylim(*_nice_limits(min(np.nanmin(ys), -1.0), max(np.nanmax(ys), 1.0), 1.0, cap))
            self.d_ax.set_ylim(*_nice_limits(min(np.nanmin(ds), 0.0), max(np.nanmax(ds), 1.0), 0.5, 2.0))
        legend = self.f_ax.get_legend()
        if legend is not None:
            legend.remove()
        handles = [self.lines[n] for n in EXPLORER_ACTIVATIONS if n in selected]
        if handles:
            self.f_ax.legend(handles=handles, loc="upper left", fontsize=8)

    def background_key(self):
        return tuple(self.activations.value)

    def describe(self) -> str:
        low, high = self.x_range.value
        parts = []
        for name, curve in self.curves.items():
            params = self._params(name)
            label = f"{name}({significant(next(iter(params.values())))})" if name in ("leaky_relu", "elu") else name
            parts.append(f"{label} {significant(curve.max_derivative)}")
        head = f"activation_explorer on [{_fmt_x(low)}, {_fmt_x(high)}], max f': "
        text = head + (", ".join(parts) if parts else "nothing selected")
        while len(text) > 110 and len(parts) > 1:
            parts.pop()
            text = head + ", ".join(parts) + ", ..."
        return text


def _explorer_names(names) -> list:
    """The activations to show first: names from EXPLORER_ACTIVATIONS (swish is silu); none is fine."""
    if names is None or (not isinstance(names, str) and not np.iterable(names)):
        raise TypeError(f"names must be an activation name or a list of them, e.g. ['sigmoid', 'relu'], got "
                        f"{describe(names)}.")
    names = [names] if isinstance(names, str) else list(names)
    if not names:
        return []
    names = [n.strip().lower() if isinstance(n, str) else n for n in names]  # "ReLU" is relu, as in activation_curve
    try:
        names = choices(names, "names", [*EXPLORER_ACTIVATIONS, "swish"], what="activation")
    except ValueError as error:
        raise ValueError(f"{error} (activation_explorer offers these; plot_activation draws any other "
                         "activation or a callable.)") from None
    return list(dict.fromkeys("silu" if n == "swish" else n for n in names))


def activation_explorer(names=("sigmoid", "tanh", "relu"), *, x_range=(-5.0, 5.0), negative_slope: float = 0.2,
                        alpha: float = 1.0, approximate: bool = False, threshold: float = 0.01) -> ActivationExplorer:
    """A widget to compare activations side by side: f(x) on the left, f'(x) on the right.

    Pick one or several activations (Ctrl/Cmd-click), move the leaky-ReLU
    slope, the ELU alpha, GELU's tanh approximation and the x-range; the same
    figure updates. Thick shading on f(x) marks saturation (``|f'| <
    threshold``: almost no gradient flows back); the dots on f'(x) mark each
    derivative's maximum. Values beyond a slider's usual range (``alpha=5``,
    ``x_range=(-20, 20)``) widen it; a negative slope or alpha raises ``ValueError``.

    >>> explorer = activation_explorer(["sigmoid", "relu"])
    >>> print(explorer)
    activation_explorer on [-5, 5], max f': sigmoid 0.25, relu 1
    >>> explorer.activations.value = ("leaky_relu", "elu"); explorer.alpha.value = 2.0
    >>> print(explorer)
    activation_explorer on [-5, 5], max f': leaky_relu(0.2) 1, elu(2) 2
    """
    return ActivationExplorer(names, x_range, negative_slope, alpha, approximate, threshold)
