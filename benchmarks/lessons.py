"""Run every lesson top to bottom in a fresh kernel and report its time and peak kernel memory.

Targets: each lesson, English and Chinese, under 30 s on a 2-core CPU (a student on Binder
waits for every "Restart & Run All") and its kernel under 1.0 GB, well inside the ~2 GB of a
Binder session.

    .venv/bin/python benchmarks/lessons.py                       # every lesson, both editions
    .venv/bin/python benchmarks/lessons.py lessons/05_*.ipynb
    .venv/bin/python benchmarks/lessons.py --cells 5 lessons/13_callbacks.ipynb   # where the time goes

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
TIME_LIMIT_S = 30.0
MEMORY_LIMIT_MB = 1024.0

# Each code cell's time comes from the kernel's own timestamps (nbclient records when the
# cell's execution started and when its reply came), printed as "index seconds first-line".
RUNNER = r"""
import sys, nbformat
from datetime import datetime
from nbclient import NotebookClient
path = sys.argv[1]
notebook = nbformat.read(path, as_version=4)
NotebookClient(notebook, timeout=600, kernel_name="python3", record_timing=True,
               resources={"metadata": {"path": sys.argv[2]}}).execute()
for index, cell in enumerate(notebook.cells):
    timing = cell.get("metadata", {}).get("execution", {})
    if cell.cell_type == "code" and "iopub.execute_input" in timing:
        seconds = (datetime.fromisoformat(timing["shell.execute_reply"].rstrip("Z"))
                   - datetime.fromisoformat(timing["iopub.execute_input"].rstrip("Z"))).total_seconds()
        first = next((line for line in cell.source.splitlines() if line.strip()), "")
        print(index, round(seconds, 3), first[:60])
"""


def kernel_processes(parent):
    try:
        return [p for p in parent.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    except psutil.Error:
        return []


def measure(path: Path):
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", RUNNER, str(path), str(path.parent)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
    cells = []
    for line in process.stdout.read().splitlines():
        index, cell_seconds, first = (line.split(" ", 2) + [""])[:3]
        cells.append((float(cell_seconds), int(index), first))
    return seconds, peak / 2**20, ok, (error.strip().splitlines() or [""])[-1], cells


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*",
                        help="notebooks to run (default: lessons/*.ipynb and lessons/zh/*.ipynb)")
    parser.add_argument("--cells", type=int, default=0, metavar="N",
                        help="also print each lesson's N slowest code cells")
    args = parser.parse_args()
    paths = [Path(p).resolve() for p in args.lessons] or (
        sorted((ROOT / "lessons").glob("*.ipynb")) + sorted((ROOT / "lessons" / "zh").glob("*.ipynb")))
    print(f"{'lesson':32} {'time s':>7} {'peak MB':>8} {'of 30 s':>8} {'of 1 GB':>10}  result")
    worst_time = worst_memory = 0.0
    failures = 0
    for path in paths:
        seconds, peak_mb, ok, last_error, cells = measure(path)
        worst_time, worst_memory = max(worst_time, seconds), max(worst_memory, peak_mb)
        within = seconds <= TIME_LIMIT_S and peak_mb <= MEMORY_LIMIT_MB
        result = "ok" if ok and within else ("FAILED: " + last_error if not ok else "OVER TARGET")
        failures += result != "ok"
        name = path.name if path.parent.name != "zh" else f"zh/{path.name}"
        print(f"{name:32} {seconds:7.1f} {peak_mb:8.0f} {seconds / TIME_LIMIT_S:8.2f} "
              f"{peak_mb / MEMORY_LIMIT_MB:10.2f}  {result}", flush=True)
        for cell_seconds, index, first in sorted(cells, reverse=True)[:args.cells]:
            print(f"    cell {index:3d} {cell_seconds:6.2f} s  {first}", flush=True)
    print(f"slowest {worst_time:.1f} s ({worst_time / TIME_LIMIT_S:.2f} of the limit), "
          f"largest kernel {worst_memory:.0f} MB ({worst_memory / MEMORY_LIMIT_MB:.2f} of the limit)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
