"""Figures: creating them (without piling up pyplot figures), encoding them as PNG, blitting.

Every plot and widget in tfedu gets its figure here:

* :func:`figure_for` is the ``ax=None`` convention of every ``draw_*`` and
  ``plot_*`` function: draw into the caller's axes, or make a new figure. A new
  figure is registered with pyplot only where pyplot will show it and let it go
  (Jupyter's inline backend closes a cell's figures when the cell ends; a GUI
  backend shows them on ``plt.show()``). Under a non-interactive backend (a
  script, the test suite: Agg, PDF, SVG) it is a plain ``Figure`` that is freed
  with the object holding it, so a loop of 100 plots does not keep 100 figures.
* :func:`new_figure`: a figure outside pyplot, for widgets that show it as an image.
* :func:`png`: the one PNG encoder (a figure, or the canvas as last drawn).
* :class:`Blitter`: draw a static background once and only the changing artists
  over it, for widgets and ``LivePlot``.

>>> figure, ax = figure_for(None, figsize=(3, 2))
>>> import matplotlib.pyplot as plt
>>> plt.get_fignums()  # Agg in tests: nothing left open in pyplot
[]
>>> png(figure)[:4]
b'\\x89PNG'
"""
from __future__ import annotations

import io

__all__ = ["figure_for", "new_figure", "png", "Blitter", "pyplot_shows_figures"]

_NON_INTERACTIVE = {"agg", "pdf", "pgf", "ps", "svg", "cairo", "template"}


def pyplot_shows_figures() -> bool:
    """True when pyplot's figures get shown (inline in Jupyter, or a GUI window); False under Agg and friends."""
    import matplotlib

    backend = matplotlib.get_backend().lower()
    return backend not in _NON_INTERACTIVE


def new_figure(figsize=(6.4, 4.0), *, layout="constrained", **subplots):
    """A figure outside pyplot (never auto-displayed, never leaked) and its axes.

    >>> figure, ax = new_figure((3, 2))
    >>> type(figure).__name__, figure.get_size_inches().tolist()
    ('Figure', [3.0, 2.0])
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, layout=layout)
    axes = figure.subplots(**subplots) if subplots else figure.subplots()
    return figure, axes


def figure_for(ax, *, figsize=(6.4, 4.0), count: int = 1, layout="constrained", example: str = "plt.subplots()",
               **subplots):
    """``(figure, axes)`` to draw in: the caller's ``ax`` (checked), or a new figure.

    ``count`` is how many axes the drawing needs; with ``count > 1`` a given
    ``ax`` must be a sequence of that many axes and a new figure gets
    ``subplots`` (e.g. ``ncols=2``). Returns one ``Axes`` when ``count == 1``,
    else a list.
    """
    from matplotlib.axes import Axes

    if ax is None:
        if pyplot_shows_figures():
            import matplotlib.pyplot as plt

            figure = plt.figure(figsize=figsize, layout=layout)
            axes = figure.subplots(**subplots) if subplots else figure.subplots()
        else:
            figure, axes = new_figure(figsize, layout=layout, **subplots)
        if count == 1:
            return figure, axes
        return figure, list(getattr(axes, "flat", axes))
    if count == 1:
        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes (e.g. from fig, ax = {example}) or None for a new figure, "
                            f"got {type(ax).__name__}.")
        return ax.figure, ax
    flat = list(getattr(ax, "flat", ax)) if not isinstance(ax, Axes) else [ax]
    if len(flat) != count or not all(isinstance(a, Axes) for a in flat):
        raise TypeError(f"ax must be {count} matplotlib Axes (e.g. from fig, axes = {example}) or None for a new "
                        f"figure, got {type(ax).__name__}.")
    return flat[0].figure, flat


def _agg_canvas(figure, dpi=None):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    if dpi is not None and figure.dpi != dpi:
        figure.set_dpi(dpi)
    return figure.canvas


def png(figure, *, dpi=None, compress_level: int = 6, redraw: bool = True) -> bytes:
    """The figure as PNG bytes. ``redraw=False`` encodes the canvas as last drawn (after a blit)."""
    canvas = _agg_canvas(figure, dpi)
    out = io.BytesIO()
    if redraw:
        canvas.print_png(out, pil_kwargs={"compress_level": compress_level})
        return out.getvalue()
    from PIL import Image

    Image.fromarray(canvas.buffer_rgba()).save(out, format="png", compress_level=compress_level)
    return out.getvalue()


class Blitter:
    """Draw the static part of a figure once, then only the changing ``artists`` over it.

    ``frame(full)``: with ``full=True`` (or on the first call) the figure is drawn
    with the artists hidden and kept as the background, then the artists are
    drawn; otherwise the background is restored and only the artists drawn.
    Call with ``full=True`` whenever anything but the artists changed (limits,
    labels, legends). The result is on the Agg canvas: encode it with
    ``png(figure, redraw=False)``.
    """

    def __init__(self, figure, artists, *, dpi=None):
        self.figure = figure
        self.artists = list(artists)
        self.dpi = dpi
        self._background = None

    def frame(self, full: bool = False) -> str:
        """Bring the canvas up to date; returns ``"full"`` or ``"blit"`` (what was done)."""
        canvas = _agg_canvas(self.figure, self.dpi)
        full = full or self._background is None
        if full:
            shown = [artist.get_visible() for artist in self.artists]
            for artist in self.artists:
                artist.set_visible(False)
            try:
                canvas.draw()
            finally:
                for artist, visible in zip(self.artists, shown):
                    artist.set_visible(visible)
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for artist in self.artists:
            if artist.get_visible():
                artist.draw(renderer)
        return "full" if full else "blit"
