"""Exercises for lesson 05 (gradient descent from scratch).

>>> from tfedu.exercises import lesson_05 as ex
>>> ex.q2.check(0.3).passed
True
"""
import numpy as np

from tfedu.descent import gradient_descent
from tfedu.exercises import Exercise, close

#: Data for the exercises: y = 3x + 2 plus a little noise.
_rng = np.random.default_rng(5)
X = _rng.uniform(-2, 2, 120).astype(np.float32)
Y = (3 * X + 2 + _rng.normal(0, 0.5, 120)).astype(np.float32)


def _one_step_w(answer):
    "w after one step from w=0, b=0 with learning rate 0.1"
    residual = 0.0 * X + 0.0 - Y
    expected = 0.0 - 0.1 * 2 * np.mean(residual * X)
    got = float(answer[0].numpy() if hasattr(answer[0], "numpy") else answer[0])
    close(got, expected, atol=1e-4, rtol=0.0, what="w")


def _one_step_b(answer):
    "b after the same step"
    expected = 0.0 - 0.1 * 2 * np.mean(0.0 * X - Y)
    got = float(answer[1].numpy() if hasattr(answer[1], "numpy") else answer[1])
    close(got, expected, atol=1e-4, rtol=0.0, what="b")


q1 = Exercise(
    "Exercise 1 · One step by hand",
    checks=[_one_step_w, _one_step_b],
    hint=["Compute the loss inside a tape, ask the tape for the gradients of w and b, and move each "
          "against its gradient.",
          "Compute the loss inside a tape, get [dw, db] = tape.gradient(loss, [w, b]), then "
          "w.assign_sub(0.1 * dw) and the same for b."],
    solution="""
    w, b = tf.Variable(0.0), tf.Variable(0.0)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((w * x + b - y) ** 2)
    dw, db = tape.gradient(loss, [w, b])
    w.assign_sub(0.1 * dw)
    b.assign_sub(0.1 * db)
    answer = (w, b)

    ex.q1.check(answer)
    """,
    mistakes=[
        'w, b = tf.Variable(0.0), tf.Variable(0.0)\nwith tf.GradientTape() as tape:\n    loss = tf.reduce_mean((w * x + b - y) ** 2)\ndw, db = tape.gradient(loss, [w, b])\nw.assign_add(0.1 * dw)\nb.assign_add(0.1 * db)\nanswer = (w, b)\n\nex.q1.check(answer)',   # uphill: the wrong sign
        'w, b = tf.Variable(0.0), tf.Variable(0.0)\nwith tf.GradientTape() as tape:\n    loss = tf.reduce_mean((w * x + b - y) ** 2)\ndw, db = tape.gradient(loss, [w, b])\nw.assign_sub(dw)\nb.assign_sub(db)\nanswer = (w, b)\n\nex.q1.check(answer)',   # forgot the learning rate
        'w, b = tf.Variable(0.0), tf.Variable(0.0)\nwith tf.GradientTape() as tape:\n    loss = tf.reduce_sum((w * x + b - y) ** 2)\ndw, db = tape.gradient(loss, [w, b])\nw.assign_sub(0.1 * dw)\nb.assign_sub(0.1 * db)\nanswer = (w, b)\n\nex.q1.check(answer)',   # a sum, not the mean
    ],
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
    hint=["Try the explorer above: too small a rate is slow, too large a rate explodes.",
          "Try the explorer above: 0.001 is far too slow and 1 explodes; look in between."],
    solution="""
    rate = 0.3

    ex.q2.check(rate)
    """,
    mistakes=[
        "rate = 1.0\n\nex.q2.check(rate)",     # diverges
        "rate = 0.001\n\nex.q2.check(rate)",   # far too slow
        "rate = -0.3\n\nex.q2.check(rate)",    # a step uphill
    ],
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
    for name, got, best in (("w", w, best_w), ("b", b, best_b)):
        assert abs(got - best) < 0.1, (f"{name}={got:.3f} is too {'large' if got > best else 'small'}: "
                                       "more than 0.1 away from the least-squares fit")


def _uses_every_sample(answer):
    "one epoch of batch_size=len(x) equals one full-batch step"
    w, b = (float(v) for v in answer(X, Y, len(X), 1, 0.1))
    expected = gradient_descent(X, Y, learning_rate=0.1, epochs=1)
    close([w, b], [expected.w, expected.b], atol=1e-4, rtol=0.0,
          what="(w, b) after one epoch of one batch (one step from w = b = 0)")


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

    ex.q3.check(train)
    """,
    mistakes=[
        # off by one batch: the last (or only) batch is never used
        'def train(x, y, batch_size, epochs, learning_rate):\n    w, b = tf.Variable(0.0), tf.Variable(0.0)\n    rng = np.random.default_rng(0)\n    for epoch in range(epochs):\n        order = rng.permutation(len(x))\n        for start in range(0, len(x) - batch_size, batch_size):\n            index = order[start:start + batch_size]\n            with tf.GradientTape() as tape:\n                loss = tf.reduce_mean((w * x[index] + b - y[index]) ** 2)\n            dw, db = tape.gradient(loss, [w, b])\n            w.assign_sub(learning_rate * dw)\n            b.assign_sub(learning_rate * db)\n    return float(w.numpy()), float(b.numpy())\n\nex.q3.check(train)',
        # w and b swapped in the return
        'def train(x, y, batch_size, epochs, learning_rate):\n    w, b = tf.Variable(0.0), tf.Variable(0.0)\n    rng = np.random.default_rng(0)\n    for epoch in range(epochs):\n        order = rng.permutation(len(x))\n        for start in range(0, len(x), batch_size):\n            index = order[start:start + batch_size]\n            with tf.GradientTape() as tape:\n                loss = tf.reduce_mean((w * x[index] + b - y[index]) ** 2)\n            dw, db = tape.gradient(loss, [w, b])\n            w.assign_sub(learning_rate * dw)\n            b.assign_sub(learning_rate * db)\n    return float(b.numpy()), float(w.numpy())\n\nex.q3.check(train)',
        # w and b created once, outside: every call continues from the last one
        'w, b = tf.Variable(0.0), tf.Variable(0.0)\n\ndef train(x, y, batch_size, epochs, learning_rate):\n    rng = np.random.default_rng(0)\n    for epoch in range(epochs):\n        order = rng.permutation(len(x))\n        for start in range(0, len(x), batch_size):\n            index = order[start:start + batch_size]\n            with tf.GradientTape() as tape:\n                loss = tf.reduce_mean((w * x[index] + b - y[index]) ** 2)\n            dw, db = tape.gradient(loss, [w, b])\n            w.assign_sub(learning_rate * dw)\n            b.assign_sub(learning_rate * db)\n    return float(w.numpy()), float(b.numpy())\n\nex.q3.check(train)',
    ],
)
