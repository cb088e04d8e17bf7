"""tfedu: helpers for an interactive TensorFlow 2 / Keras 3 course.

``import tfedu`` is cheap: it does not import TensorFlow. The first lesson cell
calls :func:`setup`, which imports TensorFlow quietly, seeds every random
number generator and switches on deterministic ops, so that "Restart & Run
All" gives the same numbers every time.

Helper modules (``tfedu.data`` and the others) are imported on first use, so
``tfedu.data.load_digits()`` works right after ``import tfedu``.
"""
from __future__ import annotations

import importlib
import os
import platform
from dataclasses import dataclass

from . import _runtime

__version__ = "0.1.0"

# Public helper modules, imported on first attribute access so they cost nothing until a
# lesson uses them. Listed by hand: a stray file in the folder never becomes public API
# (tests/test_project.py checks the list against the files).
_SUBMODULES = (
    "activations", "callbacks", "data", "descent", "exercises", "gradcheck", "losses", "metrics",
    "optimizers", "playground", "tape", "tensors",
)

__all__ = ["setup", "require", "SetupInfo", "__version__", *_SUBMODULES]

DEFAULT_SEED = 42


@dataclass(frozen=True)
class SetupInfo:
    """What :func:`setup` configured, shown as a short deterministic summary.

    ``threads`` (TensorFlow's intra-op pool) and ``threads_source`` depend on
    the machine, so the printout leaves them out.

    >>> info = SetupInfo(seed=1, tfedu="0.1.0", tensorflow="2.21.0", keras="3.15.1",
    ...                  numpy="2.4.6", python="3.11", devices=("CPU",), op_determinism=True)
    >>> print(info)
    tfedu 0.1.0 | TensorFlow 2.21.0 | Keras 3.15.1 | NumPy 2.4.6 | Python 3.11
    seed 1 | op determinism on | devices: CPU
    """

    seed: int
    tfedu: str
    tensorflow: str
    keras: str
    numpy: str
    python: str
    devices: tuple
    op_determinism: bool
    threads: int | None = None
    threads_source: str = ""
    language: str = "en"

    @property
    def has_gpu(self) -> bool:
        return any(d.startswith("GPU") for d in self.devices)

    def __str__(self) -> str:
        determinism = "on" if self.op_determinism else "off"
        return (
            f"tfedu {self.tfedu} | TensorFlow {self.tensorflow} | Keras {self.keras}"
            f" | NumPy {self.numpy} | Python {self.python}\n"
            f"seed {self.seed} | op determinism {determinism}"
            f" | devices: {', '.join(self.devices)}"
            + (f" | language {self.language}" if self.language != "en" else "")
        )

    __repr__ = __str__


# Kept under their old names for code written against tfedu 0.1.
_NativeStderrFilter = _runtime.NativeStderrFilter
_import_tensorflow_quietly = _runtime.import_tensorflow_quietly


def _lesson_plot_style():
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.autolayout": False,
            "figure.constrained_layout.use": True,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": "medium",
            "font.size": 10,
            "legend.frameon": False,
            "image.cmap": "viridis",
        }
    )


#: The versions the lessons were written and tested with (``requirements.txt`` pins them).
TESTED_WITH = {"tensorflow": "2.21", "keras": "3.15"}
_FIX = ("From the course folder, run `python3 course.py setup` (it installs the pinned versions into .venv) and "
        "open the course with `python3 course.py lab`; on a JupyterHub, ask your teacher to update the image.")


def _major_minor(version: str) -> tuple:
    parts = []
    for piece in str(version).split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts + [0] * (2 - len(parts)))


def require(version: str) -> None:
    """Stop with a clear message if this environment is not the one the lessons expect.

    ``version`` is the tfedu version a lesson was written for (``"0.1"``): an older or newer
    tfedu raises ``RuntimeError`` naming the command that fixes it. TensorFlow and Keras other
    than the tested versions (:data:`TESTED_WITH`) only warn: most lessons still run, but some
    printed numbers may differ. Reads version strings only: it does not import TensorFlow.

    >>> require(__version__)
    >>> require("9.0")
    Traceback (most recent call last):
    ...
    RuntimeError: These lessons need tfedu 9.0, but this environment has tfedu 0.1.0. From the course folder, \
run `python3 course.py setup` (it installs the pinned versions into .venv) and open the course with \
`python3 course.py lab`; on a JupyterHub, ask your teacher to update the image.
    """
    import warnings
    from importlib import metadata

    if not isinstance(version, str) or not version.replace(".", "").isdigit():
        raise ValueError(f"require() takes a version string such as '0.1', got {version!r}.")
    if _major_minor(version) != _major_minor(__version__):
        raise RuntimeError(f"These lessons need tfedu {version}, but this environment has tfedu {__version__}. {_FIX}")
    for package, tested in TESTED_WITH.items():
        try:
            installed = metadata.version(package)
        except metadata.PackageNotFoundError:
            if package == "tensorflow":
                try:
                    installed = metadata.version("tensorflow-cpu")
                except metadata.PackageNotFoundError:
                    raise RuntimeError(f"TensorFlow is not installed in this environment. {_FIX}") from None
            else:
                raise RuntimeError(f"{package} is not installed in this environment. {_FIX}") from None
        if _major_minor(installed) != _major_minor(tested):
            warnings.warn(f"The lessons were tested with {package} {tested}; this environment has {installed}. "
                          f"Most cells still run, but some printed numbers may differ. {_FIX}", RuntimeWarning,
                          stacklevel=2)


def setup(seed: int = DEFAULT_SEED, *, deterministic: bool = True, quiet: bool = True,
          plot_style: bool = True, threads: int | None = None, language: str | None = None) -> SetupInfo:
    """Prepare a lesson: import TensorFlow, seed everything, make results repeatable.

    Call it once at the top of every lesson (calling it again is harmless and
    re-seeds). It changes global state, which is the point; everything it does:

    * imports TensorFlow. If ``quiet``, first sets ``TF_CPP_MIN_LOG_LEVEL=3``
      (unless you set it yourself): TensorFlow's C++ runtime then logs only
      fatal problems, while every error still reaches Python as an exception
      with its message. Without it, the runtime prints timestamped notices into
      cell outputs, e.g. once per new tf.data pipeline under op determinism
      (TensorFlow 2.21 with Keras 3.15). The start-up lines about CUDA and CPU
      instructions, which ignore that setting, are filtered out while importing;
      any other native message is kept;
    * sizes TensorFlow's thread pools (intra-op and inter-op) to the CPUs this
      process may use: its CPU affinity, lowered by a cgroup CPU quota (a
      JupyterHub or Binder pod limited to 2 CPUs on a 64-core node gets 2
      threads, not 64). ``threads=N`` chooses instead; ``TF_NUM_INTRAOP_THREADS``
      and ``TF_NUM_INTEROP_THREADS`` in the environment win over both. The
      pools can only be sized before TensorFlow first runs, so call ``setup()``
      first (again later is harmless); ``SetupInfo.threads`` tells what was set;
    * ``keras.backend.clear_session()``: Keras's automatic layer and model names
      start again (``dense``, ``dense_1``...), so summaries repeat run after run;
    * ``keras.utils.set_random_seed(seed)``: seeds Python's ``random``,
      NumPy's global generator and TensorFlow;
    * if ``deterministic``, ``tf.config.experimental.enable_op_determinism()``:
      ops give identical results run after run (some are slower, and a few
      have no deterministic kernel and raise instead); ``deterministic=False``
      switches it off again;
    * if ``quiet``, sets TensorFlow's Python logger to ``ERROR``;
    * if ``plot_style``, sets matplotlib ``rcParams`` for readable lesson plots;
    * ``language="zh"`` (the Chinese lessons) or ``"en"`` chooses the language of the words
      students read in tfedu's outputs: exercise verdicts, hints, the progress table, the
      words in ``LivePlot`` and Playground pictures (:mod:`tfedu._i18n`). ``"zh"`` also adds a
      font with Chinese characters to matplotlib (Noto Sans CJK SC, installed with the course
      environment), used for every character DejaVu Sans lacks (and quiets matplotlib's
      notice that the font has no bold weight). ``None`` (the default) keeps
      the language chosen before, so later ``setup()`` calls in a Chinese lesson stay Chinese.

    Returns a :class:`SetupInfo` whose printout names the versions and devices.

    >>> import tfedu
    >>> info = tfedu.setup(seed=7)
    >>> info.seed, info.op_determinism
    (7, True)
    >>> import numpy as np
    >>> first = np.random.rand()
    >>> _ = tfedu.setup(seed=7)
    >>> np.random.rand() == first
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} {seed!r}; "
                        "for example tfedu.setup(seed=42).")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be between 0 and 2**32 - 1, got {seed}.")
    if threads is not None:
        from ._validate import count

        threads = count(threads, "threads", example=2)
    from . import _i18n

    chosen = _i18n.set_language(language) if language is not None else _i18n.language()
    settings = {}

    def size_threads(tf):
        settings["threads"] = _runtime.configure_threads(tf, threads)

    if quiet:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        tf = _runtime.import_tensorflow_quietly(before_devices=size_threads)
        tf.get_logger().setLevel("ERROR")
    else:
        import tensorflow as tf

        size_threads(tf)
    import keras
    import numpy as np

    _runtime.set_op_determinism(tf, deterministic)
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    if plot_style:
        _lesson_plot_style()
    if chosen == "zh" and _i18n.use_cjk_font() is None:
        import warnings

        warnings.warn("No font with Chinese characters was found, so Chinese text in plots shows as boxes. "
                      "Install the course environment again (python3 course.py setup installs mplfonts) or a "
                      "system font such as Debian's fonts-noto-cjk.", stacklevel=2)

    devices = []
    for kind in ("CPU", "GPU", "TPU"):
        found = tf.config.list_physical_devices(kind)
        if found:
            devices.append(kind if len(found) == 1 else f"{kind} x{len(found)}")
    return SetupInfo(
        seed=seed,
        tfedu=__version__,
        tensorflow=tf.__version__,
        keras=keras.__version__,
        numpy=np.__version__,
        python=".".join(platform.python_version_tuple()[:2]),
        devices=tuple(devices),
        op_determinism=_runtime.op_determinism_enabled(deterministic),
        threads=settings["threads"].intra_op,
        threads_source=settings["threads"].source,
        language=chosen,
    )


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'tfedu' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
