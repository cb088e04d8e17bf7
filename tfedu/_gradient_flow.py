"""Vanishing gradients, measured: per-layer gradient norms of deep MLPs (``tfedu.activations.gradient_flow``)."""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from tfedu._validate import choice, count, describe

_COLOURS = {"sigmoid": "#cf222e", "tanh": "#bf8700", "relu": "#1a7f37"}
_OTHER_COLOURS = ("#0969da", "#8250df", "#1b7c83", "#6e7781", "#bf3989")
_NOT_ACTIVATIONS = ("get", "serialize", "deserialize")
_NOT_INITIALIZERS = ("get", "serialize", "deserialize", "Initializer")
#: Upper bounds that keep one gradient-flow measurement to seconds on a small CPU.
MAX_DEPTH, MAX_WIDTH, MAX_BATCH_SIZE = 200, 1024, 4096


def keras_activation_names() -> list:
    """The functions of ``keras.activations`` (``relu``, ``gelu``, ...), without its helpers (``get``...).

    >>> "gelu" in keras_activation_names(), "get" in keras_activation_names()
    (True, False)
    """
    return [n for n in dir(keras.activations) if not n.startswith("_") and n not in _NOT_ACTIVATIONS
            and callable(getattr(keras.activations, n))]


def check_activation(activation, name="activation"):
    """A ``keras.activations`` name (any case) or a callable; anything else raises with "did you mean".

    >>> check_activation("ReLU")
    'relu'
    >>> check_activation("sigmod")
    Traceback (most recent call last):
    ...
    ValueError: activation 'sigmod' is not known; did you mean 'sigmoid'? Choose one of: 'celu', ...
    """
    if callable(activation):
        return activation
    if not isinstance(activation, str):
        raise TypeError(f"{name} must be a keras.activations name such as 'relu' or a callable, got "
                        f"{describe(activation)}.")
    return choice(activation.strip().lower(), name, keras_activation_names(), what="activation")


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

    def __str__(self) -> str:
        head = (f"gradient norm |dL/dW| per layer: {self.depth} Dense layers of {self.width}, "
                f"{self.initializer}, one batch of {self.batch_size}")
        width = max(len(name) for name in self.norms)
        lines = [f"  {name.ljust(width)}  layer 1: {first:>7}  layer {self.depth}: {last:>7}  first/last: {ratio}"
                 for name, first, last, ratio in self.rows()]
        return "\n".join([head, *lines])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        body = "".join(f"<tr><td>{html.escape(name)}</td><td>{first}</td><td>{last}</td><td>{ratio}</td></tr>"
                       for name, first, last, ratio in self.rows())
        return (f"<p>gradient norm |dL/dW| per layer: {self.depth} Dense layers of {self.width}, "
                f"{html.escape(self.initializer)}, one batch of {self.batch_size}</p>"
                f"<table><thead><tr><th>activation</th><th>layer 1</th><th>layer {self.depth}</th>"
                f"<th>first / last</th></tr></thead><tbody>{body}</tbody></table>")


def gradient_flow(activations=("sigmoid", "tanh", "relu"), *, depth: int = 12, width: int = 32,
                  batch_size: int = 64, initializer: str = "glorot_uniform", seed: int = 0,
                  ax=None) -> GradientFlow:
    """Build a deep MLP per activation, backpropagate one batch, and plot each layer's gradient norm.

    With sigmoid the norm shrinks by a factor of about 4 or more per layer on
    the way back (its derivative is at most 0.25), so the first layers barely
    learn: the vanishing-gradient problem, in numbers. Try
    ``initializer="he_normal"`` or more ``depth``. Returns a
    :class:`GradientFlow` with ``.norms`` and ``.figure`` (log-scale plot);
    pass ``ax`` to draw into your own axes.

    >>> flow = gradient_flow(("sigmoid", "relu"), depth=6, width=16, batch_size=32)
    >>> bool(flow.norms["sigmoid"][0] < flow.norms["relu"][0] / 10)
    True
    >>> import matplotlib.pyplot as plt; plt.close(flow.figure)
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
    if ax is not None and not hasattr(ax, "semilogy"):
        raise TypeError(f"ax must be a matplotlib Axes, got {describe(ax)}.")
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
    if ax is None:
        import matplotlib.pyplot as plt

        figure, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    else:
        figure = ax.figure
    layers = np.arange(1, depth + 1)
    others = iter(_OTHER_COLOURS * 4)
    for name, values in norms.items():
        ax.semilogy(layers, values, marker="o", ms=4, lw=1.8, color=_COLOURS.get(name) or next(others),
                    label=f"{name}: layer 1 / layer {depth} = {_sci(_ratio(values))}")
    ax.set_xticks(layers if depth <= 20 else layers[:: max(depth // 10, 1)])
    ax.set(xlabel="layer (1 = next to the input, where the gradient arrives last)",
           ylabel="|dL/dW| (log scale)",
           title=f"gradient flow: {depth} Dense layers of {width}, {label}")
    ax.legend(fontsize=8, loc="best")
    return GradientFlow(norms, depth, width, batch_size, label, figure)
