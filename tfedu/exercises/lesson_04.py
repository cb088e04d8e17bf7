"""Exercises for lesson 04 (GradientTape in depth).

>>> from tfedu.exercises import lesson_04 as ex
>>> ex.q1.check(-2.0).passed   # d2/dx2 of sin(x) * 2 at pi/2 is -2
True
"""

import numpy as np

from tfedu.exercises import Exercise, close


def _second_derivative(answer):
    "it is d²y/dx² of y = 2 sin(x) at x = π/2, which is -2"
    value = float(answer)
    assert abs(value + 2.0) < 1e-5, f"got {value:.6f}; d/dx of 2cos(x) is -2 sin(x), at π/2 that is -2"


q1 = Exercise(
    "Exercise 1 · A second derivative",
    checks=[_second_derivative],
    hint="Nest two tapes: the inner one gives dy/dx, and the outer one differentiates that.",
    solution="""
    x = tf.Variable(math.pi / 2)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = 2 * tf.sin(x)
        dy_dx = inner.gradient(y, x)
    d2y_dx2 = outer.gradient(dy_dx, x)
    """,
)

_POINT = np.array([1.0, 2.0], dtype=np.float32)


def _jacobian_shape(answer):
    "it is the 2×2 Jacobian of [x0 * x1, x0 + x1**2]"
    assert np.shape(answer) == (2, 2), f"shape is {np.shape(answer)}; use tape.jacobian, not tape.gradient"


def _jacobian_values(answer):
    "row i holds the derivatives of output i: [[x1, x0], [1, 2·x1]]"
    close(answer, [[2.0, 1.0], [1.0, 4.0]], what="your Jacobian")


q2 = Exercise(
    "Exercise 2 · A Jacobian",
    checks=[_jacobian_shape, _jacobian_values],
    hint="tape.gradient would add the two outputs together; tape.jacobian(y, x) keeps them apart.",
    solution="""
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.stack([x[0] * x[1], x[0] + x[1] ** 2])
    jacobian = tape.jacobian(y, x)
    """,
)


#: The data of exercise 3 (the lesson uses the same numbers).
X = np.array([1.0, 2.0, 3.0], dtype=np.float32)
Y = np.array([3.0, 5.0, 7.0], dtype=np.float32)
_EXPECTED = float(2 * np.mean((1.0 * X - Y) * X))  # d/dw mean((w x - y)^2) at w = 1


def _not_none(answer):
    "the gradient is not None"
    assert answer is not None, "still None: keep every step between w and the loss in TensorFlow ops"


def _right_value(answer):
    assert abs(float(answer) - _EXPECTED) < 1e-4, f"got {float(answer):.4f}, expected {_EXPECTED:.4f}"


_right_value.__doc__ = f"it equals d/dw mean((w·x - y)²) = 2·mean((w·x - y)·x) = {_EXPECTED:.4f} at w = 1"


q3 = Exercise(
    "Exercise 3 · Repair a None gradient",
    checks=[_not_none, _right_value],
    hint="np.mean(...) on .numpy() values leaves the tape; tf.reduce_mean on tensors stays on it.",
    solution="""
    w = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((w * x - y) ** 2)
    gradient = tape.gradient(loss, w)
    """,
)
