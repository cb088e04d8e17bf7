"""Exercises that check themselves: ``q1.check(answer)``, ``q1.hint()``, ``q1.solution()``.

A lesson imports its exercise bank and a student calls the checker on their answer::

    from tfedu.exercises import lesson_00 as ex
    ex.q1.check(my_answer)      # runs hidden tests, prints a verdict
    ex.q1.hint()                # a nudge
    ex.q1.solution()            # a worked answer

A teacher adds an exercise in a few lines: a title, check functions (each with
a docstring saying what it checks, raising ``AssertionError`` with the values
seen when the answer is wrong), a hint and a solution.

>>> def is_three(answer):
...     "the answer is 3"
...     assert answer == 3, f"got {answer!r}"
>>> q = Exercise("Count the axes", checks=[is_three], hint="Count them.", solution="answer = 3")
>>> print(q.check(3))
Count the axes: correct!
  ✓ the answer is 3
>>> print(q.check(4))
Count the axes: not yet.
  ✗ the answer is 3: got 4
>>> print(q.check(...))
Count the axes: not answered yet. Replace the ... with your answer and run the cell again.
"""
from __future__ import annotations

import html
import textwrap
import traceback
from dataclasses import dataclass, field
from typing import Callable, Sequence

__all__ = ["Exercise", "CheckResult", "Hint", "Solution", "Mismatch", "close"]


class Mismatch(AssertionError):
    """Raised by a check function when the answer is wrong; the message shows what was seen."""


@dataclass(frozen=True)
class CheckLine:
    passed: bool
    description: str
    detail: str = ""

    def text(self) -> str:
        mark = "✓" if self.passed else "✗"
        return f"  {mark} {self.description}" + (f": {self.detail}" if self.detail else "")


@dataclass
class CheckResult:
    """The verdict of :meth:`Exercise.check`: ``passed``, and one line per hidden test."""

    title: str
    passed: bool
    lines: list = field(default_factory=list)
    answered: bool = True

    @property
    def headline(self) -> str:
        if not self.answered:
            return (f"{self.title}: not answered yet. "
                    "Replace the ... with your answer and run the cell again.")
        return f"{self.title}: correct!" if self.passed else f"{self.title}: not yet."

    def __str__(self) -> str:
        return "\n".join([self.headline, *(line.text() for line in self.lines)])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else ("#9a6700" if not self.answered else "#cf222e")
        items = "".join(
            f"<li style='list-style:none'>{'✓' if line.passed else '✗'} {html.escape(line.description)}"
            + (f": <code>{html.escape(line.detail)}</code>" if line.detail else "")
            + "</li>"
            for line in self.lines
        )
        return (
            f"<div style='border-left:4px solid {colour};padding:4px 10px'>"
            f"<b style='color:{colour}'>{html.escape(self.headline)}</b>"
            f"<ul style='margin:4px 0;padding-left:8px'>{items}</ul></div>"
        )


class _Text:
    label = ""

    def __init__(self, title: str, body: str):
        self.title = title
        self.body = textwrap.dedent(body).strip()

    def __str__(self) -> str:
        return f"{self.label} ({self.title}):\n{self.body}"

    __repr__ = __str__


class Hint(_Text):
    label = "Hint"

    def _repr_html_(self) -> str:
        return f"<div style='border-left:4px solid #0969da;padding:4px 10px'><b>Hint</b>: {html.escape(self.body)}</div>"


class Solution(_Text):
    label = "Solution"

    def _repr_html_(self) -> str:
        return (
            "<div style='border-left:4px solid #8250df;padding:4px 10px'><b>Solution</b>"
            f"<pre style='margin:4px 0'>{html.escape(self.body)}</pre></div>"
        )


def _describe(check: Callable) -> str:
    doc = (check.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else check.__name__.replace("_", " ")


def _short(value, limit: int = 300) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Exercise:
    """One exercise: a title, hidden check functions, a hint and a solution.

    Each check is a function of the student's answer. Its docstring's first line
    says what it checks (shown to the student); it raises ``AssertionError``
    (or :class:`Mismatch`) with the values it saw when the answer is wrong. A
    check that needs an earlier one to pass (e.g. "has the right shape" before
    comparing values) should be listed after it: checks after the first failure
    still run, but any other exception they raise is reported as "skipped".

    ``check(...)`` (Ellipsis, the placeholder in lesson cells) or ``None`` is
    reported as "not answered yet", never as an error.
    """

    def __init__(self, title: str, *, checks: Sequence[Callable], hint: str, solution: str):
        if not checks:
            raise ValueError(f"Exercise {title!r} needs at least one check function.")
        not_callable = [c for c in checks if not callable(c)]
        if not_callable:
            raise TypeError(f"Exercise {title!r}: checks must be functions, got {not_callable!r}.")
        self.title = title
        self.checks = tuple(checks)
        self._hint = hint
        self._solution = solution

    def __repr__(self) -> str:
        return f"<Exercise {self.title!r}: call .check(answer), .hint() or .solution()>"

    def check(self, answer) -> CheckResult:
        """Run the hidden checks on ``answer`` and return the verdict (shown when it is the cell's last line)."""
        if answer is Ellipsis or answer is None:
            return CheckResult(self.title, passed=False, answered=False)
        lines = []
        failed = False
        for check in self.checks:
            description = _describe(check)
            try:
                check(answer)
            except AssertionError as wrong:
                lines.append(CheckLine(False, description, _short(wrong) or "not as expected"))
                failed = True
            except Exception as error:  # the student's code (or answer) raised
                if failed:
                    lines.append(CheckLine(False, description, "skipped until the checks above pass"))
                else:
                    where = traceback.extract_tb(error.__traceback__)[-1]
                    lines.append(CheckLine(False, description,
                                           f"raised {type(error).__name__}: {_short(error)} (line {where.lineno})"))
                failed = True
            else:
                lines.append(CheckLine(True, description))
        return CheckResult(self.title, passed=not failed, lines=lines)

    def hint(self) -> Hint:
        """A nudge in the right direction."""
        return Hint(self.title, self._hint)

    def solution(self) -> Solution:
        """A worked answer, as code."""
        return Solution(self.title, self._solution)


def close(actual, expected, *, atol: float = 1e-6, rtol: float = 1e-6, what: str = "value") -> None:
    """Raise :class:`Mismatch` unless ``actual`` matches ``expected`` in shape and (nearly) in value.

    >>> close([1.0, 2.0], [1.0, 2.0000001])
    >>> close([1.0, 2.0], [1.0, 3.0], what="gradient")
    Traceback (most recent call last):
    ...
    tfedu.exercises.Mismatch: gradient is [1. 2.], expected [1. 3.]
    """
    import numpy as np

    actual_array = np.asarray(actual, dtype=np.float64)
    expected_array = np.asarray(expected, dtype=np.float64)
    if actual_array.shape != expected_array.shape:
        raise Mismatch(f"{what} has shape {actual_array.shape}, expected {expected_array.shape}")
    if not np.allclose(actual_array, expected_array, atol=atol, rtol=rtol, equal_nan=True):
        shown = np.array2string(np.round(actual_array, 4), threshold=12)
        wanted = np.array2string(np.round(expected_array, 4), threshold=12)
        raise Mismatch(f"{what} is {shown}, expected {wanted}")

