"""Gradient descent from scratch, made visible: learning rates and batch sizes on a line fit.

* :func:`gradient_descent` (compute) fits ``y ≈ w·x + b`` with a ``GradientTape``
  and ``assign_sub``, in full batches, mini-batches or single samples, and
  records the loss and parameters along the way.
* :func:`draw_batch_comparison` (draw) plots runs with several batch sizes,
  loss per epoch and per update; :func:`compare_batch_sizes` runs and draws them.
* :func:`learning_rate_explorer` (interact) shows a too small, a good and a too
  large learning rate on the same data, with a slider.

>>> import numpy as np
>>> x = np.linspace(-1, 1, 50).astype("float32"); y = 3 * x + 2
>>> run = gradient_descent(x, y, learning_rate=0.5, epochs=100)
>>> round(run.w, 3), round(run.b, 3), run.diverged
(3.0, 2.0, False)
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
import tensorflow as tf

from tfedu._i18n import text as words
from tfedu._figures import check_axes, figure_for, new_figure
from tfedu._text import significant, table
from tfedu._validate import count, describe, float32_array, number
from tfedu._widgets import Explorer, slider_range

__all__ = ["DescentRun", "gradient_descent", "compare_batch_sizes", "BatchComparison", "draw_batch_comparison",
           "learning_rate_explorer", "MAX_UPDATES"]

_DIVERGED = 1e8
#: The most updates (epochs x batches per epoch) one call may make: about a minute of work on a small
#: CPU, so that a typo such as ``epochs=10**7`` does not run for hours. Longer runs are what
#: ``model.fit`` is for.
MAX_UPDATES = 100_000
_FLOAT32 = np.finfo(np.float32)


# --- compute ---------------------------------------------------------------------------------

@dataclass
class DescentRun:
    """One gradient-descent run: the loss over the whole data after each epoch, and more."""

    learning_rate: float
    batch_size: int
    epoch_losses: list            # full-data loss before training and after each epoch
    update_losses: list           # the batch loss at each update
    params: list                  # (w, b) before training and after each epoch
    diverged: bool = False
    updates_per_epoch: int = 1
    history: list = field(default_factory=list)

    @property
    def w(self) -> float:
        return self.params[-1][0]

    @property
    def b(self) -> float:
        return self.params[-1][1]

    @property
    def final_loss(self) -> float:
        return self.epoch_losses[-1]

    def __str__(self) -> str:
        start = _loss_text(self.epoch_losses[0])
        if self.diverged:
            return (f"learning_rate={self.learning_rate:g}, batch_size={self.batch_size}: diverged "
                    f"(loss {start} -> {_loss_text(self.final_loss)} after {len(self.epoch_losses) - 1} epochs)")
        return (f"learning_rate={self.learning_rate:g}, batch_size={self.batch_size}: loss {start} -> "
                f"{_loss_text(self.final_loss)} after {len(self.epoch_losses) - 1} epochs (w={self.w:.3f}, b={self.b:.3f})")

    __repr__ = __str__


def _loss_text(value: float) -> str:
    """A loss with 4 significant digits (not the usual 3: "loss 18.97 -> 3.333" shows a slow rate's small
    progress), and "inf" for a non-finite one, which only a diverged run reaches."""
    return "inf" if not np.isfinite(value) else significant(value, 4)


def _samples(value, name):
    """One finite float32 number per sample: shape (n,) or a column (n, 1)."""
    array = float32_array(value, name)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{name} must hold one number per sample, shape (n,) or (n, 1), got shape {array.shape}: "
                         "this fits a line y = w·x + b to single numbers.")
    return array


def _check_data(x, y):
    x, y = _samples(x, "x"), _samples(y, "y")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same number of samples, got {len(x)} and {len(y)}.")
    return x, y


def _rate(value, name="learning_rate"):
    """A learning rate: a finite number > 0 that float32 (TensorFlow's dtype here) can hold."""
    rate = number(value, name, low=0, low_open=True)
    if not _FLOAT32.tiny <= rate <= _FLOAT32.max:
        raise ValueError(f"{name}={rate:g} cannot be stored as float32 (TensorFlow would use "
                         f"{float(np.float32(rate)):g}); use a rate between {_FLOAT32.tiny:.2g} and {_FLOAT32.max:.2g}.")
    return rate


def _batch_size(value, n, name="batch_size"):
    if value is None:
        return n
    return count(value, name, high=n, hint=f"It is at most the number of samples ({n}); None uses them all "
                                           "in one batch.")


def _check_updates(updates, what):
    if updates > MAX_UPDATES:
        raise ValueError(f"{what} would make {updates:,} updates; the limit is MAX_UPDATES = {MAX_UPDATES:,}, so "
                         "that a cell does not run for hours. Use fewer epochs or a larger batch_size "
                         "(model.fit is the tool for long runs).")


def gradient_descent(x, y, *, learning_rate: float = 0.1, epochs: int = 30, batch_size: int | None = None,
                     w: float = 0.0, b: float = 0.0, seed: int = 0) -> DescentRun:
    """Fit ``y ≈ w·x + b`` by gradient descent on the mean squared error.

    ``batch_size=None`` (or ``len(x)``) is batch gradient descent: one update per
    epoch on all samples. A smaller ``batch_size`` is mini-batch descent, and
    ``batch_size=1`` stochastic gradient descent: the data is shuffled every
    epoch (seeded) and each batch gives one update. Each update is::

        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((w * x + b - y) ** 2)
        dw, db = tape.gradient(loss, [w, b])
        w.assign_sub(learning_rate * dw); b.assign_sub(learning_rate * db)

    A run whose loss becomes non-finite or explodes stops early; it is marked
    ``diverged`` then, and also when it ends with a higher loss than it started.
    A call makes at most :data:`MAX_UPDATES` updates (epochs x batches per epoch).

    >>> x = np.array([0.0, 1.0, 2.0], dtype="float32")
    >>> print(gradient_descent(x, 2 * x, learning_rate=2.0, epochs=5))
    learning_rate=2, batch_size=3: diverged (loss 6.667 -> ...e+10 after 5 epochs)
    """
    x, y = _check_data(x, y)
    learning_rate = _rate(learning_rate)
    epochs = count(epochs, "epochs", example=30)
    n = len(x)
    batch_size = _batch_size(batch_size, n)
    w, b = number(w, "w"), number(b, "b")
    seed = count(seed, "seed", low=0, allow_none=True, example=0)
    per_epoch = -(-n // batch_size)
    _check_updates(epochs * per_epoch,
                   f"gradient_descent with epochs={epochs:,} and {per_epoch:,} batch(es) of {batch_size} per epoch")
    return _descend(x, y, learning_rate, epochs, batch_size, w, b, seed)


def _descend(x, y, learning_rate, epochs, batch_size, w, b, seed) -> DescentRun:
    """The loop of :func:`gradient_descent`, on checked arguments."""
    n = len(x)
    per_epoch = -(-n // batch_size)
    w_var = tf.Variable(w, dtype=tf.float32)
    b_var = tf.Variable(b, dtype=tf.float32)
    rate = tf.constant(learning_rate, dtype=tf.float32)
    x_all, y_all = tf.constant(x), tf.constant(y)

    @tf.function(reduce_retracing=True)
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((w_var * xb + b_var - yb) ** 2)
        dw, db = tape.gradient(loss, [w_var, b_var])
        w_var.assign_sub(rate * dw)
        b_var.assign_sub(rate * db)
        return loss

    def full_loss():
        return float(tf.reduce_mean((w_var * x_all + b_var - y_all) ** 2))

    rng = np.random.default_rng(seed)
    epoch_losses, update_losses = [full_loss()], []
    params = [(float(w_var.numpy()), float(b_var.numpy()))]
    diverged = False
    for _ in range(epochs):
        order = np.arange(n) if batch_size == n else rng.permutation(n)
        for start in range(0, n, batch_size):
            index = order[start:start + batch_size]
            update_losses.append(float(step(tf.gather(x_all, index), tf.gather(y_all, index))))
        epoch_losses.append(full_loss())
        params.append((float(w_var.numpy()), float(b_var.numpy())))
        if not np.isfinite(epoch_losses[-1]) or epoch_losses[-1] > _DIVERGED * max(epoch_losses[0], 1e-12):
            diverged = True
            break
    diverged = diverged or epoch_losses[-1] > epoch_losses[0]
    return DescentRun(learning_rate, batch_size, epoch_losses, update_losses, params, diverged,
                      updates_per_epoch=per_epoch)


# --- draw ------------------------------------------------------------------------------------

@dataclass
class BatchComparison:
    """Runs with different batch sizes on the same data, and the figure comparing them (once drawn)."""

    runs: list
    figure: object = field(default=None, repr=False)

    def __str__(self) -> str:
        rows = [(run.batch_size, run.updates_per_epoch, _loss_text(run.final_loss)) for run in self.runs]
        return table(["batch size", "updates/epoch", "final loss"], rows, align="rrr")

    __repr__ = __str__


def draw_batch_comparison(comparison: BatchComparison, ax=None) -> BatchComparison:
    """Draw runs with different batch sizes: loss per epoch (left) and per update (right).

    ``comparison`` holds :func:`gradient_descent` runs on the same data (as
    :func:`compare_batch_sizes` makes them). Pass ``ax`` as a pair of axes to
    draw into your own figure. Returns a copy of ``comparison`` with ``.figure`` set.

    >>> x = np.linspace(-1, 1, 16).astype("float32")
    >>> runs = [gradient_descent(x, 2 * x, batch_size=size, epochs=3) for size in (16, 4)]
    >>> drawn = draw_batch_comparison(BatchComparison(runs))
    >>> [line.get_label() for line in drawn.figure.axes[0].lines]
    ['batch (batch_size=16)', 'mini-batch (batch_size=4)']
    """
    if not isinstance(comparison, BatchComparison):
        raise TypeError(f"draw_batch_comparison draws a BatchComparison of gradient_descent runs, got "
                        f"{describe(comparison)}. Call compare_batch_sizes(x, y) to run and draw in one step.")
    figure, (left, right) = figure_for(ax, count=2, figsize=(9, 3.4), ncols=2,
                                       example="plt.subplots(1, 2)")
    for run in comparison.runs:
        kind = "batch" if run.updates_per_epoch == 1 else "stochastic" if run.batch_size == 1 else "mini-batch"
        label = f"{kind} (batch_size={run.batch_size})"
        line, = left.semilogy(np.arange(len(run.epoch_losses)), run.epoch_losses, marker="o", ms=3, label=label)
        steps = np.arange(1, len(run.update_losses) + 1)
        right.loglog(steps, run.update_losses, lw=0.7 if len(steps) > 50 else 1.6, color=line.get_color(),
                     alpha=0.55 if len(steps) > 50 else 1.0, zorder=3 if len(steps) <= 50 else 2, label=label)
    from matplotlib.ticker import MaxNLocator

    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.set(xlabel="epoch", ylabel="loss on all data (MSE)", title="per epoch: one pass over the data")
    finals = [r.final_loss for r in comparison.runs if np.isfinite(r.final_loss) and r.final_loss > 0]
    if finals:
        right.set_ylim(bottom=min(finals) / 30)
    right.set(xlabel="update (one batch)", ylabel="loss on that batch",
              title="per update: small batches take many noisy steps")
    left.legend()
    return dataclasses.replace(comparison, figure=figure)


def compare_batch_sizes(x, y, *, batch_sizes=(None, 32, 1), learning_rate: float = 0.05, epochs: int = 20,
                        seed: int = 0, ax=None) -> BatchComparison:
    """Train the same line with batch, mini-batch and stochastic gradient descent; plot the losses.

    Left: full-data loss per epoch (one pass over the data). Right: the same
    runs against the number of updates, where small batches take many noisy
    steps per epoch. Pass ``ax`` as a pair of axes to draw into your own figure.
    It is :func:`draw_batch_comparison` of the runs.

    >>> x = np.linspace(-1, 1, 64).astype("float32")
    >>> result = compare_batch_sizes(x, 3 * x + 2, batch_sizes=(None, 8), epochs=5)
    >>> [run.updates_per_epoch for run in result.runs]
    [1, 8]
    >>> import matplotlib.pyplot as plt; plt.close(result.figure)
    """
    x, y = _check_data(x, y)  # everything is checked before the first run starts
    n = len(x)
    _rate(learning_rate)
    epochs = count(epochs, "epochs", example=20)
    count(seed, "seed", low=0, allow_none=True, example=0)
    sizes = _batch_sizes(batch_sizes, n)
    _check_updates(sum(epochs * -(-n // size) for size in sizes),
                   f"compare_batch_sizes with epochs={epochs:,} and batch sizes {', '.join(map(str, sizes))} "
                   f"(of {n} samples)")
    check_axes(ax, count=2, example="plt.subplots(1, 2)")
    runs = [gradient_descent(x, y, learning_rate=learning_rate, epochs=epochs, batch_size=size, seed=seed)
            for size in sizes]
    return draw_batch_comparison(BatchComparison(runs), ax)


def _batch_sizes(batch_sizes, n) -> list:
    """The batch sizes to compare, each None (all n samples) or an int in [1, n]."""
    if batch_sizes is None or isinstance(batch_sizes, (str, bytes)) or not np.iterable(batch_sizes):
        if isinstance(batch_sizes, (int, np.integer)) and not isinstance(batch_sizes, bool):
            batch_sizes = (batch_sizes,)  # one batch size: one run
        else:
            raise TypeError(f"batch_sizes must be a list of batch sizes such as (None, 32, 1) (None: all samples "
                            f"in one batch), got {describe(batch_sizes)}.")
    sizes = [_batch_size(size, n, f"batch_sizes[{k}]") for k, size in enumerate(batch_sizes)]
    if not sizes:
        raise ValueError("batch_sizes is empty; give at least one batch size, e.g. (None, 32, 1).")
    return sizes


# --- interact --------------------------------------------------------------------------------

class LearningRateExplorer(Explorer):
    """A line fit by gradient descent under a learning-rate slider (see :func:`learning_rate_explorer`)."""

    def __init__(self, x, y, learning_rate, epochs):
        super().__init__()
        self.x, self.y = _check_data(x, y)
        learning_rate = _rate(learning_rate)
        epochs = count(epochs, "epochs", example=30)
        _check_updates(epochs, f"learning_rate_explorer with epochs={epochs:,}")
        self.figure, (self.data_ax, self.loss_ax) = new_figure((8.0, 3.2), ncols=2)
        self.data_ax.scatter(self.x, self.y, s=8, color="#8c959f", label="data")
        span = np.array([self.x.min(), self.x.max()])
        self.span = span
        self.fits = [self.data_ax.plot(span, span * 0, color="tab:blue", alpha=a, lw=1)[0] for a in (0.25, 0.5, 1.0)]
        self.data_ax.set(xlabel="x", ylabel="y", title="the line after 1 epoch, half-way, and at the end")
        pad = (self.y.max() - self.y.min()) * 0.6 + 1e-6
        self.data_ax.set_ylim(self.y.min() - pad, self.y.max() + pad)
        self.loss_line, = self.loss_ax.semilogy([0], [1], marker="o", ms=2.5, color="tab:orange")
        self.loss_ax.set(xlabel="epoch", ylabel="loss (MSE)", title="")
        low, high = slider_range(learning_rate, -3, 0.5, 0.05, log=True)  # show the rate passed, however large
        self.rate = widgets.FloatLogSlider(value=learning_rate, base=10, min=low, max=high, step=0.05,
                                           description=words("learning rate"), readout_format=".3g",
                                           style={"description_width": "initial"},
                                           layout=widgets.Layout(width="420px"))
        self.epochs = widgets.IntSlider(value=epochs, min=1, max=max(100, epochs), description=words("epochs"))
        self._start([self.rate, self.epochs])

    def update(self):
        self.run = run = gradient_descent(self.x, self.y, learning_rate=self.rate.value, epochs=self.epochs.value)
        last = len(run.params) - 1
        for line, index in zip(self.fits, (min(1, last), max(last // 2, 1) if last > 1 else last, last)):
            w, b = run.params[index]
            line.set_data(self.span, w * self.span + b if np.isfinite(w) and np.isfinite(b) else self.span * np.nan)
        losses = np.array(run.epoch_losses)
        self.loss_line.set_data(np.arange(len(losses)), np.where(np.isfinite(losses), losses, np.nan))
        finite = losses[np.isfinite(losses)]
        self.loss_ax.set_xlim(0, max(self.epochs.value, 1))
        self.loss_ax.set_ylim(max(finite.min() * 0.5, 1e-6), max(finite.max() * 2, 1e-5))
        verdict = "diverged!" if run.diverged else f"final loss {_loss_text(run.final_loss)}"
        self.loss_ax.set_title(f"learning rate {significant(self.rate.value)}: {verdict}",
                               color="#cf222e" if run.diverged else "black")

    def describe(self) -> str:
        run = self.run
        outcome = "diverged" if run.diverged else f"w={run.w:.3f}, b={run.b:.3f}"
        return (f"learning_rate_explorer: rate {significant(run.learning_rate)}, loss {_loss_text(run.epoch_losses[0])} -> "
                f"{_loss_text(run.final_loss)} in {len(run.epoch_losses) - 1} epochs ({outcome})")


def learning_rate_explorer(x, y, *, learning_rate: float = 0.1, epochs: int = 30) -> LearningRateExplorer:
    """A slider for the learning rate of :func:`gradient_descent` on ``(x, y)``, with the loss curve.

    Too small and the loss creeps down; about right and it drops fast; too
    large and it oscillates or explodes (the run stops and says "diverged").
    A ``learning_rate`` or ``epochs`` beyond the sliders' usual range widens them,
    so the explorer starts from exactly the values given.

    >>> x = np.linspace(-1, 1, 40).astype("float32")
    >>> explorer = learning_rate_explorer(x, 3 * x + 2, learning_rate=0.01, epochs=10)
    >>> explorer.run.final_loss > 1
    True
    >>> explorer.rate.value = 0.5; explorer.run.final_loss < 1e-3
    True
    """
    return LearningRateExplorer(x, y, learning_rate, epochs)
