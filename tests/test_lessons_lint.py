"""Every lesson follows the course's notebook rules (see tests/README.md)."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))
NAME = re.compile(r"^\d{2}_[a-z0-9]+(_[a-z0-9]+)*\.ipynb$")
TITLE = re.compile(r"^# \d{2} · \S")
MACHINE_PATH = re.compile(r"(/work/|/tmp/|/root/|/home/|/Users/|/private/var/|[A-Za-z]:\\\\Users\\\\)")
OBJECTIVES = re.compile(r"\*\*In this lesson you will\*\*\s*\n(\s*- .+\n?){2,4}")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell.get("source", ""))


def code_cells(notebook):
    return [c for c in notebook["cells"] if c["cell_type"] == "code" and source(c).strip()]


def test_there_are_lessons():
    assert LESSONS and LESSONS[0].name == "00_welcome.ipynb"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_name_title_objectives_and_kernel(path):
    assert NAME.match(path.name), f"{path.name}: lessons are named NN_topic.ipynb (lower case, underscores)"
    notebook = load(path)
    first = notebook["cells"][0]
    assert first["cell_type"] == "markdown" and TITLE.match(source(first)), (
        f"{path.name}: the first cell is a markdown title like '# {path.name[:2]} · Topic'"
    )
    assert OBJECTIVES.search(source(first) + "\n"), (
        f"{path.name}: the first cell lists 2-4 learning objectives under '**In this lesson you will**'"
    )
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_starts_with_setup(path):
    cells = code_cells(load(path))
    assert "tfedu.setup(" in source(cells[0]), (
        f"{path.name}: the first code cell must call tfedu.setup() (it imports TensorFlow quietly and seeds everything)"
    )


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_executed_in_order_with_clean_outputs(path):
    cells = code_cells(load(path))
    counts = [c.get("execution_count") for c in cells]
    assert None not in counts, f"{path.name}: run every cell (Restart & Run All) before committing"
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: cells ran out of order or the kernel was not restarted ({counts}); use Restart & Run All"
    )
    for number, cell in enumerate(cells, 1):
        tags = cell.get("metadata", {}).get("tags", [])
        for output in cell["outputs"]:
            if output["output_type"] == "error":
                assert "raises-exception" in tags, (
                    f"{path.name} cell {number}: saved error {output['ename']}; tag the cell "
                    "'raises-exception' if the error is the point"
                )
            text = json.dumps(output.get("text", "")) + json.dumps(
                {k: v for k, v in output.get("data", {}).items() if not k.startswith("image/")}
            )
            found = MACHINE_PATH.search(text)
            assert not found, f"{path.name} cell {number}: output shows a machine path ({found.group(0)})"
            if output["output_type"] == "stream" and output["name"] == "stderr":
                assert "cpu_feature_guard" not in output["text"] and "absl" not in output["text"], (
                    f"{path.name} cell {number}: TensorFlow start-up lines on stderr; call tfedu.setup() first"
                )


def test_welcome_lesson_and_readme_list_every_lesson():
    welcome = "".join(source(c) for c in load(ROOT / "lessons" / "00_welcome.ipynb")["cells"])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in LESSONS:
        assert f"({path.name})" in welcome, f"00_welcome.ipynb's course map does not link {path.name}"
        assert f"lessons/{path.name}" in readme, f"README's lesson table does not list {path.name}"
