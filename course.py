#!/usr/bin/env python3
"""Open the tfedu course or run its tests, setting up what they need first.

    python3 course.py lab     # install (first time only) and open JupyterLab at the lessons index
    python3 course.py test    # install (first time only) and run the whole test suite
    python3 course.py test --portability [CONFIG,...] [lessons/NN_topic.ipynb ...]
                              # re-run the lessons under other numeric set-ups (another CPU's
                              # SIMD level, oneDNN off, 1 or 3 threads) and name every cell
                              # whose output changes
    python3 course.py setup   # only create / update the environment
    python3 course.py solutions DIR
                              # the teacher's edition: every lesson with its exercise
                              # solutions filled in and executed, written to DIR
    python3 course.py assignments DIR
                              # an nbgrader course folder: each lesson an assignment whose
                              # exercises are solution cells with hidden autograded checks
    python3 course.py progress DIR [--csv]
                              # the teacher's view: the students' progress files collected in
                              # DIR, per student and per exercise (or one CSV line each)
    python3 course.py execute lessons/01_tensors.ipynb ...
                              # Restart & Run All each notebook and save it with its outputs
    python3 course.py translate [--from DIR] [lessons/NN_topic.ipynb ...]
                              # rebuild the Chinese twins in lessons/zh/ from the English
                              # lessons (same code, Chinese markdown kept by cell id) and run them

Everything is installed into a virtual environment in ``.venv`` next to this
file (set ``TFEDU_VENV`` to put it elsewhere), from the pinned
``requirements.txt``. The environment is reinstalled automatically when
``requirements.txt`` or ``pyproject.toml`` change. Extra arguments go to
JupyterLab or pytest, e.g. ``python3 course.py test -k data -x``.
Uses only the Python standard library, so it runs on a bare Python 3.10+.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
import venv
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("TFEDU_VENV", ROOT / ".venv"))
INDEX = Path("lessons") / "00_welcome.ipynb"
INDEX_ZH = Path("lessons") / "zh" / "00_welcome.ipynb"   # opened instead when the system speaks Chinese
STAMP_NAME = "tfedu-requirements.sha256"
MIN_PYTHON = (3, 10)
MAX_PYTHON = (3, 13)  # newest Python that TensorFlow 2.21 ships wheels for


def venv_python() -> Path:
    sub = "Scripts/python.exe" if os.name == "nt" else "bin/python"
    return VENV / sub


def requirements_digest() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    digest.update(PROXY.encode())
    digest.update(UV.encode())
    return digest.hexdigest()


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def run(command: list, **kwargs) -> None:
    result = subprocess.run([str(part) for part in command], cwd=ROOT, **kwargs)
    if result.returncode != 0:
        sys.exit(result.returncode)


def check_python() -> None:
    version = sys.version_info[:2]
    if not MIN_PYTHON <= version <= MAX_PYTHON:
        wanted = f"{MIN_PYTHON[0]}.{MIN_PYTHON[1]} to {MAX_PYTHON[0]}.{MAX_PYTHON[1]}"
        sys.exit(
            f"[course] This is Python {version[0]}.{version[1]}; TensorFlow 2.21 needs Python {wanted}. "
            "Run this script with a supported python3 (for example `python3.11 course.py lab`)."
        )


# JupyterHub's proxy (benchmarks/classroom_hub.py, deploy/): a Node.js program, from npm.
PROXY = "configurable-http-proxy@5.3.0"


def ensure_environment() -> Path:
    """Create .venv and install the pinned requirements unless they are already installed."""
    check_python()
    python = venv_python()
    stamp = VENV / STAMP_NAME
    wanted = requirements_digest()
    if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return python
    with _install_lock():   # two commands started at once install once, not over each other
        if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
            return python
        if not python.exists():
            say(f"creating a virtual environment in {VENV} ...")
            venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
        say("installing the pinned requirements (first time: a minute or a few, about 2 GB) ...")
        install_requirements(python)
        install_proxy()
        stamp.write_text(wanted + "\n")
    say("environment ready.")
    return python


# The installer: uv, itself installed from PyPI into .venv, installs the same pinned requirements
# into a fresh .venv in 30 s where pip takes 98 s (measured side by side on the 2-core machine the
# course is developed on, both with empty caches); pip does it when uv cannot be had or fails.
# --compile-bytecode writes the .pyc files as pip does: where PYTHONDONTWRITEBYTECODE is set (as on
# some CI machines) Python never writes them itself, and every kernel would compile TensorFlow's
# source again (12 s instead of 5.4 s to import TensorFlow, Keras and matplotlib).
UV = "uv==0.9.30"


def install_requirements(python: Path) -> None:
    pip = [python, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if subprocess.run([str(part) for part in [*pip, UV]], cwd=ROOT).returncode == 0:
        result = subprocess.run([str(python), "-m", "uv", "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python),
                                 "-r", "requirements.txt"], cwd=ROOT)
        if result.returncode == 0:
            return
        say(f"uv stopped with exit code {result.returncode}; installing the requirements with pip ...")
    else:
        say(f"pip could not install {UV}; installing the requirements with pip itself ...")
    run([*pip, "-r", "requirements.txt"])


def install_proxy() -> None:
    """configurable-http-proxy into .venv/node with npm, for the classroom hub; skipped (and said) without npm."""
    import shutil

    npm = shutil.which("npm")
    if npm is None:
        say(f"npm not found: {PROXY} (for benchmarks/classroom_hub.py) is not installed; install Node.js to add it.")
        return
    say(f"installing {PROXY} with npm into {VENV / 'node'} ...")
    result = subprocess.run([npm, "install", "--prefix", str(VENV / "node"), "--no-audit", "--no-fund",
                             "--loglevel=error", PROXY], cwd=ROOT)
    if result.returncode != 0:   # the course and its tests work without it; only the hub benchmark needs it
        say(f"npm could not install {PROXY} (exit {result.returncode}); benchmarks/classroom_hub.py will say so.")


class _install_lock:
    def __enter__(self):
        VENV.mkdir(parents=True, exist_ok=True)
        self.handle = open(VENV / ".install.lock", "w")
        try:
            import fcntl

            fcntl.flock(self.handle, fcntl.LOCK_EX)
        except ImportError:  # Windows: one command at a time, as before
            pass
        return self

    def __exit__(self, *exc):
        self.handle.close()


def lab(args: list) -> None:
    python = ensure_environment()
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        say("running as root (a container?): passing --allow-root to JupyterLab.")
        args = [*args, "--allow-root"]
    index = first_lesson(os.environ)
    say(f"opening JupyterLab at {index.as_posix()} (stop it with Ctrl+C) ...")
    run([python, "-m", "jupyterlab", str(index), *args])


def first_lesson(environ) -> Path:
    """The lesson `lab` opens: the Chinese edition's first when the locale is Chinese (LANG=zh_CN.UTF-8...)."""
    locale = environ.get("LC_ALL") or environ.get("LC_MESSAGES") or environ.get("LANG") or ""
    return INDEX_ZH if locale.lower().startswith("zh") and (ROOT / INDEX_ZH).is_file() else INDEX


# Numeric set-ups another machine may have: a CPU without AVX-512 or AVX (oneDNN then
# picks other kernels), TensorFlow built or run without oneDNN, fewer or more threads
# (reductions are split differently). A lesson's compared output must not change under any.
# The ISA limits apply to both code generators TensorFlow uses on a CPU: oneDNN (matmuls,
# convolutions) and XLA (compiled functions such as tfedu's optimizer races).
PORTABILITY = {
    "avx2": {"ONEDNN_MAX_CPU_ISA": "AVX2", "XLA_FLAGS": "--xla_cpu_max_isa=AVX2"},
    "sse41": {"ONEDNN_MAX_CPU_ISA": "SSE41", "XLA_FLAGS": "--xla_cpu_max_isa=SSE4_2"},
    "onednn-off": {"TF_ENABLE_ONEDNN_OPTS": "0"},
    "1-thread": {"TF_NUM_INTRAOP_THREADS": "1"},
    "3-threads": {"TF_NUM_INTRAOP_THREADS": "3"},
    "old-cpu-1-thread": {"ONEDNN_MAX_CPU_ISA": "SSE41", "XLA_FLAGS": "--xla_cpu_max_isa=SSE4_2",
                         "TF_NUM_INTRAOP_THREADS": "1"},
}
# The machine's own set-up (no variable changed): the Chinese edition's run in the full suite.
AS_IS = "as-is"
# The set-up `python3 course.py test` runs the lessons under (CI included): an older CPU's
# instructions and one thread per kernel. The lessons' outputs were committed under the default
# set-up, so this one run both re-runs every lesson strictly (proving its exercises, see
# conftest.py) and shows its outputs do not depend on the machine; one thread each, two lessons
# run at once beside the main pytest on 2 cores.
CI_PORTABILITY = "old-cpu-1-thread"
LESSON_JOBS = 2
# Parts of the main suite that are long single jobs (a real JupyterLab driven by a browser, real
# nbgrader runs): the full suite queues them with the lessons, so when the lessons are done both
# cores still have work, instead of one long pytest finishing alone on one core.
PYTEST_PART = "pytest"
QUEUED_TESTS = ["tests/browser", "tests/test_assignments.py"]
# The English lessons run in this many pytest calls rather than one each: collecting a lesson
# imports its exercise bank, and so TensorFlow (4 s of CPU), which each call then does once.
ENGLISH_GROUPS = 2


def test(args: list) -> None:
    if args and args[0].startswith("--portability"):
        names, paths = parse_portability(args)
        sys.exit(portability(names, paths))
    python = ensure_environment()
    env = dict(os.environ, PYTHONHASHSEED="0")
    if args:  # a chosen part of the suite: run just that
        run([python, "-m", "pytest", *args], env=env)
        return
    # The whole suite: the English lessons under the CI set-up and their Chinese twins under the
    # machine's own, two jobs at a time, beside one pytest call for everything else.
    with tempfile.TemporaryDirectory(prefix="tfedu-lessons-") as folder:
        # Longest jobs first, so the last ones are short and both cores stay busy to the end: the
        # English lessons in groups (heaviest first, dealt out in turn), the browser and nbgrader
        # tests, then the Chinese twins one by one, heaviest first.
        english = notebooks_in(["lessons"])
        jobs = [(CI_PORTABILITY, english[start::ENGLISH_GROUPS]) for start in range(min(ENGLISH_GROUPS, len(english)))]
        jobs += [(PYTEST_PART, [Path(part)]) for part in QUEUED_TESTS]
        jobs += [(AS_IS, [path]) for path in notebooks_in(["lessons/zh"] if ZH_FOLDER.is_dir() else [])]
        lessons = LessonQueue(python, [CI_PORTABILITY, AS_IS], jobs, Path(folder)).start()
        ignored = [f"--ignore={part}" for part in QUEUED_TESTS]
        main, counts = run_and_count([str(python), "-m", "pytest", "tests", "tfedu", *ignored], env)
        say(f"waiting for {' and '.join(QUEUED_TESTS)} and the lessons ({CI_PORTABILITY!r} set-up: "
            f"{describe_config(CI_PORTABILITY)}; the Chinese edition {describe_config(AS_IS)}) ...")
        runs = lessons.finish()
        for part in lessons.parts:
            print(f"\n[course] {part['label']} (run beside the rest, {part['seconds']:.0f} s):", flush=True)
            sys.stdout.write(part["output"])
            for kind in counts:
                counts[kind] += part["counts"][kind]
            main = main or part["code"]
        report_portability(runs)
    changed = sum(len(info["changed"]) for info in runs)
    # One closing line for the whole run: the main suite's tests plus the lessons' cells.
    print(f"suite: {counts['passed'] + sum(info['passed'] for info in runs)} passed, "
          f"{counts['failed'] + changed} failed, {counts['skipped']} skipped", flush=True)
    if main != 0:
        sys.exit(main)
    if changed:
        sys.exit(1)


def run_and_count(command: list, env: dict):
    """Run pytest, passing its output through, and read the counts off its closing line."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, errors="replace", bufsize=1)
    lines = []
    for line in process.stdout:
        sys.stdout.write(line)
        lines.append(line)
    sys.stdout.flush()
    return process.wait(), pytest_counts("".join(lines))


def pytest_counts(output: str) -> dict:
    """The passed / failed / skipped counts of pytest's closing line (errors count as failures)."""
    import re

    summary = ""
    for line in output.splitlines():
        if re.search(r"\d+ (passed|failed|errors?)\b.* in [\d.]+s", line):
            summary = line
    counts = {kind: 0 for kind in ("passed", "failed", "skipped")}
    for number, kind in re.findall(r"(\d+) (passed|failed|skipped|errors?)", summary):
        counts["failed" if kind.startswith("error") else kind] += int(number)
    return counts


def parse_portability(args: list):
    flag, _, chosen = args[0].partition("=")
    if flag != "--portability":
        sys.exit(f"[course] unknown option {args[0]!r}; use --portability or --portability=NAME,NAME.")
    names = [name.strip() for name in chosen.split(",") if name.strip()] or list(PORTABILITY)
    unknown = [name for name in names if name not in PORTABILITY]
    if unknown:
        sys.exit(f"[course] unknown portability set-up {unknown[0]!r}; choose from {', '.join(PORTABILITY)}.")
    paths = args[1:] or ["lessons"]
    return names, paths


def describe_config(name: str) -> str:
    if name == AS_IS:
        return "(this machine's own set-up)"
    return " ".join(f"{key}={value}" for key, value in PORTABILITY[name].items())


def notebooks_in(paths: list) -> list:
    """The notebooks named or inside the folders named, heaviest lessons first (later ones train more)."""
    found = []
    for name in paths:
        path = Path(name)
        found += sorted(path.glob("*.ipynb"), reverse=True) if path.is_dir() else [path]
    return found


class LessonQueue:
    """Strict nbval of notebooks under named set-ups (one pytest per job, ``jobs`` at a time), and parts of the main suite.

    Runs in a background thread so the main pytest can run meanwhile; :meth:`finish` waits and
    returns one summary per set-up (cells passed, cells changed, seconds).
    """

    def __init__(self, python: Path, names: list, pending: list, folder: Path, jobs: int = LESSON_JOBS):
        """``pending``: the ``(set-up name, [notebook, ...])`` jobs to run, in order (one pytest each)."""
        import threading

        self.python, self.names, self.folder, self.jobs = python, names, folder, jobs
        self.pending = list(pending)
        self.done = []
        self.parts = []   # the queued parts of the main suite (PYTEST_PART jobs), in the order queued
        self.threads = [threading.Thread(target=self._work, daemon=True) for _ in range(jobs)]
        self.lock = threading.Lock()
        self.start_time = time.monotonic()

    def start(self) -> "LessonQueue":
        for thread in self.threads:
            thread.start()
        return self

    def _work(self) -> None:
        while True:
            with self.lock:
                if not self.pending:
                    return
                name, paths = self.pending.pop(0)
            if name == PYTEST_PART:
                part = {"label": " ".join(map(str, paths)), "code": 1, "output": "(pytest did not start)\n",
                        "seconds": 0.0, "counts": {"passed": 0, "failed": 1, "skipped": 0}}   # until it has run
                with self.lock:
                    self.parts.append(part)
                part.update(run_pytest_part(self.python, paths))
                continue
            info = start_portability_run(self.python, name, [str(path) for path in paths], self.folder,
                                         label=f"{name}-{paths[0].stem}" + (f"-{len(paths)}" if len(paths) > 1 else ""))
            finish_portability_run(info)
            info["end"] = time.monotonic()
            with self.lock:
                self.done.append(info)

    def finish(self) -> list:
        for thread in self.threads:
            thread.join()
        # from the start to the end of the last notebook run (the queue may be joined much later)
        wall = max((info["end"] for info in self.done), default=self.start_time) - self.start_time
        runs = []
        for name in self.names:
            parts = [info for info in self.done if info["name"] == name]
            runs.append({"name": name, "notebooks": sum(len(info["paths"]) for info in parts), "seconds": wall,
                         "passed": sum(info["passed"] for info in parts),
                         "changed": [cell for info in parts for cell in info["changed"]],
                         "total": sum(info["seconds"] for info in parts),
                         "slowest": sorted(((seconds, notebook) for info in parts
                                            for notebook, seconds in info["cell_seconds"].items()), reverse=True)})
        return runs


def run_pytest_part(python: Path, paths: list) -> dict:
    """Run pytest over one part of the main suite, keeping its output to show after the rest."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    started = time.monotonic()
    result = subprocess.run([str(python), "-m", "pytest", *map(str, paths)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors="replace")
    return {"code": result.returncode, "output": result.stdout, "counts": pytest_counts(result.stdout),
            "seconds": time.monotonic() - started}


def start_portability_run(python: Path, name: str, paths: list, folder: Path, label: str = "") -> dict:
    """Start strict nbval over ``paths`` with one set-up's variables; return what to wait for."""
    stem = label or name
    report = folder / f"{stem}.xml"
    log = open(folder / f"{stem}.log", "w")
    env = dict(os.environ, PYTHONHASHSEED="0", **PORTABILITY.get(name, {}))
    command = [str(python), "-m", "pytest", *paths, "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT),
               "-q", "--no-header",
               f"--junitxml={report}", "-o", "junit_family=xunit1"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return {"name": name, "process": process, "report": report, "log": log, "start": time.monotonic(),
            "paths": list(paths)}


def finish_portability_run(run_info: dict) -> list:
    """Wait for one set-up's run; return the cells whose outputs changed (or that failed)."""
    code = run_info["process"].wait()
    run_info["log"].close()
    run_info["seconds"] = time.monotonic() - run_info["start"]
    cells, passed = [], 0
    run_info["cell_seconds"] = {}   # notebook name -> seconds spent in its cells
    if run_info["report"].is_file():
        for case in ElementTree.parse(run_info["report"]).iter("testcase"):
            notebook = case.get("file") or case.get("classname", "").replace(".ipynb", "").replace(".", "/") + ".ipynb"
            name = Path(notebook).name
            run_info["cell_seconds"][name] = run_info["cell_seconds"].get(name, 0.0) + float(case.get("time") or 0)
            problem = case.find("failure")
            if problem is None:
                problem = case.find("error")
            if problem is None:
                passed += 1 if case.find("skipped") is None else 0
                continue
            detail = (problem.get("message") or "") + "\n" + (problem.text or "")
            cells.append((f"{notebook} {case.get('name')}{_cell_place(notebook, case.get('name'))}",
                          _first_difference(detail)))
    if code != 0 and not cells:
        log_text = Path(run_info["log"].name).read_text(errors="replace")
        cells.append(("(the run itself)", f"pytest exited with {code}: {log_text[-800:]}"))
    run_info["changed"], run_info["passed"] = cells, passed
    return cells


def _cell_place(notebook: str, name: str) -> str:
    """nbval's "Cell N" counts code cells; add the notebook's own cell number and first line."""
    import json

    try:
        number = int(name.split()[-1])
        cells = json.loads((ROOT / notebook).read_text())["cells"]
        code = [(index, cell) for index, cell in enumerate(cells) if cell["cell_type"] == "code"]
        index, cell = code[number]
        first = "".join(cell["source"]).strip().splitlines()[0][:60]
        return f" (cell {index + 1} of the notebook: {first})"
    except (OSError, ValueError, IndexError, KeyError):
        return ""


def _first_difference(text: str) -> str:
    """The few lines of nbval's report that show how the output changed (or the error raised)."""
    import re

    text = re.sub(r"(\x1b|#x1B)\[[0-9;]*m", "", text)
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    if any("Cell execution caused an exception" in line for line in lines):
        errors = [line for line in lines if re.match(r"\s*[A-Za-z_.]*(Error|Exception|Warning)\b", line)]
        return "\n".join(["raised an exception:", *(errors[-2:] or lines[-3:])])
    marked = [line for line in lines if line.lstrip().startswith(("+", "-")) and not line.lstrip().startswith(("+++", "---"))]
    shown = marked or lines
    return "\n".join(shown[:6])


def report_portability(runs: list) -> None:
    print()
    say("lessons: strict nbval (with the exercise proofs) under these numeric set-ups")
    for info in runs:
        verdict = "same outputs" if not info["changed"] else f"{len(info['changed'])} cell(s) changed"
        say(f"  {info['name']:<16} {describe_config(info['name'])}: {verdict} "
            f"({info['passed']} cells passed in {info['notebooks']} notebook(s))")
        if len(info.get("slowest", ())) > 1:  # where the time went, when one set-up ran several notebooks
            say(f"      {info['total']:.0f} s of pytest runs; slowest by time in their cells: "
                + ", ".join(f"{label} {seconds:.0f} s" for seconds, label in info["slowest"][:3]))
        for cell, difference in info["changed"]:
            say(f"      {cell}")
            for line in difference.splitlines():
                print(f"          {line}")
    failed = sum(len(info["changed"]) for info in runs)
    passed = sum(info["passed"] for info in runs)
    seconds = max((info["seconds"] for info in runs), default=0)
    print(f"portability: {passed} passed, {failed} failed in {seconds:.0f} s", flush=True)


def portability(names: list, paths: list, jobs: int = LESSON_JOBS) -> int:
    """Run strict nbval over ``paths`` once per named set-up (two notebooks at a time); 1 if any output changed."""
    python = ensure_environment()
    say(f"portability: {len(names)} set-up(s) over {' '.join(paths)}, {jobs} notebooks at a time ...")
    with tempfile.TemporaryDirectory(prefix="tfedu-portability-") as folder:
        pending = [(name, [notebook]) for name in names for notebook in notebooks_in(paths)]
        runs = LessonQueue(python, names, pending, Path(folder), jobs).start().finish()
        report_portability(runs)
    return 1 if any(info["changed"] for info in runs) else 0


EXECUTE = """
import sys, nbformat
from pathlib import Path
from nbclient import NotebookClient
for name in sys.argv[1:]:
    path = Path(name).resolve()
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(notebook, path)
    print(f"[course] executed {name}", flush=True)
"""


def execute(args: list) -> None:
    if not args:
        sys.exit("[course] name the notebooks to execute, e.g. `python3 course.py execute lessons/00_welcome.ipynb`.")
    missing = [name for name in args if not (ROOT / name).is_file()]
    if missing:
        sys.exit(f"[course] no such notebook: {', '.join(missing)}")
    python = ensure_environment()
    with tempfile.TemporaryDirectory(prefix="tfedu-execute-") as folder:
        # the lesson's own checks are not the author's exercise progress
        env = dict(os.environ, PYTHONHASHSEED="0", TFEDU_PROGRESS=str(Path(folder) / "progress.jsonl"))
        run([python, "-c", EXECUTE, *args], env=env)


SOLUTIONS = """
import sys
from pathlib import Path
from tfedu.exercises.edition import exercise_cells, write_edition
import nbformat
folder = Path(sys.argv[1])
for name in sys.argv[2:]:
    marked = len(exercise_cells(nbformat.read(name, as_version=4)))
    target = write_edition(name, folder)
    print(f"[course] {target} ({marked} exercise(s) solved)", flush=True)
"""


ASSIGNMENTS = """
import sys
from pathlib import Path
import nbformat
from tfedu.exercises.edition import assignment_notebook, bank_for, exercise_cells
course = Path(sys.argv[1])
for name in sys.argv[2:]:
    path = Path(name)
    notebook = nbformat.read(path, as_version=4)
    if not exercise_cells(notebook):
        continue
    assignment = "lesson_" + path.name[:2]
    target = course / "source" / assignment / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(assignment_notebook(notebook, bank_for(path, notebook)), target)
    print(f"[course] {target} ({len(exercise_cells(notebook))} graded exercise(s))", flush=True)
"""

NBGRADER_CONFIG = """# nbgrader's configuration for the tfedu course (written by `python3 course.py assignments`).
c = get_config()
c.CourseDirectory.course_id = "tfedu"
c.CourseDirectory.root = {root!r}
# Lessons train models: a cell may take longer than nbgrader's default 30 s on a busy server.
c.ExecutePreprocessor.timeout = 600
c.Execute.timeout = 600
"""


def assignments(args: list) -> None:
    """Write an nbgrader course folder: one assignment per lesson, exercises as graded cells."""
    if len(args) != 1:
        sys.exit("[course] name the folder for the nbgrader course, e.g. `python3 course.py assignments ~/tfedu-grading`.")
    course = Path(args[0]).resolve()
    if course == ROOT or ROOT / "lessons" in [course, *course.parents]:
        sys.exit("[course] the nbgrader course must not be inside lessons/ or be the repository: name another folder.")
    python = ensure_environment()
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(root=str(course)))
    lessons = sorted(str(path) for path in (ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
    run([python, "-c", ASSIGNMENTS, str(course), *lessons])
    say(f"next: cd {course} && nbgrader generate_assignment lesson_02 (then release, collect, autograde)")


def solutions(args: list) -> None:
    if len(args) < 1:
        sys.exit("[course] name the folder for the teacher's edition, e.g. `python3 course.py solutions solved/`.")
    folder = Path(args[0]).resolve()
    if folder == (ROOT / "lessons").resolve():
        sys.exit("[course] the teacher's edition must not overwrite lessons/; choose another folder.")
    lessons = args[1:] or sorted(str(p.relative_to(ROOT)) for p in (ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
    python = ensure_environment()
    with tempfile.TemporaryDirectory(prefix="tfedu-solutions-") as scratch:
        env = dict(os.environ, PYTHONHASHSEED="0", TFEDU_PROGRESS=str(Path(scratch) / "progress.jsonl"))
        run([python, "-c", SOLUTIONS, str(folder), *lessons], env=env)


PROGRESS = """
import sys
from tfedu.exercises.record import ClassProgress
try:
    report = ClassProgress(sys.argv[1])
except FileNotFoundError as error:
    sys.exit(f"[course] {error}")
sys.stdout.write(report.csv() if "--csv" in sys.argv[2:] else str(report) + chr(10))
"""


def progress(args: list) -> None:
    folders = [a for a in args if not a.startswith("--")]
    unknown = [a for a in args if a.startswith("--") and a != "--csv"]
    if len(folders) != 1 or unknown:
        sys.exit("[course] usage: `python3 course.py progress DIR [--csv]`: DIR holds the students' progress files "
                 "(one progress.jsonl per student, as alice.jsonl or alice/progress.jsonl).")
    python = ensure_environment()
    run([python, "-c", PROGRESS, str(Path(folders[0]).resolve()), *[a for a in args if a.startswith("--")]])


# The Chinese edition: lessons/zh/NN_topic.ipynb, one twin per English lesson, with the same code
# cells (only the first tfedu.setup( call gains language="zh") and Chinese markdown. The English
# lesson is the one source of code: `translate` rebuilds each twin from it, keeping the twin's
# Chinese markdown cell by cell id, and tests/test_editions.py fails when they drift apart.
ZH_FOLDER = ROOT / "lessons" / "zh"
ZH_SETUP = 'language="zh"'


def chinese_code(sources: list) -> list:
    """The code cells of a lesson's Chinese twin: the same, with ``language="zh"`` in the first ``tfedu.setup(``."""
    out, done = [], False
    for source in sources:
        if not done and "tfedu.setup(" in source:
            head, _, tail = source.partition("tfedu.setup(")
            source = head + "tfedu.setup(" + (ZH_SETUP + (", " if not tail.lstrip().startswith(")") else "")) + tail
            done = True
        out.append(source)
    return out


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def build_twin(english: Path, drafts: Path | None = None) -> tuple:
    """Write lessons/zh/<name> from the English lesson; return (path, ids of markdown cells still in English)."""
    import copy
    import json

    lesson = json.loads(english.read_text(encoding="utf-8"))
    target = ZH_FOLDER / english.name
    chinese = {}
    if target.is_file():
        chinese = {cell.get("id"): _source(cell) for cell in json.loads(target.read_text(encoding="utf-8"))["cells"]
                   if cell["cell_type"] == "markdown"}
    draft = drafts / (english.stem + ".json") if drafts else None
    if draft is not None and draft.is_file():
        chinese.update(json.loads(draft.read_text(encoding="utf-8")))
    twin = copy.deepcopy(lesson)
    untranslated = []
    code = chinese_code([_source(cell) for cell in lesson["cells"] if cell["cell_type"] == "code"])
    for cell in twin["cells"]:
        if cell["cell_type"] == "markdown":
            if cell.get("id") in chinese:
                cell["source"] = chinese[cell["id"]]
            else:
                untranslated.append(cell.get("id"))
        elif cell["cell_type"] == "code":
            cell["source"] = code.pop(0)
            cell["outputs"], cell["execution_count"] = [], None
    twin["metadata"].setdefault("tfedu", {}).update({"edition": "zh", "english": f"../{english.name}"})
    ZH_FOLDER.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(twin, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return target, untranslated


def translate(args: list) -> None:
    """Rebuild the Chinese twins of the named English lessons (all by default), then execute them."""
    drafts = None
    if args[:1] == ["--from"]:
        if len(args) < 2:
            sys.exit("[course] --from needs a folder of NN_topic.json drafts (markdown cell id -> Chinese text).")
        drafts, args = Path(args[1]), args[2:]
    names = args or sorted(str(path.relative_to(ROOT)) for path in (ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
    built = []
    for name in names:
        english = ROOT / name
        if english.parent != ROOT / "lessons" or not english.is_file():
            sys.exit(f"[course] {name} is not an English lesson (lessons/NN_topic.ipynb); name one to rebuild its twin.")
        target, untranslated = build_twin(english, drafts)
        built.append(str(target.relative_to(ROOT)))
        note = f"; {len(untranslated)} markdown cell(s) still in English: {', '.join(untranslated)}" if untranslated else ""
        say(f"{target.relative_to(ROOT)} rebuilt from {name}{note}")
    execute(built)


COMMANDS = {"lab": lab, "test": test, "execute": execute, "solutions": solutions, "progress": progress,
            "translate": translate, "assignments": assignments,
            "setup": lambda args: ensure_environment()}


def main(argv: list) -> None:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip())
        sys.exit(0 if argv and argv[0] in ("-h", "--help") else 2)
    COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
