"""Keras callbacks that show and explain training.

* :class:`LivePlot` draws the loss and metrics while ``model.fit`` runs, for
  a few percent of the training time, in JupyterLab, classic Notebook,
  VS Code, a plain script (PNG file + text summary) and headless test runs.
* :class:`CallbackTracer` records every hook Keras calls, in order, with the
  ``logs`` it received, and shows them as a table: *when* does each hook run,
  and *what* is in ``logs``?
* :class:`TrainingHistory` is what :class:`LivePlot` collects: plain data, like
  ``keras.callbacks.History``, that you can print, query and plot again
  without re-training.

>>> import tfedu, keras
>>> _ = tfedu.setup()
>>> x, y = tfedu.data.load_digits(flatten=True)
>>> model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])
>>> model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
>>> plot = LivePlot(save_to=None)          # in a notebook: LivePlot()
>>> _ = model.fit(x[:400], y[:400], epochs=3, validation_split=0.25, verbose=0, callbacks=[plot])
LivePlot: 3 epochs (1-3)
metric      train  validation
loss          ...         ...
accuracy      ...         ...
best val_loss ... at epoch 3
>>> plot.history.epoch, plot.history.metric_names
([0, 1, 2], ['loss', 'accuracy'])
"""
# The family: history.py collects (plain data, no drawing), renderer.py (+ layout.py) draws the
# collected history on one reused figure, liveplot.py is the callback that decides when and where
# to show it, tracer.py is CallbackTracer; options.py and guard.py are shared by those.
from __future__ import annotations

from tfedu.callbacks.history import BatchHistory, BestEpoch, TrainingHistory
from tfedu.callbacks.liveplot import LivePlot
from tfedu.callbacks.tracer import CallbackTracer, HookCall

__all__ = ["LivePlot", "CallbackTracer", "TrainingHistory", "BatchHistory", "BestEpoch", "HookCall"]
