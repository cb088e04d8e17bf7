"""Exercises for lesson 07 (losses).

>>> import numpy as np
>>> from tfedu.exercises import lesson_07 as ex
>>> answer = float(np.mean(-np.log(ex.PROBABILITIES[np.arange(len(ex.LABELS)), ex.LABELS])))
>>> ex.q1.check(answer).passed
True
>>> ex.q2.check("b").passed
True
"""
import keras
import numpy as np

from tfedu.exercises import Exercise, Predict, close

_rng = np.random.default_rng(7)

#: Exercise 1: predicted probabilities for 6 samples and 4 classes, and the true class of each.
PROBABILITIES = _rng.dirichlet(np.ones(4), size=6).astype(np.float32)
LABELS = np.array([0, 3, 1, 1, 2, 3])


def _is_a_number(answer):
    "it is one number"
    value = answer.numpy() if hasattr(answer, "numpy") else answer
    assert np.ndim(value) == 0, f"got an array of shape {np.shape(value)}: take the mean over the samples"
    float(value)


def _equals_keras(answer):
    "it equals keras.losses.SparseCategoricalCrossentropy() on the same data"
    expected = float(keras.losses.SparseCategoricalCrossentropy()(LABELS, PROBABILITIES))
    got = float(answer.numpy() if hasattr(answer, "numpy") else answer)
    close(got, expected, atol=1e-5, rtol=0, what="the mean cross-entropy")


q1 = Exercise(
    "Exercise 1 · Cross-entropy by hand",
    level="warm-up",
    checks=[_is_a_number, _equals_keras],
    hint=["For each sample you need the probability the model gave its true class; cross-entropy is -log "
          "of it, averaged.",
          "Fancy indexing picks one entry per row: probabilities[np.arange(len(labels)), labels]; then "
          "np.mean(-np.log(...))."],
    solution="""
    probabilities, labels = ex.PROBABILITIES, ex.LABELS
    picked = probabilities[np.arange(len(labels)), labels]      # the probability of each true class
    answer = float(np.mean(-np.log(picked)))

    ex.q1.check(answer)
    """,
    mistakes=[
        # the sign: log p is negative, cross-entropy is -log p
        """
        probabilities, labels = ex.PROBABILITIES, ex.LABELS
        picked = probabilities[np.arange(len(labels)), labels]      # the probability of each true class
        answer = float(np.mean(np.log(picked)))

        ex.q1.check(answer)
        """,
        # a sum over the samples, not the mean
        """
        probabilities, labels = ex.PROBABILITIES, ex.LABELS
        picked = probabilities[np.arange(len(labels)), labels]      # the probability of each true class
        answer = float(np.sum(-np.log(picked)))

        ex.q1.check(answer)
        """,
        # probabilities[:, labels] picks a whole column per label: a 6×6 table, not one entry per row
        """
        probabilities, labels = ex.PROBABILITIES, ex.LABELS
        picked = probabilities[:, labels]      # the probability of each true class
        answer = float(np.mean(-np.log(picked)))

        ex.q1.check(answer)
        """,
    ],
)


q2 = Predict(
    "Exercise 2 · Predict: the constant that MAE picks",
    level="warm-up",
    options={
        "a": "22, the mean, as for MSE",
        "b": "3, the median",
        "c": "somewhere between 3 and 22: the outlier pulls less than with MSE, but it still pulls",
    },
    answer="b",
    why={
        "a": "MSE's pull on c grows with the error, MAE's does not: the gradient of |c - y| is ±1 however "
             "far away y is",
        "c": "every target pulls c with the same force, ±1, however far away it is, so only how many "
             "targets lie on each side of c counts, not how far",
    },
    hint=["Think of the gradient of the loss with respect to c: how hard does each target pull?",
          "d|c - y|/dc is +1 or -1: the target 100 pulls exactly as hard as the target 4. Where do the "
          "pulls up and down cancel?"],
)

_Y_TRUE = _rng.lognormal(3.0, 1.5, (12, 1)).astype(np.float32)     # positive, from about 1 to 200
_Y_PRED = (_Y_TRUE * _rng.lognormal(0.0, 0.5, (12, 1))).astype(np.float32)


def _msle(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    return np.mean((np.log1p(y_pred) - np.log1p(y_true)) ** 2, axis=-1)


def _per_sample(answer):
    "msle(y_true, y_pred) returns one value per sample: shape (12,) for (12, 1) inputs"
    out = np.asarray(answer(keras.ops.convert_to_tensor(_Y_TRUE), keras.ops.convert_to_tensor(_Y_PRED)))
    assert out.shape == (12,), f"it returned shape {out.shape}; average over the last axis only (axis=-1)"


def _equals_keras_msle(answer):
    "it equals keras.losses.mean_squared_logarithmic_error on positive targets"
    out = np.asarray(answer(keras.ops.convert_to_tensor(_Y_TRUE), keras.ops.convert_to_tensor(_Y_PRED)))
    expected = np.asarray(keras.losses.mean_squared_logarithmic_error(_Y_TRUE, _Y_PRED))
    close(out, expected, rtol=1e-4, atol=1e-6, what="the loss per sample")


def _ratios_not_differences(answer):
    "2 for 1 costs more than 1010 for 1000: it punishes ratios, not differences"
    y = keras.ops.convert_to_tensor(np.array([[1.0], [1000.0]], np.float32))
    guess = keras.ops.convert_to_tensor(np.array([[2.0], [1010.0]], np.float32))
    small, large = (float(v) for v in np.asarray(answer(y, guess)))
    assert small > large, f"2 for 1 costs {small:.5f}, 1010 for 1000 costs {large:.5f}"


def _works_in_keras(answer):
    "model.compile(loss=msle) works, and evaluate() reports the mean loss"
    model = keras.Sequential([keras.Input(shape=(1,)),
                              keras.layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros")])
    model.compile(loss=answer)
    got = float(model.evaluate(_Y_PRED, _Y_TRUE, batch_size=len(_Y_TRUE), verbose=0))
    expected = float(np.mean(_msle(_Y_TRUE, _Y_PRED)))
    close(got, expected, atol=1e-4 * max(1.0, expected), rtol=0,
          what="the loss evaluate() reports for a model that predicts y_pred")


q3 = Exercise(
    "Exercise 3 · A custom loss: squared error of logarithms",
    level="core",
    checks=[_per_sample, _equals_keras_msle, _ratios_not_differences, _works_in_keras],
    hint=["keras.ops.log1p(y) is log(1 + y): compare the two logs, not the values.",
          "Square the difference of the two logs and take keras.ops.mean(..., axis=-1) for one value per "
          "sample."],
    solution="""
    def msle(y_true, y_pred):
        return keras.ops.mean((keras.ops.log1p(y_pred) - keras.ops.log1p(y_true)) ** 2, axis=-1)

    ex.q3.check(msle)
    """,
    mistakes=[
        # no axis: one number for the whole batch instead of one per sample
        """
        def msle(y_true, y_pred):
            return keras.ops.mean((keras.ops.log1p(y_pred) - keras.ops.log1p(y_true)) ** 2)

        ex.q3.check(msle)
        """,
        # log instead of log1p: log(y) instead of log(1 + y)
        """
        def msle(y_true, y_pred):
            return keras.ops.mean((keras.ops.log(y_pred) - keras.ops.log(y_true)) ** 2, axis=-1)

        ex.q3.check(msle)
        """,
        # axis=0 averages over the samples instead of within each one
        """
        def msle(y_true, y_pred):
            return keras.ops.mean((keras.ops.log1p(y_pred) - keras.ops.log1p(y_true)) ** 2, axis=0)

        ex.q3.check(msle)
        """,
    ],
)

_Y_BINARY = (_rng.random((16, 1)) < 0.3).astype(np.float32)
_P_BINARY = _rng.uniform(0.02, 0.98, (16, 1)).astype(np.float32)


def _weighted_bce(y_true, y_pred, positive_weight):
    y_true, y_pred = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    return np.mean(-(positive_weight * y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred)), axis=-1)


def _is_a_loss_class(answer):
    "WeightedCrossentropy(positive_weight=3.0) creates a keras.losses.Loss"
    assert isinstance(answer, type) and issubclass(answer, keras.losses.Loss), (
        f"got {answer!r}; pass the class itself, a subclass of keras.losses.Loss"
    )
    answer(positive_weight=3.0)


def _can_be_called(answer):
    "calling it returns one number (its __init__ calls super().__init__)"
    value = answer(positive_weight=3.0)(_Y_BINARY, _P_BINARY)
    assert np.ndim(np.asarray(value)) == 0, f"it returned shape {np.shape(np.asarray(value))}"


def _plain_when_weight_is_one(answer):
    "with positive_weight=1 it equals keras.losses.BinaryCrossentropy()"
    got = float(answer(positive_weight=1.0)(_Y_BINARY, _P_BINARY))
    expected = float(keras.losses.BinaryCrossentropy()(_Y_BINARY, _P_BINARY))
    close(got, expected, atol=1e-5, rtol=0, what="the loss with positive_weight=1")


def _weights_class_one(answer):
    "with positive_weight=3 the class-1 terms count three times"
    for weight in (3.0, 0.5):
        got = float(answer(positive_weight=weight)(_Y_BINARY, _P_BINARY))
        expected = float(np.mean(_weighted_bce(_Y_BINARY, _P_BINARY, weight)))
        close(got, expected, atol=1e-5, rtol=0, what=f"the loss with positive_weight={weight}")


def _same_for_any_batch(answer):
    "the mean over 16 samples equals the mean of two batches of 8 (no (N, N) broadcasting)"
    loss = answer(positive_weight=3.0)
    whole = float(loss(_Y_BINARY, _P_BINARY))
    halves = (float(loss(_Y_BINARY[:8], _P_BINARY[:8])) + float(loss(_Y_BINARY[8:], _P_BINARY[8:]))) / 2
    assert abs(whole - halves) < 1e-5, f"16 samples give {whole:.5f}, two batches of 8 give {halves:.5f} on average"


def _keeps_its_config(answer):
    "get_config() holds positive_weight, and from_config rebuilds the same loss"
    loss = answer(positive_weight=2.5)
    config = loss.get_config()
    assert config.get("positive_weight") == 2.5, f"get_config() returned {config}"
    copy = answer.from_config(config)
    assert abs(float(copy(_Y_BINARY, _P_BINARY)) - float(loss(_Y_BINARY, _P_BINARY))) < 1e-7, "the copy differs"


q4 = Exercise(
    "Exercise 4 · A Loss subclass: weighted cross-entropy",
    level="challenge",
    checks=[_is_a_loss_class, _can_be_called, _plain_when_weight_is_one, _weights_class_one, _same_for_any_batch,
            _keeps_its_config],
    hint=["Subclass keras.losses.Loss: __init__ calls super().__init__(name=name, **kwargs) first, call() "
          "returns one value per sample, get_config() keeps positive_weight.",
          "call() returns -(w * y_true * log(p) + (1 - y_true) * log(1 - p)) averaged over axis=-1; clip p "
          "to [keras.config.epsilon(), 1 - epsilon] before the logs. get_config adds positive_weight to "
          "super().get_config()."],
    solution="""
    class WeightedCrossentropy(keras.losses.Loss):
        def __init__(self, positive_weight=1.0, name="weighted_crossentropy", **kwargs):
            super().__init__(name=name, **kwargs)
            self.positive_weight = positive_weight

        def call(self, y_true, y_pred):
            epsilon = keras.config.epsilon()
            p = keras.ops.clip(y_pred, epsilon, 1 - epsilon)
            terms = self.positive_weight * y_true * keras.ops.log(p) + (1 - y_true) * keras.ops.log(1 - p)
            return keras.ops.mean(-terms, axis=-1)

        def get_config(self):
            return {**super().get_config(), "positive_weight": self.positive_weight}

    ex.q4.check(WeightedCrossentropy)
    """,
    mistakes=[
        # no super().__init__: the base class never sets its name and reduction
        """
        class WeightedCrossentropy(keras.losses.Loss):
            def __init__(self, positive_weight=1.0, name="weighted_crossentropy", **kwargs):
                self.positive_weight = positive_weight

            def call(self, y_true, y_pred):
                epsilon = keras.config.epsilon()
                p = keras.ops.clip(y_pred, epsilon, 1 - epsilon)
                terms = self.positive_weight * y_true * keras.ops.log(p) + (1 - y_true) * keras.ops.log(1 - p)
                return keras.ops.mean(-terms, axis=-1)

            def get_config(self):
                return {**super().get_config(), "positive_weight": self.positive_weight}

        ex.q4.check(WeightedCrossentropy)
        """,
        # the weight on the class-0 term instead of the class-1 term
        """
        class WeightedCrossentropy(keras.losses.Loss):
            def __init__(self, positive_weight=1.0, name="weighted_crossentropy", **kwargs):
                super().__init__(name=name, **kwargs)
                self.positive_weight = positive_weight

            def call(self, y_true, y_pred):
                epsilon = keras.config.epsilon()
                p = keras.ops.clip(y_pred, epsilon, 1 - epsilon)
                terms = y_true * keras.ops.log(p) + self.positive_weight * (1 - y_true) * keras.ops.log(1 - p)
                return keras.ops.mean(-terms, axis=-1)

            def get_config(self):
                return {**super().get_config(), "positive_weight": self.positive_weight}

        ex.q4.check(WeightedCrossentropy)
        """,
        # no get_config: from_config cannot rebuild positive_weight
        """
        class WeightedCrossentropy(keras.losses.Loss):
            def __init__(self, positive_weight=1.0, name="weighted_crossentropy", **kwargs):
                super().__init__(name=name, **kwargs)
                self.positive_weight = positive_weight

            def call(self, y_true, y_pred):
                epsilon = keras.config.epsilon()
                p = keras.ops.clip(y_pred, epsilon, 1 - epsilon)
                terms = self.positive_weight * y_true * keras.ops.log(p) + (1 - y_true) * keras.ops.log(1 - p)
                return keras.ops.mean(-terms, axis=-1)

        ex.q4.check(WeightedCrossentropy)
        """,
    ],
)
