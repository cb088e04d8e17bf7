"""Evaluating a function at many perturbed points, and its automatic derivatives.

Private helper of :mod:`tfedu.gradcheck`. A :class:`Problem` is a function of
some inputs that answers three questions:

* ``values_at(i, points)`` and ``values_one_hot(i, columns, values)``: the
  function (flattened) with input ``i`` replaced by each row of ``points``, or
  with one element changed per point, in one vectorized call
  (:mod:`~tfedu.gradcheck.vectorize`, checked against the value at ``x`` so
  that a stale trace is never used) or, when it cannot be vectorized, in a loop;
* ``jacobian(i, autodiff)``: the derivative TensorFlow computes, by reverse
  mode (``GradientTape``) or forward mode (``ForwardAccumulator``);
* ``directional(i, directions, ...)``: the same along random directions.

Two problems are checked: :class:`~tfedu.gradcheck.target.Target` is ``f``
itself, with its inputs validated and in float64 when ``f`` allows it;
:class:`~tfedu.gradcheck.second_order.GradientTarget` is the gradient of ``f``
(second-order checks).
"""
from __future__ import annotations

import math

import numpy as np

import tensorflow as tf

from tfedu._runtime import quiet_tf_logs
from tfedu.gradcheck.inputs import machine_eps
from tfedu.gradcheck.vectorize import (BATCH_ELEMENTS, BATCH_POINTS, CACHE, VECTORIZE_FROM, NotVectorizable,
                                       make_vectorized, map_rows)


class Problem:
    """A function of ``x`` (one tensor per input) whose flat output is ``f0`` at ``x``.

    Subclasses say what the function is (:meth:`flat`, :meth:`_flat_factory`,
    :meth:`_forward_output`) and how TensorFlow differentiates it
    (:meth:`jacobian`, :meth:`directional`); this class evaluates it at many
    points. ``style`` is how ``f`` takes its inputs: ``"arguments"``
    (``f(*x)``) or ``"closure"`` (``f()`` reads the ``tf.Variable`` ``sources``).
    ``notes`` is the list of remarks for the report (shared with the target a
    second-order problem is built from).
    """

    order = 1

    def __init__(self, f, *, what, names, style, sources, x, notes, vectorize=True,
                 vectorize_from=VECTORIZE_FROM, point_cost=0, cache=True):
        self.f = f
        self.what = what
        self.names = list(names)
        self.style = style
        self.sources = sources
        self.x = x
        self.notes = notes
        self.vectorize = vectorize
        self.vectorize_from = vectorize_from
        self.point_cost = point_cost  # elements f allocates per point, beyond input and output
        self.cache = cache
        self.shapes = [tuple(v.shape) for v in x]
        self.sizes = [max(1, int(np.prod(s))) for s in self.shapes]
        self.f0 = self.out_shape = self.out_size = self.dtype = None
        self._fns = {}

    def _set_output(self, y, dtype):
        """Record the function's value at ``x`` (a tensor or array) and the dtype the check runs in."""
        self.out_shape = tuple(y.shape)
        self.out_size = max(1, int(np.prod(self.out_shape)))
        self.dtype = tf.as_dtype(dtype)
        self.f0 = np.asarray(y, dtype=np.float64).reshape(-1)

    # what the function is (subclasses) ----------------------------------------------------

    def flat(self, args):
        """The function's output at ``args``, flattened (a tensor)."""
        raise NotImplementedError

    def _loop_flat(self, args):
        return self.flat(args)

    def _flat_factory(self):
        """A function of the argument list, for tracing, that does not keep ``self`` (or f) alive."""
        raise NotImplementedError

    def _forward_output(self, sources):
        """What forward mode differentiates: the function's output at ``sources``."""
        raise NotImplementedError

    def jacobian(self, i, autodiff="reverse"):
        """The derivative of the flat output with respect to input ``i``: ``(m, n_i)``."""
        raise NotImplementedError

    def directional(self, i, directions, out_directions, autodiff="reverse"):
        """Autodiff derivatives along ``directions`` ``(K, n_i)``."""
        raise NotImplementedError

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
                store = CACHE.setdefault(self.f, {})
            except TypeError:  # f cannot be weakly referenced: keep the function for this check only
                store = self._fns
        if fresh or key not in store:
            store[key] = make_vectorized(self._flat_factory(), i, kind)
        return store[key]

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

    # autodiff ---------------------------------------------------------------------------

    def _watched(self, tape, args=None):
        if self.style == "closure":
            for v in self.sources:
                tape.watch(v)
            return list(self.sources)
        args = list(self.x if args is None else args)
        tape.watch(args)
        return args

    def _call_at(self, sources):
        return self.f() if self.style == "closure" else self.f(*sources)

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

        return map_rows(jvp, tangents, self.sizes[i], self.out_size + self.point_cost,
                        self.style == "arguments" and self.vectorize, self.vectorize_from)
