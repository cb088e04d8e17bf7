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

Rendering a whole figure to PNG costs about 100 ms on a small CPU, most of it in
ticks, labels and legends that a slider does not change. An explorer may
therefore name its ``dynamic`` artists (the lines and markers ``update()``
moves): the rest of the figure is then drawn once as a background and reused,
and each update only draws those artists over it (blitting), unless an axes'
limits or :meth:`Explorer.background_key` changed. The layout (constrained, from
:func:`new_figure`) is recomputed only when ``background_key()`` changes, so
the picture does not jump while a slider moves.
"""
from __future__ import annotations

import math
import time

import ipywidgets as widgets

from tfedu._figures import Blitter, jpeg, new_figure, png

__all__ = ["Explorer", "new_figure", "slider_range"]  # new_figure lives in tfedu._figures; kept here for callers


def slider_range(value: float, low: float, high: float, step: float, *, log: bool = False,
                 base: float = 10.0) -> tuple:
    """``(min, max)`` for a slider: ``(low, high)`` widened in whole steps so that it shows ``value`` as passed.

    ipywidgets silently clamps a value outside a slider's range (``learning_rate=10``
    on a slider that ends at 3.16 would show, and use, 3.16). Explorers check that a
    value makes sense first (raising a ``ValueError`` otherwise), then widen the
    slider with this. With ``log=True`` the bounds are exponents of ``base``, as for
    ``ipywidgets.FloatLogSlider``, and ``value`` must be > 0.

    >>> slider_range(10.0, -3, 0.5, 0.05, log=True)
    (-3, 1.0)
    >>> slider_range(0.25, 0.0, 0.5, 0.01), slider_range(4.2, 0.1, 3.0, 0.1)
    ((0.0, 0.5), (0.1, 4.2))
    """
    def shown(position):
        return base ** position if log else position

    position = math.log10(value) / math.log10(base) if log else value
    if shown(low) > value:
        low = round(math.floor(position / step) * step, 10)
        while shown(low) > value:
            low = round(low - step, 10)
    if shown(high) < value:
        high = round(math.ceil(position / step) * step, 10)
        while shown(high) < value:
            high = round(high + step, 10)
    return low, high


class Explorer(widgets.VBox):
    """Controls above (or beside) one live figure.

    Every widget of tfedu is one of these, built the same way (model:
    ``tfedu.losses.explore.LossExplorer``):

    1. ``__init__`` checks every argument first (a ``ValueError``/``TypeError``
       naming it), then builds ``self.figure`` with :func:`new_figure`, the
       artists it will move and the controls, and calls
       ``self._start(controls, dpi=..., dynamic=[artists])``;
    2. ``update()`` is called with no arguments whenever a control changes:
       it re-runs the family's compute step and updates the existing artists;
    3. ``describe()`` returns the one-line text form (what ``repr`` and nbval
       show): deterministic, so a lesson's output is the same on every run;
    4. a public function ``<name>_explorer(...)`` in the family builds it and
       documents it (``tests/test_widgets.py`` checks every such function).

    With ``dynamic`` artists, updates redraw only those over a cached
    background (see the module docstring); ``update()`` must then change
    nothing else unless it also changes an axes' limits or what
    :meth:`background_key` returns. ``self.controls`` lists the controls
    observed (the leaves of ``controls``, which may be grouped in boxes).
    """

    def _start(self, controls, *, dpi: int = 100, dynamic=(), keep=()):
        self._dpi = dpi
        self._dynamic = list(dynamic)
        self._blitter = Blitter(self.figure, self._dynamic, dpi=dpi, keep=keep) if self._dynamic else None
        self._background_state = None
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self.render_seconds = []
        self.children = (widgets.HBox(list(controls), layout=widgets.Layout(flex_flow="row wrap")), self.image)
        self.controls = list(_leaves(controls))  # controls may be grouped in boxes
        for control in self.controls:
            control.observe(self._changed, names="value")
        self._changed()

    def _changed(self, change=None):
        started = time.perf_counter()
        self.update()
        self.image.value = self._render_blitted() if self._dynamic else png(self.figure, dpi=self._dpi)
        self.render_seconds.append(time.perf_counter() - started)

    def _render_blitted(self, encoding: str = "png", unchanged=()) -> bytes:
        state = (self.background_key(),
                 tuple((tuple(ax.get_xlim()), tuple(ax.get_ylim())) for ax in self.figure.axes))
        previous = self._background_state
        # Lay out again only when the background itself changed (labels, legends), not for new
        # limits: the picture does not jump while sliding, and the draw is ~40% faster.
        comparable = previous is not None and previous[0] == state[0] and previous[1] is not None \
            and len(previous[1]) == len(state[1])
        moved = [ax for ax, old, new in zip(self.figure.axes, previous[1], state[1]) if old != new] if comparable else []
        if moved and all(ax in self.redraw_alone for ax in moved):   # only those axes need drawing again
            self._blitter.frame(unchanged=unchanged, axes=moved)
        else:
            self._blitter.frame(state != previous, relayout=previous is None or previous[0] != state[0],
                                unchanged=unchanged)
        self._background_state = state
        if encoding == "jpeg":   # a frame of a live view: encoded 4x faster, soon replaced by the next
            return jpeg(self.figure)
        return png(self.figure, compress_level=1, redraw=False)

    #: Axes whose new limits redraw only their own part of the background (their labels overlap nothing).
    redraw_alone = ()

    def background_key(self):
        """What, besides axes limits, the background shows that ``update()`` may change (titles,
        legends, visible curves...). Only used with ``dynamic`` artists; the background is
        redrawn whenever this value changes."""
        return None

    def update(self):  # pragma: no cover - every explorer overrides it
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - every explorer overrides it
        return type(self).__name__

    def __repr__(self) -> str:
        return self.describe()


def _leaves(controls):
    for control in controls:
        if isinstance(control, widgets.Box):
            yield from _leaves(control.children)
        else:
            yield control
