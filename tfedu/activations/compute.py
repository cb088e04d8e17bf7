"""The compute layer of ``tfedu.activations``: an activation and its tape derivative on a grid.

Pure data, no drawing: :func:`activation_curve` returns an :class:`ActivationCurve`
(or a :class:`VectorActivationCurve` for softmax) that prints a one-line summary.

>>> print(activation_curve("leaky_relu", negative_slope=0.1))
leaky_relu(negative_slope=0.1): max f'(x) = 1 for x > 0; no saturation (|f'| >= 0.01) on [-5, 5]
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from tfedu._text import significant
from tfedu._validate import choice, count, describe, did_you_mean, flag, number

__all__ = ["ACTIVATIONS", "MAX_POINTS", "ActivationCurve", "VectorActivationCurve", "activation_curve",
           "keras_activation_names", "check_activation"]

#: The Keras built-in activations the course covers (any other ``keras.activations`` name works too).
#: ``swish`` is another name for ``silu``; ``softmax`` is a vector function, drawn as one.
ACTIVATIONS = ("relu", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid", "tanh", "softplus",
               "softsign", "silu", "swish", "mish", "exponential", "linear", "softmax")
_VECTOR = ("softmax", "log_softmax", "sparsemax")
#: The most grid points a curve takes (far more than a plot has pixels).
MAX_POINTS = 100_000
_VECTOR_LOGITS = (0.0, -1.0)  # the fixed components beside x in the vector case: [x, 0, -1]
_NOT_ACTIVATIONS = ("get", "serialize", "deserialize")


def _fmt_x(value: float) -> str:
    """A position on the x axis, to one decimal: 4.6, 0, -3 (positions, unlike values, are not 3 digits)."""
    return f"{round(float(value), 1) + 0.0:g}"


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


# --- compute ---------------------------------------------------------------------------------

def _resolve(fn_or_name, params):
    """-> (label, callable, is_vector) for a Keras activation name or a callable."""
    if isinstance(fn_or_name, str):
        name = choice(fn_or_name.strip().lower(), "fn_or_name", keras_activation_names(), what="activation")
        function = getattr(keras.activations, name)
        if name == "glu":
            raise ValueError("glu is not a curve: it splits its input into two halves along the last axis "
                             "and gates one with the other, so it has no f(x) to plot.")
        params = _check_params(name, function, params)
        vector = name in _VECTOR
    elif callable(fn_or_name):
        function = fn_or_name
        name = getattr(fn_or_name, "__name__", type(fn_or_name).__name__)
        name = "f" if name == "<lambda>" else name
        vector = False
    else:
        raise TypeError(f"fn_or_name must be an activation name such as 'relu' or a callable, got "
                        f"{describe(fn_or_name)}.")
    label = name + (f"({', '.join(f'{k}={v}' for k, v in params.items())})" if params else "")
    return label, (functools.partial(function, **params) if params else function), vector


def _check_params(name, function, params) -> dict:
    """The activation's own keyword arguments: known names, and values of the right kind."""
    signature = list(inspect.signature(function).parameters.values())[1:]
    accepted = {p.name: p for p in signature}
    for key in params:
        if key not in accepted:
            if not accepted:
                raise ValueError(f"{name} takes no parameters, got {key}={params[key]!r}.")
            suggestion = did_you_mean(key, accepted)
            raise ValueError(f"{name} has no parameter {key!r};{suggestion or ''} {'Its' if suggestion else 'its'} "
                             f"parameters are: {', '.join(accepted)}.")
    missing = [p.name for p in signature if p.default is inspect.Parameter.empty and p.name not in params]
    if "threshold" in missing:  # activation_curve's own threshold (saturation) takes that keyword
        raise ValueError(f"{name} needs its own threshold parameter, and threshold= here is the saturation "
                         f"level of the plot; pass a callable instead, e.g. activation_curve(lambda x: "
                         f"keras.activations.{name}(x, threshold=0.0, default_value=0.0)).")
    if missing:
        example = ", ".join(f"{m}=0.0" for m in missing)
        raise ValueError(f"{name} needs the parameter(s) {', '.join(missing)}, e.g. "
                         f"activation_curve({name!r}, {example}).")
    checked = {}
    for key, value in params.items():
        default = accepted[key].default
        if isinstance(default, bool):
            checked[key] = flag(value, key)
        elif key == "axis":
            checked[key] = count(value, key, low=-2, high=1, example=-1)
        else:
            number(value, key, allow_none=default is None)
            checked[key] = value  # the value as given, so that the label shows it as typed
    return checked


def _grid(x_range, num):
    if isinstance(x_range, (str, bytes)) or not np.iterable(x_range):
        raise TypeError(f"x_range must be a pair (low, high) such as (-5, 5), got {describe(x_range)}.")
    values = list(x_range)
    if len(values) != 2:
        raise ValueError(f"x_range must be (low, high) with low < high, got {tuple(values)}.")
    low, high = number(values[0], "x_range[0] (low)"), number(values[1], "x_range[1] (high)")
    if not low < high:
        raise ValueError(f"x_range must be (low, high) with low < high, got {tuple(values)}.")
    num = count(num, "num", low=10, high=MAX_POINTS, example=401)
    return np.linspace(low, high, num, dtype=np.float32)


def _runs(mask):
    """Index ranges [start, stop] (inclusive) of the True runs in a boolean array."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1))


class _Peak:
    """The derivative's maximum, shared by both curve kinds (each has ``x`` and ``derivative``)."""

    @property
    def max_derivative(self) -> float:
        """The largest value of the derivative on the grid."""
        return float(np.nanmax(self.derivative))

    @property
    def argmax(self) -> float:
        """The x where the derivative is largest (the first one, if it is flat there)."""
        return float(self.x[np.nanargmax(self.derivative)])


@dataclass
class ActivationCurve(_Peak):
    """An activation on a grid: ``y = f(x)`` and ``derivative = f'(x)`` from a ``GradientTape``."""

    name: str
    x: np.ndarray
    y: np.ndarray
    derivative: np.ndarray
    threshold: float = 0.01

    @property
    def saturated(self) -> np.ndarray:
        """Where the gradient has (almost) vanished: ``|f'(x)| < threshold``."""
        return np.abs(self.derivative) < self.threshold

    def saturation_regions(self) -> list:
        """The saturated intervals as ``(low, high)``; ``None`` means "beyond the grid's end"."""
        magnitude, threshold, x = np.abs(self.derivative), self.threshold, self.x
        regions = []
        for start, stop in _runs(self.saturated):
            low = high = None
            if start > 0:  # linear interpolation of where |f'| crosses the threshold
                a, b = magnitude[start - 1], magnitude[start]
                low = float(x[start - 1] + (x[start] - x[start - 1]) * (a - threshold) / (a - b))
            if stop < len(x) - 1:
                a, b = magnitude[stop], magnitude[stop + 1]
                high = float(x[stop] + (x[stop + 1] - x[stop]) * (threshold - a) / (b - a))
            regions.append((low, high))
        return regions

    def _max_text(self) -> str:
        d = self.derivative
        top = self.max_derivative
        near = d >= top - 1e-6 * max(1.0, abs(top))
        start, stop = next((r for r in _runs(near) if r[0] <= np.nanargmax(d) <= r[1]))
        value = f"max f'(x) = {significant(top)}"
        if stop - start + 1 < 3:
            edge = " (the end of the range)" if start in (0, len(d) - 1) else ""
            return f"{value} at x = {_fmt_x(self.argmax)}{edge}"
        left = None if start == 0 else (self.x[start - 1] + self.x[start]) / 2
        right = None if stop == len(d) - 1 else (self.x[stop] + self.x[stop + 1]) / 2
        return value + " " + _interval(left, right, self.x)

    def _saturation_text(self) -> str:
        regions = self.saturation_regions()
        if not regions:
            return f"no saturation (|f'| >= {self.threshold:g}) on [{_fmt_x(self.x[0])}, {_fmt_x(self.x[-1])}]"
        if (len(regions) == 2 and regions[0][0] is None and regions[1][1] is None
                and _fmt_x(-regions[0][1]) == _fmt_x(regions[1][0])):
            return f"|f'| < {self.threshold:g} for |x| > {_fmt_x(regions[1][0])}"
        parts = [_interval(low, high, self.x).removeprefix("for ") for low, high in regions]
        joined = " or ".join(parts)
        return f"|f'| < {self.threshold:g} " + (joined if joined.startswith("near") else "for " + joined)

    def __str__(self) -> str:
        return f"{self.name}: {self._max_text()}; {self._saturation_text()}"

    __repr__ = __str__


def _interval(low, high, x) -> str:
    if low is None and high is None:
        return f"everywhere on [{_fmt_x(x[0])}, {_fmt_x(x[-1])}]"
    if low is not None and high is not None and _fmt_x(low) == _fmt_x(high):
        return f"near x = {_fmt_x((low + high) / 2)}"
    if low is None:
        return f"for x < {_fmt_x(high)}"
    if high is None:
        return f"for x > {_fmt_x(low)}"
    return f"for {_fmt_x(low)} < x < {_fmt_x(high)}"


@dataclass
class VectorActivationCurve(_Peak):
    """A vector activation (softmax) of ``[x, 0, -1]`` as ``x`` sweeps: every output moves.

    ``outputs`` has one column per component; ``derivative`` is d outputs[:, 0] / dx
    from a ``GradientTape``.
    """

    name: str
    x: np.ndarray
    logits: tuple  # the fixed components after x
    outputs: np.ndarray
    derivative: np.ndarray

    @property
    def input_text(self) -> str:
        return "[x, " + ", ".join(f"{v:g}" for v in self.logits) + "]"

    def __str__(self) -> str:
        total = np.sum(self.outputs, axis=1)
        sums = "; outputs sum to 1" if np.allclose(total, 1.0, atol=1e-5) else ""
        return (f"{self.name}({self.input_text}): every output depends on x; "
                f"max d out[0]/dx = {significant(self.max_derivative)} at x = {_fmt_x(self.argmax)}{sums}")

    __repr__ = __str__


def _differentiate(function, x, name):
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = function(xt)
    if not isinstance(y, (tf.Tensor, tf.Variable)):
        raise TypeError(f"{name} returned {type(y).__name__}, not a tensor: the tape cannot differentiate it. "
                        "Write it with TensorFlow or keras.ops functions (tf.tanh, keras.ops.exp, ...).")
    gradient = tape.gradient(y, xt)
    if gradient is None:
        raise ValueError(f"The gradient of {name} is None: its output does not depend on x through TensorFlow "
                         "ops (did it call .numpy() or NumPy functions?). Use tf.* or keras.ops.* instead.")
    return np.asarray(y, dtype=np.float32), gradient.numpy()


def activation_curve(fn_or_name="relu", x_range=(-5.0, 5.0), *, num: int = 401, threshold: float = 0.01,
                     **params):
    """Evaluate an activation on ``num`` points of ``x_range`` and differentiate it with a tape.

    ``fn_or_name`` is a ``keras.activations`` name (``"relu"``, ``"gelu"``...) or
    any element-wise callable on tensors. Keyword arguments are the
    activation's own parameters (``negative_slope=0.1`` for ``leaky_relu``,
    ``alpha`` for ``elu``, ``approximate=True`` for ``gelu``). The default grid
    includes x = 0; at a kink (ReLU at 0) the tape returns the convention of
    the op (``relu'(0) = 0``), not a limit. Returns an
    :class:`ActivationCurve` (or a :class:`VectorActivationCurve` for softmax).

    >>> curve = activation_curve("tanh", (-2, 2))
    >>> round(curve.max_derivative, 4), bool(curve.saturated.any())
    (1.0, False)
    >>> print(activation_curve(lambda x: x * tf.sigmoid(x)))  # any callable: this is silu
    f: max f'(x) = 1.1 at x = 2.4; |f'| < 0.01 for -1.3 < x < -1.2
    >>> activation_curve("rleu")
    Traceback (most recent call last):
    ...
    ValueError: activation 'rleu' is not known; did you mean 'relu'? Choose one of: 'celu', 'elu', ...
    """
    label, function, vector = _resolve(fn_or_name, params)
    x = _grid(x_range, num)
    threshold = number(threshold, "threshold", low=0, low_open=True)
    if vector:
        return _vector_curve(label, function, x)
    y, derivative = _differentiate(function, x, label)
    if y.shape != x.shape:
        raise ValueError(f"{label} changed the shape of its input ({x.shape} -> {y.shape}); an activation "
                         "curve needs an element-wise function.")
    if not isinstance(fn_or_name, str):  # element-wise: the same values on a part of x, and on x reversed
        third = len(x) // 3
        part = np.asarray(function(tf.constant(x[:third])))
        mirrored = np.asarray(function(tf.constant(x[::-1])))[::-1]
        if not (np.allclose(part, y[:third], rtol=1e-5, atol=1e-6, equal_nan=True)
                and np.allclose(mirrored, y, rtol=1e-5, atol=1e-6, equal_nan=True)):
            raise ValueError(f"{label} is not element-wise: each output depends on other inputs (like "
                             "softmax), so f'(x) is not one curve. plot_activation('softmax') shows such a "
                             "vector function.")
    return ActivationCurve(label, x, y, derivative, float(threshold))


def _vector_curve(label, function, x):
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        logits = tf.stack([xt, *(tf.fill(tf.shape(xt), v) for v in _VECTOR_LOGITS)], axis=-1)
        outputs = function(logits)
        first = outputs[:, 0]
    derivative = tape.gradient(first, xt)  # rows are independent, so this is d out[i, 0] / d x[i]
    return VectorActivationCurve(label, x, _VECTOR_LOGITS, outputs.numpy(), derivative.numpy())
