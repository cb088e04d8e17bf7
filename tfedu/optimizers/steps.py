"""The update rule of each raced optimizer, written out in NumPy, and the same steps taken by Keras.

Each rule is a few lines of NumPy that say exactly what ``keras.optimizers.<Name>.update_step``
does in Keras 3 (read from its source; :func:`compare_with_keras` proves it step by step), next
to how the textbook writes it. The differences are small and real:

* Adagrad's accumulator starts at ``initial_accumulator_value=0.1``, not 0, and the step divides
  by ``sqrt(s + eps)``, not ``sqrt(s) + eps``;
* RMSprop and Adadelta also put ``eps`` inside the square root;
* Adam folds both bias corrections into the step size,
  ``alpha_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)``, and adds ``eps`` to ``sqrt(v)`` of the
  *uncorrected* ``v`` (the paper's "epsilon hat" form);
* Nadam uses the momentum schedule ``mu_t = beta1 * (1 - 0.5 * 0.96^t)`` (Dozat 2016);
* SGD's momentum keeps ``m = momentum * m - lr * g`` (the learning rate inside the velocity), and
  Nesterov steps by ``momentum * m - lr * g`` with the new ``m``.

Two round-off details make the NumPy steps agree with Keras exactly, not just to 1e-7: Keras
keeps the learning rate in a float32 variable, and the hyperparameters it passes through
``ops.cast`` (SGD's momentum, Adam's and Nadam's betas in the powers, Adagrad's 0.1) become
float32 numbers first, so 0.9 is 0.8999999762 there even for float64 weights.

>>> rule = RULES["Adam"]
>>> w, state = np.array([1.0, -2.0]), rule.start(np.array([1.0, -2.0]))
>>> w = rule.step(w, np.array([0.5, 0.5]), state, 1, 0.1)
>>> np.round(w, 4).tolist()   # the first Adam step moves each weight by about lr, against the gradient
[0.9, -2.1]
>>> compare_with_keras("Adam", lambda w: 2 * w, [1.0, -2.0], steps=20, learning_rate=0.1).max_difference < 1e-12
True
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from tfedu import _validate

__all__ = ["StepRule", "RULES", "numpy_path", "keras_path", "compare_with_keras", "KerasComparison"]


@dataclass(frozen=True)
class StepRule:
    """One optimizer's update: its Keras class and options, its state, one step, and the formulas."""

    name: str
    keras_class: str
    options: dict
    keras_formula: str     # what Keras computes, one line per assignment
    textbook: str          # how textbooks (and the original papers) usually write it
    start: Callable        # weights -> a dict of state arrays, as Keras's optimizer.build makes them
    step: Callable         # (w, g, state, t, lr) -> new w; t counts from 1; state is updated in place

    def keras_optimizer(self, learning_rate: float):
        import keras

        return getattr(keras.optimizers, self.keras_class)(learning_rate=learning_rate, **self.options)


EPSILON = 1e-7  # every Keras optimizer's default epsilon


def _f32(value: float) -> float:
    """``value`` rounded to float32: Keras's ``ops.cast(0.9, "float64")`` goes through a float32 tensor."""
    return float(np.float32(value))


def _sgd(w, g, state, t, lr):
    return w - lr * g


def _momentum(w, g, state, t, lr, momentum=0.9):
    momentum = _f32(momentum)
    state["m"] = momentum * state["m"] - lr * g
    return w + state["m"]


def _nesterov(w, g, state, t, lr, momentum=0.9):
    momentum = _f32(momentum)
    state["m"] = momentum * state["m"] - lr * g
    return w + momentum * state["m"] - lr * g


def _adagrad(w, g, state, t, lr):
    state["s"] = state["s"] + g * g
    return w - lr * g / np.sqrt(state["s"] + EPSILON)


def _rmsprop(w, g, state, t, lr, rho=0.9):
    state["v"] = rho * state["v"] + (1 - rho) * g * g
    return w - lr * g / np.sqrt(state["v"] + EPSILON)


def _adadelta(w, g, state, t, lr, rho=0.95):
    state["s"] = rho * state["s"] + (1 - rho) * g * g
    delta = -np.sqrt(state["d"] + EPSILON) / np.sqrt(state["s"] + EPSILON) * g
    state["d"] = rho * state["d"] + (1 - rho) * delta * delta
    return w + lr * delta


def _adam(w, g, state, t, lr, beta_1=0.9, beta_2=0.999):
    alpha = lr * np.sqrt(1 - _f32(beta_2) ** t) / (1 - _f32(beta_1) ** t)
    state["m"] = state["m"] + (g - state["m"]) * (1 - beta_1)
    state["v"] = state["v"] + (g * g - state["v"]) * (1 - beta_2)
    return w - state["m"] * alpha / (np.sqrt(state["v"]) + EPSILON)


def _nadam(w, g, state, t, lr, beta_1=0.9, beta_2=0.999):
    state["mu_product"] = state["mu_product"] * beta_1 * (1 - 0.5 * 0.96 ** t)   # mu_1 * ... * mu_t
    beta_1, beta_2, decay = _f32(beta_1), _f32(beta_2), _f32(0.96)
    mu_t = beta_1 * (1 - 0.5 * decay ** t)
    mu_next = beta_1 * (1 - 0.5 * decay ** (t + 1))
    state["m"] = state["m"] + (g - state["m"]) * (1 - beta_1)
    state["v"] = state["v"] + (g * g - state["v"]) * (1 - beta_2)
    m_hat = mu_next * state["m"] / (1 - state["mu_product"] * mu_next) + (1 - mu_t) * g / (1 - state["mu_product"])
    v_hat = state["v"] / (1 - beta_2 ** t)
    return w - m_hat * lr / (np.sqrt(v_hat) + EPSILON)


def _zeros(*names, **filled):
    def start(w):
        state = {name: np.zeros_like(np.asarray(w, dtype=float)) for name in names}
        for name, value in filled.items():
            state[name] = np.full_like(np.asarray(w, dtype=float), _f32(value)) if name != "mu_product" else 1.0
        return state

    return start


RULES = {
    "SGD": StepRule(
        "SGD", "SGD", {}, "w = w - lr * g", "w = w - lr * g", _zeros(), _sgd),
    "SGD+momentum": StepRule(
        "SGD+momentum", "SGD", {"momentum": 0.9},
        "m = 0.9 * m - lr * g\nw = w + m",
        "v = 0.9 * v + g;  w = w - lr * v   (the same path while lr stays constant)",
        _zeros("m"), _momentum),
    "SGD+Nesterov": StepRule(
        "SGD+Nesterov", "SGD", {"momentum": 0.9, "nesterov": True},
        "m = 0.9 * m - lr * g\nw = w + 0.9 * m - lr * g",
        "v = 0.9 * v - lr * grad(w + 0.9 * v);  w = w + v   (the gradient at the look-ahead point)",
        _zeros("m"), _nesterov),
    "Adagrad": StepRule(
        "Adagrad", "Adagrad", {},
        "s = s + g²            (s starts at 0.1)\nw = w - lr * g / sqrt(s + eps)",
        "s = s + g²  (s starts at 0);  w = w - lr * g / (sqrt(s) + eps)",
        _zeros(s=0.1), _adagrad),
    "RMSprop": StepRule(
        "RMSprop", "RMSprop", {},
        "v = 0.9 * v + 0.1 * g²\nw = w - lr * g / sqrt(v + eps)",
        "v = 0.9 * v + 0.1 * g²;  w = w - lr * g / (sqrt(v) + eps)",
        _zeros("v"), _rmsprop),
    "Adadelta": StepRule(
        "Adadelta", "Adadelta", {},
        "s = 0.95 * s + 0.05 * g²\ndelta = -sqrt(d + eps) / sqrt(s + eps) * g\n"
        "d = 0.95 * d + 0.05 * delta²\nw = w + lr * delta",
        "the same, with w = w + delta: Zeiler's Adadelta has no learning rate (Keras's lr=1.0 is his)",
        _zeros("s", "d"), _adadelta),
    "Adam": StepRule(
        "Adam", "Adam", {},
        "alpha = lr * sqrt(1 - 0.999^t) / (1 - 0.9^t)\nm = m + (g - m) * 0.1\n"
        "v = v + (g² - v) * 0.001\nw = w - alpha * m / (sqrt(v) + eps)",
        "m_hat = m / (1 - 0.9^t);  v_hat = v / (1 - 0.999^t);  w = w - lr * m_hat / (sqrt(v_hat) + eps)",
        _zeros("m", "v"), _adam),
    "Nadam": StepRule(
        "Nadam", "Nadam", {},
        "mu_t = 0.9 * (1 - 0.5 * 0.96^t);  P = mu_1 * ... * mu_t\nm = m + (g - m) * 0.1\n"
        "v = v + (g² - v) * 0.001\nm_hat = mu_(t+1) * m / (1 - P * mu_(t+1)) + (1 - mu_t) * g / (1 - P)\n"
        "w = w - lr * m_hat / (sqrt(v / (1 - 0.999^t)) + eps)",
        "Adam with a Nesterov look-ahead: m_hat = 0.9 * m_hat + 0.1 * g / (1 - 0.9^t) (Dozat's simplified form)",
        _zeros("m", "v", mu_product=1.0), _nadam),
}


def _rule(name) -> StepRule:
    return RULES[_validate.choice(name, "optimizer", tuple(RULES))]


def _inputs(gradient, start, steps, learning_rate):
    if not callable(gradient):
        raise TypeError(f"gradient must be a function of the weights returning their gradient, e.g. "
                        f"lambda w: 2 * w, got {_validate.describe(gradient)}.")
    start = _validate.finite_array(start, "start")
    steps = _validate.count(steps, "steps", low=1, high=100_000, example=50)
    learning_rate = _validate.number(learning_rate, "learning_rate", low=0, low_open=True, example=0.01)
    return start, steps, learning_rate


def numpy_path(name: str, gradient: Callable, start, *, steps: int = 50, learning_rate: float = 0.01) -> np.ndarray:
    """The weights after each of ``steps`` NumPy steps of rule ``name`` (shape ``(steps + 1,) + start.shape``).

    The learning rate is rounded to float32 first, as Keras stores it, so that the paths agree
    to round-off (about 1e-15) rather than to 1e-7.
    """
    rule = _rule(name)
    w, steps, learning_rate = _inputs(gradient, start, steps, learning_rate)
    learning_rate = float(np.float32(learning_rate))  # Keras keeps the rate in a float32 variable
    state = rule.start(w)
    path = [w]
    for t in range(1, steps + 1):
        w = rule.step(w, np.asarray(gradient(w), dtype=float), state, t, learning_rate)
        path.append(w)
    return np.stack(path)


def keras_path(name: str, gradient: Callable, start, *, steps: int = 50, learning_rate: float = 0.01) -> np.ndarray:
    """The same steps taken by the real ``keras.optimizers`` class (in float64), for comparison."""
    import keras

    rule = _rule(name)
    w, steps, learning_rate = _inputs(gradient, start, steps, learning_rate)
    variable = keras.Variable(w, dtype="float64")
    optimizer = rule.keras_optimizer(learning_rate)
    path = [w]
    for _ in range(steps):
        g = np.asarray(gradient(np.asarray(variable.numpy())), dtype="float64")
        optimizer.apply([g], [variable])
        path.append(np.asarray(variable.numpy()))
    return np.stack(path)


@dataclass(frozen=True)
class KerasComparison:
    """:func:`compare_with_keras`'s answer: the largest difference between the two paths."""

    name: str
    steps: int
    max_difference: float

    @property
    def passed(self) -> bool:
        return self.max_difference <= 1e-9

    def __str__(self) -> str:
        verdict = "the same steps" if self.passed else "different steps"
        return f"{self.name}: NumPy and Keras take {verdict} over {self.steps} steps " \
               f"(largest difference {self.max_difference:.0e})"


def compare_with_keras(name: str, gradient: Callable, start, *, steps: int = 50,
                       learning_rate: float = 0.01) -> KerasComparison:
    """Run rule ``name`` in NumPy and in Keras from ``start``; report the largest difference in the weights."""
    ours = numpy_path(name, gradient, start, steps=steps, learning_rate=learning_rate)
    theirs = keras_path(name, gradient, start, steps=steps, learning_rate=learning_rate)
    return KerasComparison(name, steps, float(np.max(np.abs(ours - theirs))))
