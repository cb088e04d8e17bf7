"""The comparison behind :mod:`tfedu.gradcheck`: finite differences, errors, kinks, rows.

Private helper. For each input, :func:`check_target` evaluates ``f`` at ``x``
and at ``x +/- h`` (one element at a time in full mode, along random
directions in fast mode), forms central and one-sided differences, estimates
their round-off, compares them with autodiff, and re-examines suspicious
elements at half the step to tell a kink (slopes from the left and right
differ, whatever the step) from a wrong gradient. The result is a
:class:`~tfedu._gradcheck_report.GradCheckReport`.
"""
from __future__ import annotations

import math

import numpy as np

from tfedu import _validate
from tfedu._gradcheck_eval import GradientTarget, machine_eps, tf
from tfedu._gradcheck_report import ElementCheck, GradCheckReport, GradientRow

METHODS = ("central", "forward", "backward")
# (rtol, atol) by the dtype the check runs in.
TOLERANCES = {"float64": (1e-5, 1e-8), "float32": (2e-2, 1e-3), "float16": (1e-1, 1e-2), "bfloat16": (1e-1, 1e-2)}
# Round-off of one evaluation of f, in units of eps_machine * |f|. Measured on sums of up to 3,000
# float32 terms: the largest finite-difference error is about 0.5 eps |f| / h, so 4 leaves a margin.
_NOISE = 4.0
# One-sided slopes that differ by more than this (relative) make an element worth a second look.
_KINK_GAP = 1e-2

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


# --- finite differences ------------------------------------------------------------------

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


class _Differences:
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


def _errors(a, n, floor, rtol):
    with np.errstate(invalid="ignore", over="ignore"):
        abs_error = np.abs(a - n)
        rel_error = abs_error / np.maximum(np.maximum(np.abs(a), np.abs(n)), floor / rtol)
    return abs_error, rel_error


# --- the check -------------------------------------------------------------------------------

class Settings:
    """The options of one check, with defaults filled in from the dtype it runs in."""

    def __init__(self, *, mode, order, method, eps, rtol, atol, directions, seed, forward_mode, dtype):
        self.mode, self.order, self.method = mode, order, method
        self.eps = float(eps) if eps is not None else default_eps(dtype, method)
        default_rtol, default_atol = TOLERANCES.get(tf.as_dtype(dtype).name, TOLERANCES["float32"])
        self.rtol = float(rtol) if rtol is not None else default_rtol
        self.atol = float(atol) if atol is not None else default_atol
        self.directions, self.seed = directions, seed
        self.autodiff = ["reverse", "forward"] if forward_mode else ["reverse"]
        self.eps_machine = machine_eps(dtype)


def check_target(target, settings, *, subject, kind):
    """Compare autodiff with finite differences for every input of ``target``."""
    if settings.order == 2 and target.out_size != 1:
        raise ValueError(f"order=2 checks the Hessian of a scalar function, but {target.what} returns shape "
                         f"{target.out_shape}; reduce it first, e.g. lambda x: tf.reduce_sum(f(x)).")
    grads = target.gradients()
    problem = target if settings.order == 1 else GradientTarget(target)
    rows = []
    for i, grad in enumerate(grads):
        name, shape = target.names[i], target.shapes[i]
        if grad is None:
            rows.append(GradientRow(name, shape, "none", diagnosis=target.diagnose(i)))
            continue
        if settings.mode == "full":
            rows += _full_rows(problem, i, settings)
        else:
            rows += _fast_rows(problem, i, settings)
    notes = list(target.notes)
    by_input = {}
    for row in rows:
        by_input.setdefault(row.name, {})[row.autodiff.split("-")[0]] = row.passed
    only_reverse = [name for name, modes in by_input.items() if modes.get("forward") and not modes.get("reverse")]
    if only_reverse:
        notes.append(f"forward mode agrees with finite differences but reverse mode does not (for "
                     f"{', '.join(only_reverse)}): the bug is in a gradient used only by reverse mode, typically "
                     "a tf.custom_gradient function, which forward mode does not call.")
    return GradCheckReport(
        tuple(rows), mode=settings.mode, dtype=problem.dtype.name, eps=settings.eps, rtol=settings.rtol,
        atol=settings.atol, method=settings.method, order=settings.order,
        directions=settings.directions if settings.mode == "fast" else 0, seed=settings.seed,
        subject=subject, kind=kind, notes=tuple(dict.fromkeys(notes)))


def _full_rows(problem, i, s):
    x0 = np.asarray(problem.x[i], np.float64).reshape(-1)
    s_plus, s_minus = steps(x0, s.eps, problem.x[i].dtype)
    diff = _Differences(both_sides(problem, i, x0, s_plus, s_minus), s_plus, s_minus, s.eps_machine)

    np_dtype = problem.x[i].dtype.as_numpy_dtype

    def half_step(columns):
        plus_values = (x0[columns] + s_plus[columns] / 2).astype(np_dtype).astype(np.float64)
        minus_values = (x0[columns] - s_minus[columns] / 2).astype(np_dtype).astype(np.float64)
        half_plus, half_minus = plus_values - x0[columns], x0[columns] - minus_values
        values = both_sides(problem, i, x0, half_plus, half_minus, columns)
        return _Differences(values, half_plus, half_minus, s.eps_machine)

    rows = []
    for autodiff in s.autodiff:
        jac = problem.jacobian(i, autodiff)
        labels = _FullLabels(problem, i)
        rows.append(_compare_row(problem, i, jac.T, diff, half_step, labels, s, autodiff, "elements"))
    return rows


def _fast_rows(problem, i, s):
    rng = np.random.default_rng([s.seed, i])
    n = problem.sizes[i]
    x0 = np.asarray(problem.x[i], np.float64).reshape(-1)
    np_dtype = problem.x[i].dtype.as_numpy_dtype
    raw = rng.standard_normal((s.directions, n))
    raw /= np.linalg.norm(raw, axis=1, keepdims=True)
    out_dirs = rng.standard_normal((s.directions, problem.out_size))
    out_dirs /= np.linalg.norm(out_dirs, axis=1, keepdims=True)
    if problem.out_size == 1:
        out_dirs = np.ones_like(out_dirs)
    h = s.eps * max(1.0, float(np.sqrt(np.mean(x0 ** 2))))
    plus = (x0 + h * raw).astype(np_dtype).astype(np.float64)
    minus = (x0 - h * raw).astype(np_dtype).astype(np.float64)
    directions = (plus - minus) / (2 * h)  # the directions actually taken, after rounding
    step = np.full(s.directions, h)
    diff = _Differences(problem.values_at(i, np.concatenate([plus, minus])), step, step, s.eps_machine)

    def half_step(columns):
        hp = (x0 + h / 2 * directions[columns]).astype(np_dtype).astype(np.float64)
        hm = (x0 - h / 2 * directions[columns]).astype(np_dtype).astype(np.float64)
        half = np.full(len(columns), h / 2)
        return _Differences(problem.values_at(i, np.concatenate([hp, hm])), half, half, s.eps_machine)

    rows = []
    for autodiff in s.autodiff:
        value = problem.directional(i, directions, out_dirs, autodiff)
        labels = _FastLabels(problem, value.shape[1])
        projected = diff if value.shape[1] == problem.out_size else _Projected(diff, out_dirs)
        half = half_step if value.shape[1] == problem.out_size else (
            lambda columns: _Projected(half_step(columns), out_dirs[columns]))
        locate = _locate_nonfinite_gradient(problem, i, autodiff) if not np.all(np.isfinite(value)) else ""
        rows.append(_compare_row(problem, i, value, projected, half, labels, s, autodiff, "directions", locate))
    return rows


def _locate_nonfinite_gradient(problem, i, autodiff):
    """In fast mode a NaN directional derivative mixes all elements: name the elements of the (first-order,
    reverse-mode) gradient that are not finite, or ``""``."""
    if problem.order != 1 or autodiff != "reverse":
        return ""
    values = np.asarray(problem.gradients()[i], np.float64).reshape(-1)
    bad = np.flatnonzero(~np.isfinite(values))
    if not len(bad):
        return ""
    labels = [_index(problem.names[i], problem.shapes[i], k) for k in bad[:3]]
    more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
    return f"the autodiff gradient is {values[bad[0]]} at {', '.join(labels)}{more}"


class _Projected:
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


@np.errstate(invalid="ignore", over="ignore", divide="ignore")  # NaN and inf are handled explicitly
def _compare_row(problem, i, autodiff_values, diff, half_step, labels, s, autodiff, unit, locate=""):
    """One :class:`GradientRow`: compare, then re-examine suspicious elements at half the step.

    A value that is NaN or infinite (autodiff, or the finite difference because ``f`` is not finite
    one step away) never passes: its status is ``"nonfinite"``.
    """
    a = autodiff_values
    numerical = diff.estimate(s.method).copy()
    floor = np.maximum(s.atol, diff.noise)
    abs_error, rel_error = _errors(a, numerical, floor, s.rtol)
    wrong = ~(rel_error <= s.rtol)  # a NaN error is never within tolerance
    gap = np.abs(diff.right - diff.left)
    steep = np.maximum(np.abs(diff.right), np.abs(diff.left))
    suspicious = wrong | ((gap > _KINK_GAP * steep) & (gap > 10 * floor))
    status = np.where(wrong, "wrong", "ok").astype(object)
    columns = np.flatnonzero(suspicious.any(axis=1))
    if len(columns):
        half = half_step(columns)
        sub = (columns, slice(None))
        h_floor = np.maximum(s.atol, half.noise)
        h_abs, h_rel = _errors(a[sub], half.estimate(s.method), h_floor, s.rtol)
        passes_half = h_rel <= s.rtol
        g, half_gap = gap[sub], np.abs(half.right - half.left)
        big_gap = (g > 10 * floor[sub]) & (g > _KINK_GAP * steep[sub])
        ratio = np.divide(half_gap, g, out=np.zeros_like(g), where=g > 0)
        at_point = big_gap & (ratio > 0.7)
        lo = np.minimum(diff.left[sub], diff.right[sub])
        hi = np.maximum(diff.left[sub], diff.right[sub])
        tol = np.maximum(s.rtol * steep[sub], floor[sub])
        between = (a[sub] >= lo - tol) & (a[sub] <= hi + tol)
        new = status[sub].copy()
        new[at_point & between] = np.where(ratio[at_point & between] > 1.5, "jump", "kink")
        near = wrong[sub] & ~at_point & passes_half
        new[near & big_gap] = "kink"  # a kink within one step of x
        truncation = near & ~big_gap  # agrees at a smaller step: the step was too large here
        new[truncation] = "ok"
        status[sub] = new
        abs_error[sub] = np.where(truncation, h_abs, abs_error[sub])
        rel_error[sub] = np.where(truncation, h_rel, rel_error[sub])
        numerical[sub] = np.where(truncation, half.estimate(s.method), numerical[sub])
    overflow = ~np.isfinite(floor) & np.isfinite(a) & np.isfinite(numerical) & ~diff.bad_center
    nonfinite = ~np.isfinite(a) | ~np.isfinite(numerical) | diff.bad_center | overflow
    status[nonfinite] = "nonfinite"
    failed = np.isin(status, ["wrong", "nonfinite"])
    kinks = np.isin(status, ["kink", "jump"])
    counted = ~kinks & ~nonfinite
    if nonfinite.any():  # the error is unbounded: never report a small maximum for a failed check
        max_abs = max_rel = math.inf
    else:
        max_abs = float(abs_error[counted].max()) if counted.any() else math.nan
        max_rel = float(rel_error[counted].max()) if counted.any() else math.nan
    sort_rel = np.where(np.isnan(rel_error), np.inf, rel_error)
    order = np.lexsort((-sort_rel.ravel(), ~kinks.ravel(), ~failed.ravel(), ~nonfinite.ravel()))
    shown = [k for k in order[:3] if failed.ravel()[k] or kinks.ravel()[k]] or list(order[:1])
    worst = []
    for k in shown:
        row, column = np.unravel_index(k, a.shape)
        label, index, direction = labels(row, column)
        reason = ""
        if nonfinite.ravel()[k]:
            reason = _nonfinite_reason(problem, i, a[row, column], numerical[row, column], diff, row, column, s,
                                       autodiff, unit, locate)
        worst.append(ElementCheck(
            label, float(a.ravel()[k]), float(numerical.ravel()[k]), float(abs_error.ravel()[k]),
            float(rel_error.ravel()[k]), str(status.ravel()[k]), left=float(diff.left.ravel()[k]),
            right=float(diff.right.ravel()[k]), index=index, direction=direction, reason=reason))
    worst = tuple(worst)
    row_status = "failed" if failed.any() else "kink" if kinks.any() else "ok"
    checked = a.shape[0] * (a.shape[1] if unit == "elements" else 1)
    if unit == "directions":
        failed_count, nonfinite_count = int(failed.any(axis=1).sum()), int(nonfinite.any(axis=1).sum())
    else:
        failed_count, nonfinite_count = int(failed.sum()), int(nonfinite.sum())
    return GradientRow(problem.names[i], problem.shapes[i], row_status, checked=int(checked), unit=unit,
                       autodiff=_autodiff_name(autodiff, problem.order), max_abs_error=max_abs,
                       max_rel_error=max_rel, failed=failed_count, kinks=int(kinks.sum()), worst=worst,
                       nonfinite=nonfinite_count)


def _nonfinite_reason(problem, i, a, n, diff, row, column, s, autodiff, unit, locate):
    """Which value was NaN or infinite, and where: the autodiff derivative, or f one step away."""
    parts = []
    if diff.bad_center[0, min(column, diff.bad_center.shape[1] - 1)]:
        wide = diff.bad_center.shape[1] > 1
        at = f" (element {_gradient_element(problem, column)})" if wide else ""
        value = f" {problem.f0[column]}" if wide else " not finite"
        parts.append(f"the gradient of f is{value} at the given point{at}, so its derivatives are undefined")
    if not np.isfinite(a):
        what = {"reverse": "the autodiff gradient", "forward": "the forward-mode derivative"}[autodiff]
        if problem.order == 2:
            what = "the autodiff second derivative"
        parts.append(locate or f"{what} is {a}")
    if not np.isfinite(n):
        f_name = "f" if problem.order == 1 else "the gradient of f"
        if unit == "elements":
            point = _index(problem.names[i], problem.shapes[i], row)
            up, down = f"{point} + {float(diff.s_plus[row, 0]):.2g}", f"{point} - {float(diff.s_minus[row, 0]):.2g}"
        else:
            up = f"{problem.names[i]} + h * (direction {row})"
            down = f"{problem.names[i]} - h * (direction {row})"
        points = []
        if s.method in ("central", "forward") and diff.bad_plus[row, min(column, diff.bad_plus.shape[1] - 1)]:
            points.append(up)
        if s.method in ("central", "backward") and diff.bad_minus[row, min(column, diff.bad_minus.shape[1] - 1)]:
            points.append(down)
        if points:
            parts.append(f"{f_name} is not finite at {' and '.join(points)}, so the finite difference is {n}")
        else:
            parts.append(f"the finite difference is {n} (the values of {f_name} overflow)")
    if not parts:  # both values finite, but f is so large that its round-off is not
        parts.append("the values of f are too close to the largest float for a finite difference to be checked")
    return "; ".join(parts)


def _autodiff_name(autodiff, order):
    if order == 1:
        return autodiff
    return "forward-over-reverse" if autodiff == "forward" else "reverse-over-reverse"


def _index(name, shape, flat):
    if not shape:
        return name
    idx = np.unravel_index(int(flat), shape)
    return f"{name}[{', '.join(str(int(k)) for k in idx)}]"


class _FullLabels:
    """Names elements: ``x[1]`` (gradient), ``df[0]/dx[1]`` (Jacobian), ``d2f/dx[0]dw[1]`` (Hessian).

    Returns ``(label, index in the input, None)``.
    """

    def __init__(self, problem, i):
        self.problem, self.i = problem, i

    def __call__(self, j, o):
        p = self.problem
        element = _index(p.names[self.i], p.shapes[self.i], j)
        index = tuple(int(k) for k in np.unravel_index(int(j), p.shapes[self.i]))
        if p.order == 2:
            return f"d2f/d{element}d{_gradient_element(p, o)}", index, None
        if p.out_size == 1:
            return element, index, None
        return f"df{_out_index(p.out_shape, o)}/d{element}", index, None


class _FastLabels:
    """Names directions: ``direction 2`` (or ``direction 2, f[1]`` when whole vectors are compared).

    Returns ``(label, None, direction)``.
    """

    def __init__(self, problem, width):
        self.problem, self.width = problem, width

    def __call__(self, k, o):
        if self.width == 1:
            return f"direction {k}", None, int(k)
        p = self.problem
        where = _gradient_element(p, o) if p.order == 2 else f"f{_out_index(p.out_shape, o)}"
        return f"direction {k}, {'Hv at ' if p.order == 2 else ''}{where}", None, int(k)


def _out_index(shape, flat):
    idx = np.unravel_index(int(flat), shape)
    return f"[{', '.join(str(int(k)) for k in idx)}]"


def _gradient_element(problem, flat):
    start = 0
    for name, shape, size in zip(problem.names, problem.shapes, problem.sizes):
        if flat < start + size:
            return _index(name, shape, flat - start)
        start += size
    return str(flat)
