"""Fixtures for the end-to-end browser tests: Chromium, a JupyterLab server, Playwright pages.

* ``chromium``: the path of Debian's Chromium. When it is missing and we are
  root with apt-get (a container, CI), it is installed with
  ``apt-get install -y --no-install-recommends chromium`` (logged on the
  terminal); otherwise the tests are skipped with the reason. Set
  ``TFEDU_CHROMIUM`` to use another Chromium, and ``TFEDU_REQUIRE_BROWSER=1``
  to turn that skip into a failure. Playwright drives it through
  ``executable_path``: ``playwright install`` (a browser download) is never
  needed.
* ``lab``: JupyterLab started from this interpreter's environment on a free
  localhost port with a random token, in a temporary copy of ``lessons/``,
  with its own settings (no news, no update check, every cell rendered), and
  stopped afterwards with its kernels; the test fails if a process survives.
* ``page``: a fresh headless Chromium page; on failure a screenshot of it is
  saved next to the others.
* ``screenshots``: the folder the screenshots go to, kept after the run
  (under pytest's temporary directory unless ``TFEDU_SCREENSHOTS`` names one).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# As the machine notes say for a closed network: no background requests, no first-run UI, a fresh profile
# (Playwright makes a temporary --user-data-dir for each launch).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]
SERVER_START_TIMEOUT = 90
SCREENSHOTS = pytest.StashKey[Path]()  # where this run's screenshots go, for the terminal summary
# The user settings JupyterLab runs with: every cell in the DOM (so a test can find any output), and no
# news or update notifications popping over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
}


def say(config, message: str) -> None:
    """Print a line on the terminal even while pytest captures output."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None:
        return
    if capture is None:
        reporter.write_line(f"[browser] {message}")
        return
    with capture.global_and_fixture_disabled():
        reporter.ensure_newline()
        reporter.write_line(f"[browser] {message}")


# Chromium ---------------------------------------------------------------------------------------------


def _find_chromium():
    explicit = os.environ.get("TFEDU_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return None


def _install_chromium(config, log: Path):
    """apt-get install Debian's chromium when we may; return None or why we could not."""
    if os.environ.get("TFEDU_CHROMIUM"):
        return f"TFEDU_CHROMIUM={os.environ['TFEDU_CHROMIUM']} is not a file"
    if not shutil.which("apt-get"):
        return "Chromium is not installed and there is no apt-get to install it (install Chromium, or set TFEDU_CHROMIUM)"
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return ("Chromium is not installed and installing it needs root: run "
                "`sudo apt-get install chromium` (or set TFEDU_CHROMIUM to a Chromium binary)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    with open(log, "w") as out:
        for command, timeout in ((["apt-get", "update"], 300),
                                 (["apt-get", "install", "-y", "--no-install-recommends", "chromium"], 900)):
            say(config, f"Chromium missing: running `{' '.join(command)}` (log: {log})")
            try:
                result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env, timeout=timeout)
            except subprocess.TimeoutExpired:
                return f"`{' '.join(command)}` took more than {timeout} s (log: {log})"
            if result.returncode != 0:
                tail = log.read_text(errors="replace").strip().splitlines()[-3:]
                return f"`{' '.join(command)}` failed with exit code {result.returncode}: {' | '.join(tail)}"
    return None


@pytest.fixture(scope="session")
def chromium(pytestconfig, tmp_path_factory) -> str:
    path = _find_chromium()
    if path is None:
        problem = _install_chromium(pytestconfig, tmp_path_factory.mktemp("chromium") / "apt.log")
        path = _find_chromium()
        if path is None:
            reason = f"no Chromium for the browser test: {problem or 'apt-get installed no chromium binary'}"
            if os.environ.get("TFEDU_REQUIRE_BROWSER") == "1":
                pytest.fail(reason)
            pytest.skip(reason)
    version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
    if version.returncode != 0:
        pytest.fail(f"{path} --version failed: {version.stderr.strip()[-500:]}")
    say(pytestconfig, f"using {version.stdout.strip()} ({path})")
    return path


def _fonts_conf(folder: Path) -> Path | None:
    """A fontconfig file that adds the course's Chinese font (mplfonts' Noto Sans CJK SC) to the system's.

    A student's own browser has Chinese fonts; a bare CI machine may have none, and the Chinese
    lessons' markdown would show boxes. Chromium reads this file through FONTCONFIG_FILE.
    """
    from tfedu._i18n import cjk_font

    font = cjk_font()
    if font is None:
        return None
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
                    f"  <dir>{font.parent}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n")
    return conf


@pytest.fixture(scope="session")
def browser(chromium, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    env = dict(os.environ)
    conf = _fonts_conf(tmp_path_factory.mktemp("fontconfig"))
    if conf is not None:
        env["FONTCONFIG_FILE"] = str(conf)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
                                             timeout=60_000, env=env)
        try:
            yield browser
        finally:
            browser.close()


# JupyterLab -------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Lab:
    """A running JupyterLab server: its address, token, folder, and a little of its REST API."""

    def __init__(self, root: Path, home: Path, log: Path):
        self.root = root
        self.home = home
        self.log = log
        self.token = secrets.token_hex(24)
        self.port = None
        self.process = None
        self.seen = {}  # pid -> psutil.Process of every server descendant seen (kernels), for the cleanup

    def url(self, path: str = "lab") -> str:
        separator = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}{separator}token={self.token}"

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def close_sessions(self) -> None:
        """Shut down every notebook's kernel (as File > Close and Shut Down Notebook does)."""
        self.remember_children()
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")

    def environment(self) -> dict:
        # As `course.py lab` starts it for a student: not inside pytest (PYTEST_CURRENT_TEST would make tfedu
        # think nobody watches, so LivePlot would not draw live), and without the TF_CPP_MIN_LOG_LEVEL=2 the
        # root conftest.py sets for unit tests (tfedu.setup() sets 3 when it is unset, as for a student).
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("PYTEST_") and key != "TF_CPP_MIN_LOG_LEVEL"}
        # Nothing from the developer's own Jupyter configuration, settings or workspaces.
        for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                          ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                          ("IPYTHONDIR", "ipython")):
            env[name] = str(self.home / sub)
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        env["PYTHONHASHSEED"] = "0"  # as `course.py test` runs lessons
        # Progress goes where a student's goes (the Jupyter data directory), here inside the test's home.
        env.pop("TFEDU_PROGRESS", None)
        env["JUPYTER_DATA_DIR"] = str(self.home / "data")
        return env

    @property
    def progress_file(self) -> Path:
        """The student's progress file in this server's home."""
        return self.home / "data" / "tfedu" / "progress.jsonl"

    def start(self) -> None:
        env = self.environment()
        for name, value in LAB_SETTINGS.items():
            target = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(value))
        for attempt in range(3):  # another program may take the free port before the server does
            self.port = _free_port()
            command = [
                sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
                "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={self.root}", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ]
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                command.append("--allow-root")
            with open(self.log, "a") as out:
                self.process = subprocess.Popen(command, cwd=self.root, env=env, stdout=out,
                                                stderr=subprocess.STDOUT, start_new_session=True)
            if self._wait_until_up():
                return
            self.stop()
        raise RuntimeError(f"JupyterLab did not start; its log ({self.log}) ends with:\n{self.log_tail()}")

    def _wait_until_up(self) -> bool:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                self.api("status")
                return True
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.25)
        return False

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def remember_children(self) -> None:
        if self.process is None:
            return
        try:
            for child in psutil.Process(self.process.pid).children(recursive=True):
                self.seen.setdefault(child.pid, child)
        except psutil.NoSuchProcess:
            pass

    def kernel_pid(self, notebook: str) -> int:
        """The process id of the kernel of the session of ``notebook`` (a path under the root)."""
        sessions = [s for s in self.api("sessions") if s["path"] == notebook]
        assert sessions, f"no kernel session for {notebook}: {self.api('sessions')}"
        kernel_id = sessions[-1]["kernel"]["id"]
        self.remember_children()
        for process in self.seen.values():
            try:
                if any(kernel_id in part for part in process.cmdline()):
                    return process.pid
            except psutil.Error:
                continue
        raise AssertionError(f"no process for kernel {kernel_id} of {notebook}")

    def stop(self) -> list:
        """Stop the server and its kernels; return the processes that had to be killed (should be none)."""
        if self.process is None:
            return []
        self.remember_children()
        if self.process.poll() is None:
            # SIGTERM (like Ctrl+C) lets the server shut its kernels down cleanly; kernels run in
            # sessions of their own, so they are not in the server's process group.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        else:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process = None
        survivors = [p for p in self.seen.values() if _alive(p)]
        _, alive = psutil.wait_procs(survivors, timeout=10)
        for process in alive:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(alive, timeout=10)
        self.seen = {}
        return alive


def _alive(process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


@pytest.fixture(scope="session")
def lab(pytestconfig, tmp_path_factory, chromium):
    """JupyterLab serving a fresh copy of lessons/ (the course folder is never touched)."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "course"
    shutil.copytree(ROOT / "lessons", root / "lessons", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    server = Lab(root, base / "home", base / "jupyterlab.log")
    server.start()
    say(pytestconfig, f"JupyterLab on 127.0.0.1:{server.port} serving {root} (log: {server.log})")
    try:
        yield server
    finally:
        survivors = server.stop()
        if survivors:
            pytest.fail(f"processes outlived JupyterLab and were killed: {[p.pid for p in survivors]}")


# Screenshots and pages --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def screenshots(pytestconfig, tmp_path_factory) -> Path:
    folder = Path(os.environ["TFEDU_SCREENSHOTS"]) if os.environ.get("TFEDU_SCREENSHOTS") else \
        tmp_path_factory.mktemp("browser-screenshots", numbered=True)
    folder.mkdir(parents=True, exist_ok=True)
    pytestconfig.stash[SCREENSHOTS] = folder
    return folder


def pytest_terminal_summary(terminalreporter, config):
    folder = config.stash.get(SCREENSHOTS, None)
    if folder is not None:
        count = len(list(folder.glob("*.png")))
        terminalreporter.write_line(f"[browser] {count} screenshots of what the browser tests checked: {folder}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_failed = report.failed
    return report


@pytest.fixture
def page(request, browser, lab, screenshots):
    """A new browser page (its own profile); afterwards its notebooks' kernels are shut down."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(30_000)
    messages = []
    page.on("pageerror", lambda error: messages.append(f"page error: {error}"))
    page.on("console", lambda message: messages.append(f"console.{message.type}: {message.text}")
            if message.type == "error" else None)
    page.console_errors = messages
    try:
        yield page
    finally:
        if getattr(request.node, "browser_failed", False):
            name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
            try:
                target = screenshots / f"FAILED-{name}.png"
                page.screenshot(path=str(target))
                print(f"screenshot of the failure: {target}")
            except Exception as error:  # the page may be gone
                print(f"no failure screenshot: {error}")
            if messages:
                print("browser console errors:\n" + "\n".join(messages[-20:]))
        context.close()
        lab.close_sessions()  # after the page is gone, so that nothing reconnects to them
