"""Drawing a computation graph, micrograd style: one box per node, its value and its gradient.

The *draw* layer of :mod:`tfedu.tape`: :func:`draw_graph` draws a
:class:`~tfedu.tape.compute.ComputationGraph` (from
:func:`~tfedu.tape.compute.trace_graph`) into an ``ax`` or a new figure and
returns a :class:`GraphDrawing`; :func:`plot_graph` traces and draws in one call.

>>> import tensorflow as tf
>>> from tfedu.tape.compute import trace_graph
>>> graph = trace_graph(lambda x: tf.sin(x) * x, tf.constant(1.0))
>>> drawing = draw_graph(graph)
>>> drawing.graph is graph, len(drawing.figure.axes)
(True, 1)
"""
from __future__ import annotations

import html
from dataclasses import dataclass

from tfedu import _figures
from tfedu._text import table
from tfedu.tape.compute import DEFAULT_MAX_NODES, ComputationGraph, expression, format_value, trace_graph

__all__ = ["GraphDrawing", "draw_graph", "plot_graph"]

_COLOURS = {"input": "#ddf4ff", "variable": "#dafbe1", "constant": "#f6f8fa", "op": "#ffffff"}
_GRADIENT_COLOUR = "#cf222e"
_HEADER = ("node", "value", "gradient d(out)/d(node)")


@dataclass
class GraphDrawing:
    """What :func:`draw_graph` drew: the traced ``graph`` and the matplotlib ``figure``.

    Its text and HTML forms are the evaluation trace as a table, so a notebook
    shows the picture and the numbers.
    """

    graph: ComputationGraph
    figure: object

    def rows(self):
        return [(expression(n), format_value(n.value), format_value(n.adjoint)) for n in self.graph.nodes]

    def __str__(self) -> str:
        return table(_HEADER, self.rows())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td><code>{html.escape(e)}</code></td><td>{html.escape(v)}</td>"
            f"<td style='color:{_GRADIENT_COLOUR}'>{html.escape(g)}</td></tr>"
            for e, v, g in self.rows()
        )
        head = "".join(f"<th>{html.escape(h)}</th>" for h in _HEADER)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def draw_graph(graph, *inputs, ax=None, max_nodes: int = DEFAULT_MAX_NODES) -> GraphDrawing:
    """Draw a computation graph with the values and gradients of its nodes.

    Each box is one node of the evaluation trace (``v2 = v0 × v1``) with its
    forward value (black) and, after the backward pass, the gradient of the
    output with respect to it (red): the picture of reverse-mode autodiff.
    ``graph`` is a :class:`~tfedu.tape.compute.ComputationGraph` from
    :func:`~tfedu.tape.compute.trace_graph`; as a convenience it may also be
    a function followed by its inputs, ``draw_graph(f, x, y)``, which traces
    it first (like :func:`plot_graph`; ``max_nodes`` bounds that trace).
    Returns a :class:`GraphDrawing` (``.figure``, ``.graph``) that prints as a
    table of the same numbers. Pass ``ax`` to draw into your own axes.

    >>> import tensorflow as tf
    >>> drawing = draw_graph(lambda x, y: x * y + tf.sin(x), tf.constant(2.0), tf.constant(3.0))
    >>> print(drawing)
    node          value   gradient d(out)/d(node)
    v0 = x        2       2.584
    v1 = y        3       2
    v2 = v0 × v1  6       1
    v3 = sin(v0)  0.9093  1
    v4 = v2 + v3  6.909   1
    """
    if not isinstance(graph, ComputationGraph):
        graph = trace_graph(graph, *inputs, max_nodes=max_nodes)
    elif inputs:
        raise TypeError("draw_graph(graph) takes no inputs: the graph already holds its values. Pass the "
                        "function instead, draw_graph(f, *inputs), or trace it first with trace_graph(f, *inputs).")
    columns = _columns(graph)
    tallest = max(len(c) for c in columns)
    figure, ax = _figures.figure_for(ax, figsize=(max(2.2 * len(columns), 4.0), max(1.25 * tallest, 2.2)))
    position = {}
    for x, column in enumerate(columns):
        for k, index in enumerate(column):
            position[index] = (x, (len(column) - 1) / 2 - k)
    titles = _draw_nodes(ax, graph, position)
    _draw_edges(ax, graph, position, titles)
    ax.set_xlim(-0.6, len(columns) - 0.4)
    ax.set_ylim(-(tallest - 1) / 2 - 0.6, (tallest - 1) / 2 + 0.6)
    ax.axis("off")
    ax.set_title("forward values (black) and gradients of the output (red)", fontsize=9)
    return GraphDrawing(graph=graph, figure=figure)


def plot_graph(f, *inputs, ax=None, max_nodes: int = DEFAULT_MAX_NODES) -> GraphDrawing:
    """Trace ``f(*inputs)`` and draw its graph: ``draw_graph(trace_graph(f, *inputs), ax=ax)``.

    >>> import tensorflow as tf
    >>> drawing = plot_graph(lambda x: x ** 2, tf.constant(3.0))
    >>> [row[0] for row in drawing.rows()]
    ['v0 = x', 'v1 = 2', 'v2 = pow(v0, v1)']
    """
    return draw_graph(trace_graph(f, *inputs, max_nodes=max_nodes), ax=ax)


def _columns(graph: ComputationGraph):
    """The node indices by column, left to right: inputs first, each op right of its inputs."""
    depth = {}
    for node in graph.nodes:
        if node.kind == "op":
            parents = [depth[i] for i in node.inputs if graph.nodes[i].kind != "constant"]
            depth[node.index] = 1 + max(parents, default=0)
        else:
            depth[node.index] = 0
    for node in graph.nodes:  # a constant sits just left of its first consumer
        if node.kind == "constant":
            consumers = [depth[n.index] for n in graph.nodes if node.index in n.inputs]
            depth[node.index] = max(min(consumers, default=1) - 1, 0)
    columns = {}
    for node in graph.nodes:
        columns.setdefault(depth[node.index], []).append(node.index)
    return [columns[d] for d in sorted(columns)]


def _draw_nodes(ax, graph, position):
    """A titled box per node with its value and gradient; returns the title texts (arrows attach to them)."""
    titles = {}
    for node in graph.nodes:
        x, y = position[node.index]
        titles[node.index] = ax.text(
            x, y + 0.17, f"v{node.index}: {node.label}", ha="center", va="center", fontsize=9,
            fontweight="bold", zorder=3,
            bbox=dict(boxstyle="round,pad=0.5", fc=_COLOURS[node.kind], ec="#57606a", lw=0.8))
        ax.text(x, y - 0.08, format_value(node.value), ha="center", va="center", fontsize=8.5)
        ax.text(x, y - 0.3, "grad " + format_value(node.adjoint), ha="center", va="center", fontsize=8.5,
                color=_GRADIENT_COLOUR)
    return titles


def _draw_edges(ax, graph, position, titles):
    for node in graph.nodes:
        for parent in node.inputs:
            span = position[node.index][0] - position[parent][0]
            bend = 0.0 if span <= 1 else -0.25
            ax.annotate("", xy=(0, 0.5), xycoords=titles[node.index], xytext=(1, 0.5),
                        textcoords=titles[parent], zorder=2,
                        arrowprops=dict(arrowstyle="-|>", color="#8c959f", lw=1.2, shrinkA=6, shrinkB=6,
                                        connectionstyle=f"arc3,rad={bend}"))
