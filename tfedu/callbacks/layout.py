"""The live training figure's layout: panels placed in inches, their artists, legend and guide lines.

Private helper of :class:`~tfedu.callbacks.renderer.HistoryRenderer`. A layout
key says which panels there are (one per metric, with the series each shows)
and whether the learning rate gets a panel; :func:`build` lays them out on the
renderer's figure at fixed positions (no layout engine to run at every frame)
and returns the :class:`Panel` objects whose data artists the renderer updates.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from tfedu._i18n import text

TRAIN_COLOR = "C0"
VALIDATION_COLOR = "C1"
MARK_COLOR = "C3"
GUIDE_COLOR = "0.45"

# Layout, in inches.
PANEL_WIDTH, PANEL_HEIGHT, LR_HEIGHT = 3.2, 2.25, 0.9
SINGLE_PANEL_WIDTH = 4.2  # room for the title and the legend on one line
LEFT, RIGHT, TOP, BOTTOM = 0.62, 0.18, 0.32, 0.43
COLUMN_GAP, ROW_GAP = 0.66, 0.58
MAX_COLUMNS = 3
TITLE_PAD = 4.0  # points between an axes and its title

STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
}


class Panel:
    """The axes of one metric and its data artists (``lines``, by role: ``train``, ``validation``, ...)."""

    def __init__(self, ax, name, title):
        self.ax = ax
        self.name = name
        self.title = title
        self.ylim = None
        self.data = []          # the artists redrawn on every frame
        self.lines = {}


@dataclass(frozen=True)
class Grid:
    """Where the panels go: ``columns`` x ``rows`` panels of ``panel_width`` inches in a ``width`` x ``height``
    figure."""

    columns: int
    rows: int
    panel_width: float
    width: float
    height: float

    @classmethod
    def for_key(cls, key) -> "Grid":
        panels, show_lr = key
        count = max(len(panels), 1)
        columns = min(count, MAX_COLUMNS)
        rows = math.ceil(count / columns)
        panel_width = PANEL_WIDTH if columns > 1 else SINGLE_PANEL_WIDTH
        width = LEFT + columns * panel_width + (columns - 1) * COLUMN_GAP + RIGHT
        height = TOP + rows * PANEL_HEIGHT + (rows - 1) * ROW_GAP + BOTTOM
        if show_lr:
            height += ROW_GAP + LR_HEIGHT
        return cls(columns, rows, panel_width, width, height)


def plain_log_formatter():
    """Log-axis labels as plain numbers (0.3, 2, 1e-05): matplotlib's choice of ticks, no mathtext."""
    from matplotlib.ticker import LogFormatter

    class PlainLogFormatter(LogFormatter):
        def _num_to_string(self, x, vmin, vmax):
            return f"{x:g}"

    return PlainLogFormatter()


def build(figure, key, is_log):
    """Lay out ``key`` on the (cleared) ``figure``: returns the panels and the learning-rate panel (or None)."""
    panels, show_lr = key
    grid = Grid.for_key(key)
    built = [_add_panel(figure, index, spec, grid, is_log(spec[0]), last_row=not show_lr)
             for index, spec in enumerate(panels)]
    add_legend(panels, built[grid.columns - 1].ax if built else None)
    learning_rate = _add_learning_rate_panel(figure, grid) if show_lr else None
    return built, learning_rate


def _add_panel(figure, index, spec, grid, log, *, last_row):
    from matplotlib.ticker import MaxNLocator

    name, has_train, has_val, has_batches, has_nan = spec
    row, column = divmod(index, grid.columns)
    left = LEFT + column * (grid.panel_width + COLUMN_GAP)
    top = TOP + row * (PANEL_HEIGHT + ROW_GAP)
    ax = figure.add_axes([left / grid.width, 1 - (top + PANEL_HEIGHT) / grid.height,
                          grid.panel_width / grid.width, PANEL_HEIGHT / grid.height])
    title = name + (text(" (log scale)") if log else "")
    panel = Panel(ax, name, title)
    ax.set_title(title, loc="left", y=1.0, pad=TITLE_PAD)  # fixed y: no layout search
    ax.set_autoscale_on(False)
    if log:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(plain_log_formatter())  # cheaper than mathtext
        ax.yaxis.set_minor_formatter(plain_log_formatter())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if last_row and row == grid.rows - 1:
        ax.set_xlabel(text("epoch"))
    _add_data_artists(panel, has_train, has_val, has_batches, has_nan)
    return panel


def _add_data_artists(panel, has_train, has_val, has_batches, has_nan):
    from matplotlib.lines import Line2D

    ax, lines = panel.ax, panel.lines
    if has_batches:
        lines["batches"] = Line2D([], [], color=TRAIN_COLOR, linewidth=0.9, alpha=0.45)
    if has_train:
        lines["train"] = Line2D([], [], color=TRAIN_COLOR, marker="o", markersize=0)
    if has_val:
        lines["validation"] = Line2D([], [], color=VALIDATION_COLOR, linestyle="--", marker="o", markersize=0)
    if has_nan:
        lines["nan"] = Line2D([], [], color=MARK_COLOR, linestyle="none", marker="x", markersize=6,
                              transform=ax.get_xaxis_transform())
        lines["nan_text"] = ax.text(0, 0.92, "", color=MARK_COLOR, fontsize=8, transform=ax.get_xaxis_transform(),
                                    ha="left")
    lines["best"] = Line2D([], [], color=MARK_COLOR, linestyle="none", marker="*", markersize=11,
                           markeredgecolor="white", markeredgewidth=0.6)
    lines["best_text"] = ax.annotate("", (0, 0), xytext=(0, 9), textcoords="offset points", fontsize=8,
                                     color=MARK_COLOR, ha="center",
                                     bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    for artist in lines.values():
        if isinstance(artist, Line2D):
            ax.add_line(artist)
    panel.data = list(lines.values())


def _add_learning_rate_panel(figure, grid):
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator, NullFormatter

    ax = figure.add_axes([LEFT / grid.width, BOTTOM / grid.height,
                          (grid.width - LEFT - RIGHT) / grid.width, LR_HEIGHT / grid.height])
    ax.set_title(text("learning rate"), loc="left", y=1.0, pad=TITLE_PAD)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(plain_log_formatter())
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_autoscale_on(False)
    ax.set_xlabel(text("epoch"))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    line = Line2D([], [], color="C2", drawstyle="steps-post")
    ax.add_line(line)
    return {"ax": ax, "line": line, "ylim": None}


def add_legend(panels, ax):
    """One legend for all panels, right-aligned on the title line of the first row's last panel."""
    from matplotlib.lines import Line2D

    handles = []
    if any(panel[3] for panel in panels):
        handles.append(Line2D([], [], color=TRAIN_COLOR, linewidth=0.9, alpha=0.45, label=text("per batch")))
    if any(panel[1] for panel in panels):
        handles.append(Line2D([], [], color=TRAIN_COLOR, label=text("train")))
    if any(panel[2] for panel in panels):
        handles.append(Line2D([], [], color=VALIDATION_COLOR, linestyle="--", label=text("validation")))
    if ax is not None and handles:
        ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=len(handles),
                  borderaxespad=0.1, handlelength=1.6, handletextpad=0.5, columnspacing=1.0)


def guides(axes, first_ax):
    """Vertical lines (one artist per kind and axes) for fit starts and early stops, and the "stopped" label."""
    from matplotlib.lines import Line2D

    found = []
    for ax in axes:
        for linestyle, width in ((":", 1.0), ("--", 1.2)):
            line = Line2D([], [], color=GUIDE_COLOR, linestyle=linestyle, linewidth=width,
                          transform=ax.get_xaxis_transform())
            ax.add_line(line)
            found.append(line)
    if first_ax is not None:
        found.append(first_ax.text(0, 0.98, "", color=GUIDE_COLOR, fontsize=8, va="top", ha="right",
                                   transform=first_ax.get_xaxis_transform()))
    return found
