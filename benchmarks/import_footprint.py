"""What importing costs: time and peak memory of `import tfedu`, `tfedu.setup()` and TensorFlow.

Each measurement runs in a fresh interpreter (as a new kernel would), several
times, and the median is printed. Pass other interpreters to compare them side
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

STEPS = {
    "import tfedu": "import tfedu",
    "tfedu.setup()": "import tfedu; tfedu.setup()",
    "import tensorflow + first op": "import tensorflow as tf; tf.constant(1.0) + 1",
}


def measure(python, code, repeats):
    runs = []
    for _ in range(repeats):
        out = subprocess.run([python, "-c", PROBE, code], capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return (statistics.median(r["seconds"] for r in runs), statistics.median(r["peak_mb"] for r in runs))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", action="append", default=[], help="another interpreter to compare")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    pythons = [sys.executable, *args.python]
    print(f"{'step':32} {'interpreter':45} {'time s':>7} {'peak MB':>8} {'time x':>7} {'mem x':>6}")
    for name, code in STEPS.items():
        base = None
        for python in pythons:
            try:
                seconds, peak = measure(python, code, args.repeats)
            except subprocess.CalledProcessError:
                print(f"{name:32} {python:45} {'(not installed there)':>30}")
                continue
            base = base or (seconds, peak)
            print(f"{name:32} {python:45} {seconds:7.2f} {peak:8.0f} {seconds / base[0]:7.2f} {peak / base[1]:6.2f}")


if __name__ == "__main__":
    main()
