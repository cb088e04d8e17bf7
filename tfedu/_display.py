"""Where output goes: environment detection, in-place display slots, redraw budgets.

The only module of tfedu that talks to ``IPython.display``. Everything that
shows something while code runs (the live training plot, progress of a demo)
asks this module *where* it is running and sends finished output here; the
code that computes and draws stays free of display logic.

* :func:`detect_environment` tells a Jupyter kernel (and which front end, as
  far as a kernel can know) from a terminal IPython and a plain ``python``
  script, without importing IPython when it is not already loaded.
* :class:`OutputSlot` is one output area that can be replaced in place:
  ``display(..., display_id=True)`` the first time, ``handle.update(...)``
  afterwards. That works in JupyterLab, Notebook 7, VS Code and Colab without
  any widget extension, and a saved notebook holds a single output per slot.
* :class:`RedrawBudget` decides when a redraw is affordable: time spent
  drawing stays under a fraction of the time spent on everything else.

>>> env = detect_environment()
>>> env.kind in {"kernel", "ipython", "script"}
True
>>> budget = RedrawBudget(0.05, clock=iter([0.0, 10.0]).__next__)
>>> budget.start()
>>> budget.allows(0.2)   # 10 s of training pays for 0.5 s of drawing
True
"""
from __future__ import annotations

import base64
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = [
    "Environment",
    "detect_environment",
    "OutputSlot",
    "RedrawBudget",
    "png_bundle",
    "figure_png",
    "enable_figure_display",
]

#: Front ends that render display updates live. ``"headless"`` is a kernel with
#: nobody watching as far as we can tell (nbval, nbclient, papermill, nbconvert).
LIVE_FRONTENDS = ("jupyter", "vscode", "colab")


@dataclass(frozen=True)
class Environment:
    """Where the code runs.

    ``kind`` is ``"kernel"`` (a Jupyter kernel: rich outputs), ``"ipython"``
    (terminal IPython) or ``"script"`` (plain ``python``). For a kernel,
    ``frontend`` is the best guess at who renders the outputs:

    * ``"jupyter"``: a Jupyter server started the kernel for a notebook
      (JupyterLab, Notebook 7, nbclassic); it sets ``JPY_SESSION_NAME``;
    * ``"vscode"``: Visual Studio Code (``VSCODE_PID``, or the notebook path
      VS Code puts in the user namespace);
    * ``"colab"``: Google Colab;
    * ``"headless"``: anything else, e.g. a notebook executed by nbval,
      nbclient, nbconvert or papermill (or a pytest run), where outputs are
      only saved. Intermediate updates are wasted there, and nbval ignores
      display *updates* altogether, so only final outputs should be sent.

    >>> Environment("kernel", "jupyter").live, Environment("kernel", "headless").live
    (True, False)
    >>> Environment("script").rich
    False
    """

    kind: str
    frontend: str | None = None

    @property
    def rich(self) -> bool:
        """True when images and HTML can be displayed inline (a Jupyter kernel)."""
        return self.kind == "kernel"

    @property
    def live(self) -> bool:
        """True when someone can watch an output being updated in place."""
        return self.kind == "kernel" and self.frontend in LIVE_FRONTENDS


def _ipython():
    """The running IPython shell, or None. Never imports IPython itself."""
    if "IPython" not in sys.modules:
        return None
    try:
        return sys.modules["IPython"].get_ipython()
    except Exception:  # pragma: no cover - a broken IPython install
        return None


def detect_environment() -> Environment:
    """Describe where this code runs; see :class:`Environment`.

    The front-end guess reads only environment variables and modules set
    before the kernel started, so it is cheap enough to call at every
    ``fit``. A kernel cannot see its front end directly; when the guess is
    wrong the worst outcome is a plot that appears at the end of training
    instead of growing during it.

    >>> detect_environment()  # doctests run in a plain interpreter
    Environment(kind='script', frontend=None)
    """
    shell = _ipython()
    if shell is None:
        return Environment("script")
    if getattr(shell, "kernel", None) is None:
        return Environment("ipython")
    environ = os.environ
    if "PYTEST_CURRENT_TEST" in environ:  # nbval or a test starting a kernel
        frontend = "headless"
    elif "google.colab" in sys.modules:
        frontend = "colab"
    elif "VSCODE_PID" in environ or "__vsc_ipynb_file__" in getattr(shell, "user_ns", {}):
        frontend = "vscode"
    elif environ.get("JPY_SESSION_NAME"):
        frontend = "jupyter"
    else:
        frontend = "headless"
    return Environment("kernel", frontend)


def png_bundle(png: bytes, text: str) -> dict:
    """A display bundle for a PNG image with its ``text/plain`` alternative.

    The text is what nbval compares and what a terminal shows, so make it
    deterministic (e.g. ``<Figure size 640x400 with 2 Axes>``).

    >>> bundle = png_bundle(b"\\x89PNG", "<Figure size 640x400 with 2 Axes>")
    >>> sorted(bundle), bundle["image/png"]
    (['image/png', 'text/plain'], 'iVBORw==')
    """
    return {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": text}


def figure_png(figure, *, compress_level: int = 6) -> bytes:
    """Draw a matplotlib figure (with or without pyplot) and return it as PNG bytes.

    >>> from matplotlib.figure import Figure
    >>> figure_png(Figure(figsize=(1, 1)))[:4]
    b'\\x89PNG'
    """
    from tfedu import _figures

    return _figures.png(figure, compress_level=compress_level)


def enable_figure_display() -> bool:
    """Let a bare matplotlib ``Figure`` show as an image when it ends a notebook cell.

    Jupyter shows figures through a formatter that matplotlib's inline
    backend registers only once ``matplotlib.pyplot`` is imported. tfedu
    draws on figures made without pyplot (so they are never shown twice nor
    kept alive by pyplot), so functions returning one call this first. In a
    kernel it registers a PNG formatter for ``Figure`` unless one exists and
    returns True; elsewhere it does nothing and returns False.

    >>> enable_figure_display()  # not in a kernel here
    False
    """
    shell = _ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return False
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters["image/png"]
    if formatter.for_type(Figure) is None:
        formatter.for_type(Figure, figure_png)
    return True


def _execution_count(shell) -> int | None:
    return getattr(shell, "execution_count", None)


class OutputSlot:
    """One output area that is replaced in place instead of growing.

    :meth:`show` displays a bundle (a dict of MIME type to data) the first
    time, then updates that same output, as long as the calls come from the
    same notebook cell; a call from a later cell starts a new output there.
    Outside a kernel it does nothing and returns False.

    >>> slot = OutputSlot()
    >>> slot.show({"text/plain": "epoch 1"})   # not in a kernel here
    False
    """

    def __init__(self):
        self._handle = None
        self._cell = None

    def show(self, bundle: dict) -> bool:
        """Display ``bundle``, replacing this slot's earlier output in the same cell."""
        shell = _ipython()
        if shell is None or getattr(shell, "kernel", None) is None:
            return False
        from IPython.display import display

        cell = _execution_count(shell)
        if self._handle is not None and cell == self._cell:
            self._handle.update(bundle, raw=True)
        else:
            self._handle = display(bundle, raw=True, display_id=True)
            self._cell = cell
        return True

    def forget(self) -> None:
        """Make the next :meth:`show` start a new output."""
        self._handle = None
        self._cell = None


class RedrawBudget:
    """Allow redraws only while drawing costs under ``fraction`` of the rest.

    Call :meth:`start` when the work begins, ask :meth:`allows` with the
    predicted cost of a redraw (and of any drawing you must still do at the
    end), and wrap each redraw in :meth:`timed`. With ``fraction=0.05`` a
    10-second fit pays for at most half a second of drawing, spread over the
    fit: redraws are frequent when they are cheap and rare when they are not.
    ``fraction=float("inf")`` allows every redraw, ``0`` none.

    With ``first_free=True`` the first redraw after :meth:`start` is allowed
    whatever it costs, so that a live view appears at once instead of after
    seconds of work; its time still counts, so later redraws wait until the
    budget has paid for it. ``clock`` (seconds, ``time.perf_counter`` by
    default) can be replaced, e.g. by a test.

    >>> ticks = iter([0.0, 1.0, 1.0, 1.3, 2.0, 9.0])
    >>> budget = RedrawBudget(0.1, clock=ticks.__next__)
    >>> budget.start()                      # t = 0
    >>> budget.allows(0.05)                 # t = 1: 0.05 <= 0.1 * 1
    True
    >>> with budget.timed():                # drawing from t = 1 to t = 1.3
    ...     pass
    >>> round(budget.spent, 2), budget.draws
    (0.3, 1)
    >>> budget.allows(0.05)                 # t = 2: 0.35 > 0.1 * (2 - 0.3)
    False
    >>> budget.allows(0.05)                 # t = 9: 0.35 <= 0.1 * (9 - 0.3)
    True
    >>> eager = RedrawBudget(0.1, clock=iter([0.0, 0.01, 0.5, 0.6]).__next__, first_free=True)
    >>> eager.start()                       # t = 0
    >>> eager.allows(0.2)                   # nothing drawn yet: the first frame is free
    True
    >>> with eager.timed():                 # drawing from t = 0.01 to t = 0.5
    ...     pass
    >>> eager.allows(0.2)                   # t = 0.6: the budget applies again
    False
    """

    def __init__(self, fraction: float = 0.05, *, clock=time.perf_counter, first_free: bool = False):
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not fraction >= 0:
            raise ValueError(
                f"The redraw budget must be a fraction >= 0 of the training time (0.05 means 5%), "
                f"got {fraction!r}."
            )
        self.fraction = float(fraction)
        self.clock = clock
        self.first_free = bool(first_free)
        self._started = None
        self.spent = 0.0
        self.draws = 0

    def start(self) -> None:
        """Start counting: no time spent yet."""
        self._started = self.clock()
        self.spent = 0.0
        self.draws = 0

    @property
    def work_time(self) -> float:
        """Seconds since :meth:`start` not spent drawing."""
        if self._started is None:
            return 0.0
        return max(self.clock() - self._started - self.spent, 0.0)

    def allows(self, cost: float, reserve: float = 0.0) -> bool:
        """Whether drawing for ``cost`` seconds now, and ``reserve`` later, stays in budget."""
        if self.fraction == float("inf"):
            return True
        if self.first_free and self.draws == 0 and self.fraction > 0:
            return True
        return self.spent + cost + reserve <= self.fraction * self.work_time

    @contextmanager
    def timed(self):
        """Count the time spent in the ``with`` block as drawing."""
        begin = self.clock()
        try:
            yield
        finally:
            self.spent += self.clock() - begin
            self.draws += 1
