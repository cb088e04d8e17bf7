"""The interact layer of ``tfedu.losses``: Huber's δ, focal loss's α and γ and ``from_logits`` on sliders.

:func:`loss_explorer` builds a :class:`LossExplorer`, a :class:`tfedu._widgets.Explorer`
whose curves and labels are redrawn over a cached background; only what a
slider changed is recomputed.
"""
from __future__ import annotations

import ipywidgets as widgets

from tfedu._i18n import text as words
from tfedu._figures import new_figure
from tfedu._text import significant
from tfedu._validate import choice, flag
from tfedu._widgets import Explorer, slider_range
from tfedu.losses.compute import (CLASSIFICATION_LOSSES, REGRESSION_LOSSES, _delta, classification_losses,
                                  regression_losses)
from tfedu.losses.draw import COLOURS
from tfedu.losses.focal import _check as _check_focal

__all__ = ["LossExplorer", "loss_explorer"]


class LossExplorer(Explorer):
    """Regression and binary losses (or their gradients) under sliders (see :func:`loss_explorer`)."""

    def __init__(self, delta, alpha, gamma, from_logits, show):
        super().__init__()
        delta = _delta(delta)  # validate before building widgets
        if alpha is None:
            raise ValueError("alpha=None (no class weighting) has no slider position; give loss_explorer a number "
                             "in [0, 1], or call focal_loss(..., alpha=None) directly.")
        alpha, gamma = _check_focal(alpha, gamma)
        from_logits = flag(from_logits, "from_logits")
        show = choice(show, "show", ["loss", "gradient"])
        self.figure, (self.regression_ax, self.binary_ax) = new_figure((9.0, 3.4), ncols=2)
        names = {"mean_squared_error": "MSE", "mean_absolute_error": "MAE", "huber": "Huber", "log_cosh": "log-cosh"}
        self.regression_lines = {name: self.regression_ax.plot([], [], color=COLOURS[name], lw=1.8,
                                                               label=names[name])[0]
                                 for name in REGRESSION_LOSSES}
        self.delta_lines = [self.regression_ax.axvline(0, color=COLOURS["huber"], ls=":", lw=1.2)
                            for _ in range(2)]
        self.delta_text = self.regression_ax.text(0.98, 0.03, "", transform=self.regression_ax.transAxes,
                                                  ha="right", va="bottom", fontsize=9, color=COLOURS["huber"])
        self.binary_lines = {}
        for target, style in ((1, "-"), (0, "--")):
            for name in CLASSIFICATION_LOSSES:
                self.binary_lines[f"{name} y={target}"], = self.binary_ax.plot(
                    [], [], color=COLOURS[name], lw=1.8, ls=style,
                    label={"binary_crossentropy": "binary cross-entropy", "focal": "focal",
                           "hinge": "hinge"}[name] if target == 1 else None)
        self.binary_ax.plot([], [], color="#57606a", lw=1.2, ls="--", label="dashed: true label 0")
        self.focal_text = self.binary_ax.text(0.5, 0.97, "", transform=self.binary_ax.transAxes, ha="center",
                                              va="top", fontsize=9, color=COLOURS["focal"])
        self.regression_legend = self.regression_ax.legend(fontsize=8, loc="upper center")
        self.binary_ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, 0.9))
        wide = {"description_width": "initial"}
        delta_max = slider_range(delta, 0.1, 3.0, 0.1)[1]  # a small delta starts the slider: it never reaches 0
        self.delta = widgets.FloatSlider(value=delta, min=min(delta, 0.1), max=delta_max, step=0.1,
                                         description="Huber δ", style=wide)
        self.alpha = widgets.FloatSlider(value=alpha, min=0.0, max=1.0, step=0.05, description=words("focal α"),
                                         style=wide)  # [0, 1] is every valid alpha
        self.gamma = widgets.FloatSlider(value=gamma, min=0.0, max=slider_range(gamma, 0.0, 5.0, 0.25)[1], step=0.25,
                                         description=words("focal γ"), style=wide)
        self.from_logits = widgets.Checkbox(value=from_logits, description="from_logits", indent=False)
        self.show = widgets.ToggleButtons(options=["loss", "gradient"], value=show, description=words("show"),
                                          style={"button_width": "80px"})
        dynamic = [*self.regression_lines.values(), *self.delta_lines, self.delta_text,
                   *self.binary_lines.values(), self.focal_text]
        self._start([widgets.VBox([self.delta, self.alpha, self.gamma]), widgets.VBox([self.from_logits, self.show])],
                    dpi=90, dynamic=dynamic)

    def update(self):
        delta, alpha, gamma = self.delta.value, self.alpha.value, self.gamma.value
        if getattr(self, "regression", None) is None or self.regression.params["delta"] != delta:
            self.regression = regression_losses(delta=delta)  # only what a slider changed is recomputed
        binary_params = {"alpha": float(alpha), "gamma": float(gamma), "from_logits": bool(self.from_logits.value)}
        if getattr(self, "binary", None) is None or self.binary.params != binary_params:
            self.binary = classification_losses(**binary_params)
        gradient = self.show.value == "gradient"
        for name, line in self.regression_lines.items():
            line.set_data(self.regression.x, (self.regression.gradients if gradient else self.regression.losses)[name])
        for sign, line in zip((-1, 1), self.delta_lines):
            line.set_xdata([sign * delta, sign * delta])
        self.delta_text.set_text(f"Huber δ = {significant(delta)} (dotted)")
        for key, line in self.binary_lines.items():
            line.set_data(self.binary.x, (self.binary.gradients if gradient else self.binary.losses)[key])
        self.focal_text.set_text(f"focal α = {significant(alpha)}, γ = {significant(gamma)}")
        self.regression_ax.set_xlim(self.regression.x[0], self.regression.x[-1])
        self.binary_ax.set_xlim(self.binary.x[0], self.binary.x[-1])
        if gradient:
            self.regression_ax.set_ylim(-4.0, 4.0)
            self.binary_ax.set_ylim(*((-1.5, 2.5) if self.from_logits.value else (-10.0, 10.0)))
        else:
            self.regression_ax.set_ylim(0.0, 6.0)
            self.binary_ax.set_ylim(0.0, 4.5)
        self.regression_legend.set_loc("upper left" if gradient else "upper center")
        what = "gradient" if gradient else "loss"  # short labels: the layout is computed once
        self.regression_ax.set(xlabel=self.regression.xlabel, ylabel=what,
                               title="regression: " + ("d loss / d y_pred" if gradient else "loss"))
        self.binary_ax.set(xlabel=self.binary.xlabel, ylabel=what,
                           title="binary classification: " + ("d loss / dx" if gradient else "loss"))

    def background_key(self):
        return (self.show.value, self.from_logits.value)

    def describe(self) -> str:
        gradient = self.show.value == "gradient"
        kind = "gradients" if gradient else "losses"
        regression = regression_losses([2.0], delta=self.delta.value)
        where = [-2.0] if self.from_logits.value else [0.1]
        binary = classification_losses(where, alpha=self.alpha.value, gamma=self.gamma.value,
                                       from_logits=self.from_logits.value)
        pick = (lambda c: c.gradients) if gradient else (lambda c: c.losses)
        axis = "z" if self.from_logits.value else "p"
        return (f"loss_explorer ({kind}): Huber(δ={significant(self.delta.value)}) at error 2: "
                f"{significant(pick(regression)['huber'][0])}; y=1 at {axis}={significant(where[0])}: "
                f"BCE {significant(pick(binary)['binary_crossentropy y=1'][0])}, "
                f"focal(α={significant(self.alpha.value)}, γ={significant(self.gamma.value)}) "
                f"{significant(pick(binary)['focal y=1'][0])}")


def loss_explorer(delta: float = 1.0, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                  show: str = "loss") -> LossExplorer:
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
    return LossExplorer(delta, alpha, gamma, from_logits, show)
