"""Exercises for lesson 01 (tensors).

>>> import tensorflow as tf
>>> from tfedu.exercises import lesson_01 as ex
>>> ex.q1.check(tf.fill([3, 4], 7.0)).passed
True
>>> ex.q3.check("c").passed
True
"""
import numpy as np
import tensorflow as tf

from tfedu.exercises import Exercise, Predict, close


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
    level="warm-up",
    checks=[_is_tensor, _has_shape((3, 4)), _has_dtype(tf.float32), _all_sevens],
    hint=["There is a tf.* function that fills a tensor of a given shape with one value.",
          "tf.fill(shape, value) takes the dtype from the value: 7 gives int32, 7.0 gives float32."],
    solution="""
    sevens = tf.fill([3, 4], 7.0)

    ex.q1.check(sevens)
    """,
    mistakes=[
        # int32: 7 is an integer
        """
        sevens = tf.fill([3, 4], 7)

        ex.q1.check(sevens)
        """,
        # rows and columns swapped
        """
        sevens = tf.fill([4, 3], 7.0)

        ex.q1.check(sevens)
        """,
        # a NumPy array, not a tensor
        """
        sevens = np.full((3, 4), 7.0)

        ex.q1.check(sevens)
        """,
        # eights
        """
        sevens = tf.ones([3, 4]) + 7

        ex.q1.check(sevens)
        """,
    ],
)

_CUBE = tf.reshape(tf.range(1, 13), (3, 2, 2))


def _last_entries(answer):
    "it holds the last entry along the last axis, for every row of every block"
    expected = _CUBE.numpy()[..., -1]
    close(np.asarray(answer), expected, what="the slice")


q2 = Exercise(
    "Exercise 2 · Slicing with ...",
    level="core",
    checks=[_is_tensor, _last_entries],
    hint=["The last axis is the one you index last; you want all of the axes before it.",
          "`...` stands for 'all the axes before'; -1 picks the last element of the last axis."],
    solution="""
    cube = tf.reshape(tf.range(1, 13), (3, 2, 2))
    last = cube[..., -1]     # the same as cube[:, :, -1]

    ex.q2.check(last)
    """,
    mistakes=[
        # the last block
        """
        cube = tf.reshape(tf.range(1, 13), (3, 2, 2))
        last = cube[-1]

        ex.q2.check(last)
        """,
        # the middle axis
        """
        cube = tf.reshape(tf.range(1, 13), (3, 2, 2))
        last = cube[:, -1]

        ex.q2.check(last)
        """,
        # a slice keeps the last axis: shape (3, 2, 1)
        """
        cube = tf.reshape(tf.range(1, 13), (3, 2, 2))
        last = cube[..., 1:]

        ex.q2.check(last)
        """,
        # the first entry
        """
        cube = tf.reshape(tf.range(1, 13), (3, 2, 2))
        last = cube[..., 0]

        ex.q2.check(last)
        """,
    ],
)


q3 = Predict(
    "Exercise 3 · Predict: dividing integers",
    level="core",
    options={
        "a": "an int32 tensor [0, 1, 1]: integers divided by an integer stay integers",
        "b": "a float32 tensor [0.5, 1.0, 1.5]: TensorFlow's usual float",
        "c": "a float64 tensor [0.5, 1.0, 1.5]",
        "d": "an error: TensorFlow never converts a dtype silently",
    },
    answer="c",
    why={
        "a": "`/` is true division in Python 3, and TensorFlow keeps that meaning; rounding down is `//`",
        "b": "float32 is what a Python float becomes, but true division of int32 chooses a float that holds "
             "every int32 exactly",
        "d": "`/` on integer tensors is defined to give floats; the error comes when you combine two tensors "
             "of different dtypes yourself",
    },
    hint=["Python 3's `/` always gives a float, even for 1 / 1. Which float could hold every int32 value "
          "exactly?",
          "float32 has 24 bits of precision, fewer than the 31 of an int32; NumPy divides int64 arrays into "
          "float64."],
)


def _is_the_same_variable(answer):
    "it is still a tf.Variable of shape (2, 3)"
    assert isinstance(answer, tf.Variable), f"got {type(answer).__name__}; change the Variable in place"
    assert tuple(answer.shape) == (2, 3), f"shape is {tuple(answer.shape)}"


def _has_new_value(answer):
    "its middle element of the second row is 100 and nothing else changed"
    close(answer.numpy(), [[1, 2, 3], [4, 100, 6]], what="the Variable")


q4 = Exercise(
    "Exercise 4 · Change one element of a Variable",
    level="core",
    checks=[_is_the_same_variable, _has_new_value],
    hint=["Item assignment (v[1, 1] = 100) fails, but a Variable (and a slice of one) has a method that "
          "changes it in place.",
          "A slice of a Variable has .assign(): v[row, column].assign(value), counting from 0."],
    solution="""
    v = tf.Variable([[1, 2, 3], [4, 5, 6]])
    v[1, 1].assign(100)
    answer = v

    ex.q4.check(answer)
    """,
    mistakes=[
        # the first row's middle element, not the second row's
        """
        v = tf.Variable([[1, 2, 3], [4, 5, 6]])
        v[0, 1].assign(100)
        answer = v

        ex.q4.check(answer)
        """,
        # the whole row
        """
        v = tf.Variable([[1, 2, 3], [4, 5, 6]])
        v[1].assign([100, 100, 100])
        answer = v

        ex.q4.check(answer)
        """,
        # a new tensor, not v changed in place
        """
        v = tf.Variable([[1, 2, 3], [4, 5, 6]])
        answer = tf.tensor_scatter_nd_update(v, [[1, 1]], [100])

        ex.q4.check(answer)
        """,
    ],
)


_PICTURES = [tf.constant(np.arange(64, dtype=np.float32).reshape(8, 8)),
             tf.constant(np.arange(60, dtype=np.float32).reshape(6, 10)),
             tf.constant(np.arange(49, dtype=np.float32).reshape(7, 7))]
_CROPS = [(0, 2), (1, 2), (2, 3), (0, 8)]   # (picture, size), after the 8×8 crop of size 4


def _expected_crop(image, size):
    image = np.asarray(image)
    top, left = (image.shape[0] - size) // 2, (image.shape[1] - size) // 2
    return image[top:top + size, left:left + size]


def _is_a_function(answer):
    "center_crop is a function"
    assert callable(answer), f"got {type(answer).__name__}; define it with def center_crop(image, size): ..."


def _crops_an_8x8_image(answer):
    "center_crop(image, 4) of an 8×8 image is its middle 4×4 square"
    picture = _PICTURES[0]
    close(np.asarray(answer(picture, 4)), _expected_crop(picture, 4), what="center_crop(image, 4) of an 8×8 image")


def _crops_any_image(answer):
    "it works for other sizes and for images that are not square (6×10, 7×7)"
    for index, size in _CROPS:
        picture = _PICTURES[index]
        height, width = picture.shape
        close(np.asarray(answer(picture, size)), _expected_crop(picture, size),
              what=f"center_crop(image, {size}) of the {height}×{width} image")


q5 = Exercise(
    "Exercise 5 · A crop from the middle, for any image",
    level="challenge",
    checks=[_is_a_function, _crops_an_8x8_image, _crops_any_image],
    hint=["Read the height and the width from image.shape; the crop starts where the rows (and columns) "
          "left over are split evenly on both sides.",
          "top = (height - size) // 2 and left = (width - size) // 2; then slice "
          "image[top:top + size, left:left + size] (the stop index is not included)."],
    solution="""
    def center_crop(image, size):
        height, width = image.shape
        top, left = (height - size) // 2, (width - size) // 2
        return image[top:top + size, left:left + size]

    ex.q5.check(center_crop)
    """,
    mistakes=[
        # the numbers of the 8×8 example, written in
        """
        def center_crop(image, size):
            return image[2:6, 2:6]

        ex.q5.check(center_crop)
        """,
        # the height used for both axes: wrong for an image that is not square
        """
        def center_crop(image, size):
            height = image.shape[0]
            start = (height - size) // 2
            return image[start:start + size, start:start + size]

        ex.q5.check(center_crop)
        """,
        # stops at `size` instead of `start + size`
        """
        def center_crop(image, size):
            height, width = image.shape
            top, left = (height - size) // 2, (width - size) // 2
            return image[top:size, left:size]

        ex.q5.check(center_crop)
        """,
        # one row and one column too many: the stop index is not included already
        """
        def center_crop(image, size):
            height, width = image.shape
            top, left = (height - size) // 2, (width - size) // 2
            return image[top:top + size + 1, left:left + size + 1]

        ex.q5.check(center_crop)
        """,
    ],
)
