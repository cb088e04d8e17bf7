"""What every lesson's exercises must be: 3-5 of them, graded, one writing real code, one
*predict, then run*, and none whose solution is a copy of a cell in the lesson.

The proofs that solutions pass and mistakes fail are in test_exercise_proofs.py; this file
checks the design without running any lesson.
"""
import difflib
import re
from pathlib import Path

import nbformat
import pytest

from tfedu.exercises import LEVELS, Predict
from tfedu.exercises.edition import bank_for, exercise_cells

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))


def _exercises(path):
    notebook = nbformat.read(path, as_version=4)
    bank = bank_for(path)
    return notebook, [(index, name, getattr(bank, name)) for index, name in exercise_cells(notebook)]


def _substance(code: str) -> list:
    """The lines that carry the answer: no comments, blank lines, check calls or prints; spaces removed."""
    lines = []
    for line in code.splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith(("ex.", "print(", "import ", "from ")):
            continue
        lines.append(re.sub(r"\s+", "", line))
    return lines


#: Lines every Keras subclass writes; sharing them with a lesson cell is not copying.
_BOILERPLATE = {"super().__init__()", "super().__init__(**kwargs)", "defget_config(self):",
                "returnconfig", "self.threshold=threshold"}


def copied_cell(solution: str, cells) -> tuple | None:
    """``(cell index, why)`` when ``solution`` copies one of ``cells`` ([(index, source)]), else None."""
    mine = _substance(solution)
    if not mine:
        return None
    mine_set = set(mine) - _BOILERPLATE
    for index, source in cells:
        theirs = _substance(source)
        if not theirs:
            continue
        ratio = difflib.SequenceMatcher(None, "\n".join(mine), "\n".join(theirs)).ratio()
        shared = mine_set & set(theirs)
        if ratio >= 0.8:
            return index, f"{ratio:.0%} similar"
        if mine_set and len(shared) / len(mine_set) >= 0.6:
            return index, f"{len(shared)} of its {len(mine_set)} lines appear there: {sorted(shared)}"
    return None


def test_the_copy_detector_finds_a_copy_and_passes_a_new_answer():
    lesson_cell = [(7, "schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)\n"
                       "optimizer = keras.optimizers.SGD(learning_rate=schedule)")]
    copy = "schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)\n" \
           "ex.q3.check(schedule)"
    fresh = "def rate(step):\n    return 0.1 * 0.5 ** (step / 100)\n\nex.q3.check(rate)"
    assert copied_cell(copy, lesson_cell)[0] == 7
    assert copied_cell(fresh, lesson_cell) is None


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_three_to_five_graded_exercises(path):
    _, exercises = _exercises(path)
    assert 3 <= len(exercises) <= 5, f"{path.name} has {len(exercises)} marked exercises; a lesson has 3-5"
    levels = [exercise.level for _, _, exercise in exercises]
    assert all(level in LEVELS for level in levels), f"{path.name}: levels {levels}; each is one of {LEVELS}"
    assert set(levels) == set(LEVELS), f"{path.name}: levels {levels} lack {sorted(set(LEVELS) - set(levels))}"
    order = [LEVELS.index(level) for level in levels]
    assert order == sorted(order), f"{path.name}: levels {levels} are not easiest first"


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_one_exercise_writes_real_code(path):
    _, exercises = _exercises(path)
    writes_code = [name for _, name, exercise in exercises
                   if not isinstance(exercise, Predict)
                   and re.search(r"^\s*(def |class |for |while )", exercise.solution().body, re.M)]
    assert writes_code, f"{path.name}: no exercise asks for a function, a class or a loop"


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_one_predict_then_run_question(path):
    notebook, exercises = _exercises(path)
    predicts = [(index, name) for index, name, exercise in exercises if isinstance(exercise, Predict)]
    assert predicts, f"{path.name}: no predict-then-run question (tfedu.exercises.Predict)"
    for index, name in predicts:
        after = [cell for cell in notebook.cells[index + 1:] if cell.cell_type == "code"]
        assert after, f"{path.name} {name}: no cell after the prediction shows what happens"
        shown = after[0]
        assert EXERCISE_FREE(shown), f"{path.name} {name}: the cell after the prediction is another exercise"
        assert shown.outputs, f"{path.name} {name}: the cell after the prediction is committed without output"
        assert "prediction" not in shown.source, (
            f"{path.name} {name}: the cell that shows what happens must not depend on the student's prediction")


def EXERCISE_FREE(cell) -> bool:
    return not cell.get("metadata", {}).get("tfedu", {}).get("exercise")


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_no_solution_copies_a_cell_of_its_lesson(path):
    notebook, exercises = _exercises(path)
    marked = {index for index, _, _ in exercises}
    cells = [(index, cell.source) for index, cell in enumerate(notebook.cells)
             if cell.cell_type == "code" and index not in marked]
    copies = []
    for _, name, exercise in exercises:
        if isinstance(exercise, Predict):
            continue
        found = copied_cell(exercise.solution().body, cells)
        if found:
            copies.append(f"{name} copies cell {found[0]} ({found[1]})")
    assert not copies, f"{path.name}: " + "; ".join(copies)


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_nothing_after_an_exercise_uses_its_answer(path):
    """Restart & Run All works on the committed lesson: later cells never read an exercise cell's names."""
    notebook, exercises = _exercises(path)
    for index, name, _ in exercises:
        assigned = set(re.findall(r"^([A-Za-z_]\w*)\s*=", notebook.cells[index].source, re.M))
        assigned |= set(re.findall(r"^(?:def|class)\s+([A-Za-z_]\w*)", notebook.cells[index].source, re.M))
        for later in notebook.cells[index + 1:]:
            if later.cell_type != "code" or not EXERCISE_FREE(later):
                continue
            used = {word for word in assigned if re.search(rf"\b{re.escape(word)}\b", later.source)}
            # a later cell that assigns the name first is not reading the student's answer
            used = {word for word in used if not re.search(rf"^\s*{re.escape(word)}\s*=", later.source, re.M)}
            assert not used, f"{path.name}: a cell after {name} uses {sorted(used)} from the exercise cell"
