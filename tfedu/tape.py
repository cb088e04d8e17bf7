"""Make automatic differentiation visible: the graph a tape differentiates, forward vs reverse
mode step by step, and a catalogue of ``GradientTape`` demos.

* :func:`trace_graph` runs ``f`` once as a TensorFlow graph and returns every
  operation with its forward value, its adjoint ``d(output)/d(node)`` (reverse
  mode) and its tangents ``d(node)/d(input)`` (forward mode).
* :func:`draw_graph` draws that graph with matplotlib, micrograd style.
* :func:`forward_vs_reverse` tabulates both modes and counts their passes.
* :func:`demo` / :data:`DEMOS` run the classic ``GradientTape`` surprises.
* :func:`explain_none_gradient` says why a gradient came back ``None``.

>>> import tensorflow as tf
>>> from tfedu import tape
>>> graph = tape.trace_graph(lambda x, y: x * y + tf.sin(x), tf.constant(2.0), tf.constant(3.0))
>>> [(node.label, round(node.value.item(), 4), round(node.adjoint.item(), 4)) for node in graph.nodes]
[('x', 2.0, 2.5839), ('y', 3.0, 2.0), ('×', 6.0, 1.0), ('sin', 0.9093, 1.0), ('+', 6.9093, 1.0)]
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from tfedu import _diagnosis, _validate
from tfedu._validate import describe
from tfedu._autodiff_graph import (DEFAULT_MAX_NODES, ComputationGraph, GraphNode, _argument_names,
                                   _check_inputs, _fmt, trace_graph)
from tfedu._tape_demos import DEMOS, DemoResult, demo

__all__ = [
    "trace_graph",
    "draw_graph",
    "forward_vs_reverse",
    "ComputationGraph",
    "GraphNode",
    "GraphDrawing",
    "ModeComparison",
    "demo",
    "DEMOS",
    "DemoResult",
    "explain_none_gradient",
]

# --- naming and drawing -------------------------------------------------------------------

_INFIX = {"+", "−", "×", "÷"}


def _expression(node: GraphNode) -> str:
    """The node as one step of an evaluation trace: ``v2 = v0 × v1``."""
    if node.kind in ("input", "variable", "constant"):
        return f"v{node.index} = {node.label}"
    args = [f"v{i}" for i in node.inputs]
    if node.label in _INFIX and len(args) == 2:
        return f"v{node.index} = {args[0]} {node.label} {args[1]}"
    return f"v{node.index} = {node.label}({', '.join(args)})"


def _columns(graph: ComputationGraph):
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


_COLOURS = {"input": "#ddf4ff", "variable": "#dafbe1", "constant": "#f6f8fa", "op": "#ffffff"}
_GRADIENT_COLOUR = "#cf222e"


@dataclass
class GraphDrawing:
    """What :func:`draw_graph` drew: the traced ``graph`` and the matplotlib ``figure``.

    Its text and HTML forms are the evaluation trace as a table, so a notebook
    shows the picture and the numbers.
    """

    graph: ComputationGraph
    figure: object

    def rows(self):
        return [(_expression(n), _fmt(n.value), _fmt(n.adjoint)) for n in self.graph.nodes]

    def __str__(self) -> str:
        rows = [("node", "value", "gradient d(out)/d(node)"), *self.rows()]
        widths = [max(len(r[k]) for r in rows) for k in range(3)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td><code>{html.escape(e)}</code></td><td>{html.escape(v)}</td>"
            f"<td style='color:{_GRADIENT_COLOUR}'>{html.escape(g)}</td></tr>"
            for e, v, g in self.rows()
        )
        return ("<table><thead><tr><th>node</th><th>value</th><th>gradient d(out)/d(node)</th></tr></thead>"
                f"<tbody>{body}</tbody></table>")


def draw_graph(f, *inputs, ax=None, max_nodes: int = DEFAULT_MAX_NODES) -> GraphDrawing:
    """Run ``f(*inputs)`` and draw its computation graph with values and gradients.

    Each box is one node of the evaluation trace (``v2 = v0 × v1``) with its
    forward value (black) and, after the backward pass, the gradient of the
    output with respect to it (red): the picture of reverse-mode autodiff.
    Returns a :class:`GraphDrawing` (``.figure``, ``.graph``) that prints as a
    table of the same numbers. Pass ``ax`` to draw into your own axes.

    >>> drawing = draw_graph(lambda x, y: x * y + tf.sin(x), tf.constant(2.0), tf.constant(3.0))
    >>> print(drawing)
    node             value  gradient d(out)/d(node)
    v0 = x           2      2.584
    v1 = y           3      2
    v2 = v0 × v1     6      1
    v3 = sin(v0)     0.9093 1
    v4 = v2 + v3     6.909  1
    >>> import matplotlib.pyplot as plt; plt.close(drawing.figure)
    """
    if ax is not None and not (hasattr(ax, "figure") and hasattr(ax, "annotate")):
        raise TypeError(f"ax must be a matplotlib Axes (e.g. from fig, ax = plt.subplots()) or None for a new "
                        f"figure, got {describe(ax)}.")
    graph = trace_graph(f, *inputs, max_nodes=max_nodes)
    columns = _columns(graph)
    if ax is None:
        import matplotlib.pyplot as plt

        tallest = max(len(c) for c in columns)
        figure, ax = plt.subplots(figsize=(max(2.2 * len(columns), 4.0), max(1.25 * tallest, 2.2)))
    else:
        figure = ax.figure
    position = {}
    for x, column in enumerate(columns):
        for k, index in enumerate(column):
            position[index] = (x, (len(column) - 1) / 2 - k)
    titles = {}
    for node in graph.nodes:
        x, y = position[node.index]
        titles[node.index] = ax.text(
            x, y + 0.17, f"v{node.index}: {node.label}", ha="center", va="center", fontsize=9,
            fontweight="bold", zorder=3,
            bbox=dict(boxstyle="round,pad=0.5", fc=_COLOURS[node.kind], ec="#57606a", lw=0.8))
        ax.text(x, y - 0.08, _fmt(node.value), ha="center", va="center", fontsize=8.5)
        ax.text(x, y - 0.3, "grad " + _fmt(node.adjoint), ha="center", va="center", fontsize=8.5,
                color=_GRADIENT_COLOUR)
    for node in graph.nodes:
        for parent in node.inputs:
            span = position[node.index][0] - position[parent][0]
            bend = 0.0 if span <= 1 else -0.25
            ax.annotate("", xy=(0, 0.5), xycoords=titles[node.index], xytext=(1, 0.5),
                        textcoords=titles[parent], zorder=2,
                        arrowprops=dict(arrowstyle="-|>", color="#8c959f", lw=1.2, shrinkA=6, shrinkB=6,
                                        connectionstyle=f"arc3,rad={bend}"))
    tallest = max(len(c) for c in columns)
    ax.set_xlim(-0.6, len(columns) - 0.4)
    ax.set_ylim(-(tallest - 1) / 2 - 0.6, (tallest - 1) / 2 + 0.6)
    ax.axis("off")
    ax.set_title("forward values (black) and gradients of the output (red)", fontsize=9)
    return GraphDrawing(graph=graph, figure=figure)


# --- forward vs reverse mode ----------------------------------------------------------------

@dataclass
class ModeComparison:
    """Forward- and reverse-mode derivatives of one expression, step by step."""

    graph: ComputationGraph
    input_labels: list  # one per input element: "x", "y" or "x[0]", "x[1]"
    n_inputs: int
    n_outputs: int
    gradient: list  # d(out)/d(input element), from the reverse pass
    matches_tape: bool
    matches_accumulator: bool

    @property
    def forward_passes(self) -> int:
        return self.n_inputs

    @property
    def reverse_passes(self) -> int:
        return self.n_outputs

    def forward_rows(self):
        return [(_expression(n), _fmt(n.value), *(_fmt(t) for t in n.tangents)) for n in self.graph.nodes]

    def reverse_rows(self):
        return [(_expression(n), _fmt(n.adjoint)) for n in reversed(self.graph.nodes)]

    def summary(self) -> str:
        grads = ", ".join(f"d/d{label} = {_fmt(g)}" for label, g in zip(self.input_labels, self.gradient))
        both = "both agree" if self.matches_tape and self.matches_accumulator else "they DISAGREE"
        return (
            f"f maps {self.n_inputs} input number(s) to {self.n_outputs} output number(s). "
            f"Forward mode needed {self.forward_passes} pass(es), one per input; reverse mode needs "
            f"{self.reverse_passes}, one per output. Result: {grads}. "
            f"GradientTape and ForwardAccumulator on the original function: {both}."
        )

    @staticmethod
    def _table(header, rows):
        rows = [header, *rows]
        widths = [max(len(r[k]) for r in rows) for k in range(len(header))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)

    def __str__(self) -> str:
        forward_header = ("node", "value", *(f"d/d{label}" for label in self.input_labels))
        return "\n".join([
            f"Forward mode: tangents flow input -> output ({self.forward_passes} pass(es), one column each)",
            self._table(forward_header, self.forward_rows()),
            "",
            f"Reverse mode: adjoints flow output -> input ({self.reverse_passes} pass(es))",
            self._table(("node", "d(out)/d(node)"), self.reverse_rows()),
            "",
            self.summary(),
        ])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        def table(header, rows):
            head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
            body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
            return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

        forward_header = ("node", "value", *(f"d/d{label}" for label in self.input_labels))
        return (
            "<div style='display:flex;gap:24px;align-items:flex-start'>"
            f"<div><b>Forward mode</b>: input → output, {self.forward_passes} pass(es)"
            f"{table(forward_header, self.forward_rows())}</div>"
            f"<div><b>Reverse mode</b>: output → input, {self.reverse_passes} pass(es)"
            f"{table(('node', 'd(out)/d(node)'), self.reverse_rows())}</div></div>"
            f"<p>{html.escape(self.summary())}</p>"
        )


def forward_vs_reverse(f, *inputs) -> ModeComparison:
    """Differentiate ``f`` at ``inputs`` both ways and show every intermediate step.

    Forward mode (``tf.autodiff.ForwardAccumulator``) pushes a tangent from one
    input element through every node: one pass per input element. Reverse mode
    (``GradientTape``) pulls the adjoint ``d(out)/d(node)`` from the output back
    to every node: one pass per output element. For ``f: R^n -> R`` that is n
    passes against 1, which is why training (millions of weights, one loss) uses
    reverse mode. The results are checked against ``GradientTape`` and
    ``ForwardAccumulator`` run on ``f`` itself.

    >>> comparison = forward_vs_reverse(lambda x, y: x * y + tf.sin(x), tf.constant(2.0), tf.constant(3.0))
    >>> comparison.forward_passes, comparison.reverse_passes, [round(g, 4) for g in comparison.gradient]
    (2, 1, [2.5839, 2.0])
    >>> comparison.matches_tape and comparison.matches_accumulator
    True
    """
    graph = trace_graph(f, *inputs, forward=True)
    tensors = _check_inputs(f, inputs)
    labels = []
    for name, x in zip(graph.input_names, tensors):
        size = int(np.prod(x.shape))
        labels += [name] if x.shape.rank == 0 else [f"{name}[{k}]" for k in range(size)]
    input_nodes = [n for n in graph.nodes if n.kind in ("input", "variable")]
    gradient = [float(v) for n in input_nodes for v in np.ravel(n.adjoint)]

    with tf.GradientTape() as tape:
        tape.watch([x for x in tensors if not isinstance(x, tf.Variable)])
        output = f(*tensors)
    tape_gradient = [float(v) for g in tape.gradient(output, tensors, unconnected_gradients="zero")
                     for v in np.ravel(g.numpy())]
    accumulator_gradient = []
    for k, x in enumerate(tensors):
        for element in range(int(np.prod(x.shape))):
            tangents = [tf.zeros_like(t) for t in tensors]
            basis = np.zeros(int(np.prod(x.shape)))
            basis[element] = 1.0
            tangents[k] = tf.constant(basis.reshape(x.shape), dtype=x.dtype)
            with tf.autodiff.ForwardAccumulator(primals=tensors, tangents=tangents) as accumulator:
                result = f(*tensors)
            accumulator_gradient.append(float(np.sum(accumulator.jvp(result, unconnected_gradients="zero"))))
    forward_gradient = [float(np.sum(t)) for t in graph.output_node.tangents]
    return ModeComparison(
        graph=graph,
        input_labels=labels,
        n_inputs=len(labels),
        n_outputs=int(np.size(graph.output)),
        gradient=gradient,
        matches_tape=bool(np.allclose(tape_gradient, gradient, rtol=1e-5, atol=1e-6)),
        matches_accumulator=bool(np.allclose(accumulator_gradient, forward_gradient, rtol=1e-5, atol=1e-6)
                                 and np.allclose(forward_gradient, gradient, rtol=1e-5, atol=1e-6)),
    )


# --- why is my gradient None? ---------------------------------------------------------------

def explain_none_gradient(tape_or_f, *args, index: int = 0, name: str | None = None,
                          watched: bool | None = None):
    """Say why a gradient came back ``None``, and what to do about it.

    Two ways to ask:

    * ``explain_none_gradient(f, *inputs, index=0)``: the precise way. ``f`` is
      re-run (as a graph, and eagerly) and the path from ``inputs[index]`` to the
      output is followed, so every cause is found: an integer dtype, a
      non-trainable or unwatched input, a detour through NumPy / ``.numpy()``, an
      op without a gradient (``tf.argmax``, ``tf.round``, a cast to int,
      ``tf.stop_gradient``) or no connection at all. Pass ``watched=False`` if
      your tape did not ``watch`` a plain tensor input.
    * ``explain_none_gradient(tape, target, source)``: after the fact, from the
      tape. What can be read off the tape and the source is diagnosed exactly
      (dtype, ``trainable=False``, a Variable the tape did not watch or never
      saw); for a plain tensor it names the likely causes and suggests the
      function form.

    Returns a diagnosis whose ``cause`` is one of ``not_watched``,
    ``variable_not_trainable``, ``integer_dtype``, ``left_the_graph``,
    ``non_differentiable_op``, ``unconnected``, ``not_recorded``, and which
    prints as the explanation and the fix. When the gradient is in fact not
    None (``f`` is differentiable, or a persistent tape gives a gradient) the
    cause is ``gradient_exists`` and the message says so; when ``f`` raises,
    a ``ValueError`` says what it raised.

    >>> x = tf.constant([0.5, 2.0])
    >>> print(explain_none_gradient(lambda x: tf.cast(tf.round(x), tf.float32) * 2.0, x, name="x").cause)
    non_differentiable_op
    >>> v = tf.Variable(1.0, trainable=False)
    >>> with tf.GradientTape() as t:
    ...     y = v * 3.0
    >>> explain_none_gradient(t, y, v).cause
    'variable_not_trainable'
    """
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a string that labels the input in the message, got {describe(name)}.")
    if isinstance(tape_or_f, tf.GradientTape):
        if len(args) != 2:
            raise TypeError("With a tape, pass the target and the source: explain_none_gradient(tape, y, x).")
        return _explain_from_tape(tape_or_f, *args, name=name or "the source")
    if not callable(tape_or_f):
        raise TypeError(f"Pass a GradientTape (with target and source) or a function and its inputs, "
                        f"got {type(tape_or_f).__name__}.")
    index = _validate.count(index, "index", low=-(2**63), example=0)  # the range is checked below
    names = _argument_names(tape_or_f, len(args))
    label = name or (names[index] if 0 <= index < len(names) else None)
    return _diagnosis.diagnose_none_gradient(tape_or_f, *args, index=index, name=label, watched=watched)


def _short(name):
    return name if name.isidentifier() else "x"


def _explain_from_tape(tape, target, source, name):
    if target is None:
        raise TypeError("The target is None: pass the tensor you differentiated, "
                        "explain_none_gradient(tape, y, x) after y = ... inside the `with` block.")
    if not isinstance(source, (tf.Tensor, tf.Variable)) and not _diagnosis._is_variable(source):
        raise TypeError(f"The source must be one tensor or tf.Variable, got {describe(source)}; for several "
                        "sources ask about each one.")
    if getattr(tape, "_persistent", False) and getattr(tape, "_tape", None) is not None:
        try:  # a persistent tape can be asked again without using it up
            gradient = tape.gradient(target, source)
        except Exception:  # noqa: BLE001 - fall back to what the tape and the source tell
            gradient = None
        if gradient is not None:
            return _diagnosis.NoneGradientDiagnosis(
                "gradient_exists", name, f"this persistent tape gives tape.gradient(target, {_short(name)}) = "
                f"{_diagnosis._short_value(gradient)}.", "Check that you asked this tape for this target and source.")
    watched_ids = {id(v) for v in tape.watched_variables()}
    if isinstance(source, tf.Variable):
        static = _diagnosis.diagnose_input(source, name, watched=id(source) in watched_ids)
        if static is not None:
            return static
        if id(source) in watched_ids or getattr(tape, "_watch_accessed_variables", True):
            # Watched (or never read inside the block): the tape alone cannot tell which op broke the path.
            unconnected = _diagnosis.explain("unconnected", name)
            return _diagnosis.NoneGradientDiagnosis(
                unconnected.cause, name,
                "the target does not depend on it through operations the tape recorded: it is not used, or "
                "the path goes through an op without a gradient (tf.argmax, tf.round, a cast to int), "
                "NumPy / .numpy(), or a computation outside the `with` block.",
                "For an exact diagnosis pass the function instead: explain_none_gradient(f, x).")
        return _diagnosis.explain("not_watched", name)
    static = _diagnosis.diagnose_input(source, name, watched=None)
    if static is not None:
        return static
    likely = _diagnosis.explain("not_watched", name)
    return _diagnosis.NoneGradientDiagnosis(
        likely.cause, name,
        likely.explanation + " (If you did call tape.watch, the target does not depend on it through "
        "TensorFlow ops: check for .numpy(), NumPy, tf.argmax or a computation outside the `with` block.)",
        likely.fix + " For an exact diagnosis pass the function instead: explain_none_gradient(f, x).",
    )
