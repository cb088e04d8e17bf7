"""A student's progress: every verdict, hint and solution view, kept on their own machine.

Each event is one JSON line appended to a file, so two kernels writing at once (two
lessons open) lose nothing: every record is written with a single ``write`` on a file
opened for appending, under an exclusive lock where the system has one. The file is

* ``$TFEDU_PROGRESS`` if set (a file path), else
* ``<Jupyter data directory>/tfedu/progress.jsonl`` (``jupyter --data-dir``; on Linux
  usually ``~/.local/share/jupyter``), never inside ``lessons/``.

Recording never breaks a check: if the file cannot be written (a read-only home, a full
disk) a warning says so once and the verdict is shown anyway.

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "progress.jsonl")
>>> store = ProgressStore(path)
>>> store.record("lesson_01", "q1", "check", verdict="wrong")
True
>>> store.record("lesson_01", "q1", "check", verdict="correct")
True
>>> print(store.table())
lesson     exercise  attempts  correct  hints  solution
lesson_01  q1        2         yes      0      no
"""
from __future__ import annotations

import json
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ProgressStore", "ExerciseProgress", "ClassProgress", "progress", "progress_file", "EVENTS"]

EVENTS = ("check", "hint", "solution")
VERDICTS = ("correct", "wrong", "not answered")


def _jupyter_data_dir() -> Path:
    try:
        from jupyter_core.paths import jupyter_data_dir
    except ImportError:  # pragma: no cover - Jupyter is part of the course environment
        if os.environ.get("JUPYTER_DATA_DIR"):
            return Path(os.environ["JUPYTER_DATA_DIR"])
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Jupyter"
        if os.name == "nt":
            return Path(os.environ.get("APPDATA", Path.home())) / "jupyter"
        return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "jupyter"
    return Path(jupyter_data_dir())


def progress_file() -> Path:
    """Where this student's progress is kept (``TFEDU_PROGRESS`` or the Jupyter data directory)."""
    chosen = os.environ.get("TFEDU_PROGRESS", "").strip()
    return Path(chosen).expanduser() if chosen else _jupyter_data_dir() / "tfedu" / "progress.jsonl"


@dataclass
class ExerciseProgress:
    """One exercise's record: how many checks were run, whether one was correct, hints and solution seen."""

    lesson: str
    exercise: str
    attempts: int = 0
    correct: bool = False
    hints: int = 0
    solution_viewed: bool = False

    def row(self) -> list:
        from tfedu._i18n import text

        return [self.lesson, self.exercise, str(self.attempts), text("yes" if self.correct else "no"), str(self.hints),
                text("viewed" if self.solution_viewed else "no")]


#: The progress table's columns.
COLUMNS = ("lesson", "exercise", "attempts", "correct", "hints", "solution")


def _exercise_order(key) -> tuple:
    """Sort ``(lesson, exercise)`` keys by lesson, then q1, q2, ..., q10 by number."""
    lesson, exercise = key
    return lesson, int(exercise[1:]) if exercise[1:].isdigit() else 0, exercise


def _lock(handle):
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: appends are still single writes
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


class ProgressStore:
    """Append events to, and summarise, one progress file (see the module docstring)."""

    _warned = False

    def __init__(self, path=None):
        self.path = Path(path) if path is not None else progress_file()

    def record(self, lesson: str, exercise: str, event: str, **details) -> bool:
        """Append one event; returns False (after one warning) if the file cannot be written."""
        if event not in EVENTS:
            raise ValueError(f"event must be one of {', '.join(EVENTS)}, got {event!r}.")
        entry = {"time": round(time.time(), 3), "lesson": lesson, "exercise": exercise, "event": event, **details}
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            with os.fdopen(descriptor, "ab", buffering=0) as handle:
                _lock(handle)
                written = handle.write(line)
            if written != len(line):
                raise OSError(f"only {written} of {len(line)} bytes written")
            return True
        except OSError as error:
            if not ProgressStore._warned:
                ProgressStore._warned = True
                warnings.warn(f"Could not record your progress in {self.path} ({error}); your answers are still "
                              "checked. Set TFEDU_PROGRESS to a file you can write to keep a record.",
                              RuntimeWarning, stacklevel=3)
            return False

    def events(self) -> list:
        """Every readable event in the file (a damaged line is skipped, never fatal)."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        found = []
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("event") in EVENTS:
                found.append(entry)
        return found

    def summary(self) -> list:
        """One :class:`ExerciseProgress` per exercise seen, in lesson and exercise order."""
        table = {}
        for entry in self.events():
            key = (str(entry.get("lesson", "?")), str(entry.get("exercise", "?")))
            item = table.setdefault(key, ExerciseProgress(*key))
            if entry["event"] == "check" and entry.get("verdict") != "not answered":
                item.attempts += 1
                item.correct = item.correct or entry.get("verdict") == "correct"
            elif entry["event"] == "hint":
                item.hints += 1
            elif entry["event"] == "solution":
                item.solution_viewed = True

        return [table[key] for key in sorted(table, key=_exercise_order)]

    def table(self) -> str:
        from tfedu._i18n import text
        from tfedu._text import table

        rows = [item.row() for item in self.summary()]
        if not rows:
            return text("No exercises tried yet (progress is kept in {path}).", path=self.path)
        return table([text(name) for name in COLUMNS], rows)


class ProgressReport:
    """What :func:`progress` returns: a table in JupyterLab, text elsewhere, and ``.exercises`` to inspect."""

    def __init__(self, store: ProgressStore):
        self.store = store
        self.exercises = store.summary()

    @property
    def correct(self) -> int:
        return sum(item.correct for item in self.exercises)

    @property
    def attempted(self) -> int:
        return sum(item.attempts > 0 for item in self.exercises)

    @property
    def summary_line(self) -> str:
        from tfedu._i18n import text

        return text("{correct} of {total} exercises correct ({attempted} attempted)", correct=self.correct,
                    total=len(self.exercises), attempted=self.attempted)

    def __str__(self) -> str:
        if not self.exercises:
            return self.store.table()
        return f"{self.store.table()}\n{self.summary_line}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        import html

        from tfedu._text import html_table

        if not self.exercises:
            return f"<p>{html.escape(self.store.table())}</p>"
        from tfedu._i18n import text

        head = [text(name) for name in COLUMNS]
        return (html_table(head, [item.row() for item in self.exercises])
                + f"<p>{html.escape(self.summary_line)}</p>")


def progress(path=None) -> ProgressReport:
    """Your exercises across all lessons: attempts, correct, hints used, solution viewed.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "p.jsonl")
    >>> print(progress(path))  # doctest: +ELLIPSIS
    No exercises tried yet (progress is kept in ...p.jsonl).
    """
    return ProgressReport(ProgressStore(path))


def _student_name(path: Path, folder: Path) -> str:
    relative = path.relative_to(folder)
    if relative.name == "progress.jsonl" and len(relative.parts) > 1:   # alice/progress.jsonl
        return "/".join(relative.parts[:-1])
    return str(relative.with_suffix(""))                               # alice.jsonl


class ClassProgress:
    """Every student's progress files in one folder, summarised per student and per exercise.

    Each ``*.jsonl`` file under ``folder`` is one student (``alice.jsonl``, or
    ``alice/progress.jsonl`` as collected from home directories); a damaged line is skipped.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> ProgressStore(os.path.join(folder, "alice.jsonl")).record("lesson_01", "q1", "check", verdict="correct")
    True
    >>> ProgressStore(os.path.join(folder, "bob.jsonl")).record("lesson_01", "q1", "hint", level=1)
    True
    >>> print(ClassProgress(folder).by_exercise())
    lesson     exercise  students  attempted  correct  hints  solutions viewed
    lesson_01  q1        2         1          1        1      0
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise FileNotFoundError(f"{self.folder} is not a folder; collect the students' progress files "
                                    "(progress.jsonl) into one folder, one file (or subfolder) per student.")
        self.students = {_student_name(path, self.folder): ProgressStore(path).summary()
                         for path in sorted(self.folder.rglob("*.jsonl"))}

    def rows(self) -> list:
        """``[student, lesson, exercise, attempts, correct, hints, solution]`` for every exercise of every student."""
        return [[student, *item.row()] for student, items in self.students.items() for item in items]

    def by_student(self) -> str:
        from tfedu._text import table

        rows = []
        for student, items in self.students.items():
            attempted = sum(item.attempts > 0 for item in items)
            rows.append([student, str(len(items)), str(attempted), str(sum(item.correct for item in items)),
                         str(sum(item.hints for item in items)), str(sum(item.solution_viewed for item in items))])
        if not rows:
            return f"No progress files (*.jsonl) in {self.folder}."
        return table(["student", "opened", "attempted", "correct", "hints", "solutions viewed"], rows)

    def by_exercise(self) -> str:
        from tfedu._text import table

        found = {}
        for items in self.students.values():
            for item in items:
                found.setdefault((item.lesson, item.exercise), []).append(item)

        rows = [[lesson, exercise, str(len(items)), str(sum(i.attempts > 0 for i in items)),
                 str(sum(i.correct for i in items)), str(sum(i.hints for i in items)),
                 str(sum(i.solution_viewed for i in items))]
                for (lesson, exercise), items in sorted(found.items(), key=lambda kv: _exercise_order(kv[0]))]
        if not rows:
            return f"No progress files (*.jsonl) in {self.folder}."
        return table(["lesson", "exercise", "students", "attempted", "correct", "hints", "solutions viewed"], rows)

    def csv(self) -> str:
        """One line per student and exercise, for a gradebook."""
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["student", "lesson", "exercise", "attempts", "correct", "hints", "solution"])
        writer.writerows(self.rows())
        return buffer.getvalue()

    def __str__(self) -> str:
        return f"Per student:\n{self.by_student()}\n\nPer exercise:\n{self.by_exercise()}"
