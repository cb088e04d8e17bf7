"""The conformance suite every exercise bank passes (tfedu/exercises/lesson_NN.py).

One parametrized test per exercise, in the pattern of scikit-learn's
``parametrize_with_checks``: a new bank or exercise is checked without being listed here.
"""
import importlib
import pkgutil
import textwrap

import pytest

import tfedu.exercises as exercises
from tfedu.exercises import CheckResult, Exercise

BANKS = sorted(name for _, name, _ in pkgutil.iter_modules(exercises.__path__) if name.startswith("lesson_"))


def bank_exercises():
    for bank in BANKS:
        module = importlib.import_module(f"tfedu.exercises.{bank}")
        numbered = sorted((int(name[1:]), name) for name in vars(module) if name[:1] == "q" and name[1:].isdigit())
        for _, name in numbered:
            yield pytest.param(bank, name, getattr(module, name), id=f"{bank}.{name}")


EXERCISES = list(bank_exercises())


def test_every_lesson_has_a_bank_and_every_bank_has_exercises():
    from pathlib import Path

    lessons = sorted(p.stem[:2] for p in (Path(__file__).parent.parent / "lessons").glob("[0-9][0-9]_*.ipynb"))
    assert [b.split("_")[1] for b in BANKS] == lessons
    for bank in BANKS:
        names = [p.values[1] for p in EXERCISES if p.values[0] == bank]
        assert names and names == [f"q{k}" for k in range(1, len(names) + 1)], f"{bank}: number them q1, q2, ..."


@pytest.mark.parametrize("bank, name, exercise", EXERCISES)
def test_exercise_conforms(bank, name, exercise):
    assert isinstance(exercise, Exercise), f"{bank}.{name} is not an Exercise"
    assert exercise.title.strip(), f"{bank}.{name} has no title"
    for check in exercise.checks:  # each hidden test says what it checks, in a sentence the student reads
        assert (check.__doc__ or "").strip(), f"{bank}.{name}: check {check.__name__} has no docstring"
    assert exercise.hint().body.strip() and exercise.solution().body.strip()
    compile(textwrap.dedent(exercise.solution().body), f"{bank}.{name} solution", "exec")  # it is code
    for placeholder in (..., None):
        verdict = exercise.check(placeholder)
        assert isinstance(verdict, CheckResult) and not verdict.answered and not verdict.passed
    # a nonsense answer is a verdict, never an exception escaping into the student's cell
    verdict = exercise.check(object())
    assert isinstance(verdict, CheckResult) and not verdict.passed and verdict.lines
