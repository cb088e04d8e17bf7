"""Every solution in the banks is correct and every recorded mistake rejected, proven in its own lesson.

Each lesson with marked exercise cells runs once (tfedu.exercises.edition.prove): at each
exercise cell its recorded mistakes run, then its solution, in the lesson's own namespace.
"""
from pathlib import Path

import nbformat
import pytest

from tfedu.exercises.edition import exercise_cells, prove

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
MARKED = [path for path in LESSONS if exercise_cells(nbformat.read(path, as_version=4))]


def test_some_lessons_have_marked_exercise_cells():
    assert MARKED, "no lesson marks its exercise cells (metadata {'tfedu': {'exercise': 'q1'}})"


@pytest.mark.parametrize("path", MARKED, ids=[p.stem for p in MARKED])
def test_solutions_pass_and_mistakes_fail_in_the_lesson(path):
    proof = prove(path, timeout=300)
    assert proof.passed, str(proof)
    for name, mistakes in proof.mistakes.items():
        assert len(mistakes) >= 2, f"{path.name} {name}: record at least two mistakes students make"


@pytest.mark.parametrize("path", MARKED, ids=[p.stem for p in MARKED])
def test_committed_exercise_cells_are_blank_starters(path):
    notebook = nbformat.read(path, as_version=4)
    for index, name in exercise_cells(notebook):
        cell = notebook.cells[index]
        text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        assert "..." in cell.source, f"{path.name} cell {index} ({name}) is not a starter with ..."
        assert "not answered yet" in text, f"{path.name} cell {index} ({name}) is committed answered"
