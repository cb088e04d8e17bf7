"""`python3 course.py test --portability`: strict nbval under other numeric set-ups, naming changed cells."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def _load_course():
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


course = _load_course()   # the command's own functions, for the tests that need no subprocess


def portability(*args):
    return subprocess.run([sys.executable, "course.py", "test", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def write_notebook(path: Path, cells: list) -> Path:
    """Write and execute a small notebook, as a lesson is committed."""
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    nbformat.write(notebook, path)
    return path


def test_portability_names_the_cell_whose_output_depends_on_the_set_up(tmp_path):
    notebook = write_notebook(tmp_path / "threads.ipynb", [
        "import os\nprint('stable')",
        "print('threads:', os.environ.get('TF_NUM_INTRAOP_THREADS', 'default'))",
    ])
    result = portability("--portability=3-threads,onednn-off", str(notebook))
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    section = out[out.index("3-threads        "):]
    assert "1 cell(s) changed" in section.splitlines()[0]
    assert "threads.ipynb Cell 1" in section
    assert "threads: default" in section and "threads: 3" in section  # how the output changed
    assert "onednn-off" in out and "TF_ENABLE_ONEDNN_OPTS=0: same outputs (2 cells passed" in out
    assert out.strip().splitlines()[-1].startswith("portability: 3 passed, 1 failed in ")


def test_portability_rejects_unknown_set_ups():
    # (a real lesson passing: every full suite runs each lesson through the same queue, see course.test)
    result = portability("--portability=avx512")
    assert result.returncode != 0 and "unknown portability set-up 'avx512'" in result.stderr


def test_the_full_run_reads_pytest_counts_for_its_closing_line(capsys):
    code, counts = course.run_and_count(
        [sys.executable, "-c", "print('collected 6 items'); print('==== 3 passed, 1 failed, 2 skipped in 1.25s ====')"],
        {})
    assert code == 0 and counts == {"passed": 3, "failed": 1, "skipped": 2}
    assert "collected 6 items" in capsys.readouterr().out  # pytest's own output is passed through


def test_the_report_names_the_slowest_notebooks_of_a_set_up(capsys):
    course.report_portability([{"name": "1-thread", "notebooks": 3, "seconds": 40.0, "passed": 30, "changed": [],
                                "total": 52.0,
                                "slowest": [(21.0, "13_x.ipynb"), (12.4, "12_y.ipynb"), (6.0, "01_z.ipynb")]}])
    out = capsys.readouterr().out
    assert "1-thread         TF_NUM_INTRAOP_THREADS=1: same outputs (30 cells passed in 3 notebook(s))" in out
    assert "52 s of pytest runs; slowest by time in their cells: 13_x.ipynb 21 s, 12_y.ipynb 12 s, 01_z.ipynb 6 s" in out
    assert out.strip().splitlines()[-1] == "portability: 30 passed, 0 failed in 40 s"


def test_a_queued_part_of_the_suite_reports_its_tests_and_failures(tmp_path):
    (tmp_path / "test_part.py").write_text("def test_one():\n    pass\n\ndef test_two():\n    pass\n\n"
                                           "def test_three():\n    assert 1 == 2, 'three is wrong'\n")
    queue = course.LessonQueue(Path(sys.executable), [], [(course.PYTEST_PART, [tmp_path / "test_part.py"])],
                               tmp_path).start()
    assert queue.finish() == []
    [part] = queue.parts
    assert part["label"] == str(tmp_path / "test_part.py") and part["code"] == 1
    assert part["counts"] == {"passed": 2, "failed": 1, "skipped": 0}
    assert "three is wrong" in part["output"] and part["seconds"] > 0


def test_a_group_of_lessons_runs_in_one_pytest_and_is_reported_per_notebook(tmp_path):
    paths = []
    for name, value in (("first", 1), ("second", 2)):   # committed outputs written by hand: no kernel needed
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        cell = nbformat.v4.new_code_cell(f"print({value} + 1)", execution_count=1)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{value + 1}\n")]
        wrong = nbformat.v4.new_code_cell("print('machine')", execution_count=2)
        wrong.outputs = [nbformat.v4.new_output("stream", name="stdout", text="other\n" if name == "second" else "machine\n")]
        notebook.cells = [cell, wrong]
        nbformat.write(notebook, tmp_path / f"{name}.ipynb")
        paths.append(tmp_path / f"{name}.ipynb")
    queue = course.LessonQueue(Path(sys.executable), ["1-thread"], [("1-thread", paths)], tmp_path).start()
    [run] = queue.finish()
    assert run["notebooks"] == 2 and run["passed"] == 3
    [(cell, difference)] = run["changed"]
    assert "second.ipynb Cell 1" in cell and "other" in difference and "machine" in difference
    assert sorted(name for _, name in run["slowest"]) == ["first.ipynb", "second.ipynb"]
    assert run["total"] > 0 and all(seconds >= 0 for seconds, _ in run["slowest"])
