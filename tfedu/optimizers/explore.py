"""The interact layer of ``tfedu.optimizers``: the race as a widget, and ``optimizer_race``.

:func:`race_explorer` builds a :class:`RaceExplorer`, a :class:`tfedu._widgets.Explorer`:
every optimizer runs once per surface and learning rate, and the steps, the
check-boxes and the replay slider only redraw paths and markers over a cached
background. :func:`optimizer_race`, the name lessons use, is
:func:`~tfedu.optimizers.plot_race`, or this widget with ``interactive=True``.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from tfedu._i18n import text as words
from tfedu._figures import new_figure
from tfedu._text import significant
from tfedu._validate import flag
from tfedu._widgets import Explorer, slider_range
from tfedu.optimizers.compute import (_check_optimizers, _check_start, _check_steps, _check_surface,
                                      _learning_rates, _truncate, run_race)
from tfedu.optimizers.draw import COLOURS, _draw_surface, _style_loss_axes, plot_race
from tfedu.optimizers.surfaces import MAX_STEPS, OPTIMIZERS, SURFACES

__all__ = ["RaceExplorer", "race_explorer", "optimizer_race"]


class RaceExplorer(Explorer):
    """The optimizer race under controls: surface, learning rate, steps, check-boxes, replay (see
    :func:`race_explorer`)."""

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
        for name, colour in COLOURS.items():
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
        self.surface = widgets.Dropdown(options=list(SURFACES), value=surface.name, description=words("surface"),
                                        style=wide, layout=widgets.Layout(width="220px"))
        rate_min, rate_max = slider_range(rate, -4, 0, 0.1, log=True)
        self.learning_rate = widgets.FloatLogSlider(value=rate, base=10, min=rate_min, max=rate_max, step=0.1,
                                                    description=words("learning rate"), readout_format=".2g", style=wide)
        self.steps = widgets.IntSlider(value=steps, min=min(10, steps), max=MAX_STEPS, step=10, description=words("steps"),
                                       style=wide)
        self.replay = widgets.IntSlider(value=steps, min=0, max=steps, description=words("replay step"), style=wide)
        self.play = widgets.Play(value=steps, min=0, max=steps, step=max(steps // 50, 1), interval=60,
                                 description=words("play"))
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
        lead = (f"lowest loss {best} {significant(finished[best])}" if best
                else "every optimizer stopped" if selected else "no optimizer selected")
        diverged = [n for n in selected if n not in finished]
        text = (f"optimizer_race: {race.surface.name}, lr {significant(self.learning_rate.value)}, step {shown}/"
                f"{self.steps.value}: {lead}" + (f"; stopped: {', '.join(diverged)}" if diverged else ""))
        return text if len(text) <= 110 else text[:107] + "..."


def race_explorer(surface="rosenbrock", optimizers=None, *, learning_rate=None, steps: int | None = None,
                  start=None) -> RaceExplorer:
    """The optimizer race as a widget: surface, learning rate, steps, optimizer check-boxes and replay.

    Every optimizer runs once per surface and learning rate (up to
    :data:`~tfedu.optimizers.MAX_STEPS` steps, in milliseconds after the first compile); steps,
    check-boxes and the replay slider (or its play button) only redraw. A learning
    rate beyond the slider's usual range (1e-4 to 1) widens it.

    >>> explorer = race_explorer("quadratic", ["SGD", "Adam"], learning_rate=0.05, steps=100)
    >>> print(explorer)
    optimizer_race: quadratic, lr 0.05, step 100/100: lowest loss SGD 0.000215
    >>> explorer.replay.value = 10; print(explorer)
    optimizer_race: quadratic, lr 0.05, step 10/100: lowest loss SGD 2.2
    """
    return RaceExplorer(surface, optimizers, learning_rate, steps, start)


def optimizer_race(surface="rosenbrock", optimizers=None, *, learning_rate=None, steps: int | None = None,
                   start=None, ax=None, interactive: bool = False):
    """Race Keras optimizers on a 2-D surface: trajectories on the contour plot, and loss against step.

    The name lessons use for :func:`~tfedu.optimizers.plot_race`: runs
    :func:`~tfedu.optimizers.run_race` and draws it (pass ``ax``: one axes for
    the contour plot only, two for both panels). Returns the
    :class:`~tfedu.optimizers.OptimizerRace` (``.paths``, ``.losses``,
    ``.figure``), which prints a results table. With ``interactive=True`` it
    returns :func:`race_explorer` instead: sliders for the learning rate, the
    steps and a replay of the race.

    >>> race = optimizer_race("beale", ["SGD", "SGD+momentum", "Adam"], steps=200)
    >>> print(race)
    optimizer_race on beale: f = (1.5 - x + xy)² + (2.25 - x + xy²)² + (2.625 - x + xy³)²
    from (1, 1.4), 200 steps, learning rate 0.01
    optimizer     loss after 200  position       distance to minimum (3, 0.5)
    SGD           0.0204          (2.7, 0.415)   0.311
    SGD+momentum  1.55e-08        (3, 0.5)       0.000303
    Adam          2.48            (1.54, 0.371)  1.46
    lowest loss: SGD+momentum
    >>> import matplotlib.pyplot as plt; plt.close(race.figure)
    """
    if flag(interactive, "interactive"):
        if ax is not None:
            raise ValueError("interactive=True draws into the widget's own figure; leave ax=None.")
        return race_explorer(surface, optimizers, learning_rate=learning_rate, steps=steps, start=start)
    return plot_race(surface, optimizers, learning_rate=learning_rate, steps=steps, start=start, ax=ax)
