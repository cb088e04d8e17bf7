"""The course as a student sees it: real JupyterLab in headless Chromium, driven with Playwright.

nbval proves that lessons compute the same text; these tests prove that what is
*drawn* works: lessons run from the Run menu without errors, explorers render as
widgets (not as their text form), moving a slider redraws the figure, a
``LivePlot`` cell shows one plot updated in place (not a growing list), and the
kernel survives. Fixtures (Chromium, the JupyterLab server) are in conftest.py.

Screenshots of everything checked are saved (path printed at the end of the run;
``TFEDU_SCREENSHOTS=folder`` chooses it); a failing test adds ``FAILED-*.png``.
"""
from __future__ import annotations

import json
import re
import textwrap
import time
from pathlib import Path

import nbformat
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
# Real lessons run end to end with Run > Run All Cells: one explorer and one LivePlot fit, about 30 s here.
# (Every lesson runs under nbval; the browser adds the drawing, so one representative lesson is enough.)
LESSONS = ["05_gradient_descent.ipynb"]
KERNEL_READY_TIMEOUT = 120_000  # ms: JupyterLab loads, then the kernel starts (slow on 2 busy cores)
RUN_ALL_TIMEOUT = 240_000       # ms: a whole lesson
REDRAW_TIMEOUT = 30_000         # ms: one slider move -> new picture
WIDGET_TEXT = re.compile(r"^\s*(IntSlider|FloatSlider|FloatLogSlider|FloatRangeSlider|VBox|HBox|Image|Dropdown|"
                         r"ToggleButtons|Checkbox|SelectMultiple|Output)\(", re.M)
ERROR_MIME = "application/vnd.jupyter.stderr"  # how JupyterLab renders tracebacks and stderr alike
# JavaScript conditions on the open notebook: a cell is queued or running ([*]); the status bar says Idle.
QUEUED = ("[...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')]"
          ".some(p => p.textContent.includes('*'))")
IDLE = "/\\|\\s*Idle\\b/.test(document.querySelector('#jp-main-statusbar')?.innerText || '')"

# A small notebook aimed at the interactive parts: two explorers and a LivePlot fit slowed down a little so
# that several frames are drawn, between two cells that print the kernel's process id.
CHECK_NOTEBOOK = "browser_check.ipynb"
CHECK_CELLS = [
    "import os, time\nimport tfedu\ntfedu.setup()\nprint('kernel pid', os.getpid())",
    'tfedu.activations.activation_explorer(["sigmoid", "relu", "leaky_relu", "elu"])',
    "tfedu.losses.loss_explorer()",
    "import keras\n"
    "x, y = tfedu.data.load_digits(flatten=True)\n"
    'model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])\n'
    'model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])\n'
    "slow_down = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: time.sleep(0.3))\n"
    'plot = tfedu.callbacks.LivePlot(budget=float("inf"))  # redraw after every epoch\n'
    "model.fit(x[:600], y[:600], epochs=12, validation_split=0.25, verbose=0, callbacks=[plot, slow_down]);",
    "print('kernel pid', os.getpid(), tfedu._display.detect_environment())",
]


# Driving JupyterLab -----------------------------------------------------------------------------------


class Notebook:
    """One notebook open in JupyterLab in a Playwright page."""

    def __init__(self, page, lab, path: str, shots: Path):
        self.page, self.lab, self.path, self.shots = page, lab, path, shots
        self.stem = Path(path).stem
        self.model = nbformat.read(lab.root / path, as_version=4)
        self.code = [cell for cell in self.model.cells if cell.cell_type == "code"]

    # the page
    @property
    def panel(self):
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")

    def cell(self, index: int):
        """The code cell at ``index`` among the notebook's code cells."""
        return self.panel.locator(".jp-CodeCell").nth(index)

    def index_of(self, text: str) -> int:
        matches = [i for i, cell in enumerate(self.code) if text in cell.source]
        assert matches, f"{self.path}: no code cell contains {text!r}"
        return matches[0]

    def shoot(self, name: str, locator=None) -> Path:
        target = self.shots / f"{self.stem}-{name}.png"
        if locator is None:
            self.page.screenshot(path=str(target))
        else:
            locator.scroll_into_view_if_needed()
            locator.screenshot(path=str(target))
        return target

    def status(self) -> str:
        return self.page.locator("#jp-main-statusbar").inner_text()

    # actions
    def open(self) -> None:
        # `reset`: start from an empty workspace, not with the tabs an earlier test left open.
        self.page.goto(self.lab.url(f"lab/tree/{self.path}?reset"))
        self.panel.wait_for(state="visible", timeout=KERNEL_READY_TIMEOUT)
        self.wait_idle(KERNEL_READY_TIMEOUT)

    def wait_idle(self, timeout=KERNEL_READY_TIMEOUT) -> None:
        """Wait until the status bar says the notebook's kernel is idle."""
        try:
            self.page.wait_for_function(f"() => {IDLE}", timeout=timeout)
        except Exception as error:
            raise AssertionError(f"{self.path}: the kernel is not idle after {timeout / 1000:.0f} s; status bar: "
                                 f"{self.status()!r}\nJupyterLab log:\n{self.lab.log_tail()}") from error

    def kernel_state(self) -> str:
        sessions = [s for s in self.lab.api("sessions") if s["path"] == self.path]
        return sessions[-1]["kernel"]["execution_state"] if sessions else "no session"

    def wait_settled(self, image, quiet: float = 1.0, timeout: float = REDRAW_TIMEOUT / 1000) -> None:
        """Wait until the kernel has handled every control change (a drag sends several) and the picture
        has stayed the same for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        source, since = image.get_attribute("src"), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.2)
            now = image.get_attribute("src")
            if now != source:
                source, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet and self.kernel_state() == "idle" and "Idle" in self.status():
                return
        raise AssertionError(f"{self.path}: the widget did not settle in {timeout:.0f} s "
                             f"(kernel {self.kernel_state()}, status bar {self.status()!r})")

    def menu(self, menu: str, item: str) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
        self.page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel",
                          has_text=re.compile(f"^{re.escape(item)}$")).click()

    def run_all(self, timeout=RUN_ALL_TIMEOUT, while_running=None) -> float:
        """Run > Run All Cells, as a student does; wait until no cell is queued and the kernel is idle.

        ``while_running()`` is called once the cells are queued. Fails if a cell did not run (JupyterLab
        stops a Run All at the first error), showing the error outputs."""
        started = time.monotonic()
        self.menu("Run", "Run All Cells")
        # The command marks every cell queued ([*]) at once; then wait until none is left.
        self.page.wait_for_function(f"() => {QUEUED}", timeout=10_000)
        if while_running is not None:
            while_running()
        try:
            self.page.wait_for_function(f"() => !({QUEUED}) && {IDLE}", timeout=timeout, polling=250)
        except Exception as error:
            self.shoot("run-all-timeout")
            prompts = self.panel.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
            raise AssertionError(f"{self.path}: Run All did not finish in {timeout / 1000:.0f} s; prompts {prompts}, "
                                 f"status bar {self.status()!r}") from error
        prompts = self.panel.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        not_run = [i + 1 for i, cell in enumerate(self.code)
                   if cell.source.strip() and not re.fullmatch(r"\[\d+\]:?", prompts[i].strip())]
        if not_run:
            self.assert_no_errors()
            raise AssertionError(f"{self.path}: Run All left code cells {not_run} unexecuted: {prompts}")
        return time.monotonic() - started

    # checks
    def assert_no_errors(self) -> None:
        problems = []
        for index in range(len(self.code)):
            tags = self.code[index].metadata.get("tags", [])
            if "raises-exception" in tags:
                continue
            for text in self.cell(index).locator(f'.jp-OutputArea-output[data-mime-type="{ERROR_MIME}"]').all_inner_texts():
                problems.append(f"cell {index + 1}: {text.strip()[:600]}")
        assert not problems, f"{self.path}: error or stderr outputs in the browser:\n" + "\n".join(problems)
        texts = "\n".join(self.panel.locator(".jp-OutputArea-output").all_inner_texts())
        assert "Error displaying widget" not in texts, f"{self.path}: a widget failed to display"
        shown_as_text = WIDGET_TEXT.findall(texts)
        assert not shown_as_text, f"{self.path}: widgets shown as text ({shown_as_text}): is the widget manager active?"

    def assert_widget(self, index: int, name: str):
        """The cell's output is a rendered ipywidgets box with controls and a drawn image; returns the box."""
        cell = self.cell(index)
        box = cell.locator(".jp-OutputArea-output .jupyter-widgets.widget-vbox").first
        texts = cell.locator('.jp-OutputArea-output[data-mime-type="text/plain"]').all_inner_texts()
        assert box.count() == 1 and not texts, (
            f"{self.path}, cell {index + 1}: the explorer is not rendered as a widget; text outputs: {texts}")
        assert box.locator(".widget-slider, .widget-toggle-buttons").count() >= 1, "no controls in the widget"
        image = box.locator("img.widget-image")
        assert image.count() == 1, f"{self.path}, cell {index + 1}: expected one image in the widget"
        size = image.evaluate("img => [img.naturalWidth, img.naturalHeight, img.getBoundingClientRect().width]")
        assert size[0] > 200 and size[1] > 100 and size[2] > 200, f"the widget's figure is not drawn: {size}"
        self.shoot(f"cell{index + 1}-{name}", cell)
        return box

    def move_slider(self, index: int, name: str, label: str, fraction: float) -> None:
        """Drag the slider ``label`` by ``fraction`` of its width; the widget's picture must change."""
        box = self.cell(index).locator(".jp-OutputArea-output .jupyter-widgets.widget-vbox").first
        slider = box.locator(".widget-slider").filter(
            has=self.page.locator(".widget-label", has_text=re.compile(f"^{re.escape(label)}$")))
        assert slider.count() == 1, f"{self.path}, cell {index + 1}: no slider labelled {label!r}"
        image = box.locator("img.widget-image")
        readout = slider.locator(".widget-readout")
        before, value_before = fingerprint(image), readout.inner_text()
        pixels_before = box.screenshot(path=str(self.shots / f"{self.stem}-cell{index + 1}-{name}-before.png"))

        handle, track = slider.locator(".noUi-handle").first, slider.locator(".noUi-base").first
        handle.scroll_into_view_if_needed()
        grip, rail = handle.bounding_box(), track.bounding_box()
        x, y = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
        target = min(max(x + fraction * rail["width"], rail["x"] + 2), rail["x"] + rail["width"] - 2)
        self.page.mouse.move(x, y)
        self.page.mouse.down()
        self.page.mouse.move(target, y, steps=12)
        self.page.mouse.up()

        value_after = readout.inner_text()
        assert value_after != value_before, f"{label}: dragging did not move the slider ({value_before})"
        try:
            self.page.wait_for_function("([img, src]) => img.src !== src && img.complete && img.naturalWidth > 0",
                                        arg=[image.element_handle(), before["src"]], timeout=REDRAW_TIMEOUT)
        except Exception as error:
            box.screenshot(path=str(self.shots / f"{self.stem}-cell{index + 1}-{name}-NOT-REDRAWN.png"))
            raise AssertionError(f"{self.path}, cell {index + 1}: moving {label!r} from {value_before} to "
                                 f"{value_after} did not redraw the figure within {REDRAW_TIMEOUT / 1000:.0f} s "
                                 "(the <img> kept its picture)") from error
        self.wait_settled(image)
        after = fingerprint(image)
        pixels_after = box.screenshot(path=str(self.shots / f"{self.stem}-cell{index + 1}-{name}-after.png"))
        assert after["sha256"] != before["sha256"], (
            f"{self.path}, cell {index + 1}: moving {label!r} ({value_before} -> {value_after}) sent the same picture")
        assert pixels_after != pixels_before, f"{label}: the widget looks the same on screen after the move"

    def image_outputs(self, index: int) -> int:
        return self.cell(index).locator('.jp-OutputArea-output[data-mime-type="image/png"] img').count()

    def assert_kernel_alive(self, pid: int) -> None:
        assert psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE, (
            f"{self.path}: the kernel process {pid} died")
        assert self.lab.kernel_pid(self.path) == pid, f"{self.path}: the kernel was restarted"
        deadline = time.monotonic() + 30
        while self.kernel_state() != "idle" and time.monotonic() < deadline:
            time.sleep(0.25)
        assert self.kernel_state() == "idle", f"{self.path}: the server says the kernel is {self.kernel_state()}"
        status = self.status()
        assert re.search(r"\|\s*Idle\b", status), f"{self.path}: kernel status {status!r}"
        dialogs = self.page.locator(".jp-Dialog").all_inner_texts()
        assert not dialogs, f"{self.path}: JupyterLab shows a dialog: {dialogs}"


def fingerprint(image) -> dict:
    """The bytes behind an <img> (a blob: URL for ipywidgets.Image): size and SHA-256."""
    return image.evaluate("""async img => {
        const data = await (await fetch(img.src)).arrayBuffer();
        const digest = await crypto.subtle.digest('SHA-256', data);
        return {src: img.src, bytes: data.byteLength,
                sha256: Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, '0')).join('')};
    }""")


@pytest.fixture
def notebooks(lab, page, screenshots):
    """Open a notebook in ``page``, as the only tab (the page fixture shuts its kernel down afterwards)."""

    def open_notebook(path: str) -> Notebook:
        notebook = Notebook(page, lab, path, screenshots)
        notebook.open()
        return notebook

    return open_notebook


# The tests --------------------------------------------------------------------------------------------


def test_binder_link_opens_the_lessons_index(notebooks):
    """The README's Binder badge opens JupyterLab at this path: the first lesson, its kernel ready."""
    readme = (ROOT / "README.md").read_text()
    url_path = re.search(r"https://mybinder\.org/v2/gh/[^)\s]+\?urlpath=([^)\s&]+)", readme).group(1)
    assert url_path.startswith("lab/tree/lessons/"), url_path
    notebook = notebooks(url_path.removeprefix("lab/tree/"))
    title = notebook.panel.locator(".jp-MarkdownCell h1").first
    assert re.match(r"00 · ", title.inner_text()), title.inner_text()
    assert "Python 3" in notebook.status()
    notebook.shoot("opened-from-binder-url")


def test_explorers_and_liveplot_work_in_the_browser(lab, notebooks):
    """Two explorers answer their sliders with a new picture; LivePlot updates one output during fit."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CHECK_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, lab.root / CHECK_NOTEBOOK)
    notebook = notebooks(CHECK_NOTEBOOK)
    pid = lab.kernel_pid(CHECK_NOTEBOOK)

    # Watch the LivePlot cell's outputs while it runs: how many pictures it showed, and at most how many at once.
    live = notebook.index_of("LivePlot(")
    notebook.cell(live).evaluate("""cell => {
        const hash = s => { let h = 0; for (let i = 0; i < s.length; i += 3) h = (h * 31 + s.charCodeAt(i)) | 0; return h; };
        const seen = window.livePlotWatch = {pictures: [], mostOutputs: 0, mostImages: 0};
        const look = () => {
            const outputs = cell.querySelectorAll('.jp-OutputArea-output');
            const images = cell.querySelectorAll('.jp-OutputArea-output img');
            seen.mostOutputs = Math.max(seen.mostOutputs, outputs.length);
            seen.mostImages = Math.max(seen.mostImages, images.length);
            images.forEach(img => { const h = hash(img.src); if (!seen.pictures.includes(h)) seen.pictures.push(h); });
        };
        new MutationObserver(look).observe(cell, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
    }""")

    def during_fit():
        notebook.page.wait_for_function(f"() => window.livePlotWatch.pictures.length >= 3 || !({QUEUED})",
                                        timeout=RUN_ALL_TIMEOUT)
        notebook.shoot("liveplot-during-fit", notebook.cell(live))

    notebook.run_all(while_running=during_fit)
    notebook.assert_no_errors()

    watch = notebook.page.evaluate("() => window.livePlotWatch")
    assert watch["mostImages"] == 1 and watch["mostOutputs"] == 1, (
        f"LivePlot must update one output in place, but the cell showed up to {watch['mostOutputs']} outputs "
        f"and {watch['mostImages']} images at once")
    assert len(watch["pictures"]) >= 4, f"LivePlot drew only {len(watch['pictures'])} frames in a 12-epoch fit"
    assert notebook.image_outputs(live) == 1
    notebook.shoot("liveplot-final", notebook.cell(live))

    first = notebook.cell(0).locator(".jp-OutputArea").inner_text()
    last = notebook.cell(len(CHECK_CELLS) - 1).locator(".jp-OutputArea").inner_text()
    assert f"kernel pid {pid}" in first and f"kernel pid {pid}" in last, (first, last, pid)
    assert "frontend='jupyter'" in last, f"the kernel does not know it runs in JupyterLab: {last}"

    activations = notebook.index_of("activation_explorer(")
    notebook.assert_widget(activations, "activation-explorer")
    notebook.move_slider(activations, "activation-explorer-slope", "leaky_relu slope", 0.5)
    notebook.move_slider(activations, "activation-explorer-alpha", "elu alpha", 0.4)
    losses = notebook.index_of("loss_explorer(")
    notebook.assert_widget(losses, "loss-explorer")
    notebook.move_slider(losses, "loss-explorer-delta", "Huber δ", 0.4)
    notebook.move_slider(losses, "loss-explorer-gamma", "focal γ", -0.3)
    notebook.assert_no_errors()
    notebook.assert_kernel_alive(pid)
    notebook.shoot("end")


def check_widgets(notebook: Notebook, lesson: str, prefix: str = "") -> None:
    """Every widget cell of a run lesson is drawn as a widget, and the first slider of each answers a move."""
    widget_cells = [i for i, cell in enumerate(notebook.code)
                    if any("application/vnd.jupyter.widget-view+json" in out.get("data", {}) for out in cell.outputs)]
    assert widget_cells, f"{lesson} has no widget cell to check"
    for index in widget_cells:
        notebook.assert_widget(index, f"{prefix}widget")
    slider_cells = [i for i in widget_cells if notebook.cell(i).locator(".widget-slider").count()]
    for index in slider_cells:
        label = notebook.cell(index).locator(".widget-slider .widget-label").first.inner_text()
        notebook.move_slider(index, f"{prefix}slider", label, 0.3)


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_in_jupyterlab(lab, notebooks, lesson):
    """A real lesson, Run All Cells: no errors, its widgets drawn and answering, one LivePlot image each."""
    notebook = notebooks(f"lessons/{lesson}")
    pid = lab.kernel_pid(notebook.path)
    seconds = notebook.run_all()
    print(f"{lesson}: Run All Cells took {seconds:.1f} s in the browser")
    notebook.assert_no_errors()

    check_widgets(notebook, lesson)

    for index in [i for i, cell in enumerate(notebook.code) if "LivePlot(" in cell.source]:
        assert notebook.image_outputs(index) == 1, f"{lesson}, cell {index + 1}: LivePlot must leave exactly one plot"
        notebook.shoot(f"cell{index + 1}-liveplot", notebook.cell(index))

    notebook.assert_no_errors()
    notebook.assert_kernel_alive(pid)


# A student doing an exercise ----------------------------------------------------------------------------

EXERCISE_LESSON = "02_computing.ipynb"  # a short lesson: Run All takes a few seconds


def _first_code_exercise(path: Path):
    """(code-cell index, name, Exercise) of the lesson's first marked exercise that is not a prediction."""
    from tfedu.exercises import Predict
    from tfedu.exercises.edition import bank_for, exercise_cells

    model = nbformat.read(path, as_version=4)
    code_index = {id(cell): i for i, cell in enumerate(c for c in model.cells if c.cell_type == "code")}
    bank = bank_for(path)
    for index, name in exercise_cells(model):
        exercise = getattr(bank, name)
        if not isinstance(exercise, Predict):
            return code_index[id(model.cells[index])], name, exercise
    raise AssertionError(f"{path.name} has no exercise to fill in")


def _type_into(notebook: Notebook, index: int, text: str) -> None:
    """Replace the cell's code as a student would (click, select all, type) and run it with Shift+Enter."""
    editor = notebook.cell(index).locator(".cm-content")
    editor.scroll_into_view_if_needed()
    editor.click()
    notebook.page.keyboard.press("Control+a")
    notebook.page.keyboard.insert_text(text)  # pasted, so the editor adds no indentation or brackets of its own
    notebook.page.keyboard.press("Shift+Enter")
    notebook.page.wait_for_function(f"() => !({QUEUED}) && {IDLE}", timeout=REDRAW_TIMEOUT * 2, polling=250)


def _output_text(notebook: Notebook, index: int) -> str:
    return "\n".join(notebook.cell(index).locator(".jp-OutputArea-output").all_inner_texts())


def test_a_student_answers_an_exercise(lab, notebooks):
    """Run the lesson, try a recorded mistake (told what is wrong), ask for a hint, enter the solution
    (correct!), and see all of it in progress() and in the progress file under the Jupyter data directory."""
    index, name, exercise = _first_code_exercise(lab.root / "lessons" / EXERCISE_LESSON)
    notebook = notebooks(f"lessons/{EXERCISE_LESSON}")
    notebook.run_all()
    notebook.assert_no_errors()
    blank = _output_text(notebook, index)
    assert "not answered yet" in blank and f"ex.{name}.hint()" in blank, blank
    notebook.shoot(f"{name}-blank", notebook.cell(index))

    _type_into(notebook, index, textwrap.dedent(exercise.mistakes[0]).strip())
    wrong = _output_text(notebook, index)
    assert f"{exercise.heading}: not yet." in wrong and "✗" in wrong, wrong
    failed = [line for line in wrong.splitlines() if line.strip().startswith("✗")]
    assert all(":" in line for line in failed), f"a failed check does not say what is wrong: {failed}"
    notebook.shoot(f"{name}-wrong", notebook.cell(index))

    # A new cell below the exercise (command mode, B), as a student asks for the hint the verdict offers.
    notebook.page.keyboard.press("Escape")
    notebook.cell(index).locator(".jp-InputPrompt").click()
    notebook.page.keyboard.press("b")
    _type_into(notebook, index + 1, f"ex.{name}.hint()")
    hint = _output_text(notebook, index + 1)
    assert hint.startswith("Hint") and exercise.hint(1).body.splitlines()[0] in hint, hint

    _type_into(notebook, index, textwrap.dedent(exercise.solution().body).strip())
    right = _output_text(notebook, index)
    assert f"{exercise.heading}: correct!" in right and "✗" not in right, right
    notebook.shoot(f"{name}-correct", notebook.cell(index))

    _type_into(notebook, index + 1, "from tfedu.exercises import progress\nprogress()")
    shown = notebook.cell(index + 1).locator(".jp-OutputArea-output table")
    assert shown.count() == 1, f"progress() did not show a table: {_output_text(notebook, index + 1)}"
    rows = [row.split("\t") for row in shown.inner_text().splitlines()]
    lesson = "lesson_" + EXERCISE_LESSON[:2]
    mine = [row for row in rows if row[:2] == [lesson, name]]
    assert mine == [[lesson, name, "2", "yes", "1", "no"]], rows
    notebook.shoot("progress", notebook.cell(index + 1))

    events = [json.loads(line) for line in lab.progress_file.read_text().splitlines()]
    seen = [(e["event"], e.get("verdict")) for e in events if (e["lesson"], e["exercise"]) == (lesson, name)]
    assert seen == [("check", "not answered"), ("check", "wrong"), ("hint", None), ("check", "correct")], seen
    assert not list((lab.root / "lessons").glob("**/*.jsonl")), "progress must never be written into lessons/"
    notebook.assert_no_errors()


# The Playground -------------------------------------------------------------------------------------------

PLAYGROUND_NOTEBOOK = "browser_playground.ipynb"
PLAYGROUND_CELLS = [
    "import tfedu\ntfedu.setup()\nfrom tfedu.playground import playground_explorer",
    'playground = playground_explorer({"dataset": "xor", "hidden": [4], "learning_rate": 0.1, "n_samples": 200})\n'
    "playground",
    "print('epoch', playground.trainer.epoch)",
]


def test_playground_plays_pauses_and_steps_in_the_browser(lab, notebooks):
    """Press play: the one picture keeps changing while training runs; pause: it stops; change a control and
    press step: a new set-up trains a step."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in PLAYGROUND_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, lab.root / PLAYGROUND_NOTEBOOK)
    notebook = notebooks(PLAYGROUND_NOTEBOOK)
    notebook.run_all()
    notebook.assert_no_errors()
    cell = notebook.cell(1)
    box = cell.locator(".jp-OutputArea-output .jupyter-widgets.widget-vbox").first
    image = box.locator("img.widget-image")
    assert image.count() == 1, "the Playground is not rendered as a widget"
    notebook.shoot("playground-start", cell)

    def button(label):
        return box.locator("button", has_text=re.compile(f"^\\s*{label}\\s*$"))

    seen = {fingerprint(image)["sha256"]}
    button("play").click()
    deadline = time.monotonic() + 60
    while len(seen) < 4 and time.monotonic() < deadline:
        time.sleep(0.5)
        seen.add(fingerprint(image)["sha256"])
    notebook.shoot("playground-playing", cell)
    assert len(seen) >= 4, f"while playing, the picture changed only {len(seen) - 1} times in 60 s"
    assert cell.locator(".jp-OutputArea-output img").count() == 1, "playing must update one picture in place"
    button("play").click()   # the toggle again: pause
    time.sleep(2.0)          # let the current step finish
    paused = fingerprint(image)["sha256"]
    time.sleep(2.0)
    assert fingerprint(image)["sha256"] == paused, "the picture still changes after pause"

    hidden = box.locator(".widget-dropdown").filter(has=notebook.page.locator("label", has_text="hidden layers"))
    hidden.locator("select").select_option(label="8 → 8")
    notebook.wait_settled(image)
    changed = fingerprint(image)["sha256"]
    assert changed != paused, "choosing other hidden layers did not redraw"
    button("step").click()
    notebook.wait_settled(image)
    assert fingerprint(image)["sha256"] != changed, "step did not train and redraw"
    notebook.shoot("playground-after-step", cell)
    notebook.cell(2).locator(".cm-content").click()
    notebook.page.keyboard.press("Shift+Enter")
    notebook.page.wait_for_function(f"() => !({QUEUED}) && {IDLE}", timeout=REDRAW_TIMEOUT, polling=250)
    text = "\n".join(notebook.cell(2).locator(".jp-OutputArea-output").all_inner_texts())
    assert "epoch 10" in text, f"after reset by the new layers and one step of 10 epochs: {text!r}"
    notebook.assert_no_errors()


# The Chinese edition ----------------------------------------------------------------------------------

CHINESE_LESSON = "lessons/zh/02_computing.ipynb"  # short, with a slider widget and exercises


def test_a_chinese_lesson_runs_in_jupyterlab_with_chinese_text_and_widgets(lab, notebooks):
    """The Chinese twin in JupyterLab: Chinese markdown and verdicts, widgets drawn and answering; the
    Simplified Chinese language pack is installed, so Settings -> Language offers it."""
    cjk = re.compile(r"[\u4e00-\u9fff]")
    import urllib.request

    with urllib.request.urlopen(lab.url("lab/api/translations/"), timeout=30) as response:
        languages = response.read().decode()
    assert "zh_CN" in languages, f"JupyterLab offers no Simplified Chinese: {languages[:300]}"
    notebook = notebooks(CHINESE_LESSON)
    title = notebook.panel.locator(".jp-MarkdownCell h1").first.inner_text()
    assert title.startswith("02 · ") and cjk.search(title), title
    # Glyphs, not boxes: in the page's own font, two different characters draw different pixels
    # (a missing glyph draws the same empty box for both).
    different = notebook.page.evaluate("""() => {
        const font = getComputedStyle(document.querySelector('.jp-RenderedMarkdown')).font;
        const draw = ch => { const c = document.createElement('canvas'); c.width = 40; c.height = 40;
            const x = c.getContext('2d'); x.font = font.replace(/\\d+px/, '28px'); x.fillText(ch, 4, 32);
            return Array.from(x.getImageData(0, 0, 40, 40).data).join(','); };
        return draw('张') !== draw('量');
    }""")
    assert different, "the browser draws Chinese characters as boxes: no font with Chinese glyphs was found"
    notebook.run_all()
    notebook.assert_no_errors()
    check_widgets(notebook, CHINESE_LESSON, prefix="zh-")
    starter = next(i for i, cell in enumerate(notebook.code) if cell.metadata.get("tfedu", {}).get("exercise"))
    verdict = _output_text(notebook, starter)
    assert "尚未作答" in verdict and "ex.q1.hint()" in verdict, verdict
    notebook.shoot("chinese-lesson")
    notebook.assert_no_errors()
