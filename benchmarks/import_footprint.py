"""What importing costs: time and peak memory of `import tfedu`, `tfedu.setup()` and TensorFlow.

Each measurement runs in a fresh interpreter (as a new kernel would), in
interleaved rounds (every step once per round), and the median is printed, with
the median paired ratio of `tfedu.setup()` to TensorFlow's own import against its
target (at most 1.10x). Pass other interpreters to compare them side
by side in one run, e.g. an environment with tensorflow-cpu against one with
tensorflow (this is how the Binder pin was chosen):

    .venv/bin/python benchmarks/import_footprint.py --python /tmp/venv-cpu/bin/python

Ratios are relative to the first interpreter.
"""
import argparse
import json
import statistics
import subprocess
import sys

PROBE = r"""
import json, resource, sys, time
start = time.perf_counter()
exec(sys.argv[1])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

SETUP_TARGET = 1.10   # tfedu.setup() may add at most 10% to TensorFlow's own import

STEPS = {
    "import tfedu": "import tfedu",
    "tfedu.setup()": "import tfedu; tfedu.setup()",
    "import tensorflow + first op": "import tensorflow as tf; tf.constant(1.0) + 1",
}


def probe(python, code):
    out = subprocess.run([python, "-c", PROBE, code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", action="append", default=[], help="another interpreter to compare")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    pythons = [sys.executable, *args.python]
    # Interleaved rounds: each round runs every step in every interpreter once, so a drift of the
    # machine (caches warming, another process) lands on all of them alike.
    runs = {(name, python): [] for name in STEPS for python in pythons}
    missing = set()
    for _ in range(args.repeats):
        for name, code in STEPS.items():
            for python in pythons:
                if (name, python) in missing:
                    continue
                try:
                    runs[name, python].append(probe(python, code))
                except subprocess.CalledProcessError:
                    missing.add((name, python))
    print(f"{'step':32} {'interpreter':45} {'time s':>7} {'peak MB':>8} {'time x':>7} {'mem x':>6}")
    for name in STEPS:
        base = None
        for python in pythons:
            if (name, python) in missing:
                print(f"{name:32} {python:45} {'(not installed there)':>30}")
                continue
            seconds = statistics.median(r["seconds"] for r in runs[name, python])
            peak = statistics.median(r["peak_mb"] for r in runs[name, python])
            base = base or (seconds, peak)
            print(f"{name:32} {python:45} {seconds:7.2f} {peak:8.0f} {seconds / base[0]:7.2f} {peak / base[1]:6.2f}")
    for python in pythons:
        setup, own = runs["tfedu.setup()", python], runs["import tensorflow + first op", python]
        if setup and own:
            paired = statistics.median(a["seconds"] / b["seconds"] for a, b in zip(setup, own))
            verdict = "OK" if paired <= SETUP_TARGET else "MISSED"
            print(f"tfedu.setup() / TensorFlow's own import, median of {len(setup)} paired rounds ({python}): "
                  f"{paired:.2f}x (target <= {SETUP_TARGET:.2f}x) -> {verdict}")


if __name__ == "__main__":
    main()
