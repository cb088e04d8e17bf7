"""How fast the activation, loss and optimizer explorers answer a slider, timed in a Jupyter kernel.

Each explorer (``activation_explorer``, ``loss_explorer``, the optimizer race
widget) is created in one Jupyter kernel started through nbclient (as nbval and
``course.py execute`` do) and displayed, so every update also sends its new
PNG over the widget comm, as in JupyterLab. Then a script moves its controls
the way a student does: every slider swept in small steps, every toggle and
check-box flipped, a few big jumps (x-range, surface, steps). Each change is
one ``control.value = v`` assignment, timed around the assignment: it covers
the compute step, the redraw, the PNG and the comm message.

A first, untimed pass over the same script warms up what happens once per
kernel (imports, fonts, the optimizer race's compiled loops for every
surface); the timed pass then runs on fresh explorers.

Printed per explorer: the number of updates, the median, 90th percentile and
maximum update time, the median per control, and how many matplotlib figures
were created per update (counted by wrapping ``Figure.__init__``; the target
is 0: explorers redraw one figure in place) and whether pyplot's figure list
changed. Target: median update <= 100 ms.

    .venv/bin/python benchmarks/explorer_response.py            # in a Jupyter kernel
    .venv/bin/python benchmarks/explorer_response.py --in-process  # plain Python, no comm
"""
import argparse
import json
import os
import sys
import textwrap
import time

TARGET_MS = 100.0

KERNEL_CODE = r'''
import json, statistics, time
import numpy as np
import tfedu
_ = tfedu.setup()
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from tfedu import activations, losses, optimizers

_created = [0]
_figure_init = Figure.__init__

def _counting_init(self, *args, **kwargs):
    _created[0] += 1
    _figure_init(self, *args, **kwargs)

Figure.__init__ = _counting_init


def sweep(label, control, values):
    return [(label, control, value) for value in values]


def activation_script(e):
    return (sweep("activations", e.activations, [("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu")])
            + sweep("leaky_relu slope", e.negative_slope, np.round(np.arange(0.21, 0.41, 0.01), 2))
            + sweep("elu alpha", e.alpha, np.round(np.arange(1.1, 2.1, 0.1), 1))
            + sweep("gelu approximate", e.approximate, [True, False])
            + sweep("x range", e.x_range, [(-6.0, 6.0), (-8.0, 4.0), (-3.0, 3.0), (-5.0, 5.0)])
            + sweep("activations", e.activations, [("sigmoid", "tanh"), ("relu", "silu", "mish", "softplus")]))


def loss_script(e):
    return (sweep("Huber delta", e.delta, np.round(np.arange(1.1, 2.6, 0.1), 1))
            + sweep("focal alpha", e.alpha, np.round(np.arange(0.3, 0.8, 0.05), 2))
            + sweep("focal gamma", e.gamma, np.arange(2.25, 4.75, 0.25))
            + sweep("from_logits", e.from_logits, [True, False])
            + sweep("show", e.show, ["gradient", "loss"]))


def race_script(e):
    return (sweep("replay step", e.replay, list(range(290, 0, -10)))
            + sweep("learning rate", e.learning_rate, [0.001, 0.002, 0.005, 0.02, 0.05, 0.01])
            + sweep("optimizer check-box", e.checkboxes["Adadelta"], [False, True])
            + sweep("optimizer check-box", e.checkboxes["SGD"], [False, True])
            + sweep("steps", e.steps, [400, 500, 300])
            + sweep("surface", e.surface, ["beale", "saddle", "quadratic", "rosenbrock"]))


EXPLORERS = {
    "activation_explorer": (lambda: activations.activation_explorer(), activation_script),
    "loss_explorer": (lambda: losses.loss_explorer(), loss_script),
    "optimizer_race(interactive=True)": (lambda: optimizers.optimizer_race(interactive=True), race_script),
}


def run(name, timed):
    make, script = EXPLORERS[name]
    explorer = make()
    display(explorer)  # open the widget's comm, as a notebook does
    figures_before, created_before = plt.get_fignums(), _created[0]
    times = []
    for label, control, value in script(explorer):
        started = time.perf_counter()
        control.value = value
        times.append((label, time.perf_counter() - started))
    result = {"name": name, "times": times, "new_figures": _created[0] - created_before,
              "pyplot_unchanged": plt.get_fignums() == figures_before, "text": repr(explorer)}
    explorer.close()
    return result
'''


def summarise(result):
    import statistics

    import numpy as np

    ms = np.array([seconds * 1000 for _, seconds in result["times"]])
    by_control = {}
    for label, seconds in result["times"]:
        by_control.setdefault(label, []).append(seconds * 1000)
    median = statistics.median(ms)
    print(f"{result['name']}: {len(ms)} updates, median {median:.0f} ms, p90 {np.percentile(ms, 90):.0f} ms, "
          f"max {ms.max():.0f} ms (target: median <= {TARGET_MS:.0f} ms) -> "
          f"{'OK' if median <= TARGET_MS else 'MISSED'}")
    print("   per control (median ms, count): "
          + ", ".join(f"{label} {statistics.median(v):.0f} ({len(v)})" for label, v in by_control.items()))
    per_update = result["new_figures"] / len(ms)
    print(f"   new figures per update: {per_update:g}; pyplot figure list unchanged: {result['pyplot_unchanged']}")
    print(f"   final state: {result['text']}")
    return median <= TARGET_MS and result["new_figures"] == 0 and result["pyplot_unchanged"]


def in_process():
    namespace = {"display": lambda obj: None}
    exec(compile(KERNEL_CODE, "explorer_response_kernel", "exec"), namespace)
    results = []
    for timed in (False, True):
        results = [namespace["run"](name, timed) for name in namespace["EXPLORERS"]]
    return results


def in_kernel():
    import nbformat
    from nbclient import NotebookClient

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(textwrap.dedent(KERNEL_CODE).strip())]
    client = NotebookClient(notebook, kernel_name="python3", timeout=1800)
    results = []
    with client.setup_kernel():
        client.execute_cell(notebook.cells[0], 0)
        for timed in (False, True):
            results = []
            for name in ("activation_explorer", "loss_explorer", "optimizer_race(interactive=True)"):
                cell = nbformat.v4.new_code_cell(f"print(json.dumps(run({name!r}, {timed})))")
                notebook.cells.append(cell)
                client.execute_cell(cell, len(notebook.cells) - 1)
                stdout = "".join(out.get("text", "") for out in cell.outputs if out.get("name") == "stdout")
                errors = [out for out in cell.outputs if out.output_type == "error"]
                if errors:
                    raise RuntimeError("\n".join(errors[0]["traceback"]))
                results.append(json.loads(stdout.strip().splitlines()[-1]))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--in-process", action="store_true",
                        help="run in this Python process instead of a Jupyter kernel (no widget comm)")
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    results = in_process() if args.in_process else in_kernel()
    where = "this process" if args.in_process else "one nbclient kernel, widgets displayed"
    print(f"Explorer response to programmatic control changes, timed in {where} "
          f"(total {time.perf_counter() - started:.0f} s; load average before {load_before:.1f}, "
          f"which should be near 0)")
    ok = all([summarise(result) for result in results])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
