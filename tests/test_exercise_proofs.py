"""Every solution in the banks is correct and every recorded mistake rejected, proven in its own lesson.

The proof runs inside the lesson's strict nbval run (the project's conftest.py uses
tfedu.exercises.edition.proof_notebook): before each exercise cell, one item per recorded mistake
and one for the solution, named "Cell N q1 mistake 1" ... "Cell N q1 solution". These tests check
that every lesson's run holds those items, and what can be checked without running a kernel.
"""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tfedu.exercises.edition import bank_for, exercise_cells

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
MARKED = [path for path in LESSONS if exercise_cells(nbformat.read(path, as_version=4))]


def test_some_lessons_have_marked_exercise_cells():
    assert MARKED, "no lesson marks its exercise cells (metadata {'tfedu': {'exercise': 'q1'}})"


def test_every_lessons_nbval_run_holds_a_proof_of_each_mistake_and_solution():
    result = subprocess.run([sys.executable, "-m", "pytest", *map(str, MARKED), "--collect-only", "-q"],
                            cwd=ROOT, capture_output=True, text=True, env=dict(os.environ), timeout=300)
    collected = set(result.stdout.splitlines())
    for path in MARKED:
        bank = bank_for(path)
        notebook = nbformat.read(path, as_version=4)
        code = [index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
        for index, name in exercise_cells(notebook):
            number = code.index(index)
            prefix = f"lessons/{path.name}::Cell {number}"
            expected = {f"{prefix} {name} mistake {n + 1}" for n in range(len(getattr(bank, name).mistakes))}
            expected |= {f"{prefix} {name} solution", prefix}
            assert expected <= collected, f"{path.name} {name}: missing {sorted(expected - collected)[:3]}"


@pytest.mark.parametrize("path", MARKED, ids=[p.stem for p in MARKED])
def test_every_exercise_records_at_least_two_mistakes(path):
    bank = bank_for(path)
    for _, name in exercise_cells(nbformat.read(path, as_version=4)):
        assert len(getattr(bank, name).mistakes) >= 2, f"{path.name} {name}: record at least two mistakes students make"


@pytest.mark.parametrize("path", MARKED, ids=[p.stem for p in MARKED])
def test_committed_exercise_cells_are_blank_starters(path):
    notebook = nbformat.read(path, as_version=4)
    for index, name in exercise_cells(notebook):
        cell = notebook.cells[index]
        text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        assert "..." in cell.source, f"{path.name} cell {index} ({name}) is not a starter with ..."
        assert "not answered yet" in text, f"{path.name} cell {index} ({name}) is committed answered"
