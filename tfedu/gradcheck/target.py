"""The function being checked: ``f`` with validated inputs, in float64 when it allows it.

Private helper of :mod:`tfedu.gradcheck`. :class:`Target` calls ``f`` once with
the given inputs (saying what failed and with which shapes if it raises),
promotes the inputs to float64 when ``f`` still runs and returns float64,
refuses a function that is random, and computes the gradients autodiff gives.
"""
from __future__ import annotations

import numpy as np

import tensorflow as tf

from tfedu._diagnosis import call_style, diagnose_none_gradient
from tfedu.gradcheck.evaluate import Problem
from tfedu.gradcheck.inputs import (as_input, check_callable, check_finite_output, check_output, error_summary,
                                    first_number)
from tfedu.gradcheck.vectorize import VECTORIZE_FROM, weak


class Target(Problem):
    """``f`` with validated inputs, evaluated in float64 when it allows it.

    ``x`` are the inputs (tensors in the dtype used), ``out_shape``/``out_size``
    describe f's output and ``f0`` is the flat output at ``x``.
    """

    order = 1

    def __init__(self, f, inputs, names, *, float64=True, vectorize=True, cache=True, loop_fn=None,
                 what="f", vectorize_from=VECTORIZE_FROM, point_cost=0):
        check_callable(f, what)
        if not inputs:
            raise ValueError("Give at least one input to differentiate with respect to, e.g. "
                             "check_gradients(f, x).")
        names = list(names)
        style = call_style(f, len(inputs))
        sources, x = _sources_and_values(inputs, names, style, what)
        super().__init__(f, what=what, names=names, style=style, sources=sources, x=x, notes=[],
                         vectorize=vectorize, vectorize_from=vectorize_from, point_cost=point_cost, cache=cache)
        self.loop_fn = loop_fn or f
        self.input_dtypes = [s.dtype for s in sources]
        self._gradients = None
        y = self._first_call()
        if float64:
            y = self._promote(y)
        check_finite_output(y, f"{what}(...)")
        again = check_output(self._call(self.x), what)
        if not np.array_equal(np.asarray(y), np.asarray(again), equal_nan=True):
            raise ValueError(
                f"{what} gives different results for the same inputs ({first_number(y)} then "
                f"{first_number(again)}): it uses randomness (tf.random, Dropout with training=True, ...). "
                "Finite differences need a deterministic function: remove the randomness or fix it "
                "(for a Keras model, call it with training=False).")
        self._set_output(y, y.dtype)

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


    def _flat_factory(self):
        """A function of the argument list that does not keep ``self`` (or f) alive."""
        ref = weak(self.f)

        def flat(args):
            return tf.reshape(ref()(*args), [-1])

        return flat

    # autodiff ---------------------------------------------------------------------------

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

    def _forward_output(self, sources):
        """What forward mode differentiates: the function's output (the gradient, for second order)."""
        return self._call_at(sources)

    def diagnose(self, i):
        args = self.sources if self.style == "closure" else self.x
        return diagnose_none_gradient(self.f, *args, index=i, name=self.names[i], watched=True)


def _sources_and_values(inputs, names, style, what):
    """The validated inputs (``tf.Variable`` s stay variables) and their values as separate tensors."""
    sources = [as_input(x, i, n) for i, (x, n) in enumerate(zip(inputs, names))]
    if style == "closure":
        not_variables = [i for i, s in enumerate(sources) if not isinstance(s, tf.Variable)]
        if not_variables:
            i = not_variables[0]
            raise TypeError(
                f"{what} takes no arguments, so the inputs must be the tf.Variables it reads, but input {i} "
                f"({names[i]}) is a {type(inputs[i]).__name__}. Either let {what} take the inputs as "
                f"arguments (def {what}(x): ...) or pass tf.Variables.")
        return sources, [tf.identity(v) for v in sources]
    # tf.identity: the same tensor passed twice must still be two inputs to the tape
    return sources, [tf.identity(tf.convert_to_tensor(s)) for s in sources]
