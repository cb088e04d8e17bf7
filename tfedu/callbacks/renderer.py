"""Draw a :class:`tfedu.callbacks.TrainingHistory`: one panel per metric, cheaply redrawn.

The *draw* layer of the live training plot. :class:`HistoryRenderer` owns one
matplotlib figure (made by :func:`tfedu._figures.new_figure`: not registered
with pyplot, so nothing shows it twice and nothing leaks) and redraws it from
the collected history in two ways (:class:`tfedu._figures.Blitter`):

* a **full** draw when the layout or an axis range changes: every artist is
  drawn and the static part (axes, ticks, titles) is kept as a background;
* a **blit** when only the data changed: the background is restored and the
  data artists are drawn on top, about ten times cheaper.

Axis ranges grow with headroom (a loss axis starts at 0 and rises above the
largest value; accuracy-like scores use 0..1), so most epochs are blits.

>>> from tfedu.callbacks.history import TrainingHistory
>>> history = TrainingHistory()
>>> history.begin_fit(); history.start_epoch(0, epochs=2)
>>> history.end_epoch(0, {"loss": 1.0, "val_loss": 1.2})
>>> renderer = HistoryRenderer()
>>> renderer.draw(history)
'full'
>>> history.start_epoch(1, epochs=2); history.end_epoch(1, {"loss": 0.5, "val_loss": 0.9})
>>> renderer.draw(history), repr(renderer.figure)
('blit', '<Figure size 500x300 with 1 Axes>')
"""
from __future__ import annotations

import io
import math

import numpy as np

from tfedu import _figures
from tfedu.callbacks import layout
from tfedu.callbacks.layout import STYLE
from tfedu._i18n import text as words

__all__ = ["HistoryRenderer", "is_bounded_metric", "IMAGE_FORMATS", "IMAGE_SUFFIXES"]

#: What :meth:`HistoryRenderer.image` encodes, and the file suffixes that name each format.
IMAGE_FORMATS = ("png", "jpeg")
IMAGE_SUFFIXES = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}

DPI = 100
MARKERS_UP_TO = 40  # draw point markers on series with at most this many points
MAX_FIT_LINES = 10  # mark where each fit started when there are at most this many fits

_BOUNDED_WORDS = ("acc", "auc", "precision", "recall", "f1", "iou")


def is_bounded_metric(name: str) -> bool:
    """Whether a metric is a score between 0 and 1 (accuracy, AUC, precision, ...), by its name.

    >>> is_bounded_metric("val_sparse_categorical_accuracy"), is_bounded_metric("loss")
    (True, False)
    """
    name = name.lower()
    return any(word in name for word in _BOUNDED_WORDS)


def _grow(current, values, *, log: bool, bounded: bool):
    """Axis range covering ``values``: ``current`` if it already does, else a wider one."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if log:
        finite = finite[finite > 0]
    if finite.size == 0:
        return current if current is not None else ((1e-3, 1.0) if log else (0.0, 1.0))
    low, high = float(finite.min()), float(finite.max())
    if current is not None and current[0] <= low and high <= current[1]:
        return current
    if bounded and not log and low >= 0 and high <= 1:
        return (0.0, 1.02)
    headroom = 0.08 if current is None else 0.4  # grow generously: fewer full redraws
    if log:
        low_exp, high_exp = math.log10(low), math.log10(high)
        pad = headroom * max(high_exp - low_exp, 0.5)
        return (10 ** (low_exp - pad), 10 ** (high_exp + pad))
    base = 0.0 if low >= 0 else low
    span = max(high - base, abs(high) * 1e-3, 1e-12)
    pad = headroom * span
    return (base if low >= 0 else low - pad, high + pad)


class HistoryRenderer:
    """Draws a training history on one reused figure; see the module docstring.

    ``metrics`` limits the panels to these names (``"loss"`` also shows
    ``val_loss``); ``log_scale`` is True for every panel or a collection of
    metric names; ``monitor``/``mode`` choose the metric whose best epoch is
    marked (``None``: ``val_loss`` when there is validation, else ``loss``).
    """

    def __init__(self, *, metrics=None, log_scale=False, monitor=None, mode="auto", batches=False):
        self.metrics = tuple(metrics) if metrics is not None else None
        self.log_scale = log_scale
        self.monitor = monitor
        self.mode = mode
        self.batches = batches
        self.figure = None
        self._key = None
        self._panels = []
        self._lr = None
        self._xlim = None
        self._blitter = None
        self._drawn = False  # whether the blitter holds a background for the current layout
        self._guides = []

    # --- what to draw -------------------------------------------------------------------

    def panel_names(self, history):
        names = history.metric_names
        if self.metrics is not None:
            names = [name for name in self.metrics if name in names]
        return names

    def _is_log(self, name):
        if isinstance(self.log_scale, bool):
            return self.log_scale
        return name in self.log_scale

    def _layout_key(self, history):
        panels = []
        for name in self.panel_names(history):
            has_train = name in history.keys
            has_val = f"val_{name}" in history.keys
            has_batches = self.batches and name in history.batches.values
            has_nan = bool(len(history.nonfinite_epochs(name)) or len(history.nonfinite_epochs(f"val_{name}")))
            panels.append((name, has_train, has_val, has_batches, has_nan))
        return tuple(panels), history.learning_rate_changed

    def _xlim_for(self, history):
        first = history.epoch[0] if history.epoch else 0
        last = max(history.epoch[-1] if history.epoch else 0, history.planned_last_epoch or 0)
        low = first if self.batches else first + 1
        high = last + 1
        if high <= low:
            return (low - 0.5, high + 0.5)
        pad = 0.02 * (high - low)
        return (low - pad, high + pad)

    def _limits(self, history):
        """(xlim, per-panel ylims, lr ylim) the next frame needs, growing the current ones."""
        ylims = []
        for panel in self._panels:
            values = [history.series(panel.name)[1], history.series(f"val_{panel.name}")[1]]
            if self.batches and panel.name in history.batches.values:
                values.append(history.batches.values[panel.name])
            ylims.append(_grow(panel.ylim, np.concatenate(values), log=self._is_log(panel.name),
                               bounded=is_bounded_metric(panel.name)))
        lr_ylim = None
        if self._lr is not None:
            lr_ylim = _grow(self._lr["ylim"], history.learning_rate, log=True, bounded=False)
        xlim = self._xlim_for(history)
        current = self._xlim
        if (current is not None and current[0] <= xlim[0] and xlim[1] <= current[1]
                and current[1] - current[0] <= 1.25 * (xlim[1] - xlim[0]) + 1):
            xlim = current  # still fits and not much too wide (it is, after early stopping)
        return xlim, ylims, lr_ylim

    def plan(self, history) -> str:
        """``"full"`` or ``"blit"``: what :meth:`draw` would do now (nothing is drawn)."""
        if self.figure is None or not self._drawn or self._layout_key(history) != self._key:
            return "full"
        xlim, ylims, lr_ylim = self._limits(history)
        if xlim != self._xlim or any(new != p.ylim for new, p in zip(ylims, self._panels)):
            return "full"
        if self._lr is not None and lr_ylim != self._lr["ylim"]:
            return "full"
        return "blit"

    # --- building the figure -------------------------------------------------------------

    def _build(self, key):
        import matplotlib as mpl

        grid = layout.Grid.for_key(key)
        with mpl.rc_context(STYLE):
            if self.figure is None:
                self.figure, _ = _figures.new_figure((grid.width, grid.height), layout="none", empty=True)
                self.figure.set_dpi(DPI)
            else:
                self.figure.clear()  # a new layout: the panels are placed again, by hand, in inches
            self.figure.set_size_inches(grid.width, grid.height)
            self._panels, self._lr = layout.build(self.figure, key, self._is_log)
            self._guides = layout.guides(self._axes(), self._panels[0].ax if self._panels else None)
        self._blitter = _figures.Blitter(self.figure, self._animated(), dpi=DPI)
        self._key = key
        self._xlim = None
        self._drawn = False

    def _axes(self):
        return [panel.ax for panel in self._panels] + ([self._lr["ax"]] if self._lr else [])

    def _animated(self):
        for panel in self._panels:
            yield from panel.data
        if self._lr is not None:
            yield self._lr["line"]
        yield from self._guides

    # --- updating the data -----------------------------------------------------------------

    @staticmethod
    def _vertical(xs):
        """Data for one Line2D drawing a full-height vertical line at each x (axes-fraction y)."""
        points = [(value, y) for x in xs for value, y in ((x, 0.0), (x, 1.0), (np.nan, np.nan))]
        return [p[0] for p in points], [p[1] for p in points]

    def _set_guides(self, history):
        """Dotted lines where a later fit started (up to MAX_FIT_LINES fits), dashed where one stopped."""
        starts = history.fit_starts[1:] if len(history.fit_starts) <= MAX_FIT_LINES else []
        starts = [start if self.batches else start + 0.5 for start in starts]
        stops = [stop + 1 for stop in history.stopped_epochs]
        lines = [artist for artist in self._guides if not hasattr(artist, "get_text")]
        for fit_line, stop_line in zip(lines[::2], lines[1::2]):
            fit_line.set_data(*self._vertical(starts))
            stop_line.set_data(*self._vertical(stops))
        if self._panels:
            text = self._guides[-1]
            text.set_text(words("stopped ") if stops else "")
            text.set_x(stops[-1] if stops else 0)

    def _set_data(self, history):
        best = history.best(self.monitor, self.mode)
        for panel in self._panels:
            lines = panel.lines
            for key, name in (("train", panel.name), ("validation", f"val_{panel.name}")):
                if key in lines:
                    epochs, values = history.series(name)
                    values = np.where(np.isfinite(values), values, np.nan)
                    lines[key].set_data(epochs + 1, values)
                    lines[key].set_markersize(3 if len(epochs) <= MARKERS_UP_TO else 0)
            if "batches" in lines:
                lines["batches"].set_data(history.batches.position, history.batches.values[panel.name])
            if "nan" in lines:
                bad = np.union1d(history.nonfinite_epochs(panel.name),
                                 history.nonfinite_epochs(f"val_{panel.name}"))
                lines["nan"].set_data(bad + 1, np.full(len(bad), 0.98))
                if len(bad):
                    lines["nan_text"].set_x(bad[0] + 1)
                    lines["nan_text"].set_text(words(" NaN from epoch {epoch}", epoch=bad[0] + 1))
            base = None if best is None else best.monitor.removeprefix("val_")
            if best is not None and base == panel.name:
                lines["best"].set_data([best.epoch + 1], [best.value])
                lines["best_text"].xy = (best.epoch + 1, best.value)
                lines["best_text"].set_text(words("best: epoch {epoch}", epoch=best.epoch + 1))
                xlim = self._xlim or self._xlim_for(history)
                share = (best.epoch + 1 - xlim[0]) / max(xlim[1] - xlim[0], 1e-9)
                lines["best_text"].set_ha("right" if share > 0.8 else "left" if share < 0.2 else "center")
            else:
                lines["best"].set_data([], [])
                lines["best_text"].set_text("")
        if self._lr is not None:
            # Each epoch's rate is a flat step: over the epoch's batches in batch mode (e, e + 1],
            # else centred on the epoch's point e + 1, so changes show between two points.
            epochs = np.asarray(history.epoch, dtype=float) + (0.0 if self.batches else 0.5)
            rates = np.asarray(history.learning_rate, dtype=float)
            if len(epochs):
                epochs = np.append(epochs, epochs[-1] + 1)
                rates = np.append(rates, rates[-1])
            self._lr["line"].set_data(epochs, rates)
        self._set_guides(history)

    # --- drawing -----------------------------------------------------------------------------

    def draw(self, history) -> str:
        """Bring the figure up to date with ``history``; returns ``"full"`` or ``"blit"``."""
        import matplotlib as mpl

        with mpl.rc_context(STYLE):
            key = self._layout_key(history)
            if key != self._key or self.figure is None:
                self._build(key)
            xlim, ylims, lr_ylim = self._limits(history)
            full = not self._drawn or xlim != self._xlim
            if xlim != self._xlim:
                self._xlim = xlim
                for ax in self._axes():
                    ax.set_xlim(*xlim)
            for panel, ylim in zip(self._panels, ylims):
                if ylim != panel.ylim:
                    panel.ylim = ylim
                    panel.ax.set_ylim(*ylim)
                    full = True
            if self._lr is not None and lr_ylim != self._lr["ylim"]:
                self._lr["ylim"] = lr_ylim
                self._lr["ax"].set_ylim(*lr_ylim)
                full = True
            self._set_data(history)
            kind = self._blitter.frame(full)  # the data artists are left out of the background
            self._drawn = True
        return kind

    def png(self, *, compress_level: int = 6) -> bytes:
        """The current frame as PNG bytes (call after :meth:`draw`): the canvas as drawn, not redrawn."""
        return _figures.png(self.figure, compress_level=compress_level, redraw=False)

    def image(self, format: str = "png", *, compress_level: int = 6) -> bytes:
        """The current frame encoded as ``format``: one of :data:`IMAGE_FORMATS` (``"png"``, ``"jpeg"``)."""
        if format not in IMAGE_FORMATS:
            raise ValueError(f"format must be one of {', '.join(map(repr, IMAGE_FORMATS))}, got {format!r}.")
        if format == "png":
            return self.png(compress_level=compress_level)
        return _jpeg(self.figure.canvas)

    def text(self) -> str:
        """The figure's plain-text stand-in, e.g. ``<Figure size 720x300 with 2 Axes>``."""
        return repr(self.figure)


def _jpeg(canvas) -> bytes:
    """The canvas as drawn, as JPEG (``_figures.png`` covers PNG only)."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="jpeg", quality=90)
    return out.getvalue()
