"""Finite differences: steps, the values around a point, and the slopes they give.

Private helper of :mod:`tfedu.gradcheck`. Steps are ``eps * max(1, |x|)``,
rounded so that ``x +/- step`` is exact in the input's dtype; the perturbed
points of an input are evaluated in one call (:mod:`~tfedu.gradcheck.evaluate`).
:class:`Differences` holds the central and one-sided slopes with an estimate of
their round-off; :func:`estimate_gradient` is what
:func:`tfedu.gradcheck.numerical_gradient` returns.
"""
from __future__ import annotations

import numpy as np

import tensorflow as tf

from tfedu import _validate
from tfedu.gradcheck.inputs import index_label, machine_eps

METHODS = ("central", "forward", "backward")
# (rtol, atol) by the dtype the check runs in.
TOLERANCES = {"float64": (1e-5, 1e-8), "float32": (2e-2, 1e-3), "float16": (1e-1, 1e-2), "bfloat16": (1e-1, 1e-2)}
# Round-off of one evaluation of f, in units of eps_machine * |f|. Measured on sums of up to 3,000
# float32 terms: the largest finite-difference error is about 0.5 eps |f| / h, so 4 leaves a margin.
_NOISE = 4.0


def default_eps(dtype, method: str = "central") -> float:
    """The finite-difference step for ``dtype``: ``eps_machine ** (1/3)`` for central
    differences (it balances truncation and round-off error), ``eps_machine ** (1/2)``
    for one-sided ones. Each element's step is ``eps * max(1, |x|)``.

    >>> f"{default_eps('float64'):.2e}", f"{default_eps('float32'):.2e}", f"{default_eps('float64', 'forward'):.2e}"
    ('6.06e-06', '4.92e-03', '1.49e-08')
    >>> default_eps("int32")
    Traceback (most recent call last):
    ...
    ValueError: dtype must be a floating-point dtype (float16, bfloat16, float32 or float64), got int32: \
finite differences need values that can move by a small step.
    """
    try:
        dtype = tf.as_dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a floating-point dtype such as 'float32' or tf.float64, got "
                        f"{_validate.describe(dtype)}.") from None
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating-point dtype (float16, bfloat16, float32 or float64), got "
                         f"{dtype.name}: finite differences need values that can move by a small step.")
    _validate.choice(method, "method", METHODS)
    eps = machine_eps(dtype)
    return eps ** (1 / 3) if method == "central" else eps ** 0.5


def steps(x0, eps, dtype):
    """Per-element steps ``eps * max(1, |x|)``, rounded so that x +/- step is exact in ``dtype``."""
    np_dtype = tf.as_dtype(dtype).as_numpy_dtype
    h = eps * np.maximum(1.0, np.abs(x0))
    plus = (x0 + h).astype(np_dtype).astype(np.float64)
    minus = (x0 - h).astype(np_dtype).astype(np.float64)
    return plus - x0, x0 - minus  # actual steps (> 0)


def both_sides(problem, i, x0, s_plus, s_minus, columns=None):
    """Values at x, then with element j moved up by s_plus[j], then down by s_minus[j]."""
    columns = np.arange(len(x0)) if columns is None else columns
    return problem.values_one_hot(i, np.concatenate([columns, columns]),
                                  np.concatenate([x0[columns] + s_plus, x0[columns] - s_minus]))


class Differences:
    """Finite differences around x from values at x, x + s_plus and x - s_minus."""

    def __init__(self, values, s_plus, s_minus, eps_machine):
        k = len(s_plus)
        f0, fp, fm = values[0][None], values[1:k + 1], values[k + 1:2 * k + 1]
        sp, sm = s_plus[:, None], s_minus[:, None]
        self.s_plus, self.s_minus = sp, sm
        # Where f (or, for second order, the gradient) is NaN or infinite one step up or down.
        self.bad_plus, self.bad_minus = ~np.isfinite(fp), ~np.isfinite(fm)
        self.bad_center = ~np.isfinite(f0)  # only possible for second order: the gradient at x itself
        with np.errstate(invalid="ignore", over="ignore"):
            self.central = (fp - fm) / (sp + sm)
            self.right = (fp - f0) / sp
            self.left = (f0 - fm) / sm
            # The largest finite value: a NaN one step down must not spoil a forward difference.
            scale = np.fmax(_finite_abs(f0), np.fmax(_finite_abs(fp), _finite_abs(fm)))
            self.noise = _NOISE * eps_machine * scale / np.minimum(sp, sm)

    def estimate(self, method):
        return {"central": self.central, "forward": self.right, "backward": self.left}[method]


def _finite_abs(values):
    return np.where(np.isfinite(values), np.abs(values), np.nan)


class Projected:
    """Finite differences of ``u_k . f`` (the output direction paired with each input direction)."""

    def __init__(self, diff, out_dirs):
        def dot(a):
            return np.sum(a * out_dirs, axis=1, keepdims=True)

        with np.errstate(invalid="ignore", over="ignore"):
            self.central, self.right, self.left = dot(diff.central), dot(diff.right), dot(diff.left)
            self.noise = np.sqrt(np.sum((diff.noise * out_dirs) ** 2, axis=1, keepdims=True))
        self.s_plus, self.s_minus = diff.s_plus, diff.s_minus
        self.bad_plus = diff.bad_plus.any(axis=1, keepdims=True)
        self.bad_minus = diff.bad_minus.any(axis=1, keepdims=True)
        self.bad_center = diff.bad_center.any(axis=1, keepdims=True)

    def estimate(self, method):
        return {"central": self.central, "forward": self.right, "backward": self.left}[method]


def estimate_gradient(target, eps, method):
    """The finite-difference gradient (or Jacobian) of ``target`` for every input, as
    :func:`tfedu.gradcheck.numerical_gradient` returns it."""
    eps = float(eps) if eps is not None else default_eps(target.dtype, method)
    results = []
    for i, original_dtype in enumerate(target.input_dtypes):
        x0 = np.asarray(target.x[i], np.float64).reshape(-1)
        s_plus, s_minus = steps(x0, eps, target.x[i].dtype)
        n, columns = len(x0), np.arange(len(x0))
        if method == "central":
            values = both_sides(target, i, x0, s_plus, s_minus)
            jac = (values[1:n + 1] - values[n + 1:]) / (s_plus + s_minus)[:, None]
        elif method == "forward":
            values = target.values_one_hot(i, columns, x0 + s_plus)
            jac = (values[1:] - values[0]) / s_plus[:, None]
        else:
            values = target.values_one_hot(i, columns, x0 - s_minus)
            jac = (values[0] - values[1:]) / s_minus[:, None]
        if not np.all(np.isfinite(jac)):
            _raise_nonfinite_estimate(target, i, jac, values, method, s_plus, s_minus)
        shape = target.shapes[i] if target.out_size == 1 and not target.out_shape else (
            target.out_shape + target.shapes[i])
        results.append(tf.constant(jac.T.reshape(shape), dtype=original_dtype))
    return results[0] if len(results) == 1 else results


def _raise_nonfinite_estimate(target, i, jac, values, method, s_plus, s_minus):
    """A finite difference came out NaN or infinite: say for which element and which point caused it."""
    n = len(s_plus)
    column, out = (int(k) for k in np.argwhere(~np.isfinite(jac))[0])
    element = index_label(target.names[i], target.shapes[i], column)
    if method == "central":
        sides = [(values[1 + column], "+", s_plus[column]), (values[n + 1 + column], "-", s_minus[column])]
    elif method == "forward":
        sides = [(values[1 + column], "+", s_plus[column])]
    else:
        sides = [(values[1 + column], "-", s_minus[column])]
    bad = [(row, sign, step) for row, sign, step in sides if not np.isfinite(row[out])]
    output = "" if target.out_size == 1 else f" (output element {index_label('f', target.out_shape, out)})"
    if bad:
        row, sign, step = bad[0]
        why = (f"{target.what} is {row[out]} at {element} {sign} {step:.2g}{output}, one finite-difference step "
               "away from the given point")
    else:
        why = f"the difference of {target.what}'s values overflows{output}"
    other_side = ""
    if method == "central" and len(bad) == 1:  # the other one-sided difference stays where f is finite
        other_side = f", or method={'forward' if bad[0][1] == '-' else 'backward'!r}"
    raise ValueError(f"The numerical derivative for {element} is {jac[column, out]}: {why}. Pick a point "
                     f"further from where f is undefined (sqrt and log need positive values), or a smaller "
                     f"eps{other_side}.")
