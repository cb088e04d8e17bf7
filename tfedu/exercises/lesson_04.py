"""Exercises for lesson 04 (GradientTape in depth).

>>> from tfedu.exercises import lesson_04 as ex
>>> ex.q1.check(-2.0).passed   # d2/dx2 of sin(x) * 2 at pi/2 is -2
True
"""

import numpy as np

from tfedu.exercises import Exercise, close


def _second_derivative(answer):
    "it is d²y/dx² of y = 2 sin(x) at x = π/2"
    assert answer is not None, ("got None: the outer tape saw no computation of dy/dx; compute dy_dx "
                                "inside the outer tape's `with` block")
    close(float(answer), -2.0, atol=1e-5, rtol=0.0, what="d²y/dx²")


q1 = Exercise(
    "Exercise 1 · A second derivative",
    checks=[_second_derivative],
    hint=["Nest two tapes: the inner one gives dy/dx, and the outer one differentiates that.",
          "Compute dy_dx = inner.gradient(y, x) while the outer tape is still recording (inside its "
          "`with`), then outer.gradient(dy_dx, x)."],
    solution="""
    x = tf.Variable(math.pi / 2)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = 2 * tf.sin(x)
        dy_dx = inner.gradient(y, x)
    d2y_dx2 = outer.gradient(dy_dx, x)

    ex.q1.check(d2y_dx2)
    """,
    mistakes=[
        # degrees, not radians
        "x = tf.Variable(90.0)\nwith tf.GradientTape() as outer:\n    with tf.GradientTape() as inner:\n"
        "        y = 2 * tf.sin(x)\n    dy_dx = inner.gradient(y, x)\nd2y_dx2 = outer.gradient(dy_dx, x)\n\n"
        "ex.q1.check(d2y_dx2)",
        # forgot the factor 2
        "x = tf.Variable(math.pi / 2)\nwith tf.GradientTape() as outer:\n    with tf.GradientTape() as inner:\n"
        "        y = tf.sin(x)\n    dy_dx = inner.gradient(y, x)\nd2y_dx2 = outer.gradient(dy_dx, x)\n\n"
        "ex.q1.check(d2y_dx2)",
        # handed in the first derivative
        "x = tf.Variable(math.pi / 2)\nwith tf.GradientTape() as outer:\n    with tf.GradientTape() as inner:\n"
        "        y = 2 * tf.sin(x)\n    dy_dx = inner.gradient(y, x)\nd2y_dx2 = dy_dx\n\n"
        "ex.q1.check(d2y_dx2)",
    ],
)

_POINT = np.array([1.0, 2.0], dtype=np.float32)


def _jacobian_shape(answer):
    "it is the 2×2 Jacobian of [x0 * x1, x0 + x1**2]"
    assert answer is not None, "got None: the tape did not watch x (make it a tf.Variable or tape.watch(x))"
    assert np.shape(answer) == (2, 2), f"shape is {np.shape(answer)}; use tape.jacobian, not tape.gradient"


def _jacobian_values(answer):
    "row i holds the derivatives of output i: [[x1, x0], [1, 2·x1]]"
    close(answer, [[2.0, 1.0], [1.0, 4.0]], what="your Jacobian")


q2 = Exercise(
    "Exercise 2 · A Jacobian",
    checks=[_jacobian_shape, _jacobian_values],
    hint=["Two outputs and two inputs make four derivatives; the tape has a method that keeps each output's "
          "derivatives apart.",
          "tape.gradient would add the two outputs together; tape.jacobian(y, x) keeps them apart."],
    solution="""
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.stack([x[0] * x[1], x[0] + x[1] ** 2])
    jacobian = tape.jacobian(y, x)

    ex.q2.check(jacobian)
    """,
    mistakes=[
        # tape.gradient sums the outputs: shape (2,)
        "x = tf.Variable([1.0, 2.0])\nwith tf.GradientTape() as tape:\n    y = tf.stack([x[0] * x[1], x[0] + x[1] ** 2])\n"
        "jacobian = tape.gradient(y, x)\n\nex.q2.check(jacobian)",
        # brackets in the wrong place: (x0 + x1) ** 2
        "x = tf.Variable([1.0, 2.0])\nwith tf.GradientTape() as tape:\n    y = tf.stack([x[0] * x[1], (x[0] + x[1]) ** 2])\n"
        "jacobian = tape.jacobian(y, x)\n\nex.q2.check(jacobian)",
        # x1 * 2 instead of x1 ** 2
        "x = tf.Variable([1.0, 2.0])\nwith tf.GradientTape() as tape:\n    y = tf.stack([x[0] * x[1], x[0] + x[1] * 2])\n"
        "jacobian = tape.jacobian(y, x)\n\nex.q2.check(jacobian)",
    ],
)


#: The data of exercise 3 (the lesson uses the same numbers).
X = np.array([1.0, 2.0, 3.0], dtype=np.float32)
Y = np.array([3.0, 5.0, 7.0], dtype=np.float32)
_EXPECTED = float(2 * np.mean((1.0 * X - Y) * X))  # d/dw mean((w x - y)^2) at w = 1


def _not_none(answer):
    "the gradient is not None"
    assert answer is not None, "still None: keep every step between w and the loss in TensorFlow ops"


def _right_value(answer):
    "it equals d/dw mean((w·x - y)²) at w = 1"
    close(float(answer), _EXPECTED, atol=1e-4, rtol=0.0, what="the gradient")


q3 = Exercise(
    "Exercise 3 · Repair a None gradient",
    checks=[_not_none, _right_value],
    hint=["The tape only records TensorFlow operations on tensors; find the step that leaves TensorFlow.",
          "np.mean(...) on .numpy() values leaves the tape; tf.reduce_mean on tensors stays on it."],
    solution="""
    x = tf.constant(ex.X)     # [1, 2, 3]
    y = tf.constant(ex.Y)     # [3, 5, 7]
    w = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((w * x - y) ** 2)     # was: np.mean((w.numpy() * x - y) ** 2)
    gradient = tape.gradient(loss, w)

    ex.q3.check(gradient)
    """,
    mistakes=[
        'x = tf.constant(ex.X)     # [1, 2, 3]\ny = tf.constant(ex.Y)     # [3, 5, 7]\nw = tf.Variable(1.0)\nwith tf.GradientTape() as tape:\n    loss = tf.reduce_mean(tf.abs(w * x - y))\ngradient = tape.gradient(loss, w)\n\nex.q3.check(gradient)',   # the mean absolute error, not the MSE
        'x = tf.constant(ex.X)     # [1, 2, 3]\ny = tf.constant(ex.Y)     # [3, 5, 7]\nw = tf.Variable(1.0)\nwith tf.GradientTape() as tape:\n    loss = tf.reduce_mean((w * x - y) ** 2) / 2\ngradient = tape.gradient(loss, w)\n\nex.q3.check(gradient)',   # the 1/2 of another textbook
        'x = tf.constant(ex.X)     # [1, 2, 3]\ny = tf.constant(ex.Y)     # [3, 5, 7]\nw = tf.Variable(1.0)\nwith tf.GradientTape() as tape:\n    loss = tf.reduce_sum((w * x - y) ** 2)\ngradient = tape.gradient(loss, w)\n\nex.q3.check(gradient)',   # a sum, not a mean
        'x = tf.constant(ex.X)     # [1, 2, 3]\ny = tf.constant(ex.Y)     # [3, 5, 7]\nw = tf.Variable(1.0)\nwith tf.GradientTape() as tape:\n    loss = tf.reduce_mean(w * x - y) ** 2\ngradient = tape.gradient(loss, w)\n\nex.q3.check(gradient)',   # squares the mean
    ],
)
