"""Exercises for lesson 09 (metrics).

>>> from tfedu.exercises import lesson_09 as ex
>>> ex.q1.check(0.6).passed
True
>>> ex.q2.check("b").passed
True
"""
import keras
import numpy as np

from tfedu.exercises import Exercise, Predict, close

#: Five predictions over four classes, and the true classes.
PROBABILITIES = np.array([[0.1, 0.5, 0.3, 0.1],      # no ties, so "the top two" is unambiguous
                          [0.6, 0.1, 0.2, 0.1],
                          [0.2, 0.25, 0.45, 0.1],
                          [0.3, 0.4, 0.2, 0.1],
                          [0.25, 0.2, 0.15, 0.4]], dtype="float32")
LABELS = np.array([2, 0, 1, 3, 2])


def _top2(answer):
    "it is the fraction of rows whose true class is among the two highest probabilities"
    top_two = np.argsort(-PROBABILITIES, axis=1)[:, :2]
    expected = float(np.mean([label in row for label, row in zip(LABELS, top_two)]))
    close(float(answer), expected, what="the top-2 accuracy")


q1 = Exercise(
    "Exercise 1 · Top-2 accuracy by hand",
    level="warm-up",
    checks=[_top2],
    hint=["For each row, find the columns of the two largest probabilities, then ask whether the label is "
          "one of them.",
          "np.argsort(-probabilities, axis=1)[:, :2] gives the top two columns of each row; average `label "
          "in row` over the rows."],
    solution="""
    top_two = np.argsort(-probabilities, axis=1)[:, :2]
    top2_accuracy = np.mean([label in row for label, row in zip(labels, top_two)])

    ex.q1.check(top2_accuracy)
    """,
    mistakes=[
        # [:, :1] keeps only the top one: that is plain accuracy
        """
        top_two = np.argsort(-probabilities, axis=1)[:, :1]
        top2_accuracy = np.mean([label in row for label, row in zip(labels, top_two)])

        ex.q1.check(top2_accuracy)
        """,
        # argsort without the minus sorts from the smallest: the two lowest probabilities
        """
        top_two = np.argsort(probabilities, axis=1)[:, :2]
        top2_accuracy = np.mean([label in row for label, row in zip(labels, top_two)])

        ex.q1.check(top2_accuracy)
        """,
        # axis=0 sorts each column over the samples instead of each row over the classes
        """
        top_two = np.argsort(-probabilities, axis=0)[:, :2]
        top2_accuracy = np.mean([label in row for label, row in zip(labels, top_two)])

        ex.q1.check(top2_accuracy)
        """,
    ],
)


q2 = Predict(
    "Exercise 2 · Predict: accuracy on logits",
    level="warm-up",
    options={
        "a": "1.0: once the sigmoid is applied, every example is on the right side of 0.5",
        "b": "less than 1.0, although every example is classified right",
        "c": "an error: the loss says the outputs are logits, and accuracy needs probabilities",
    },
    answer="b",
    why={
        "a": "nobody applies the sigmoid for the metric: \"accuracy\" compares the model's raw outputs "
             "with 0.5",
        "c": "a metric is not told about the loss's from_logits; it takes whatever numbers the model "
             "outputs, and any numbers can be compared with a threshold",
    },
    hint=["from_logits=True is an argument of the loss. Does the metric know about it?",
          "\"accuracy\" here is BinaryAccuracy(threshold=0.5), applied to the model's outputs as they are. "
          "Which of the five logits are above 0.5?"],
)


def _per_sample(answer):
    "it returns one value per sample: |y - ŷ| / |y| as a percentage"
    y_true = np.array([[100.0], [50.0], [20.0]], dtype="float32")
    y_pred = np.array([[110.0], [45.0], [20.0]], dtype="float32")
    got = np.asarray(answer(y_true, y_pred)).reshape(-1)
    expected = [10.0, 10.0, 0.0]
    close(got, expected, atol=1e-4, what="the percent error per sample (for 3 samples)")


def _works_in_compile(answer):
    "Keras reports it under the function's name during evaluate"
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile("sgd", "mse", metrics=[answer])
    result = model.evaluate(np.array([[1.0], [2.0]]), np.array([[2.0], [4.0]]), verbose=0, return_dict=True)
    assert answer.__name__ in result, f"evaluate reported {sorted(result)}"
    close(result[answer.__name__], 50.0, atol=1e-3, what=f"{answer.__name__} as evaluate reports it")


q3 = Exercise(
    "Exercise 3 · A metric function",
    level="core",
    checks=[_per_sample, _works_in_compile],
    hint=["|y - ŷ| / |y| is the error relative to the truth; a percentage multiplies by 100.",
          "keras.ops.abs(y_true - y_pred) / keras.ops.abs(y_true) * 100, averaged over the last axis "
          "(keras.ops.mean(..., axis=-1)) so each sample gives one number."],
    solution="""
    def percent_error(y_true, y_pred):
        return keras.ops.mean(keras.ops.abs(y_true - y_pred) / keras.ops.abs(y_true), axis=-1) * 100

    ex.q3.check(percent_error)
    """,
    mistakes=[
        # a fraction, not a percentage: the factor 100 is missing
        """
        def percent_error(y_true, y_pred):
            return keras.ops.mean(keras.ops.abs(y_true - y_pred) / keras.ops.abs(y_true), axis=-1)

        ex.q3.check(percent_error)
        """,
        # no axis: one number for the whole batch instead of one per sample
        """
        def percent_error(y_true, y_pred):
            return keras.ops.mean(keras.ops.abs(y_true - y_pred) / keras.ops.abs(y_true)) * 100

        ex.q3.check(percent_error)
        """,
        # divided by the prediction instead of the true value
        """
        def percent_error(y_true, y_pred):
            return keras.ops.mean(keras.ops.abs(y_true - y_pred) / keras.ops.abs(y_pred), axis=-1) * 100

        ex.q3.check(percent_error)
        """,
    ],
)


def _is_metric_class(answer):
    "it is a keras.metrics.Metric subclass"
    assert isinstance(answer, type) and issubclass(answer, keras.metrics.Metric), f"got {answer!r}"


def _tracks_the_maximum(answer):
    "over several batches, result() is the largest |y_true - y_pred| seen"
    metric = answer()
    metric.update_state(np.array([1.0, 2.0]), np.array([1.5, 2.0]))
    metric.update_state(np.array([0.0, 5.0]), np.array([3.0, 4.0]))
    metric.update_state(np.array([1.0]), np.array([1.0]))
    close(float(metric.result()), 3.0, what="result() after three batches")


def _resets(answer):
    "reset_state() starts again from zero"
    metric = answer()
    metric.update_state(np.array([0.0]), np.array([9.0]))
    metric.reset_state()
    metric.update_state(np.array([0.0]), np.array([1.0]))
    assert abs(float(metric.result()) - 1.0) < 1e-6, f"after reset, result() is {float(metric.result())}"


q4 = Exercise(
    "Exercise 4 · A stateful metric",
    level="challenge",
    checks=[_is_metric_class, _tracks_the_maximum, _resets],
    hint=["A Metric keeps state in weights made in __init__ (after super().__init__); update_state changes "
          "them, result() reads them.",
          "Keep one scalar weight (add_weight(shape=(), initializer='zeros')); in update_state assign "
          "keras.ops.maximum(current, keras.ops.max(keras.ops.abs(y_true - y_pred)))."],
    solution="""
    class MaxAbsoluteError(keras.metrics.Metric):
        def __init__(self, name="max_abs_error", **kwargs):
            super().__init__(name=name, **kwargs)
            self.largest = self.add_weight(shape=(), initializer="zeros", name="largest")

        def update_state(self, y_true, y_pred, sample_weight=None):
            error = keras.ops.max(keras.ops.abs(keras.ops.cast(y_true, "float32") - keras.ops.cast(y_pred, "float32")))
            self.largest.assign(keras.ops.maximum(self.largest, error))

        def result(self):
            return self.largest

    ex.q4.check(MaxAbsoluteError)
    """,
    mistakes=[
        # assign(error) keeps only the last batch's largest error, not the largest so far
        """
        class MaxAbsoluteError(keras.metrics.Metric):
            def __init__(self, name="max_abs_error", **kwargs):
                super().__init__(name=name, **kwargs)
                self.largest = self.add_weight(shape=(), initializer="zeros", name="largest")

            def update_state(self, y_true, y_pred, sample_weight=None):
                error = keras.ops.max(keras.ops.abs(keras.ops.cast(y_true, "float32") - keras.ops.cast(y_pred, "float32")))
                self.largest.assign(error)

            def result(self):
                return self.largest

        ex.q4.check(MaxAbsoluteError)
        """,
        # the mean error of each batch instead of its largest
        """
        class MaxAbsoluteError(keras.metrics.Metric):
            def __init__(self, name="max_abs_error", **kwargs):
                super().__init__(name=name, **kwargs)
                self.largest = self.add_weight(shape=(), initializer="zeros", name="largest")

            def update_state(self, y_true, y_pred, sample_weight=None):
                error = keras.ops.mean(keras.ops.abs(keras.ops.cast(y_true, "float32") - keras.ops.cast(y_pred, "float32")))
                self.largest.assign(keras.ops.maximum(self.largest, error))

            def result(self):
                return self.largest

        ex.q4.check(MaxAbsoluteError)
        """,
        # no super().__init__: add_weight needs the base class set up first
        """
        class MaxAbsoluteError(keras.metrics.Metric):
            def __init__(self, name="max_abs_error", **kwargs):
                self.largest = self.add_weight(shape=(), initializer="zeros", name="largest")

            def update_state(self, y_true, y_pred, sample_weight=None):
                error = keras.ops.max(keras.ops.abs(keras.ops.cast(y_true, "float32") - keras.ops.cast(y_pred, "float32")))
                self.largest.assign(keras.ops.maximum(self.largest, error))

            def result(self):
                return self.largest

        ex.q4.check(MaxAbsoluteError)
        """,
    ],
)
