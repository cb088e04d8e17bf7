"""The interact layer of ``tfedu.activations``, ``tfedu.losses`` and ``tfedu.optimizers``.

Each explorer is a :class:`tfedu._widgets.Explorer`: controls plus one figure
whose ``dynamic`` artists (lines, markers, texts) are redrawn over a cached
background, so a slider step costs tens of milliseconds
(``benchmarks/explorer_response.py``). They are built by the public functions
``activation_explorer``, ``loss_explorer`` and ``race_explorer`` (or
``optimizer_race(..., interactive=True)``), which document them.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from tfedu._focal import _check as _check_focal
from tfedu._validate import choice, choices, describe, flag, number
from tfedu._widgets import Explorer, new_figure, slider_range
from tfedu.activations import EXPLORER_ACTIVATIONS, _fmt, _fmt_x, _grid, activation_curve
from tfedu.losses import (_COLOURS as LOSS_COLOURS, CLASSIFICATION_LOSSES, REGRESSION_LOSSES, _delta,
                          classification_losses, regression_losses)
from tfedu.optimizers import (COLOURS as OPTIMIZER_COLOURS, MAX_STEPS, OPTIMIZERS, SURFACES, _check_optimizers,
                              _check_start, _check_steps, _check_surface, _draw_surface, _learning_rates,
                              _style_loss_axes, _truncate, run_race)

# Every explorer shows the values it was given: a value outside a slider's usual range widens the
# slider (slider_range) when it makes sense, and raises a ValueError naming the argument otherwise.

# --- activations -----------------------------------------------------------------------------

_PALETTE = ("#0969da", "#cf222e", "#1a7f37", "#8250df", "#bf8700", "#e16f24", "#1b7c83", "#d4a72c",
            "#6e7781", "#bf3989", "#0550ae", "#4d2d00", "#116329", "#a40e26")


def _nice_limits(low, high, step, cap):
    low, high = max(low, -cap), min(high, cap)
    pad = 0.05 * max(high - low, 1e-3)
    return float(np.floor((low - pad) / step) * step), float(np.ceil((high + pad) / step) * step)


class ActivationExplorer(Explorer):
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
                                                  description="activations", style=wide,
                                                  layout=widgets.Layout(width="230px"))
        slope_min, slope_max = slider_range(negative_slope, 0.0, 0.5, 0.01)
        self.negative_slope = widgets.FloatSlider(value=negative_slope, min=slope_min, max=slope_max, step=0.01,
                                                  description="leaky_relu slope", style=wide)
        alpha_min, alpha_max = slider_range(alpha, 0.1, 3.0, 0.1)
        self.alpha = widgets.FloatSlider(value=alpha, min=alpha_min, max=alpha_max, step=0.1,
                                         description="elu alpha", style=wide)
        self.approximate = widgets.Checkbox(value=approximate, description="gelu tanh approximation",
                                            indent=False)
        x_min = slider_range(low, -10.0, 10.0, 0.5)[0]
        x_max = slider_range(high, -10.0, 10.0, 0.5)[1]
        self.x_range = widgets.FloatRangeSlider(value=(low, high), min=x_min, max=x_max, step=0.5,
                                                description="x range", style=wide)
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
            label = f"{name}({_fmt(next(iter(params.values())))})" if name in ("leaky_relu", "elu") else name
            parts.append(f"{label} {_fmt(curve.max_derivative)}")
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


# --- losses ----------------------------------------------------------------------------------

class LossExplorer(Explorer):
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
        self.regression_lines = {name: self.regression_ax.plot([], [], color=LOSS_COLOURS[name], lw=1.8,
                                                               label=names[name])[0]
                                 for name in REGRESSION_LOSSES}
        self.delta_lines = [self.regression_ax.axvline(0, color=LOSS_COLOURS["huber"], ls=":", lw=1.2)
                            for _ in range(2)]
        self.delta_text = self.regression_ax.text(0.98, 0.03, "", transform=self.regression_ax.transAxes,
                                                  ha="right", va="bottom", fontsize=9, color=LOSS_COLOURS["huber"])
        self.binary_lines = {}
        for target, style in ((1, "-"), (0, "--")):
            for name in CLASSIFICATION_LOSSES:
                self.binary_lines[f"{name} y={target}"], = self.binary_ax.plot(
                    [], [], color=LOSS_COLOURS[name], lw=1.8, ls=style,
                    label={"binary_crossentropy": "binary cross-entropy", "focal": "focal",
                           "hinge": "hinge"}[name] if target == 1 else None)
        self.binary_ax.plot([], [], color="#57606a", lw=1.2, ls="--", label="dashed: true label 0")
        self.focal_text = self.binary_ax.text(0.5, 0.97, "", transform=self.binary_ax.transAxes, ha="center",
                                              va="top", fontsize=9, color=LOSS_COLOURS["focal"])
        self.regression_legend = self.regression_ax.legend(fontsize=8, loc="upper center")
        self.binary_ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, 0.9))
        wide = {"description_width": "initial"}
        delta_max = slider_range(delta, 0.1, 3.0, 0.1)[1]  # a small delta starts the slider: it never reaches 0
        self.delta = widgets.FloatSlider(value=delta, min=min(delta, 0.1), max=delta_max, step=0.1,
                                         description="Huber δ", style=wide)
        self.alpha = widgets.FloatSlider(value=alpha, min=0.0, max=1.0, step=0.05, description="focal α",
                                         style=wide)  # [0, 1] is every valid alpha
        self.gamma = widgets.FloatSlider(value=gamma, min=0.0, max=slider_range(gamma, 0.0, 5.0, 0.25)[1], step=0.25,
                                         description="focal γ", style=wide)
        self.from_logits = widgets.Checkbox(value=from_logits, description="from_logits", indent=False)
        self.show = widgets.ToggleButtons(options=["loss", "gradient"], value=show, description="show",
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
        self.delta_text.set_text(f"Huber δ = {_fmt(delta)} (dotted)")
        for key, line in self.binary_lines.items():
            line.set_data(self.binary.x, (self.binary.gradients if gradient else self.binary.losses)[key])
        self.focal_text.set_text(f"focal α = {_fmt(alpha)}, γ = {_fmt(gamma)}")
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
        return (f"loss_explorer ({kind}): Huber(δ={_fmt(self.delta.value)}) at error 2: "
                f"{_fmt(pick(regression)['huber'][0])}; y=1 at {axis}={_fmt(where[0])}: "
                f"BCE {_fmt(pick(binary)['binary_crossentropy y=1'][0])}, "
                f"focal(α={_fmt(self.alpha.value)}, γ={_fmt(self.gamma.value)}) "
                f"{_fmt(pick(binary)['focal y=1'][0])}")


# --- optimizers ------------------------------------------------------------------------------

class RaceExplorer(Explorer):
    def __init__(self, surface, optimizers, learning_rate, steps, start):
        super().__init__()
        surface = _check_surface(surface)
        selected = _check_optimizers(optimizers)
        if isinstance(learning_rate, dict):
            raise ValueError("The explorer's slider sets one learning rate for all optimizers; pass a number "
                             "(optimizer_race takes a dict of rates).")
        rate = _learning_rates(learning_rate, surface, selected)[selected[0]]
        steps = _check_steps(steps, surface)
        start = None if start is None else _check_start(start, surface)
        self._start_position = start
        self._cache = {}
        self._syncing = False
        self.figure, (self.contour_ax, self.loss_ax) = new_figure((10.0, 4.0), ncols=2,
                                                                  gridspec_kw={"width_ratios": [1.0, 1.15]})
        self.paths, self.markers, self.loss_lines = {}, {}, {}
        for name, colour in OPTIMIZER_COLOURS.items():
            self.paths[name], = self.contour_ax.plot([], [], color=colour, lw=1.6, zorder=3)
            self.markers[name], = self.contour_ax.plot([], [], "o", color=colour, mec="white", mew=0.8, ms=6,
                                                       zorder=5)
            self.loss_lines[name], = self.loss_ax.plot([], [], color=colour, lw=1.6, label=name)
        # A fixed colour key for the check-boxes: toggling one then only redraws the lines.
        self.loss_ax.legend(handles=list(self.loss_lines.values()), fontsize=8, loc="center left",
                            bbox_to_anchor=(1.0, 0.5))
        self.cursor = self.loss_ax.axvline(0, color="#57606a", lw=0.8, ls=":")
        self.step_text = self.contour_ax.text(0.02, 0.03, "", transform=self.contour_ax.transAxes, fontsize=9,
                                              bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="#d0d7de"))
        self._surface_artists, self._drawn_surface = [], None
        wide = {"description_width": "initial"}
        self.surface = widgets.Dropdown(options=list(SURFACES), value=surface.name, description="surface",
                                        style=wide, layout=widgets.Layout(width="220px"))
        rate_min, rate_max = slider_range(rate, -4, 0, 0.1, log=True)
        self.learning_rate = widgets.FloatLogSlider(value=rate, base=10, min=rate_min, max=rate_max, step=0.1,
                                                    description="learning rate", readout_format=".2g", style=wide)
        self.steps = widgets.IntSlider(value=steps, min=min(10, steps), max=MAX_STEPS, step=10, description="steps",
                                       style=wide)
        self.replay = widgets.IntSlider(value=steps, min=0, max=steps, description="replay step", style=wide)
        self.play = widgets.Play(value=steps, min=0, max=steps, step=max(steps // 50, 1), interval=60,
                                 description="play")
        widgets.jslink((self.play, "value"), (self.replay, "value"))
        self.checkboxes = {name: widgets.Checkbox(value=name in selected, description=name, indent=False,
                                                  layout=widgets.Layout(width="125px")) for name in OPTIMIZERS}
        boxes = widgets.GridBox(list(self.checkboxes.values()),
                                layout=widgets.Layout(grid_template_columns="repeat(4, 125px)"))
        sliders = widgets.VBox([widgets.HBox([self.surface, self.learning_rate]),
                                widgets.HBox([self.steps, self.replay])])
        dynamic = [*self.paths.values(), *self.markers.values(), *self.loss_lines.values(), self.cursor,
                   self.step_text]
        self._steps_shown = steps
        self._start([sliders, boxes], dpi=90, dynamic=dynamic)
        self.children[0].children = (*self.children[0].children, self.play)  # driven through the replay slider

    def _changed(self, change=None):
        if not self._syncing:
            super()._changed(change)

    @property
    def selected(self) -> list:
        return [name for name, box in self.checkboxes.items() if box.value]

    def _race(self):
        key = (self.surface.value, float(f"{self.learning_rate.value:.12g}"))
        if key not in self._cache:
            start = self._start_position if self._start_position is not None else SURFACES[key[0]].start
            self._cache.clear()  # keep one race: MAX_STEPS of every optimizer
            self._cache[key] = run_race(key[0], list(OPTIMIZERS), learning_rate=key[1], steps=MAX_STEPS,
                                        start=start)
        return self._cache[key]

    def update(self):
        surface = SURFACES[self.surface.value]
        steps = self.steps.value
        if steps != self._steps_shown:  # a new length: replay from its end
            self._syncing = True
            try:
                self.replay.max = self.play.max = steps
                self.replay.value = self.play.value = steps
                self.play.step = max(steps // 50, 1)
            finally:
                self._syncing = False
            self._steps_shown = steps
        shown = min(self.replay.value, steps)
        if self._drawn_surface != surface.name:
            for artist in self._surface_artists:
                artist.remove()
            self._surface_artists = _draw_surface(self.contour_ax, surface)
            _style_loss_axes(self.loss_ax, surface, steps)
            self._drawn_surface = surface.name
        self.loss_ax.set_xlim(0, steps)
        full = self._race()
        self.race = _truncate(full, steps)
        selected = self.selected
        for name in OPTIMIZERS:
            visible = name in selected
            for artist in (self.paths[name], self.markers[name], self.loss_lines[name]):
                artist.set_visible(visible)
            if not visible:
                continue
            path, losses = full.paths[name], full.losses[name]
            upto = min(shown, len(path) - 1)
            self.paths[name].set_data(path[:upto + 1, 0], path[:upto + 1, 1])
            self.markers[name].set_data([path[upto, 0]], [path[upto, 1]])
            self.loss_lines[name].set_data(np.arange(upto + 1), losses[:upto + 1])
        self.cursor.set_xdata([shown, shown])
        self.step_text.set_text(f"step {shown} of {steps}")

    def background_key(self):
        return self.surface.value

    def describe(self) -> str:
        race, shown = self.race, min(self.replay.value, self.steps.value)
        selected = self.selected
        finished = {n: float(race.losses[n][min(shown, len(race.losses[n]) - 1)]) for n in selected
                    if race.stopped[n] is None or race.stopped[n] > shown}
        best = min(finished, key=finished.get) if finished else None
        lead = (f"lowest loss {best} {_fmt(finished[best])}" if best
                else "every optimizer stopped" if selected else "no optimizer selected")
        diverged = [n for n in selected if n not in finished]
        text = (f"optimizer_race: {race.surface.name}, lr {_fmt(self.learning_rate.value)}, step {shown}/"
                f"{self.steps.value}: {lead}" + (f"; stopped: {', '.join(diverged)}" if diverged else ""))
        return text if len(text) <= 110 else text[:107] + "..."
