"""Shared pytest configuration for unit tests, docstring examples and lessons (kernels inherit the environment)."""
import atexit
import os
import shutil
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # as tfedu.setup() does

# Exercise checks record progress; the suite's own checks must not land in the developer's record.
_PROGRESS_DIR = tempfile.mkdtemp(prefix="tfedu-test-progress-")
os.environ["TFEDU_PROGRESS"] = os.path.join(_PROGRESS_DIR, "progress.jsonl")
atexit.register(shutil.rmtree, _PROGRESS_DIR, ignore_errors=True)

import matplotlib  # noqa: E402

matplotlib.use("Agg")


# Lessons run once under strict nbval, and that run also proves the exercise bank: before each
# exercise cell, every recorded mistake must get "not yet." and the solution "correct!" in the
# lesson's own kernel (tfedu.exercises.edition.proof_notebook); then the committed starter runs
# and, like every other cell, must print what is committed.
import pytest  # noqa: E402
from nbval.plugin import IPyNbCell, IPyNbFile, find_comment_markers, find_metadata_tags  # noqa: E402


class ProvedLesson(IPyNbFile):
    """A lesson's strict nbval run with its exercise proofs in it; proof items are named "q1 mistake 1"."""

    def collect(self):
        from collections import defaultdict

        import nbformat

        from tfedu.exercises.edition import EXERCISE_KEY, bank_for, exercise_cells, proof_notebook

        notebook = nbformat.read(str(self.fspath), as_version=4)
        # the Chinese twins run the same banks' code: proven once, in the English lesson's run
        if exercise_cells(notebook) and notebook.metadata.get(EXERCISE_KEY, {}).get("edition") != "zh":
            notebook = proof_notebook(notebook, bank_for(self.path, notebook))
        self.nb = notebook
        number = 0
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            options = defaultdict(bool, find_metadata_tags(cell.metadata))
            options.update(dict(find_comment_markers(cell.source)))
            options.setdefault("check", self.compare_outputs)
            proof = cell.metadata.get(EXERCISE_KEY, {}).get("proof")
            if proof:  # numbered with the exercise cell it proves, which comes next
                yield IPyNbCell.from_parent(self, name=f"Cell {number} {proof}", cell_num=number, cell=cell,
                                            options=options)
                continue
            yield IPyNbCell.from_parent(self, name=f"Cell {number}", cell_num=number, cell=cell, options=options)
            number += 1


@pytest.hookimpl(hookwrapper=True)
def pytest_collect_file(file_path, parent):
    outcome = yield
    if file_path.suffix != ".ipynb":
        return
    outcome.force_result([ProvedLesson.from_parent(parent, path=file_path) if type(item) is IPyNbFile else item
                          for item in outcome.get_result()])
