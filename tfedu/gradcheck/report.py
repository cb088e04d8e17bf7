"""The result of a gradient check: :class:`GradCheckReport` and its rows.

Private module of :mod:`tfedu.gradcheck`; the classes are public as
``tfedu.gradcheck.GradCheckReport`` and friends. A report prints as a deterministic text table (rounded numbers, no
timings, no addresses, so notebook outputs compare equal run after run) and
shows as an HTML table in JupyterLab.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

from tfedu._text import significant, table

__all__ = ["ElementCheck", "GradientRow", "GradCheckReport"]

#: What a status means, as shown in the text and HTML tables.
STATUS_TEXT = {"ok": "ok", "kink": "ok", "failed": "FAILED", "none": "NO GRADIENT"}
_COLORS = {"ok": "#1a7f37", "kink": "#9a6700", "failed": "#cf222e", "none": "#cf222e"}


def format_error(value: float) -> str:
    """An error with 2 significant digits (``1.2e-10``), or ``-`` when there is none.

    >>> format_error(0.000123456), format_error(0.0), format_error(float("nan"))
    ('1.2e-04', '0.0e+00', '-')
    """
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.1e}"


def _value_text(value: float) -> str:
    """Like :func:`format_value`, but NaN and infinities are shown as such."""
    if value is not None and not math.isfinite(value):
        return str(value)
    return format_value(value)


def format_value(value: float) -> str:
    """A derivative value with 3 significant digits (``-0.0`` shown as ``0``).

    >>> format_value(2.0000000001), format_value(-1.23456e-7), format_value(-0.0)
    ('2', '-1.23e-07', '0')
    """
    if value is None or math.isnan(value):
        return "-"
    return significant(value + 0.0)  # + 0.0: -0.0 prints as 0


@dataclass(frozen=True)
class ElementCheck:
    """One compared element: where it is, both values and their difference.

    ``label`` names the element (``x[1]``, ``df[0]/dx[1]`` for a Jacobian,
    ``d2f/dx[0]dx[1]`` for a Hessian, ``direction 2`` in fast mode);
    ``index`` is its position in the input (full mode) and ``direction`` the
    random direction (fast mode). ``status`` is ``"ok"``, ``"wrong"``
    (autodiff disagrees with finite differences), ``"nonfinite"`` (autodiff
    or the finite difference is NaN or infinite: ``reason`` says which, and
    where), ``"kink"`` (a non-differentiable point where the slopes from the
    left and the right differ) or ``"jump"`` (the function or gradient jumps
    there). ``left`` and ``right`` are those one-sided slopes.

    >>> e = ElementCheck("x[1]", 3.0, 1.0, 2.0, 0.67, "wrong", left=1.0, right=1.0)
    >>> print(e)
    x[1]: autodiff 3, numerical 1 (abs error 2.0e+00, rel error 6.7e-01): WRONG
    >>> print(ElementCheck("x[0]", float("nan"), 2.0, float("nan"), float("nan"), "nonfinite",
    ...                    reason="the autodiff gradient is nan"))
    x[0]: autodiff nan, numerical 2: NOT FINITE (the autodiff gradient is nan)
    """

    label: str
    autodiff: float
    numerical: float
    abs_error: float
    rel_error: float
    status: str = "ok"
    left: float = math.nan
    right: float = math.nan
    index: tuple | None = None
    direction: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.status == "nonfinite":
            why = f" ({self.reason})" if self.reason else ""
            return (f"{self.label}: autodiff {_value_text(self.autodiff)}, numerical "
                    f"{_value_text(self.numerical)}: NOT FINITE{why}")
        if self.status in ("kink", "jump"):
            what = ("a kink: no derivative exists here, and TensorFlow's value (between the two slopes) "
                    "is a valid choice" if self.status == "kink"
                    else "the function jumps here, so no derivative exists")
            return (f"{self.label}: autodiff {format_value(self.autodiff)}, slope from the left "
                    f"{format_value(self.left)}, from the right {format_value(self.right)}: {what}")
        verdict = "WRONG" if self.status == "wrong" else "ok"
        return (f"{self.label}: autodiff {format_value(self.autodiff)}, numerical "
                f"{format_value(self.numerical)} (abs error {format_error(self.abs_error)}, "
                f"rel error {format_error(self.rel_error)}): {verdict}")


@dataclass(frozen=True)
class GradientRow:
    """The check of one input (or one model weight).

    ``status`` is ``"ok"``, ``"kink"`` (correct, with non-differentiable
    points), ``"failed"`` or ``"none"`` (the gradient is ``None``; then
    ``diagnosis`` says why). ``checked`` counts compared elements, or random
    directions in fast mode (``unit``); ``failed`` those that failed, of which
    ``nonfinite`` were NaN or infinite. ``worst`` holds the worst elements:
    non-finite ones first, then wrong ones, then kinks, then the largest errors.

    >>> row = GradientRow("x", (3,), "ok", checked=3, max_abs_error=1e-11, max_rel_error=2e-12)
    >>> row.passed, row.result
    (True, 'ok')
    """

    name: str
    shape: tuple
    status: str
    checked: int = 0
    unit: str = "elements"
    autodiff: str = "reverse"
    max_abs_error: float = math.nan
    max_rel_error: float = math.nan
    failed: int = 0
    kinks: int = 0
    worst: tuple = ()
    diagnosis: object = None
    nonfinite: int = 0

    @property
    def passed(self) -> bool:
        return self.status in ("ok", "kink")

    @property
    def result(self) -> str:
        if self.status == "kink":
            points = "point" if self.kinks == 1 else "points"
            return f"ok ({self.kinks} non-differentiable {points})"
        if self.status == "failed":
            wrong = self.failed - self.nonfinite
            counts = [f"{wrong} of {self.checked} wrong"] if wrong or not self.nonfinite else []
            if self.nonfinite:
                counts.append(f"{self.nonfinite} of {self.checked} not finite")
            return f"FAILED ({', '.join(counts)})"
        return STATUS_TEXT[self.status]

    @property
    def checked_text(self) -> str:
        if self.status == "none":
            return "-"
        unit = self.unit[:-1] if self.checked == 1 else self.unit
        return f"{self.checked} {unit}"


@dataclass(frozen=True)
class GradCheckReport:
    """The result of :func:`~tfedu.gradcheck.check_gradients` or
    :func:`~tfedu.gradcheck.check_model_gradients`.

    ``passed`` is True when every row passed; ``max_abs_error`` and
    ``max_rel_error`` are the largest errors over all compared elements (points
    classified as non-differentiable are left out); ``rows`` has one
    :class:`GradientRow` per input or weight. ``str(report)`` is a
    deterministic text table, ``_repr_html_`` a table for JupyterLab, and
    :meth:`assert_passed` raises ``AssertionError`` with the report if the
    check failed.

    >>> row = GradientRow("x", (2,), "ok", checked=2, max_abs_error=3e-11, max_rel_error=1e-11)
    >>> report = GradCheckReport((row,), mode="full", dtype="float64", eps=6.1e-6, rtol=1e-5,
    ...                          atol=1e-8, subject="square")
    >>> print(report)
    Gradient check of square: passed
    full mode (every element), float64, central differences
    input  shape  checked     max abs error  max rel error  result
    x      (2,)   2 elements  3.0e-11        1.0e-11        ok
    tolerance: rtol 1e-05, atol 1e-08; step eps 6.1e-06 (times max(1, |x|))
    >>> report.passed, report.max_rel_error
    (True, 1e-11)
    """

    rows: tuple
    mode: str = "full"
    dtype: str = "float64"
    eps: float = math.nan
    rtol: float = math.nan
    atol: float = math.nan
    method: str = "central"
    order: int = 1
    directions: int = 0
    seed: int = 0
    subject: str = "f"
    kind: str = "input"
    notes: tuple = field(default=())

    # --- numbers ------------------------------------------------------------------------

    @property
    def passed(self) -> bool:
        return all(row.passed for row in self.rows)

    @property
    def max_abs_error(self) -> float:
        return _max(row.max_abs_error for row in self.rows)

    @property
    def max_rel_error(self) -> float:
        return _max(row.max_rel_error for row in self.rows)

    @property
    def failures(self) -> tuple:
        """The rows that did not pass."""
        return tuple(row for row in self.rows if not row.passed)

    def assert_passed(self) -> None:
        """Raise ``AssertionError`` (its message is the report) if the check failed.

        >>> bad = GradientRow("w", (), "failed", checked=1, failed=1, max_abs_error=1.0, max_rel_error=0.5)
        >>> GradCheckReport((bad,), subject="loss").assert_passed()
        Traceback (most recent call last):
        ...
        AssertionError: Gradient check of loss: FAILED for 1 of 1 input
        ...
        """
        if not self.passed:
            raise AssertionError(str(self))

    # --- text ---------------------------------------------------------------------------

    @property
    def headline(self) -> str:
        if self.passed:
            verdict = "passed"
        else:
            total = len(dict.fromkeys(row.name for row in self.rows))  # a row per autodiff mode
            failed = len(dict.fromkeys(row.name for row in self.failures))
            noun = self.kind if total == 1 else f"{self.kind}s"
            verdict = f"FAILED for {failed} of {total} {noun}"
        return f"Gradient check of {self.subject}: {verdict}"

    @property
    def settings(self) -> str:
        if self.mode == "full":
            mode = "full mode (every element)"
        else:
            per = "weight" if self.kind == "weight" else "input"
            mode = f"fast mode ({self.directions} random directions per {per}, seed {self.seed})"
        what = "second derivatives, " if self.order == 2 else ""
        return f"{mode}, {what}{self.dtype}, {self.method} differences"

    def _table(self):
        show_autodiff = any(row.autodiff != "reverse" for row in self.rows)
        header = [self.kind, "shape", "checked"] + (["autodiff"] if show_autodiff else []) + [
            "max abs error", "max rel error", "result"]
        lines = []
        for row in self.rows:
            cells = [row.name, str(tuple(row.shape)), row.checked_text]
            if show_autodiff:
                cells.append(row.autodiff)
            cells += [format_error(row.max_abs_error), format_error(row.max_rel_error), row.result]
            lines.append(cells)
        return header, lines

    def __str__(self) -> str:
        header, lines = self._table()
        out = [self.headline, self.settings, table(header, lines)]
        wrong = [e for row in self.rows for e in row.worst if e.status in ("wrong", "nonfinite")]
        if wrong:
            out.append("worst elements:")
            out += [f"  {e}" for e in wrong]
        kinks = [e for row in self.rows for e in row.worst if e.status in ("kink", "jump")]
        if kinks:
            out.append("non-differentiable points (not autodiff bugs):")
            out += [f"  {e}" for e in kinks]
        out += [str(row.diagnosis) for row in self.rows if row.diagnosis is not None]
        out.append(self.tolerance_text)
        out += [f"note: {note}" for note in self.notes]
        return "\n".join(out)

    __repr__ = __str__

    @property
    def tolerance_text(self) -> str:
        scale = " (times max(1, |x|))" if self.mode == "full" else ""
        return (f"tolerance: rtol {_short(self.rtol)}, atol {_short(self.atol)}; "
                f"step eps {format_error(self.eps)}{scale}")

    # --- HTML ---------------------------------------------------------------------------

    def _repr_html_(self) -> str:
        esc = html.escape
        color = _COLORS["ok"] if self.passed else _COLORS["failed"]
        badge = "passed" if self.passed else "FAILED"
        header, lines = self._table()
        numeric = {"shape", "checked", "max abs error", "max rel error"}
        base = "padding:2px 10px;border-bottom:1px solid rgba(128,128,128,.25)"

        def style(column):
            return f"{base};text-align:{'right' if header[column] in numeric else 'left'}"

        head = "".join(f'<th style="{style(c)}">{esc(h)}</th>' for c, h in enumerate(header))
        body = []
        for row, cells in zip(self.rows, lines):
            tds = "".join(f'<td style="{style(c)}">{esc(str(v))}</td>' for c, v in enumerate(cells[:-1]))
            tds += (f'<td style="{style(len(cells) - 1)};color:{_COLORS[row.status]};font-weight:bold">'
                    f"{esc(cells[-1])}</td>")
            body.append(f"<tr>{tds}</tr>")
        parts = [
            '<div class="tfedu-gradcheck" style="font-size:12px;line-height:1.4">',
            f'<div><b>Gradient check of {esc(self.subject)}</b> '
            f'<span style="background:{color};color:white;padding:1px 7px;border-radius:3px;'
            f'font-weight:bold">{badge}</span> '
            f'<span style="opacity:.75">{esc(self.settings)}</span></div>',
            f'<table style="border-collapse:collapse;margin:4px 0;font-family:monospace">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>",
        ]
        details = [e for row in self.rows for e in row.worst if e.status != "ok"]
        if details:
            items = "".join(
                f'<li style="color:{_COLORS["failed"] if e.status in ("wrong", "nonfinite") else _COLORS["kink"]}">'
                f"{esc(str(e))}</li>" for e in details)
            parts.append(f'<ul style="margin:2px 0;font-family:monospace">{items}</ul>')
        messages = [str(row.diagnosis) for row in self.rows if row.diagnosis is not None]
        messages += [f"note: {note}" for note in self.notes]
        if messages:
            parts.append("<ul style=\"margin:2px 0\">" + "".join(f"<li>{esc(m)}</li>" for m in messages) + "</ul>")
        parts.append(f'<div style="opacity:.75">{esc(self.tolerance_text)}</div></div>')
        return "".join(parts)


def _max(values) -> float:
    finite = [v for v in values if v is not None and not math.isnan(v)]
    return max(finite) if finite else math.nan


def _short(value: float) -> str:
    return f"{value:.0e}" if value and not math.isnan(value) else str(value)
