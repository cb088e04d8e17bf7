"""Make automatic differentiation visible: the graph a tape differentiates, forward vs reverse
mode step by step, and a catalogue of ``GradientTape`` demos.

* :func:`trace_graph` runs ``f`` once as a TensorFlow graph and returns every
  operation with its forward value, its adjoint ``d(output)/d(node)`` (reverse
  mode) and its tangents ``d(node)/d(input)`` (forward mode).
* :func:`draw_graph` draws that graph with matplotlib, micrograd style
  (:func:`plot_graph` traces and draws in one call).
* :func:`forward_vs_reverse` tabulates both modes and counts their passes.
* :func:`demo` / :data:`DEMOS` run the classic ``GradientTape`` surprises.
* :func:`explain_none_gradient` says why a gradient came back ``None``.

>>> import tensorflow as tf
>>> from tfedu import tape
>>> graph = tape.trace_graph(lambda x, y: x * y + tf.sin(x), tf.constant(2.0), tf.constant(3.0))
>>> [(node.label, round(node.value.item(), 4), round(node.adjoint.item(), 4)) for node in graph.nodes]
[('x', 2.0, 2.5839), ('y', 3.0, 2.0), ('×', 6.0, 1.0), ('sin', 0.9093, 1.0), ('+', 6.9093, 1.0)]
"""
# The family: compute.py traces the graph (no matplotlib), draw.py draws it, modes.py compares
# forward and reverse mode, diagnosis.py explains None gradients, demos.py holds the tape demos.
from __future__ import annotations

from tfedu.tape.compute import ComputationGraph, GraphNode, trace_graph
from tfedu.tape.demos import DEMOS, DemoResult, demo
from tfedu.tape.diagnosis import explain_none_gradient
from tfedu.tape.draw import GraphDrawing, draw_graph, plot_graph
from tfedu.tape.modes import ModeComparison, forward_vs_reverse

__all__ = [
    "trace_graph",
    "draw_graph",
    "plot_graph",
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
