#!/usr/bin/env python3
"""Open the tfedu course or run its tests, setting up what they need first.

    python3 course.py lab     # install (first time only) and open JupyterLab at the lessons index
    python3 course.py test    # install (first time only) and run the whole test suite
    python3 course.py setup   # only create / update the environment
    python3 course.py execute lessons/01_tensors.ipynb ...
                              # Restart & Run All each notebook and save it with its outputs

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
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("TFEDU_VENV", ROOT / ".venv"))
INDEX = Path("lessons") / "00_welcome.ipynb"
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


def ensure_environment() -> Path:
    """Create .venv and install the pinned requirements unless they are already installed."""
    check_python()
    python = venv_python()
    stamp = VENV / STAMP_NAME
    wanted = requirements_digest()
    if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return python
    if not python.exists():
        say(f"creating a virtual environment in {VENV} ...")
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    say("installing the pinned requirements (first time: a few minutes, about 2 GB) ...")
    run([python, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", "requirements.txt"])
    stamp.write_text(wanted + "\n")
    say("environment ready.")
    return python


def lab(args: list) -> None:
    python = ensure_environment()
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        say("running as root (a container?): passing --allow-root to JupyterLab.")
        args = [*args, "--allow-root"]
    say(f"opening JupyterLab at {INDEX.as_posix()} (stop it with Ctrl+C) ...")
    run([python, "-m", "jupyterlab", str(INDEX), *args])


def test(args: list) -> None:
    python = ensure_environment()
    env = dict(os.environ, PYTHONHASHSEED="0")
    run([python, "-m", "pytest", *args], env=env)


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
    run([python, "-c", EXECUTE, *args], env=dict(os.environ, PYTHONHASHSEED="0"))


COMMANDS = {"lab": lab, "test": test, "execute": execute, "setup": lambda args: ensure_environment()}


def main(argv: list) -> None:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip())
        sys.exit(0 if argv and argv[0] in ("-h", "--help") else 2)
    COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
