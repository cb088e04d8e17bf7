"""See which axis a reduction collapses: ``tf.reduce_sum(x, axis=0)`` and friends, drawn.

Three layers, each usable alone:

* :func:`reduce` (compute) runs the real TensorFlow reduction and returns the
  result with the groups of elements that were combined;
* :func:`draw_reduction` (draw) colours each group in the input matrix and
  shows the result beside it;
* :func:`reduce_explorer` (interact) adds controls for the operation, the axis
  and ``keepdims``, redrawing the same figure.

>>> import numpy as np
>>> r = reduce([[1., 2., 3.], [4., 5., 6.]], "mean", axis=0)
>>> r.result.tolist(), r.result_shape
([2.5, 3.5, 4.5], (3,))
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from tfedu._figures import check_axes, new_figure
from tfedu._text import significant
from tfedu._validate import choice, describe, flag, float32_array
from tfedu._widgets import Explorer

__all__ = ["Reduction", "reduce", "draw_reduction", "reduce_explorer", "OPERATIONS"]

#: The reductions the explorer offers, by their TensorFlow names.
OPERATIONS = ("sum", "mean", "max", "min", "prod")
_AXES = (None, 0, 1)
#: The largest matrix :func:`draw_reduction` draws (one labelled cell per element).
MAX_DRAWN = (20, 20)
_GROUP_COLOURS = ("#ddf4ff", "#fff8c5", "#dafbe1", "#ffebe9", "#fbefff", "#f6f8fa")


# --- compute ---------------------------------------------------------------------------------

@dataclass
class Reduction:
    """The input, the operation, and what came out."""

    x: np.ndarray
    op: str
    axis: int | None
    keepdims: bool
    result: np.ndarray
    groups: np.ndarray  # same shape as x: which output element each input element went into

    @property
    def result_shape(self) -> tuple:
        return tuple(self.result.shape)

    @property
    def call(self) -> str:
        keep = ", keepdims=True" if self.keepdims else ""
        return f"tf.reduce_{self.op}(x, axis={self.axis}{keep})"

    def __str__(self) -> str:
        if self.result.ndim == 0:
            values = significant(self.result)
        else:
            values = np.array2string(np.round(self.result, 3) + 0.0, separator=", ").replace("\n", "")
        return f"{self.call} -> shape {self.result_shape}: {values}"

    __repr__ = __str__


def reduce(x, op: str = "sum", axis: int | None = None, keepdims: bool = False) -> Reduction:
    """Run ``tf.reduce_<op>(x, axis, keepdims)`` on a matrix and record which elements were combined.

    >>> print(reduce([[1., 2., 3.], [4., 5., 6.]], "sum", axis=1, keepdims=True))
    tf.reduce_sum(x, axis=1, keepdims=True) -> shape (2, 1): [[ 6.], [15.]]
    >>> reduce([[1., 2.]], "median")
    Traceback (most recent call last):
    ...
    ValueError: reduction 'median' is not known; did you mean 'mean'? Choose one of: 'sum', 'mean', 'max', 'min', 'prod'.
    """
    import tensorflow as tf

    op = choice(op, "op", OPERATIONS, what="reduction")
    x = _matrix(x)
    axis = _axis(axis)
    keepdims = flag(keepdims, "keepdims")
    function = getattr(tf, f"reduce_{op}")
    result = function(tf.constant(x), axis=axis, keepdims=keepdims).numpy()
    rows, columns = np.indices(x.shape)
    groups = np.zeros(x.shape, dtype=int) if axis is None else (columns if axis == 0 else rows)
    return Reduction(x, op, axis, keepdims, result, groups)


def _matrix(x) -> np.ndarray:
    array = float32_array(x, "x")
    if array.ndim != 2:
        raise ValueError(f"reduce shows matrices (2 axes); got shape {array.shape}. Reshape it first, "
                         "e.g. tf.reshape(x, (rows, columns)).")
    return array


def _axis(axis):
    """None, 0 or 1 (-1 and -2 count from the end, as in TensorFlow)."""
    if axis is None:
        return None
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be None, 0 or 1 for a matrix (or -1, -2), got {describe(axis)}. "
                        "Use an int: axis=0 collapses the rows, axis=1 the columns.")
    if int(axis) not in (0, 1, -1, -2):
        raise ValueError(f"axis must be None, 0 or 1 for a matrix (or -1, -2), got {int(axis)}: a matrix has "
                         "axes 0 (rows) and 1 (columns) only.")
    return int(axis) % 2


def _check_drawable(x, what):
    rows, columns = x.shape
    if rows > MAX_DRAWN[0] or columns > MAX_DRAWN[1]:
        raise ValueError(f"{what} draws every element, and x has shape {x.shape}; at most {MAX_DRAWN} fits. "
                         "Use a slice, e.g. x[:6, :6].")


# --- draw ------------------------------------------------------------------------------------

def _draw_grid(ax, values, origin, colours, label):
    for (row, column), value in np.ndenumerate(values):
        x, y = origin[0] + column, origin[1] - row
        ax.add_patch(_rectangle(x, y, colours[row, column] if colours is not None else "#ffffff"))
        ax.text(x + 0.5, y + 0.5, significant(value), ha="center", va="center", fontsize=10)
    ax.text(origin[0], origin[1] + 1.25, label, ha="left", va="bottom", fontsize=9)


def _rectangle(x, y, colour):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 1, 1, facecolor=colour, edgecolor="#57606a", lw=0.8)


def draw_reduction(reduction: Reduction, ax=None):
    """Draw the input matrix with each reduced group in its own colour, and the result beside it.

    Returns the figure. With ``ax`` it draws there (clearing it first).

    >>> fig = draw_reduction(reduce([[1., 2.], [3., 4.]], "sum", axis=0))
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_text()][-3:]
    ['4', '6', 'result (2,)']
    """
    if not isinstance(reduction, Reduction):
        raise TypeError(f"draw_reduction draws the result of reduce(x, op, axis), got {describe(reduction)}. "
                        "Call draw_reduction(reduce(x, 'sum', axis=0)).")
    _check_drawable(reduction.x, "draw_reduction")
    check_axes(ax)
    if ax is None:
        # Not figure_for: the Figure itself is returned and shows itself as a cell's value; a pyplot
        # figure would be shown a second time when the cell ends.
        figure, ax = new_figure((6.4, 2.6))
    figure = ax.figure
    ax.clear()
    x = reduction.x
    colours = np.array(_GROUP_COLOURS, dtype=object)[reduction.groups % len(_GROUP_COLOURS)]
    rows, columns = x.shape
    _draw_grid(ax, x, (0, rows - 1), colours, f"x {x.shape}")

    result = np.asarray(reduction.result)
    start = columns + 1.5
    if reduction.axis is None:
        grid = result.reshape(1, 1)
        group_colours = np.array([[_GROUP_COLOURS[0]]], dtype=object)
    elif reduction.axis == 0:
        grid = result.reshape(1, -1)
        group_colours = np.array([_GROUP_COLOURS[k % len(_GROUP_COLOURS)] for k in range(columns)],
                                 dtype=object).reshape(1, -1)
    else:
        grid = result.reshape(-1, 1)
        group_colours = np.array([_GROUP_COLOURS[k % len(_GROUP_COLOURS)] for k in range(rows)],
                                 dtype=object).reshape(-1, 1)
    top = rows - 1 if reduction.axis == 1 else rows / 2 - 0.5
    _draw_grid(ax, grid, (start, top), group_colours, f"result {reduction.result_shape}")
    result_middle = top + 1 - grid.shape[0] / 2
    ax.annotate("", xy=(start - 0.15, result_middle), xytext=(columns + 0.15, rows / 2),
                arrowprops=dict(arrowstyle="-|>", color="#57606a"))
    what = {None: "every element", 0: "down each column (axis 0 collapses)",
            1: "along each row (axis 1 collapses)"}[reduction.axis]
    ax.set_title(f"{reduction.call}: combine {what}", fontsize=10)
    ax.set_xlim(-0.3, start + grid.shape[1] + 0.3)
    ax.set_ylim(-0.3, rows + 1.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return figure


# --- interact --------------------------------------------------------------------------------

class ReduceExplorer(Explorer):
    """``tf.reduce_*`` on a matrix under controls for the operation, the axis and ``keepdims`` (see
    :func:`reduce_explorer`).

    Each update redraws the one axes with :func:`draw_reduction` (the number of
    result cells changes with the axis), in the same figure.
    """

    def __init__(self, x, op, axis, keepdims):
        super().__init__()
        self.x = _matrix([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]] if x is None else x)
        checked = reduce(self.x, op, axis, keepdims)  # validate before building widgets
        op, axis, keepdims = checked.op, checked.axis, checked.keepdims  # axis=-1 is the button "1"
        _check_drawable(self.x, "reduce_explorer")
        self.figure, self.ax = new_figure((6.4, 2.6))
        self.op = widgets.ToggleButtons(options=list(OPERATIONS), value=op, description="op",
                                        style={"button_width": "52px"})
        self.axis = widgets.ToggleButtons(options=[("None", None), ("0", 0), ("1", 1)], value=axis,
                                          description="axis", style={"button_width": "52px"})
        self.keepdims = widgets.Checkbox(value=keepdims, description="keepdims", indent=False)
        self._start([self.op, self.axis, self.keepdims])

    def update(self):
        self.reduction = reduce(self.x, self.op.value, self.axis.value, self.keepdims.value)
        draw_reduction(self.reduction, ax=self.ax)

    def describe(self) -> str:
        return f"reduce_explorer: {self.reduction}"


def reduce_explorer(x=None, op: str = "sum", axis: int | None = 0, keepdims: bool = False) -> ReduceExplorer:
    """A widget to try ``tf.reduce_*`` on a matrix: pick the operation, the axis and ``keepdims``.

    The cells that are combined share a colour; the result appears beside the
    input with its shape. Works as a static picture too (``draw_reduction``).

    >>> explorer = reduce_explorer([[1., 2., 3.], [4., 5., 6.]], axis=1)
    >>> print(explorer)
    reduce_explorer: tf.reduce_sum(x, axis=1) -> shape (2,): [ 6., 15.]
    >>> explorer.op.value = "max"; print(explorer)
    reduce_explorer: tf.reduce_max(x, axis=1) -> shape (2,): [3., 6.]
    """
    return ReduceExplorer(x, op, axis, keepdims)
