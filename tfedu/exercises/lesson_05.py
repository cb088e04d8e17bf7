"""Exercises for lesson 05 (gradient descent from scratch).

>>> from tfedu.exercises import lesson_05 as ex
>>> ex.q2.check(0.3).passed
True
"""
import numpy as np

from tfedu.descent import gradient_descent
from tfedu.exercises import Exercise

#: Data for the exercises: y = 3x + 2 plus a little noise.
_rng = np.random.default_rng(5)
X = _rng.uniform(-2, 2, 120).astype(np.float32)
Y = (3 * X + 2 + _rng.normal(0, 0.5, 120)).astype(np.float32)


def _one_step_w(answer):
    "w after one step from w=0, b=0 with learning rate 0.1"
    residual = 0.0 * X + 0.0 - Y
    expected = 0.0 - 0.1 * 2 * np.mean(residual * X)
    got = float(answer[0].numpy() if hasattr(answer[0], "numpy") else answer[0])
    assert abs(got - expected) < 1e-4, f"w is {got:.4f}, expected {expected:.4f}"


def _one_step_b(answer):
    "b after the same step"
    expected = 0.0 - 0.1 * 2 * np.mean(0.0 * X - Y)
    got = float(answer[1].numpy() if hasattr(answer[1], "numpy") else answer[1])
    assert abs(got - expected) < 1e-4, f"b is {got:.4f}, expected {expected:.4f}"


q1 = Exercise(
    "Exercise 1 · One step by hand",
    checks=[_one_step_w, _one_step_b],
    hint="Compute the loss inside a tape, get [dw, db] = tape.gradient(loss, [w, b]), then "
         "w.assign_sub(0.1 * dw) and the same for b.",
    solution="""
    w, b = tf.Variable(0.0), tf.Variable(0.0)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((w * x + b - y) ** 2)
    dw, db = tape.gradient(loss, [w, b])
    w.assign_sub(0.1 * dw)
    b.assign_sub(0.1 * db)
    answer = (w, b)
    """,
)


def _is_a_rate(answer):
    "it is a positive number"
    assert isinstance(answer, (int, float, np.floating)) and answer > 0, f"got {answer!r}"


def _fast_enough(answer):
    "after 10 epochs of batch gradient descent the loss is below 0.35"
    run = gradient_descent(X, Y, learning_rate=float(answer), epochs=10)
    assert not run.diverged, f"with {answer} the loss explodes: {run}"
    assert run.final_loss < 0.35, f"with {answer} the loss is still {run.final_loss:.3f} after 10 epochs"


q2 = Exercise(
    "Exercise 2 · A learning rate that works",
    checks=[_is_a_rate, _fast_enough],
    hint="Try the explorer above: 0.001 is far too slow and 1 explodes; look in between.",
    solution="""
    rate = 0.3
    """,
)


def _returns_two_numbers(answer):
    "train(x, y, batch_size, epochs, learning_rate) returns (w, b)"
    result = answer(X[:40], Y[:40], 8, 1, 0.01)
    assert len(result) == 2, f"it returned {result!r}"


def _fits_the_line(answer):
    "with mini-batches of 16 for 30 epochs it gets w and b within 0.1 of least squares"
    w, b = (float(v) for v in answer(X, Y, 16, 30, 0.05))
    design = np.stack([X, np.ones_like(X)], axis=1).astype(np.float64)
    best_w, best_b = np.linalg.lstsq(design, Y.astype(np.float64), rcond=None)[0]
    assert abs(w - best_w) < 0.1 and abs(b - best_b) < 0.1, (
        f"got w={w:.3f}, b={b:.3f}; least squares gives w={best_w:.3f}, b={best_b:.3f}"
    )


def _uses_every_sample(answer):
    "one epoch of batch_size=len(x) equals one full-batch step"
    w, b = (float(v) for v in answer(X, Y, len(X), 1, 0.1))
    expected = gradient_descent(X, Y, learning_rate=0.1, epochs=1)
    assert abs(w - expected.w) < 1e-4 and abs(b - expected.b) < 1e-4, (
        f"got w={w:.4f}, b={b:.4f}; one full-batch step gives w={expected.w:.4f}, b={expected.b:.4f}"
    )


q3 = Exercise(
    "Exercise 3 · A mini-batch training loop",
    checks=[_returns_two_numbers, _fits_the_line, _uses_every_sample],
    hint="Loop over epochs; in each, shuffle the indices and take slices of batch_size; one tape "
         "and one assign_sub per slice. Start from w = b = 0.",
    solution="""
    def train(x, y, batch_size, epochs, learning_rate):
        w, b = tf.Variable(0.0), tf.Variable(0.0)
        rng = np.random.default_rng(0)
        for epoch in range(epochs):
            order = rng.permutation(len(x))
            for start in range(0, len(x), batch_size):
                index = order[start:start + batch_size]
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((w * x[index] + b - y[index]) ** 2)
                dw, db = tape.gradient(loss, [w, b])
                w.assign_sub(learning_rate * dw)
                b.assign_sub(learning_rate * db)
        return float(w.numpy()), float(b.numpy())
    """,
)
