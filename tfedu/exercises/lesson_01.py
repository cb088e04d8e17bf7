"""Exercises for lesson 01 (tensors).

>>> import tensorflow as tf
>>> from tfedu.exercises import lesson_01 as ex
>>> ex.q1.check(tf.fill([3, 4], 7.0)).passed
True
"""
import numpy as np
import tensorflow as tf

from tfedu.exercises import Exercise, close


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
    hint=["There is a tf.* function that fills a tensor of a given shape with one value.",
          "tf.fill(shape, value) takes the dtype from the value: 7 gives int32, 7.0 gives float32."],
    solution="""
    sevens = tf.fill([3, 4], 7.0)

    ex.q1.check(sevens)
    """,
    mistakes=[
        "sevens = tf.fill([3, 4], 7)\n\nex.q1.check(sevens)",        # int32: 7 is an integer
        "sevens = tf.fill([4, 3], 7.0)\n\nex.q1.check(sevens)",      # columns and rows swapped
        "sevens = np.full((3, 4), 7.0)\n\nex.q1.check(sevens)",      # a NumPy array, not a tensor
        "sevens = tf.ones([3, 4]) + 7\n\nex.q1.check(sevens)",       # eights
    ],
)

_CUBE = tf.reshape(tf.range(1, 13), (3, 2, 2))


def _last_entries(answer):
    "it holds the last entry along the last axis, for every row of every block"
    expected = _CUBE.numpy()[..., -1]
    close(np.asarray(answer), expected, what="the slice")


q2 = Exercise(
    "Exercise 2 · Slicing with ...",
    checks=[_is_tensor, _last_entries],
    hint=["The last axis is the one you index last; you want all of the axes before it.",
          "`...` stands for 'all the axes before'; -1 picks the last element of the last axis."],
    solution="""
    cube = tf.reshape(tf.range(1, 13), (3, 2, 2))
    last = cube[..., -1]     # the same as cube[:, :, -1]

    ex.q2.check(last)
    """,
    mistakes=[
        "cube = tf.reshape(tf.range(1, 13), (3, 2, 2))\nlast = cube[-1]\n\nex.q2.check(last)",        # the last block
        "cube = tf.reshape(tf.range(1, 13), (3, 2, 2))\nlast = cube[:, -1]\n\nex.q2.check(last)",     # the middle axis
        "cube = tf.reshape(tf.range(1, 13), (3, 2, 2))\nlast = cube[..., 1:]\n\nex.q2.check(last)",   # keeps the axis
        "cube = tf.reshape(tf.range(1, 13), (3, 2, 2))\nlast = cube[..., 0]\n\nex.q2.check(last)",    # the first entry
    ],
)


def _is_the_same_variable(answer):
    "it is still a tf.Variable of shape (2, 3)"
    assert isinstance(answer, tf.Variable), f"got {type(answer).__name__}; change the Variable in place"
    assert tuple(answer.shape) == (2, 3), f"shape is {tuple(answer.shape)}"


def _has_new_value(answer):
    "its middle element of the second row is 100 and nothing else changed"
    close(answer.numpy(), [[1, 2, 3], [4, 100, 6]], what="the Variable")


q3 = Exercise(
    "Exercise 3 · Change one element of a Variable",
    checks=[_is_the_same_variable, _has_new_value],
    hint=["Item assignment (v[1, 1] = 100) fails, but a Variable (and a slice of one) has a method that "
          "changes it in place.",
          "A slice of a Variable has .assign(): v[row, column].assign(value), counting from 0."],
    solution="""
    v = tf.Variable([[1, 2, 3], [4, 5, 6]])
    v[1, 1].assign(100)
    answer = v

    ex.q3.check(answer)
    """,
    mistakes=[
        "v = tf.Variable([[1, 2, 3], [4, 5, 6]])\nv[0, 1].assign(100)\nanswer = v\n\nex.q3.check(answer)",  # row 0
        "v = tf.Variable([[1, 2, 3], [4, 5, 6]])\nv[1].assign([100, 100, 100])\nanswer = v\n\n"
        "ex.q3.check(answer)",                                                          # the whole row
        "v = tf.Variable([[1, 2, 3], [4, 5, 6]])\nanswer = tf.tensor_scatter_nd_update(v, [[1, 1]], [100])\n\n"
        "ex.q3.check(answer)",                                                          # a new tensor, not v
    ],
)
