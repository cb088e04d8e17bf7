"""Exercises for lesson 05 (gradient descent from scratch).

>>> from tfedu.exercises import lesson_05 as ex
>>> ex.q2.check(0.3).passed
True
>>> ex.q3.check("b").passed
True
"""
import numpy as np

from tfedu.descent import gradient_descent
from tfedu.exercises import Exercise, Predict, close

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


def _one_step_cell(method, factor, reduce="reduce_mean"):
    return f"""
    w, b = tf.Variable(0.0), tf.Variable(0.0)
    with tf.GradientTape() as tape:
        loss = tf.{reduce}((w * x_new + b - y_new) ** 2)
    dw, db = tape.gradient(loss, [w, b])
    w.{method}({factor}dw)
    b.{method}({factor}db)
    answer = (w, b)

    ex.q1.check(answer)
    """


q1 = Exercise(
    "Exercise 1 · One step by hand",
    level="warm-up",
    checks=[_one_step_w, _one_step_b],
    hint=["Compute the loss inside a tape, ask the tape for the gradients of w and b, and move each "
          "against its gradient.",
          "Compute the loss inside a tape, get [dw, db] = tape.gradient(loss, [w, b]), then "
          "w.assign_sub(0.1 * dw) and the same for b."],
    solution="""
    w, b = tf.Variable(0.0), tf.Variable(0.0)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((w * x_new + b - y_new) ** 2)
    dw, db = tape.gradient(loss, [w, b])
    w.assign_sub(0.1 * dw)
    b.assign_sub(0.1 * db)
    answer = (w, b)

    ex.q1.check(answer)
    """,
    mistakes=[
        _one_step_cell("assign_add", "0.1 * "),                     # uphill: the wrong sign
        _one_step_cell("assign_sub", ""),                           # forgot the learning rate
        _one_step_cell("assign_sub", "0.1 * ", reduce="reduce_sum"),  # a sum, not the mean
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
    level="core",
    checks=[_is_a_rate, _fast_enough],
    hint=["Try the explorer above: too small a rate is slow, too large a rate explodes.",
          "Try the explorer above: 0.001 is far too slow and 1 explodes; look in between."],
    solution="""
    rate = 0.3

    ex.q2.check(rate)
    """,
    mistakes=[
        # diverges
        """
        rate = 1.0

        ex.q2.check(rate)
        """,
        # far too slow
        """
        rate = 0.001

        ex.q2.check(rate)
        """,
        # a step uphill
        """
        rate = -0.3

        ex.q2.check(rate)
        """,
    ],
)


q3 = Predict(
    "Exercise 3 · Predict: a learning rate of exactly 1",
    level="core",
    options={
        "a": "w reaches 3 in one step and stays there",
        "b": "w bounces between 0 and 6 forever, never getting closer",
        "c": "w overshoots by more every step: the loss explodes",
        "d": "w converges to 3, only more slowly than with 0.1",
    },
    answer="b",
    why={
        "a": "the first gradient is 2(0 - 3) = -6, and a step of 1.0 × 6 goes past 3 by as much as it started "
             "below it",
        "c": "each step multiplies the distance to 3 by 1 - 2η; work out the size of that factor at η = 1",
        "d": "each step multiplies the distance to 3 by 1 - 2η, and at η = 1 that factor does not shrink it",
    },
    hint=["Section 1 says each step multiplies the distance to 3 by the same factor, 1 - 2η. Compute it "
          "for η = 1.",
          "A factor of -1 keeps the size of the distance and flips its side of 3. Start at w = 0 and take "
          "two steps by hand."],
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
    assert (w, b) != (0.0, 0.0), (
        "(w, b) is still (0, 0) after one epoch of one batch: no update happened. Does the loop over the "
        "batches reach the last (here the only) batch?"
    )
    expected = gradient_descent(X, Y, learning_rate=0.1, epochs=1)
    close([w, b], [expected.w, expected.b], atol=1e-4, rtol=0.0,
          what="(w, b) after one epoch of one batch (one step from w = b = 0)")


def _train_cell(*, stop="len(x)", returned="float(w.numpy()), float(b.numpy())", outside=False):
    start = "w, b = tf.Variable(0.0), tf.Variable(0.0)"
    before, inside = (start + "\n\n    ", "") if outside else ("", start + "\n        ")
    return f"""
    {before}def train(x, y, batch_size, epochs, learning_rate):
        {inside}rng = np.random.default_rng(0)
        for epoch in range(epochs):
            order = rng.permutation(len(x))
            for start in range(0, {stop}, batch_size):
                index = order[start:start + batch_size]
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((w * x[index] + b - y[index]) ** 2)
                dw, db = tape.gradient(loss, [w, b])
                w.assign_sub(learning_rate * dw)
                b.assign_sub(learning_rate * db)
        return {returned}

    ex.q4.check(train)
    """


q4 = Exercise(
    "Exercise 4 · A mini-batch training loop",
    level="challenge",
    checks=[_returns_two_numbers, _fits_the_line, _uses_every_sample],
    hint=["Two loops: one over the epochs, and inside it one over the batches; each batch gets one tape "
          "and one update of w and b. Create w and b inside the function, at 0.",
          "Make rng = np.random.default_rng(0) once; in each epoch order = rng.permutation(len(x)); then for "
          "start in range(0, len(x), batch_size), index = order[start:start + batch_size] picks one batch "
          "(the last one may be shorter)."],
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

    ex.q4.check(train)
    """,
    mistakes=[
        # off by one batch: the last (or only) batch is never used
        _train_cell(stop="len(x) - batch_size"),
        # w and b swapped in the return
        _train_cell(returned="float(b.numpy()), float(w.numpy())"),
        # w and b created once, outside: every call continues from the last one
        _train_cell(outside=True),
    ],
)
