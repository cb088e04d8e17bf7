"""tfedu.exercises.edition: lessons run with their solutions (and recorded mistakes) in the exercise cells."""
import importlib
import sys
import textwrap

import nbformat
import pytest

from tfedu.exercises import Exercise
from tfedu.exercises.edition import EXERCISE_KEY, exercise_cells, prove, write_edition

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


def test_prove_runs_every_mistake_and_the_solution(lesson):
    path, bank = lesson
    proof = prove(path, bank=bank, timeout=120)
    assert proof.passed, str(proof)
    assert proof.solutions == {"q1": "correct"}
    verdicts = [verdict for verdict, _ in proof.mistakes["q1"]]
    assert verdicts == ["wrong", "wrong"]
    messages = [message for _, message in proof.mistakes["q1"]]
    assert "is too small" in messages[0] and "has the wrong sign" in messages[1]
    assert all("6" not in message.replace("double(3)", "") for message in messages)  # never the answer
    assert "every solution correct, every mistake rejected" in str(proof)


def test_prove_reports_a_wrong_solution_and_a_mistake_that_passes(lesson):
    path, bank = lesson
    bank.q1 = Exercise(bank.q1.title, checks=bank.q1.checks, hint="h",
                       solution="def double(x):\n    return x\nex.q1.check(double)",
                       mistakes=["def double(x):\n    return 2 * x\nex.q1.check(double)"])
    proof = prove(path, bank=bank, timeout=120)
    assert not proof.passed
    assert "q1: the solution gives 'wrong', not 'correct'" in proof.problems
    assert "q1: mistake 1 gives 'correct', not 'wrong'" in proof.problems


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
