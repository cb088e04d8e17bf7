import os

import numpy as np
import pytest

from tfedu import data
from tfedu.exercises import CheckResult, Exercise, Mismatch, close
from tfedu.exercises import lesson_00


def shape_is_2x2(answer):
    "has shape (2, 2)"
    if np.shape(answer) != (2, 2):  # plain raise: pytest rewrites assert messages in test files
        raise Mismatch(f"shape is {np.shape(answer)}")


def sums_to_10(answer):
    "adds up to 10"
    total = float(np.sum(answer))
    if total != 10:
        raise Mismatch(f"sum is {total}")


EXERCISE = Exercise("Try", checks=[shape_is_2x2, sums_to_10], hint="Think of [[1, 2], [3, 4]].",
                    solution="answer = [[1, 2], [3, 4]]")


def test_right_answer_passes_every_check():
    result = EXERCISE.check([[1, 2], [3, 4]])
    assert isinstance(result, CheckResult) and result.passed
    assert str(result) == "Try: correct!\n  ✓ has shape (2, 2)\n  ✓ adds up to 10"
    assert "correct!" in result._repr_html_() and "#1a7f37" in result._repr_html_()


def test_wrong_answer_says_what_was_seen():
    result = EXERCISE.check([[1, 2], [3, 5]])
    assert not result.passed
    assert str(result) == "Try: not yet.\n  ✓ has shape (2, 2)\n  ✗ adds up to 10: sum is 11.0"
    assert "#cf222e" in result._repr_html_()


def test_placeholder_is_not_an_error():
    for placeholder in (..., None):
        result = EXERCISE.check(placeholder)
        assert not result.passed and not result.answered and result.lines == []
        assert "not answered yet" in str(result)


def test_student_code_that_raises_is_reported_not_propagated():
    def calls_answer(answer):
        "your function returns 1 for 0"
        assert answer(0) == 1

    exercise = Exercise("Call", checks=[calls_answer], hint="h", solution="s")
    result = exercise.check(lambda x: 1 / x)
    assert not result.passed
    assert "raised ZeroDivisionError: division by zero" in str(result)


def test_later_checks_are_skipped_when_they_crash_after_a_failure():
    result = EXERCISE.check("not an array")
    lines = str(result).splitlines()
    assert lines[1].startswith("  ✗ has shape (2, 2): shape is ()")
    assert lines[2] == "  ✗ adds up to 10: skipped until the checks above pass"


def test_hint_and_solution_are_shown():
    assert str(EXERCISE.hint()) == "Hint (Try):\nThink of [[1, 2], [3, 4]]."
    assert "<pre" in EXERCISE.solution()._repr_html_()
    assert "answer = [[1, 2], [3, 4]]" in str(EXERCISE.solution())


def test_exercise_definition_errors():
    with pytest.raises(ValueError, match="needs at least one check"):
        Exercise("x", checks=[], hint="", solution="")
    with pytest.raises(TypeError, match="checks must be functions"):
        Exercise("x", checks=["nope"], hint="", solution="")


def test_close_helper():
    close(np.ones(3), [1, 1, 1.0000001])
    with pytest.raises(Mismatch, match=r"has shape \(3,\), expected shape \(2,\)"):
        close(np.ones(3), [1, 1])
    with pytest.raises(Mismatch, match=r"gradient is \[1\. 1\.\], expected \[1\. 2\.\]"):
        close([1, 1], [1, 2], what="gradient", reveal=True)


@pytest.mark.parametrize("actual, expected, words", [
    ([1.0, 1.0], [1.0, 2.0], "is wrong in 1 of 2 entries (the first at index 1 is too small)"),
    ([-1.0, -2.0], [1.0, 2.0], "has the wrong sign everywhere"),
    ([2.0, 4.0, 0.0], [1.0, 2.0, 0.0], "is 2 times the right values everywhere"),
    (6.0, 12.0, "is 1/2 of the right value"),
    (-3.0, 3.0, "has the wrong sign"),
    (3.5, 3.0, "is too large"),
    ([np.nan, 1.0], [1.0, 1.0], "contains NaN"),
    ([[1.0, 2.0], [3.0, 8.0]], [[1.0, 2.0], [3.0, 7.0]], "the first at index (1, 1) is too large"),
])
def test_close_says_how_an_answer_is_wrong_without_the_expected_value(actual, expected, words):
    with pytest.raises(Mismatch) as raised:
        close(actual, expected, what="answer")
    message = str(raised.value)
    assert words in message
    for value in np.ravel(expected):  # the right numbers never appear
        if value not in (0.0, 1.0) and value not in np.ravel(actual):
            assert f"{value:g}" not in message.replace(words, "")


def test_lesson_00_bank_accepts_its_solutions_and_rejects_near_misses():
    _, labels = data.load_digits()
    sevens = int((labels == 7).sum())
    assert lesson_00.q1.check(sevens).passed
    assert not lesson_00.q1.check(float(sevens)).passed
    assert not lesson_00.q1.check(sevens + 1).passed
    assert lesson_00.q2.check(data.make_toy("spiral", n_samples=120, n_classes=3, seed=3)).passed
    wrong_seed = lesson_00.q2.check(data.make_toy("spiral", n_samples=120, n_classes=3, seed=4))
    assert not wrong_seed.passed and "seed=3" in str(wrong_seed)
    two_arms = lesson_00.q2.check(data.make_toy("spiral", n_samples=120, seed=3))
    assert "class sizes are [60, 60], expected [40, 40, 40]" in str(two_arms)


def _calls(answer):
    "your function returns 1 for 0"
    assert answer(0) == 1


CALLER = Exercise("Call", checks=[_calls], hint="h", solution="s", time_limit=0.5)


def test_an_answer_that_calls_sys_exit_is_reported_and_the_kernel_survives():
    import sys

    result = CALLER.check(lambda x: sys.exit(3))
    assert not result.passed
    assert "called sys.exit() or exit() (3)" in str(result) and "return a value" in str(result)
    result = CALLER.check(lambda x: exit())
    assert not result.passed and "sys.exit()" in str(result)


def test_an_answer_that_never_ends_is_stopped_after_the_time_limit():
    import time

    def forever(x):
        while True:
            pass

    start = time.monotonic()
    result = CALLER.check(forever)
    assert time.monotonic() - start < 5
    assert not result.passed and "stopped after 0.5 s" in str(result) and "loop" in str(result)
    # the watchdog is gone: later code is not interrupted
    time.sleep(0.7)
    assert CALLER.check(lambda x: 1).passed


def test_a_quick_answer_is_not_interrupted_by_a_late_timeout():
    # 0.5 s: far above a trivial check's time even on a loaded CI machine (0.05 s was not), far below the sleep
    for _ in range(20):
        assert CALLER.check(lambda x: 1).passed
    import time
    time.sleep(0.6)  # a pending timeout would be raised here


def test_errors_point_at_the_students_line():
    def answer(x):
        values = [1, 2]
        return values[5]

    result = CALLER.check(answer)
    assert "raised IndexError: list index out of range" in str(result)
    assert "of your code: return values[5]" in str(result)


def test_exercise_rejects_bad_time_limits():
    for bad in (0, -1, True, "30"):
        with pytest.raises(ValueError, match="time_limit must be a number of seconds > 0"):
            Exercise("T", checks=[_calls], hint="h", solution="s", time_limit=bad)


def test_graded_hints_get_more_specific_and_say_what_comes_next():
    exercise = Exercise("Graded", checks=[_calls], hint=["Think small.", "Return 1.", "return 1"], solution="s")
    first, second, last = exercise.hint(), exercise.hint(2), exercise.hint(3)
    assert first.body.startswith("Think small.") and ".hint(2)" in first.body and first.label == "Hint 1 of 3"
    assert second.body.startswith("Return 1.") and ".hint(3)" in second.body
    assert last.body == "return 1" and "last hint" in exercise.hint(4).body
    assert "Hint 1 of 3" in str(first) and "<b>Hint 1 of 3</b>" in first._repr_html_()
    with pytest.raises(ValueError, match="level must be a hint number 1, 2, ... .this exercise has 3., got 0"):
        exercise.hint(0)
    with pytest.raises(ValueError, match="hint must be a non-empty string or a list of them"):
        Exercise("No hint", checks=[_calls], hint=[], solution="s")


def test_verdicts_hints_and_solutions_are_recorded_in_progress(tmp_path, monkeypatch):
    from tfedu.exercises import lesson_00, progress

    monkeypatch.setenv("TFEDU_PROGRESS", str(tmp_path / "record.jsonl"))
    assert lesson_00.q1.place == ("lesson_00", "q1")
    lesson_00.q1.check(...)            # not answered: not an attempt
    lesson_00.q1.check(-1)             # wrong
    lesson_00.q1.hint()
    _, labels = data.load_digits()
    lesson_00.q1.check(int((labels == 7).sum()))   # correct
    lesson_00.q2.solution()
    report = progress()
    rows = {(e.lesson, e.exercise): e for e in report.exercises}
    assert (rows["lesson_00", "q1"].attempts, rows["lesson_00", "q1"].correct, rows["lesson_00", "q1"].hints) == (2, True, 1)
    assert rows["lesson_00", "q2"].solution_viewed and not rows["lesson_00", "q2"].correct
    text = str(report).splitlines()
    assert text[0].split() == ["lesson", "exercise", "attempts", "correct", "hints", "solution"]
    assert text[1].split() == ["lesson_00", "q1", "2", "yes", "1", "no"]
    assert text[2].split() == ["lesson_00", "q2", "0", "no", "0", "viewed"]
    assert text[-1] == "1 of 2 exercises correct (1 attempted)" and "<table>" in report._repr_html_()


def test_recording_never_breaks_a_check(tmp_path, monkeypatch):
    import warnings

    from tfedu.exercises import lesson_00
    from tfedu.exercises.record import ProgressStore

    blocked = tmp_path / "read-only"
    blocked.mkdir()
    blocked.chmod(0o500)
    monkeypatch.setenv("TFEDU_PROGRESS", str(blocked / "sub" / "progress.jsonl"))
    monkeypatch.setattr(ProgressStore, "_warned", False)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            verdict = lesson_00.q1.check(-1)
        assert not verdict.passed and verdict.lines  # the verdict still shows
        if os.geteuid() != 0:  # root may write anywhere
            assert any("Could not record your progress" in str(w.message) for w in caught)
        # a full disk: os.write fails
        store = ProgressStore(tmp_path / "full.jsonl")
        monkeypatch.setattr(os, "open", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left on device")))
        monkeypatch.setattr(ProgressStore, "_warned", False)
        with pytest.warns(RuntimeWarning, match="No space left on device.*still checked"):
            assert store.record("lesson_00", "q1", "check", verdict="wrong") is False
    finally:
        blocked.chmod(0o700)


WRITER = """
import sys
from tfedu.exercises.record import ProgressStore
store = ProgressStore(sys.argv[1])
for k in range(int(sys.argv[3])):
    store.record("lesson_%s" % sys.argv[2], "q1", "check", verdict="wrong", k=k, padding="x" * 300)
"""


def test_two_kernels_writing_at_once_lose_nothing(tmp_path):
    import json
    import subprocess
    import sys

    path = tmp_path / "shared.jsonl"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, "400"]) for name in ("01", "02")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    lines = path.read_text().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is whole JSON
    assert len(entries) == 800
    for name in ("lesson_01", "lesson_02"):
        assert sorted(e["k"] for e in entries if e["lesson"] == name) == list(range(400))


def test_predict_question_says_what_a_wrong_guess_overlooks():
    from tfedu.exercises import Predict

    q = Predict("Guess", options={"a": "it grows", "b": "it shrinks", "c": "it stays"}, answer="b",
                why={"a": "a step goes downhill", "c": "the gradient is not zero"}, hint="Think.", level="core")
    wrong = q.check("a")
    assert not wrong.passed and wrong.lines[1].detail == "not a: a step goes downhill"
    assert "b" not in wrong.lines[1].detail.replace("about", "")  # the right letter is not named
    assert q.check(" B ").passed
    assert "one letter in quotes: a, b, c" in q.check("d").lines[0].detail
    assert q.check(...).answered is False
    assert q.heading == "Guess (core)" and str(q.check("b")).startswith("Guess (core): correct!")
    with pytest.raises(ValueError, match="lacks \\['c'\\]"):
        Predict("Guess", options={"a": "x", "b": "y", "c": "z"}, answer="b", why={"a": "no"}, hint="h")
    with pytest.raises(ValueError, match="at least three options"):
        Predict("Guess", options={"a": "x", "b": "y"}, answer="b", why={"a": "no"}, hint="h")
    with pytest.raises(ValueError, match="'e' is not one of the options"):
        Predict("Guess", options={"a": "x", "b": "y", "c": "z"}, answer="e", why={}, hint="h")


def test_levels_are_checked_and_not_answered_points_at_the_hint():
    with pytest.raises(ValueError, match="level must be one of 'warm-up', 'core', 'challenge'"):
        Exercise("T", checks=[lambda a: None], hint="h", solution="s", level="easy")
    from tfedu.exercises import lesson_02

    text = str(lesson_02.q1.check(...))
    assert "not answered yet" in text and "Stuck? ex.q1.hint() gives a nudge." in text


def test_close_says_an_all_zero_answer_is_zero_not_zero_times_the_value():
    with pytest.raises(Mismatch, match="gradient is zero everywhere"):
        close([0.0, 0.0], [1.0, 2.0], what="gradient")
    with pytest.raises(Mismatch, match=r"^w is 0 \(was the result computed"):
        close(0.0, 3.0, what="w")


def test_the_teachers_view_of_a_class(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from tfedu.exercises.record import ClassProgress, ProgressStore

    class_folder = tmp_path / "collected"
    alice = ProgressStore(class_folder / "alice" / "progress.jsonl")
    alice.record("lesson_02", "q1", "check", verdict="wrong")
    alice.record("lesson_02", "q1", "check", verdict="correct")
    bob = ProgressStore(class_folder / "bob.jsonl")
    bob.record("lesson_02", "q1", "hint", level=1)
    bob.record("lesson_02", "q1", "solution")
    bob.record("lesson_10", "q2", "check", verdict="wrong")
    (class_folder / "carol.jsonl").write_text("not json\n")   # a damaged file is skipped, not fatal
    report = ClassProgress(class_folder)
    assert sorted(report.students) == ["alice", "bob", "carol"]
    by_student = [line.split() for line in report.by_student().splitlines()]
    assert by_student[1:] == [["alice", "1", "1", "1", "0", "0"], ["bob", "2", "1", "0", "1", "1"],
                              ["carol", "0", "0", "0", "0", "0"]]
    by_exercise = [line.split() for line in report.by_exercise().splitlines()]
    assert by_exercise[1:] == [["lesson_02", "q1", "2", "1", "1", "1", "1"], ["lesson_10", "q2", "1", "1", "0", "0", "0"]]
    lines = report.csv().splitlines()
    assert lines[0] == "student,lesson,exercise,attempts,correct,hints,solution"
    assert "alice,lesson_02,q1,2,yes,0,no" in lines and "bob,lesson_02,q1,0,no,1,viewed" in lines
    root = Path(__file__).resolve().parent.parent
    shown = subprocess.run([sys.executable, "course.py", "progress", str(class_folder), "--csv"], cwd=root,
                           capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == lines
    missing = subprocess.run([sys.executable, "course.py", "progress", str(tmp_path / "nowhere")], cwd=root,
                             capture_output=True, text=True, timeout=300)
    assert missing.returncode != 0 and "is not a folder" in missing.stderr
