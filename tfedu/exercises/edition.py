"""Lessons with their exercise cells replaced: by the solutions (the teacher's edition, and the proof
that every solution is correct) or by recorded mistakes (the proof that each is rejected).

An exercise cell in a lesson is marked in its metadata, ``{"tfedu": {"exercise": "q1"}}``; it
holds the student's starter. The bank's ``Exercise.solution`` is the code that replaces that
cell (it ends with the same ``ex.q1.check(...)`` call), and each of ``Exercise.mistakes`` is a
wrong version of it. :func:`prove` runs a lesson top to bottom once, in one kernel: at each
exercise cell it runs every recorded mistake, then the solution, and reads the verdicts from
the outputs. ``python3 course.py solutions DIR`` writes the teacher's edition with
:func:`write_edition`.

This module runs notebooks (nbformat and nbclient, part of the course environment); nothing
else in tfedu imports it.
"""
from __future__ import annotations

import copy
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["EXERCISE_KEY", "exercise_cells", "bank_for", "prove", "Proof", "write_edition"]

EXERCISE_KEY = "tfedu"


def exercise_cells(notebook) -> list:
    """``[(cell index, "q1"), ...]`` for the cells marked as exercises, in order."""
    found = []
    for index, cell in enumerate(notebook.cells):
        name = cell.get("metadata", {}).get(EXERCISE_KEY, {}).get("exercise")
        if cell.cell_type == "code" and name:
            found.append((index, name))
    return found


def bank_for(path):
    """The exercise bank of ``lessons/NN_topic.ipynb``: the module ``tfedu.exercises.lesson_NN``."""
    number = re.match(r"(\d{2})_", Path(path).name)
    if not number:
        raise ValueError(f"{path} is not named like a lesson (NN_topic.ipynb), so it has no exercise bank.")
    return importlib.import_module(f"tfedu.exercises.lesson_{number.group(1)}")


def _code(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).strip()


def _verdict(cell, title: str) -> str:
    """'correct', 'wrong', 'not answered' or 'no verdict', read from a cell's outputs."""
    text = ""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            text += output.get("text", "")
        elif "data" in output:
            text += output["data"].get("text/plain", "")
        elif output.get("output_type") == "error":
            return "error: " + output.get("ename", "") + ": " + output.get("evalue", "")
    for verdict, marker in (("correct", f"{title}: correct!"), ("wrong", f"{title}: not yet."),
                            ("not answered", f"{title}: not answered yet")):
        if marker in text:
            return verdict
    return "no verdict"


def _outputs_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "".join(parts)


@dataclass
class Proof:
    """What :func:`prove` found: per exercise, the solution's verdict and each mistake's verdict and message."""

    lesson: str
    solutions: dict = field(default_factory=dict)   # "q1" -> verdict
    mistakes: dict = field(default_factory=dict)    # "q1" -> [(verdict, message), ...]
    problems: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        lines = [f"{self.lesson}: {len(self.solutions)} exercise(s), "
                 f"{sum(len(m) for m in self.mistakes.values())} recorded mistake(s)"]
        lines += [f"  problem: {problem}" for problem in self.problems] or ["  every solution correct, every mistake rejected"]
        return "\n".join(lines)


def _build(notebook, bank, *, mistakes: bool):
    """A copy of the notebook with solutions (and, before each, its mistakes) in the exercise cells."""
    import nbformat

    built = copy.deepcopy(notebook)
    plan = []  # (cell index in the built notebook, exercise name, "solution" | mistake number)
    cells = []
    marked = dict(exercise_cells(notebook))
    for index, cell in enumerate(built.cells):
        name = marked.get(index)
        if name is None:
            cells.append(cell)
            continue
        exercise = getattr(bank, name, None)
        if exercise is None:
            raise ValueError(f"cell {index} is marked as exercise {name!r}, but {bank.__name__} has no {name}.")
        for number, wrong in enumerate(exercise.mistakes if mistakes else ()):
            plan.append((len(cells), name, number))
            cells.append(nbformat.v4.new_code_cell(_code(wrong)))
        solved = nbformat.v4.new_code_cell(_code(exercise.solution().body), metadata=copy.deepcopy(cell.metadata))
        plan.append((len(cells), name, "solution"))
        cells.append(solved)
    built.cells = cells
    return built, plan


def _execute(notebook, folder, timeout: int):
    from nbclient import NotebookClient

    NotebookClient(notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def prove(path, *, bank=None, timeout: int = 600) -> Proof:
    """Run the lesson with every recorded mistake and every solution in its exercise cells; say what failed.

    A solution must give "correct!"; a mistake must give "not yet." with a message that does not
    contain the solution's expected values (checked by the bank's checks themselves) and must
    not raise out of the cell.
    """
    import nbformat

    path = Path(path)
    bank = bank if bank is not None else bank_for(path)
    notebook = nbformat.read(path, as_version=4)
    built, plan = _build(notebook, bank, mistakes=True)
    _execute(built, path.parent, timeout)
    proof = Proof(path.name)
    for index, name, role in plan:
        exercise = getattr(bank, name)
        verdict = _verdict(built.cells[index], exercise.heading)
        if role == "solution":
            proof.solutions[name] = verdict
            if verdict != "correct":
                proof.problems.append(f"{name}: the solution gives {verdict!r}, not 'correct'")
        else:
            message = _outputs_text(built.cells[index])
            proof.mistakes.setdefault(name, []).append((verdict, message))
            if verdict != "wrong":
                proof.problems.append(f"{name}: mistake {role + 1} gives {verdict!r}, not 'wrong'")
    for name in dict(exercise_cells(notebook)).values():
        if not getattr(bank, name).mistakes:
            proof.problems.append(f"{name}: no recorded mistakes (record the errors students really make)")
    return proof


def write_edition(path, folder, *, bank=None, timeout: int = 600) -> Path:
    """Write ``folder/<lesson>.ipynb``: the lesson with its solutions filled in and executed (the teacher's edition)."""
    import nbformat

    path, folder = Path(path), Path(folder)
    bank = bank if bank is not None else bank_for(path)
    notebook = nbformat.read(path, as_version=4)
    built, _ = _build(notebook, bank, mistakes=False)
    built.metadata.setdefault(EXERCISE_KEY, {})["edition"] = "solutions"
    _execute(built, path.parent, timeout)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    nbformat.write(built, target)
    return target
