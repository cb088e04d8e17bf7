"""What :class:`tfedu.callbacks.LivePlot` collects: the *compute* layer, plain data.

:class:`TrainingHistory` is like ``keras.callbacks.History`` plus what a plot
needs: values aligned by epoch across several ``fit`` calls, the learning
rate of each epoch, where training stopped early, and a thinned per-batch
trace (:class:`BatchHistory`). No Keras and no matplotlib here: it can be
filled by hand, tested, printed, and drawn later.

>>> history = TrainingHistory()
>>> history.end_epoch(0, {"loss": 0.5, "val_loss": 0.6})
>>> history.metric_names, history.best().epoch
(['loss'], 0)
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np

from tfedu import _display, _validate
from tfedu._text import significant
from tfedu.callbacks.options import check_log_scale, check_metrics, check_mode, check_monitor, resolve_mode

__all__ = ["TrainingHistory", "BatchHistory", "BestEpoch"]

_LEARNING_RATE_KEYS = ("learning_rate", "lr")


def _is_learning_rate_key(key: str) -> bool:
    return key in _LEARNING_RATE_KEYS or key.startswith("learning_rate_")


def scalar(value):
    """``value`` as a float, or None when it is not a single number (e.g. a per-class array)."""
    try:
        if np.ndim(value) != 0:
            return None
        return float(value)
    except (TypeError, ValueError):
        return None


def format_value(value: float | None) -> str:
    """A logged value with 4 significant digits (``nan`` and ``inf`` as such), ``-`` when missing.

    >>> format_value(0.123456), format_value(None), format_value(float("nan"))
    ('0.1235', '-', 'nan')
    """
    if value is None:
        return "-"
    return significant(value, 4)


class BatchHistory:
    """Per-batch values, thinned so that at most ``capacity`` points are kept.

    When the buffer is full every other point is dropped and from then on
    only every second (then fourth, ...) batch is recorded: a long fit keeps
    an evenly spaced, bounded trace.

    >>> trace = BatchHistory(capacity=4)
    >>> for step in range(10):
    ...     trace.append(step / 10, {"loss": float(step)})
    >>> trace.position.tolist(), trace.values["loss"].tolist(), trace.stride
    ([0.0, 0.4, 0.8], [0.0, 4.0, 8.0], 4)
    """

    def __init__(self, capacity: int = 2000):
        self.capacity = _validate.count(capacity, "capacity", low=2, example=2000,
                                        hint="It is the number of points kept per metric.")
        self.stride = 1
        self._seen = 0
        self._position = []
        self._values = {}

    def append(self, position: float, values: dict) -> None:
        """Record the values after one batch; ``position`` is in epochs (1.5 = middle of epoch 2)."""
        self._seen += 1
        if (self._seen - 1) % self.stride:
            return
        count = len(self._position)
        self._position.append(float(position))
        for name in set(self._values) | set(values):
            self._values.setdefault(name, [math.nan] * count).append(float(values.get(name, math.nan)))
        if len(self._position) > self.capacity:
            self._position = self._position[::2]
            self._values = {name: column[::2] for name, column in self._values.items()}
            self.stride *= 2

    @property
    def position(self) -> np.ndarray:
        return np.asarray(self._position, dtype=float)

    @property
    def values(self) -> dict:
        return {name: np.asarray(column, dtype=float) for name, column in self._values.items()}

    def __len__(self) -> int:
        return len(self._position)


@dataclass(frozen=True)
class BestEpoch:
    """The best epoch of a monitored metric (``epoch`` counts from 0, as in Keras hooks).

    >>> print(BestEpoch("val_loss", 7, 0.1234, "min"))
    best val_loss 0.1234 at epoch 8
    """

    monitor: str
    epoch: int
    value: float
    mode: str

    def __str__(self) -> str:
        return f"best {self.monitor} {format_value(self.value)} at epoch {self.epoch + 1}"


class TrainingHistory:
    """Everything :class:`LivePlot` collected, as plain data.

    Like ``keras.callbacks.History``: ``epoch`` lists the epoch numbers
    (from 0, as Keras passes them to hooks; plots and summaries count from 1
    like the progress bar) and ``history`` maps each ``logs`` key to one value
    per epoch, ``nan`` where it was not logged (e.g. ``val_loss`` with
    ``validation_freq=2``). Repeated ``fit`` calls continue the epochs.
    Also kept: the learning rate of each epoch, where training stopped early,
    where each ``fit`` started, and a thinned per-batch trace.

    >>> history = TrainingHistory()
    >>> history.begin_fit()
    >>> for epoch, logs in enumerate([{"loss": 0.9}, {"loss": 0.5, "val_loss": 0.7}, {"loss": 0.4}]):
    ...     history.start_epoch(epoch, epochs=3)
    ...     history.end_epoch(epoch, logs, learning_rate=0.01)
    >>> history.history
    {'loss': [0.9, 0.5, 0.4], 'val_loss': [nan, 0.7, nan]}
    >>> history.series("val_loss")
    (array([1]), array([0.7]))
    >>> print(history.best())
    best val_loss 0.7 at epoch 2
    """

    def __init__(self, batch_capacity: int = 2000):
        self.epoch = []
        self.learning_rate = []
        self.stopped_epochs = []
        self.fit_starts = []
        self.planned_last_epoch = None
        self.batches = BatchHistory(batch_capacity)
        self.skipped_keys = set()
        self._logs = {}
        self._offset = 0
        self._fit_pending = True
        self._current = None
        self._running = {}
        self._smoothed = {}
        self._batches_per_epoch = None

    @classmethod
    def from_logs(cls, logs, *, epochs=None) -> "TrainingHistory":
        """A history from logs kept elsewhere: a Keras ``History``, its ``.history`` dict, or a Playground's.

        ``logs`` maps each key to one value per recorded epoch; ``epochs`` gives the epoch
        number (counted from 1, as the progress bar does) of each entry when they are not
        1, 2, 3... (a Playground logs every few epochs: its ``trainer.logged_epochs``).

        >>> history = TrainingHistory.from_logs({"loss": [0.9, 0.5], "val_loss": [1.0, 0.8]}, epochs=[10, 20])
        >>> history.epoch, print(history.best())
        best val_loss 0.8 at epoch 20
        ([9, 19], None)
        """
        logs = getattr(logs, "history", logs)
        if not isinstance(logs, dict) or not logs:
            raise TypeError(f"logs must be a Keras History or a dict such as {{'loss': [0.9, 0.5]}}, got "
                            f"{_validate.describe(logs)}.")
        lengths = {key: len(values) for key, values in logs.items()}
        count = max(lengths.values())
        if len(set(lengths.values())) != 1:
            raise ValueError(f"logs must hold one value per epoch for every key; the lengths differ: {lengths}.")
        if epochs is None:
            epochs = range(1, count + 1)
        epochs = [int(epoch) for epoch in epochs]
        if len(epochs) != count or any(b <= a for a, b in zip(epochs, epochs[1:])) or (epochs and epochs[0] < 1):
            raise ValueError(f"epochs must be {count} increasing epoch numbers from 1 on (one per logged entry), "
                             f"got {epochs[:5]}{'...' if len(epochs) > 5 else ''}.")
        history = cls()
        history.begin_fit()
        for index, epoch in enumerate(epochs):
            history.start_epoch(epoch - 1)
            history.end_epoch(epoch - 1, {key: values[index] for key, values in logs.items()})
        return history

    # recording (called by LivePlot's hooks) ----------------------------------------------

    def begin_fit(self) -> None:
        """A new ``fit`` starts: its first epoch continues the curves."""
        self._fit_pending = True
        self._smoothed = {}

    def start_epoch(self, epoch: int, epochs: int | None = None) -> None:
        """Keras starts ``epoch`` of a fit running to ``epochs`` (numbered on from earlier fits)."""
        if self._fit_pending:
            last = self.epoch[-1] if self.epoch else None
            self._offset = 0 if last is None or epoch > last else last + 1 - epoch
            self._fit_pending = False
            self.fit_starts.append(epoch + self._offset)
            self.planned_last_epoch = None if epochs is None else epochs - 1 + self._offset
        self._current = epoch + self._offset
        self._running = {}

    def end_epoch(self, epoch: int, logs: dict, learning_rate: float = math.nan) -> None:
        """Record the epoch's ``logs`` (non-scalar values are skipped) and learning rate."""
        if logs is not None and not hasattr(logs, "items"):
            raise TypeError(f"logs must be a dict of values by name, such as {{'loss': 0.5}}, got "
                            f"{_validate.describe(logs)}.")
        if self._fit_pending or self._current is None:
            self.start_epoch(epoch)
        count = len(self.epoch)
        self.epoch.append(epoch + self._offset)
        for key, value in (logs or {}).items():
            number = scalar(value)
            if number is None:
                self.skipped_keys.add(key)
                continue
            self._logs.setdefault(key, [None] * count).append(number)
        for column in self._logs.values():
            if len(column) == count:
                column.append(None)
        if not math.isfinite(learning_rate):
            logged = scalar((logs or {}).get("learning_rate"))
            learning_rate = math.nan if logged is None else logged
        self.learning_rate.append(float(learning_rate))
        if self._running:
            self._batches_per_epoch = max(count for count, _ in self._running.values())
        self._current = None

    def record_batch(self, batch: int, logs: dict, *, steps: int | None = None, smoothing: float = 0.8,
                     names=("loss",)) -> None:
        """Record the training loss after a batch.

        Keras logs the *running mean* of the loss since the start of the
        epoch; the loss of the batches since the last call is recovered from
        two consecutive means (exact for equal-sized batches), then smoothed
        with a debiased exponential moving average (``smoothing=0`` keeps the
        raw values), as TensorBoard does.
        """
        if self._current is None:
            return
        smoothing = _validate.number(smoothing, "smoothing", low=0, high=1, high_open=True, example="0.8")
        count = batch + 1
        values = {}
        for name in names:
            mean = scalar((logs or {}).get(name))
            if mean is None:
                continue
            previous_count, previous_mean = self._running.get(name, (0, 0.0))
            if count <= previous_count:
                previous_count, previous_mean = 0, 0.0
            self._running[name] = (count, mean)
            raw = (count * mean - previous_count * previous_mean) / (count - previous_count)
            if not math.isfinite(raw):
                values[name] = math.nan
                continue
            average, seen = self._smoothed.get(name, (0.0, 0))
            average, seen = smoothing * average + (1 - smoothing) * raw, seen + 1
            self._smoothed[name] = (average, seen)
            values[name] = average / (1 - smoothing**seen) if smoothing else raw
        if values:
            per_epoch = steps or self._batches_per_epoch or count
            self.batches.append(self._current + min(count / per_epoch, 1.0), values)

    def end_fit(self, *, stopped: bool = False) -> None:
        """The ``fit`` ended; ``stopped`` when it ended early (``model.stop_training``)."""
        if stopped and self.epoch:
            self.stopped_epochs.append(self.epoch[-1])
            self.planned_last_epoch = self.epoch[-1]
        self._fit_pending = True
        self._current = None

    # reading ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.epoch)

    @property
    def keys(self) -> list:
        """The ``logs`` keys recorded so far, in order of appearance."""
        return list(self._logs)

    @property
    def history(self) -> dict:
        """``{key: [value per epoch]}`` like ``keras.callbacks.History.history``, ``nan`` where not logged."""
        return {key: [math.nan if v is None else v for v in column] for key, column in self._logs.items()}

    @property
    def metric_names(self) -> list:
        """One name per plot panel: ``loss`` pairs ``loss`` with ``val_loss``; learning rates left out."""
        names = []
        for key in self._logs:
            if _is_learning_rate_key(key) or _is_learning_rate_key(key.removeprefix("val_")):
                continue
            name = key.removeprefix("val_")
            if name not in names:
                names.append(name)
        return sorted(names, key=lambda name: name != "loss")

    def series(self, key: str):
        """``(epochs, values)`` as arrays, only the epochs where ``key`` was logged (values may be nan)."""
        if not isinstance(key, str):
            raise TypeError(f"key must be a logs key such as 'loss' or 'val_loss', got {_validate.describe(key)}.")
        column = self._logs.get(key, [])
        pairs = [(epoch, value) for epoch, value in zip(self.epoch, column) if value is not None]
        epochs = np.array([epoch for epoch, _ in pairs], dtype=int)
        return epochs, np.array([value for _, value in pairs], dtype=float)

    def nonfinite_epochs(self, key: str) -> np.ndarray:
        """Epochs where ``key`` was logged as nan or infinity (the loss diverged)."""
        epochs, values = self.series(key)
        return epochs[~np.isfinite(values)]

    @property
    def learning_rate_changed(self) -> bool:
        """Whether the learning rate took more than one value (a schedule or callback changed it)."""
        rates = np.asarray(self.learning_rate, dtype=float)
        rates = rates[np.isfinite(rates)]
        return rates.size > 1 and not np.allclose(rates, rates[0], rtol=1e-6, atol=0.0)

    @property
    def stopped_epoch(self) -> int | None:
        """The last epoch of the latest fit that stopped early (e.g. ``EarlyStopping``), or None."""
        return self.stopped_epochs[-1] if self.stopped_epochs else None

    def best(self, monitor: str | None = None, mode: str = "auto") -> BestEpoch | None:
        """The best epoch of ``monitor`` (default ``val_loss``, else ``loss``); None if never logged.

        ``mode`` is ``"min"``, ``"max"`` or ``"auto"``. A bare history has no model to ask, so
        ``"auto"`` guesses ``max`` for accuracy, AUC, precision, recall, F1 and IoU, else ``min``
        (LivePlot asks the compiled metric, as Keras 3 does); ties go to the
        first epoch, as in ``EarlyStopping``.
        """
        check_mode(mode)
        check_monitor(monitor)
        if monitor is None:
            monitor = "val_loss" if "val_loss" in self._logs else "loss"
        epochs, values = self.series(monitor)
        finite = np.isfinite(values)
        if not finite.any():
            return None
        mode = resolve_mode(monitor, mode)
        masked = np.where(finite, values, np.inf if mode == "min" else -np.inf)
        index = int(np.argmin(masked) if mode == "min" else np.argmax(masked))
        return BestEpoch(monitor, int(epochs[index]), float(values[index]), mode)

    def _last(self, key):
        epochs, values = self.series(key)
        return float(values[-1]) if len(values) else None

    def _table(self):
        return [(name, self._last(name), self._last(f"val_{name}")) for name in self.metric_names]

    def summary(self, monitor: str | None = None, mode: str = "auto", *, title: str = "TrainingHistory") -> str:
        """A few lines: epochs, last train/validation values, best epoch, learning rate.

        >>> history = TrainingHistory()
        >>> for epoch, rate in enumerate([0.1, 0.1, 0.05]):
        ...     history.end_epoch(epoch, {"loss": 1 / (epoch + 1), "val_loss": 0.9}, learning_rate=rate)
        >>> print(history.summary(title="fit"))
        fit: 3 epochs (1-3)
        metric     train  validation
        loss      0.3333         0.9
        best val_loss 0.9 at epoch 1
        learning rate 0.1 -> 0.05
        """
        check_mode(mode)
        check_monitor(monitor)
        if not self.epoch:
            return f"{title}: no epochs recorded yet"
        first, last = self.epoch[0] + 1, self.epoch[-1] + 1
        head = f"{title}: {len(self.epoch)} epoch{'s' * (len(self.epoch) != 1)} ({first}-{last})"
        if len(self.fit_starts) > 1:
            head += f" in {len(self.fit_starts)} fits"
        if self.stopped_epoch is not None:
            head += f", stopped early after epoch {self.stopped_epoch + 1}"
        rows = [("metric", "train", "validation")]
        rows += [(name, format_value(train), format_value(val)) for name, train, val in self._table()]
        width = max(len(row[0]) for row in rows)
        lines = [head] + [f"{a:<{width}} {b:>9} {c:>11}" for a, b, c in rows]
        best = self.best(monitor, mode)
        if best is not None:
            lines.append(str(best))
        if self.learning_rate_changed:
            rates = [rate for rate in self.learning_rate if math.isfinite(rate)]
            lines.append(f"learning rate {format_value(rates[0])} -> {format_value(rates[-1])}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        if not self.epoch:
            return "<p><b>TrainingHistory</b>: no epochs recorded yet</p>"
        head, *_ = self.summary().splitlines()
        cells = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{format_value(train)}</td><td>{format_value(val)}</td></tr>"
            for name, train, val in self._table()
        )
        extra = [str(self.best())] if self.best() else []
        if self.learning_rate_changed:
            extra.append(self.summary().splitlines()[-1])
        notes = "".join(f"<br>{html.escape(line)}" for line in extra)
        return (f"<p><b>{html.escape(head)}</b></p><table><tr><th>metric</th><th>train</th>"
                f"<th>validation</th></tr>{cells}</table><p>{notes.removeprefix('<br>')}</p>")

    def plot(self, metrics=None, *, log_scale=False, monitor=None, mode="auto"):
        """Draw the history again (no re-training) and return the matplotlib ``Figure``.

        In a notebook the figure shows as the cell's result; in a script,
        ``fig.savefig("history.png")``.

        >>> history = TrainingHistory()
        >>> for epoch, loss in enumerate([1.0, 0.6, 0.5]):
        ...     history.end_epoch(epoch, {"loss": loss, "accuracy": 1 - loss / 2})
        >>> history.plot()
        <Figure size 786x300 with 2 Axes>
        """
        from tfedu.callbacks.renderer import HistoryRenderer

        metrics, log_scale = check_metrics(metrics), check_log_scale(log_scale)
        monitor, mode = check_monitor(monitor), check_mode(mode)
        _display.enable_figure_display()
        renderer = HistoryRenderer(metrics=metrics, log_scale=log_scale,
                                   monitor=monitor, mode=mode, batches=len(self.batches) > 0)
        renderer.draw(self)
        return renderer.figure
