"""The Chinese edition (lessons/zh/) is the English course, cell for cell: it cannot drift.

Each English lesson has a twin in lessons/zh/ with the same cells in the same order (the same
cell ids), the same code (only the first ``tfedu.setup(`` call gains ``language="zh"``), every
markdown cell in Chinese, and the same committed outputs wherever the language does not change
them; where it does, the output is in Chinese and holds every number the English one printed. ``python3 course.py
translate lessons/NN_topic.ipynb`` rebuilds a twin after the English lesson changed. Both
editions then pass strict nbval (``python3 course.py test`` runs them) and the lesson lint.
"""
import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
CJK = re.compile(r"[\u4e00-\u9fff]")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
FIX = "run `python3 course.py translate lessons/{name}` to rebuild the twin (it keeps the Chinese text)"


def course():
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def first_line(cell):
    return (source(cell).strip().splitlines() or [""])[0][:60]


def shown_text(cell) -> str:
    """The text a student reads in a cell's outputs (what nbval compares), images and widget ids left out."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append("".join(output["text"]))
        elif "data" in output:
            parts.append("".join(output["data"].get("text/plain", "")))
        elif output["output_type"] == "error":
            parts.append(output["ename"] + ": " + output["evalue"])
    return "".join(parts)


def kinds(cell) -> list:
    """The kinds of output a cell showed, consecutive stream chunks counted once (as nbval joins them)."""
    found = []
    for output in cell.get("outputs", []):
        kind = (output["output_type"], output.get("name"),
                sorted(k for k in output.get("data", {}) if not k.startswith("application/vnd.jupyter")))
        if not (found and kind[0] == "stream" and found[-1] == kind):
            found.append(kind)
    return found


def compared(cell) -> bool:
    """nbval compares this cell's output (it is not tagged to be ignored)."""
    tags = cell.get("metadata", {}).get("tags", [])
    return not ({"nbval-ignore-output", "nbval-skip"} & set(tags)) and "NBVAL_IGNORE_OUTPUT" not in source(cell)


def twin_of(path):
    return ROOT / "lessons" / "zh" / path.name


def test_every_english_lesson_has_a_chinese_twin():
    missing = [path.name for path in ENGLISH if not twin_of(path).is_file()]
    assert not missing, "no Chinese twin for " + ", ".join(missing) + ": " + FIX.format(name=missing[0])
    extra = sorted({p.name for p in (ROOT / "lessons" / "zh").glob("*.ipynb")} - {p.name for p in ENGLISH})
    assert not extra, f"lessons/zh/ has lessons with no English original: {extra}"


def code_drift(english, chinese, name) -> list:
    """What differs between a lesson and its twin in cells and code, each naming the twin's cell; [] if nothing."""
    fix = FIX.format(name=name)
    if [c.get("id") for c in chinese["cells"]] != [c.get("id") for c in english["cells"]]:
        return [f"lessons/zh/{name}: its cells are not the English lesson's cells in the same order; {fix}"]
    expected = course().chinese_code([source(c) for c in english["cells"] if c["cell_type"] == "code"])
    code = [(index, cell) for index, cell in enumerate(chinese["cells"]) if cell["cell_type"] == "code"]
    return [f"lessons/zh/{name} cell {index + 1} ({first_line(cell)!r}) differs from the English lesson's code; {fix}"
            for (index, cell), want in zip(code, expected) if source(cell) != want]


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.stem)
def test_the_twin_has_the_same_cells_and_code(path):
    chinese = load(twin_of(path))
    assert code_drift(load(path), chinese, path.name) == []
    assert chinese["metadata"].get("tfedu", {}).get("edition") == "zh"


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.stem)
def test_every_markdown_cell_of_the_twin_is_in_chinese(path):
    for index, cell in enumerate(load(twin_of(path))["cells"]):
        if cell["cell_type"] == "markdown":
            assert CJK.search(source(cell)), (
                f"lessons/zh/{path.name} cell {index + 1} ({first_line(cell)!r}) is not translated yet")


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.stem)
def test_the_twin_printed_the_same_results(path):
    english, chinese = load(path), load(twin_of(path))
    for index, (mine, theirs) in enumerate(zip(english["cells"], chinese["cells"])):
        if mine["cell_type"] != "code":
            continue
        if not compared(mine):
            continue
        where = f"lessons/zh/{path.name} cell {index + 1} ({first_line(mine)!r})"
        assert kinds(theirs) == kinds(mine), f"{where}: its outputs are not the English lesson's kinds of output"
        ours, zh = shown_text(mine), shown_text(theirs).replace(" | language zh", "")  # setup()'s summary names it
        if ours == zh:
            continue
        assert CJK.search(zh), f"{where}: its output differs from the English lesson's, and not by language:\n{zh[:300]}"
        missing = Counter(NUMBER.findall(ours)) - Counter(NUMBER.findall(zh))   # a title may add one ("7")
        assert not missing, (f"{where}: its output lacks numbers the English lesson printed: "
                             f"{sorted(missing.elements())[:8]}")


def test_chinese_code_adds_the_language_to_the_first_setup_call_only():
    chinese_code = course().chinese_code
    assert chinese_code(["import tfedu\ninfo = tfedu.setup()", "tfedu.setup(seed=7)"]) == [
        'import tfedu\ninfo = tfedu.setup(language="zh")', "tfedu.setup(seed=7)"]
    assert chinese_code(["x = 1", "tfedu.setup(seed=7)"]) == ["x = 1", 'tfedu.setup(language="zh", seed=7)']


def test_a_changed_english_code_cell_is_named_with_its_lesson_and_cell():
    english, chinese = load(ENGLISH[1]), load(twin_of(ENGLISH[1]))
    index = next(i for i, c in enumerate(english["cells"]) if c["cell_type"] == "code" and "setup" not in source(c))
    english["cells"][index]["source"] = source(english["cells"][index]) + "\nprint('a new line')"
    problems = code_drift(english, chinese, ENGLISH[1].name)
    assert len(problems) == 1 and problems[0].startswith(f"lessons/zh/{ENGLISH[1].name} cell {index + 1} ("), problems
    assert "python3 course.py translate lessons/" + ENGLISH[1].name in problems[0]
    english["cells"].insert(index, {"cell_type": "code", "id": "new-cell", "source": "x = 1", "metadata": {},
                                    "outputs": [], "execution_count": None})
    assert "not the English lesson's cells in the same order" in code_drift(english, chinese, ENGLISH[1].name)[0]


def test_the_course_opens_at_the_chinese_first_lesson_when_the_system_speaks_chinese():
    first_lesson = course().first_lesson
    assert first_lesson({"LANG": "zh_CN.UTF-8"}).as_posix() == "lessons/zh/00_welcome.ipynb"
    assert first_lesson({"LANG": "en_US.UTF-8", "LC_ALL": "zh_TW.UTF-8"}).as_posix() == "lessons/zh/00_welcome.ipynb"
    assert first_lesson({"LANG": "de_DE.UTF-8"}).as_posix() == "lessons/00_welcome.ipynb"
    assert first_lesson({}).as_posix() == "lessons/00_welcome.ipynb"
