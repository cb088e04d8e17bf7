"""tfedu.callbacks: LivePlot (collector, renderer, display), TrainingHistory, CallbackTracer."""
import contextlib
import gc
import io
import math
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import tfedu
from tfedu import _display
from tfedu.callbacks import CallbackTracer, LivePlot, TrainingHistory

TWO_PANELS = "<Figure size 786x300 with 2 Axes>"


@pytest.fixture(scope="module")
def keras():
    tfedu.setup()
    import keras

    return keras


@pytest.fixture(scope="module")
def digits():
    x, y = tfedu.data.load_digits(flatten=True)
    return x[:120], y[:120]


def classifier(keras, learning_rate=0.01, optimizer="adam"):
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])
    optimizer = keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": learning_rate}})
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def curves(ax):
    """The train (solid blue) and validation (dashed orange) curves of a panel, as (x, y) lists."""
    found = {}
    for line in ax.lines:
        x = np.asarray(line.get_xdata(), dtype=float).tolist()
        if line.get_color() == "C0" and line.get_linestyle() == "-" and line.get_alpha() is None:
            found["train"] = (x, np.asarray(line.get_ydata(), dtype=float).tolist())
        elif line.get_color() == "C1" and line.get_linestyle() == "--":
            found["validation"] = (x, np.asarray(line.get_ydata(), dtype=float).tolist())
    return found


def vertical_lines(ax, linestyle):
    """x of the grey guide lines (fit starts ':', early stops '--') of a panel."""
    xs = [x for line in ax.lines if line.get_color() == "0.45" and line.get_linestyle() == linestyle
          for x in np.asarray(line.get_xdata(), dtype=float) if np.isfinite(x)]
    return sorted(set(xs))


class FakeModel:
    """Just what LivePlot reads from a model, for driving its hooks without Keras."""

    stop_training = False

    class optimizer:
        learning_rate = 0.01


def run_fake_fit(plot, epoch_logs, *, batches=1):
    plot.on_train_begin()
    for epoch, logs in enumerate(epoch_logs):
        plot.on_epoch_begin(epoch)
        for batch in range(batches):
            plot.on_train_batch_begin(batch)
            plot.on_train_batch_end(batch, {"loss": logs["loss"]})
        plot.on_epoch_end(epoch, logs)
    plot.on_train_end()


def fake_plot(**kwargs):
    plot = LivePlot(**kwargs)
    plot.set_model(FakeModel())
    plot.set_params({"epochs": 1, "steps": 4, "verbose": 0})
    return plot


# --- collecting -------------------------------------------------------------------------------

def test_history_matches_keras_and_pairs_train_with_validation(keras, digits, tmp_path, capsys):
    x, y = digits
    plot = LivePlot(save_to=tmp_path / "plot.png")
    fitted = classifier(keras).fit(x, y, epochs=3, batch_size=30, validation_split=0.25, verbose=0,
                                   callbacks=[plot])
    history = plot.history
    assert history.epoch == [0, 1, 2] and len(history) == 3
    assert history.keys == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.metric_names == ["loss", "accuracy"]
    for key, values in fitted.history.items():
        np.testing.assert_allclose(history.history[key], values)
    assert history.learning_rate == pytest.approx([0.01] * 3)
    assert not history.learning_rate_changed and history.stopped_epoch is None

    figure = plot.figure
    assert repr(figure) == TWO_PANELS
    assert [ax.get_title(loc="left") for ax in figure.axes] == ["loss", "accuracy"]
    for ax, name in zip(figure.axes, ["loss", "accuracy"]):
        found = curves(ax)
        assert found["train"] == ([1.0, 2.0, 3.0], pytest.approx(fitted.history[name]))
        assert found["validation"] == ([1.0, 2.0, 3.0], pytest.approx(fitted.history[f"val_{name}"]))
    best = history.best()
    assert best.monitor == "val_loss" and best.value == min(fitted.history["val_loss"])

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "LivePlot: 3 epochs (1-3)"
    assert out[1].split() == ["metric", "train", "validation"]
    assert out[2].split() == ["loss", f"{fitted.history['loss'][-1]:.4g}", f"{fitted.history['val_loss'][-1]:.4g}"]
    assert out[-2] == str(best)
    assert out[-1] == f"plot saved to {tmp_path / 'plot.png'}"
    assert (tmp_path / "plot.png").read_bytes()[:4] == b"\x89PNG"


def test_validation_freq_leaves_gaps_not_crashes(keras, digits, tmp_path):
    x, y = digits
    plot = LivePlot(save_to=tmp_path / "freq.png", live=True, budget=float("inf"))
    fitted = classifier(keras).fit(x, y, epochs=4, batch_size=30, validation_split=0.25, validation_freq=2,
                                   verbose=0, callbacks=[plot])
    val_loss = plot.history.history["val_loss"]
    assert [math.isnan(v) for v in val_loss] == [True, False, True, False]
    epochs, values = plot.history.series("val_loss")
    assert epochs.tolist() == [1, 3]
    np.testing.assert_allclose(values, fitted.history["val_loss"])
    assert curves(plot.figure.axes[0])["validation"][0] == [2.0, 4.0]
    assert plot.budget.draws == 5  # every epoch and the final plot


def test_initial_epoch_resumes_and_repeated_fits_continue(keras, digits):
    x, y = digits
    model = classifier(keras)
    plot = LivePlot(save_to=None)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        model.fit(x, y, epochs=2, batch_size=60, verbose=0, callbacks=[plot])
        second = model.fit(x, y, epochs=4, initial_epoch=2, batch_size=60, verbose=0, callbacks=[plot])
        model.fit(x, y, epochs=1, batch_size=60, verbose=0, callbacks=[plot])  # Keras counts from 0 again
    history = plot.history
    assert history.epoch == [0, 1, 2, 3, 4]
    assert history.fit_starts == [0, 2, 4]
    np.testing.assert_allclose(history.history["loss"][2:4], second.history["loss"])
    assert "LivePlot: 5 epochs (1-5) in 3 fits" in out.getvalue().splitlines()
    figure = history.plot()
    assert curves(figure.axes[0])["train"][0] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert vertical_lines(figure.axes[0], ":") == [2.5, 4.5]  # where the 2nd and 3rd fit began

    resumed = LivePlot(save_to=None)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        model.fit(x, y, epochs=7, initial_epoch=5, batch_size=60, verbose=0, callbacks=[resumed])
    assert resumed.history.epoch == [5, 6]
    assert out.getvalue().startswith("LivePlot: 2 epochs (6-7)\n")
    low, high = resumed.history.plot().axes[0].get_xlim()
    assert 5 < low < 6 and 7 < high < 7.5


def test_nan_losses_are_recorded_and_marked(keras, digits, tmp_path):
    x, y = digits
    model = classifier(keras)

    class PoisonWeights(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                kernel = self.model.layers[0].kernel
                kernel.assign(np.full(kernel.shape, np.nan, dtype="float32"))

    plot = LivePlot(save_to=tmp_path / "nan.png")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # nothing from LivePlot
        with contextlib.redirect_stdout(io.StringIO()) as out:
            model.fit(x, y, epochs=4, batch_size=30, validation_split=0.25, verbose=0,
                      callbacks=[PoisonWeights(), plot])
    history = plot.history
    assert np.isfinite(history.history["loss"][:2]).all()
    assert np.isnan(history.history["loss"][2:]).all()
    assert history.nonfinite_epochs("loss").tolist() == [2, 3]
    assert history.best().epoch in (0, 1)
    assert ["loss", "nan", "nan"] in [line.split() for line in out.getvalue().splitlines()]
    ax = plot.figure.axes[0]
    marks = [line for line in ax.lines if line.get_marker() == "x"]
    assert marks[0].get_xdata().tolist() == [3, 4]
    assert "NaN from epoch 3" in [text.get_text().strip() for text in ax.texts]

    stopped = LivePlot(save_to=None)
    with contextlib.redirect_stdout(io.StringIO()):
        model.fit(x, y, epochs=3, batch_size=30, verbose=0,
                  callbacks=[keras.callbacks.TerminateOnNaN(), stopped])
    assert stopped.history.epoch == [0] and stopped.history.stopped_epochs == [0]


def test_learning_rate_changes_get_their_panel(keras, digits, tmp_path):
    x, y = digits
    plot = LivePlot(save_to=tmp_path / "lr.png")
    halve = keras.callbacks.LearningRateScheduler(lambda epoch, rate: 0.1 * 0.5**epoch)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        # LivePlot first: it reads the rate at the first batch, after every on_epoch_begin
        classifier(keras, optimizer="sgd").fit(x, y, epochs=3, batch_size=60, verbose=0, callbacks=[plot, halve])
    assert plot.history.learning_rate == pytest.approx([0.1, 0.05, 0.025])
    assert plot.history.learning_rate_changed
    assert [ax.get_title(loc="left") for ax in plot.figure.axes] == ["loss", "accuracy", "learning rate"]
    steps = plot.figure.axes[2].lines[0]
    assert steps.get_xdata().tolist() == [0.5, 1.5, 2.5, 3.5]  # one flat step centred on each epoch
    assert steps.get_ydata().tolist() == pytest.approx([0.1, 0.05, 0.025, 0.025])
    assert "learning rate 0.1 -> 0.025" in out.getvalue()

    reduce = keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=0, min_delta=10, factor=0.5)
    reduced = LivePlot(save_to=None)
    with contextlib.redirect_stdout(io.StringIO()):
        classifier(keras, 0.02).fit(x, y, epochs=4, batch_size=60, verbose=0, callbacks=[reduce, reduced])
    # epoch 1 sets the best loss; every later epoch_end cuts the rate used from the next epoch on
    assert reduced.history.learning_rate == pytest.approx([0.02, 0.02, 0.01, 0.005])
    # ReduceLROnPlateau ran first and put the rate in logs: kept as data, not a metric panel
    assert "learning_rate" in reduced.history.keys and "learning_rate" not in reduced.history.metric_names

    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10)])
    model.compile(keras.optimizers.SGD(schedule), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    scheduled = LivePlot(save_to=None)
    with contextlib.redirect_stdout(io.StringIO()):
        model.fit(x, y, epochs=3, batch_size=60, verbose=0, callbacks=[scheduled])  # 2 steps per epoch
    assert scheduled.history.learning_rate == pytest.approx([0.1, 0.05, 0.025])


def test_early_stopping_is_marked_and_the_axis_trimmed(keras, digits, tmp_path):
    x, y = digits
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10)
    plot = LivePlot(save_to=tmp_path / "stop.png", monitor="loss")
    with contextlib.redirect_stdout(io.StringIO()) as out:
        classifier(keras).fit(x, y, epochs=20, batch_size=60, verbose=0, callbacks=[stop, plot])
    assert stop.stopped_epoch == 1
    assert plot.history.stopped_epochs == [1]
    assert "LivePlot: 2 epochs (1-2), stopped early after epoch 2" in out.getvalue()
    for ax in plot.figure.axes:
        assert vertical_lines(ax, "--") == [2]
        assert ax.get_xlim()[1] < 3  # trimmed to the epochs that ran, not the 20 planned


# --- drawing: cost, environments, failures ------------------------------------------------------

def test_budget_decides_how_often_to_redraw(tmp_path):
    logs = [{"loss": 1 / (epoch + 1)} for epoch in range(6)]
    never = fake_plot(live=True, budget=0, save_to=tmp_path / "a.png")
    always = fake_plot(live=True, budget=float("inf"), save_to=tmp_path / "b.png")
    final_only = fake_plot(live=False, budget=float("inf"), save_to=tmp_path / "c.png")
    with contextlib.redirect_stdout(io.StringIO()):
        for plot in (never, always, final_only):
            run_fake_fit(plot, logs)
    assert (never.budget.draws, always.budget.draws, final_only.budget.draws) == (1, 7, 1)
    assert always.budget.spent > 0
    # in a script, redraws go to the PNG file, so they are on by default
    with contextlib.redirect_stdout(io.StringIO()):
        default = fake_plot(save_to=tmp_path / "d.png", budget=float("inf"))
        run_fake_fit(default, logs)
    assert default.environment == _display.Environment("script") and default.budget.draws == 7
    with contextlib.redirect_stdout(io.StringIO()):
        no_file = fake_plot(save_to=None)
        run_fake_fit(no_file, logs)
    assert no_file.budget.draws == 0 and no_file.figure is None  # nothing to show: only the summary


def test_in_a_kernel_one_output_is_replaced_in_place(monkeypatch):
    shown = []

    class Slot:
        def show(self, bundle):
            shown.append(bundle)
            return True

    monkeypatch.setattr(_display, "detect_environment", lambda: _display.Environment("kernel", "jupyter"))
    plot = fake_plot(budget=float("inf"))
    plot._slot = Slot()
    with contextlib.redirect_stdout(io.StringIO()) as out:
        run_fake_fit(plot, [{"loss": 1.0, "val_loss": 1.1}, {"loss": 0.5, "val_loss": 0.8}])
    assert out.getvalue() == ""  # the plot is the output; no text summary in a notebook
    assert len(shown) == 3 and {bundle["text/plain"] for bundle in shown} == {"<Figure size 500x300 with 1 Axes>"}
    assert all(bundle["image/png"].startswith("iVBORw0KGgo") for bundle in shown)

    monkeypatch.setattr(_display, "detect_environment", lambda: _display.Environment("kernel", "headless"))
    shown.clear()
    with contextlib.redirect_stdout(io.StringIO()):
        run_fake_fit(plot, [{"loss": 0.4, "val_loss": 0.7}] * 3)
    assert len(shown) == 1  # headless: only the final plot


def test_in_jupyterlab_the_first_frame_comes_after_the_first_epoch_then_the_budget_holds(monkeypatch):
    shown = []

    class Clock:  # the budget's clock: time passes only when the test says so
        now = 0.0

        def __call__(self):
            return self.now

    clock = Clock()

    class Slot:
        def show(self, bundle):
            clock.now += 0.5  # showing a frame takes half a second
            shown.append(bundle)
            return True

    monkeypatch.setattr(_display, "detect_environment", lambda: _display.Environment("kernel", "jupyter"))
    plot = fake_plot()  # the default budget: drawing may take 5% of the training time
    plot._slot = Slot()
    plot.budget.clock = clock
    plot.on_train_begin()

    def epoch(number, seconds):
        plot.on_epoch_begin(number)
        plot.on_train_batch_begin(0)
        clock.now += seconds
        plot.on_epoch_end(number, {"loss": 1 / (number + 1)})

    epoch(0, 0.01)  # a fast first epoch: without the first-frame rule nothing would show for ~4 s
    assert len(shown) == 1 and plot.budget.draws == 1 and plot.budget.spent == 0.5
    for number in range(1, 6):
        epoch(number, 0.1)  # 0.5 s more training pays for 25 ms of drawing: not yet for that frame
    assert len(shown) == 1
    epoch(6, 60.0)  # a long epoch pays for the next frame
    assert len(shown) == 2
    with contextlib.redirect_stdout(io.StringIO()) as out:
        plot.on_train_end()
    assert len(shown) == 3 and out.getvalue() == ""  # and the final plot, always

    never = fake_plot(budget=0)
    never._slot = Slot()
    with contextlib.redirect_stdout(io.StringIO()):
        run_fake_fit(never, [{"loss": 1.0}, {"loss": 0.5}])
    assert never.budget.draws == 1  # budget=0: only the final plot, no free first frame


def test_drawing_errors_become_one_warning_and_training_goes_on(keras, digits, tmp_path):
    x, y = digits
    plot = LivePlot(save_to=tmp_path / "x.png", live=True, budget=float("inf"))

    def boom(history):
        raise ValueError("boom")

    plot._renderer.draw = boom
    with pytest.warns(RuntimeWarning) as record, contextlib.redirect_stdout(io.StringIO()) as out:
        classifier(keras).fit(x, y, epochs=3, batch_size=60, verbose=0, callbacks=[plot])
    messages = [str(w.message) for w in record if w.category is RuntimeWarning]
    assert messages == [
        "LivePlot could not draw the live plot (ValueError: boom). Training goes on without it; the "
        "values are still collected in .history (plot them later with .history.plot())."
    ]
    assert plot.history.epoch == [0, 1, 2]
    assert out.getvalue().startswith("LivePlot: 3 epochs (1-3)\n")  # the text summary instead
    assert not (tmp_path / "x.png").exists()


def test_display_errors_in_a_notebook_fall_back_to_text(monkeypatch):
    class BrokenSlot:
        def show(self, bundle):
            raise OSError("kernel socket closed")

    monkeypatch.setattr(_display, "detect_environment", lambda: _display.Environment("kernel", "jupyter"))
    plot = fake_plot()
    plot._slot = BrokenSlot()
    with pytest.warns(RuntimeWarning, match=r"could not draw the live plot \(OSError: kernel socket closed\)"):
        with contextlib.redirect_stdout(io.StringIO()) as out:
            run_fake_fit(plot, [{"loss": 1.0}, {"loss": 0.5}])
    assert out.getvalue().startswith("LivePlot: 2 epochs (1-2)\n")


def test_unknown_metric_or_monitor_names_warn(tmp_path):
    plot = fake_plot(metrics=["acc"], monitor="val_acc", save_to=None)
    with pytest.warns(RuntimeWarning, match=r"LivePlot\(metrics=...\): 'acc' never appeared in logs; "
                                            r"the logs hold loss, accuracy\."):
        with contextlib.redirect_stdout(io.StringIO()):
            run_fake_fit(plot, [{"loss": 1.0, "accuracy": 0.5}])


def test_metrics_appearing_disappearing_and_non_scalar_logs(tmp_path):
    plot = fake_plot(save_to=tmp_path / "m.png", live=True, budget=float("inf"))
    logs = [{"loss": 1.0}, {"loss": 0.8, "mae": 0.3, "per_class": np.ones(3)}, {"loss": 0.6}]
    with contextlib.redirect_stdout(io.StringIO()):
        run_fake_fit(plot, logs)
    history = plot.history
    assert history.metric_names == ["loss", "mae"]
    assert np.isnan(history.history["mae"][0]) and history.history["mae"][1] == 0.3
    assert history.skipped_keys == {"per_class"}
    assert [ax.get_title(loc="left") for ax in plot.figure.axes] == ["loss", "mae"]
    assert curves(plot.figure.axes[1])["train"] == ([2.0], [0.3])


def test_per_batch_losses_are_recovered_smoothed_and_bounded():
    history = TrainingHistory(batch_capacity=8)
    history.begin_fit()
    history.start_epoch(0, epochs=1)
    losses = [4.0, 2.0, 3.0, 1.0]
    for batch in range(4):  # Keras logs the running mean of the epoch so far
        history.record_batch(batch, {"loss": float(np.mean(losses[: batch + 1]))}, steps=4, smoothing=0)
    assert history.batches.values["loss"].tolist() == pytest.approx(losses)
    assert history.batches.position.tolist() == [0.25, 0.5, 0.75, 1.0]

    smooth = TrainingHistory()
    smooth.start_epoch(0)
    for batch in range(3):
        smooth.record_batch(batch, {"loss": 2.0}, steps=3, smoothing=0.9)
    assert smooth.batches.values["loss"].tolist() == pytest.approx([2.0, 2.0, 2.0])  # debiased

    for epoch in range(1, 30):
        history.start_epoch(epoch)
        for batch in range(4):
            history.record_batch(batch, {"loss": 1.0}, steps=4)
        history.end_epoch(epoch, {"loss": 1.0})
    assert len(history.batches) <= 8 and history.batches.stride == 16
    assert np.all(np.diff(history.batches.position) > 0)


def test_batch_hook_is_overridden_only_in_batch_mode(keras):
    from keras.src import utils

    assert utils.is_default(LivePlot().on_train_batch_end)  # Keras keeps its fast path
    assert not utils.is_default(LivePlot(update="batch").on_train_batch_end)


def test_a_hundred_fits_keep_one_figure_and_bounded_batches(tmp_path):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    def live_figures():
        gc.collect()
        return sum(isinstance(obj, Figure) for obj in gc.get_objects())

    before = live_figures()
    plot = fake_plot(update="batch", max_batch_points=50, save_to=tmp_path / "loop.png")
    with contextlib.redirect_stdout(io.StringIO()):
        for fit in range(100):
            run_fake_fit(plot, [{"loss": 1 / (fit + 1)}], batches=4)
    assert len(plot.history) == 100 and len(plot.history.batches) <= 50
    assert live_figures() - before == 1
    with contextlib.redirect_stdout(io.StringIO()):
        for fit in range(10):
            run_fake_fit(fake_plot(save_to=tmp_path / "new.png"), [{"loss": 1.0}])
    del plot
    assert live_figures() - before == 0
    assert plt.get_fignums() == []  # nothing left for pyplot to show or keep


def test_plain_script_saves_a_png_and_prints_a_summary(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import tfedu
        tfedu.setup()
        import keras
        from tfedu.callbacks import LivePlot

        x, y = tfedu.data.load_digits(flatten=True)
        model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x[:200], y[:200], epochs=3, validation_split=0.25, verbose=0, callbacks=[LivePlot()])
    """))
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "LivePlot: 3 epochs (1-3)"
    assert [line.split()[0] for line in lines[1:4]] == ["metric", "loss", "accuracy"]
    assert lines[4].startswith("best val_loss ")
    assert lines[-1] == "plot saved to liveplot.png"
    from PIL import Image

    with Image.open(tmp_path / "liveplot.png") as image:
        assert image.format == "PNG" and image.size == (786, 300)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["liveplot.png", "train.py"]


def test_notebook_cell_ends_with_exactly_one_image(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    setup = textwrap.dedent("""
        import tfedu
        _ = tfedu.setup()
        import keras
        from tfedu.callbacks import LivePlot
        x, y = tfedu.data.load_digits(flatten=True)
        def model():
            m = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])
            m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
            return m
    """)
    fit = "_ = model().fit(x[:200], y[:200], epochs=3, validation_split=0.25, verbose=0, callbacks=[plot])"
    cells = [
        setup,
        f"plot = LivePlot()\n{fit}",
        f"plot = LivePlot(live=True, budget=float('inf'))\n{fit}\n"
        "print(plot.environment.frontend, plot.budget.draws)",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    NotebookClient(notebook, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    for cell in notebook.cells[1:]:
        shown = [out for out in cell.outputs if out.output_type in ("display_data", "execute_result")]
        assert len(shown) == 1, cell.outputs
        assert set(shown[0]["data"]) == {"image/png", "text/plain"}
        assert shown[0]["data"]["text/plain"] == TWO_PANELS
        assert not [out for out in cell.outputs if out.output_type == "error"]
    printed = "".join(out.get("text", "") for out in notebook.cells[2].outputs if out.get("name") == "stdout")
    assert printed == "headless 4\n"  # 3 in-place updates and the final plot, still one output
    assert list(tmp_path.iterdir()) == []  # no PNG file in a notebook


# --- CallbackTracer ---------------------------------------------------------------------------------

def test_tracer_order_for_fit_with_validation_matches_keras_docs(keras, digits):
    # keras.io/guides/writing_your_own_callbacks: on_train_begin; per epoch on_epoch_begin, the
    # train batches, validation as on_test_begin / test batches / on_test_end, on_epoch_end;
    # on_train_end.
    x, y = digits
    tracer = CallbackTracer()
    classifier(keras).fit(x[:8], y[:8], batch_size=4, epochs=2, validation_data=(x[8:12], y[8:12]), verbose=0,
                          callbacks=[tracer])
    epoch = (["on_epoch_begin"] + ["on_train_batch_begin", "on_train_batch_end"] * 2
             + ["on_test_begin", "on_test_batch_begin", "on_test_batch_end", "on_test_end", "on_epoch_end"])
    assert tracer.hooks() == ["on_train_begin", *epoch, *epoch, "on_train_end"]
    calls = tracer.calls
    assert [call.epoch for call in calls] == [None] + [0] * 10 + [1] * 10 + [None]
    assert [call.batch for call in calls[2:6]] == [0, 0, 1, 1]
    assert set(calls[3].logs) == {"loss", "accuracy"}
    assert set(calls[10].logs) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert calls[1].logs == {} and calls[2].logs == {}
    assert [call.depth for call in calls[:11]] == [0, 1, 2, 2, 2, 2, 2, 3, 3, 2, 1]


def test_tracer_limits_batches_and_shows_predict_outputs(keras, digits):
    x, y = digits
    model = classifier(keras)
    tracer = CallbackTracer(max_batches=2)
    model.fit(x[:40], y[:40], batch_size=4, epochs=1, verbose=0, callbacks=[tracer])
    assert [call.batch for call in tracer.calls[2:6]] == [0, 0, 1, 1]
    skipped = tracer.calls[6]
    assert (skipped.hook, skipped.skipped, skipped.epoch) == ("...", 7, 0)
    assert [(call.hook, call.batch) for call in tracer.calls[7:9]] == [("on_train_batch_begin", 9),
                                                                         ("on_train_batch_end", 9)]
    text = str(tracer)
    assert text.splitlines()[0] == "CallbackTracer: 24 calls"
    assert "7 batches left out" in text

    tracer.clear()
    model.predict(x[:8], batch_size=4, verbose=0, callbacks=[tracer])
    assert tracer.hooks() == ["on_predict_begin"] + ["on_predict_batch_begin", "on_predict_batch_end"] * 2 + [
        "on_predict_end"]
    assert tracer.calls[2].logs == {"outputs": "array(shape=(4, 10), dtype=float32)"}
    assert all(call.epoch is None for call in tracer.calls)
    html = tracer._repr_html_()
    assert html.count("<tr>") == 7 and "<code>on_predict_batch_end</code>" in html

    tracer.clear()
    model.evaluate(x[:8], y[:8], batch_size=8, verbose=0, callbacks=[tracer])
    assert tracer.hooks() == ["on_test_begin", "on_test_batch_begin", "on_test_batch_end", "on_test_end"]
    assert [call.depth for call in tracer.calls] == [0, 1, 1, 0]


def test_tracer_bounds_the_whole_trace(keras, digits):
    x, y = digits
    tracer = CallbackTracer(max_batches=1, max_calls=10)
    classifier(keras).fit(x[:8], y[:8], batch_size=4, epochs=3, verbose=0, callbacks=[tracer])
    assert len(tracer.calls) == 10 and tracer.dropped > 0
    assert tracer._title() == f"CallbackTracer: {10 + tracer.dropped} calls, {tracer.dropped} not kept (max_calls=10)"
    assert str(CallbackTracer()).startswith("CallbackTracer: no calls yet")


# --- arguments that cannot work say so ---------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"update": "batches"}, ValueError, "update 'batches' is not known; did you mean 'batch'? Choose one of: "
                                            "'epoch', 'batch'. 'epoch' redraws after each epoch"),
        ({"mode": "minimum"}, ValueError, "mode 'minimum' is not known; did you mean 'min'? Choose one of: 'auto', "
                                          "'min', 'max'. As in keras.callbacks.EarlyStopping"),
        ({"smoothing": 1.0}, ValueError, "smoothing must be a number in [0, 1), got 1.0. 0 keeps the raw"),
        ({"budget": -1}, ValueError, "budget must be a number >= 0, got -1. It is the fraction of the training time"),
        ({"live": "yes"}, TypeError, "live must be True or False or None, got str 'yes'"),
        ({"save_to": 3}, TypeError, "save_to must be a file path, None (no file) or 'auto'"),
        ({"metrics": ["loss", 2]}, TypeError, "metrics must be names like 'loss' or 'accuracy'"),
        ({"log_scale": 5}, TypeError, "log_scale must be True/False or metric names"),
        ({"max_batch_points": 1}, ValueError, "max_batch_points must be an int >= 2, got 1"),
    ],
)
def test_liveplot_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error) as raised:
        LivePlot(**kwargs)
    assert message in str(raised.value)


def test_tracer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="max_batches must be an int >= 1, got 0"):
        CallbackTracer(max_batches=0)


# mode="auto" follows Keras 3 ----------------------------------------------------------------------------

def _keras_auto_direction(keras, model, monitor):
    """What keras.callbacks.EarlyStopping(mode="auto") decides for ``monitor``: "min", "max" or "raises"."""
    from keras import ops

    stopper = keras.callbacks.EarlyStopping(monitor=monitor, mode="auto")
    stopper.set_model(model)
    try:
        stopper._set_monitor_op()
    except ValueError:
        return "raises"
    return "max" if stopper.monitor_op == ops.greater else "min"


def test_keras_direction_is_the_rule_of_keras_3_early_stopping(keras):
    from tfedu.callbacks.options import keras_direction

    def my_error(y_true, y_pred):  # a metric written as a function has no direction
        return keras.ops.mean(keras.ops.abs(y_true - y_pred))

    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4)(inputs)
    model = keras.Model(inputs, {"cls": keras.layers.Dense(1, activation="sigmoid", name="cls")(hidden),
                                 "reg": keras.layers.Dense(1, name="reg")(hidden)})
    model.compile("sgd", loss={"cls": "binary_crossentropy", "reg": "mse"},
                  metrics={"cls": ["accuracy", keras.metrics.AUC(name="auc"), my_error], "reg": ["mae"]})
    x = np.zeros((8, 3), "float32")
    model.fit(x, {"cls": np.zeros((8, 1)), "reg": np.zeros((8, 1))}, epochs=1, verbose=0)
    names = ["loss", "val_loss", "cls_accuracy", "accuracy", "val_auc", "auc", "reg_mae", "mae", "my_error",
             "cls_loss", "val_cls_loss", "val_acc", "acc"]
    decided = {name: keras_direction(model, name) or "raises" for name in names}
    assert decided == {name: _keras_auto_direction(keras, model, name) for name in names}
    # Keras 3 does not read the name: "acc" and a per-output loss are not known, accuracy is.
    assert decided["val_acc"] == "raises" and decided["val_cls_loss"] == "raises"
    assert decided["accuracy"] == "max" and decided["mae"] == "min" and decided["my_error"] == "raises"


def test_liveplot_auto_mode_asks_the_compiled_metric_and_says_what_to_do_otherwise(keras):
    x = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")

    def my_score(y_true, y_pred):
        return keras.ops.mean(y_pred)

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy", my_score])
    plot = LivePlot(monitor="accuracy", live=False, save_to=None)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[plot])
    assert plot._renderer.mode == "max"
    with pytest.raises(ValueError, match=r"monitor='my_score', mode='auto'.*Pass mode='max'.*mode='min'"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[LivePlot(monitor="my_score", live=False, save_to=None)])
    model.fit(x, y, epochs=1, verbose=0, callbacks=[LivePlot(monitor="my_score", mode="max", live=False,
                                                             save_to=None)])
