"""tfedu.exercises.edition: lessons run with their solutions (and recorded mistakes) in the exercise cells."""
import importlib
import sys
import textwrap

import nbformat
import pytest

from tfedu.exercises import Exercise
from tfedu.exercises.edition import EXERCISE_KEY, exercise_cells, proof_notebook, write_edition

BANK = textwrap.dedent('''
    from tfedu.exercises import Exercise, close

    def _doubles(answer):
        "double(x) returns 2 x"
        close(answer(3.0), 6.0, what="double(3)")

    q1 = Exercise("Exercise 1 · Double it", checks=[_doubles], hint="Multiply by two.",
                  solution="""
                  def double(x):
                      return 2 * x
                  ex.q1.check(double)
                  """,
                  mistakes=["def double(x):\\n    return x + 2\\nex.q1.check(double)",
                            "def double(x):\\n    return -2 * x\\nex.q1.check(double)"])
''')


@pytest.fixture
def lesson(tmp_path, monkeypatch):
    (tmp_path / "demo_bank.py").write_text(BANK)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("demo_bank", None)
    bank = importlib.import_module("demo_bank")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    starter = nbformat.v4.new_code_cell("def double(x):\n    ...\nex.q1.check(...)")
    starter.metadata[EXERCISE_KEY] = {"exercise": "q1"}
    notebook.cells = [nbformat.v4.new_code_cell("import demo_bank as ex"), starter,
                      nbformat.v4.new_code_cell("print('after the exercise')")]
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(notebook, path)
    return path, bank


def test_exercise_cells_are_found_by_their_metadata(lesson):
    path, _ = lesson
    assert exercise_cells(nbformat.read(path, as_version=4)) == [(1, "q1")]


def _nbval(path, tmp_path):
    """Strict nbval over one notebook, as the suite runs lessons (the project's conftest proves the bank)."""
    import os
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), str(tmp_path)]))
    return subprocess.run([sys.executable, "-m", "pytest", str(path), "-p", "conftest", "-c", str(root / "pyproject.toml"),
                           "--rootdir", str(root), "-v", "--no-header"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300).stdout


def _with_bank(path, module="demo_bank"):
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata[EXERCISE_KEY] = {"bank": module}
    nbformat.write(notebook, path)


def test_the_proof_notebook_runs_each_mistake_then_the_solution_before_the_starter(lesson):
    path, bank = lesson
    built = proof_notebook(nbformat.read(path, as_version=4), bank)
    roles = [cell.metadata.get(EXERCISE_KEY, {}).get("proof") for cell in built.cells]
    assert roles == [None, "q1 mistake 1", "q1 mistake 2", "q1 solution", None, None]
    assert "return x + 2" in built.cells[1].source and "return 2 * x" in built.cells[3].source
    assert built.cells[4].source.startswith("def double(x):\n    ...")  # the committed starter, last


def test_the_lesson_run_proves_the_bank_and_compares_every_other_cell(lesson, tmp_path):
    path, bank = lesson
    _with_bank(path)
    notebook = nbformat.read(path, as_version=4)
    from tfedu.exercises.edition import _execute
    _execute(notebook, path.parent, 120)  # commit it executed, as lessons are
    nbformat.write(notebook, path)
    report = _nbval(path, tmp_path)
    assert "Cell 1 q1 mistake 1 PASSED" in report and "Cell 1 q1 mistake 2 PASSED" in report, report
    assert "Cell 1 q1 solution PASSED" in report and "Cell 2 PASSED" in report, report
    assert "6 passed" in report, report


def test_the_lesson_run_fails_a_wrong_solution_a_mistake_that_passes_and_a_changed_output(lesson, tmp_path):
    path, bank = lesson
    _with_bank(path)
    notebook = nbformat.read(path, as_version=4)
    from tfedu.exercises.edition import _execute
    _execute(notebook, path.parent, 120)
    notebook.cells[2].outputs[0]["text"] = "before the exercise\n"  # a committed output that is no longer true
    nbformat.write(notebook, path)
    (tmp_path / "demo_bank.py").write_text(BANK.replace("return 2 * x", "return x").replace(
        "return x + 2", "return 2 * x"))
    report = _nbval(path, tmp_path)
    assert "Cell 1 q1 mistake 1 FAILED" in report and "Cell 1 q1 solution FAILED" in report, report
    assert "demo_bank q1 mistake 1 gives 'correct', not 'wrong'" in report, report
    assert "demo_bank q1 solution gives 'wrong', not 'correct'" in report, report
    assert "Cell 2 FAILED" in report and "before the exercise" in report, report


def test_the_teachers_edition_is_the_lesson_solved_and_executed(lesson, tmp_path):
    path, bank = lesson
    target = write_edition(path, tmp_path / "edition", bank=bank, timeout=120)
    solved = nbformat.read(target, as_version=4)
    assert "return 2 * x" in solved.cells[1].source
    text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in solved.cells[1].outputs)
    assert "Exercise 1 · Double it: correct!" in text
    assert solved.cells[2].outputs[0]["text"] == "after the exercise\n"
    assert "def double(x):\n    ...\n" in nbformat.read(path, as_version=4).cells[1].source  # lesson untouched


def test_mistakes_must_be_code_strings():
    with pytest.raises(TypeError, match="mistakes must be a list of code strings"):
        Exercise("T", checks=[lambda a: None], hint="h", solution="s", mistakes="x = 1")


def test_course_solutions_command_guards_the_lessons_folder():
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "course.py", "solutions"], cwd=root, capture_output=True, text=True)
    assert result.returncode != 0 and "name the folder for the teacher's edition" in result.stderr
    result = subprocess.run([sys.executable, "course.py", "solutions", "lessons"], cwd=root, capture_output=True,
                            text=True)
    assert result.returncode != 0 and "must not overwrite lessons/" in result.stderr
