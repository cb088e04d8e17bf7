"""`python3 course.py assignments DIR`: the lessons as an nbgrader course, proven with real nbgrader.

generate_assignment, then autograde one submission with every solution (full marks) and one with
the released starters (zero); the checks are the banks' own and stay hidden; a cell slower than
nbgrader's default 30 s timeout is not killed.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def nbgrader(course: Path, *args, timeout=600):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result


def scores(course: Path, assignment: str) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {submission.student.id: (submission.score, submission.max_score)
                for submission in gradebook.find_assignment(assignment).submissions}


def submit(course: Path, student: str, assignment: str, notebook: Path) -> None:
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(notebook, folder / notebook.name)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("nbgrader-course")
    result = subprocess.run([sys.executable, "course.py", "assignments", str(course)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return course


def test_every_lesson_becomes_an_assignment_with_graded_exercises(course):
    from tfedu.exercises.edition import POINTS, bank_for, exercise_cells

    lessons = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
    for path in lessons:
        source = nbformat.read(course / "source" / f"lesson_{path.name[:2]}" / path.name, as_version=4)
        graded = [c.metadata["nbgrader"] for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")]
        bank = bank_for(path)
        names = [name for _, name in exercise_cells(nbformat.read(path, as_version=4))]
        assert [g["grade_id"] for g in graded] == [f"{name}_check" for name in names]
        assert [g["points"] for g in graded] == [POINTS[getattr(bank, name).level] for name in names]


def test_nbgrader_gives_full_marks_to_the_solutions_and_zero_to_the_blank_starters(course):
    from tfedu.exercises.edition import POINTS, bank_for, exercise_cells

    lesson = ROOT / "lessons" / "01_tensors.ipynb"   # a short lesson: each autograde run takes seconds
    bank = bank_for(lesson)
    total = float(sum(POINTS[getattr(bank, name).level] for _, name in exercise_cells(nbformat.read(lesson, as_version=4))))
    nbgrader(course, "generate_assignment", "lesson_01", "--force")
    released = course / "release" / "lesson_01" / lesson.name
    text = released.read_text()
    assert "YOUR CODE HERE" in text and "HIDDEN TESTS" not in text and "ex.q1.check" not in text  # checks stay hidden
    submit(course, "solved", "lesson_01", course / "source" / "lesson_01" / lesson.name)
    submit(course, "blank", "lesson_01", released)
    nbgrader(course, "autograde", "lesson_01", "--force")
    assert scores(course, "lesson_01") == {"blank": (0.0, total), "solved": (total, total)}


def test_a_cell_slower_than_nbgraders_default_timeout_is_not_killed(course):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell("import time\ntime.sleep(31)  # a training cell: longer than nbgrader's 30 s default"),
        nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION", metadata={"nbgrader": {
            "solution": True, "grade": False, "locked": False, "task": False, "grade_id": "a", "schema_version": 3}}),
        nbformat.v4.new_code_cell("assert answer == 42", metadata={"nbgrader": {
            "solution": False, "grade": True, "locked": True, "task": False, "grade_id": "a_check", "points": 1,
            "schema_version": 3}}),
    ]
    (course / "source" / "slow").mkdir(parents=True)
    nbformat.write(notebook, course / "source" / "slow" / "slow.ipynb")
    nbgrader(course, "generate_assignment", "slow", "--force")
    submit(course, "patient", "slow", course / "source" / "slow" / "slow.ipynb")
    nbgrader(course, "autograde", "slow", "--force")
    assert scores(course, "slow")["patient"] == (1.0, 1.0)


def test_the_course_folder_must_not_be_the_lessons():
    result = subprocess.run([sys.executable, "course.py", "assignments", "lessons"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode != 0 and "must not be inside lessons/" in result.stderr
