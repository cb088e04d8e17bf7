"""CallbackTracer: every hook Keras calls, in order, with the ``logs`` it received.

Public as :class:`tfedu.callbacks.CallbackTracer`; see its docstring.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import keras

from tfedu import _validate
from tfedu._text import table
from tfedu.callbacks.guard import FitGuard
from tfedu.callbacks.history import format_value, scalar

__all__ = ["CallbackTracer", "HookCall"]

# Hooks that start a run of their own (fit, evaluate, predict); on_test_begin may also be validation inside fit.
_RUN_BEGINS = ("on_train_begin", "on_test_begin", "on_predict_begin")


@dataclass(frozen=True)
class HookCall:
    """One call Keras made to a callback hook.

    ``epoch`` is the epoch the call belongs to (None outside the epochs of
    ``fit``), ``batch`` the batch index Keras passed (None for other hooks),
    ``logs`` what the hook received (numbers as floats, arrays summarised as
    ``array(shape=..., dtype=...)``), ``depth`` how deeply it is nested in
    other begin/end pairs. A row with ``hook == "..."`` stands for
    ``skipped`` batches whose calls were left out of the trace.
    """

    hook: str
    epoch: int | None
    batch: int | None
    logs: dict
    depth: int = 0
    skipped: int = 0


def _summarise_logs(logs):
    summary = {}
    for key, value in (logs or {}).items():
        number = scalar(value)
        if number is not None:
            summary[key] = number
        else:
            shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
            summary[key] = (f"array(shape={tuple(shape)}, dtype={dtype})" if shape is not None
                            else type(value).__name__)
    return summary


def _format_logs(logs):
    if not logs:
        return "{}"
    return ", ".join(f"{key}={format_value(value) if isinstance(value, float) else value}"
                     for key, value in logs.items())


class CallbackTracer(keras.callbacks.Callback):
    """Record every hook Keras calls, in order, with the ``logs`` it received.

    Pass it to ``fit``, ``evaluate`` or ``predict`` and look at it: a table
    (HTML in a notebook, text elsewhere) of the calls, indented by nesting,
    with the epoch, the batch index Keras passed, and the keys and values in
    ``logs``. Validation inside ``fit`` shows up as ``on_test_*`` calls
    before ``on_epoch_end``. Of each run of batches (an epoch's training,
    a validation, an evaluation, a prediction) the first ``max_batches`` and
    the last are kept; a ``...`` row counts the batches left out.
    ``max_calls`` bounds the whole trace; :meth:`clear` empties it. A new
    ``fit``, ``evaluate`` or ``predict`` starts at the top level even if an
    earlier one stopped with an exception; passing the same tracer twice
    (``callbacks=[tracer, tracer]``) raises a ``ValueError``.

    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile("sgd", "mse")
    >>> tracer = CallbackTracer(max_batches=1)
    >>> _ = model.fit(np.ones((8, 2)), np.ones(8), batch_size=2, epochs=1, verbose=0,
    ...               validation_data=(np.ones((2, 2)), np.ones(2)), callbacks=[tracer])
    >>> print(tracer)
    CallbackTracer: 16 calls
     #  hook                        epoch  batch  logs
     1  on_train_begin                  -      -  {}
     2    on_epoch_begin                0      -  {}
     3      on_train_batch_begin        0      0  {}
     4      on_train_batch_end          0      0  loss=...
     5      ...                         0      -  2 batches left out
     6      on_train_batch_begin        0      3  {}
     7      on_train_batch_end          0      3  loss=...
     8      on_test_begin               0      -  {}
     9        on_test_batch_begin       0      0  {}
    10        on_test_batch_end         0      0  loss=...
    11      on_test_end                 0      -  loss=...
    12    on_epoch_end                  0      -  loss=..., val_loss=...
    13  on_train_end                    -      -  loss=..., val_loss=...
    >>> tracer.hooks()[:3]
    ['on_train_begin', 'on_epoch_begin', 'on_train_batch_begin']
    """

    def __init__(self, max_batches: int = 3, max_calls: int = 2000):
        super().__init__()
        self.max_batches = _validate.count(max_batches, "max_batches", example=3,
                                           hint="It is the number of batches kept at the start of each run.")
        self.max_calls = _validate.count(max_calls, "max_calls", low=10, example=2000,
                                         hint="It bounds the number of calls kept in the trace.")
        self._guard = FitGuard(self, "tracer")
        self.clear()

    def set_model(self, model):
        super().set_model(model)
        self._guard.new_callback_list()

    def clear(self) -> None:
        """Forget every recorded call."""
        self.calls = []
        self.dropped = 0
        self._epoch = None
        self._depth = 0
        self._batches = 0     # batches seen in the current run of batches
        self._held = []       # the latest batch's calls, beyond max_batches
        self._skipped = 0     # batches left out of the current run

    # recording --------------------------------------------------------------------------------

    def _append(self, call):
        if len(self.calls) < self.max_calls:
            self.calls.append(call)
        else:
            self.dropped += 1 + 2 * call.skipped

    def _end_batch_run(self):
        """A non-batch hook came: write out the last batch held back and how many were left out."""
        if self._skipped:
            self._append(HookCall("...", self._held[0].epoch, None, {}, self._depth, self._skipped))
        for call in self._held:
            self._append(call)
        self._held, self._skipped, self._batches = [], 0, 0

    def _begin_run(self, hook):
        """A begin hook of fit/evaluate/predict: a new run starts at the top level, whatever an earlier
        run that raised left behind (only validation inside fit is nested)."""
        new_run = self._guard.begin(hook)
        if hook != "on_test_begin" or new_run or self._depth == 0:
            self._end_batch_run()
            self._depth = 0
            self._epoch = None

    def _record(self, hook, batch=None, logs=None):
        if hook not in _RUN_BEGINS:
            self._guard.other_hook()
        epoch = self._epoch if hook not in ("on_train_begin", "on_train_end") else None
        if batch is None:
            self._end_batch_run()
            if hook.endswith("_end"):
                self._depth = max(self._depth - 1, 0)
            self._append(HookCall(hook, epoch, None, _summarise_logs(logs), self._depth))
            if hook.endswith("_begin"):
                self._depth += 1
            return
        call = HookCall(hook, epoch, batch, _summarise_logs(logs), self._depth)
        if hook.endswith("_begin"):
            self._batches += 1
            if self._batches > self.max_batches + 1:
                self._skipped += 1
                self._held = []
        if self._batches <= self.max_batches:
            self._append(call)
        else:
            self._held.append(call)

    def on_train_begin(self, logs=None):
        self._begin_run("on_train_begin")
        self._record("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._record("on_train_end", logs=logs)
        self._epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._record("on_epoch_begin", logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._record("on_epoch_end", logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._record("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._record("on_train_batch_end", batch, logs)

    def on_test_begin(self, logs=None):
        self._begin_run("on_test_begin")
        self._record("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._record("on_test_end", logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._record("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._record("on_test_batch_end", batch, logs)

    def on_predict_begin(self, logs=None):
        self._begin_run("on_predict_begin")
        self._record("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._record("on_predict_end", logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._record("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._record("on_predict_batch_end", batch, logs)

    # reading ------------------------------------------------------------------------------------

    def hooks(self) -> list:
        """The names of the recorded hooks in call order (``...`` rows left out)."""
        return [call.hook for call in self.calls if call.hook != "..."]

    def _rows(self):
        for number, call in enumerate(self.calls, start=1):
            if call.hook == "...":
                logs = f"{call.skipped} batch{'es' * (call.skipped != 1)} left out"
            else:
                logs = _format_logs(call.logs)
            yield (str(number), call.depth, call.hook,
                   "-" if call.epoch is None else str(call.epoch),
                   "-" if call.batch is None else str(call.batch), logs)

    def _title(self):
        kept = sum(1 for call in self.calls if call.hook != "...")
        total = kept + sum(2 * call.skipped for call in self.calls) + self.dropped
        extra = f", {self.dropped} not kept (max_calls={self.max_calls})" if self.dropped else ""
        return f"CallbackTracer: {total} calls{extra}"

    def __str__(self) -> str:
        rows = list(self._rows())
        if not rows:
            return "CallbackTracer: no calls yet (pass it to fit, evaluate or predict: callbacks=[tracer])"
        cells = [(number, "  " * depth + hook, epoch, batch, logs) for number, depth, hook, epoch, batch, logs in rows]
        return self._title() + "\n" + table(("#", "hook", "epoch", "batch", "logs"), cells, align="rlrrl")

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = list(self._rows())
        if not rows:
            return f"<p>{html.escape(str(self))}</p>"
        body = "".join(
            f"<tr><td>{number}</td><td style='text-align:left;padding-left:{0.4 + 1.5 * depth}em'>"
            f"<code>{html.escape(hook)}</code></td><td>{epoch}</td><td>{batch}</td>"
            f"<td style='text-align:left'>{html.escape(logs)}</td></tr>"
            for number, depth, hook, epoch, batch, logs in rows
        )
        return (f"<p><b>{html.escape(self._title())}</b></p><table><thead><tr><th>#</th>"
                f"<th style='text-align:left'>hook</th><th>epoch</th><th>batch</th>"
                f"<th style='text-align:left'>logs</th></tr></thead><tbody>{body}</tbody></table>")

