"""Vanishing gradients, measured: per-layer gradient norms of deep MLPs (compute only).

:func:`measure_gradient_flow` returns a :class:`GradientFlow` (the norms, a
table); ``tfedu.activations.draw_gradient_flow`` draws one and
``plot_gradient_flow`` (alias ``gradient_flow``) does both.

>>> flow = measure_gradient_flow(("sigmoid", "relu"), depth=6, width=16, batch_size=32)
>>> bool(flow.norms["sigmoid"][0] < flow.norms["relu"][0] / 10), flow.figure is None
(True, True)
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from tfedu._text import html_table, table
from tfedu._validate import choice, count, describe
from tfedu.activations.compute import check_activation

__all__ = ["GradientFlow", "measure_gradient_flow", "layer_gradient_norms", "MAX_DEPTH", "MAX_WIDTH",
           "MAX_BATCH_SIZE"]

_NOT_INITIALIZERS = ("get", "serialize", "deserialize", "Initializer")
#: Upper bounds that keep one gradient-flow measurement to seconds on a small CPU.
MAX_DEPTH, MAX_WIDTH, MAX_BATCH_SIZE = 200, 1024, 4096


def _initializer(name, seed):
    if isinstance(name, keras.initializers.Initializer):
        return name
    if not isinstance(name, str):
        raise TypeError(f"initializer must be a keras.initializers name such as 'glorot_uniform' or an "
                        f"Initializer, got {describe(name)}.")
    public = [n for n in dir(keras.initializers) if not n.startswith("_") and n not in _NOT_INITIALIZERS]
    if name not in public:  # snake_case names are offered; Keras also takes the class names (HeNormal)
        choice(name, "initializer", [n for n in public if n.islower()])
    try:
        return keras.initializers.get({"class_name": name, "config": {"seed": seed}})
    except (TypeError, ValueError):
        return keras.initializers.get(name)  # zeros, ones, constant: nothing random to seed


def _check_sizes(depth, width, batch_size, seed):
    return (count(depth, "depth", high=MAX_DEPTH, example=12),
            count(width, "width", high=MAX_WIDTH, example=32),
            count(batch_size, "batch_size", high=MAX_BATCH_SIZE, example=64),
            count(seed, "seed", low=0, example=0))


def layer_gradient_norms(activation="relu", *, depth: int = 12, width: int = 32, batch_size: int = 64,
                         initializer: str = "glorot_uniform", seed: int = 0) -> np.ndarray:
    """The norm of dLoss/dKernel for each hidden Dense layer of a deep MLP, on one batch.

    The network is ``depth`` layers ``Dense(width, activation)`` and a linear
    ``Dense(1)`` output, with the MSE against random targets. Inputs, targets
    and weights are seeded (by ``seed``), so the numbers repeat exactly.
    Entry 0 is the layer next to the input.

    >>> norms = layer_gradient_norms("relu", depth=4, width=8, batch_size=16)
    >>> norms.shape
    (4,)
    """
    depth, width, batch_size, seed = _check_sizes(depth, width, batch_size, seed)
    activation = check_activation(activation)
    _initializer(initializer, seed)  # checked before any layer is built
    rng = np.random.default_rng(seed)
    x = tf.constant(rng.standard_normal((batch_size, width)), tf.float32)
    y = tf.constant(rng.standard_normal((batch_size, 1)), tf.float32)
    hidden = [keras.layers.Dense(width, activation=activation, kernel_initializer=_initializer(initializer, seed + k))
              for k in range(depth)]
    output = keras.layers.Dense(1, kernel_initializer=_initializer(initializer, seed + depth))
    with tf.GradientTape() as tape:
        h = x
        for layer in hidden:
            h = layer(h)
        loss = tf.reduce_mean(tf.square(output(h) - y))
    gradients = tape.gradient(loss, [layer.kernel for layer in hidden])
    return np.array([float(tf.norm(g)) for g in gradients])


def _ratio(norms) -> float:
    """First layer's norm over the last one's; NaN when no gradient reaches either (e.g. zero weights)."""
    if norms[-1]:
        return float(norms[0] / norms[-1])
    return float("nan") if norms[0] == 0 else float("inf")


def _sci(value: float) -> str:
    """Two significant digits, in scientific notation outside [1e-3, 1e3): norms span many decades."""
    return f"{value:.2g}" if 1e-3 <= abs(value) < 1e3 or value == 0 else f"{value:.1e}"


@dataclass
class GradientFlow:
    """Per-layer gradient norms (``norms[activation]``, layer 1 first) and the ``figure`` showing them."""

    norms: dict
    depth: int
    width: int
    batch_size: int
    initializer: str
    figure: object = field(default=None, repr=False)

    def ratio(self, activation) -> float:
        """How much smaller the first layer's gradient is than the last one's."""
        return _ratio(self.norms[activation])

    def rows(self):
        return [(name, _sci(n[0]), _sci(n[-1]), _sci(self.ratio(name))) for name, n in self.norms.items()]

    def _head(self) -> str:
        return (f"gradient norm |dL/dW| per layer: {self.depth} Dense layers of {self.width}, "
                f"{self.initializer}, one batch of {self.batch_size}")

    def __str__(self) -> str:
        lines = [(name, f"layer 1: {first:>7}", f"layer {self.depth}: {last:>7}", f"first/last: {ratio}")
                 for name, first, last, ratio in self.rows()]
        return "\n".join([self._head(), table(None, lines, indent="  ")])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        header = ["activation", "layer 1", f"layer {self.depth}", "first / last"]
        return f"<p>{html.escape(self._head())}</p>{html_table(header, self.rows())}"


def measure_gradient_flow(activations=("sigmoid", "tanh", "relu"), *, depth: int = 12, width: int = 32,
                          batch_size: int = 64, initializer: str = "glorot_uniform", seed: int = 0) -> GradientFlow:
    """Build a deep MLP per activation, backpropagate one batch, and measure each layer's gradient norm.

    The compute half of :func:`~tfedu.activations.plot_gradient_flow` (which also
    draws). Each activation is a name or a callable; the same one twice is
    measured once. Returns a :class:`GradientFlow` (``.norms``, ``.ratio()``,
    a printed table) with ``figure=None``.
    """
    if isinstance(activations, str) or callable(activations):
        activations = [activations]
    if activations is None or not np.iterable(activations):
        raise TypeError(f"activations must be a list of activation names or callables, e.g. ('sigmoid', 'relu'), "
                        f"got {describe(activations)}.")
    activations = [check_activation(a, "activations") for a in activations]
    if not activations:
        raise ValueError("Pass at least one activation, e.g. gradient_flow(('sigmoid', 'relu')).")
    depth, width, batch_size, seed = _check_sizes(depth, width, batch_size, seed)
    _initializer(initializer, seed)
    norms = {}
    for k, activation in enumerate(activations):
        if any(activation is a or (isinstance(a, str) and a == activation) for a in activations[:k]):
            continue  # the same activation twice: one curve
        name = activation if isinstance(activation, str) else getattr(activation, "__name__", "activation")
        if name in norms:  # two different callables of the same name (two lambdas): two curves
            name = f"{name} ({len(norms) + 1})"
        norms[name] = layer_gradient_norms(activation, depth=depth, width=width, batch_size=batch_size,
                                           initializer=initializer, seed=seed)
    label = initializer if isinstance(initializer, str) else type(initializer).__name__  # HeNormal(seed=1)
    return GradientFlow(norms, depth, width, batch_size, label)
