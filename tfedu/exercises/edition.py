"""Lessons with their exercise cells filled in: with the solutions (the teacher's edition) or with
proof cells that run every recorded mistake and the solution (the suite's proof of the bank).

An exercise cell in a lesson is marked in its metadata, ``{"tfedu": {"exercise": "q1"}}``; it
holds the student's starter. The bank's ``Exercise.solution`` is the code that replaces that
cell (it ends with the same ``ex.q1.check(...)`` call), and each of ``Exercise.mistakes`` is a
wrong version of it. :func:`proof_notebook` puts, before each exercise cell, one cell per
mistake and one for the solution, each calling :func:`attempt`; the suite's strict nbval run of
the lesson runs that notebook, so one run both compares the lesson's outputs with the committed
ones and proves every solution correct and every mistake rejected, in the lesson's own kernel.
``python3 course.py solutions DIR`` writes the teacher's edition with :func:`write_edition`.

This module runs notebooks (nbformat and nbclient, part of the course environment); nothing
else in tfedu imports it.
"""
from __future__ import annotations

import copy
import importlib
import re
from pathlib import Path

__all__ = ["EXERCISE_KEY", "exercise_cells", "bank_for", "proof_notebook", "attempt", "write_edition",
           "assignment_notebook", "POINTS"]

EXERCISE_KEY = "tfedu"


def exercise_cells(notebook) -> list:
    """``[(cell index, "q1"), ...]`` for the cells marked as exercises, in order."""
    found = []
    for index, cell in enumerate(notebook.cells):
        name = cell.get("metadata", {}).get(EXERCISE_KEY, {}).get("exercise")
        if cell.cell_type == "code" and name:
            found.append((index, name))
    return found


def bank_for(path, notebook=None):
    """The exercise bank of ``lessons/NN_topic.ipynb``: the module ``tfedu.exercises.lesson_NN``.

    A notebook may name another bank in its metadata, ``{"tfedu": {"bank": "module"}}`` (a
    teacher's own lesson with its own exercises).
    """
    chosen = (notebook.metadata.get(EXERCISE_KEY, {}).get("bank") if notebook is not None else None)
    if chosen:
        return importlib.import_module(chosen)
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


def _build(notebook, bank):
    """A copy of the notebook with the solutions in the exercise cells."""
    import nbformat

    built = copy.deepcopy(notebook)
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
        cells.append(nbformat.v4.new_code_cell(_code(exercise.solution().body), metadata=copy.deepcopy(cell.metadata)))
    built.cells = cells
    return built


def _execute(notebook, folder, timeout: int):
    from nbclient import NotebookClient

    NotebookClient(notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def proof_notebook(notebook, bank):
    """The lesson as its strict nbval run checks it: before each exercise cell, proof cells.

    Each proof cell runs one recorded mistake (which must get "not yet.") or the solution (which
    must get "correct!") through :func:`attempt`, in the lesson's own kernel; then the committed
    starter runs, so its output and every other cell's are compared with the committed ones.
    Returns the new notebook; its proof cells carry ``{"tfedu": {"proof": "q1 mistake 1"}}``.
    """
    import nbformat

    built = copy.deepcopy(notebook)
    marked = dict(exercise_cells(notebook))
    cells = []
    for index, cell in enumerate(built.cells):
        name = marked.get(index)
        if name is not None:
            exercise = getattr(bank, name, None)
            if exercise is None:
                raise ValueError(f"cell {index} is marked as exercise {name!r}, but {bank.__name__} has no {name}.")
            tries = [(f"mistake {number + 1}", "wrong", wrong) for number, wrong in enumerate(exercise.mistakes)]
            tries.append(("solution", "correct", exercise.solution().body))
            for role, expected, code in tries:
                source = (f"__import__('tfedu.exercises.edition', fromlist=['attempt']).attempt(\n"
                          f"    {bank.__name__!r}, {name!r}, {role!r}, {expected!r},\n    {_code(code)!r})")
                cells.append(nbformat.v4.new_code_cell(source, metadata={EXERCISE_KEY: {"proof": f"{name} {role}"}}))
        cells.append(cell)
    built.cells = cells
    return built


def attempt(bank: str, name: str, role: str, expected: str, code: str) -> None:
    """Run one mistake or solution as a cell of the running kernel; raise unless its verdict is ``expected``.

    Its outputs are captured, not shown, and its checks are recorded in a scratch progress file,
    so the lesson's own cells (``progress()`` included) print what they print for a student.
    """
    import os
    import tempfile

    from IPython import get_ipython
    from IPython.utils.capture import capture_output

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("attempt() runs code as a notebook cell; call it inside a Jupyter kernel.")
    exercise = getattr(importlib.import_module(bank), name)
    lesson = bank.rsplit(".", 1)[-1]
    saved = os.environ.get("TFEDU_PROGRESS")
    with tempfile.TemporaryDirectory(prefix="tfedu-proof-") as scratch:
        os.environ["TFEDU_PROGRESS"] = os.path.join(scratch, "progress.jsonl")
        try:
            with capture_output() as captured:
                result = shell.run_cell(code, store_history=False)
        finally:
            if saved is None:
                os.environ.pop("TFEDU_PROGRESS", None)
            else:
                os.environ["TFEDU_PROGRESS"] = saved
    error = result.error_before_exec or result.error_in_exec
    if error is not None:
        raise AssertionError(f"{lesson} {name} {role} raised {type(error).__name__}: {error} "
                             f"(a {role} must end in a verdict, not an exception)")
    cell = {"outputs": [{"output_type": "stream", "text": captured.stdout}]
            + [{"data": output.data} for output in captured.outputs]}
    verdict = _verdict(cell, exercise.heading)
    if verdict != expected:
        shown = _outputs_text(cell).strip()[-600:]
        raise AssertionError(f"{lesson} {name} {role} gives {verdict!r}, not {expected!r}. Its output:\n{shown}")


def write_edition(path, folder, *, bank=None, timeout: int = 600) -> Path:
    """Write ``folder/<lesson>.ipynb``: the lesson with its solutions filled in and executed (the teacher's edition)."""
    import nbformat

    path, folder = Path(path), Path(folder)
    notebook = nbformat.read(path, as_version=4)
    bank = bank if bank is not None else bank_for(path, notebook)
    built = _build(notebook, bank)
    built.metadata.setdefault(EXERCISE_KEY, {})["edition"] = "solutions"
    _execute(built, path.parent, timeout)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    nbformat.write(built, target)
    return target


#: Points per exercise in an nbgrader assignment, by level.
POINTS = {"warm-up": 1, "core": 2, "challenge": 3}


def assignment_notebook(notebook, bank):
    """The lesson as an nbgrader *source* notebook: each exercise a solution cell and an autograded test cell.

    The solution cell holds the bank's solution between ``### BEGIN SOLUTION`` and ``### END
    SOLUTION`` (nbgrader's release replaces it with "YOUR CODE HERE"); the test cell after it runs
    the bank's own check on the student's answer, inside ``### BEGIN HIDDEN TESTS`` (students see
    an empty cell), worth :data:`POINTS` by level. Every other cell is the lesson's, outputs cleared.
    """
    import nbformat

    built = copy.deepcopy(notebook)
    marked = dict(exercise_cells(notebook))
    cells = []
    for index, cell in enumerate(built.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        name = marked.get(index)
        if name is None:
            cells.append(cell)
            continue
        exercise = getattr(bank, name)
        lines = _code(exercise.solution().body).splitlines()
        check = next(i for i in range(len(lines) - 1, -1, -1) if lines[i].strip())
        answer = "\n".join(lines[:check]).rstrip()
        call = lines[check].strip()
        if not call.startswith(f"ex.{name}.check("):
            raise ValueError(f"{bank.__name__}.{name}: the solution must end with ex.{name}.check(...), got {call!r}")
        solution = nbformat.v4.new_code_cell(
            f"### BEGIN SOLUTION\n{answer}\n### END SOLUTION",
            metadata={"nbgrader": {"solution": True, "grade": False, "locked": False, "task": False,
                                   "grade_id": name, "schema_version": 3}})
        test = nbformat.v4.new_code_cell(
            f"### BEGIN HIDDEN TESTS\n_verdict = {call}\nassert _verdict.passed, str(_verdict)\n### END HIDDEN TESTS",
            metadata={"nbgrader": {"solution": False, "grade": True, "locked": True, "task": False,
                                   "grade_id": f"{name}_check", "points": POINTS.get(exercise.level, 1),
                                   "schema_version": 3}})
        cells += [solution, test]
    built.cells = cells
    built.metadata.setdefault(EXERCISE_KEY, {})["edition"] = "nbgrader"
    return built
