"""tfedu._display: where output goes, in-place output slots, the redraw budget."""
import sys
import types

import pytest

from tfedu import _display


class FakeShell:
    """Stands in for IPython's shell: a kernel shell has a ``kernel``, a terminal one none."""

    def __init__(self, kernel=True, execution_count=1, user_ns=None):
        self.kernel = object() if kernel else None
        self.execution_count = execution_count
        self.user_ns = user_ns or {}


@pytest.fixture
def shell(monkeypatch):
    fake = FakeShell()
    monkeypatch.setattr(_display, "_ipython", lambda: fake)
    return fake


def clear_frontend_variables(monkeypatch):
    # in the test body: pytest sets PYTEST_CURRENT_TEST again after fixtures ran
    for name in ("PYTEST_CURRENT_TEST", "VSCODE_PID", "JPY_SESSION_NAME"):
        monkeypatch.delenv(name, raising=False)


def test_plain_python_is_a_script():
    assert _display.detect_environment() == _display.Environment("script")
    assert not _display.detect_environment().rich


@pytest.mark.parametrize(
    "environ, user_ns, frontend",
    [
        ({"JPY_SESSION_NAME": "lessons/03_callbacks.ipynb"}, {}, "jupyter"),
        ({"VSCODE_PID": "123"}, {}, "vscode"),
        ({}, {"__vsc_ipynb_file__": "/x.ipynb"}, "vscode"),
        ({}, {}, "headless"),  # nbclient, nbconvert, papermill: nobody watching
        ({"PYTEST_CURRENT_TEST": "t", "JPY_SESSION_NAME": "x.ipynb"}, {}, "headless"),  # nbval
    ],
)
def test_kernel_front_ends(shell, monkeypatch, environ, user_ns, frontend):
    clear_frontend_variables(monkeypatch)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    shell.user_ns = user_ns
    env = _display.detect_environment()
    assert env == _display.Environment("kernel", frontend)
    assert env.rich and env.live == (frontend != "headless")


def test_colab_and_terminal_ipython(shell, monkeypatch):
    clear_frontend_variables(monkeypatch)
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert _display.detect_environment().frontend == "colab"
    shell.kernel = None
    assert _display.detect_environment() == _display.Environment("ipython")


def test_output_slot_updates_in_place_within_a_cell_and_starts_anew_in_the_next(shell, monkeypatch):
    import IPython.display

    sent = []

    class Handle:
        def update(self, obj, **kwargs):
            sent.append(("update", obj, kwargs))

    def display(obj, **kwargs):
        sent.append(("display", obj, kwargs))
        return Handle()

    monkeypatch.setattr(IPython.display, "display", display)
    slot = _display.OutputSlot()
    assert slot.show({"text/plain": "a"}) is True
    slot.show({"text/plain": "b"})
    shell.execution_count = 2
    slot.show({"text/plain": "c"})
    assert [(kind, obj["text/plain"]) for kind, obj, _ in sent] == [("display", "a"), ("update", "b"), ("display", "c")]
    assert sent[0][2] == {"raw": True, "display_id": True}
    assert sent[1][2] == {"raw": True}


def test_png_bundle_is_base64_with_text():
    bundle = _display.png_bundle(b"\x89PNG\r\n", "<Figure size 10x10 with 1 Axes>")
    assert bundle == {"image/png": "iVBORw0K", "text/plain": "<Figure size 10x10 with 1 Axes>"}


def test_enable_figure_display_registers_a_png_formatter_once(shell):
    from matplotlib.figure import Figure

    class Formatter:
        def __init__(self):
            self.printers = {}

        def for_type(self, typ, func=None):
            old = self.printers.get(typ)
            if func is not None:
                self.printers[typ] = func
            return old

    png = Formatter()
    shell.display_formatter = types.SimpleNamespace(formatters={"image/png": png})
    assert _display.enable_figure_display() is True
    assert png.printers[Figure] is _display.figure_png
    sentinel = object()
    png.printers[Figure] = sentinel  # e.g. matplotlib's inline backend got there first
    _display.enable_figure_display()
    assert png.printers[Figure] is sentinel
    assert _display.figure_png(Figure(figsize=(1, 1)))[:8] == b"\x89PNG\r\n\x1a\n"


def test_budget_counts_drawing_against_the_rest():
    ticks = iter([0.0, 0.5, 1.0, 1.4, 2.0, 20.0])
    budget = _display.RedrawBudget(0.05, clock=ticks.__next__)
    budget.start()                                   # t = 0
    assert not budget.allows(0.1)                    # t = 0.5: 0.1 > 0.025
    with budget.timed():                             # 1.0 .. 1.4
        pass
    assert budget.draws == 1 and budget.spent == pytest.approx(0.4)
    assert not budget.allows(0.0)                    # t = 2: 0.4 > 0.05 * 1.6
    assert budget.allows(0.1, reserve=0.1)           # t = 20: 0.6 <= 0.05 * 19.6


def test_budget_can_let_the_first_redraw_through_and_still_charge_it():
    ticks = iter([0.0, 0.01, 0.3, 1.0, 10.0, 10.0, 10.0])
    budget = _display.RedrawBudget(0.05, clock=ticks.__next__, first_free=True)
    budget.start()                                   # t = 0
    assert budget.allows(0.2, reserve=0.2)           # no clock read: the first redraw is free
    with budget.timed():                             # 0.01 .. 0.3
        pass
    assert not budget.allows(0.01)                   # t = 1: 0.29 + 0.01 > 0.05 * 0.71
    assert budget.allows(0.1)                        # t = 10: 0.39 <= 0.05 * 9.71
    budget.start()                                   # a new fit: free again
    assert budget.draws == 0 and budget.allows(5.0)
    zero = _display.RedrawBudget(0.0, first_free=True)
    zero.start()
    assert not zero.allows(1e-9)                     # a zero budget stays zero


def test_budget_extremes_and_bad_values():
    assert _display.RedrawBudget(float("inf")).allows(1e9)
    zero = _display.RedrawBudget(0.0)
    zero.start()
    assert not zero.allows(1e-9)
    for bad in (-0.1, "5%", True, float("nan")):
        with pytest.raises(ValueError, match=r"fraction >= 0 of the training time \(0.05 means 5%\)"):
            _display.RedrawBudget(bad)
