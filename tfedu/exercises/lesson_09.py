"""Exercises for lesson 09 (optimizers).

>>> from tfedu.exercises import lesson_09 as ex
>>> ex.q1.check(...).answered
False
"""
import keras
import numpy as np

from tfedu.exercises import Exercise, close

W0 = np.array([1.0, -2.0], dtype="float32")
GRADIENT = np.array([0.5, 1.0], dtype="float32")


def _two_momentum_steps(answer):
    "it is w after two SGD steps with learning rate 0.1 and momentum 0.9 (same gradient twice)"
    velocity = np.zeros(2)
    w = W0.astype(np.float64)
    for _ in range(2):
        velocity = 0.9 * velocity - 0.1 * GRADIENT
        w = w + velocity
    close(np.asarray(answer, dtype=np.float64), w, atol=1e-5, what="w")


q1 = Exercise(
    "Exercise 1 · Momentum by hand",
    checks=[_two_momentum_steps],
    hint=['Momentum keeps a velocity that starts at 0; each step updates the velocity first, then w.', 'velocity = momentum * velocity - learning_rate * gradient; w = w + velocity. Start from velocity 0 and do it twice.'],
    solution='velocity = np.zeros(2)\nw = w0.copy()\nfor _ in range(2):\n    velocity = 0.9 * velocity - 0.1 * gradient\n    w = w + velocity\n\nex.q1.check(w)',
    mistakes=['velocity = np.zeros(2)\nw = w0.copy()\nfor _ in range(2):\n    velocity = 0.9 * velocity + 0.1 * gradient\n    w = w + velocity\n\nex.q1.check(w)', 'velocity = np.zeros(2)\nw = w0.copy()\nfor _ in range(1):\n    velocity = 0.9 * velocity - 0.1 * gradient\n    w = w + velocity\n\nex.q1.check(w)', 'velocity = np.zeros(2)\nw = w0.copy()\nfor _ in range(2):\n    velocity = - 0.1 * gradient\n    w = w + velocity\n\nex.q1.check(w)'],
)


def _is_choice(answer):
    "the answer is (optimizer name, learning rate)"
    from tfedu.optimizers import OPTIMIZERS

    assert isinstance(answer, tuple) and len(answer) == 2, f"got {answer!r}; give (name, learning_rate)"
    assert answer[0] in OPTIMIZERS, f"{answer[0]!r} is not one of {list(OPTIMIZERS)}"


def _solves_the_valley(answer):
    "it gets the ill-conditioned quadratic's loss below 0.01 within 60 steps"
    import matplotlib.pyplot as plt

    from tfedu.optimizers import optimizer_race

    name, rate = answer
    race = optimizer_race("quadratic", [name], learning_rate=float(rate), steps=60)
    plt.close(race.figure)
    final = float(race.losses[name][-1])
    assert race.stopped[name] is None and final < 0.01, f"{name} at {rate}: final loss {final:.4g}"


q2 = Exercise(
    "Exercise 2 · Beat the narrow valley",
    checks=[_is_choice, _solves_the_valley],
    hint=['Run optimizer_race("quadratic", ...) with a few optimizers and learning rates and look at the final losses.', 'Adaptive methods (RMSprop, Adam) rescale each direction, so a fairly large rate works for both the steep and the flat one.'],
    solution='choice = ("Adam", 0.3)\n\nex.q2.check(choice)',
    mistakes=['choice = ("SGD", 0.001)\n\nex.q2.check(choice)', 'choice = ("adam", 0.3)\n\nex.q2.check(choice)', 'choice = ("Adam", 0.001)\n\nex.q2.check(choice)'],
)


def _is_schedule(answer):
    "it is a keras.optimizers.schedules.LearningRateSchedule"
    assert isinstance(answer, keras.optimizers.schedules.LearningRateSchedule), f"got {type(answer).__name__}"


def _halves_every_100(answer):
    "it starts at 0.1 and halves every 100 steps, smoothly (0.0707 at step 50)"
    got = [round(float(answer(step)), 5) for step in (0, 50, 100, 200)]
    expected = [0.1, round(0.1 * 0.5 ** 0.5, 5), 0.05, 0.025]
    close(got, expected, atol=2e-5, rtol=0, what="the learning rate at steps 0, 50, 100, 200")


q3 = Exercise(
    "Exercise 3 · An exponential schedule",
    checks=[_is_schedule, _halves_every_100],
    hint=['Keras has a ready-made schedule that multiplies the rate by a constant factor every so many steps.', 'keras.optimizers.schedules.ExponentialDecay(initial_learning_rate, decay_steps, decay_rate); staircase=False gives the smooth curve.'],
    solution='schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)\n\nex.q3.check(schedule)',
    mistakes=['schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5, staircase=True)\n\nex.q3.check(schedule)', 'schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=50, decay_rate=0.5)\n\nex.q3.check(schedule)', 'schedule = 0.1 * 0.5 ** (100 / 100)\n\nex.q3.check(schedule)'],
)
