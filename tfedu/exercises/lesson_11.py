"""Exercises for lesson 11 (building models).

>>> import keras
>>> from tfedu.exercises import lesson_11 as ex
>>> model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
...                           keras.layers.Dense(10, activation="softmax")])
>>> ex.q1.check(model).passed
True
>>> ex.q2.check("c").passed
True
"""
import keras
import numpy as np

from tfedu.exercises import Exercise, Predict, close


def _is_model(answer):
    "it is a Keras model"
    assert isinstance(answer, keras.Model), f"got {type(answer).__name__}"


def _maps_64_to_10(answer):
    "it maps 64 inputs to 10 outputs"
    shape = tuple(answer.output_shape)
    assert tuple(answer.input_shape) == (None, 64), f"input shape is {answer.input_shape}; start with keras.Input((64,))"
    assert shape == (None, 10), f"output shape is {shape}"


def _has_2410_parameters(answer):
    "it has 64·32 + 32 + 32·10 + 10 = 2,410 parameters"
    count = answer.count_params()
    assert count == 64 * 32 + 32 + 32 * 10 + 10, f"it has {count:,} parameters"


def _outputs_probabilities(answer):
    "its outputs are probabilities (softmax)"
    out = np.asarray(answer(np.random.default_rng(0).normal(size=(3, 64)).astype("float32")))
    assert np.allclose(out.sum(axis=1), 1.0, atol=1e-5) and (out >= 0).all(), "the rows do not sum to 1"


q1 = Exercise(
    "Exercise 1 · A small classifier",
    level="warm-up",
    checks=[_is_model, _maps_64_to_10, _has_2410_parameters, _outputs_probabilities],
    hint=["Two Dense layers after an Input: count the parameters of each (inputs × units + units).",
          "keras.Sequential([keras.Input((64,)), Dense(32, activation='relu'), Dense(10, "
          "activation='softmax')])"],
    solution="""
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        layers.Dense(32, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])

    ex.q1.check(model)
    """,
    mistakes=[
        # no keras.Input: the model does not know its input size, so it has no weights yet
        """
        model = keras.Sequential([
            layers.Dense(32, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ])

        ex.q1.check(model)
        """,
        # no softmax: the outputs are scores, not probabilities
        """
        model = keras.Sequential([
            keras.Input(shape=(64,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(10),
        ])

        ex.q1.check(model)
        """,
        # a hidden layer of 64 units instead of 32
        """
        model = keras.Sequential([
            keras.Input(shape=(64,)),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ])

        ex.q1.check(model)
        """,
    ],
)


q2 = Predict(
    "Exercise 2 · Predict: Dense on a sequence",
    level="warm-up",
    options={
        "a": "an error: Dense needs inputs of shape (batch, features), so Flatten first",
        "b": "shape (2, 4): Dense flattens each sample's 5 × 8 = 40 numbers itself",
        "c": "shape (2, 5, 4)",
        "d": "shape (2, 20): 5 × 4 outputs per sample, side by side",
    },
    answer="c",
    why={
        "a": "Keras 3's Dense accepts inputs of any rank: it multiplies the last axis by its kernel and keeps "
             "the others",
        "b": "Dense never flattens: its kernel is built from the last axis only, (8, 4), not (40, 4)",
        "d": "nothing is put side by side: the 5 vectors keep an axis of their own",
    },
    hint=["When Dense builds its kernel, which axis of the input does it look at?",
          "The kernel has shape (input_shape[-1], units): it is applied to the last axis, the same way for "
          "every index of the axes before it."],
)


def _feature_map(answer):
    "its output is 4×4 feature maps with 16 channels"
    assert tuple(answer.output_shape) == (None, 4, 4, 16), f"output shape is {answer.output_shape}"


def _starts_from_28(answer):
    "it takes 28×28 grey images"
    assert tuple(answer.input_shape) == (None, 28, 28, 1), f"input shape is {answer.input_shape}"


def _only_conv_and_pool(answer):
    "it uses only Conv2D and MaxPooling2D layers"
    kinds = sorted({type(layer).__name__ for layer in answer.layers})
    assert set(kinds) <= {"Conv2D", "MaxPooling2D"}, f"it uses {kinds}"


q3 = Exercise(
    "Exercise 3 · Downsample to 4×4",
    level="core",
    checks=[_is_model, _starts_from_28, _only_conv_and_pool, _feature_map],
    hint=["Plan the sizes: a k×k \"valid\" convolution removes k - 1 pixels; MaxPooling2D(2) halves "
          "(rounding down).",
          "28 -> 26 -> 13 -> 11 -> 5 ... with 3×3 convolutions and pooling; one more small convolution "
          "reaches 4. Check with summary() after each add()."],
    solution="""
    model = keras.Sequential([keras.Input((28, 28, 1))])
    model.add(layers.Conv2D(16, 3, activation="relu"))   # 26
    model.add(layers.MaxPooling2D(2))                    # 13
    model.add(layers.Conv2D(16, 3, activation="relu"))   # 11
    model.add(layers.MaxPooling2D(2))                    # 5
    model.add(layers.Conv2D(16, 2, activation="relu"))   # 4

    ex.q3.check(model)
    """,
    mistakes=[
        # a 3×3 last convolution: 5 - 3 + 1 = 3, one pixel short
        """
        model = keras.Sequential([keras.Input((28, 28, 1))])
        model.add(layers.Conv2D(16, 3, activation="relu"))   # 26
        model.add(layers.MaxPooling2D(2))                    # 13
        model.add(layers.Conv2D(16, 3, activation="relu"))   # 11
        model.add(layers.MaxPooling2D(2))                    # 5
        model.add(layers.Conv2D(16, 3, activation="relu"))   # 4

        ex.q3.check(model)
        """,
        # a Flatten at the end: a vector, not 4×4 feature maps
        """
        model = keras.Sequential([keras.Input((28, 28, 1))])
        model.add(layers.Conv2D(16, 3, activation="relu"))   # 26
        model.add(layers.MaxPooling2D(2))                    # 13
        model.add(layers.Conv2D(16, 3, activation="relu"))   # 11
        model.add(layers.MaxPooling2D(2))                    # 5
        model.add(layers.Conv2D(16, 2, activation="relu"))   # 4
        model.add(layers.Flatten())

        ex.q3.check(model)
        """,
        # padding="same" keeps 28 in the first convolution, so every later size changes
        """
        model = keras.Sequential([keras.Input((28, 28, 1))])
        model.add(layers.Conv2D(16, 3, activation="relu", padding="same"))   # 26
        model.add(layers.MaxPooling2D(2))                    # 13
        model.add(layers.Conv2D(16, 3, activation="relu"))   # 11
        model.add(layers.MaxPooling2D(2))                    # 5
        model.add(layers.Conv2D(16, 2, activation="relu"))   # 4

        ex.q3.check(model)
        """,
    ],
)


def _scales(answer):
    "Scale() multiplies its input by one trainable number, starting at 1"
    layer = answer()
    out = np.asarray(layer(np.array([[1.0, -2.0]], dtype="float32")))
    close(out, [[1.0, -2.0]], what="what a fresh layer gives (it should leave its input unchanged)")
    assert len(layer.trainable_weights) == 1 and tuple(layer.trainable_weights[0].shape) == (), (
        f"trainable weights: {[tuple(w.shape) for w in layer.trainable_weights]}; expected one scalar"
    )


def _keeps_its_config(answer):
    "Scale(initial=2.5) survives get_config / from_config"
    layer = answer(initial=2.5, name="s")
    clone = answer.from_config(layer.get_config())
    out = np.asarray(clone(np.array([[2.0]], dtype="float32")))
    close(out, [[5.0]], what="what the copy of Scale(initial=2.5) gives for 2.0")
    assert clone.name == "s", f"the copy is named {clone.name!r}"


q4 = Exercise(
    "Exercise 4 · A custom layer",
    level="challenge",
    checks=[_scales, _keeps_its_config],
    hint=["A layer stores its settings in __init__, makes its weights in build(), and lists its settings "
          "in get_config().",
          "Store `initial` in __init__ (after super().__init__(**kwargs)), create the weight in build() "
          "with add_weight(shape=(), initializer=keras.initializers.Constant(self.initial)), and add "
          "'initial' to get_config()."],
    solution="""
    class Scale(layers.Layer):
        def __init__(self, initial=1.0, **kwargs):
            super().__init__(**kwargs)
            self.initial = initial

        def build(self, input_shape):
            self.factor = self.add_weight(shape=(), initializer=keras.initializers.Constant(self.initial), name="factor")

        def call(self, inputs):
            return inputs * self.factor

        def get_config(self):
            return {**super().get_config(), "initial": self.initial}

    ex.q4.check(Scale)
    """,
    mistakes=[
        # get_config without super().get_config(): the copy loses its name
        """
        class Scale(layers.Layer):
            def __init__(self, initial=1.0, **kwargs):
                super().__init__(**kwargs)
                self.initial = initial

            def build(self, input_shape):
                self.factor = self.add_weight(shape=(), initializer=keras.initializers.Constant(self.initial), name="factor")

            def call(self, inputs):
                return inputs * self.factor

            def get_config(self):
                return {"initial": self.initial}

        ex.q4.check(Scale)
        """,
        # the weight starts at 0 whatever initial says
        """
        class Scale(layers.Layer):
            def __init__(self, initial=1.0, **kwargs):
                super().__init__(**kwargs)
                self.initial = initial

            def build(self, input_shape):
                self.factor = self.add_weight(shape=(), initializer="zeros", name="factor")

            def call(self, inputs):
                return inputs * self.factor

            def get_config(self):
                return {**super().get_config(), "initial": self.initial}

        ex.q4.check(Scale)
        """,
        # the weight starts at 1 whatever initial says
        """
        class Scale(layers.Layer):
            def __init__(self, initial=1.0, **kwargs):
                super().__init__(**kwargs)
                self.initial = initial

            def build(self, input_shape):
                self.factor = self.add_weight(shape=(), initializer="ones", name="factor")

            def call(self, inputs):
                return inputs * self.factor

            def get_config(self):
                return {**super().get_config(), "initial": self.initial}

        ex.q4.check(Scale)
        """,
    ],
)
