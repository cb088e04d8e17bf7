"""Exercises for lesson 01 (tensors).

>>> import tensorflow as tf
>>> from tfedu.exercises import lesson_01 as ex
>>> ex.q1.check(tf.fill([3, 4], 7.0)).passed
True
"""
import numpy as np
import tensorflow as tf

from tfedu.exercises import Exercise


def _is_tensor(answer):
    "the answer is a tf.Tensor"
    assert isinstance(answer, tf.Tensor) and not isinstance(answer, tf.Variable), (
        f"got {type(answer).__name__}; build it with a tf.* function"
    )


def _has_shape(shape):
    def check(answer):
        assert tuple(answer.shape) == shape, f"shape is {tuple(answer.shape)}, expected {shape}"
    check.__doc__ = f"its shape is {shape}"
    return check


def _has_dtype(dtype):
    def check(answer):
        assert answer.dtype == dtype, f"dtype is {answer.dtype.name}, expected {dtype.name}"
    check.__doc__ = f"its dtype is {dtype.name}"
    return check


def _all_sevens(answer):
    "every element is 7"
    values = np.unique(answer.numpy()).tolist()
    assert values == [7.0], f"found the values {values}"


q1 = Exercise(
    "Exercise 1 · A tensor full of sevens",
    checks=[_is_tensor, _has_shape((3, 4)), _has_dtype(tf.float32), _all_sevens],
    hint="tf.fill(shape, value) takes the dtype from the value: 7 gives int32, 7.0 gives float32.",
    solution="""
    sevens = tf.fill([3, 4], 7.0)
    """,
)

_CUBE = tf.reshape(tf.range(1, 13), (3, 2, 2))


def _last_entries(answer):
    "it holds the last entry along the last axis, for every row of every block"
    expected = _CUBE.numpy()[..., -1]
    got = np.asarray(answer)
    assert got.shape == expected.shape, f"shape is {got.shape}, expected {expected.shape}"
    assert np.array_equal(got, expected), f"got {got.tolist()}, expected {expected.tolist()}"


q2 = Exercise(
    "Exercise 2 · Slicing with ...",
    checks=[_is_tensor, _last_entries],
    hint="`...` stands for 'all the axes before'; -1 picks the last element of the last axis.",
    solution="""
    last = cube[..., -1]     # the same as cube[:, :, -1]
    """,
)


def _is_the_same_variable(answer):
    "it is still a tf.Variable of shape (2, 3)"
    assert isinstance(answer, tf.Variable), f"got {type(answer).__name__}; change the Variable in place"
    assert tuple(answer.shape) == (2, 3), f"shape is {tuple(answer.shape)}"


def _has_new_value(answer):
    "its middle element of the second row is 100 and nothing else changed"
    expected = [[1, 2, 3], [4, 100, 6]]
    assert answer.numpy().tolist() == expected, f"values are {answer.numpy().tolist()}, expected {expected}"


q3 = Exercise(
    "Exercise 3 · Change one element of a Variable",
    checks=[_is_the_same_variable, _has_new_value],
    hint="Item assignment (v[1, 1] = 100) fails, but a slice of a Variable has .assign().",
    solution="""
    v = tf.Variable([[1, 2, 3], [4, 5, 6]])
    v[1, 1].assign(100)
    """,
)
