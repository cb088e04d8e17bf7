"""Exercises for lesson 03 (four ways to differentiate).

>>> from tfedu.exercises import lesson_03 as ex
>>> ex.q1.check(lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h)).passed
True
>>> ex.q3.check("d").passed
True
"""
import math

import numpy as np
import tensorflow as tf

from tfedu.exercises import Exercise, Predict, close


def _accurate(answer):
    "it approximates f'(x) to 1e-6 for exp, sin and x**3"
    for name, f, x, exact in [("exp", math.exp, 0.5, math.exp(0.5)), ("sin", math.sin, 1.0, math.cos(1.0)),
                              ("x**3", lambda v: v ** 3, 2.0, 12.0)]:
        got = float(answer(f, x, 1e-5))
        close(got, exact, atol=1e-6, rtol=0.0, what=f"with h=1e-5, the estimate for {name} at x={x}")


def _is_central(answer):
    "it uses points on both sides of x (a central difference)"
    got = float(answer(lambda v: v ** 2, 1.0, 0.1))
    assert abs(got - 2.0) < 1e-9, (
        f"for x**2 at 1 with h=0.1 it gives {got:.4f}, not the exact derivative; a central difference is "
        "exact for x**2, a forward difference (f(x + h) - f(x)) / h is off by h"
    )


q1 = Exercise(
    "Exercise 1 · A central difference",
    level="warm-up",
    checks=[_accurate, _is_central],
    hint=["Look at f on both sides of x, a step h to the left and to the right.",
          "Evaluate f at x + h and at x - h; the distance between those points is 2h."],
    solution="""
    def central_difference(f, x, h):
        return (f(x + h) - f(x - h)) / (2 * h)

    ex.q1.check(central_difference)
    """,
    mistakes=[
        # a forward difference
        """
        def central_difference(f, x, h):
            return (f(x + h) - f(x)) / h

        ex.q1.check(central_difference)
        """,
        # divides by h, not by the distance 2h
        """
        def central_difference(f, x, h):
            return (f(x + h) - f(x - h)) / h

        ex.q1.check(central_difference)
        """,
        # missing parentheses: only f(x - h) is divided
        """
        def central_difference(f, x, h):
            return f(x + h) - f(x - h) / (2 * h)

        ex.q1.check(central_difference)
        """,
    ],
)


def _gradient_values(answer):
    "it is [dz/dx, dz/dy] for z = x**2 * y + y at x=3, y=2"
    answer = list(answer)
    assert len(answer) == 2, f"got {len(answer)} values; give [dz_dx, dz_dy]"
    for name, value in zip(("dz/dx", "dz/dy"), answer):
        assert value is not None, (f"{name} is None: the tape did not watch that input (make it a tf.Variable "
                                   "or call tape.watch, and compute z inside the `with` block)")
    close([float(v) for v in answer], [12.0, 10.0], what="[dz/dx, dz/dy]")


q2 = Exercise(
    "Exercise 2 · Two partial derivatives with one tape",
    level="core",
    checks=[_gradient_values],
    hint=["Compute z inside a `with tf.GradientTape() as tape:` block; one call then gives both derivatives.",
          "Make x and y tf.Variables (or watch them), compute z inside the tape, then "
          "tape.gradient(z, [x, y])."],
    solution="""
    x, y = tf.Variable(3.0), tf.Variable(2.0)
    with tf.GradientTape() as tape:
        z = x ** 2 * y + y
    gradients = tape.gradient(z, [x, y])

    ex.q2.check(gradients)
    """,
    mistakes=[
        # constants, not watched: both gradients are None
        """
        x, y = tf.constant(3.0), tf.constant(2.0)
        with tf.GradientTape() as tape:
            z = x ** 2 * y + y
        gradients = tape.gradient(z, [x, y])

        ex.q2.check(gradients)
        """,
        # the sources in the wrong order
        """
        x, y = tf.Variable(3.0), tf.Variable(2.0)
        with tf.GradientTape() as tape:
            z = x ** 2 * y + y
        gradients = tape.gradient(z, [y, x])

        ex.q2.check(gradients)
        """,
        # forgot the + y
        """
        x, y = tf.Variable(3.0), tf.Variable(2.0)
        with tf.GradientTape() as tape:
            z = x ** 2 * y
        gradients = tape.gradient(z, [x, y])

        ex.q2.check(gradients)
        """,
    ],
)


q3 = Predict(
    "Exercise 3 · Predict: autodiff at a kink",
    level="core",
    options={
        "a": "None: there is no derivative to give",
        "b": "NaN: the derivative is undefined",
        "c": "1.0: the slope just to the right of 0",
        "d": "0.0",
    },
    answer="d",
    why={
        "a": "None means the tape found no path from the target to the source, and here there is one, "
             "through tf.abs",
        "b": "autodiff never looks around a point to see whether a derivative exists: it applies tf.abs's "
             "gradient rule to the number it saw",
        "c": "that is what a forward difference would give; autodiff uses the gradient rule registered for "
             "tf.abs, which does not prefer a side",
    },
    hint=["Autodiff does not ask whether the derivative exists: every operation has a fixed gradient rule, "
          "applied to the value that went through it.",
          "TensorFlow's gradient rule for tf.abs is upstream * tf.sign(x). What is tf.sign(0.0)?"],
)


def _is_custom_gradient_function(answer):
    "it computes softplus(x) = log(1 + exp(x))"
    x = tf.constant([-3.0, 0.0, 2.0], dtype=tf.float64)
    got = np.asarray(answer(x))
    assert np.allclose(got, np.log1p(np.exp(x.numpy())), atol=1e-6), f"values are {np.round(got, 4).tolist()}"


def _passes_gradcheck(answer):
    "its custom gradient agrees with finite differences"
    from tfedu.gradcheck import check_gradients

    report = check_gradients(lambda x: tf.reduce_sum(answer(x)), tf.constant([-3.0, 0.0, 2.0], dtype=tf.float64))
    assert report.passed, f"the gradient check failed, max rel error {report.max_rel_error:.1e}"


q4 = Exercise(
    "Exercise 4 · Fix a custom gradient",
    level="challenge",
    checks=[_is_custom_gradient_function, _passes_gradcheck],
    hint=["Differentiate log(1 + e^x) with the chain rule; grad returns upstream times that derivative.",
          "d/dx log(1 + e^x) = e^x / (1 + e^x), which is the sigmoid of x."],
    solution="""
    @tf.custom_gradient
    def my_softplus(x):
        def grad(upstream):
            return upstream * tf.sigmoid(x)
        return tf.math.log1p(tf.exp(x)), grad

    ex.q4.check(my_softplus)
    """,
    mistakes=[
        # the original bug: the derivative of e^x, not of log(1 + e^x)
        """
        @tf.custom_gradient
        def my_softplus(x):
            def grad(upstream):
                return upstream * tf.exp(x)
            return tf.math.log1p(tf.exp(x)), grad

        ex.q4.check(my_softplus)
        """,
        # sigmoid of -x: a sign slip
        """
        @tf.custom_gradient
        def my_softplus(x):
            def grad(upstream):
                return upstream * tf.sigmoid(-x)
            return tf.math.log1p(tf.exp(x)), grad

        ex.q4.check(my_softplus)
        """,
        # the sigmoid's own derivative, one step too far
        """
        @tf.custom_gradient
        def my_softplus(x):
            def grad(upstream):
                s = tf.sigmoid(x)
                return upstream * s * (1 - s)
            return tf.math.log1p(tf.exp(x)), grad

        ex.q4.check(my_softplus)
        """,
    ],
)
