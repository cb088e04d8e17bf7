"""Exercises for lesson 02 (computing with tensors).

>>> import tensorflow as tf
>>> from tfedu.exercises import lesson_02 as ex
>>> ex.q1.check(tf.reduce_mean(ex.SCORES, axis=0)).passed
True
>>> ex.q3.check("c").passed
True
"""
import numpy as np
import tensorflow as tf

from tfedu.exercises import Exercise, Predict, close

#: Test scores: one row per student, one column per test.
SCORES = tf.constant([[70.0, 80.0, 90.0], [60.0, 90.0, 75.0], [80.0, 70.0, 85.0], [90.0, 60.0, 70.0]])


def _column_means(answer):
    "it holds one mean per test (column)"
    close(answer, SCORES.numpy().mean(axis=0), what="your answer")


q1 = Exercise(
    "Exercise 1 · The average of each test",
    level="warm-up",
    checks=[_column_means],
    hint=["A mean per test is a mean down each column, over the students.",
          "Averaging over the students collapses the rows: that is axis 0 of tf.reduce_mean."],
    solution="""
    test_means = tf.reduce_mean(scores, axis=0)

    ex.q1.check(test_means)
    """,
    mistakes=[
        # one mean per student
        """
        test_means = tf.reduce_mean(scores, axis=1)

        ex.q1.check(test_means)
        """,
        # one mean of everything
        """
        test_means = tf.reduce_mean(scores)

        ex.q1.check(test_means)
        """,
        # a total, not a mean
        """
        test_means = tf.reduce_sum(scores, axis=0)

        ex.q1.check(test_means)
        """,
    ],
)

_BIAS = np.array([1.0, -1.0, 0.5], dtype=np.float32)


def _centred(answer):
    "each row of scores has the test means subtracted"
    expected = SCORES.numpy() - SCORES.numpy().mean(axis=0)
    close(answer, expected, what="your answer")


q2 = Exercise(
    "Exercise 2 · Broadcasting: centre every column",
    level="core",
    checks=[_centred],
    hint=["Compute the test means first (exercise 1), then subtract them from scores: broadcasting "
          "does the rest.",
          "scores has shape (4, 3) and the means shape (3,): they line up from the right, "
          "so subtracting broadcasts the means over the 4 rows."],
    solution="""
    centred = scores - tf.reduce_mean(scores, axis=0)

    ex.q2.check(centred)
    """,
    mistakes=[
        # the wrong way round
        """
        centred = tf.reduce_mean(scores, axis=0) - scores

        ex.q2.check(centred)
        """,
        # the mean of everything
        """
        centred = scores - tf.reduce_mean(scores)

        ex.q2.check(centred)
        """,
        # the mean of each student
        """
        centred = scores - tf.reduce_mean(scores, axis=1, keepdims=True)

        ex.q2.check(centred)
        """,
    ],
)


q3 = Predict(
    "Exercise 3 · Predict: a column minus a vector",
    level="core",
    options={
        "a": "an error: the shapes (4, 1) and (4,) do not match",
        "b": "the mean squared error of the four outputs",
        "c": "a number, but not the mean squared error",
    },
    answer="c",
    why={
        "a": "broadcasting lines shapes up from the right: (4, 1) against (4,) stretches both to (4, 4), "
             "with nothing to complain about",
        "b": "the subtraction does not pair output i with target i; look at the shape it broadcasts to",
    },
    hint=["Write the two shapes under each other, aligned on the right, and apply the broadcasting rule.",
          "(4, 1) and (4,) line up as (4, 1) and (1, 4): both size-1 axes stretch, so the difference has "
          "shape (4, 4), every output minus every target."],
)


def _is_tf_function(answer):
    "it is a tf.function"
    assert hasattr(answer, "get_concrete_function"), (
        f"got {type(answer).__name__}; decorate it with @tf.function"
    )


def _standardizes(answer):
    "it returns (x - mean) / std for vectors of any length"
    for length in (3, 5, 8):
        x = np.linspace(-1.0, 2.0, length).astype(np.float32) ** 2
        close(answer(tf.constant(x)), (x - x.mean()) / x.std(), atol=1e-5, what=f"the result for length {length}")


def _traces_once(answer):
    "it was traced only once, whatever the vector length"
    count = answer.experimental_get_tracing_count()
    assert count == 1, f"it was traced {count} times; give it an input_signature with a None length"


q4 = Exercise(
    "Exercise 4 · One trace for every length",
    level="challenge",
    checks=[_is_tf_function, _standardizes, _traces_once],
    hint=["A tf.function traces again for every new input shape unless you tell it which shapes to expect.",
          "@tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.float32)]) "
          "accepts float32 vectors of any length with a single trace."],
    solution="""
    @tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.float32)])
    def standardize(x):
        return (x - tf.reduce_mean(x)) / tf.math.reduce_std(x)

    ex.q4.check(standardize)
    """,
    mistakes=[
        # no input_signature: one trace per length
        """
        @tf.function
        def standardize(x):
            return (x - tf.reduce_mean(x)) / tf.math.reduce_std(x)

        ex.q4.check(standardize)
        """,
        # not a tf.function at all
        """
        def standardize(x):
            return (x - tf.reduce_mean(x)) / tf.math.reduce_std(x)

        ex.q4.check(standardize)
        """,
        # divides by the variance, not the standard deviation
        """
        @tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.float32)])
        def standardize(x):
            return (x - tf.reduce_mean(x)) / tf.math.reduce_variance(x)

        ex.q4.check(standardize)
        """,
    ],
)
