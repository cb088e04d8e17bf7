"""Exercises for lesson 14 (saving and loading).

>>> from tfedu.exercises import lesson_14 as ex
>>> ex.q1.check(...).answered
False
>>> ex.q2.check("d").passed
True
"""
import tempfile
from pathlib import Path

import keras
import numpy as np

from tfedu import data
from tfedu.exercises import Exercise, Predict, close
from tfedu.losses import FocalLoss


def _is_reloaded_model(answer):
    "it is a Keras model"
    assert isinstance(answer, keras.Model), f"got {type(answer).__name__}"


def _kept_the_focal_loss(answer):
    "its loss is a FocalLoss with gamma 3"
    loss = answer.loss
    assert isinstance(loss, FocalLoss), f"its loss is {type(loss).__name__}"
    assert loss.gamma == 3.0, f"gamma is {loss.gamma}: pass gamma=3.0 to FocalLoss"


def _kept_the_ks_metric(answer):
    "evaluate() still reports the KS metric"
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16,) + tuple(answer.input_shape[1:])).astype("float32")
    y = (rng.random(16) < 0.5).astype("float32")
    reported = answer.evaluate(x, y, verbose=0, return_dict=True)
    assert "ks" in reported, f"evaluate reports {sorted(reported)}; compile with metrics=[KolmogorovSmirnov()]"


q1 = Exercise(
    "Exercise 1 · Custom objects survive",
    level="warm-up",
    checks=[_is_reloaded_model, _kept_the_focal_loss, _kept_the_ks_metric],
    hint=["Compile, fit, save, load: the same four steps as section 3, with this loss and this metric.",
          "net.compile('adam', loss=FocalLoss(gamma=3.0), metrics=[KolmogorovSmirnov()]), fit one epoch on "
          "is_zero_train (so the metric is built), net.save(a .keras path), then keras.models.load_model(it)."],
    solution="""
    net = keras.Sequential([keras.Input((64,)), layers.Dense(1, activation="sigmoid")])
    net.compile("adam", loss=FocalLoss(gamma=3.0), metrics=[KolmogorovSmirnov()])
    net.fit(x_train, is_zero_train, epochs=1, verbose=0)
    net.save(folder / "net.keras")
    reloaded_net = keras.models.load_model(folder / "net.keras")

    ex.q1.check(reloaded_net)
    """,
    mistakes=[
        # FocalLoss's default gamma is 2
        """
        net = keras.Sequential([keras.Input((64,)), layers.Dense(1, activation="sigmoid")])
        net.compile("adam", loss=FocalLoss(), metrics=[KolmogorovSmirnov()])
        net.fit(x_train, is_zero_train, epochs=1, verbose=0)
        net.save(folder / "net.keras")
        reloaded_net = keras.models.load_model(folder / "net.keras")

        ex.q1.check(reloaded_net)
        """,
        # the metric was never compiled in, so nothing saved it
        """
        net = keras.Sequential([keras.Input((64,)), layers.Dense(1, activation="sigmoid")])
        net.compile("adam", loss=FocalLoss(gamma=3.0), metrics=["accuracy"])
        net.fit(x_train, is_zero_train, epochs=1, verbose=0)
        net.save(folder / "net.keras")
        reloaded_net = keras.models.load_model(folder / "net.keras")

        ex.q1.check(reloaded_net)
        """,
    ],
)

q2 = Predict(
    "Exercise 2 · Predict: a loss without get_config",
    level="warm-up",
    options={
        "a": "save raises NotImplementedError: Pinball has no get_config",
        "b": "load_model raises an error: it cannot rebuild Pinball(quantile=0.9)",
        "c": "it loads, and the reloaded loss still has quantile 0.9",
        "d": "it loads, but the reloaded loss has quantile 0.5, its default",
    },
    answer="d",
    why={
        "a": "keras.losses.Loss has a get_config of its own (name and reduction), so saving finds one and uses it",
        "b": "Pinball is registered and its __init__ accepts the name and reduction the file holds, "
             "so load_model can call it",
        "c": "the file holds only what get_config returned, and the get_config Pinball inherits "
             "knows nothing about quantile",
    },
    hint=["The file keeps, for each object, its class name and whatever its get_config() returns.",
          "Pinball inherits get_config from keras.losses.Loss: run Pinball(quantile=0.9).get_config() "
          "and look at what it holds."],
)

#: Exercise 3: the digits model trained in two halves, with fixed initial weights.
_CACHE = {}


def _training_split():
    images, labels = data.load_digits(flatten=True)
    (x_train, y_train), _ = data.train_test_split(images, labels, seed=0)
    return x_train, y_train


def _trained(epochs):
    """The digits model after ``epochs`` uninterrupted epochs with shuffle=False (cached)."""
    if epochs not in _CACHE:
        glorot = keras.initializers.GlorotUniform
        model = keras.Sequential([
            keras.Input((64,)),
            keras.layers.Dense(32, activation="relu", kernel_initializer=glorot(seed=131)),
            keras.layers.Dense(10, activation="softmax", kernel_initializer=glorot(seed=132)),
        ])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        x_train, y_train = _training_split()
        model.fit(x_train, y_train, epochs=epochs, shuffle=False, verbose=0)
        _CACHE[epochs] = model
    return _CACHE[epochs]


def half_trained(folder):
    """Save the lesson's digits model after 5 of its 10 planned epochs (``shuffle=False``); return the path.

    >>> import tempfile
    >>> half_trained(tempfile.mkdtemp()).name
    'half_trained.keras'
    """
    path = Path(folder) / "half_trained.keras"
    _trained(5).save(path)
    return path


def _is_a_model(answer):
    "it is a compiled Keras model"
    assert isinstance(answer, keras.Model), f"got {type(answer).__name__}; give the model itself"
    assert answer.optimizer is not None, "it has no optimizer: it was never compiled or trained"


def _took_ten_epochs_of_steps(answer):
    "its optimizer has counted the steps of 10 epochs, no more and no fewer"
    expected = int(_trained(10).optimizer.iterations)
    got = int(answer.optimizer.iterations)
    assert got <= expected, "its optimizer counted more steps than 10 epochs take: it trained too long"
    assert got >= expected, ("its optimizer counted fewer steps than 10 epochs take: was its state lost "
                             "(a fresh or re-compiled optimizer), or were epochs skipped?")


def _same_as_uninterrupted(answer):
    "every weight equals what 10 uninterrupted epochs give"
    reference = _trained(10).get_weights()
    weights = answer.get_weights()
    assert [w.shape for w in weights] == [w.shape for w in reference], (
        f"its weights have shapes {[w.shape for w in weights]}: load the saved model rather than building another"
    )
    differ = sum(int(np.sum(~np.isclose(w, r, atol=1e-5, rtol=1e-5))) for w, r in zip(weights, reference))
    total = sum(w.size for w in reference)
    assert differ == 0, (f"{differ} of {total} weights differ from 10 uninterrupted epochs: "
                         "were the batches the same, in the same order?")


q3 = Exercise(
    "Exercise 3 · Finish an interrupted training",
    level="core",
    checks=[_is_a_model, _took_ten_epochs_of_steps, _same_as_uninterrupted],
    hint=["The .keras file holds the weights and the optimizer's state: load it and keep training, "
          "without compiling again.",
          "finished = keras.models.load_model(path), then finished.fit(x_train, y_train, ...) for the 5 "
          "missing epochs, with shuffle=False like the first half. If you use initial_epoch=5, remember "
          "that epochs is the number of the last epoch, not a count."],
    solution="""
    path = ex.half_trained(folder)
    finished = keras.models.load_model(path)
    finished.fit(x_train, y_train, epochs=5, shuffle=False, verbose=0)

    ex.q3.check(finished)
    """,
    mistakes=[
        # compile() replaces the restored optimizer by a new one
        """
        path = ex.half_trained(folder)
        finished = keras.models.load_model(path)
        finished.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        finished.fit(x_train, y_train, epochs=5, shuffle=False, verbose=0)

        ex.q3.check(finished)
        """,
        # a fresh model's optimizer has no variables yet, so load_weights skips the optimizer state
        """
        path = ex.half_trained(folder)
        finished = make_model()
        finished.load_weights(path)
        finished.fit(x_train, y_train, epochs=5, shuffle=False, verbose=0)

        ex.q3.check(finished)
        """,
        # epochs is the last epoch's number: from 5 to 5 trains nothing
        """
        path = ex.half_trained(folder)
        finished = keras.models.load_model(path)
        finished.fit(x_train, y_train, initial_epoch=5, epochs=5, shuffle=False, verbose=0)

        ex.q3.check(finished)
        """,
        # 10 more epochs: 15 in all
        """
        path = ex.half_trained(folder)
        finished = keras.models.load_model(path)
        finished.fit(x_train, y_train, epochs=10, shuffle=False, verbose=0)

        ex.q3.check(finished)
        """,
        # the default shuffle=True feeds the batches in another order
        """
        path = ex.half_trained(folder)
        finished = keras.models.load_model(path)
        finished.fit(x_train, y_train, epochs=5, verbose=0)

        ex.q3.check(finished)
        """,
    ],
)

#: Exercise 4: the statistics a Standardize layer is built with, and inputs to try it on.
_MEAN = np.array([1.0, 2.0, 3.0], dtype="float32")
_STD = np.array([2.0, 4.0, 0.5], dtype="float32")
_INPUTS = np.random.default_rng(13).normal(size=(5, 3)).astype("float32")


def _is_a_layer_class(answer):
    "Standardize(mean, std) creates a keras.layers.Layer"
    assert isinstance(answer, type) and issubclass(answer, keras.layers.Layer), (
        f"got {answer!r}; pass the class itself, a subclass of keras.layers.Layer"
    )
    answer(mean=_MEAN, std=_STD)


def _standardizes(answer):
    "it returns (x - mean) / std"
    out = np.asarray(answer(mean=_MEAN, std=_STD)(_INPUTS))
    close(out, (_INPUTS - _MEAN) / _STD, atol=1e-5, what="its output")


def _reason(error: BaseException) -> str:
    """The useful sentence of a Keras loading error (the innermost 'Exception encountered' part)."""
    text = str(error).rsplit("Exception encountered:", 1)[-1].strip()
    text = text.split(" Full object config")[0].split("\n")[0]
    return f"{type(error).__name__}: {text[:200]}"


def _survives_saving(answer):
    "a model using it saves to .keras, and load_model (without custom_objects) rebuilds it"
    model = keras.Sequential([keras.Input((3,)), answer(mean=_MEAN, std=_STD),
                              keras.layers.Dense(1, kernel_initializer="ones")])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "standardize.keras"
        try:
            model.save(path)
        except NotImplementedError:
            raise AssertionError("model.save raised NotImplementedError: Keras cannot record NumPy arrays "
                                 "given to __init__ by itself, so the layer needs a get_config") from None
        try:
            reloaded = keras.models.load_model(path)
        except Exception as error:  # noqa: BLE001 - any failure to rebuild is the student's to fix
            raise AssertionError(f"load_model could not rebuild it: {_reason(error)}") from None
    layer = reloaded.layers[0]
    assert type(layer).__name__ == answer.__name__, f"the reloaded model's first layer is a {type(layer).__name__}"
    same = np.allclose(reloaded.predict(_INPUTS, verbose=0), model.predict(_INPUTS, verbose=0), atol=1e-6)
    assert same, "the reloaded model predicts other numbers: does the config hold mean and std?"


q4 = Exercise(
    "Exercise 4 · A layer built from arrays",
    level="challenge",
    checks=[_is_a_layer_class, _standardizes, _survives_saving],
    hint=["Keras 3 writes a layer's config by itself only when __init__ got plain numbers, strings, "
          "booleans or None. Arrays need a get_config of yours, and the class must be registered.",
          "Register it with @keras.saving.register_keras_serializable(package='lesson14'); __init__(self, mean, "
          "std, **kwargs) calls super().__init__(**kwargs) and stores np.asarray(mean, 'float32'); get_config "
          "returns {**super().get_config(), 'mean': self.mean.tolist(), 'std': self.std.tolist()}: lists, "
          "which JSON can hold and __init__ turns back into arrays."],
    solution="""
    @keras.saving.register_keras_serializable(package="lesson14")
    class Standardize(layers.Layer):
        def __init__(self, mean, std, **kwargs):
            super().__init__(**kwargs)
            self.mean = np.asarray(mean, dtype="float32")
            self.std = np.asarray(std, dtype="float32")

        def call(self, inputs):
            return (inputs - self.mean) / self.std

        def get_config(self):
            return {**super().get_config(), "mean": self.mean.tolist(), "std": self.std.tolist()}

    ex.q4.check(Standardize)
    """,
    mistakes=[
        # not registered: load_model cannot find the class by its name
        """
        class Standardize(layers.Layer):
            def __init__(self, mean, std, **kwargs):
                super().__init__(**kwargs)
                self.mean = np.asarray(mean, dtype="float32")
                self.std = np.asarray(std, dtype="float32")

            def call(self, inputs):
                return (inputs - self.mean) / self.std

            def get_config(self):
                return {**super().get_config(), "mean": self.mean.tolist(), "std": self.std.tolist()}

        ex.q4.check(Standardize)
        """,
        # no get_config: the automatic one refuses NumPy arrays
        """
        @keras.saving.register_keras_serializable(package="lesson14")
        class Standardize(layers.Layer):
            def __init__(self, mean, std, **kwargs):
                super().__init__(**kwargs)
                self.mean = np.asarray(mean, dtype="float32")
                self.std = np.asarray(std, dtype="float32")

            def call(self, inputs):
                return (inputs - self.mean) / self.std

        ex.q4.check(Standardize)
        """,
        # the arrays themselves in the config: they come back as dicts, not arrays
        """
        @keras.saving.register_keras_serializable(package="lesson14")
        class Standardize(layers.Layer):
            def __init__(self, mean, std, **kwargs):
                super().__init__(**kwargs)
                self.mean = np.asarray(mean, dtype="float32")
                self.std = np.asarray(std, dtype="float32")

            def call(self, inputs):
                return (inputs - self.mean) / self.std

            def get_config(self):
                return {**super().get_config(), "mean": self.mean, "std": self.std}

        ex.q4.check(Standardize)
        """,
        # no **kwargs: from_config passes name, trainable and dtype back to __init__
        """
        @keras.saving.register_keras_serializable(package="lesson14")
        class Standardize(layers.Layer):
            def __init__(self, mean, std):
                super().__init__()
                self.mean = np.asarray(mean, dtype="float32")
                self.std = np.asarray(std, dtype="float32")

            def call(self, inputs):
                return (inputs - self.mean) / self.std

            def get_config(self):
                return {**super().get_config(), "mean": self.mean.tolist(), "std": self.std.tolist()}

        ex.q4.check(Standardize)
        """,
    ],
)
