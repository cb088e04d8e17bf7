"""2-D test surfaces for ``tfedu.optimizers`` and the compiled loop that races Keras optimizers on them."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Surface", "SURFACES", "OPTIMIZERS", "MAX_STEPS", "Runner", "runner"]


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface ``f(x, y)`` (written with + - * ** only, so it runs on NumPy and TensorFlow)."""

    name: str
    formula: str
    function: object
    xlim: tuple
    ylim: tuple
    start: tuple
    minimum: tuple | None
    learning_rate: float
    steps: int
    loss_ylim: tuple
    log_loss: bool
    description: str

    def __call__(self, x, y):
        return self.function(x, y)

    def levels(self):
        """Contour levels: log-spaced for surfaces with a minimum of 0, evenly spaced otherwise."""
        xs = np.linspace(*self.xlim, 200)
        ys = np.linspace(*self.ylim, 200)
        z = self.function(*np.meshgrid(xs, ys))
        if self.log_loss:
            return np.logspace(np.log10(max(z.min(), 1e-3)), np.log10(z.max()), 18)
        return np.linspace(z.min(), z.max(), 21)


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


def _saddle(x, y):
    return x ** 2 - y ** 2


def _quadratic(x, y):
    return 0.5 * (x ** 2 + 25 * y ** 2)


SURFACES = {
    "rosenbrock": Surface(
        "rosenbrock", "(1 - x)² + 100 (y - x²)²", _rosenbrock, (-2.0, 2.0), (-1.0, 3.0), (-1.2, -0.5), (1.0, 1.0),
        0.01, 300, (1e-4, 1e3), True,
        "a curved, flat-bottomed valley: easy to fall into, slow to follow to the minimum at (1, 1)"),
    "beale": Surface(
        "beale", "(1.5 - x + xy)² + (2.25 - x + xy²)² + (2.625 - x + xy³)²", _beale, (-4.5, 4.5), (-4.5, 4.5),
        (1.0, 1.4), (3.0, 0.5), 0.01, 300, (1e-4, 1e3), True,
        "flat plateaus and steep walls; the minimum is at (3, 0.5)"),
    "saddle": Surface(
        "saddle", "x² - y²", _saddle, (-1.5, 1.5), (-1.5, 1.5), (-1.0, 0.001), None, 0.01, 300, (-3.0, 1.5),
        False, "a saddle point at (0, 0): downhill along y, uphill along x; who escapes?"),
    "quadratic": Surface(
        "quadratic", "(x² + 25 y²) / 2", _quadratic, (-4.0, 4.0), (-2.0, 2.0), (-3.5, 1.0), (0.0, 0.0),
        0.07, 300, (1e-6, 1e2), True,
        "an ill-conditioned bowl (curvature 25 times larger along y): plain SGD zig-zags"),
}

#: The optimizers raced, each a real ``keras.optimizers`` class with these options.
OPTIMIZERS = {
    "SGD": ("SGD", {}),
    "SGD+momentum": ("SGD", {"momentum": 0.9}),
    "SGD+Nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "Adagrad": ("Adagrad", {}),
    "RMSprop": ("RMSprop", {}),
    "Adadelta": ("Adadelta", {}),
    "Adam": ("Adam", {}),
    "Nadam": ("Nadam", {}),
}
MAX_STEPS = 1000


class Runner:
    """One Keras optimizer racing on one surface for :data:`MAX_STEPS` steps, compiled once.

    It owns a ``tf.Variable`` of shape (2,) (the position) and a real
    ``keras.optimizers`` instance. Each step takes the gradient of the surface
    with a ``GradientTape`` and calls ``optimizer.apply_gradients``; the whole
    loop is one XLA-compiled ``tf.function``, so a new learning rate or start
    costs milliseconds instead of a new trace. Before each run the optimizer's
    variables (iteration count, moments, accumulators) are restored to their
    initial values, so runs are independent and repeatable.
    """

    def __init__(self, optimizer: str, surface: str, jit_compile: bool = True):
        import keras
        import tensorflow as tf

        class_name, options = OPTIMIZERS[optimizer]
        self.surface = SURFACES[surface]
        self.position = tf.Variable([0.0, 0.0], dtype=tf.float64, name="position")
        self.optimizer = getattr(keras.optimizers, class_name)(learning_rate=0.001, **options)
        self.optimizer.build([self.position])
        self.initial = [v.numpy() for v in self.optimizer.variables]
        self._compiled = tf.function(self._run, jit_compile=jit_compile)

    def _run(self, start):
        import tensorflow as tf

        f = self.surface.function
        self.position.assign(start)
        path = tf.TensorArray(tf.float64, size=MAX_STEPS + 1).write(0, start)
        losses = tf.TensorArray(tf.float64, size=MAX_STEPS + 1)

        def step(i, path, losses):
            with tf.GradientTape() as tape:
                loss = f(self.position[0], self.position[1])
            gradient = tape.gradient(loss, self.position)
            self.optimizer.apply_gradients([(gradient, self.position)])
            return i + 1, path.write(i + 1, self.position.read_value()), losses.write(i, loss)

        _, path, losses = tf.while_loop(lambda i, p, l: i < MAX_STEPS, step, (tf.constant(0), path, losses))
        losses = losses.write(MAX_STEPS, f(self.position[0], self.position[1]))
        return path.stack(), losses.stack()

    def run(self, start, learning_rate: float):
        """-> positions (MAX_STEPS + 1, 2) and losses (MAX_STEPS + 1,) as NumPy arrays."""
        import tensorflow as tf

        for variable, value in zip(self.optimizer.variables, self.initial):
            variable.assign(value)
        self.optimizer.learning_rate.assign(learning_rate)
        logger = tf.get_logger()
        level = logger.level
        if self._compiled.experimental_get_tracing_count() == 0:
            # Each runner traces its own function once, by design; TensorFlow would count those
            # first traces together (same Python code) and warn about "retracing" after five.
            logger.setLevel("ERROR")
        try:
            path, losses = self._compiled(tf.constant(start, tf.float64))
        finally:
            logger.setLevel(level)
        return path.numpy(), losses.numpy()


_RUNNERS = {}


def runner(optimizer: str, surface: str) -> Runner:
    """The process's compiled runner for this optimizer and surface, built on first use (~0.3 s)."""
    key = (optimizer, surface)
    if key not in _RUNNERS:
        _RUNNERS[key] = Runner(optimizer, surface)
    return _RUNNERS[key]
