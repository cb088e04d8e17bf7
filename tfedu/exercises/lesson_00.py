"""Exercises for lesson 00 (welcome): getting to know the shipped data.

>>> from tfedu.exercises import lesson_00 as ex
>>> ex.q1.check(...).answered
False
"""
import numpy as np

from tfedu import data
from tfedu.exercises import Exercise


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
    checks=[_is_a_whole_number, _counts_the_sevens],
    hint=["`labels` holds one digit per image; compare it with 7.",
          "`labels == 7` gives a boolean array; True counts as 1 when you add it up: `.sum()`."],
    solution="""
    sevens = int((labels == 7).sum())

    ex.q1.check(sevens)
    """,
    mistakes=[
        "sevens = (labels == 7).mean()\n\nex.q1.check(sevens)",   # a fraction, not a count
        "sevens = len(labels == 7)\n\nex.q1.check(sevens)",       # counts every label
        "sevens = int((labels == 1).sum())\n\nex.q1.check(sevens)",
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
    checks=[_is_a_pair, _has_120_points, _has_three_spiral_arms, _is_the_seeded_spiral],
    hint="Keyword arguments after the name go to the generator: n_samples=, n_classes=, seed=.",
    solution="""
    answer = tfedu.data.make_toy("spiral", n_samples=120, n_classes=3, seed=3)

    ex.q2.check(answer)
    """,
    mistakes=[
        'answer = tfedu.data.make_toy("spiral", n_samples=120, seed=3)\n\nex.q2.check(answer)',   # two arms
        'answer = tfedu.data.make_toy("spiral", n_samples=120, n_classes=3)\n\nex.q2.check(answer)',  # seed 0
        'x, y = tfedu.data.make_toy("spiral", n_samples=120, n_classes=3, seed=3)\nanswer = x\n\n'
        "ex.q2.check(answer)",
    ],
)
