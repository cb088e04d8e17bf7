"""Checking what a gradient check is given: ``f``, its inputs and what it returns.

Private helper of :mod:`tfedu.gradcheck`. Every function here raises a
``TypeError`` or ``ValueError`` that says what is wrong and what to do (a
string input, an integer dtype, NaN in the inputs, ``f`` returning NumPy or
``None``), before any finite difference is computed.
"""
from __future__ import annotations

import inspect
import re

import numpy as np

import tensorflow as tf

from tfedu._diagnosis import call_style
from tfedu._text import significant
from tfedu._validate import describe


def input_names(f, inputs, names=None):
    """Names for the inputs: given ones, else f's parameter names, else "input i"."""
    if names is not None:
        if isinstance(names, str) or not hasattr(names, "__iter__"):
            raise TypeError(f"names must be a list of names, one per input, got {describe(names)}; "
                            f"e.g. names=['x'] for one input.")
        names = list(names)
        if not all(isinstance(n, str) and n for n in names):
            raise TypeError(f"names must hold non-empty strings (one per input), got {names!r}.")
        if len(names) != len(inputs):
            raise ValueError(f"names has {len(names)} entries but there are {len(inputs)} inputs.")
        return names
    params = []
    if call_style(f, len(inputs)) == "arguments":
        try:
            params = [p.name for p in inspect.signature(f).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            params = []
    else:
        params = [_variable_name(v) for v in inputs]
    out = []
    for i in range(len(inputs)):
        name = params[i] if i < len(params) and params[i] else f"input {i}"
        out.append(name if name not in out else f"input {i}")
    return out


def _variable_name(v):
    name = getattr(v, "name", "") or ""
    name = name.split(":")[0]
    return "" if name in ("", "Variable") else name


def error_summary(error) -> str:
    """The first line of an error message, without TensorFlow's ``{{function_node ...}}`` prefix.

    >>> error_summary(ValueError("{{function_node __wrapped__Mul}} Incompatible shapes [Op:Mul] name: \\nmore"))
    'Incompatible shapes [Op:Mul]'
    """
    text = str(error).strip()
    first = text.splitlines()[0] if text else ""
    first = re.sub(r"\{\{[^}]*\}\}\s*", "", first)
    return re.sub(r"\s*name:\s*$", "", first).strip()


def check_callable(f, what="f"):
    if callable(f):
        return
    if isinstance(f, (tf.Tensor, np.ndarray, float, int)):
        raise TypeError(
            f"{what} must be a function, got a {type(f).__name__}. Did you call it instead of passing it? "
            f"Write check_gradients(f, x), not check_gradients(f(x), x).")
    raise TypeError(f"{what} must be a function (a callable) that takes the inputs and returns a tensor, "
                    f"got {type(f).__name__}.")


def as_input(x, index, name):
    """Validate one input; return a tf.Variable or a float tf.Tensor."""
    label = _label(index, name)
    if type(x).__module__.startswith("keras") and isinstance(getattr(x, "value", None), tf.Variable):
        x = x.value  # a Keras variable: check the TensorFlow variable inside it
    if isinstance(x, tf.Variable):
        tensor = x
    else:
        if x is None:
            raise TypeError(f"{label} is None; pass a float tensor such as tf.constant([1.0, 2.0]).")
        try:
            tensor = tf.convert_to_tensor(x)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{label} cannot be turned into a tensor ({type(x).__name__}): {error}") from None
    dtype = tensor.dtype
    if dtype == tf.string:
        raise TypeError(f"{label} is a string tensor: gradients need numbers. Pass a float tensor such as "
                        "tf.constant([1.0, 2.0]).")
    if dtype == tf.bool:
        raise TypeError(f"{label} has dtype bool: True/False values cannot change by a small step, so they "
                        "have no gradient. Pass floats, e.g. tf.cast(x, tf.float32).")
    if dtype.is_complex:
        raise TypeError(f"{label} is complex ({dtype.name}); gradient checks support real float inputs only.")
    if not dtype.is_floating:
        raise TypeError(f"{label} has dtype {dtype.name}: gradients only exist for floating-point inputs (an "
                        "integer cannot change by a small step). Pass floats, e.g. 3.0 instead of 3, "
                        "tf.constant([1.0, 2.0]) or tf.cast(x, tf.float32).")
    if tensor.shape.num_elements() == 0:
        raise ValueError(f"{label} is empty (shape {tuple(tensor.shape)}); there is nothing to check.")
    values = np.asarray(tf.convert_to_tensor(tensor))
    bad = ~np.isfinite(values)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0]) if values.ndim else ()
        what = "NaN" if np.isnan(values[where]) else "Inf"
        raise ValueError(f"{label} contains {what} (at index {where}): finite differences need finite inputs. "
                         "Check how it was computed (a log of 0? a division by 0?).")
    return tensor


def _label(index, name):
    return f"Input {index}" if name in (None, f"input {index}") else f"Input {index} ({name})"


def check_output(y, what="f"):
    """Turn f's result into a tensor, or raise an error saying what is wrong with it."""
    if isinstance(y, tf.Variable):
        y = tf.convert_to_tensor(y)
    if y is None:
        raise TypeError(f"{what} returned None: it must return a tensor. Did you forget `return`?")
    if isinstance(y, (list, tuple, dict)):
        raise TypeError(f"{what} returned a {type(y).__name__}; return a single tensor (combine several "
                        "results with tf.add_n or tf.stack, or check them one at a time).")
    if isinstance(y, (float, int, np.ndarray, np.generic)):
        kind = "NumPy array" if isinstance(y, (np.ndarray, np.generic)) else f"Python {type(y).__name__}"
        raise TypeError(f"{what} returned a {kind}, not a tensor: the result left TensorFlow (through NumPy, "
                        ".numpy() or float()), so no gradient can flow back. Use TensorFlow ops "
                        "(tf.reduce_sum, tf.sin, ...) and return the tensor.")
    if not isinstance(y, tf.Tensor):
        raise TypeError(f"{what} returned a {type(y).__name__}; it must return a tensor.")
    if not y.dtype.is_floating:
        raise TypeError(f"{what} returned a {y.dtype.name} tensor: only floating-point outputs have gradients. "
                        "Return floats (for example remove a cast to an integer type).")
    return y


def check_finite_output(y, what="f"):
    values = np.asarray(y)
    bad = ~np.isfinite(values)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0]) if values.ndim else ()
        what_value = "NaN" if np.isnan(values[where]) else "Inf"
        at = f" (element {where})" if where else ""
        raise ValueError(f"{what} is {what_value}{at} at the given inputs, so it has no derivative there. "
                         "Pick a point where it is finite (log and sqrt need positive values, "
                         "division a non-zero denominator).")


def machine_eps(dtype) -> float:
    return float(np.finfo(tf.as_dtype(dtype).as_numpy_dtype).eps)


def index_label(name, shape, flat):
    """``x[1, 2]``: the element at flat position ``flat`` of input ``name`` (the bare name for a scalar).

    >>> index_label("w", (2, 3), 4), index_label("b", (), 0)
    ('w[1, 1]', 'b')
    """
    if not shape:
        return name
    idx = np.unravel_index(int(flat), shape)
    return f"{name}[{', '.join(str(int(k)) for k in idx)}]"


def first_number(y):
    """The first element of ``y`` with 6 significant digits, for messages."""
    return significant(float(np.asarray(y, np.float64).reshape(-1)[0]), 6)
