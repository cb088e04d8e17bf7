"""The interact layer shared by every explorer: controls plus one figure that updates in place.

An explorer owns one matplotlib ``Figure`` that pyplot does not manage (so the
inline backend never shows a stray copy) and shows it as an ``ipywidgets.Image``.
When a control changes, the explorer re-runs its compute step, updates the
existing artists (``set_data``, ``set_text``...) and re-renders that one figure
into the same image widget: no new figure, no growing list of outputs, and no
ipympl needed, so it works the same in JupyterLab, classic Notebook, VS Code and
Binder.

Its plain-text form (what nbval compares, and what a terminal shows) is a short
description of the current state, never the PNG bytes.
"""
from __future__ import annotations

import io
import time

import ipywidgets as widgets
from matplotlib.figure import Figure

__all__ = ["Explorer", "new_figure"]


def new_figure(figsize=(6.4, 4.0), **subplots):
    """A figure outside pyplot (never auto-displayed, never leaked), with its axes.

    >>> figure, ax = new_figure((3, 2))
    >>> type(figure).__name__, figure.get_size_inches().tolist()
    ('Figure', [3.0, 2.0])
    """
    figure = Figure(figsize=figsize, layout="constrained")
    axes = figure.subplots(**subplots) if subplots else figure.subplots()
    return figure, axes


class Explorer(widgets.VBox):
    """Controls above (or beside) one live figure.

    Subclasses build ``self.figure`` and their controls, then call
    ``self._start(controls)``; ``update()`` is called with no arguments whenever
    a control changes and must redraw the existing artists. ``describe()``
    returns the one-line text form.
    """

    def _start(self, controls, *, dpi: int = 100):
        self._dpi = dpi
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self.render_seconds = []
        self.children = (widgets.HBox(list(controls), layout=widgets.Layout(flex_flow="row wrap")), self.image)
        for control in controls:
            control.observe(self._changed, names="value")
        self._changed()

    def _changed(self, change=None):
        started = time.perf_counter()
        self.update()
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self._dpi)
        self.image.value = buffer.getvalue()
        self.render_seconds.append(time.perf_counter() - started)

    def update(self):  # pragma: no cover - every explorer overrides it
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - every explorer overrides it
        return type(self).__name__

    def __repr__(self) -> str:
        return self.describe()
