"""Run every lesson top to bottom in a fresh kernel and report its time and peak kernel memory.

Targets (from the course's design): each lesson under 60 s on a 2-core CPU and its kernel
under 1.5 GB, well inside the ~2 GB of a Binder session.

    .venv/bin/python benchmarks/lessons.py                 # every lesson
    .venv/bin/python benchmarks/lessons.py lessons/05_*.ipynb

Each lesson is executed by nbclient in a child process (as `course.py execute` does, but
without saving); a sampler polls the resident memory (RSS) of the kernel process every
50 ms. Time includes starting the kernel and importing TensorFlow, as a student's
"Restart & Run All" does. Nothing is written to the lessons.
"""
import argparse
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT_S = 60.0
MEMORY_LIMIT_MB = 1536.0

RUNNER = r"""
import sys, nbformat
from nbclient import NotebookClient
path = sys.argv[1]
notebook = nbformat.read(path, as_version=4)
NotebookClient(notebook, timeout=600, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
"""


def kernel_processes(parent):
    try:
        return [p for p in parent.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    except psutil.Error:
        return []


def measure(path: Path):
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", RUNNER, str(path), str(path.parent)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        for kernel in kernel_processes(parent):
            try:
                peak = max(peak, kernel.memory_info().rss)
            except psutil.Error:
                pass
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    error = process.stderr.read()
    ok = process.returncode == 0
    return seconds, peak / 2**20, ok, (error.strip().splitlines() or [""])[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", help="notebooks to run (default: lessons/*.ipynb)")
    args = parser.parse_args()
    paths = [Path(p).resolve() for p in args.lessons] or sorted((ROOT / "lessons").glob("*.ipynb"))
    print(f"{'lesson':32} {'time s':>7} {'peak MB':>8} {'of 60 s':>8} {'of 1.5 GB':>10}  result")
    worst_time = worst_memory = 0.0
    failures = 0
    for path in paths:
        seconds, peak_mb, ok, last_error = measure(path)
        worst_time, worst_memory = max(worst_time, seconds), max(worst_memory, peak_mb)
        within = seconds <= TIME_LIMIT_S and peak_mb <= MEMORY_LIMIT_MB
        result = "ok" if ok and within else ("FAILED: " + last_error if not ok else "OVER TARGET")
        failures += result != "ok"
        print(f"{path.name:32} {seconds:7.1f} {peak_mb:8.0f} {seconds / TIME_LIMIT_S:8.2f} "
              f"{peak_mb / MEMORY_LIMIT_MB:10.2f}  {result}", flush=True)
    print(f"slowest {worst_time:.1f} s ({worst_time / TIME_LIMIT_S:.2f} of the limit), "
          f"largest kernel {worst_memory:.0f} MB ({worst_memory / MEMORY_LIMIT_MB:.2f} of the limit)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
