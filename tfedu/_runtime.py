"""The TensorFlow runtime as a lesson needs it: a quiet import and thread pools sized to the CPUs we may use.

Nothing here runs at import time; :func:`tfedu.setup` calls it.

* :class:`NativeStderrFilter` and :func:`import_tensorflow_quietly`: TensorFlow's
  C++ runtime writes start-up lines (CUDA stubs, CPU instruction notices) straight
  to file descriptor 2, which Jupyter forwards into cell outputs; they are dropped,
  anything else is passed on.
* :func:`available_cpus`: how many CPUs this process may really use. TensorFlow
  sizes its thread pools from the CPUs it can be scheduled on, but a JupyterHub or
  Binder pod is usually limited by a cgroup CPU *quota* (say 1 CPU on a 64-core
  node), which that count ignores: dozens of threads then fight over one CPU and
  every kernel crawls. The quota is read from cgroup v2 (``cpu.max``) or v1
  (``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``).
"""
from __future__ import annotations

import contextlib
import math
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NativeStderrFilter", "import_tensorflow_quietly", "available_cpus", "CpuBudget",
           "configure_threads", "ThreadSetting", "quiet_tf_logs", "set_op_determinism", "op_determinism_enabled"]

# Lines TensorFlow's C++ runtime writes to the process's stderr while it loads
# and when it first looks for devices. They say nothing a student can act on
# (no GPU here, which CPU instructions the wheel was built for), and they would
# land in notebook outputs. Anything else is kept.
STARTUP_NOISE = (
    "All log messages before absl::InitializeLog() is called",
    "cudart_stub.cc",
    "cpu_feature_guard.cc",
    "To enable the following instructions",
    "cuda_platform.cc",
    "cuda_executor.cc",
    "cuda_dnn.cc",
    "cuda_fft.cc",
    "cuda_blas.cc",
    "Unable to register cu",
    "computation_placer.cc",
    "TF-TRT Warning",
    "oneDNN custom operations are on",
    "port.cc",
)

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_SELF_CGROUP = Path("/proc/self/cgroup")


def is_startup_noise(line: str) -> bool:
    return any(marker in line for marker in STARTUP_NOISE)


class NativeStderrFilter:
    """Capture what C++ code writes to file descriptor 2, then pass on all but known noise.

    Python-level ``sys.stderr`` is not enough: TensorFlow's runtime writes
    straight to the descriptor, which Jupyter kernels forward into outputs.
    """

    def __enter__(self):
        sys.stderr.flush()
        self._saved = os.dup(2)
        self._buffer = tempfile.TemporaryFile(mode="w+b")
        os.dup2(self._buffer.fileno(), 2)
        return self

    def __exit__(self, *exc):
        try:
            sys.stderr.flush()
        finally:
            os.dup2(self._saved, 2)
            os.close(self._saved)
        self._buffer.seek(0)
        text = self._buffer.read().decode("utf-8", errors="replace")
        self._buffer.close()
        kept = [line for line in text.splitlines() if line.strip() and not is_startup_noise(line)]
        if kept:
            print("\n".join(kept), file=sys.stderr)
        return False


def import_tensorflow_quietly(before_devices=None):
    """Import TensorFlow with its start-up noise filtered out; change no setting.

    ``before_devices(tf)``, if given, runs after the import and before TensorFlow
    creates its devices (the last moment its thread pools can be sized).
    """
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        if before_devices is not None:
            before_devices(tf)
        return tf
    try:
        with NativeStderrFilter():
            import tensorflow as tf

            if before_devices is not None:
                before_devices(tf)
            tf.config.list_logical_devices()  # device creation logs here, once
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "TensorFlow is not installed in this Python environment "
            f"({sys.executable}). Start the course with `python3 course.py lab`, "
            "which installs the pinned requirements, or run "
            "`pip install -r requirements.txt`."
        ) from error
    return tf


@dataclass(frozen=True)
class CpuBudget:
    """How many CPUs this process may use, and what limits it (``"affinity"`` or ``"cgroup quota"``)."""

    cpus: int
    affinity: int
    quota: float | None
    limited_by: str


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None


def _own_cgroup_paths(proc_self_cgroup: Path) -> dict:
    """Map controller names ('' for cgroup v2) to this process's cgroup path."""
    paths = {}
    for line in (_read(proc_self_cgroup) or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            for controller in parts[1].split(","):
                paths[controller] = parts[2]
    return paths


def _candidate_dirs(root: Path, relative: str | None) -> list:
    """The cgroup folder of this process and its parents up to the mount point."""
    dirs = [root]
    if relative and relative != "/":
        here = root / relative.lstrip("/")
        while here != root and root in here.parents:
            dirs.append(here)
            here = here.parent
    return dirs


def _quota_v2(root: Path, relative: str | None):
    quotas = []
    for folder in _candidate_dirs(root, relative):
        text = _read(folder / "cpu.max")
        if not text:
            continue
        fields = text.split()
        if len(fields) == 2 and fields[0] != "max":
            try:
                quota, period = float(fields[0]), float(fields[1])
            except ValueError:
                continue
            if quota > 0 and period > 0:
                quotas.append(quota / period)
    return min(quotas) if quotas else None


def _quota_v1(root: Path, relative: str | None):
    quotas = []
    for mount in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        base = root / mount
        if not base.is_dir():
            continue
        for folder in _candidate_dirs(base, relative):
            quota_text, period_text = _read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us")
            try:
                quota, period = float(quota_text), float(period_text)
            except (TypeError, ValueError):
                continue
            if quota > 0 and period > 0:  # -1 means no limit
                quotas.append(quota / period)
    return min(quotas) if quotas else None


def available_cpus(*, cgroup_root: Path | None = None, proc_self_cgroup: Path | None = None,
                   affinity: int | None = None) -> CpuBudget:
    """The CPUs this process may use: its CPU affinity, lowered by a cgroup CPU quota.

    A quota of 1.5 CPUs gives 2 threads (rounded up: the last thread just runs
    part of the time), never fewer than 1.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "cpu.max").write_text("150000 100000\\n")
    >>> available_cpus(cgroup_root=root, proc_self_cgroup=root / "none", affinity=64)
    CpuBudget(cpus=2, affinity=64, quota=1.5, limited_by='cgroup quota')
    """
    root = CGROUP_ROOT if cgroup_root is None else Path(cgroup_root)
    own = _own_cgroup_paths(PROC_SELF_CGROUP if proc_self_cgroup is None else Path(proc_self_cgroup))
    if affinity is None:
        if hasattr(os, "sched_getaffinity"):
            affinity = len(os.sched_getaffinity(0))
        else:  # pragma: no cover - macOS, Windows
            affinity = os.cpu_count() or 1
    quota_v2 = _quota_v2(root, own.get(""))
    quota_v1 = _quota_v1(root, own.get("cpu"))
    quotas = [q for q in (quota_v2, quota_v1) if q is not None]
    quota = min(quotas) if quotas else None
    if quota is not None and math.ceil(quota) < affinity:
        return CpuBudget(max(1, math.ceil(quota)), affinity, quota, "cgroup quota")
    return CpuBudget(max(1, affinity), affinity, quota, "affinity")


@dataclass(frozen=True)
class ThreadSetting:
    """The thread pools :func:`configure_threads` asked TensorFlow for, and why."""

    intra_op: int
    inter_op: int
    source: str

    def __str__(self) -> str:
        return f"{self.intra_op} intra-op / {self.inter_op} inter-op threads ({self.source})"


def _env_threads(name: str):
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def configure_threads(tf, threads: int | None = None) -> ThreadSetting:
    """Size TensorFlow's intra-op and inter-op pools to the CPUs available (or to ``threads``).

    ``TF_NUM_INTRAOP_THREADS`` / ``TF_NUM_INTEROP_THREADS`` set in the
    environment win: TensorFlow reads them itself. Setting the same numbers
    again is harmless. If TensorFlow already started its runtime with larger
    pools (something ran TensorFlow before ``tfedu.setup()``), the pools can no
    longer change: a warning says so and what to do.
    """
    budget = available_cpus()
    wanted = budget.cpus if threads is None else threads
    source = "threads=" + str(threads) if threads is not None else (
        f"CPU quota {budget.quota:g}" if budget.limited_by == "cgroup quota" else "CPU affinity")
    intra_env, inter_env = _env_threads("TF_NUM_INTRAOP_THREADS"), _env_threads("TF_NUM_INTEROP_THREADS")
    intra = intra_env if intra_env and threads is None else wanted
    inter = inter_env if inter_env and threads is None else wanted
    if intra_env and threads is None:
        source = "TF_NUM_INTRAOP_THREADS"
    problems = []
    for label, value, from_env, setter, getter in (
        ("intra-op", intra, intra_env and threads is None, tf.config.threading.set_intra_op_parallelism_threads,
         tf.config.threading.get_intra_op_parallelism_threads),
        ("inter-op", inter, inter_env and threads is None, tf.config.threading.set_inter_op_parallelism_threads,
         tf.config.threading.get_inter_op_parallelism_threads),
    ):
        if from_env:
            continue  # TensorFlow sizes this pool from the variable itself
        try:
            setter(value)
        except RuntimeError:
            current = getter()
            # 0 means TensorFlow chose by itself: as many threads as CPUs it may be scheduled on.
            effective = current or budget.affinity
            if effective > value:
                problems.append(f"{label} {effective}")
    if problems:
        import warnings

        warnings.warn(
            f"TensorFlow started before tfedu.setup() and already uses {', '.join(problems)} threads, more than "
            f"the {wanted} CPU(s) this process may use ({source}); training may be slow. Restart the kernel "
            "and call tfedu.setup() before any other TensorFlow code.",
            RuntimeWarning, stacklevel=3)
    return ThreadSetting(intra, inter, source)


@contextlib.contextmanager
def quiet_tf_logs():
    """Hide TensorFlow's Python warnings for the duration: for tfedu's own tracing machinery.

    AutoGraph's "could not transform" and "triggered tf.function retracing"
    warnings raised while tfedu traces a student's function (or compiles one
    optimizer loop per optimizer) are about that machinery, not the student's
    code. The logger's level is restored afterwards.
    """
    import logging

    import tensorflow as tf

    logger = tf.get_logger()
    level = logger.level
    if level < logging.ERROR:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


# TensorFlow switches op determinism on with tf.config.experimental.enable_op_determinism() but
# has no public way to switch it off or to ask whether it is on; the module behind that public
# function has both. This is the one place tfedu touches a private TensorFlow module
# (tests/test_architecture.py checks), and it degrades to the public call if the names move.
def _determinism_module():
    try:
        from tensorflow.python.framework import config as tf_config
    except ImportError:  # pragma: no cover - a TensorFlow that moved it
        return None
    return tf_config


def set_op_determinism(tf, enabled: bool) -> None:
    """Switch TensorFlow's op determinism on (public API) or off (where TensorFlow allows it)."""
    if enabled:
        tf.config.experimental.enable_op_determinism()
        return
    module = _determinism_module()
    if module is not None and hasattr(module, "disable_op_determinism"):
        module.disable_op_determinism()


def op_determinism_enabled(requested: bool) -> bool:
    """Whether op determinism is on (``requested`` if TensorFlow cannot tell)."""
    module = _determinism_module()
    if module is None or not hasattr(module, "is_op_determinism_enabled"):
        return requested
    return bool(module.is_op_determinism_enabled())
