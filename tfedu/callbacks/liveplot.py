"""LivePlot: the loss and metrics drawn live while ``model.fit`` runs, for a few percent of the time.

The callback ties the three parts of the live plot together: its hooks fill a
:class:`~tfedu.callbacks.history.TrainingHistory` (the collector, plain data),
a :class:`~tfedu.callbacks.renderer.HistoryRenderer` draws it (full draws and
blits on one reused figure), and :mod:`tfedu._display` says where the picture
goes (one output replaced in place in a notebook, only the final frame when
headless, a PNG file and a text summary in a script) while a
:class:`tfedu._display.RedrawBudget` decides when a redraw is affordable: the
first frame at once, later ones while drawing stays within the budget.
"""
from __future__ import annotations

import math
import os
import warnings
from pathlib import Path

import numpy as np

import keras

from tfedu import _display, _validate
from tfedu.callbacks.guard import FitGuard
from tfedu.callbacks.history import TrainingHistory
from tfedu.callbacks.options import check_log_scale, check_metrics, check_mode, check_monitor, keras_direction
from tfedu.callbacks.renderer import IMAGE_SUFFIXES, HistoryRenderer

__all__ = ["LivePlot"]


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


# First guesses of a redraw's cost in seconds, replaced by measurements.
_FULL_DRAW_GUESS, _BLIT_GUESS = 0.15, 0.03


class LivePlot(keras.callbacks.Callback):
    """Plot the loss and metrics live while ``model.fit`` runs, for a few percent of the time.

    ``model.fit(x, y, validation_split=0.2, callbacks=[LivePlot()])`` draws
    one panel per metric, training solid and validation dashed, and marks the
    best epoch (of ``monitor``), where early stopping stopped and NaN losses;
    a learning-rate panel appears when the rate changes. The values are in
    :attr:`history` afterwards (``plot.history.plot()`` draws them again).

    Where it shows:

    * **notebook** (JupyterLab, classic Notebook, VS Code, Colab): one output
      replaced in place while training, ending with the complete plot;
    * **headless kernel** (nbval, nbclient, ``course.py execute``): only the
      final plot, as one image output whose text is deterministic (e.g.
      ``<Figure size 760x300 with 2 Axes>``);
    * **script** or terminal IPython: the plot is saved as a PNG
      (``save_to``, by default ``liveplot.png`` in the current folder, kept
      up to date during training) and a short text summary is printed at
      the end.

    Drawing never breaks training: a failure becomes one ``RuntimeWarning``.

    Arguments (all optional):

    * ``metrics``: names to plot (``"loss"`` also shows ``val_loss``); default all.
    * ``log_scale``: True for a logarithmic y axis on every panel, or the names that get one.
    * ``update``: ``"epoch"`` (default) or ``"batch"``: also draw the training loss after
      every batch, smoothed by ``smoothing`` (0 = raw, 0.8 default, closer to 1 = smoother).
    * ``monitor``, ``mode``: the metric whose best epoch is marked (default ``val_loss``, else
      ``loss``) and whether lower or higher is better, as in ``EarlyStopping``: ``mode="auto"``
      asks the compiled metric, as Keras 3 does, and raises if it has no direction.
    * ``budget``: fraction of training time that drawing may take (default 0.05 = 5%). The first
      frame is drawn right after the first epoch (batch, with ``update="batch"``); later redraws
      are skipped while over budget, and the final plot is always drawn. ``budget=0`` draws only
      the final plot.
    * ``live``: redraw during training (True) or only at the end (False); default: during
      training when someone can watch (a notebook front end, or a script writing ``save_to``).
    * ``save_to``: image path to write (in a notebook too), ending in ``.png``, ``.jpg`` or
      ``.jpeg`` (the format follows the suffix); ``None`` for no file; default ``"auto"`` =
      ``liveplot.png`` in scripts only.
    * ``max_batch_points``: per-batch points kept (older ones are thinned).

    Keep one ``LivePlot`` to continue its curves over several ``fit`` calls
    (e.g. resuming with ``initial_epoch``); use a new one for a new plot.
    Pass it once per ``fit``: ``callbacks=[plot, plot]`` raises a ``ValueError``
    (every epoch would be recorded twice).

    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    >>> model.compile(keras.optimizers.SGD(0.1), "mse")
    >>> x = np.linspace(-1, 1, 32).reshape(-1, 1); y = 3 * x
    >>> plot = LivePlot(save_to=None)
    >>> _ = model.fit(x, y, epochs=2, verbose=0, callbacks=[plot])
    LivePlot: 2 epochs (1-2)
    ...
    >>> _ = model.fit(x, y, epochs=2, verbose=0, callbacks=[plot])   # the curve continues
    LivePlot: 4 epochs (1-4) in 2 fits
    ...
    >>> plot.history.epoch, plot.history.fit_starts
    ([0, 1, 2, 3], [0, 2])
    """

    def __init__(self, metrics=None, *, log_scale=False, update="epoch", smoothing=0.8, monitor=None,
                 mode="auto", budget=0.05, live=None, save_to="auto", max_batch_points=2000):
        super().__init__()
        try:
            _validate.choice(update, "update", ("epoch", "batch"))
        except ValueError as error:
            raise ValueError(f"{error} 'epoch' redraws after each epoch, 'batch' also plots the loss of every "
                             "batch.") from None
        smoothing = _number(smoothing, "smoothing", "0 keeps the raw batch losses, 0.9 smooths strongly.", low=0,
                            high=1, high_open=True, example="0.8")
        check_mode(mode)
        check_monitor(monitor)
        budget = _number(budget, "budget", "It is the fraction of the training time drawing may take (0.05 means "
                         "5%; float('inf') redraws every time).", low=0, finite=False, example="0.05")
        live = _validate.flag(live, "live", allow_none=True)
        _check_save_to(save_to)
        max_batch_points = _validate.count(max_batch_points, "max_batch_points", low=2, example=2000,
                                           hint="It is the number of per-batch points kept.")
        self.metrics = check_metrics(metrics)
        self.log_scale = check_log_scale(log_scale)
        self.update = update
        self.smoothing = float(smoothing)
        self.monitor = monitor
        self.mode = mode
        self._summary_mode = mode
        self._mode_resolved = False
        self.live = live
        self.save_to = save_to
        self.history = TrainingHistory(batch_capacity=max_batch_points)
        self.environment = None
        self._budget = _display.RedrawBudget(budget, first_free=True)  # the first frame at once
        self._guard = FitGuard(self, "plot")
        self._renderer = HistoryRenderer(metrics=self.metrics, log_scale=self.log_scale, monitor=monitor,
                                         mode=mode, batches=update == "batch")
        self._slot = _display.OutputSlot()
        self._costs = {"full": _FULL_DRAW_GUESS, "blit": _BLIT_GUESS}
        self._measured = set()
        self._warned = False
        self._failed = False
        self._drawing = False
        self._path = None
        self._redraw_live = False
        self._read_learning_rate = False
        self._epoch_learning_rate = math.nan
        if update == "batch":
            # Only then is the batch hook overridden, so that Keras keeps its fast path otherwise.
            self.on_train_batch_end = self._record_batch

    def __repr__(self) -> str:
        return f"LivePlot(update={self.update!r}, budget={self._budget.fraction:g}, epochs={len(self.history)})"

    @property
    def figure(self):
        """The matplotlib figure of the last drawing (None before the first)."""
        return self._renderer.figure

    @property
    def budget(self) -> _display.RedrawBudget:
        """Time spent drawing in the latest fit: ``budget.spent`` seconds over ``budget.draws`` draws."""
        return self._budget

    # hooks -----------------------------------------------------------------------------------

    def set_model(self, model):
        super().set_model(model)
        self._guard.new_callback_list()

    def on_train_begin(self, logs=None):
        self._guard.begin("on_train_begin")
        self.environment = _display.detect_environment()
        self._path = self._resolve_path()
        self._drawing = self.environment.rich or self._path is not None
        self._redraw_live = self.live if self.live is not None else (
            self.environment.live or (not self.environment.rich and self._path is not None))
        self._failed = False
        self._mode_resolved = False
        self.history.begin_fit()
        self._budget.start()

    def _resolve_mode(self, logs) -> None:
        """For ``mode="auto"`` and a chosen ``monitor``, Keras 3's rule: ask the compiled metric.

        As in ``EarlyStopping``, at the end of the first epoch, once the compiled metrics are built."""
        if self._mode_resolved or self.mode != "auto" or self.monitor is None or self.monitor not in logs:
            return  # a monitor missing from the logs gets a warning with the logged names at the end
        self._mode_resolved = True
        direction = keras_direction(self.model, self.monitor)
        if direction is None:
            raise ValueError(
                f"LivePlot(monitor={self.monitor!r}, mode='auto'): Keras cannot tell whether {self.monitor!r} "
                "should be maximised or minimised (only 'loss' and compiled metrics with a direction are known; "
                "a metric written as a plain function has none). Pass mode='max' if higher is better or "
                "mode='min' if lower is, as keras.callbacks.EarlyStopping would ask.")
        self._renderer.mode = direction
        self._summary_mode = direction

    def on_epoch_begin(self, epoch, logs=None):
        self._guard.other_hook()
        epochs = (self.params or {}).get("epochs")
        self.history.start_epoch(epoch, epochs)
        self._read_learning_rate = True
        self._epoch_learning_rate = math.nan

    def on_train_batch_begin(self, batch, logs=None):
        # The rate used in an epoch is read at its first batch, after every
        # callback's on_epoch_begin (LearningRateScheduler) has run.
        if self._read_learning_rate:
            self._read_learning_rate = False
            self._epoch_learning_rate = self._current_learning_rate()

    def _record_batch(self, batch, logs=None):
        self.history.record_batch(batch, logs, steps=(self.params or {}).get("steps"), smoothing=self.smoothing)
        self._maybe_redraw()

    def on_epoch_end(self, epoch, logs=None):
        self._resolve_mode(logs or {})
        rate = self._epoch_learning_rate
        if not math.isfinite(rate):
            rate = self._current_learning_rate()
        self.history.end_epoch(epoch, logs or {}, learning_rate=rate)
        self._maybe_redraw()

    def on_train_end(self, logs=None):
        self._guard.other_hook()
        self.history.end_fit(stopped=bool(getattr(self.model, "stop_training", False)))
        if not len(self.history):
            return
        self._check_names()
        shown = self._drawing and not self._failed and self._frame(final=True)
        if not self.environment.rich or not shown:
            lines = [self.history.summary(self.monitor, self._summary_mode, title="LivePlot")]
            if shown and self._path is not None:
                lines.append(f"plot saved to {self._path}")
            print("\n".join(lines))

    # drawing -----------------------------------------------------------------------------------

    def _resolve_path(self):
        if self.save_to is None:
            return None
        if self.save_to == "auto":
            return None if self.environment.rich else Path("liveplot.png")
        return Path(self.save_to)

    def _current_learning_rate(self) -> float:
        try:
            rate = self.model.optimizer.learning_rate
            return float(np.asarray(rate.numpy() if hasattr(rate, "numpy") else rate).reshape(()))
        except Exception:  # no optimizer, or a rate that is not a number
            return math.nan

    def _maybe_redraw(self):
        if not (self._redraw_live and self._drawing) or self._failed:
            return
        blit = self._costs["blit"]
        if not self._budget.allows(blit, reserve=blit):
            return
        try:
            kind = self._renderer.plan(self.history)
        except Exception as error:
            self._fail("plan the live plot", error)
            return
        if self._budget.allows(self._costs[kind], reserve=blit):
            self._frame(final=False)

    def _frame(self, *, final: bool) -> bool:
        try:
            with self._budget.timed():
                start = self._budget.clock()
                kind = self._renderer.draw(self.history)
                png = self._renderer.png(compress_level=6 if final else 1)
                if self.environment.rich:
                    self._slot.show(_display.png_bundle(png, self._renderer.text()))
                if self._path is not None:
                    file_format = IMAGE_SUFFIXES[self._path.suffix.lower()]
                    data = png if file_format == "png" else self._renderer.image(file_format)
                    _write_atomically(self._path, data)
                cost = self._budget.clock() - start
        except Exception as error:
            self._fail("draw the live plot", error)
            return False
        if kind in self._measured:
            cost = 0.5 * (self._costs[kind] + cost)
        self._costs[kind] = cost
        self._measured.add(kind)
        return True

    def _fail(self, what, error):
        self._failed = True
        self._warn(
            f"LivePlot could not {what} ({type(error).__name__}: {error}). Training goes on without "
            "it; the values are still collected in .history (plot them later with .history.plot())."
        )

    def _warn(self, message):
        if not self._warned:
            self._warned = True
            warnings.warn(message, RuntimeWarning, stacklevel=3)

    def _check_names(self):
        logged = self.history.metric_names
        missing = [name for name in self.metrics or () if name not in logged]
        if missing:
            suggestion = _validate.did_you_mean(missing[0], logged)
            self._warn(f"LivePlot(metrics=...): {', '.join(map(repr, missing))} never appeared in logs; "
                       f"the logs hold {', '.join(self.history.keys)}.{suggestion}")
        if self.monitor is not None and self.monitor not in self.history.keys:
            suggestion = _validate.did_you_mean(self.monitor, self.history.keys)
            self._warn(f"LivePlot(monitor={self.monitor!r}): no such key in logs, so no best epoch is "
                       f"marked; the logs hold {', '.join(self.history.keys)}.{suggestion}")


def _number(value, name, meaning, **bounds):
    try:
        return _validate.number(value, name, **bounds)
    except ValueError as error:
        raise ValueError(f"{error} {meaning}") from None


def _check_save_to(save_to):
    """``save_to`` is 'auto', None or an image path whose suffix names a format we write."""
    if save_to is None or (isinstance(save_to, str) and save_to == "auto"):
        return
    if not isinstance(save_to, (str, os.PathLike)):
        raise TypeError(f"save_to must be a file path, None (no file) or 'auto', got {_validate.describe(save_to)}.")
    path = Path(save_to)
    suffixes = ", ".join(IMAGE_SUFFIXES)
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise ValueError(f"save_to must end in one of {suffixes} (the image format follows the suffix), got "
                         f"{str(save_to)!r}; e.g. save_to='liveplot.png'.")
    if path.is_dir():
        raise ValueError(f"save_to {str(save_to)!r} is a folder; give a file path such as "
                         f"{str(path / 'liveplot.png')!r}.")

