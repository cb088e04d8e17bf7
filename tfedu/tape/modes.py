"""Forward mode against reverse mode: the same derivatives, step by step, and what each costs.

:func:`forward_vs_reverse` traces ``f`` (:func:`~tfedu.tape.compute.trace_graph`
with tangents), lists every node's tangents (forward mode, one pass per input
element) and adjoints (reverse mode, one pass per output element), and checks
both against ``GradientTape`` and ``ForwardAccumulator`` run on ``f`` itself.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from tfedu._text import html_table, table
from tfedu.tape.compute import ComputationGraph, check_inputs, expression, format_value, trace_graph

__all__ = ["ModeComparison", "forward_vs_reverse"]

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
        return [(expression(n), format_value(n.value), *(format_value(t) for t in n.tangents))
                for n in self.graph.nodes]

    def reverse_rows(self):
        return [(expression(n), format_value(n.adjoint)) for n in reversed(self.graph.nodes)]

    def summary(self) -> str:
        grads = ", ".join(f"d/d{label} = {format_value(g)}" for label, g in zip(self.input_labels, self.gradient))
        both = "both agree" if self.matches_tape and self.matches_accumulator else "they DISAGREE"
        return (
            f"f maps {self.n_inputs} input number(s) to {self.n_outputs} output number(s). "
            f"Forward mode needed {self.forward_passes} pass(es), one per input; reverse mode needs "
            f"{self.reverse_passes}, one per output. Result: {grads}. "
            f"GradientTape and ForwardAccumulator on the original function: {both}."
        )

    def __str__(self) -> str:
        forward_header = ("node", "value", *(f"d/d{label}" for label in self.input_labels))
        return "\n".join([
            f"Forward mode: tangents flow input -> output ({self.forward_passes} pass(es), one column each)",
            table(forward_header, self.forward_rows()),
            "",
            f"Reverse mode: adjoints flow output -> input ({self.reverse_passes} pass(es))",
            table(("node", "d(out)/d(node)"), self.reverse_rows()),
            "",
            self.summary(),
        ])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        forward_header = ("node", "value", *(f"d/d{label}" for label in self.input_labels))
        return (
            "<div style='display:flex;gap:24px;align-items:flex-start'>"
            f"<div><b>Forward mode</b>: input → output, {self.forward_passes} pass(es)"
            f"{html_table(forward_header, self.forward_rows())}</div>"
            f"<div><b>Reverse mode</b>: output → input, {self.reverse_passes} pass(es)"
            f"{html_table(('node', 'd(out)/d(node)'), self.reverse_rows())}</div></div>"
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
    tensors = check_inputs(f, inputs)
    labels = []
    for name, x in zip(graph.input_names, tensors):
        size = int(np.prod(x.shape))
        labels += [name] if x.shape.rank == 0 else [f"{name}[{k}]" for k in range(size)]
    input_nodes = [n for n in graph.nodes if n.kind in ("input", "variable")]
    gradient = [float(v) for n in input_nodes for v in np.ravel(n.adjoint)]

    tape_gradient, accumulator_gradient = _gradients_of(f, tensors)
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


def _gradients_of(f, tensors):
    """The flat gradient of ``f`` by ``GradientTape``, and by ``ForwardAccumulator`` (one pass per element)."""
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
    return tape_gradient, accumulator_gradient
