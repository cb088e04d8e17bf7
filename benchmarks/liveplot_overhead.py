"""What a live training plot costs: the same fit with and without one, in a real Jupyter kernel.

The fit: an MLP (64 ReLU units) on the shipped digits, 30 epochs, batch 32,
20% validation, ``verbose=0``. It runs in one Jupyter kernel started through
nbclient (as nbval and ``course.py execute`` do) with each of:

* ``bare``: no callback (the reference, ratio 1.00);
* ``LivePlot()``: the default. nbclient is a headless kernel, so it draws only
  the final plot, which is also what nbval sees;
* ``LivePlot(live=True)``: redraws during training under the 5% time budget,
  exactly as in a JupyterLab tab (one output replaced in place);
* ``naive``: ``clear_output(wait=True)`` and a new pyplot figure every epoch;
* ``livelossplot``: ``livelossplot.PlotLossesKerasTF()``, only if livelossplot
  is importable in the kernel. It is *not* a course dependency; to compare,
  install it somewhere else and pass that folder::

      .venv/bin/pip install --no-deps --target /tmp/llp livelossplot==0.6.1 bokeh narwhals xyzservices
      .venv/bin/python benchmarks/liveplot_overhead.py --extra-path /tmp/llp

Each variant runs once for 2 epochs to warm up (graph tracing, fonts, imports),
then ``--rounds`` times interleaved (bare, LivePlot, ..., bare, LivePlot, ...).
Python's garbage collector runs before each fit: with TensorFlow loaded a full
collection walks some 330,000 objects and pauses 0.1-0.2 s, 2-4% of a fit, and
would otherwise land on whichever run happens to cross its threshold.
Printed per variant: the fastest wall time of the fit and its ratio to the
fastest bare fit (other programs only ever add time, so on a shared machine
this is the steadiest estimate); the median time and the median over rounds
of (this run / the bare run of the same round); for LivePlot, the share of
the fit it spent drawing, as it measured itself; and the number of outputs
the cell left in the notebook. Wall times on a shared or virtual machine
move by 10-30% from run to run: run it when nothing else is running
(``ps aux | grep -E "pytest|ipykernel"``) and use ``--rounds 10``.
"""
import argparse
import json
import os
import statistics
import sys
import textwrap
import time

SETUP = """
import gc, json, time
import tfedu
_ = tfedu.setup()
import keras
import matplotlib.pyplot as plt
from IPython.display import clear_output
from tfedu.callbacks import LivePlot

x, y = tfedu.data.load_digits(flatten=True)

class NaivePlot(keras.callbacks.Callback):
    "What many notebooks do: clear the output and draw a new figure after every epoch."
    def on_train_begin(self, logs=None):
        self.values = {}
    def on_epoch_end(self, epoch, logs=None):
        for key, value in logs.items():
            self.values.setdefault(key, []).append(value)
        clear_output(wait=True)
        fig, axes = plt.subplots(1, 2, figsize=(8, 3))
        for ax, name in zip(axes, ["loss", "accuracy"]):
            ax.plot(self.values[name], label="train")
            ax.plot(self.values["val_" + name], label="validation")
            ax.set_title(name)
            ax.legend()
        plt.show()

def livelossplot_callback():
    from livelossplot import PlotLossesKerasTF
    return PlotLossesKerasTF()

VARIANTS = {
    "bare": lambda: [],
    "LivePlot()": lambda: [LivePlot()],
    "LivePlot(live=True)": lambda: [LivePlot(live=True)],
    "naive": lambda: [NaivePlot()],
    "livelossplot": lambda: [livelossplot_callback()],
}

def measure(variant, epochs):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    callbacks = VARIANTS[variant]()
    gc.collect()   # an earlier run's garbage is collected now, not in the middle of this run (a 0.1-0.2 s pause)
    start = time.perf_counter()
    model.fit(x, y, epochs=epochs, batch_size=32, validation_split=0.2, verbose=0, callbacks=callbacks)
    seconds = time.perf_counter() - start
    plt.close("all")
    drawing = [c.budget.spent for c in callbacks if isinstance(c, LivePlot)]
    return {"seconds": seconds, "drawing": drawing[0] if drawing else None}
"""

PROBE_LIVELOSSPLOT = """
try:
    import livelossplot
    print("livelossplot", livelossplot.__version__)
except ImportError:
    print("livelossplot missing")
"""


def cell(source):
    import nbformat

    return nbformat.v4.new_code_cell(textwrap.dedent(source).strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="timed runs per variant")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--extra-path", action="append", default=[],
                        help="folder appended to the kernel's sys.path (e.g. where livelossplot is installed)")
    parser.add_argument("--variants", default="bare,LivePlot(),LivePlot(live=True),naive,livelossplot",
                        help="comma-separated subset of the variants")
    args = parser.parse_args()

    import nbformat
    from nbclient import NotebookClient

    # The kernel inherits this: it hides TensorFlow's native "E0000 ... node_def_util" lines
    # (same for every variant), which would otherwise clutter this terminal.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    variants = [name.strip() for name in args.variants.split(",")]
    load_before = os.getloadavg()[0]
    paths = "".join(f"sys.path.append({path!r})\n" for path in args.extra_path)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [cell("import sys\n" + paths), cell(PROBE_LIVELOSSPLOT), cell(SETUP)]
    client = NotebookClient(notebook, kernel_name="python3", timeout=1800)
    started = time.perf_counter()
    with client.setup_kernel():
        for index in range(len(notebook.cells)):
            client.execute_cell(notebook.cells[index], index)
        probe = notebook.cells[1].outputs[0]["text"].strip()
        if probe == "livelossplot missing" and "livelossplot" in variants:
            variants.remove("livelossplot")
            print("livelossplot is not installed in the kernel: skipped (see --extra-path)")
        times = {variant: [] for variant in variants}
        drawing = {variant: [] for variant in variants}
        outputs = {}
        plan = [(variant, 2, None) for variant in variants]  # warm-up: tracing, fonts, imports
        plan += [(variant, args.epochs, round_) for round_ in range(args.rounds) for variant in variants]
        for variant, epochs, round_ in plan:
            measure = cell(f"print(json.dumps(measure({variant!r}, {epochs})))")
            notebook.cells.append(measure)
            client.execute_cell(measure, len(notebook.cells) - 1)
            stdout = "".join(out.get("text", "") for out in measure.outputs if out.get("name") == "stdout")
            result = json.loads(stdout.strip().splitlines()[-1])
            if round_ is not None:
                times[variant].append(result["seconds"])
                if result["drawing"] is not None:
                    drawing[variant].append(result["drawing"] / result["seconds"])
                outputs[variant] = sum(out.output_type in ("display_data", "execute_result")
                                       for out in measure.outputs)
    if probe != "livelossplot missing":
        print(probe)
    print(f"{args.epochs} epochs, {args.rounds} interleaved runs per variant in one nbclient kernel "
          f"(total {time.perf_counter() - started:.0f} s; load average before it {load_before:.1f}, "
          f"which should be near 0)")
    print(f"{'variant':22} {'min s':>6} {'ratio':>6} {'median s':>9} {'paired':>7} {'drawing':>8} {'outputs':>8}"
          "   runs (s)")
    for variant in variants:
        runs, bare = times[variant], times.get("bare")
        ratio = f"{min(runs) / min(bare):6.2f}" if bare else "     -"
        # each run against the bare run of the same round: slow phases of the machine cancel out
        paired = f"{statistics.median(t / b for t, b in zip(runs, bare)):7.2f}" if bare else "      -"
        share = f"{100 * statistics.median(drawing[variant]):7.1f}%" if drawing[variant] else "       -"
        print(f"{variant:22} {min(runs):6.2f} {ratio} {statistics.median(runs):9.2f} {paired} {share} "
              f"{outputs[variant]:8d}   " + " ".join(f"{t:.2f}" for t in runs))


if __name__ == "__main__":
    sys.exit(main())
