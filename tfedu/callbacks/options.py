"""The arguments :class:`~tfedu.callbacks.LivePlot` and :class:`~tfedu.callbacks.TrainingHistory` share.

Private helper of :mod:`tfedu.callbacks`: which metrics to plot, which get a log
scale, the monitored key and whether lower or higher is better (as in
``keras.callbacks.EarlyStopping``), each checked with a message that says what
is accepted.
"""
from __future__ import annotations

import numpy as np

from tfedu import _validate

MODES = ("auto", "min", "max")
# Without a model to ask (a bare TrainingHistory), "auto" guesses from a word in the name.
_MAX_WORDS = ("acc", "auc", "precision", "recall", "f1", "iou")


def resolve_mode(monitor: str, mode: str) -> str:
    """``"min"`` or ``"max"``: ``mode``, or for ``"auto"`` a guess from the name (``max`` for accuracy-like scores).

    This guess is for histories without a model. With a model, Keras 3 (and LivePlot) ask the
    compiled metric instead: see :func:`keras_direction`.

    >>> resolve_mode("val_accuracy", "auto"), resolve_mode("val_loss", "auto")
    ('max', 'min')
    """
    if mode != "auto":
        return mode
    return "max" if any(word in monitor.lower() for word in _MAX_WORDS) else "min"


def _compiled_metrics(model) -> list:
    found = []
    for metric in getattr(model, "metrics", []) or []:
        inner = getattr(metric, "metrics", None)  # Keras's containers of compiled metrics
        found.extend(inner if isinstance(inner, (list, tuple)) else [metric])
    return found


def keras_direction(model, monitor: str) -> str | None:
    """``"min"``, ``"max"`` or None: what ``mode="auto"`` means for ``monitor`` in Keras 3.

    The rule of ``keras.callbacks.EarlyStopping`` and ``ModelCheckpoint`` (Keras 3's
    ``MonitorCallback._set_monitor_op``): ``loss`` and ``val_loss`` are minimised; any other
    name takes the direction of the compiled metric of that name (without ``val_``); a name
    with no such metric, or a metric without a direction (a plain function), has none, and
    Keras raises ``ValueError``. The name alone decides nothing: Keras 2 guessed ``max``
    from ``acc`` in the name, Keras 3 does not.
    """
    name = monitor.removeprefix("val_")
    direction = "min" if name == "loss" else None
    for metric in _compiled_metrics(model):
        if getattr(metric, "name", None) == name and hasattr(metric, "_direction"):
            direction = "max" if metric._direction == "up" else "min"
    return direction


def check_mode(mode):
    """``mode`` if it is ``"auto"``, ``"min"`` or ``"max"``."""
    try:
        return _validate.choice(mode, "mode", MODES)
    except ValueError as error:
        raise ValueError(f"{error} As in keras.callbacks.EarlyStopping: 'min' when lower is better (a loss), "
                         "'max' when higher is (accuracy), 'auto' asks the compiled metric (as Keras 3 does).") from None


def check_monitor(monitor):
    """``monitor`` if it is a logs key (a string) or None."""
    if monitor is not None and not isinstance(monitor, str):
        raise TypeError(f"monitor must be a logs key such as 'val_loss', or None, got {_validate.describe(monitor)}.")
    return monitor


def check_metrics(metrics):
    """The metric names to plot as a tuple (``val_`` dropped: ``loss`` shows both), or None for all."""
    if metrics is None:
        return None
    if isinstance(metrics, str):
        metrics = [metrics]
    if not hasattr(metrics, "__iter__"):
        raise TypeError(f"metrics must be names like 'loss' or 'accuracy' (a list), or None for all, got "
                        f"{_validate.describe(metrics)}.")
    metrics = list(metrics)
    if not metrics:
        raise ValueError("metrics is empty, so nothing would be plotted; give names such as ['loss', 'accuracy'], "
                         "or None for every metric in logs.")
    names = []
    for name in metrics:
        if not isinstance(name, str):
            raise TypeError(f"metrics must be names like 'loss' or 'accuracy', got {name!r}.")
        name = name.removeprefix("val_")
        if name not in names:
            names.append(name)
    return tuple(names)


def check_log_scale(log_scale):
    """True/False for every panel, or the frozenset of metric names that get a logarithmic axis."""
    if isinstance(log_scale, (bool, np.bool_)):
        return bool(log_scale)
    if isinstance(log_scale, str):
        return frozenset(check_metrics([log_scale]))
    try:
        names = list(log_scale)
        return frozenset(check_metrics(names)) if names else frozenset()
    except TypeError:
        raise TypeError(
            f"log_scale must be True/False or metric names such as ['loss'], got {log_scale!r}."
        ) from None
