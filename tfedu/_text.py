"""Numbers as text: significant digits, and only the digits a computation determines.

A lesson's printed numbers must be the same on every machine. Floating-point
results differ in their last bits between CPUs (SIMD width, fused multiply-add,
thread count), and an unstable computation (an oscillating optimizer, a
diverging fit) amplifies those bits into visible digits. :func:`determined`
prints a value with as many digits as survive a measured ``spread`` (how far the
value moves when the computation is perturbed slightly), and nothing when none do.

>>> significant(0.0049805)
'0.00498'
>>> determined(0.55546593, spread=1e-12)
'0.555'
>>> determined(0.55546593, spread=0.0004)
'0.6'
>>> determined(0.55546593, spread=0.2) is None
True
"""
from __future__ import annotations

import math

__all__ = ["significant", "determined", "table", "html_table", "display_width"]


def significant(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits, in the shortest plain form, never ``-0``.

    The one number formatter of the plots, widgets and tables (3 digits unless a
    caller says otherwise):

    >>> significant(0.16666), significant(148.2), significant(-0.0), significant(3.33333, 4)
    ('0.167', '148', '0', '3.333')
    >>> significant(float("nan")), significant(float("-inf"))
    ('nan', '-inf')
    """
    value = float(value) + 0.0  # + 0.0 turns -0.0 into 0.0
    if not math.isfinite(value):
        return str(value)
    return f"{value:.{digits}g}"


def determined(value: float, spread: float, digits: int = 3, margin: float = 10.0) -> str | None:
    """``value`` with at most ``digits`` significant digits that ``spread`` cannot change.

    A digit count is kept only if every number within ``margin * spread`` of
    ``value`` rounds to the same text, so a machine whose result differs by up
    to ``spread`` prints the same. Returns ``None`` when not even one
    significant digit is determined (the caller says so in words).
    """
    value, spread = float(value), abs(float(spread))
    if not math.isfinite(value):
        return str(value) if spread == 0 or not math.isfinite(spread) else None
    if not math.isfinite(spread):
        return None
    reach = margin * spread
    for count in range(digits, 0, -1):
        low, high = significant(value - reach, count), significant(value + reach, count)
        if low == high == significant(value, count):
            return significant(value, count)
    return None


def display_width(text: str) -> int:
    """Columns ``text`` takes in a fixed-width font: Chinese characters take two.

    >>> display_width("loss"), display_width("损失")
    (4, 4)
    """
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(cell: str, width: int, side: str) -> str:
    gap = " " * (width - display_width(cell))
    return gap + cell if side == "r" else cell + gap


def table(header, rows, *, align=None, indent: str = "") -> str:
    """A plain-text table: columns padded to their widest cell, two spaces apart, no trailing blanks.

    ``align`` is a string of ``"l"``/``"r"`` per column (default: all left).

    >>> print(table(["name", "value"], [["a", "1"], ["long", "22"]], align="lr"))
    name  value
    a         1
    long     22
    """
    rows = [[str(cell) for cell in row] for row in ([header] if header else []) + [list(r) for r in rows]]
    if not rows:
        return ""
    columns = max(len(row) for row in rows)
    rows = [row + [""] * (columns - len(row)) for row in rows]
    widths = [max(display_width(row[k]) for row in rows) for k in range(columns)]
    align = (align or "l" * columns).ljust(columns, "l")
    lines = []
    for row in rows:
        cells = [_pad(cell, width, side) for cell, width, side in zip(row, widths, align)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return "\n".join(lines)


def html_table(header, rows) -> str:
    """The same table as HTML (cells escaped), for ``_repr_html_``."""
    import html

    head = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in header) if header else ""
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table>{f'<thead><tr>{head}</tr></thead>' if head else ''}<tbody>{body}</tbody></table>"
