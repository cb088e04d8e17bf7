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
Count the axes: not answered yet. Replace the ... with your answer and run the cell again. Stuck? .hint() gives a nudge.
"""
from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, field
from typing import Callable, Sequence

from tfedu._i18n import language, text

from .guard import CheckTimeout, _student_line, _Watchdog

__all__ = ["Exercise", "CheckResult", "CheckTimeout", "Hint", "Solution", "Mismatch", "close", "TIME_LIMIT",
           "progress", "Predict", "LEVELS"]


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
    #: Where to turn next when not answered, e.g. "ex.q1.hint()" (empty outside a lesson bank).
    hint_call: str = ""

    @property
    def headline(self) -> str:
        if not self.answered:
            stuck = text(" Stuck? {call} gives a nudge.", call=self.hint_call) if self.hint_call else ""
            return text("{title}: not answered yet. Replace the ... with your answer and run the cell again.",
                        title=self.title) + stuck
        return text("{title}: correct!" if self.passed else "{title}: not yet.", title=self.title)

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

    def __init__(self, title: str, body: str, *, label: str | None = None):
        self.title = title
        self.body = textwrap.dedent(body).strip()
        label = text(self.label) if label is None else label
        self.label = label[:1].upper() + label[1:]

    def __str__(self) -> str:
        return f"{self.label} ({self.title}):\n{self.body}"

    __repr__ = __str__


class Hint(_Text):
    label = "Hint"

    def _repr_html_(self) -> str:
        body = html.escape(self.body).replace("\n", "<br>")
        return f"<div style='border-left:4px solid #0969da;padding:4px 10px'><b>{html.escape(self.label)}</b>: {body}</div>"


class Solution(_Text):
    label = "Solution"

    def _repr_html_(self) -> str:
        return (
            f"<div style='border-left:4px solid #8250df;padding:4px 10px'><b>{html.escape(self.label)}</b>"
            f"<pre style='margin:4px 0'>{html.escape(self.body)}</pre></div>"
        )


#: The grades of exercises within a lesson, easiest first.
LEVELS = ("warm-up", "core", "challenge")

#: Seconds one check may run before it is stopped (an endless loop in the student's code).
TIME_LIMIT = 30.0



def _describe(check: Callable) -> str:
    doc = (check.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else check.__name__.replace("_", " ")


def _bank_text(lesson: str) -> dict:
    """The Chinese texts of a bank (``zh/lesson_NN.json``: titles, hints, check descriptions, why), or {}."""
    import json
    from pathlib import Path

    if lesson not in _BANK_TEXTS:
        path = Path(__file__).resolve().parent / "zh" / f"{lesson}.json"
        _BANK_TEXTS[lesson] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return _BANK_TEXTS[lesson]


_BANK_TEXTS: dict = {}


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

    ``hint`` is one string or a list of them, each more specific than the last:
    ``hint()`` shows the first, ``hint(2)`` the second. Every verdict, hint and
    solution view is recorded in the student's progress file
    (:mod:`tfedu.exercises.record`); ``progress()`` shows the table.
    """

    def __init__(self, title: str, *, checks: Sequence[Callable], hint, solution: str,
                 time_limit: float | None = None, mistakes: Sequence[str] = (), level: str | None = None):
        if level is not None and level not in LEVELS:
            raise ValueError(f"Exercise {title!r}: level must be one of {', '.join(map(repr, LEVELS))} or None, "
                             f"got {level!r}.")
        if not checks:
            raise ValueError(f"Exercise {title!r} needs at least one check function.")
        not_callable = [c for c in checks if not callable(c)]
        if not_callable:
            raise TypeError(f"Exercise {title!r}: checks must be functions, got {not_callable!r}.")
        if time_limit is not None and (isinstance(time_limit, bool) or not isinstance(time_limit, (int, float))
                                       or not time_limit > 0):
            raise ValueError(f"Exercise {title!r}: time_limit must be a number of seconds > 0 or None, "
                             f"got {time_limit!r}.")
        self.title = title
        #: "warm-up", "core" or "challenge": shown after the title in every verdict.
        self.level = level
        self.time_limit = time_limit
        self.checks = tuple(checks)
        hints = [hint] if isinstance(hint, str) else list(hint)
        if not hints or not all(isinstance(h, str) and h.strip() for h in hints):
            raise ValueError(f"Exercise {title!r}: hint must be a non-empty string or a list of them, got {hint!r}.")
        self._hints = hints
        self._solution = solution
        if isinstance(mistakes, str) or not all(isinstance(m, str) and m.strip() for m in mistakes):
            raise TypeError(f"Exercise {title!r}: mistakes must be a list of code strings (wrong answers students "
                            f"really write), got {mistakes!r}.")
        #: Wrong versions of the exercise cell; the suite proves each is rejected (tfedu.exercises.edition).
        self.mistakes = tuple(mistakes)

    @property
    def heading(self) -> str:
        """The title with the level, as every verdict shows it: "Exercise 1 · Count the axes (warm-up)"."""
        title = self._translation().get("title") or self.title
        return text("{title} ({level})", title=title, level=text(self.level)) if self.level else title

    def _translation(self) -> dict:
        """This exercise's Chinese texts when the language is Chinese (``zh/lesson_NN.json``), else {}."""
        if language() != "zh":
            return {}
        lesson, name = self.place
        return _bank_text(lesson).get(name, {})

    def _describe_check(self, check) -> str:
        english = _describe(check)
        return self._translation().get("checks", {}).get(english, english)

    @property
    def place(self) -> tuple:
        """``("lesson_03", "q2")``: the bank and name this exercise is kept under (for progress records)."""
        import sys

        for module_name, module in list(sys.modules.items()):
            if module_name.startswith(__name__ + ".lesson_") and module is not None:
                for name, value in vars(module).items():
                    if value is self:
                        return module_name.rsplit(".", 1)[1], name
        return "other", self.title

    def _record(self, event: str, **details) -> None:
        from .record import ProgressStore

        try:
            lesson, name = self.place
            ProgressStore().record(lesson, name, event, **details)
        except Exception:  # noqa: BLE001 - a record is never worth a broken check
            pass

    def __repr__(self) -> str:
        return f"<Exercise {self.title!r}: call .check(answer), .hint() or .solution()>"

    def check(self, answer) -> CheckResult:
        """Run the hidden checks on ``answer`` and return the verdict (shown when it is the cell's last line)."""
        if answer is Ellipsis or answer is None:
            self._record("check", verdict="not answered")
            lesson, name = self.place
            hint_call = f"ex.{name}.hint()" if lesson != "other" else ".hint()"
            return CheckResult(self.heading, passed=False, answered=False, hint_call=hint_call)
        lines = []
        failed = False
        limit = TIME_LIMIT if self.time_limit is None else self.time_limit
        for check in self.checks:
            description = self._describe_check(check)
            watchdog = _Watchdog(limit)
            try:
                try:
                    with watchdog:
                        check(answer)
                finally:
                    watchdog.clear()
            except CheckTimeout:
                lines.append(CheckLine(False, description, text(
                    "stopped after {seconds} s: the code was still running. Look for a loop that never ends (a "
                    "`while` whose condition never turns false) or far too much work, then run the cell again",
                    seconds=f"{limit:g}")))
                failed = True
            except SystemExit as stop:
                lines.append(CheckLine(False, description, text(
                    "your code called sys.exit() or exit() ({code}), which would stop the kernel; return a value "
                    "(or raise an error) instead", code=repr(stop.code))))
                failed = True
            except AssertionError as wrong:
                lines.append(CheckLine(False, description, _short(wrong) or text("not as expected")))
                failed = True
            except KeyboardInterrupt:
                raise  # the student pressed stop: let the kernel interrupt as usual
            except BaseException as error:  # the student's code (or answer) raised
                if failed:
                    lines.append(CheckLine(False, description, text("skipped until the checks above pass")))
                else:
                    lines.append(CheckLine(False, description,
                                           text("raised {error}: {message}", error=type(error).__name__,
                                                message=_short(error)) + _student_line(error)))
                failed = True
            else:
                lines.append(CheckLine(True, description))
        self._record("check", verdict="wrong" if failed else "correct")
        return CheckResult(self.heading, passed=not failed, lines=lines)

    def hint(self, level: int = 1) -> Hint:
        """A nudge in the right direction; ``hint(2)``, ``hint(3)``... get more specific."""
        if isinstance(level, bool) or not isinstance(level, int) or level < 1:
            raise ValueError(f"level must be a hint number 1, 2, ... (this exercise has {len(self._hints)}), "
                             f"got {level!r}.")
        self._record("hint", level=level)
        hints = self._translation().get("hint") or self._hints
        hints = hints if len(hints) == len(self._hints) else self._hints
        body = hints[min(level, len(hints)) - 1]
        if level > len(hints):
            body += "\n" + text("(That is the last hint; the solution is one call away: .solution().)")
        elif level < len(hints):
            body += "\n" + text("(More specific: .hint({level}).)", level=level + 1)
        label = text("hint {level} of {count}", level=level, count=len(hints)) if len(hints) > 1 else text("Hint")
        return Hint(self.heading, body, label=label)

    def solution(self) -> Solution:
        """A worked answer, as code (recorded in your progress as viewed)."""
        self._record("solution")
        return Solution(self.heading, self._solution)


class Predict(Exercise):
    """A *predict, then run* question: the student picks an option before the next cell shows what happens.

    ``options`` maps each letter to its text; ``why`` maps every wrong letter to what it
    overlooks (shown when that letter is picked, so a wrong guess teaches without naming the
    right one). The solution and the recorded mistakes are made from the options.

    >>> q = Predict("Guess", options={"a": "it grows", "b": "it shrinks", "c": "it stays"},
    ...             answer="b", why={"a": "a step goes downhill", "c": "the gradient is not zero"},
    ...             hint="Which way does the gradient point?")
    >>> print(q.check("c"))
    Guess: not yet.
      ✓ the prediction is one of a, b, c
      ✗ the prediction matches what happens: not c: the gradient is not zero
    >>> q.check("B").passed
    True
    """

    def __init__(self, title: str, *, options: dict, answer: str, why: dict, hint,
                 level: str | None = None, variable: str = "prediction"):
        if not isinstance(options, dict) or len(options) < 3:
            raise ValueError(f"Predict {title!r}: give at least three options as {{letter: text}}, got {options!r}.")
        if answer not in options:
            raise ValueError(f"Predict {title!r}: answer {answer!r} is not one of the options {sorted(options)}.")
        missing = sorted(set(options) - {answer} - set(why))
        if missing:
            raise ValueError(f"Predict {title!r}: say why each wrong option is wrong; why= lacks {missing}.")
        self.options = dict(options)
        self.answer = answer
        self.why = dict(why)
        self.variable = variable
        letters = ", ".join(self.options)

        def is_an_option(choice):
            assert isinstance(choice, str) and choice.strip().lower() in self.options, (
                text("got {choice}; answer with one letter in quotes: {letters}", choice=repr(choice), letters=letters)
            )

        def matches(choice):
            picked = choice.strip().lower()
            if picked != self.answer:
                why = self._translation().get("why", {}).get(picked) or self.why[picked]
                raise AssertionError(text("not {letter}: {why}", letter=picked, why=why))

        is_an_option.__doc__ = f"the prediction is one of {letters}"
        matches.__doc__ = "the prediction matches what happens"
        super().__init__(title, checks=[is_an_option, matches], hint=hint, solution="", level=level)

    def _describe_check(self, check) -> str:
        if check is self.checks[0]:
            return text("the prediction is one of {letters}", letters=", ".join(self.options))
        return text("the prediction matches what happens")

    def _cell(self, letter: str) -> str:
        name = self.place[1]
        return f'{self.variable} = "{letter}"\n\nex.{name}.check({self.variable})'

    @property
    def mistakes(self) -> tuple:
        return tuple(self._cell(letter) for letter in self.options if letter != self.answer)

    @mistakes.setter
    def mistakes(self, value) -> None:  # Exercise.__init__ sets it; Predict derives it from the options
        pass

    def solution(self) -> Solution:
        self._record("solution")
        return Solution(self.heading, self._cell(self.answer))

    def check(self, answer) -> CheckResult:
        result = super().check(answer)
        if result.passed:
            result.lines.append(CheckLine(True, text("run the next cell to see it happen")))
        return result


def progress(path=None):
    """Your exercises across all lessons: attempts, correct, hints used, solution viewed (see :mod:`.record`)."""
    from .record import progress as _progress

    return _progress(path)


def _direction(actual, expected) -> str:
    """How ``actual`` differs from ``expected``, without saying what ``expected`` is."""
    import numpy as np

    if np.isnan(actual).any() and not np.isnan(expected).any():
        return "contains NaN (a division by zero, a log of 0, or a diverged computation?)"
    if np.isinf(actual).any() and not np.isinf(expected).any():
        return "contains inf (an overflow or a division by zero?)"
    if actual.size == 1:
        a, e = float(actual.reshape(-1)[0]), float(expected.reshape(-1)[0])
        if a == 0 and e != 0:
            return "is 0 (was the result computed, or is this the starting value?)"
        if e != 0 and a != 0 and abs(a / e - round(a / e)) < 1e-6 and round(a / e) not in (0, 1):
            ratio = round(a / e)
            return "has the wrong sign" if ratio == -1 else f"is {ratio} times the right value"
        if e != 0 and a != 0 and abs(e / a - round(e / a)) < 1e-6 and round(e / a) > 1:
            return f"is 1/{round(e / a)} of the right value"
        return "is too large" if a > e else "is too small"
    if not actual.any() and expected.any():
        return "is zero everywhere (was the result computed, or are these the starting values?)"
    wrong = ~np.isclose(actual, expected, rtol=1e-6, atol=1e-6, equal_nan=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = actual[expected != 0] / expected[expected != 0]
    if ratios.size and np.all(np.isfinite(ratios)) and np.allclose(ratios, ratios.flat[0]) \
            and not np.isclose(ratios.flat[0], 1.0) and np.allclose(actual[expected == 0], 0):
        ratio = float(ratios.flat[0])
        if np.isclose(ratio, -1.0):
            return "has the wrong sign everywhere"
        return f"is {ratio:.3g} times the right values everywhere (a missing or extra factor?)"
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    place = index[0] if len(index) == 1 else index
    side = "too large" if actual[index] > expected[index] else "too small"
    return f"is wrong in {int(wrong.sum())} of {actual.size} entries (the first at index {place} is {side})"


def close(actual, expected, *, atol: float = 1e-6, rtol: float = 1e-6, what: str = "value",
          reveal: bool = False) -> None:
    """Raise :class:`Mismatch` unless ``actual`` matches ``expected`` in shape and (nearly) in value.

    The message says *how* the answer is wrong (shape, sign, a constant factor, which
    entries, too large or too small), never the expected value, unless ``reveal=True``.

    >>> close([1.0, 2.0], [1.0, 2.0000001])
    >>> close([1.0, 2.0], [1.0, 3.0], what="gradient")
    Traceback (most recent call last):
    ...
    tfedu.exercises.Mismatch: gradient is wrong in 1 of 2 entries (the first at index 1 is too small)
    >>> close([-2.0, -6.0], [2.0, 6.0], what="gradient")
    Traceback (most recent call last):
    ...
    tfedu.exercises.Mismatch: gradient has the wrong sign everywhere
    >>> close(24.0, 12.0, what="dz/dx")
    Traceback (most recent call last):
    ...
    tfedu.exercises.Mismatch: dz/dx is 2 times the right value
    """
    import numpy as np

    try:
        actual_array = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        raise Mismatch(f"{what} should be numbers (an array or a tensor), got {type(actual).__name__}") from None
    expected_array = np.asarray(expected, dtype=np.float64)
    if actual_array.shape != expected_array.shape:
        raise Mismatch(f"{what} has shape {actual_array.shape}, expected shape {expected_array.shape}")
    if not np.allclose(actual_array, expected_array, atol=atol, rtol=rtol, equal_nan=True):
        if reveal:
            shown = np.array2string(np.round(actual_array, 4), threshold=12)
            wanted = np.array2string(np.round(expected_array, 4), threshold=12)
            raise Mismatch(f"{what} is {shown}, expected {wanted}")
        raise Mismatch(f"{what} {_direction(actual_array, expected_array)}")
