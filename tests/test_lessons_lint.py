"""Every lesson, in both editions (lessons/ and its Chinese twin in lessons/zh/), follows the course's
notebook rules (see tests/README.md)."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = sorted((ROOT / "lessons").glob("*.ipynb"))
CHINESE = sorted((ROOT / "lessons" / "zh").glob("*.ipynb"))
LESSONS = ENGLISH + CHINESE
NAME = re.compile(r"^\d{2}_[a-z0-9]+(_[a-z0-9]+)*\.ipynb$")
TITLE = re.compile(r"^# \d{2} · \S")
MACHINE_PATH = re.compile(r"(/work/|/tmp/|/root/|/home/|/Users/|/private/var/|[A-Za-z]:\\\\Users\\\\)")
MARKERS = {"en": "**In this lesson you will**", "zh": "**本课你将**"}   # above the 2-4 objectives
OBJECTIVES = {lang: re.compile(re.escape(marker) + r"\s*\n(\s*- .+\n?){2,4}") for lang, marker in MARKERS.items()}


def edition(path):
    return "zh" if path.parent.name == "zh" else "en"


def name(path):
    return f"zh/{path.name}" if edition(path) == "zh" else path.name


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell.get("source", ""))


def code_cells(notebook):
    return [c for c in notebook["cells"] if c["cell_type"] == "code" and source(c).strip()]


def test_there_are_lessons():
    assert ENGLISH and ENGLISH[0].name == "00_welcome.ipynb"


@pytest.mark.parametrize("path", LESSONS, ids=name)
def test_lesson_name_title_objectives_and_kernel(path):
    assert NAME.match(path.name), f"{name(path)}: lessons are named NN_topic.ipynb (lower case, underscores)"
    notebook = load(path)
    first = notebook["cells"][0]
    assert first["cell_type"] == "markdown" and TITLE.match(source(first)), (
        f"{name(path)}: the first cell is a markdown title like '# {path.name[:2]} · Topic'"
    )
    marker = MARKERS[edition(path)]
    assert OBJECTIVES[edition(path)].search(source(first) + "\n"), (
        f"{name(path)}: the first cell lists 2-4 learning objectives under '{marker}'"
    )
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", LESSONS, ids=name)
def test_lesson_starts_with_setup(path):
    cells = code_cells(load(path))
    assert "tfedu.setup(" in source(cells[0]), (
        f"{name(path)}: the first code cell must call tfedu.setup() (it imports TensorFlow quietly and seeds everything)"
    )


@pytest.mark.parametrize("path", LESSONS, ids=name)
def test_lesson_executed_in_order_with_clean_outputs(path):
    cells = code_cells(load(path))
    counts = [c.get("execution_count") for c in cells]
    assert None not in counts, f"{name(path)}: run every cell (Restart & Run All) before committing"
    assert counts == list(range(1, len(cells) + 1)), (
        f"{name(path)}: cells ran out of order or the kernel was not restarted ({counts}); use Restart & Run All"
    )
    for number, cell in enumerate(cells, 1):
        tags = cell.get("metadata", {}).get("tags", [])
        for output in cell["outputs"]:
            if output["output_type"] == "error":
                assert "raises-exception" in tags, (
                    f"{name(path)} cell {number}: saved error {output['ename']}; tag the cell "
                    "'raises-exception' if the error is the point"
                )
            text = json.dumps(output.get("text", "")) + json.dumps(
                {k: v for k, v in output.get("data", {}).items() if not k.startswith("image/")}
            )
            found = MACHINE_PATH.search(text)
            assert not found, f"{name(path)} cell {number}: output shows a machine path ({found.group(0)})"
            if output["output_type"] == "stream" and output["name"] == "stderr":
                assert "cpu_feature_guard" not in output["text"] and "absl" not in output["text"], (
                    f"{name(path)} cell {number}: TensorFlow start-up lines on stderr; call tfedu.setup() first"
                )


@pytest.mark.parametrize("folder, readme", [("lessons", "README.md"), ("lessons/zh", "README.zh-CN.md")])
def test_welcome_lesson_and_readme_list_every_lesson(folder, readme):
    welcome = "".join(source(c) for c in load(ROOT / folder / "00_welcome.ipynb")["cells"])
    text = (ROOT / readme).read_text(encoding="utf-8")
    for path in ENGLISH:
        assert f"({path.name})" in welcome, f"{folder}/00_welcome.ipynb's course map does not link {path.name}"
        assert f"{folder}/{path.name}" in text, f"{readme}'s lesson table does not list {folder}/{path.name}"
