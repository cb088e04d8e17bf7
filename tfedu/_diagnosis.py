# Over 400 lines on purpose: one idea (why a gradient is None), the wording of each cause and the probes that find it.
"""Why is a gradient ``None``? Find the cause and say what to do about it.

Private helper shared by :mod:`tfedu.gradcheck` (a check that meets a ``None``
gradient explains it) and the GradientTape lessons. Two entry points:

* :func:`explain` builds the explanation for a cause the caller already knows
  (for example "the tape was not watching this tensor");
* :func:`diagnose_none_gradient` finds the cause itself. It looks at the input
  (dtype, ``tf.Variable`` or not, ``trainable``), then re-runs ``f`` as a
  ``tf.function`` graph and follows the operations from the input to the
  output: no path means *unconnected*, a path through an op without a gradient
  (``tf.argmax``, a cast to an integer, ``tf.round``, ``tf.stop_gradient``)
  names that op, and a trace that fails on ``.numpy()`` or NumPy means the
  values *left the graph*.

The answer is a small :class:`NoneGradientDiagnosis`; its ``str`` is the
message a student sees.

>>> import tensorflow as tf
>>> x = tf.constant([1.0, 2.0])
>>> print(diagnose_none_gradient(lambda x: tf.cast(tf.argmax(x), tf.float32), x, name="x"))
Gradient is None for x: the path from x to the output goes through tf.argmax (op ArgMax), \
which has no gradient: it returns an integer index, which does not change smoothly. \
Use a differentiable alternative (for example tf.nn.softmax instead of tf.argmax), \
or keep the values as floats.
"""
from __future__ import annotations

import inspect
import re
from collections import deque
from dataclasses import dataclass

import numpy as np

from tfedu._runtime import quiet_tf_logs
from tfedu._text import significant
from tfedu._validate import count, describe, flag

__all__ = ["CAUSES", "NoneGradientDiagnosis", "explain", "diagnose_input", "diagnose_none_gradient",
           "call_style"]

#: Every cause code, with a short title.
CAUSES = {
    "not_watched": "the tape was not watching the tensor",
    "variable_not_trainable": "a tf.Variable with trainable=False",
    "integer_dtype": "an integer or boolean tensor",
    "left_the_graph": "the computation went through NumPy, .numpy() or Python numbers",
    "non_differentiable_op": "an operation without a gradient",
    "unconnected": "the output does not depend on the tensor",
    "not_recorded": "the output was computed outside the tape's `with` block",
    "gradient_exists": "nothing is wrong: the gradient is not None",
}

# Operations without a gradient, with the name a student wrote and why.
_OP_REASONS = {
    "ArgMax": ("tf.argmax", "it returns an integer index, which does not change smoothly"),
    "ArgMin": ("tf.argmin", "it returns an integer index, which does not change smoothly"),
    "Round": ("tf.round", "it is piecewise constant, so its slope is zero or undefined"),
    "Floor": ("tf.floor", "it is piecewise constant, so its slope is zero or undefined"),
    "Ceil": ("tf.math.ceil", "it is piecewise constant, so its slope is zero or undefined"),
    "Rint": ("tf.math.rint", "it is piecewise constant, so its slope is zero or undefined"),
    "StopGradient": ("tf.stop_gradient", "it blocks gradients on purpose"),
    "Cast": ("tf.cast", "it casts to a non-float dtype, and integers have no gradient"),
    "Greater": ("a comparison (>)", "it returns booleans"),
    "GreaterEqual": ("a comparison (>=)", "it returns booleans"),
    "Less": ("a comparison (<)", "it returns booleans"),
    "LessEqual": ("a comparison (<=)", "it returns booleans"),
    "Equal": ("a comparison (==)", "it returns booleans"),
    "NotEqual": ("a comparison (!=)", "it returns booleans"),
    "TopKV2": ("tf.math.top_k", "its indices output is an integer"),
}
_PYTHON_OPS = {"PyFunc", "EagerPyFunc", "PyFuncStateless"}
# Words in the error raised when a traced function calls .numpy(), NumPy or float() on a tensor.
_LEFT_GRAPH_ERRORS = ("numpy", "symbolic", "non-tensor", "python bool", "eager execution", "__float__")


@dataclass(frozen=True)
class NoneGradientDiagnosis:
    """Why a gradient is ``None``: a cause code, an explanation and the fix.

    ``cause`` is one of :data:`CAUSES`; ``op`` names the blocking operation
    when there is one (``"tf.argmax (op ArgMax)"``).

    >>> d = explain("not_watched", "x")
    >>> d.cause
    'not_watched'
    >>> print(d)
    Gradient is None for x: it is a plain tensor, not a tf.Variable, and the tape was not \
watching it. Call tape.watch(x) inside the `with tf.GradientTape() as tape:` block, \
or make it a tf.Variable.
    """

    cause: str
    name: str
    explanation: str
    fix: str
    op: str | None = None

    @property
    def is_none(self) -> bool:
        """False when the diagnosis found that the gradient is in fact not None (cause ``gradient_exists``)."""
        return self.cause != "gradient_exists"

    @property
    def message(self) -> str:
        headline = "Gradient is None" if self.is_none else "Gradient is not None"
        return f"{headline} for {self.name}: {self.explanation} {self.fix}"

    def __str__(self) -> str:
        return self.message


def explain(cause: str, name: str = "the input", *, op: str | None = None, dtype: str | None = None,
            reason: str | None = None, value: str | None = None) -> NoneGradientDiagnosis:
    """Build the diagnosis for a known ``cause`` (one of :data:`CAUSES`).

    ``op`` and ``reason`` describe the blocking operation for
    ``"non_differentiable_op"``; ``dtype`` completes ``"integer_dtype"``;
    ``value`` is the gradient found for ``"gradient_exists"``.

    >>> print(explain("integer_dtype", "n", dtype="int32").explanation)
    it has dtype int32, and TensorFlow only differentiates floating-point tensors.
    >>> explain("typo")
    Traceback (most recent call last):
    ...
    ValueError: Unknown cause 'typo'; expected one of: not_watched, variable_not_trainable, \
integer_dtype, left_the_graph, non_differentiable_op, unconnected, not_recorded, gradient_exists.
    """
    if cause == "not_watched":
        return NoneGradientDiagnosis(
            cause, name, "it is a plain tensor, not a tf.Variable, and the tape was not watching it.",
            f"Call tape.watch({_short(name)}) inside the `with tf.GradientTape() as tape:` block, "
            "or make it a tf.Variable.")
    if cause == "variable_not_trainable":
        return NoneGradientDiagnosis(
            cause, name, "it is a tf.Variable created with trainable=False, which tapes do not watch "
            "automatically.", f"Create it with trainable=True (the default) or call tape.watch({_short(name)}).")
    if cause == "integer_dtype":
        return NoneGradientDiagnosis(
            cause, name, f"it has dtype {dtype or 'int'}, and TensorFlow only differentiates "
            "floating-point tensors.", "Make it a float, e.g. tf.constant([1.0, 2.0]) or "
            "tf.cast(x, tf.float32).")
    if cause == "left_the_graph":
        how = ("tf.py_function / tf.numpy_function" if op else "NumPy, .numpy() or a Python number")
        return NoneGradientDiagnosis(
            cause, name, f"the output depends on it, but the values went through {how}, where the "
            "tape cannot follow them.", "Use TensorFlow ops from input to output (tf.sin, "
            "tf.reduce_sum, ... instead of np.sin, x.numpy() or float(x)).", op)
    if cause == "non_differentiable_op":
        what = op or "an operation"
        why = f": {reason}" if reason else ""
        return NoneGradientDiagnosis(
            cause, name, f"the path from {name} to the output goes through {what}, which has no "
            f"gradient{why}.", _fix_for_op(op), op)
    if cause == "unconnected":
        return NoneGradientDiagnosis(
            cause, name, "the output does not depend on it: no operation connects it to the output.",
            "Check that the computation really uses it (a typo or an unused argument?); if that is "
            "intended, tape.gradient(..., unconnected_gradients=tf.UnconnectedGradients.ZERO) gives zeros.")
    if cause == "not_recorded":
        return NoneGradientDiagnosis(
            cause, name, "the output does depend on it, but this tape did not record the computation "
            "(it ran outside the `with tf.GradientTape() as tape:` block, or under another tape).",
            "Compute the output inside the `with` block, then call tape.gradient after the block.")
    if cause == "gradient_exists":
        found = f" ({value})" if value else ""
        return NoneGradientDiagnosis(
            cause, name, f"re-running the function inside a GradientTape that watches {name} gives a "
            f"gradient{found}, so the function itself is differentiable.",
            f"If your own tape returned None, it did not watch {name} (call tape.watch({_short(name)}) or make "
            "it a tf.Variable), or the output was computed outside its `with` block.")
    raise ValueError(f"Unknown cause {cause!r}; expected one of: {', '.join(CAUSES)}.")


def _short(name: str) -> str:
    return name if name.isidentifier() else "x"


def _fix_for_op(op: str | None) -> str:
    if op and op.startswith("tf.stop_gradient"):
        return "Remove tf.stop_gradient if the gradient should flow through it."
    if op and op.startswith("tf.cast"):
        return "Keep the values as floats: cast to tf.float32 or tf.float64, not to an integer type."
    if op and op.startswith("tf.argmax"):
        return ("Use a differentiable alternative (for example tf.nn.softmax instead of tf.argmax), "
                "or keep the values as floats.")
    return ("Use a differentiable alternative (a smooth function instead of rounding or "
            "thresholding), or keep the values as floats.")


# --- static causes ---------------------------------------------------------------------

def diagnose_input(x, name: str = "the input", *, watched: bool | None = None) -> NoneGradientDiagnosis | None:
    """The cause that can be read off the input alone, or ``None`` if it looks fine.

    ``watched`` says whether the tape was told to watch ``x`` (``None``: unknown).

    >>> import tensorflow as tf
    >>> diagnose_input(tf.constant([1, 2]), "n").cause
    'integer_dtype'
    >>> diagnose_input(tf.constant([1.0]), "x", watched=False).cause
    'not_watched'
    >>> diagnose_input(tf.Variable(1.0, trainable=False), "v").cause
    'variable_not_trainable'
    >>> diagnose_input(tf.Variable(1.0), "w") is None
    True
    """
    import tensorflow as tf

    dtype = _dtype_of(x)
    if dtype is not None and not dtype.is_floating and not dtype.is_complex:
        return explain("integer_dtype", name, dtype=dtype.name)
    if isinstance(x, tf.Variable):
        if not x.trainable and not watched:
            return explain("variable_not_trainable", name)
        return None
    if watched is False:
        return explain("not_watched", name)
    return None


def _dtype_of(x):
    import tensorflow as tf

    if isinstance(x, (tf.Tensor, tf.Variable)):
        return x.dtype
    try:
        return tf.as_dtype(np.asarray(x).dtype)
    except TypeError:
        return None


# --- re-running f ----------------------------------------------------------------------

def call_style(f, n_inputs: int) -> str:
    """How to call ``f`` with ``n_inputs`` inputs: ``"arguments"`` (``f(*inputs)``)
    or ``"closure"`` (``f()`` reads the inputs, which must be variables, itself).

    >>> call_style(lambda x, y: x * y, 2), call_style(lambda: 1.0, 2)
    ('arguments', 'closure')
    """
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):  # builtins without a signature: assume they take the inputs
        return "arguments"
    try:
        signature.bind(*range(n_inputs))
        return "arguments"
    except TypeError:
        pass
    try:
        signature.bind()
        return "closure"
    except TypeError:
        return "arguments"  # calling f will raise a clear error


def diagnose_none_gradient(f, *inputs, index: int = 0, name: str | None = None,
                           watched: bool | None = True) -> NoneGradientDiagnosis:
    """Find out why the gradient of ``f(*inputs)`` with respect to ``inputs[index]`` is None.

    ``f`` is called as ``f(*inputs)``, or as ``f()`` when it takes no arguments
    (then the inputs must be the ``tf.Variable`` objects it reads). ``watched``
    says whether the tape watched the input (``True`` when it was explicitly
    watched, ``False`` when not, ``None`` if unknown). ``f`` is re-run: once as
    a ``tf.function`` trace, and possibly twice eagerly.

    >>> import numpy as np, tensorflow as tf
    >>> x, w = tf.constant([1.0, 2.0]), tf.constant(3.0)
    >>> diagnose_none_gradient(lambda x, w: tf.reduce_sum(x), x, w, index=1).cause
    'unconnected'
    >>> diagnose_none_gradient(lambda x, w: tf.constant(np.sum(x.numpy())) * w, x, w).cause
    'left_the_graph'
    >>> diagnose_none_gradient(lambda x, w: tf.stop_gradient(x) * w, x, w).op
    'tf.stop_gradient (op StopGradient)'

    If the gradient is in fact not None, the diagnosis says so (cause
    ``gradient_exists``); if ``f`` raises, so does this function:

    >>> print(diagnose_none_gradient(lambda x, w: tf.reduce_sum(x * w), x, w, name="x"))
    Gradient is not None for x: re-running the function inside a GradientTape that watches x gives a \
gradient ([3. 3.]), so the function itself is differentiable. If your own tape returned None, it did \
not watch x (call tape.watch(x) or make it a tf.Variable), or the output was computed outside its \
`with` block.
    """

    if not callable(f):
        raise TypeError(f"f must be the function whose gradient is None, got {describe(f)}.")
    if not inputs:
        raise ValueError("Give the inputs f is called with, e.g. diagnose_none_gradient(f, x).")
    index = count(index, "index", low=-(2**63), example=0)  # type only: the range is an IndexError
    if not 0 <= index < len(inputs):
        raise IndexError(f"index {index} is out of range for {len(inputs)} input(s).")
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a string that labels the input in the message, got {describe(name)}.")
    watched = flag(watched, "watched", allow_none=True)
    for k, x in enumerate(inputs):
        if x is None:
            raise TypeError(f"Input {k} is None; pass the tensor or tf.Variable f is called with.")
    name = name or f"input {index}"
    static = diagnose_input(inputs[index], name, watched=watched)
    if static is not None:
        return static
    style = call_style(f, len(inputs))
    gradient = _eager_gradient(f, inputs, index, style)
    if gradient is not None:
        return explain("gradient_exists", name, value=short_value(gradient))
    found = _probe_graph(f, inputs, index, style, name)
    if found is None:
        return _probe_eagerly(f, inputs, index, style, name)
    if found.cause == "not_recorded" and watched is not True and not is_variable(inputs[index]):
        # The graph carries a gradient, so the tape missed it: a plain tensor it was not told to watch.
        return explain("not_watched", name)
    return found


def _eager_gradient(f, inputs, index, style):
    """The gradient of ``f(*inputs)`` with respect to ``inputs[index]``, computed by a tape that watches it.

    Raises if ``f`` raises (a broken function is not a None gradient) or returns None."""
    import tensorflow as tf

    source = inputs[index]
    if not isinstance(source, (tf.Tensor, tf.Variable)):
        source = tf.convert_to_tensor(source)
    args = list(inputs)
    args[index] = source
    try:
        with tf.GradientTape() as tape:
            tape.watch(source)
            output = f() if style == "closure" else f(*args)
    except Exception as error:  # noqa: BLE001 - say that f fails, not why a gradient is None
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        first = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", first)
        raise ValueError(f"f raised {type(error).__name__} when called with the inputs: {first}. Fix f first: "
                         "a function that fails has no gradient to explain.") from error
    if output is None:
        raise TypeError("f returned None: it must return a tensor. Did you forget `return`?")
    if not isinstance(output, (tf.Tensor, tf.Variable)):
        return None  # NumPy or Python numbers: the probes below explain it
    with quiet_tf_logs():
        try:
            return tape.gradient(output, source)
        except Exception:  # noqa: BLE001 - e.g. an op without a registered gradient: the probes explain it
            return None


def short_value(gradient) -> str:
    values = np.asarray(gradient)
    text = np.array2string(values, precision=4, threshold=6) if values.ndim else significant(float(values), 4)
    return text if len(text) <= 60 else text[:57] + "..."


def is_variable(x):
    import tensorflow as tf

    return isinstance(x, tf.Variable) or isinstance(getattr(x, "value", None), tf.Variable)


def _probe_graph(f, inputs, index, style, name):
    """Trace ``f`` and follow the graph from the input to the output; ``None`` if inconclusive."""
    import tensorflow as tf

    found = {}

    # Only the input being diagnosed is symbolic: the others stay eager tensors, so a .numpy() on
    # another input does not hide what happens to this one.
    def traced(*args):
        if style == "closure":
            output = f()
        else:
            full = list(inputs)
            full[index] = args[0]
            output = f(*full)
        if not isinstance(output, (tf.Tensor, tf.Variable)):
            found["diagnosis"] = None  # not a tensor: the caller reports that elsewhere
            return tf.constant(0.0)
        source = _captured(inputs[index]) if style == "closure" else args[0]
        found["diagnosis"] = _follow(tf.convert_to_tensor(output), source, name)
        return tf.constant(0.0)

    if style == "closure":
        specs = ()
    else:
        probed = tf.convert_to_tensor(inputs[index])
        specs = [tf.TensorSpec(probed.shape, probed.dtype)]
    try:
        with quiet_tf_logs():
            tf.function(traced, autograph=True).get_concrete_function(*specs)
    except LookupError as error:  # "No gradient defined for operation ... (op type: X)"
        return _no_registered_gradient(error, name)
    except Exception as error:  # noqa: BLE001 - any failure of a user function while tracing
        if any(word in str(error).lower() for word in _LEFT_GRAPH_ERRORS):
            return explain("left_the_graph", name)
        return None
    return found.get("diagnosis")


def _no_registered_gradient(error, name):
    text = str(error)
    op_type = text.rsplit("op type:", 1)[-1].strip(" )'\"") if "op type:" in text else None
    return explain("non_differentiable_op", name, op=f"op {op_type}" if op_type else None,
                   reason="TensorFlow has no gradient registered for it")


def _captured(variable):
    """The placeholder standing for ``variable`` inside the graph being traced (or None).

    Using the variable's handle in an op makes the graph capture it, so the input of
    ``tf.identity(handle)`` is the placeholder every read of the variable starts from.
    """
    import tensorflow as tf

    handle = getattr(variable, "handle", None)
    if handle is None:
        return None
    return tf.identity(handle).op.inputs[0]


def _follow(output, source, name):
    import tensorflow as tf

    if source is None:
        return explain("unconnected", name)
    upstream = _ancestors(output)
    downstream = _descendants(source)
    path = upstream & downstream
    if output.op is source.op or (not path and output is source):
        return None
    if not path:
        return explain("unconnected", name)
    python_ops = [op for op in path if op.type in _PYTHON_OPS]
    if python_ops:
        return explain("left_the_graph", name, op=f"op {python_ops[0].type}")
    # Which tensors on the path receive a gradient from the output?
    tensors = [source] + [t for op in _ordered(path, source) for t in op.outputs if t.op in path]
    try:
        grads = tf.gradients(output, tensors)
    except LookupError as error:
        return _no_registered_gradient(error, name)
    has_grad = {id(t): g is not None for t, g in zip(tensors, grads)}
    if has_grad.get(id(source)):
        return explain("not_recorded", name)  # the graph carries a gradient: the tape missed it
    for op in _ordered(path, source):
        blocked_inputs = [t for t in op.inputs if (t is source or t.op in path) and not has_grad.get(id(t), True)]
        if not blocked_inputs:
            continue
        outputs = [t for t in op.outputs if t.op in path]
        if any(not t.dtype.is_floating or has_grad.get(id(t), False) for t in outputs) or op is output.op:
            api, reason = _OP_REASONS.get(op.type, (None, None))
            label = f"{api} (op {op.type})" if api else f"op {op.type}"
            return explain("non_differentiable_op", name, op=label, reason=reason)
    return explain("non_differentiable_op", name)


def _ancestors(tensor):
    seen, todo = set(), deque([tensor.op])
    while todo:
        op = todo.popleft()
        if op in seen:
            continue
        seen.add(op)
        todo.extend(t.op for t in op.inputs)
    return seen


def _descendants(tensor):
    seen, todo = set(), deque(tensor.consumers())
    while todo:
        op = todo.popleft()
        if op in seen:
            continue
        seen.add(op)
        for t in op.outputs:
            todo.extend(t.consumers())
    return seen


def _ordered(path, source):
    """The ops of ``path`` in breadth-first order from ``source``."""
    order, seen, todo = [], set(), deque(source.consumers())
    while todo:
        op = todo.popleft()
        if op in seen or op not in path:
            continue
        seen.add(op)
        order.append(op)
        for t in op.outputs:
            todo.extend(t.consumers())
    return order


def _probe_eagerly(f, inputs, index, style, name):
    """Last resort: does the output move when the input moves?"""
    import tensorflow as tf

    target = inputs[index]
    value = tf.convert_to_tensor(target)
    step = 1e-3 * tf.maximum(tf.abs(value), 1.0)
    nudged = value + tf.cast(step, value.dtype)
    try:
        if style == "closure":
            before = np.asarray(f())
            original = tf.identity(target)
            target.assign(nudged)
            try:
                after = np.asarray(f())
            finally:
                target.assign(original)
        else:
            args = list(inputs)
            before = np.asarray(f(*args))
            args[index] = nudged
            after = np.asarray(f(*args))
    except Exception:  # noqa: BLE001 - f cannot even be re-run: say what is most likely
        return explain("left_the_graph", name)
    if before.shape == after.shape and np.array_equal(before, after):
        return explain("unconnected", name)
    return explain("left_the_graph", name)
