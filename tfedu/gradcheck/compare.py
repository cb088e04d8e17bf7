"""The comparison behind :mod:`tfedu.gradcheck`: errors, kinks and one row per input.

Private helper. For each input, :func:`check_target` evaluates ``f`` at ``x``
and at ``x +/- h`` (one element at a time in full mode, along random
directions in fast mode; :mod:`~tfedu.gradcheck.differences`), compares the
slopes with autodiff, and re-examines suspicious elements at half the step to
tell a kink (slopes from the left and right differ, whatever the step) from a
wrong gradient. The result is a :class:`~tfedu.gradcheck.report.GradCheckReport`.
"""
from __future__ import annotations

import math

import numpy as np

import tensorflow as tf

from tfedu.gradcheck.differences import TOLERANCES, Differences, Projected, both_sides, default_eps, steps
from tfedu.gradcheck.inputs import index_label, machine_eps
from tfedu.gradcheck.report import ElementCheck, GradCheckReport, GradientRow
from tfedu.gradcheck.second_order import GradientTarget

# One-sided slopes that differ by more than this (relative) make an element worth a second look.
_KINK_GAP = 1e-2


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
    diff = Differences(both_sides(problem, i, x0, s_plus, s_minus), s_plus, s_minus, s.eps_machine)

    np_dtype = problem.x[i].dtype.as_numpy_dtype

    def half_step(columns):
        plus_values = (x0[columns] + s_plus[columns] / 2).astype(np_dtype).astype(np.float64)
        minus_values = (x0[columns] - s_minus[columns] / 2).astype(np_dtype).astype(np.float64)
        half_plus, half_minus = plus_values - x0[columns], x0[columns] - minus_values
        values = both_sides(problem, i, x0, half_plus, half_minus, columns)
        return Differences(values, half_plus, half_minus, s.eps_machine)

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
    diff = Differences(problem.values_at(i, np.concatenate([plus, minus])), step, step, s.eps_machine)

    def half_step(columns):
        hp = (x0 + h / 2 * directions[columns]).astype(np_dtype).astype(np.float64)
        hm = (x0 - h / 2 * directions[columns]).astype(np_dtype).astype(np.float64)
        half = np.full(len(columns), h / 2)
        return Differences(problem.values_at(i, np.concatenate([hp, hm])), half, half, s.eps_machine)

    rows = []
    for autodiff in s.autodiff:
        value = problem.directional(i, directions, out_dirs, autodiff)
        labels = _FastLabels(problem, value.shape[1])
        projected = diff if value.shape[1] == problem.out_size else Projected(diff, out_dirs)
        half = half_step if value.shape[1] == problem.out_size else (
            lambda columns: Projected(half_step(columns), out_dirs[columns]))
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
    labels = [index_label(problem.names[i], problem.shapes[i], k) for k in bad[:3]]
    more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
    return f"the autodiff gradient is {values[bad[0]]} at {', '.join(labels)}{more}"



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
    status = _classify(a, numerical, abs_error, rel_error, floor, diff, half_step, s)
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

    def reason(row, column):
        return _nonfinite_reason(problem, i, a[row, column], numerical[row, column], diff, row, column, s,
                                 autodiff, unit, locate)

    worst = _worst(a, numerical, abs_error, rel_error, status, diff, labels, reason)
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


def _classify(a, numerical, abs_error, rel_error, floor, diff, half_step, s):
    """``"ok"``, ``"wrong"``, ``"kink"`` or ``"jump"`` per element. Suspicious elements are compared again at
    half the step; where they agree there, the errors and ``numerical`` are replaced (in place) by those."""
    wrong = ~(rel_error <= s.rtol)  # a NaN error is never within tolerance
    gap = np.abs(diff.right - diff.left)
    steep = np.maximum(np.abs(diff.right), np.abs(diff.left))
    suspicious = wrong | ((gap > _KINK_GAP * steep) & (gap > 10 * floor))
    status = np.where(wrong, "wrong", "ok").astype(object)
    columns = np.flatnonzero(suspicious.any(axis=1))
    if not len(columns):
        return status
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
    return status


def _worst(a, numerical, abs_error, rel_error, status, diff, labels, reason):
    """Up to three failed or non-differentiable elements (non-finite first, then wrong, then kinks, by
    error), or the element with the largest error when all passed."""
    nonfinite, failed = status == "nonfinite", np.isin(status, ["wrong", "nonfinite"])
    kinks = np.isin(status, ["kink", "jump"])
    sort_rel = np.where(np.isnan(rel_error), np.inf, rel_error)
    order = np.lexsort((-sort_rel.ravel(), ~kinks.ravel(), ~failed.ravel(), ~nonfinite.ravel()))
    shown = [k for k in order[:3] if failed.ravel()[k] or kinks.ravel()[k]] or list(order[:1])
    worst = []
    for k in shown:
        row, column = np.unravel_index(k, a.shape)
        label, index, direction = labels(row, column)
        why = reason(row, column) if nonfinite.ravel()[k] else ""
        worst.append(ElementCheck(
            label, float(a.ravel()[k]), float(numerical.ravel()[k]), float(abs_error.ravel()[k]),
            float(rel_error.ravel()[k]), str(status.ravel()[k]), left=float(diff.left.ravel()[k]),
            right=float(diff.right.ravel()[k]), index=index, direction=direction, reason=why))
    return tuple(worst)


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
            point = index_label(problem.names[i], problem.shapes[i], row)
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


class _FullLabels:
    """Names elements: ``x[1]`` (gradient), ``df[0]/dx[1]`` (Jacobian), ``d2f/dx[0]dw[1]`` (Hessian).

    Returns ``(label, index in the input, None)``.
    """

    def __init__(self, problem, i):
        self.problem, self.i = problem, i

    def __call__(self, j, o):
        p = self.problem
        element = index_label(p.names[self.i], p.shapes[self.i], j)
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
            return index_label(name, shape, flat - start)
        start += size
    return str(flat)
