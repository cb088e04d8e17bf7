"""Evaluating a function at many perturbed points, and its automatic derivatives.

Private helper of :mod:`tfedu.gradcheck`. A :class:`Target` holds ``f`` and its
inputs after validation (clear errors for bad input), in float64 when ``f``
allows it, and answers three questions:

* ``values_at(i, points)`` and ``values_one_hot(i, columns, values)``: ``f``
  (flattened) with input ``i`` replaced by each row of ``points``, or with one
  element changed per point, in one vectorized call (``tf.vectorized_map``
  inside a ``tf.function`` cached per ``f``, checked against ``f(x)`` so that a
  stale trace is never used) or, when ``f`` cannot be vectorized, in a loop;
* ``jacobian(i, autodiff)``: the derivative TensorFlow computes, by reverse
  mode (``GradientTape``) or forward mode (``ForwardAccumulator``);
* ``directional(i, directions, ...)``: the same along random directions.

:class:`GradientTarget` is the same for the gradient of ``f`` (second order).
"""
from __future__ import annotations

import inspect
import math
import re
import weakref

import numpy as np

import tensorflow as tf

from tfedu._diagnosis import call_style, diagnose_none_gradient, quiet_tf_logs
from tfedu._validate import describe

#: Fewer perturbed points than this are evaluated in a plain loop (no tracing).
VECTORIZE_FROM = 16
#: Largest number of elements (points x (input + output + ``point_cost``)) in one vectorized call.
BATCH_ELEMENTS = 4_000_000
#: Most points in one vectorized call: f's intermediate tensors grow with it, and f's size is unknown.
BATCH_POINTS = 2048

# f -> {key: tf.function}: vectorized evaluators reused across checks of the same f.
_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class NotVectorizable(Exception):
    """The vectorized evaluation failed or disagreed with f; use the loop."""


# --- validation ------------------------------------------------------------------------

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


# --- the function being checked --------------------------------------------------------

class Target:
    """``f`` with validated inputs, evaluated in float64 when it allows it.

    ``x`` are the inputs (tensors in the dtype used), ``out_shape``/``out_size``
    describe f's output and ``f0`` is the flat output at ``x``.
    """

    order = 1

    def __init__(self, f, inputs, names, *, float64=True, vectorize=True, cache=True, loop_fn=None,
                 what="f", vectorize_from=VECTORIZE_FROM, point_cost=0):
        check_callable(f, what)
        if not inputs:
            raise ValueError(f"Give at least one input to differentiate with respect to, e.g. "
                             f"check_gradients(f, x).")
        self.f = f
        self.what = what
        self.names = list(names)
        self.style = call_style(f, len(inputs))
        self.vectorize = vectorize
        self.vectorize_from = vectorize_from
        self.point_cost = point_cost  # elements f allocates per point, beyond input and output
        self.cache = cache
        self.loop_fn = loop_fn or f
        self.notes = []
        self._fns = {}
        self._gradients = None
        self.sources = [as_input(x, i, n) for i, (x, n) in enumerate(zip(inputs, self.names))]
        self.input_dtypes = [s.dtype for s in self.sources]
        if self.style == "closure":
            not_variables = [i for i, s in enumerate(self.sources) if not isinstance(s, tf.Variable)]
            if not_variables:
                i = not_variables[0]
                raise TypeError(
                    f"{what} takes no arguments, so the inputs must be the tf.Variables it reads, but input {i} "
                    f"({self.names[i]}) is a {type(inputs[i]).__name__}. Either let {what} take the inputs as "
                    f"arguments (def {what}(x): ...) or pass tf.Variables.")
            self.x = [tf.identity(v) for v in self.sources]
        else:
            # tf.identity: the same tensor passed twice must still be two inputs to the tape
            self.x = [tf.identity(tf.convert_to_tensor(s)) for s in self.sources]
        y = self._first_call()
        if float64:
            y = self._promote(y)
        check_finite_output(y, f"{what}(...)")
        again = check_output(self._call(self.x), what)
        if not np.array_equal(np.asarray(y), np.asarray(again), equal_nan=True):
            raise ValueError(
                f"{what} gives different results for the same inputs ({_first_number(y)} then "
                f"{_first_number(again)}): it uses randomness (tf.random, Dropout with training=True, ...). "
                "Finite differences need a deterministic function: remove the randomness or fix it "
                "(for a Keras model, call it with training=False).")
        self.out_shape = tuple(y.shape)
        self.out_size = max(1, int(np.prod(self.out_shape)))
        self.dtype = tf.as_dtype(y.dtype)
        self.f0 = np.asarray(y, dtype=np.float64).reshape(-1)
        self.shapes = [tuple(x.shape) for x in self.x]
        self.sizes = [max(1, int(np.prod(s))) for s in self.shapes]

    # calling f ------------------------------------------------------------------------

    def _call(self, args):
        if self.style == "closure":
            for v, value in zip(self.sources, args):
                v.assign(value)
            try:
                return self.f()
            finally:
                for v, value in zip(self.sources, self.x):
                    v.assign(value)
        return self.f(*args)

    def _first_call(self):
        shapes = ", ".join(f"{n} {tuple(x.shape)} {x.dtype.name}" for n, x in zip(self.names, self.x))
        try:
            y = self._call(self.x)
        except Exception as error:  # noqa: BLE001 - explain any failure of the user's function
            first = error_summary(error)
            hint = ""
            if "double tensor" in first or "float tensor" in first:
                hint = (" NumPy arrays are float64 by default and TensorFlow constants float32: make them "
                        "match, e.g. np.array(..., dtype='float32') or tf.constant(..., tf.float64).")
            raise ValueError(
                f"Calling {self.what} with the given inputs failed ({type(error).__name__}: {first}). "
                f"Check that the inputs have the shapes and dtypes {self.what} expects: {shapes}.{hint}") from error
        return check_output(y, self.what)

    def _promote(self, y):
        """Switch to float64 inputs if f runs (and returns float64) with them."""
        if all(d == tf.float64 for d in self.input_dtypes):
            return y
        if self.style == "closure":
            self.notes.append(
                f"{self.what} reads {self.input_dtypes[0].name} variables directly, so the check ran in "
                f"{y.dtype.name}, where "
                "round-off limits finite differences to a few significant digits; tolerances are looser. "
                "Create the variables with dtype=tf.float64 (or pass their values as arguments) for a "
                "sharper check.")
            return y
        x64 = [tf.cast(x, tf.float64) for x in self.x]
        try:
            with tf.GradientTape() as tape:
                tape.watch(x64)
                y64 = check_output(self._call(x64), self.what)
        except Exception:  # noqa: BLE001 - f mixes in float32 tensors: stay in the given dtype
            reason = "it mixes in float32 tensors or variables"
        else:
            if y64.dtype == tf.float64:
                try:
                    tape.gradient(y64, x64)  # a custom gradient may only work in the given dtype
                except Exception:  # noqa: BLE001
                    reason = "its gradient fails for float64 inputs, e.g. a custom gradient with float32 constants"
                else:
                    self.x = x64
                    return y64
            else:
                reason = f"it returns {y64.dtype.name} even for float64 inputs, so something inside casts"
        self.notes.append(
            f"{self.what} does not run in float64 ({reason}), so the check ran in {y.dtype.name}, where "
            "round-off limits finite differences to a few significant digits; tolerances are looser. "
            "Make every tensor it uses float64 for a sharper check.")
        return y

    def flat(self, args):
        """f's output at ``args``, flattened (a tensor)."""
        return tf.reshape(self._call(args), [-1])

    def _loop_flat(self, args):
        if self.loop_fn is self.f or self.style == "closure":
            return self.flat(args)
        return tf.reshape(self.loop_fn(*args), [-1])

    # many points ----------------------------------------------------------------------

    def values_at(self, i, points):
        """Flat outputs at x with input ``i`` replaced by each row of ``points``: ``(1 + k, m)``, row 0 at x."""
        points = np.asarray(points, dtype=np.float64).reshape((-1,) + self.shapes[i])
        return self._evaluate(i, "dense", (points,), len(points))

    def values_one_hot(self, i, columns, new_values):
        """Like :meth:`values_at` for points that differ from x in one element each: element
        ``columns[k]`` (flat index) of input ``i`` set to ``new_values[k]``. No ``(k, n)`` array is
        built in Python; a vectorized call builds the points inside the graph."""
        columns = np.asarray(columns, dtype=np.int64)
        new_values = np.asarray(new_values, dtype=np.float64)
        return self._evaluate(i, "one_hot", (columns, new_values), len(columns))

    def _evaluate(self, i, kind, data, count):
        if self.vectorize and self.style == "arguments" and count >= self.vectorize_from:
            try:
                return self._values_vectorized(i, kind, data, count)
            except Exception:  # noqa: BLE001 - f runs Python code a traced function cannot run
                pass
            self.vectorize = False
            self.notes.append(f"{self.what} could not be vectorized (it runs Python or NumPy code on tensors), "
                              "so each perturbed point was evaluated in a Python loop (slower, same result).")
        return self._values_loop(i, kind, data, count)

    def _point(self, i, kind, data, k):
        if kind == "dense":
            return data[0][k]
        point = np.asarray(self.x[i], dtype=np.float64).reshape(-1).copy()
        point[data[0][k]] = data[1][k]
        return point.reshape(self.shapes[i])

    def _values_loop(self, i, kind, data, count):
        rows = [self.f0]
        dtype = self.x[i].dtype
        for k in range(count):
            args = list(self.x)
            args[i] = tf.constant(self._point(i, kind, data, k), dtype=dtype)
            rows.append(np.asarray(self._loop_flat(args), dtype=np.float64))
        return np.stack(rows)

    def _vectorized_fn(self, i, kind, fresh=False):
        key = (self.order, kind, i, len(self.x))
        store = self._fns
        if self.cache:
            try:
                store = _CACHE.setdefault(self.f, {})
            except TypeError:  # f cannot be weakly referenced: keep the function for this check only
                store = self._fns
        if fresh or key not in store:
            store[key] = _make_vectorized(self._flat_factory(), i, kind)
        return store[key]

    def _flat_factory(self):
        """A function of the argument list that does not keep ``self`` (or f) alive."""
        ref = _weak(self.f)

        def flat(args):
            return tf.reshape(ref()(*args), [-1])

        return flat

    def _values_vectorized(self, i, kind, data, count):
        dtype = self.x[i].dtype
        x0 = self.x[i]
        others = [x for j, x in enumerate(self.x) if j != i]
        per_point = self.sizes[i] + self.out_size + self.point_cost
        chunk = int(max(1, min(count, BATCH_POINTS, BATCH_ELEMENTS // per_point - 1)))
        fn = self._vectorized_fn(i, kind)
        rows, retried, start = [], False, 0
        while start < count:
            stop = min(start + chunk, count)
            padding = chunk - (stop - start)  # pad the last chunk: same shape, no new trace
            if kind == "dense":
                x0_row = np.asarray(x0, dtype=np.float64)[None]
                batch = np.concatenate([x0_row, data[0][start:stop], np.repeat(x0_row, padding, axis=0)])
                args = (tf.constant(batch, dtype=dtype),)
            else:  # column -1 leaves x unchanged: the guard row and the padding
                columns = np.concatenate([[-1], data[0][start:stop], np.full(padding, -1)])
                values = np.concatenate([[0.0], data[1][start:stop], np.zeros(padding)])
                args = (tf.constant(columns, tf.int64), tf.constant(values, dtype=dtype), x0)
            with quiet_tf_logs():
                out = np.asarray(fn(*args, others), dtype=np.float64).reshape(chunk + 1, -1)
            if not self._agrees(out[0]):
                if retried:
                    raise NotVectorizable("the vectorized function does not reproduce f(x)")
                fn, retried = self._vectorized_fn(i, kind, fresh=True), True  # stale trace: trace again
                continue
            rows.append(out[1:1 + stop - start])
            start = stop
        return np.concatenate([self.f0[None], *rows])

    def _agrees(self, row0):
        if row0.shape != self.f0.shape:
            return False
        tol = math.sqrt(machine_eps(self.dtype))
        finite = np.isfinite(self.f0)
        scale = max(1.0, float(np.max(np.abs(self.f0[finite]), initial=0.0)))
        same_nonfinite = ~finite & ((row0 == self.f0) | (np.isnan(row0) & np.isnan(self.f0)))
        with np.errstate(invalid="ignore"):
            close = np.abs(row0 - self.f0) <= tol * scale
        return bool(np.all(close | same_nonfinite))

    # autodiff ---------------------------------------------------------------------------

    def _watched(self, tape, args=None):
        if self.style == "closure":
            for v in self.sources:
                tape.watch(v)
            return list(self.sources)
        args = list(self.x if args is None else args)
        tape.watch(args)
        return args

    def gradients(self):
        """First-order gradients (of the sum of the outputs) for every input; None where TF has none.

        Computed once (one backward pass) and reused by the reverse-mode checks of a scalar ``f``.
        """
        if self._gradients is None:
            self._gradients = self._compute_gradients()
        return self._gradients

    def _compute_gradients(self):
        with tf.GradientTape() as tape:
            sources = self._watched(tape)
            y = self._call_at(sources)
        try:
            return tape.gradient(y, sources)
        except Exception as error:  # noqa: BLE001 - a broken custom gradient: say where it failed
            first = error_summary(error)
            raise ValueError(
                f"{self.what} runs, but computing its gradient with tf.GradientTape failed "
                f"({type(error).__name__}: {first}). If it uses tf.custom_gradient, check that the gradient "
                "function returns one tensor per input, with the input's shape and dtype.") from error

    def _call_at(self, sources):
        return self.f() if self.style == "closure" else self.f(*sources)

    def jacobian(self, i, autodiff="reverse"):
        """The derivative of the flat output with respect to input ``i``: ``(m, n_i)``."""
        if autodiff == "forward":
            return self._forward(i, None).T
        if self.out_size == 1:
            grad = self.gradients()[i]
            return None if grad is None else np.asarray(grad, np.float64).reshape(1, -1)
        with tf.GradientTape(persistent=True) as tape:
            sources = self._watched(tape)
            y = self._call_at(sources)
        try:
            jac = tape.jacobian(y, sources[i])
        except Exception:  # noqa: BLE001 - an op pfor cannot vectorize: one backward pass per output
            jac = tape.jacobian(y, sources[i], experimental_use_pfor=False)
        return None if jac is None else np.asarray(jac, np.float64).reshape(self.out_size, -1)

    def directional(self, i, directions, out_directions, autodiff="reverse"):
        """Autodiff derivatives along ``directions`` ``(K, n_i)``.

        Reverse mode gives ``u_k . (J v_k)`` for output directions ``u_k`` (one
        backward pass each): shape ``(K, 1)``. Forward mode gives ``J v_k``:
        shape ``(K, m)``.
        """
        if autodiff == "forward":
            return self._forward(i, directions)
        if self.out_size == 1:  # one gradient serves every direction (u_k = 1)
            grad = np.asarray(self.gradients()[i], np.float64).reshape(-1)
            return (np.asarray(directions, np.float64) @ grad)[:, None] * np.asarray(out_directions)[:, :1]
        with tf.GradientTape(persistent=True) as tape:
            sources = self._watched(tape)
            y = self._call_at(sources)
        out = []
        for v, u in zip(directions, out_directions):
            weights = tf.constant(u.reshape(self.out_shape), dtype=y.dtype)
            grad = tape.gradient(y, sources[i], output_gradients=weights)
            out.append([float(np.dot(np.asarray(grad, np.float64).reshape(-1), v))])
        return np.asarray(out)

    def _forward(self, i, tangents):
        """Forward-mode JVPs ``J t`` for each row of ``tangents`` (``None``: every basis vector): ``(K, m)``."""
        dtype = self.x[i].dtype
        shape = self.shapes[i]

        def jvp(t):
            t = tf.reshape(tf.cast(t, dtype), shape)
            sources = list(self.sources) if self.style == "closure" else list(self.x)
            with tf.autodiff.ForwardAccumulator(sources[i], t) as acc:
                y = self._forward_output(sources)
            out = acc.jvp(y, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            return tf.reshape(out, [-1])

        return _map_rows(jvp, tangents, self.sizes[i], self.out_size + self.point_cost,
                         self.style == "arguments" and self.vectorize, self.vectorize_from)

    def _forward_output(self, sources):
        """What forward mode differentiates: the function's output (the gradient, for second order)."""
        return self._call_at(sources)

    def diagnose(self, i):
        args = self.sources if self.style == "closure" else self.x
        return diagnose_none_gradient(self.f, *args, index=i, name=self.names[i], watched=True)


class GradientTarget(Target):
    """The flat gradient of a :class:`Target`'s function, for second-order checks."""

    order = 2

    def __init__(self, base: Target):  # noqa: super().__init__ would call f again
        self.__dict__.update(base.__dict__)
        self.base = base
        self._fns = {}
        self._gradients = base.gradients()
        self.notes = base.notes
        grads = self._gradient_list(self.x if self.style == "arguments" else self.sources)
        self.f0 = np.concatenate([np.asarray(g, np.float64).reshape(-1) for g in grads])
        self.out_shape = (len(self.f0),)
        self.out_size = len(self.f0)

    def _gradient_list(self, sources):
        with tf.GradientTape() as tape:
            tape.watch(sources)
            y = self._call_at(sources)
        return tape.gradient(y, sources, unconnected_gradients=tf.UnconnectedGradients.ZERO)

    def flat(self, args):
        if self.style == "closure":
            for v, value in zip(self.sources, args):
                v.assign(value)
            try:
                return tf.concat([tf.reshape(g, [-1]) for g in self._gradient_list(self.sources)], 0)
            finally:
                for v, value in zip(self.sources, self.x):
                    v.assign(value)
        return tf.concat([tf.reshape(g, [-1]) for g in self._gradient_list(list(args))], 0)

    def _loop_flat(self, args):
        return self.flat(args)

    def _flat_factory(self):
        ref = _weak(self.f)

        def flat(args):
            args = list(args)
            with tf.GradientTape() as tape:
                tape.watch(args)
                y = ref()(*args)
            grads = tape.gradient(y, args, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            return tf.concat([tf.reshape(g, [-1]) for g in grads], 0)

        return flat

    def jacobian(self, i, autodiff="reverse"):
        if autodiff == "forward":
            return self._forward(i, None).T
        with tf.GradientTape(persistent=True) as outer:
            sources = self._watched(outer)
            g = tf.concat([tf.reshape(t, [-1]) for t in self._gradient_list(sources)], 0)
        try:
            jac = outer.jacobian(g, sources[i], unconnected_gradients=tf.UnconnectedGradients.ZERO)
        except Exception:  # noqa: BLE001
            jac = outer.jacobian(g, sources[i], unconnected_gradients=tf.UnconnectedGradients.ZERO,
                                 experimental_use_pfor=False)
        return np.asarray(jac, np.float64).reshape(self.out_size, -1)

    def directional(self, i, directions, out_directions, autodiff="reverse"):
        """Hessian-vector products ``H[:, i] v_k``: ``(K, m)``.

        Reverse over reverse differentiates ``g_i . v`` (which gives the same
        vector because a Hessian is symmetric); forward over reverse pushes
        the tangent ``v`` through the gradient computation.
        """
        if autodiff == "forward":
            return self._forward(i, directions)
        out = []
        with tf.GradientTape(persistent=True) as outer:
            sources = self._watched(outer)
            grads = self._gradient_list(sources)
            dots = [tf.reduce_sum(grads[i] * tf.constant(v.reshape(self.shapes[i]), dtype=grads[i].dtype))
                    for v in directions]
        for dot in dots:
            hv = outer.gradient(dot, sources, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            out.append(np.concatenate([np.asarray(h, np.float64).reshape(-1) for h in hv]))
        return np.asarray(out)

    def _forward_output(self, sources):
        grads = self._gradient_list(sources)
        return tf.concat([tf.reshape(h, [-1]) for h in grads], 0)


def _weak(f):
    try:
        return weakref.ref(f)
    except TypeError:
        return lambda: f


def _make_vectorized(flat, i, kind):
    """A tf.function evaluating ``flat`` on a batch of points for input ``i`` with ``tf.vectorized_map``."""
    def call(point, others):
        args = list(others)
        args.insert(i, point)
        return flat(args)

    if kind == "dense":
        def run(points, others):
            return tf.vectorized_map(lambda point: call(point, others), points)
    else:
        def run(columns, values, x0, others):
            flat_x0 = tf.reshape(x0, [-1])
            positions = tf.range(tf.size(flat_x0, out_type=tf.int64), dtype=tf.int64)

            def one(column_value):
                column, value = column_value
                point = tf.where(tf.equal(positions, column), value, flat_x0)
                return call(tf.reshape(point, tf.shape(x0)), others)

            return tf.vectorized_map(one, (columns, values))

    return tf.function(run)


def _map_rows(fn, tangents, n, width, vectorize, vectorize_from):
    """``fn`` on each tangent: rows of a NumPy array, or ``None`` for the ``n`` basis vectors
    (built chunk by chunk, never as an ``n x n`` matrix). Vectorized in chunks when worthwhile,
    else a loop. Returns ``(count, width)``."""
    count = n if tangents is None else len(tangents)

    def rows(start, stop):
        if tangents is not None:
            return np.asarray(tangents[start:stop], dtype=np.float64)
        block = np.zeros((stop - start, n))
        block[np.arange(stop - start), np.arange(start, stop)] = 1.0
        return block

    if vectorize and count >= vectorize_from:
        chunk = int(max(1, min(count, BATCH_POINTS, BATCH_ELEMENTS // (n + width))))
        mapped = tf.function(lambda r: tf.vectorized_map(fn, r))
        try:
            out = []
            for start in range(0, count, chunk):
                block = rows(start, min(start + chunk, count))
                padded = np.concatenate([block, np.zeros((chunk - len(block), n))])
                with quiet_tf_logs():
                    out.append(np.asarray(mapped(tf.constant(padded)), np.float64)[:len(block)])
            return np.concatenate(out)
        except Exception:  # noqa: BLE001 - fall back to the loop below
            pass
    return np.stack([np.asarray(fn(tf.constant(r)), np.float64) for r in rows(0, count)])


def _first_number(y):
    value = float(np.asarray(y, np.float64).reshape(-1)[0])
    return f"{value:.6g}"
