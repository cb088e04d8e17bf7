"""A real JupyterHub on localhost with a class of simulated students, all running a lesson at once.

What it does, in one run (nothing leaves 127.0.0.1; the hub and everything it started stop at the end):

1. starts ``jupyterhub`` from the course environment, with the proxy it needs
   (``configurable-http-proxy``, which ``python3 course.py setup`` installs from npm into the
   environment), a test-only authenticator (JupyterHub's dummy one, with one shared password),
   a local spawner (each student's server is a process with its own home folder and a copy of
   the lessons) and the idle culler (``jupyterhub-idle-culler``);
2. N students (default 6) are created and log in through the hub's REST API; each gets a
   server and a kernel, and all run every code cell of the lesson (default 05) at the same time,
   over the kernel's websocket, through the proxy;
3. checks every cell finished without error and that each student's text outputs are the
   committed ones (as strict nbval compares them: streams and text/plain, the same sanitizers,
   tagged cells left out);
4. reports the time to finish, each student's peak memory (their server and kernel) and the
   whole machine's;
5. lets the servers go idle until the culler stops them, then a returning student gets a fresh
   server with their files intact;
6. drives one student through the hub's login page in headless Chromium to JupyterLab.

    .venv/bin/python benchmarks/classroom_hub.py [--students 6] [--lesson 05_gradient_descent]

Run it on a quiet machine. The figures go into deploy/README.md.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.executable).parent
PASSWORD = "tfedu-class"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def proxy_command() -> str:
    for candidate in (VENV.parent / "node" / "node_modules" / ".bin" / "configurable-http-proxy",
                      shutil.which("configurable-http-proxy")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    sys.exit("configurable-http-proxy is missing: `python3 course.py setup` installs it with npm "
             "(or run `npm install -g configurable-http-proxy`).")


CONFIG = """
import shutil
from pathlib import Path
c = get_config()
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.db_url = "sqlite:///{folder}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{folder}/cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{folder}/home/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = {args!r}   # every student's server runs as this machine's user (root in a container)
c.Spawner.default_url = "/lab/tree/lessons/{lesson}.ipynb"
c.Spawner.environment = {{"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0", "TF_NUM_INTRAOP_THREADS": "1",
                          "TFEDU_PROGRESS": "{folder}/progress-{{username}}.jsonl",
                          "JUPYTERHUB_ACTIVITY_INTERVAL": "5"}}
# activity reported every 5 s (default 300): a short culler timeout must not stop a busy student
c.JupyterHub.last_activity_interval = 5
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180

def copy_course(spawner):
    home = Path("{folder}/home") / spawner.user.name
    if not (home / "lessons").exists():
        shutil.copytree({lessons!r}, home / "lessons", ignore=shutil.ignore_patterns("zh", ".ipynb_checkpoints"))

c.Spawner.pre_spawn_hook = copy_course
c.JupyterHub.services = [
    {{"name": "classroom", "api_token": {token!r}}},
    {{"name": "idle-culler", "command": [{python!r}, "-m", "jupyterhub_idle_culler", "--timeout={cull_after}",
                                        "--cull-every=5", "--url=http://127.0.0.1:{hub_port}/hub/api"]}},
]
c.JupyterHub.load_roles = [
    {{"name": "classroom", "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"],
      "services": ["classroom"]}},
    {{"name": "idle-culler", "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
      "services": ["idle-culler"]}},
]
c.JupyterHub.cleanup_servers = True
"""


class Hub:
    def __init__(self, folder: Path, lesson: str, cull_after: int):
        self.folder, self.port, self.token = folder, free_port(), secrets.token_hex(24)
        config = CONFIG.format(port=self.port, hub_port=free_port(), proxy_api_port=free_port(), proxy=proxy_command(),
                               folder=folder, password=PASSWORD, singleuser=str(VENV / "jupyterhub-singleuser"),
                               lesson=lesson, lessons=str(ROOT / "lessons"), token=self.token,
                               python=sys.executable, cull_after=cull_after,
                               args=["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])
        (folder / "home").mkdir(parents=True)
        (folder / "jupyterhub_config.py").write_text(config)
        self.log = open(folder / "hub.log", "w")
        self.process = subprocess.Popen([str(VENV / "jupyterhub"), "-f", str(folder / "jupyterhub_config.py")],
                                        cwd=folder, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"

    def api(self, method: str, path: str, token: str | None = None, **kwargs):
        import requests

        response = requests.request(method, f"{self.base}/hub/api/{path}", timeout=60,
                                    headers={"Authorization": f"token {token or self.token}"}, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} /hub/api/{path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.text else None

    def wait_up(self, timeout: float = 60) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyterhub exited: see {self.log.name}")
            try:
                if requests.get(f"{self.base}/hub/api", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"jupyterhub did not answer within {timeout:.0f} s: see {self.log.name}")

    def start_server(self, name: str, timeout: float = 240) -> None:
        import requests

        try:
            self.api("POST", f"users/{name}/server")
        except RuntimeError as error:
            if "is already running" not in str(error) and "pending" not in str(error):
                raise
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.api("GET", f"users/{name}")
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                return
            time.sleep(1)
        raise RuntimeError(f"{name}'s server did not start within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


# Comparing outputs as strict nbval does -------------------------------------------------------------

def sanitizers() -> list:
    text = (ROOT / "tests" / "sanitize.cfg").read_text()
    return re.findall(r"^regex: (.*)\nreplace: (.*)$", text, flags=re.M)


def shown(outputs: list, patterns: list) -> str:
    parts = []
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            parts.append("".join(output["text"]))
        elif kind in ("execute_result", "display_data"):
            parts.append("".join(output.get("data", {}).get("text/plain", "")))
    text = "".join(parts)
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    return text


def compared(cell) -> bool:
    tags = set(cell.get("metadata", {}).get("tags", []))
    return not ({"nbval-ignore-output", "nbval-skip"} & tags) and "NBVAL_IGNORE_OUTPUT" not in "".join(cell["source"])


# One student ----------------------------------------------------------------------------------------

class Student:
    def __init__(self, hub: Hub, name: str, cells: list):
        self.hub, self.name, self.cells = hub, name, cells
        self.token = None
        self.errors, self.mismatches, self.seconds = [], [], None

    def log_in(self) -> None:
        """Through the hub's REST API: the student gets their own token, then their own server."""
        self.hub.api("POST", f"users/{self.name}")
        self.token = self.hub.api("POST", f"users/{self.name}/tokens",
                                  json={"note": "classroom run", "expires_in": 3600})["token"]
        self.hub.start_server(self.name)

    def server_api(self, method: str, path: str, **kwargs):
        import requests

        response = requests.request(method, f"{self.hub.base}/user/{self.name}/api/{path}", timeout=60,
                                    headers={"Authorization": f"token {self.token}"}, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{self.name}: {method} {path}: {response.status_code} {response.text[:200]}")
        return response.json() if response.text else None

    async def run_lesson(self, patterns: list) -> None:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        kernel = self.server_api("POST", "kernels", json={"name": "python3"})
        url = f"ws://127.0.0.1:{self.hub.port}/user/{self.name}/api/kernels/{kernel['id']}/channels"
        socket_ = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {self.token}"}),
                                          max_message_size=64 * 2**20)
        session = uuid.uuid4().hex
        started = time.monotonic()
        for number, cell in enumerate(self.cells):
            msg_id = uuid.uuid4().hex
            await socket_.write_message(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": session, "username": self.name,
                           "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": "".join(cell["source"]), "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
            outputs, idle, replied = [], False, False
            while not (idle and replied):
                raw = await asyncio.wait_for(socket_.read_message(), timeout=600)
                if raw is None:
                    raise RuntimeError(f"{self.name}: the kernel's websocket closed at cell {number}")
                if isinstance(raw, bytes):   # a binary frame (buffers): not text a student reads
                    continue
                message = json.loads(raw)
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = message["msg_type"], message["content"]
                if kind == "status" and content.get("execution_state") == "idle":
                    idle = True
                elif kind == "execute_reply":
                    replied = True
                    if content.get("status") != "ok":
                        self.errors.append((number, content.get("ename"), content.get("evalue")))
                elif kind == "stream":
                    outputs.append({"output_type": "stream", "text": content["text"]})
                elif kind in ("execute_result", "display_data"):
                    outputs.append({"output_type": kind, "data": content.get("data", {})})
                elif kind == "error":
                    self.errors.append((number, content.get("ename"), content.get("evalue")))
            if compared(cell) and shown(outputs, patterns) != shown(cell.get("outputs", []), patterns):
                self.mismatches.append(number)
            if self.errors:
                break
        self.seconds = time.monotonic() - started
        socket_.close()
        self.server_api("DELETE", f"kernels/{kernel['id']}")


# Memory, sampled while the class works --------------------------------------------------------------

class MemoryWatch:
    """Peak resident memory per student (their server and its kernels) and of the whole machine."""

    def __init__(self, folder: Path):
        import psutil

        self.psutil, self.folder = psutil, str(folder)
        self.per_student, self.machine, self.baseline = {}, 0, psutil.virtual_memory().used
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _student_of(self, process):
        try:
            name = process.environ().get("JUPYTERHUB_USER")
        except (self.psutil.Error, OSError):
            return None
        return name

    def _watch(self):
        while not self._stop.is_set():
            totals = {}
            for process in self.psutil.process_iter(["cmdline"]):
                try:
                    if "jupyterhub-singleuser" not in " ".join(process.info["cmdline"] or []):
                        continue
                    name = self._student_of(process)
                    rss = process.memory_info().rss + sum(child.memory_info().rss
                                                          for child in process.children(recursive=True))
                except self.psutil.Error:
                    continue
                if name:
                    totals[name] = totals.get(name, 0) + rss
            for name, rss in totals.items():
                self.per_student[name] = max(self.per_student.get(name, 0), rss)
            self.machine = max(self.machine, self.psutil.virtual_memory().used - self.baseline)
            self._stop.wait(0.5)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def log_in_with_a_browser(hub: Hub, name: str, shots: Path) -> str:
    """One student through the login page in headless Chromium; returns what the page showed."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("TFEDU_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{hub.base}/hub/login", timeout=60_000)
            page.fill("input[name=username]", name)
            page.fill("input[name=password]", PASSWORD)
            page.click("input[type=submit], button[type=submit]")
            page.wait_for_url(re.compile(rf".*/user/{name}/lab.*"), timeout=240_000)
            page.wait_for_selector(".jp-NotebookPanel .jp-MarkdownCell h1", timeout=120_000)
            page.screenshot(path=str(shots / "hub-login.png"))
            return page.locator(".jp-NotebookPanel .jp-MarkdownCell h1").first.inner_text()
        finally:
            browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--lesson", default="05_gradient_descent")
    parser.add_argument("--cull-after", type=int, default=30, help="seconds idle before the culler stops a server")
    parser.add_argument("--keep", action="store_true", help="keep the hub's folder (logs) afterwards")
    args = parser.parse_args()
    notebook = json.loads((ROOT / "lessons" / f"{args.lesson}.ipynb").read_text())
    cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    folder = Path(tempfile.mkdtemp(prefix="tfedu-hub-"))
    hub = Hub(folder, args.lesson, args.cull_after)
    problems = []
    try:
        hub.wait_up()
        print(f"hub: JupyterHub on 127.0.0.1:{hub.port} with configurable-http-proxy ({folder})", flush=True)
        students = [Student(hub, f"student{number + 1}", cells) for number in range(args.students)]
        started = time.monotonic()
        with MemoryWatch(folder) as memory:
            threads = [threading.Thread(target=student.log_in) for student in students]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            logged_in = time.monotonic() - started
            print(f"hub: {len(students)} students logged in with their own servers in {logged_in:.0f} s", flush=True)
            patterns = sanitizers()
            lesson_started = time.monotonic()

            async def everyone():
                await asyncio.gather(*(student.run_lesson(patterns) for student in students))

            asyncio.run(everyone())
            lesson_seconds = time.monotonic() - lesson_started
        for student in students:
            if student.errors:
                problems.append(f"{student.name}: cell {student.errors[0][0]} raised {student.errors[0][1]}: "
                                f"{student.errors[0][2]}")
            if student.mismatches:
                problems.append(f"{student.name}: code cells {student.mismatches} printed other text than committed")
        gb = 2**30
        peaks = sorted(memory.per_student.values())
        print(f"hub: lesson {args.lesson} ({len(cells)} code cells) run by {len(students)} students at once: "
              f"all finished in {lesson_seconds:.0f} s (each {min(s.seconds or 0 for s in students):.0f}-"
              f"{max(s.seconds or 0 for s in students):.0f} s); every cell without error: "
              f"{not any(s.errors for s in students)}; outputs as committed: "
              f"{not any(s.mismatches for s in students)}", flush=True)
        if peaks:
            print(f"hub: peak memory per student (server + kernel) {peaks[0] / gb:.2f}-{peaks[-1] / gb:.2f} GB; "
                  f"whole machine {memory.machine / gb:.2f} GB above its idle use", flush=True)
        # Idle servers are culled; a returning student gets a fresh server and finds their files.
        first = students[0]
        first.server_api("PUT", "contents/my_notes.txt", json={"type": "file", "format": "text",
                                                               "content": "epoch 20 looked best"})
        old_pid = hub.api("GET", f"users/{first.name}")["servers"][""].get("state", {}).get("pid")
        deadline = time.monotonic() + args.cull_after + 120
        while time.monotonic() < deadline and any(hub.api("GET", f"users/{s.name}")["servers"] for s in students):
            time.sleep(2)
        culled = not any(hub.api("GET", f"users/{s.name}")["servers"] for s in students)
        print(f"hub: idle servers culled after {args.cull_after} s idle: {culled}", flush=True)
        if not culled:
            problems.append("the idle culler did not stop every idle server")
        hub.start_server(first.name)
        new_pid = hub.api("GET", f"users/{first.name}")["servers"][""].get("state", {}).get("pid")
        notes = first.server_api("GET", "contents/my_notes.txt")["content"]
        kernels = first.server_api("GET", "kernels")
        fresh = new_pid != old_pid and kernels == []
        print(f"hub: returning student got a fresh server (pid {old_pid} -> {new_pid}, no kernel running): {fresh}; "
              f"files intact: {notes == 'epoch 20 looked best'}", flush=True)
        if not fresh or notes != "epoch 20 looked best":
            problems.append("the returning student's server was not fresh or their file changed")
        hub.api("DELETE", f"users/{first.name}/server")
        title = log_in_with_a_browser(hub, "visitor", folder)
        print(f"hub: a student logged in through the login page in Chromium and JupyterLab opened {title!r}",
              flush=True)
        if not title.startswith(args.lesson[:2]):
            problems.append(f"the browser login did not open the lesson (saw {title!r})")
    finally:
        hub.stop()
        if not args.keep and not problems:
            shutil.rmtree(folder, ignore_errors=True)
    for problem in problems:
        print(f"hub: PROBLEM {problem}")
    print("hub: passed" if not problems else f"hub: {len(problems)} problem(s); logs in {folder}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
