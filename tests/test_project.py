"""The project's own files agree with each other: pins, Binder, CI, README, version."""
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tfedu

ROOT = Path(__file__).resolve().parent.parent
TEST_COMMAND = "python3 course.py test"
LAB_COMMAND = "python3 course.py lab"


def pins(path):
    lines = [line.split("#")[0].strip() for line in (ROOT / path).read_text().splitlines()]
    return dict(line.split("==") for line in lines if "==" in line)


def test_requirements_pin_every_package_exactly():
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    packages = [line for line in lines if line and not line.startswith("#")]
    assert packages[-1] == "-e ."
    assert all("==" in line for line in packages[:-1]), "pin every requirement with =="
    wanted = {"tensorflow", "keras", "numpy", "matplotlib", "ipywidgets", "jupyterlab", "nbval", "pytest"}
    assert wanted <= set(pins("requirements.txt"))
    assert pins("requirements.txt")["tensorflow"] == "2.21.0"
    assert pins("requirements.txt")["ipywidgets"].startswith("8.")
    assert pins("requirements.txt")["jupyterlab"].startswith("4.")


def test_installed_versions_match_the_pins():
    from importlib.metadata import PackageNotFoundError, version

    for package, pinned in pins("requirements.txt").items():
        try:
            installed = version(package)
        except PackageNotFoundError:
            installed = version(f"{package}-cpu")  # Binder installs tensorflow-cpu
        assert installed == pinned, f"{package} {installed} installed, {pinned} pinned"


def test_binder_pins_the_same_stack_with_tensorflow_cpu():
    course = pins("requirements.txt")
    binder = pins("binder/requirements.txt")
    assert binder.pop("tensorflow-cpu") == course.pop("tensorflow")
    assert binder == course
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps" in post_build and "-e ." in post_build


def test_ci_and_readme_run_the_same_test_command():
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert TEST_COMMAND in readme and LAB_COMMAND in readme
    binder_link = re.search(r"https://mybinder\.org/v2/gh/[^)\s]+", readme).group(0)
    assert "urlpath=lab/tree/lessons/00_welcome.ipynb" in binder_link


def test_package_version_is_declared_once_consistently():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'version = "{tfedu.__version__}"' in pyproject


@pytest.fixture
def course_module():
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_course_script_usage_and_unknown_commands():
    result = subprocess.run([sys.executable, "course.py"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and "python3 course.py lab" in result.stdout
    result = subprocess.run([sys.executable, "course.py", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and "python3 course.py test" in result.stdout
    result = subprocess.run([sys.executable, "course.py", "execute", "lessons/nope.ipynb"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1 and "no such notebook: lessons/nope.ipynb" in result.stderr


def test_course_script_refuses_unsupported_python(course_module, monkeypatch):
    monkeypatch.setattr(course_module, "MIN_PYTHON", (3, 99))
    with pytest.raises(SystemExit) as stopped:
        course_module.check_python()
    assert "TensorFlow 2.21 needs Python 3.99" in str(stopped.value)


def test_environment_is_reinstalled_when_requirements_change(course_module, tmp_path, monkeypatch):
    for name in ("requirements.txt", "pyproject.toml"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    monkeypatch.setattr(course_module, "ROOT", tmp_path)
    before = course_module.requirements_digest()
    with open(tmp_path / "requirements.txt", "a") as extra:
        extra.write("rich==15.0.0\n")
    assert course_module.requirements_digest() != before


@pytest.mark.parametrize("failing, installer", [(None, "uv"), ("uv pip", "pip"), ("pip install uv", "pip")])
def test_requirements_are_installed_by_uv_or_by_pip_when_uv_fails(course_module, monkeypatch, capsys,
                                                                  failing, installer):
    commands, fallbacks = [], []

    def fake_subprocess_run(command, **kwargs):
        commands.append(" ".join(command))
        broken = failing == "uv pip" and command[1:4] == ["-m", "uv", "pip"] or \
            failing == "pip install uv" and command[-1] == course_module.UV
        return subprocess.CompletedProcess(command, 1 if broken else 0)

    monkeypatch.setattr(course_module.subprocess, "run", fake_subprocess_run)
    monkeypatch.setattr(course_module, "run", lambda command, **kwargs: fallbacks.append(" ".join(map(str, command))))
    course_module.install_requirements(Path("venv/bin/python"))
    assert commands[0].endswith(f"-m pip install --disable-pip-version-check -q {course_module.UV}")
    if installer == "uv":
        assert commands[1] == ("venv/bin/python -m uv pip install --quiet --compile-bytecode --python venv/bin/python "
                               "-r requirements.txt")
        assert fallbacks == []
    else:
        assert fallbacks == ["venv/bin/python -m pip install --disable-pip-version-check -q -r requirements.txt"]
        assert "installing the requirements with pip" in capsys.readouterr().out


def test_uv_is_in_the_course_environment_it_installed(course_module):
    found = subprocess.run([sys.executable, "-m", "uv", "--version"], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    assert found.stdout.split()[:2] == ["uv", course_module.UV.split("==")[1]]


def test_lab_opens_the_lessons_index_and_allows_root_in_containers(course_module, monkeypatch):
    calls = []
    monkeypatch.setattr(course_module, "ensure_environment", lambda: "venv-python")
    monkeypatch.setattr(course_module, "run", lambda command, **kwargs: calls.append(command))
    monkeypatch.setattr(course_module.os, "geteuid", lambda: 0)
    course_module.lab(["--no-browser"])
    assert calls[-1] == ["venv-python", "-m", "jupyterlab", "lessons/00_welcome.ipynb", "--no-browser", "--allow-root"]
    monkeypatch.setattr(course_module.os, "geteuid", lambda: 1000)
    course_module.lab([])
    assert calls[-1] == ["venv-python", "-m", "jupyterlab", "lessons/00_welcome.ipynb"]
