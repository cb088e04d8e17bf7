"""Exercises for lesson 00 (welcome): getting to know the shipped data, and how exercises work.

>>> from tfedu.exercises import lesson_00 as ex
>>> ex.q1.check(...).answered
False
>>> ex.q3.check("b").passed
True
"""
import numpy as np

from tfedu import data
from tfedu.exercises import Exercise, Predict, close


def _is_a_whole_number(answer):
    "the answer is a whole number"
    assert isinstance(answer, (int, np.integer)) and not isinstance(answer, bool), (
        f"got {type(answer).__name__} {answer!r}; count with int(...) or .sum()"
    )


def _counts_the_sevens(answer):
    "it is the number of images labelled 7"
    _, labels = data.load_digits()
    expected = int(np.sum(labels == 7))
    assert answer == expected, f"got {answer}; that is not how many labels equal 7"


q1 = Exercise(
    "Exercise 1 · How many sevens?",
    level="warm-up",
    checks=[_is_a_whole_number, _counts_the_sevens],
    hint=["`labels` holds one digit per image; compare it with 7.",
          "`labels == 7` gives a boolean array; True counts as 1 when you add it up: `.sum()`."],
    solution="""
    sevens = int((labels == 7).sum())

    ex.q1.check(sevens)
    """,
    mistakes=[
        # a fraction, not a count
        """
        sevens = (labels == 7).mean()

        ex.q1.check(sevens)
        """,
        # counts every label: the comparison has one entry per image
        """
        sevens = len(labels == 7)

        ex.q1.check(sevens)
        """,
        # the wrong digit
        """
        sevens = int((labels == 1).sum())

        ex.q1.check(sevens)
        """,
    ],
)


def _is_a_pair(answer):
    "the answer is a pair (x, y)"
    assert isinstance(answer, tuple) and len(answer) == 2, (
        f"got {type(answer).__name__}; make_toy returns a pair, keep both: answer = (x, y)"
    )


def _has_120_points(answer):
    "x holds 120 points in 2-D"
    x, _ = answer
    assert np.shape(x) == (120, 2), f"x has shape {np.shape(x)}, expected (120, 2)"


def _has_three_spiral_arms(answer):
    "y labels three classes of 40 points each"
    _, y = answer
    counts = np.bincount(np.asarray(y)).tolist()
    assert counts == [40, 40, 40], f"class sizes are {counts}, expected [40, 40, 40]"


def _is_the_seeded_spiral(answer):
    "it is the spiral made with seed=3"
    x, _ = answer
    expected, _ = data.make_spiral(120, n_classes=3, seed=3)
    assert np.array_equal(np.asarray(x), expected), "these points differ from make_toy('spiral', ..., seed=3)"


q2 = Exercise(
    "Exercise 2 · A three-armed spiral",
    level="warm-up",
    checks=[_is_a_pair, _has_120_points, _has_three_spiral_arms, _is_the_seeded_spiral],
    hint=["Look at the cell that drew the five toy datasets: make_toy takes the dataset's name and then "
          "keyword arguments.",
          "Keyword arguments after the name go to the generator: n_samples=, n_classes=, seed=."],
    solution="""
    answer = tfedu.data.make_toy("spiral", n_samples=120, n_classes=3, seed=3)

    ex.q2.check(answer)
    """,
    mistakes=[
        # two arms: the spiral's default
        """
        answer = tfedu.data.make_toy("spiral", n_samples=120, seed=3)

        ex.q2.check(answer)
        """,
        # forgot the seed: seed 0
        """
        answer = tfedu.data.make_toy("spiral", n_samples=120, n_classes=3)

        ex.q2.check(answer)
        """,
        # handed in the points without their labels
        """
        x, y = tfedu.data.make_toy("spiral", n_samples=120, n_classes=3, seed=3)
        answer = x

        ex.q2.check(answer)
        """,
    ],
)

q3 = Predict(
    "Exercise 3 · Predict: one seed, four draws",
    level="core",
    options={
        "a": "all four numbers are equal: a fixed seed gives a fixed random number",
        "b": "the first two differ from each other, and the last two repeat them in the same order",
        "c": "all four differ: every draw continues where the generator left off",
    },
    answer="b",
    why={
        "a": "a seed fixes the whole sequence of draws, not one value: each draw moves the generator on",
        "c": "setup() seeds the generator again, so it restarts the same sequence from its beginning",
    },
    hint=["What does a seed fix: one number, or the order in which numbers come out?",
          "Seeding puts the generator at the start of one fixed sequence; every draw takes the next "
          "number of that sequence."],
)

_IMAGES, _LABELS = data.load_digits()


def _is_a_function(answer):
    "average_image is a function"
    assert callable(answer), f"got {type(answer).__name__}; define it with def average_image(digit): ..."


def _is_one_image(answer):
    "average_image(0) is one 8×8 image"
    shape = np.shape(answer(0))
    assert shape == (8, 8), f"average_image(0) has shape {shape}; one image has shape (8, 8)"


def _every_digit(answer):
    "average_image(d) is the pixel-by-pixel mean of all the images of d, for d = 0 ... 9"
    for digit in range(10):
        close(np.asarray(answer(digit)), _IMAGES[_LABELS == digit].mean(axis=0), atol=1e-5,
              what=f"average_image({digit})")


q4 = Exercise(
    "Exercise 4 · The average digit",
    level="challenge",
    checks=[_is_a_function, _is_one_image, _every_digit],
    hint=["Pick the images whose label is `digit` (a boolean array can index another array), then "
          "average them pixel by pixel.",
          "`images[labels == digit]` has shape (n, 8, 8), one 8×8 image per match; `.mean(axis=0)` "
          "averages over those n images and leaves (8, 8)."],
    solution="""
    def average_image(digit):
        return images[labels == digit].mean(axis=0)

    ex.q4.check(average_image)
    """,
    mistakes=[
        # averages every pixel of every image: one number
        """
        def average_image(digit):
            return images[labels == digit].mean()

        ex.q4.check(average_image)
        """,
        # adds the images up instead of averaging them
        """
        def average_image(digit):
            return images[labels == digit].sum(axis=0)

        ex.q4.check(average_image)
        """,
        # the image at position `digit`, not the images labelled `digit`
        """
        def average_image(digit):
            return images[digit]

        ex.q4.check(average_image)
        """,
        # averages along the rows of each image: the wrong axis
        """
        def average_image(digit):
            return images[labels == digit].mean(axis=1)

        ex.q4.check(average_image)
        """,
    ],
)
