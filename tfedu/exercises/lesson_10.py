"""Exercises for lesson 10 (optimizers).

>>> from tfedu.exercises import lesson_10 as ex
>>> ex.q1.check(...).answered
False
>>> ex.q2.check("b").passed
True
"""
import keras
import numpy as np

from tfedu.exercises import Exercise, Predict, close

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
    level="warm-up",
    checks=[_two_momentum_steps],
    hint=["Momentum keeps a velocity that starts at 0; each step updates the velocity first, then w.",
          "velocity = momentum * velocity - learning_rate * gradient; w = w + velocity. Start from "
          "velocity 0 and do it twice."],
    solution="""
    velocity = np.zeros(2)
    w = w0.copy()
    for _ in range(2):
        velocity = 0.9 * velocity - 0.1 * gradient
        w = w + velocity

    ex.q1.check(w)
    """,
    mistakes=[
        # + instead of -: the velocity points uphill
        """
        velocity = np.zeros(2)
        w = w0.copy()
        for _ in range(2):
            velocity = 0.9 * velocity + 0.1 * gradient
            w = w + velocity

        ex.q1.check(w)
        """,
        # one step instead of two
        """
        velocity = np.zeros(2)
        w = w0.copy()
        for _ in range(1):
            velocity = 0.9 * velocity - 0.1 * gradient
            w = w + velocity

        ex.q1.check(w)
        """,
        # the velocity forgets its past: that is plain SGD, twice
        """
        velocity = np.zeros(2)
        w = w0.copy()
        for _ in range(2):
            velocity = - 0.1 * gradient
            w = w + velocity

        ex.q1.check(w)
        """,
    ],
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



q2 = Predict(
    "Exercise 2 · Predict: a loss 1000 times larger",
    level="warm-up",
    options={
        "a": "both take steps 1000 times longer, and both diverge",
        "b": "SGD diverges; Adam follows exactly the same path as before",
        "c": "both follow the same paths as before: multiplying the loss does not move its minimum",
        "d": "Adam diverges; SGD follows the same path as before",
    },
    answer="b",
    why={
        "a": "Adam divides m̂ by √ŝ, and both grow with the gradient: a factor 1000 in every gradient cancels",
        "c": "SGD's step is η·g: a gradient 1000 times larger gives a step 1000 times longer, far past its "
             "stability limit",
        "d": "it is SGD whose step η·g grows with the gradient; Adam's m̂ / √ŝ stays the same when every "
             "gradient is multiplied by the same factor",
    },
    hint=["Write each optimizer's step with the gradient replaced by 1000·g. Which one notices?",
          "SGD moves by η·g. Adam moves by η·m̂/(√ŝ + ε), where m̂ averages g and ŝ averages g²: multiply g "
          "by 1000 and see what happens to that ratio."],
)

q3 = Exercise(
    "Exercise 3 · Beat the narrow valley",
    level="core",
    checks=[_is_choice, _solves_the_valley],
    hint=["Run optimizer_race(\"quadratic\", ...) with a few optimizers and learning rates and look at the "
          "final losses.",
          "Adaptive methods (RMSprop, Adam) rescale each direction, so a fairly large rate works for both "
          "the steep and the flat one."],
    solution="""
    choice = ("Adam", 0.3)

    ex.q3.check(choice)
    """,
    mistakes=[
        # plain SGD at a tiny rate crawls along the flat direction
        """
        choice = ("SGD", 0.001)

        ex.q3.check(choice)
        """,
        # the names are case-sensitive: 'Adam', not 'adam'
        """
        choice = ("adam", 0.3)

        ex.q3.check(choice)
        """,
        # Adam's default rate is far too small for 60 steps
        """
        choice = ("Adam", 0.001)

        ex.q3.check(choice)
        """,
    ],
)


#: Exercise 4: the settings the schedule is tried with, and its rate at a few steps.
_SETTINGS = {"peak": 0.1, "warmup_steps": 10, "half_life": 20}
_STEPS = (0, 5, 10, 20, 30, 50)


def _warm_up_then_decay(step, peak, warmup_steps, half_life):
    if step < warmup_steps:
        return peak * step / warmup_steps
    return peak * 0.5 ** ((step - warmup_steps) / half_life)


def _is_a_schedule_class(answer):
    "WarmUpThenDecay(peak=0.1, warmup_steps=10, half_life=20) creates a LearningRateSchedule"
    assert isinstance(answer, type) and issubclass(answer, keras.optimizers.schedules.LearningRateSchedule), (
        f"got {answer!r}; pass the class itself, a subclass of keras.optimizers.schedules.LearningRateSchedule"
    )
    answer(**_SETTINGS)


def _rates(schedule, steps=_STEPS):
    rates = []
    for step in steps:
        try:
            rates.append(float(schedule(keras.Variable(step, dtype="int64", trainable=False))))
        except (TypeError, ValueError) as error:
            raise AssertionError(f"called with the step as an optimizer passes it (its int64 `iterations` "
                                 f"variable), it raised {type(error).__name__}: {str(error)[:160]}") from None
    return rates


def _climbs_then_halves(answer):
    "it climbs linearly to peak over warmup_steps, then halves every half_life steps"
    expected = [_warm_up_then_decay(step, **_SETTINGS) for step in _STEPS]
    close(_rates(answer(**_SETTINGS)), expected, atol=1e-6, rtol=1e-5,
          what="the list of rates at steps 0, 5, 10, 20, 30 and 50")


def _works_in_fit(answer):
    "it drives SGD inside fit, where the step is a symbolic tensor"
    import tensorflow as tf

    x = np.linspace(-1, 1, 48, dtype="float32")[:, None]
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=answer(**_SETTINGS)), "mse")
    try:
        model.fit(x, 2 * x, batch_size=4, epochs=1, shuffle=False, verbose=0)
    except tf.errors.OperatorNotAllowedInGraphError:
        raise AssertionError("inside fit the step is a symbolic tensor, and a Python `if` cannot test it") from None
    after = float(model.optimizer.learning_rate)
    close(after, _warm_up_then_decay(12, **_SETTINGS), atol=1e-6, rtol=1e-5,
          what="the optimizer's rate after 12 steps of fit")


def _keeps_its_config(answer):
    "get_config() and from_config() rebuild the same schedule (so a model using it can be saved)"
    schedule = answer(**_SETTINGS)
    try:
        config = schedule.get_config()
    except NotImplementedError:
        raise AssertionError("get_config() raised NotImplementedError: LearningRateSchedule has none of its own; "
                             "return the three arguments") from None
    copy = type(schedule).from_config(config)
    close(_rates(copy), _rates(schedule), atol=1e-7, what="the copy's rates")


q4 = Exercise(
    "Exercise 4 · A warm-up schedule",
    level="challenge",
    checks=[_is_a_schedule_class, _climbs_then_halves, _works_in_fit, _keeps_its_config],
    hint=["Subclass keras.optimizers.schedules.LearningRateSchedule: store the three arguments in __init__, "
          "compute the rate in __call__(self, step), return the arguments from get_config().",
          "The step arrives as the optimizer's int64 iteration count: cast it first, step = "
          "keras.ops.cast(step, 'float32'), as Keras's own schedules do. Compute both formulas and choose "
          "with keras.ops.where(step < self.warmup_steps, warming, decaying): a Python `if` on a tensor "
          "fails inside fit."],
    solution="""
    class WarmUpThenDecay(keras.optimizers.schedules.LearningRateSchedule):
        def __init__(self, peak, warmup_steps, half_life):
            self.peak = peak
            self.warmup_steps = warmup_steps
            self.half_life = half_life

        def __call__(self, step):
            step = keras.ops.cast(step, "float32")
            warming = self.peak * step / self.warmup_steps
            decaying = self.peak * 0.5 ** ((step - self.warmup_steps) / self.half_life)
            return keras.ops.where(step < self.warmup_steps, warming, decaying)

        def get_config(self):
            return {"peak": self.peak, "warmup_steps": self.warmup_steps, "half_life": self.half_life}

    ex.q4.check(WarmUpThenDecay)
    """,
    mistakes=[
        # a Python if on the step: fine on a number, an error inside fit
        """
        class WarmUpThenDecay(keras.optimizers.schedules.LearningRateSchedule):
            def __init__(self, peak, warmup_steps, half_life):
                self.peak = peak
                self.warmup_steps = warmup_steps
                self.half_life = half_life

            def __call__(self, step):
                step = keras.ops.cast(step, "float32")
                if step < self.warmup_steps:
                    return self.peak * step / self.warmup_steps
                return self.peak * 0.5 ** ((step - self.warmup_steps) / self.half_life)

            def get_config(self):
                return {"peak": self.peak, "warmup_steps": self.warmup_steps, "half_life": self.half_life}

        ex.q4.check(WarmUpThenDecay)
        """,
        # // instead of /: a staircase that halves only at whole half-lives, not smoothly
        """
        class WarmUpThenDecay(keras.optimizers.schedules.LearningRateSchedule):
            def __init__(self, peak, warmup_steps, half_life):
                self.peak = peak
                self.warmup_steps = warmup_steps
                self.half_life = half_life

            def __call__(self, step):
                step = keras.ops.cast(step, "float32")
                warming = self.peak * step / self.warmup_steps
                decaying = self.peak * 0.5 ** ((step - self.warmup_steps) // self.half_life)
                return keras.ops.where(step < self.warmup_steps, warming, decaying)

            def get_config(self):
                return {"peak": self.peak, "warmup_steps": self.warmup_steps, "half_life": self.half_life}

        ex.q4.check(WarmUpThenDecay)
        """,
        # the decay counts from step 0, not from the end of the warm-up: a jump down at warmup_steps
        """
        class WarmUpThenDecay(keras.optimizers.schedules.LearningRateSchedule):
            def __init__(self, peak, warmup_steps, half_life):
                self.peak = peak
                self.warmup_steps = warmup_steps
                self.half_life = half_life

            def __call__(self, step):
                step = keras.ops.cast(step, "float32")
                warming = self.peak * step / self.warmup_steps
                decaying = self.peak * 0.5 ** (step / self.half_life)
                return keras.ops.where(step < self.warmup_steps, warming, decaying)

            def get_config(self):
                return {"peak": self.peak, "warmup_steps": self.warmup_steps, "half_life": self.half_life}

        ex.q4.check(WarmUpThenDecay)
        """,
        # no get_config: the base class has none, so the schedule (and a model using it) cannot be saved
        """
        class WarmUpThenDecay(keras.optimizers.schedules.LearningRateSchedule):
            def __init__(self, peak, warmup_steps, half_life):
                self.peak = peak
                self.warmup_steps = warmup_steps
                self.half_life = half_life

            def __call__(self, step):
                step = keras.ops.cast(step, "float32")
                warming = self.peak * step / self.warmup_steps
                decaying = self.peak * 0.5 ** ((step - self.warmup_steps) / self.half_life)
                return keras.ops.where(step < self.warmup_steps, warming, decaying)

        ex.q4.check(WarmUpThenDecay)
        """,
    ],
)
