"""Exercises for lesson 03 (four ways to differentiate).

>>> from tfedu.exercises import lesson_03 as ex
>>> ex.q1.check(lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h)).passed
True
"""
import math

import numpy as np
import tensorflow as tf

from tfedu.exercises import Exercise


def _accurate(answer):
    "it approximates f'(x) to 1e-6 for exp, sin and x**3"
    for name, f, x, exact in [("exp", math.exp, 0.5, math.exp(0.5)), ("sin", math.sin, 1.0, math.cos(1.0)),
                              ("x**3", lambda v: v ** 3, 2.0, 12.0)]:
        got = float(answer(f, x, 1e-5))
        assert abs(got - exact) < 1e-6, f"for {name} at x={x}: got {got:.8f}, expected {exact:.8f}"


def _is_central(answer):
    "it uses points on both sides of x (a central difference)"
    got = float(answer(lambda v: v ** 2, 1.0, 0.1))
    assert abs(got - 2.0) < 1e-9, (
        f"for x**2 at 1 with h=0.1 it gives {got:.4f}; a central difference gives exactly 2.0 "
        "(2.1 means a forward difference)"
    )


q1 = Exercise(
    "Exercise 1 · A central difference",
    checks=[_accurate, _is_central],
    hint="Evaluate f at x + h and at x - h; the distance between those points is 2h.",
    solution="""
    def central_difference(f, x, h):
        return (f(x + h) - f(x - h)) / (2 * h)
    """,
)


def _gradient_values(answer):
    "it is [dz/dx, dz/dy] = [12, 10] for z = x**2 * y + y at x=3, y=2"
    values = [float(v) for v in answer]
    assert len(values) == 2, f"got {len(values)} values; give [dz_dx, dz_dy]"
    assert np.allclose(values, [12.0, 10.0]), f"got {values}; expected [12.0, 10.0]"


q2 = Exercise(
    "Exercise 2 · Two partial derivatives with one tape",
    checks=[_gradient_values],
    hint="Make x and y tf.Variables (or watch them), compute z inside the tape, then "
         "tape.gradient(z, [x, y]).",
    solution="""
    x, y = tf.Variable(3.0), tf.Variable(2.0)
    with tf.GradientTape() as tape:
        z = x ** 2 * y + y
    gradients = tape.gradient(z, [x, y])
    """,
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


q3 = Exercise(
    "Exercise 3 · Fix a custom gradient",
    checks=[_is_custom_gradient_function, _passes_gradcheck],
    hint="d/dx log(1 + e^x) = e^x / (1 + e^x), which is the sigmoid of x.",
    solution="""
    @tf.custom_gradient
    def my_softplus(x):
        def grad(upstream):
            return upstream * tf.sigmoid(x)
        return tf.math.log1p(tf.exp(x)), grad
    """,
)
