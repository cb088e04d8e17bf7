"""Exercises for lesson 08 (regularization and constraints).

>>> import numpy as np
>>> from tfedu.exercises import lesson_08 as ex
>>> first, second = ex.REGULARIZED.layers
>>> total = (0.01 * np.sum(first.kernel.numpy() ** 2) + 0.1 * np.sum(np.abs(first.bias.numpy()))
...          + 0.001 * np.sum(np.abs(second.kernel.numpy())) + 0.02 * np.sum(second.kernel.numpy() ** 2))
>>> ex.q1.check(total).passed, ex.q2.check("b").passed
(True, True)
"""
import keras
import numpy as np

from tfedu.exercises import Exercise, Predict, close


def _is_a_number(answer):
    "it is one number"
    value = answer.numpy() if hasattr(answer, "numpy") else answer
    assert np.ndim(value) == 0, f"got an array of shape {np.shape(value)}: add the terms up into one number"
    float(value)


#: Exercise 1: a small model with L2, L1 and L1+L2 penalties. Its weights are fixed by seeds.
REGULARIZED = keras.Sequential(
    [
        keras.Input(shape=(5,)),
        keras.layers.Dense(4, activation="relu", kernel_regularizer=keras.regularizers.l2(0.01),
                           bias_regularizer=keras.regularizers.l1(0.1),
                           kernel_initializer=keras.initializers.GlorotUniform(seed=71),
                           bias_initializer=keras.initializers.RandomNormal(stddev=0.5, seed=72)),
        keras.layers.Dense(2, kernel_regularizer=keras.regularizers.l1_l2(l1=0.001, l2=0.02),
                           kernel_initializer=keras.initializers.GlorotUniform(seed=73)),
    ],
    name="regularized",
)


def _penalty_matches(answer):
    "it equals the sum of REGULARIZED.losses"
    _is_a_number(answer)
    expected = float(np.sum([float(v) for v in REGULARIZED.losses]))
    got = float(answer.numpy() if hasattr(answer, "numpy") else answer)
    close(got, expected, atol=1e-5, rtol=0, what="the penalty")


q1 = Exercise(
    "Exercise 1 · The penalty by hand",
    level="warm-up",
    checks=[_is_a_number, _penalty_matches],
    hint=["l2(λ) adds λ·Σw², l1(λ) adds λ·Σ|w|, l1_l2 adds both. Which layers carry which penalty?",
          "Three terms: the first kernel (l2 0.01), the first bias (l1 0.1) and the second kernel (l1 "
          "0.001 + l2 0.02). Get the arrays with layer.kernel.numpy() and layer.bias.numpy()."],
    solution="""
    first, second = ex.REGULARIZED.layers
    answer = (0.01 * np.sum(first.kernel.numpy() ** 2)
              + 0.1 * np.sum(np.abs(first.bias.numpy()))
              + 0.001 * np.sum(np.abs(second.kernel.numpy()))
              + 0.02 * np.sum(second.kernel.numpy() ** 2))

    ex.q1.check(answer)
    """,
    mistakes=[
        # the second kernel's l1 part of l1_l2 is forgotten
        """
        first, second = ex.REGULARIZED.layers
        answer = (0.01 * np.sum(first.kernel.numpy() ** 2)
                  + 0.1 * np.sum(np.abs(first.bias.numpy()))
                  + 0.02 * np.sum(second.kernel.numpy() ** 2))

        ex.q1.check(answer)
        """,
        # l1 on the bias squared like l2: l1 adds absolute values
        """
        first, second = ex.REGULARIZED.layers
        answer = (0.01 * np.sum(first.kernel.numpy() ** 2)
                  + 0.1 * np.sum(first.bias.numpy() ** 2)
                  + 0.001 * np.sum(np.abs(second.kernel.numpy()))
                  + 0.02 * np.sum(second.kernel.numpy() ** 2))

        ex.q1.check(answer)
        """,
    ],
)


q2 = Predict(
    "Exercise 2 · Predict: exact zeros from L1?",
    level="core",
    options={"a": "with l1, hundreds of weights are exactly 0; with l2, none",
             "b": "none in either: l1 pushes most weights close to 0, but not exactly onto it",
             "c": "both set hundreds of weights to exactly 0"},
    answer="b",
    why={"a": "l1's pull has a constant size, but every step moves a weight by a finite amount (Adam's about the "
              "learning rate), so a weight near 0 jumps across it instead of stopping on it",
         "c": "l2's pull is proportional to the weight itself: it shrinks a weight by a fraction each step, "
              "which never reaches 0, let alone exactly"},
    hint=["Think about one weight near 0 and the size of the step the optimizer takes on it.",
          "A step lands exactly on 0.0 only by luck; L1 makes the steps point towards 0, not stop there."],
)


def _is_a_constraint_class(answer):
    "it is a keras.constraints.Constraint subclass taking the limit"
    assert isinstance(answer, type) and issubclass(answer, keras.constraints.Constraint), (
        f"got {answer!r}; pass the class itself (ClipWeights), a subclass of keras.constraints.Constraint"
    )
    answer(0.5)


_WEIGHTS = np.array([[-2.0, -0.3], [0.1, 0.9]], dtype="float32")


def _clips_both_ways(answer):
    "it clips every weight into [-limit, limit] and leaves the others alone"
    clipped = answer(0.5)(keras.ops.convert_to_tensor(_WEIGHTS))
    assert clipped is not None, "__call__ returned None: return the clipped weights"
    close(keras.ops.convert_to_numpy(clipped), np.clip(_WEIGHTS, -0.5, 0.5), what="ClipWeights(0.5) applied to the weights")


def _holds_during_training(answer):
    "after training with large steps, no kernel weight is beyond the limit"
    rng = np.random.default_rng(8)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x @ np.array([[3.0], [-4.0], [5.0]], dtype="float32"))
    keras.utils.set_random_seed(0)
    layer = keras.layers.Dense(1, kernel_constraint=answer(0.05))
    model = keras.Sequential([keras.Input((3,)), layer])
    model.compile(keras.optimizers.SGD(0.5), "mse")
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    largest = float(np.max(np.abs(layer.kernel.numpy())))
    assert largest <= 0.05 + 1e-7, f"a weight of size {largest:.3g} is beyond the limit after training"


def _keeps_its_config(answer):
    "get_config() keeps the limit, so from_config (and loading a saved model) rebuilds it"
    config = answer(0.05).get_config()
    assert config.get("limit") == 0.05, f"get_config() returned {config}; return {{'limit': self.limit}}"
    assert answer.from_config(config).limit == 0.05


q3 = Exercise(
    "Exercise 3 · A constraint of your own",
    level="challenge",
    checks=[_is_a_constraint_class, _clips_both_ways, _holds_during_training, _keeps_its_config],
    hint=["A constraint is a callable the optimizer applies to a weight after each update: subclass "
          "keras.constraints.Constraint, keep the limit in __init__, return the new weights from __call__.",
          "__call__(self, w) returns keras.ops.clip(w, -self.limit, self.limit) (keras.ops works on the "
          "tensors of a compiled training step, NumPy does not); get_config returns {'limit': self.limit}."],
    solution="""
    class ClipWeights(keras.constraints.Constraint):
        def __init__(self, limit):
            self.limit = limit

        def __call__(self, w):
            return keras.ops.clip(w, -self.limit, self.limit)

        def get_config(self):
            return {"limit": self.limit}

    ex.q3.check(ClipWeights)
    """,
    mistakes=[
        # clips into [0, limit]: the negative weights are lost
        """
        class ClipWeights(keras.constraints.Constraint):
            def __init__(self, limit):
                self.limit = limit

            def __call__(self, w):
                return keras.ops.clip(w, 0.0, self.limit)

            def get_config(self):
                return {"limit": self.limit}

        ex.q3.check(ClipWeights)
        """,
        # NumPy inside the training step: the weights there are symbolic tensors
        """
        class ClipWeights(keras.constraints.Constraint):
            def __init__(self, limit):
                self.limit = limit

            def __call__(self, w):
                return np.clip(w, -self.limit, self.limit)

            def get_config(self):
                return {"limit": self.limit}

        ex.q3.check(ClipWeights)
        """,
        # no get_config: the base class returns {}, and from_config cannot rebuild the limit
        """
        class ClipWeights(keras.constraints.Constraint):
            def __init__(self, limit):
                self.limit = limit

            def __call__(self, w):
                return keras.ops.clip(w, -self.limit, self.limit)

        ex.q3.check(ClipWeights)
        """,
    ],
)
