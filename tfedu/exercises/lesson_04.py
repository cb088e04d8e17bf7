"""Exercises for lesson 04 (GradientTape in depth).

>>> from tfedu.exercises import lesson_04 as ex
>>> ex.q1.check(-40 / 3).passed   # d/dw mean((w x - y)^2) at w = 1 for x = [1, 2, 3], y = [3, 5, 7]
True
>>> ex.q3.check("b").passed
True
"""
import math

import numpy as np
import tensorflow as tf

from tfedu.exercises import Exercise, Predict, close

#: The data of exercise 1 (the lesson uses the same numbers).
X = np.array([1.0, 2.0, 3.0], dtype=np.float32)
Y = np.array([3.0, 5.0, 7.0], dtype=np.float32)
_EXPECTED = float(2 * np.mean((1.0 * X - Y) * X))  # d/dw mean((w x - y)^2) at w = 1


def _not_none(answer):
    "the gradient is not None"
    assert answer is not None, "still None: keep every step between w and the loss in TensorFlow ops"


def _right_value(answer):
    "it equals d/dw mean((w·x - y)²) at w = 1"
    close(float(answer), _EXPECTED, atol=1e-4, rtol=0.0, what="the gradient")


def _repair_cell(loss_line: str) -> str:
    return f"""
    x = tf.constant(ex.X)     # [1, 2, 3]
    y = tf.constant(ex.Y)     # [3, 5, 7]
    w = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        {loss_line}
    dloss_dw = tape.gradient(loss, w)

    ex.q1.check(dloss_dw)
    """


q1 = Exercise(
    "Exercise 1 · Repair a None gradient",
    level="warm-up",
    checks=[_not_none, _right_value],
    hint=["The tape only records TensorFlow operations on tensors; find the step that leaves TensorFlow.",
          "np.mean(...) on .numpy() values leaves the tape; tf.reduce_mean on tensors stays on it."],
    solution=_repair_cell("loss = tf.reduce_mean((w * x - y) ** 2)     # was: np.mean((w.numpy() * x - y) ** 2)"),
    mistakes=[
        _repair_cell("loss = tf.reduce_mean(tf.abs(w * x - y))"),      # the mean absolute error, not the MSE
        _repair_cell("loss = tf.reduce_mean((w * x - y) ** 2) / 2"),   # the 1/2 of another textbook
        _repair_cell("loss = tf.reduce_sum((w * x - y) ** 2)"),        # a sum, not a mean
        _repair_cell("loss = tf.reduce_mean(w * x - y) ** 2"),         # squares the mean
    ],
)


def _jacobian_shape(answer):
    "it is the 2×2 Jacobian of [x0 * x1, x0 + x1**2]"
    assert answer is not None, "got None: the tape did not watch x (make it a tf.Variable or tape.watch(x))"
    assert np.shape(answer) == (2, 2), f"shape is {np.shape(answer)}; use tape.jacobian, not tape.gradient"


def _jacobian_values(answer):
    "row i holds the derivatives of output i: [[x1, x0], [1, 2·x1]]"
    close(answer, [[2.0, 1.0], [1.0, 4.0]], what="your Jacobian")


def _jacobian_cell(outputs: str, call: str = "tape.jacobian(y, x)") -> str:
    return f"""
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.stack({outputs})
    jacobian = {call}

    ex.q2.check(jacobian)
    """


q2 = Exercise(
    "Exercise 2 · A Jacobian",
    level="core",
    checks=[_jacobian_shape, _jacobian_values],
    hint=["Two outputs and two inputs make four derivatives; the tape has a method that keeps each output's "
          "derivatives apart.",
          "tape.gradient would add the two outputs together; tape.jacobian(y, x) keeps them apart."],
    solution=_jacobian_cell("[x[0] * x[1], x[0] + x[1] ** 2]"),
    mistakes=[
        # tape.gradient sums the outputs: shape (2,)
        _jacobian_cell("[x[0] * x[1], x[0] + x[1] ** 2]", call="tape.gradient(y, x)"),
        # brackets in the wrong place: (x0 + x1) ** 2
        _jacobian_cell("[x[0] * x[1], (x[0] + x[1]) ** 2]"),
        # x1 * 2 instead of x1 ** 2
        _jacobian_cell("[x[0] * x[1], x[0] + x[1] * 2]"),
    ],
)

q3 = Predict(
    "Exercise 3 · Predict: the branch tf.where did not take",
    level="core",
    options={
        "a": "0.0: at 0 the output comes from the constant branch",
        "b": "NaN",
        "c": "None: the constant branch does not depend on the input",
    },
    answer="b",
    why={
        "a": "tf.where computes both branches for every element, and its gradient flows back into both: the "
             "branch it did not take gets 0 × (the log's derivative at 0, which is infinite)",
        "c": "None needs a missing path, and the log branch is a path from the input to the output",
    },
    hint=["tf.where does not skip the branch it does not choose: both are computed for every element, and "
          "both are on the tape.",
          "On the way back the branch not chosen gets an upstream gradient of 0, which the log's gradient rule "
          "multiplies by 1/x. What is 0 × (1/0) in floating point?"],
)


def _is_a_function(answer):
    "mixed_partial is a function"
    assert callable(answer), f"got {type(answer).__name__}; define it with def mixed_partial(f, x, y): ..."


def _mixed(answer, f, x, y, what):
    got = answer(f, tf.constant(x), tf.constant(y))
    assert got is not None, (
        f"mixed_partial returned None for {what}: the outer tape saw no path from dz/dx back to y. Does "
        "it watch y, and is inner.gradient called inside its `with` block?"
    )
    return float(got)


def _first_case(answer):
    "for z = x²·y³ at (2, 1) it gives ∂²z/∂x∂y"
    got = _mixed(answer, lambda x, y: x ** 2 * y ** 3, 2.0, 1.0, "z = x**2 * y**3")
    assert got != 0.0, (
        "it returned 0 for z = x**2 * y**3: the outer tape recorded no path from dz/dx back to y. Does it "
        "watch y, and is inner.gradient called inside its `with` block?"
    )
    close(got, 12.0, atol=1e-4, rtol=0.0, what="∂²z/∂x∂y for z = x**2 * y**3 at (2, 1)")


def _other_functions(answer):
    "it works for other functions too: sin(x·y) at (1, 2) and x·y + y at (3, -1)"
    for what, f, x, y, exact in [("z = sin(x * y)", lambda x, y: tf.sin(x * y), 1.0, 2.0,
                                  math.cos(2.0) - 2.0 * math.sin(2.0)),
                                 ("z = x * y + y", lambda x, y: x * y + y, 3.0, -1.0, 1.0)]:
        got = _mixed(answer, f, x, y, what)
        close(got, exact, atol=1e-4, rtol=0.0, what=f"∂²z/∂x∂y for {what} at ({x:g}, {y:g})")


def _zero_not_none(answer):
    "with no term mixing x and y (z = x² + y³) it returns 0.0, not None"
    got = answer(lambda x, y: x ** 2 + y ** 3, tf.constant(1.0), tf.constant(2.0))
    assert got is not None, (
        "for z = x**2 + y**3 it returned None: dz/dx = 2x does not depend on y at all, so there is no "
        "path back to y (section 8). The right answer is a number: make the tape report it"
    )
    close(float(got), 0.0, atol=1e-6, rtol=0.0, what="∂²z/∂x∂y for z = x**2 + y**3")


def _mixed_partial_cell(*, watch="y", source="y", inside=True, zero=True) -> str:
    unconnected = ", unconnected_gradients=tf.UnconnectedGradients.ZERO" if zero else ""
    gradient_line = "    dz_dx = inner.gradient(z, x)" if inside else "dz_dx = inner.gradient(z, x)"
    return f"""
    def mixed_partial(f, x, y):
        with tf.GradientTape() as outer:
            outer.watch({watch})
            with tf.GradientTape() as inner:
                inner.watch(x)
                z = f(x, y)
        {gradient_line}
        return outer.gradient(dz_dx, {source}{unconnected})

    ex.q4.check(mixed_partial)
    """


q4 = Exercise(
    "Exercise 4 · A mixed partial derivative, for any function",
    level="challenge",
    checks=[_is_a_function, _first_case, _other_functions, _zero_not_none],
    hint=["Nest two tapes as for a second derivative, but differentiate with respect to x on the inside and "
          "with respect to y on the outside; each tape must watch the tensor it differentiates by.",
          "Inside the outer tape's block: dz_dx = inner.gradient(z, x). Then outer.gradient(dz_dx, y). When "
          "dz/dx does not depend on y that is None: section 8 shows how to get zeros instead.",
          "outer.gradient(dz_dx, y, unconnected_gradients=tf.UnconnectedGradients.ZERO)."],
    solution=_mixed_partial_cell(),
    mistakes=[
        # the outer tape differentiates by x again: that is ∂²z/∂x²
        _mixed_partial_cell(watch="x", source="x"),
        # inner.gradient called after the outer tape stopped recording: None
        _mixed_partial_cell(inside=False),
        # right for most functions, but None where dz/dx does not depend on y
        _mixed_partial_cell(zero=False),
    ],
)
