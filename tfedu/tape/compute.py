"""The computation graph a tape differentiates: trace a function, record every node's numbers.

The *compute* layer of :mod:`tfedu.tape` (no matplotlib): :func:`trace_graph`
runs ``f`` once as a TensorFlow graph and returns a :class:`ComputationGraph`
whose nodes carry their forward value, their adjoint ``d(output)/d(node)``
(reverse mode) and, on request, their tangents ``d(node)/d(input)`` (forward
mode). :func:`~tfedu.tape.draw.draw_graph` draws it and
:func:`~tfedu.tape.modes.forward_vs_reverse` tabulates it.

>>> graph = trace_graph(lambda x, y: x * y, tf.constant(2.0), tf.constant(3.0))
>>> [expression(node) for node in graph.nodes], format_value(graph.node("x").adjoint)
(['v0 = x', 'v1 = y', 'v2 = v0 × v1'], '3')
"""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

import numpy as np
import tensorflow as tf

from tfedu import _validate
from tfedu._text import significant
from tfedu._validate import describe

__all__ = ["GraphNode", "ComputationGraph", "trace_graph", "expression", "format_value", "DEFAULT_MAX_NODES",
           "MAX_FORWARD_PASSES"]

DEFAULT_MAX_NODES = 30
MAX_FORWARD_PASSES = 16

_OP_LABELS = {
    "AddV2": "+", "Add": "+", "Sub": "−", "Mul": "×", "RealDiv": "÷", "Div": "÷", "Neg": "neg",
    "Pow": "pow", "Square": "square", "Sqrt": "sqrt", "Rsqrt": "rsqrt", "Exp": "exp", "Log": "log",
    "Log1p": "log1p", "Sin": "sin", "Cos": "cos", "Tan": "tan", "Tanh": "tanh", "Sigmoid": "sigmoid",
    "Relu": "relu", "Elu": "elu", "Selu": "selu", "Softplus": "softplus", "Abs": "abs",
    "Maximum": "max", "Minimum": "min", "MatMul": "matmul", "BatchMatMulV2": "matmul",
    "Sum": "reduce_sum", "Mean": "reduce_mean", "Max": "reduce_max", "Prod": "reduce_prod",
    "Softmax": "softmax", "LogSoftmax": "log_softmax", "Reciprocal": "1/x", "SquaredDifference": "(a−b)²",
    "Reshape": "reshape", "Transpose": "transpose", "StopGradient": "stop_gradient", "Cast": "cast",
}
_SKIPPED_TYPES = {"Identity", "NoOp", "PartitionedCall", "StatefulPartitionedCall", "Placeholder"}


@dataclass
class GraphNode:
    """One value in the traced computation: an input, a constant or an operation's result."""

    index: int
    kind: str  # "input", "variable", "constant" or "op"
    label: str
    op_type: str
    inputs: tuple
    value: np.ndarray
    adjoint: np.ndarray = None  # d(output)/d(this node), output summed if not scalar
    tangents: list = field(default_factory=list)  # d(this node)/d(input element k), one per forward pass


@dataclass
class ComputationGraph:
    """The nodes of ``f``'s computation in execution order, and its output."""

    nodes: list
    output: np.ndarray
    input_names: list

    def node(self, label: str) -> GraphNode:
        """The first node with this label (``'x'``, ``'sin'``, ``'×'`` ...)."""
        for node in self.nodes:
            if node.label == label:
                return node
        labels = [n.label for n in self.nodes]
        raise KeyError(f"No node labelled {label!r};{_validate.did_you_mean(label, labels)} labels are {labels}.")

    @property
    def output_node(self) -> GraphNode:
        return self.nodes[-1]


def format_value(value) -> str:
    """A node's number as the tables show it: 4 significant digits, or a short array.

    >>> format_value(2.58385), format_value(-0.0), format_value([1.0, 2.5])
    ('2.584', '0', '[1. , 2.5]')
    """
    array = np.asarray(value)
    if array.size == 1:
        return significant(float(array.reshape(())) + 0.0, 4)  # + 0.0 turns -0.0 into 0.0
    return np.array2string(np.round(array.astype(np.float64), 3) + 0.0, separator=", ", threshold=8)


_INFIX = {"+", "−", "×", "÷"}


def expression(node: GraphNode) -> str:
    """The node as one step of an evaluation trace: ``v2 = v0 × v1``."""
    if node.kind in ("input", "variable", "constant"):
        return f"v{node.index} = {node.label}"
    args = [f"v{i}" for i in node.inputs]
    if node.label in _INFIX and len(args) == 2:
        return f"v{node.index} = {args[0]} {node.label} {args[1]}"
    return f"v{node.index} = {node.label}({', '.join(args)})"


def _first_line(error) -> str:
    """The first line of an error message, without TensorFlow's ``{{node ...}}`` details."""
    text = str(error).strip()
    first = text.splitlines()[0] if text else ""
    return re.sub(r"\s*for '\{\{node .*$", "", re.sub(r"\{\{function_node [^}]*\}\}\s*", "", first)).strip()


def argument_names(f, count):
    try:
        parameters = [p.name for p in inspect.signature(f).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        parameters = []
    names = parameters[:count]
    return names + [f"input_{k}" for k in range(len(names), count)]


def check_inputs(f, inputs):
    if not callable(f):
        raise TypeError(f"f must be a function of the inputs, got {type(f).__name__}; e.g. lambda x: x ** 2.")
    if not inputs:
        raise ValueError("Pass the input values after f, e.g. trace_graph(f, tf.constant(2.0)).")
    converted = []
    for k, value in enumerate(inputs):
        if value is None or isinstance(value, str):
            raise TypeError(f"Input {k} is {describe(value)}; pass a float tensor or number, e.g. "
                            "tf.constant(2.0) or 2.0.")
        if isinstance(value, tf.Variable):
            if not value.dtype.is_floating:
                raise TypeError(f"Input {k} is a {value.dtype.name} Variable; gradients need floats: "
                                "create it with a float value, e.g. tf.Variable(2.0).")
            converted.append(value)
            continue
        try:
            tensor = tf.convert_to_tensor(value)
        except (TypeError, ValueError) as error:
            raise TypeError(f"Input {k} cannot be turned into a tensor ({describe(value)}): "
                            f"{_first_line(error)}") from None
        if not tensor.dtype.is_floating:
            raise TypeError(f"Input {k} has dtype {tensor.dtype.name}; gradients need floats: "
                            f"pass tf.constant({value!r}, dtype=tf.float32) or a float like 2.0.")
        converted.append(tensor)
    return converted


def trace_graph(f, *inputs, max_nodes: int = DEFAULT_MAX_NODES, forward: bool = False) -> ComputationGraph:
    """Run ``f(*inputs)`` once as a graph and record each node's value and adjoint.

    The adjoint of a node is ``d(output)/d(node)``: what reverse-mode autodiff
    (``GradientTape``) propagates from the output back to the inputs (summed
    over the output's elements when it is not a scalar, as ``tape.gradient``
    does). With ``forward=True`` each node also gets its tangents
    ``d(node)/d(input element)``: one forward-mode pass
    (``tf.autodiff.ForwardAccumulator``) per input element.

    Inputs may be tensors, numbers or ``tf.Variable`` s (all reads of a variable
    are one node). ``f`` must use TensorFlow ops only: ``.numpy()`` or a Python
    ``if`` on tensor values cannot be traced.

    >>> graph = trace_graph(lambda x: x ** 2, tf.constant(3.0))  # d(x**p)/dp = x**p ln x
    >>> [(n.label, n.kind, format_value(n.value), format_value(n.adjoint)) for n in graph.nodes]
    [('x', 'input', '3', '6'), ('2', 'constant', '2', '9.888'), ('pow', 'op', '9', '1')]
    """
    max_nodes = _validate.count(max_nodes, "max_nodes", example=DEFAULT_MAX_NODES,
                                hint="It is the largest number of nodes drawn.")
    forward = _validate.flag(forward, "forward")
    inputs = check_inputs(f, inputs)
    names = argument_names(f, len(inputs))
    recorded = {}
    function = tf.function(_recorder(f, recorded), autograph=False)
    output, values, adjoints = _run(function, inputs, names)
    n_plain = len(recorded["input_ops"])
    input_adjoints = dict(zip(recorded["input_ops"], (a.numpy() for a in adjoints[:n_plain])))
    op_values = {op.name: (v.numpy(), a.numpy())
                 for op, v, a in zip(recorded["ops"], values, adjoints[n_plain:])}
    nodes, key_of = _build_nodes(recorded["ops"], inputs, names, recorded["input_ops"], input_adjoints,
                                 op_values, recorded["output_op"])
    if len(nodes) > max_nodes:
        raise ValueError(
            f"f has {len(nodes)} operations, more than max_nodes={max_nodes} that fit in a readable "
            f"picture. Draw a smaller expression, or pass max_nodes={len(nodes)} if you really want it."
        )
    if forward:
        _add_tangents(function, inputs, nodes, key_of, [op.name for op in recorded["ops"]])
    return ComputationGraph(nodes=nodes, output=output.numpy(), input_names=names)


def _recorder(f, recorded):
    """The function traced: ``f`` under a ForwardAccumulator, returning every float tensor it made with
    its adjoint and its tangent. What the trace created is kept in ``recorded``."""
    def traced(primals, tangents):
        graph = tf.compat.v1.get_default_graph()
        before = {op.name for op in graph.get_operations()}
        with tf.autodiff.ForwardAccumulator(primals=primals, tangents=tangents) as accumulator:
            output = f(*primals)
        if output is None:
            raise TypeError("f returned None; it must return a tensor (did you forget `return`?).")
        output = tf.convert_to_tensor(output)
        if not output.dtype.is_floating:
            raise TypeError(f"f returned a {output.dtype.name} tensor; only float outputs have gradients.")
        created = [op for op in graph.get_operations() if op.name not in before]
        float_tensors = [op.outputs[0] for op in created
                         if op.outputs and op.outputs[0].dtype.is_floating
                         and op.type not in ("PartitionedCall", "StatefulPartitionedCall")]
        recorded["ops"] = [t.op for t in float_tensors]
        recorded["output_op"] = output.op.name
        plain = [x for x in primals if not isinstance(x, tf.Variable)]
        recorded["input_ops"] = [x.op.name for x in plain]
        adjoints = tf.gradients(output, plain + float_tensors, unconnected_gradients="zero")
        jvps = [accumulator.jvp(t, unconnected_gradients="zero") for t in float_tensors]
        return output, float_tensors, adjoints, jvps

    return traced


def _run(function, inputs, names):
    """Run the traced function once (zero tangents); a failure says whether tracing or ``f`` failed."""
    zero_tangents = [tf.zeros_like(tf.convert_to_tensor(x)) for x in inputs]
    try:
        output, values, adjoints, _ = function(inputs, zero_tangents)
    except (TypeError, NotImplementedError, AttributeError) as error:
        first_line = _first_line(error)
        if "f returned" in first_line:
            raise TypeError(first_line) from None
        raise TypeError(
            f"Could not trace f into a graph ({type(error).__name__}: {first_line}). "
            "Keep f to TensorFlow operations: no .numpy(), no NumPy functions and no Python `if` "
            "on tensor values."
        ) from error
    except Exception as error:  # noqa: BLE001 - f itself fails on these inputs
        shapes = ", ".join(f"{n} {tuple(x.shape)} {x.dtype.name}" for n, x in zip(names, inputs))
        raise ValueError(f"Running f on the inputs failed ({type(error).__name__}: {_first_line(error)}). "
                         f"Check that f works with these inputs: {shapes}.") from error
    return output, values, adjoints


def _build_nodes(ops, inputs, names, input_ops, input_adjoints, op_values, output_op):
    """Turn graph ops into display nodes; returns the nodes and each node's graph key.

    Inputs come first, in argument order; then every operation the output depends on,
    in execution order. Identity-like ops are merged into their input.
    """
    nodes, node_of, key_of = [], {}, {}

    def add(key, kind, label, op_type, parents, value, adjoint):
        node = GraphNode(len(nodes), kind, label, op_type, tuple(parents), np.asarray(value), np.asarray(adjoint))
        nodes.append(node)
        node_of[key] = node
        key_of[node.index] = key
        return node

    variable_reads = {}
    for op in ops:
        if op.type == "ReadVariableOp":
            variable_reads.setdefault(op.inputs[0].op.name, []).append(op.name)
    placeholder_names = iter(input_ops)
    resources = iter(variable_reads)
    for x, name in zip(inputs, names):
        if isinstance(x, tf.Variable):
            resource = next(resources, None)
            reads = variable_reads.get(resource, [])
            adjoint = sum((op_values[r][1] for r in reads), np.zeros_like(x.numpy()))
            node = add(resource or name, "variable", x.name.split(":")[0], "Variable", [], x.numpy(), adjoint)
            for read in reads:
                node_of[read] = node
        else:
            key = next(placeholder_names)
            add(key, "input", name, "Placeholder", [], x.numpy(), input_adjoints[key])

    for op in ops:
        if op.name in node_of:
            continue
        parents = [node_of[i.op.name].index for i in op.inputs if i.op.name in node_of]
        if op.type in _SKIPPED_TYPES and parents:
            node_of[op.name] = nodes[parents[0]]
            continue
        value, adjoint = op_values[op.name]
        if op.type == "Const":
            add(op.name, "constant", format_value(value), "Const", [], value, adjoint)
        else:
            add(op.name, "op", _OP_LABELS.get(op.type, op.type.lower()), op.type, parents, value, adjoint)
    return _keep_what_the_output_needs(nodes, key_of, node_of.get(output_op))


def _keep_what_the_output_needs(nodes, key_of, output_node):
    needed = {n.index for n in nodes if n.kind in ("input", "variable")}
    stack = [output_node.index] if output_node is not None else []
    seen = set()
    while stack:
        index = stack.pop()
        if index in seen:
            continue
        seen.add(index)
        needed.add(index)
        stack.extend(nodes[index].inputs)
    kept = [n for n in nodes if n.index in needed]
    new_index = {n.index: k for k, n in enumerate(kept)}
    new_keys = {}
    for k, node in enumerate(kept):
        new_keys[k] = key_of[node.index]
        node.inputs = tuple(new_index[i] for i in node.inputs)
        node.index = k
    return kept, new_keys


def _add_tangents(function, inputs, nodes, key_of, op_names):
    shapes = [tuple(tf.convert_to_tensor(x).shape) for x in inputs]
    sizes = [int(np.prod(shape)) for shape in shapes]
    if sum(sizes) > MAX_FORWARD_PASSES:
        raise ValueError(
            f"Forward mode needs one pass per input element: {sum(sizes)} here, more than the "
            f"{MAX_FORWARD_PASSES} this table shows. Use smaller inputs."
        )
    dtypes = [tf.convert_to_tensor(x).dtype for x in inputs]
    input_nodes = [n for n in nodes if n.kind in ("input", "variable")]
    for k, size in enumerate(sizes):
        for element in range(size):
            tangents = []
            for j in range(len(inputs)):
                basis = np.zeros(sizes[j])
                if j == k:
                    basis[element] = 1.0
                tangents.append(tf.constant(basis.reshape(shapes[j]), dtype=dtypes[j]))
            _, _, _, jvps = function(inputs, tangents)
            by_key = dict(zip(op_names, (t.numpy() for t in jvps)))
            for j, node in enumerate(input_nodes):
                node.tangents.append(tangents[j].numpy())
            for node in nodes:
                if node.kind not in ("input", "variable"):
                    node.tangents.append(by_key[key_of[node.index]])
