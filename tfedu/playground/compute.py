"""The compute layer of ``tfedu.playground``: TensorFlow Playground's set-ups as real Keras models.

A set-up is a plain, JSON-able dict (:data:`DEFAULTS` lists every key); :func:`check_config`
checks one and fills in the defaults. :func:`make_data` draws the dataset, :func:`features`
computes Playground's input features (x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂), and
:class:`Trainer` builds the ``keras.Sequential`` and trains it, a chosen number of epochs
per call, in one compiled TensorFlow function (so that hundreds of epochs a second are
possible on a small net). Everything a Trainer holds is a normal Keras object:
``trainer.model`` is the model, ``trainer.history`` a ``{"loss": [...], "val_loss": [...]}``
dict like ``keras.callbacks.History.history``.

>>> trainer = Trainer({"dataset": "xor", "hidden": [4], "learning_rate": 0.1, "seed": 1})
>>> first = trainer.evaluate()["loss"]
>>> _ = trainer.train(epochs=100)
>>> trainer.evaluate()["loss"] < first, trainer.epoch
(True, 100)
"""
from __future__ import annotations

import copy
import math

import numpy as np

from tfedu import _validate
from tfedu import data as _data

__all__ = ["FEATURES", "CLASSIFICATION", "REGRESSION", "DEFAULTS", "ACTIVATIONS", "OPTIMIZERS", "INITIALIZERS",
           "LOSSES", "MAX_LAYERS", "MAX_NEURONS", "PRESETS", "check_config", "make_data", "features", "Trainer",
           "to_code", "Weights"]

#: Playground's input features, each a function of the two coordinates.
FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}
CLASSIFICATION = ("circles", "xor", "blobs", "spiral", "moons")
REGRESSION = ("plane", "gaussian")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear", "leaky_relu", "elu", "gelu")
OPTIMIZERS = {"sgd": ("SGD", {}), "momentum": ("SGD", {"momentum": 0.9}), "nesterov": ("SGD", {"momentum": 0.9,
              "nesterov": True}), "rmsprop": ("RMSprop", {}), "adam": ("Adam", {}), "adagrad": ("Adagrad", {})}
INITIALIZERS = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal", "random_normal")
LOSSES = ("crossentropy", "mse")
MAX_LAYERS, MAX_NEURONS, MAX_CLASSES = 6, 8, 5
#: Playground draws its points in [-6, 6]²; the course's toy datasets live near [-1.5, 1.5]², so they are scaled.
SCALE = 4.0

DEFAULTS = {
    "dataset": "circles", "n_samples": 500, "noise": 0.1, "n_classes": 2, "test_fraction": 0.5, "seed": 0,
    "features": ["x1", "x2"], "hidden": [4, 2], "activation": "tanh", "activations": None,
    "initializer": "glorot_uniform", "dropout": 0.0, "regularization": None, "regularization_rate": 0.0,
    "loss": "crossentropy", "optimizer": "sgd", "learning_rate": 0.03, "batch_size": 10,
}


def _check_list(value, name, options):
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of names, e.g. {list(options)[:2]}, got {_validate.describe(value)}.")
    return _validate.choices(list(value), name, list(options))


def check_config(config=None, **changes) -> dict:
    """A complete set-up: ``config`` (a dict, or None) with ``changes`` applied, every value checked.

    >>> check_config(dataset="spiral", hidden=[8, 8])["hidden"]
    [8, 8]
    >>> check_config(dataset="spirals")
    Traceback (most recent call last):
    ...
    ValueError: dataset 'spirals' is not known; did you mean 'spiral'? Choose one of: 'circles', 'xor', \
'blobs', 'spiral', 'moons', 'plane', 'gaussian'.
    """
    if config is not None and not isinstance(config, dict):
        raise TypeError(f"config must be a dict like Playground.config, got {_validate.describe(config)}.")
    merged = copy.deepcopy(DEFAULTS)
    for source in (config or {}), changes:
        unknown = [key for key in source if key not in DEFAULTS]
        if unknown:
            hint = _validate.did_you_mean(unknown[0], list(DEFAULTS))
            raise ValueError(f"unknown set-up key {unknown[0]!r};{hint or ''} the keys are: {', '.join(DEFAULTS)}.")
        merged.update(copy.deepcopy(source))
    c = merged
    c["dataset"] = _validate.choice(c["dataset"], "dataset", CLASSIFICATION + REGRESSION)
    c["n_samples"] = _validate.count(c["n_samples"], "n_samples", low=10, high=5000, example=500)
    c["noise"] = _validate.number(c["noise"], "noise", low=0, high=2, example="0.1")
    c["n_classes"] = _validate.count(c["n_classes"], "n_classes", low=2, high=MAX_CLASSES, example=2,
                                     hint="The playground draws 2 to 5 classes.")
    if c["dataset"] in ("circles", "xor", "moons") and c["n_classes"] != 2:
        raise ValueError(f"dataset {c['dataset']!r} has 2 classes, got n_classes={c['n_classes']}; "
                             "'blobs' and 'spiral' take 2 to 5.")
    c["test_fraction"] = _validate.number(c["test_fraction"], "test_fraction", low=0.1, high=0.9, example="0.5")
    c["seed"] = _validate.count(c["seed"], "seed", low=0, high=2**31 - 1, example=0)
    c["features"] = _check_list(c["features"], "features", FEATURES)
    hidden = c["hidden"]
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, (list, tuple)):
        raise TypeError(f"hidden must be a list of layer sizes, e.g. [4, 2] (or [] for none), got "
                        f"{_validate.describe(hidden)}.")
    if len(hidden) > MAX_LAYERS:
        raise ValueError(f"hidden has {len(hidden)} layers; the playground takes at most {MAX_LAYERS}.")
    c["hidden"] = [_validate.count(n, "hidden layer size", low=1, high=MAX_NEURONS, example=4) for n in hidden]
    c["activation"] = _validate.choice(c["activation"], "activation", ACTIVATIONS)
    if c["activations"] is not None:
        c["activations"] = _check_list(c["activations"], "activations", ACTIVATIONS)
        if len(c["activations"]) != len(c["hidden"]):
            raise ValueError(f"activations gives {len(c['activations'])} names for {len(c['hidden'])} hidden "
                             "layers: give one per layer, or None to use activation for all.")
    c["initializer"] = _validate.choice(c["initializer"], "initializer", INITIALIZERS)
    c["dropout"] = _validate.number(c["dropout"], "dropout", low=0, high=0.9, example="0.2")
    if c["regularization"] is not None:
        c["regularization"] = _validate.choice(c["regularization"], "regularization", ("l1", "l2"))
    c["regularization_rate"] = _validate.number(c["regularization_rate"], "regularization_rate", low=0, high=1,
                                                example="0.001")
    c["loss"] = _validate.choice(c["loss"], "loss", LOSSES)
    c["optimizer"] = _validate.choice(c["optimizer"], "optimizer", list(OPTIMIZERS))
    c["learning_rate"] = _validate.number(c["learning_rate"], "learning_rate", low=0, high=10, low_open=True,
                                          example="0.03")
    c["batch_size"] = _validate.count(c["batch_size"], "batch_size", low=1, high=5000, example=10)
    return c


def _regression(name, n, noise, rng):
    points = rng.uniform(-1.5, 1.5, size=(n, 2))
    if name == "plane":
        target = (points[:, 0] + points[:, 1]) / 3.0
    else:  # two Gaussian bumps of opposite sign, as in Playground's "gaussian"
        target = (np.exp(-np.sum((points - 0.6) ** 2, axis=1) * 2) - np.exp(-np.sum((points + 0.6) ** 2, axis=1) * 2))
    target = target + rng.normal(scale=noise * 0.5, size=n) if noise else target
    return points.astype(np.float32), target.astype(np.float32)


def make_data(config) -> tuple:
    """``(x, y)`` for a checked set-up: points of shape (n, 2) in Playground's [-6, 6] range, and labels
    (int, classification) or targets (float, regression)."""
    c = check_config(config)
    name, n, noise, seed = c["dataset"], c["n_samples"], c["noise"], c["seed"]
    if name in REGRESSION:
        x, y = _regression(name, n, noise, np.random.default_rng(seed))
    elif name in ("blobs", "spiral"):
        x, y = _data.make_toy(name, n, noise=noise * (3 if name == "blobs" else 1), n_classes=c["n_classes"],
                              seed=seed)
    else:
        x, y = _data.make_toy(name, n, noise=noise, seed=seed)
        if name == "moons":
            x = x - np.array([0.5, 0.25], dtype=np.float32)   # centred, as the other sets are
    return (x * SCALE / (1.5 if name in ("blobs",) else 1.0)).astype(np.float32), y


def features(x, names) -> np.ndarray:
    """The chosen input features of points ``x`` (shape (n, 2)), one column each, in ``names`` order.

    >>> features(np.array([[1.0, 2.0]]), ["x1", "x2", "x1*x2", "x2^2"]).tolist()
    [[1.0, 2.0, 2.0, 4.0]]
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"x must hold 2-D points, shape (n, 2), got shape {x.shape}.")
    names = _check_list(names, "features", FEATURES)
    columns = [FEATURES[name](x[:, 0], x[:, 1]) for name in names]
    return np.stack(columns, axis=1).astype(np.float32)


def _split(x, y, fraction, seed):
    order = np.random.default_rng(seed + 1).permutation(len(x))
    n_test = max(1, int(round(len(x) * fraction)))
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


class Trainer:
    """A Keras model for one set-up, trained ``epochs`` at a time by one compiled function.

    ``x`` and ``y`` replace the set-up's dataset with the student's own points (shape (n, 2))
    and labels (0 .. k-1) or targets (float).
    """

    def __init__(self, config=None, *, x=None, y=None):
        import keras
        import tensorflow as tf

        self.config = check_config(config)
        c = self.config
        if (x is None) != (y is None):
            raise TypeError("give both x and y (your own data), or neither (the set-up's dataset).")
        if x is None:
            x, y = make_data(c)
            self.regression = c["dataset"] in REGRESSION
        else:
            x = _validate.finite_array(x, "x", ndim=2, dtype=np.float32)
            if x.shape[1] != 2:
                raise ValueError(f"x must hold 2-D points, shape (n, 2), got shape {x.shape}.")
            y = _validate.finite_array(y, "y", dtype=np.float64).reshape(-1)
            if len(y) != len(x):
                raise ValueError(f"x has {len(x)} points but y has {len(y)} values: give one label per point.")
            whole = np.all(y == np.round(y))
            self.regression = not whole or len(np.unique(y)) > MAX_CLASSES
            if not self.regression:
                y = y.astype(np.int64)
                if y.min() < 0:
                    raise ValueError("class labels must be 0, 1, ..., k-1; got a negative label.")
                c["n_classes"] = max(2, int(y.max()) + 1)
        self.points, self.labels = x, y
        self.n_outputs = 1 if self.regression or c["n_classes"] == 2 else c["n_classes"]
        if self.regression and c["loss"] == "crossentropy":
            c["loss"] = "mse"  # a regression target has no classes to take a cross-entropy over
        x_train, y_train, x_test, y_test = _split(x, y, c["test_fraction"], c["seed"])
        self.train_points, self.test_points = x_train, x_test
        self.train_labels, self.test_labels = y_train, y_test
        self._train = (features(x_train, c["features"]), self._targets(y_train))
        self._test = (features(x_test, c["features"]), self._targets(y_test))
        keras.utils.set_random_seed(c["seed"])
        self.model = self._build(keras)
        class_name, options = OPTIMIZERS[c["optimizer"]]
        self.optimizer = getattr(keras.optimizers, class_name)(learning_rate=c["learning_rate"], **options)
        self.optimizer.build(self.model.trainable_variables)
        self.loss_function = self._loss(keras)
        # compiled with the same optimizer (and its state), so that model.fit / evaluate / predict carry on from here
        self.model.compile(optimizer=self.optimizer, loss=self.loss_function, metrics=self._metrics(keras))
        self.epoch = 0
        #: The epoch count at each entry of ``history`` (one entry per :meth:`train` call).
        self.logged_epochs = []
        self.history = {"loss": [], "val_loss": []}
        if not self.regression:
            self.history.update({"accuracy": [], "val_accuracy": []})
        self._data = [tf.constant(array) for array in (*self._train, *self._test)]
        self._compiled = tf.function(self._epochs, reduce_retracing=True)

    # building ---------------------------------------------------------------------------------

    def _build(self, keras):
        c = self.config
        regularizer = None
        if c["regularization"] and c["regularization_rate"] > 0:
            regularizer = getattr(keras.regularizers, c["regularization"])(c["regularization_rate"])
        activations = c["activations"] or [c["activation"]] * len(c["hidden"])
        layers = [keras.Input(shape=(len(c["features"]),))]
        for index, (units, activation) in enumerate(zip(c["hidden"], activations)):
            layers.append(keras.layers.Dense(units, activation=activation, kernel_initializer=c["initializer"],
                                             kernel_regularizer=regularizer, name=f"hidden_{index + 1}"))
            if c["dropout"] > 0:
                layers.append(keras.layers.Dropout(c["dropout"], seed=c["seed"] + index))
        output_activation = None if self.regression else ("sigmoid" if self.n_outputs == 1 else "softmax")
        if c["loss"] == "crossentropy":
            output_activation = None  # logits: the loss applies the sigmoid / softmax itself (from_logits=True)
        layers.append(keras.layers.Dense(self.n_outputs, activation=output_activation,
                                         kernel_initializer=c["initializer"], kernel_regularizer=regularizer,
                                         name="output"))
        return keras.Sequential(layers, name="playground")

    def _targets(self, y):
        if self.regression:
            return np.asarray(y, np.float32).reshape(-1, 1)
        if self.config["loss"] == "mse":   # Playground's own choice: MSE on one-hot (or 0/1) targets
            return (np.eye(self.n_outputs, dtype=np.float32)[y] if self.n_outputs > 1
                    else np.asarray(y, np.float32).reshape(-1, 1))
        return np.asarray(y, np.int64).reshape(-1, 1) if self.n_outputs > 1 else np.asarray(y, np.float32).reshape(-1, 1)

    def _loss(self, keras):
        if self.regression or self.config["loss"] == "mse":
            return keras.losses.MeanSquaredError()
        if self.n_outputs == 1:
            return keras.losses.BinaryCrossentropy(from_logits=True)
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def _metrics(self, keras):
        if self.regression:
            return []
        if self.n_outputs == 1:
            threshold = 0.0 if self.config["loss"] == "crossentropy" else 0.5   # logits, or a probability
            return [keras.metrics.BinaryAccuracy(threshold=threshold, name="accuracy")]
        return ["accuracy"]

    # training ---------------------------------------------------------------------------------

    def _epochs(self, epochs, x, y, x_test, y_test, seed):
        import tensorflow as tf

        n = tf.shape(x)[0]
        batch = min(self.config["batch_size"], len(self._train[0]))
        batches = math.ceil(len(self._train[0]) / batch)
        for epoch in tf.range(epochs):
            order = tf.random.experimental.stateless_shuffle(tf.range(n), seed=tf.stack([seed, epoch]))
            for step in tf.range(batches):
                index = order[step * batch: tf.minimum((step + 1) * batch, n)]
                xb, yb = tf.gather(x, index), tf.gather(y, index)
                with tf.GradientTape() as tape:
                    loss = self.loss_function(yb, self.model(xb, training=True)) + tf.add_n(
                        [tf.constant(0.0)] + list(self.model.losses))
                gradients = tape.gradient(loss, self.model.trainable_variables)
                self.optimizer.apply(gradients, self.model.trainable_variables)
        return self._measure(x, y), self._measure(x_test, y_test)

    def _measure(self, x, y):
        """(loss, accuracy) on a split: the data loss without dropout or penalties, as Playground shows it."""
        import tensorflow as tf

        output = self.model(x, training=False)
        loss = self.loss_function(y, output)
        if self.regression:
            return loss, tf.constant(float("nan"))
        if self.n_outputs == 1:
            predicted = tf.cast(output[:, 0] > (0.0 if self.config["loss"] == "crossentropy" else 0.5), tf.float32)
            truth = tf.cast(tf.reshape(y, [-1]) > 0.5, tf.float32)
        else:
            predicted = tf.cast(tf.argmax(output, axis=1), tf.float32)
            truth = tf.cast(tf.argmax(y, axis=1) if self.config["loss"] == "mse" else tf.reshape(y, [-1]), tf.float32)
        return loss, tf.reduce_mean(tf.cast(tf.equal(predicted, truth), tf.float32))

    def train(self, epochs: int = 1) -> dict:
        """Train ``epochs`` more epochs; record and return the train/test loss (and accuracy) after them.

        ``history`` gets one entry per call, at the epoch count in ``logged_epochs``.
        """
        import tensorflow as tf

        epochs = _validate.count(epochs, "epochs", low=1, high=100_000, example=10)
        (loss, accuracy), (val_loss, val_accuracy) = self._compiled(
            tf.constant(epochs), *self._data, tf.constant(self.config["seed"] * 100_003 + self.epoch))
        self.epoch += epochs
        self.logged_epochs.append(self.epoch)
        logs = self._logs((loss, accuracy), (val_loss, val_accuracy))
        for key, value in logs.items():
            self.history[key].append(value)
        return logs

    def evaluate(self) -> dict:
        """Train and test loss (and accuracy) now, without training."""
        import tensorflow as tf

        return self._logs(self._measure(*map(tf.constant, self._train)), self._measure(*map(tf.constant, self._test)))

    def _logs(self, train, test) -> dict:
        """Keras-style logs from the (loss, accuracy) of the training and the test points."""
        (loss, accuracy), (val_loss, val_accuracy) = train, test
        logs = {"loss": float(loss), "val_loss": float(val_loss)}
        if not self.regression:
            logs.update({"accuracy": float(accuracy), "val_accuracy": float(val_accuracy)})
        return logs

    # what the pictures show -------------------------------------------------------------------

    def to_code(self, epochs: int | None = None) -> str:
        """A short, runnable Keras script that rebuilds this model and trains it on the same data (see :func:`to_code`)."""
        return to_code(self, epochs)

    def grid(self, resolution: int = 60, extent: float = 6.0):
        """``(xs, ys, points)``: a ``resolution``² grid over [-extent, extent]², as (resolution², 2) points."""
        resolution = _validate.count(resolution, "resolution", low=4, high=400, example=60)
        xs = np.linspace(-extent, extent, resolution, dtype=np.float32)
        gx, gy = np.meshgrid(xs, xs[::-1])
        return xs, xs[::-1], np.stack([gx.ravel(), gy.ravel()], axis=1)

    def weights(self) -> "Weights":
        """The model's weights now, layer by layer (read them while it plays: they change every step)."""
        layers = []
        for layer in self.model.layers:
            if hasattr(layer, "kernel"):
                layers.append((layer.name, np.asarray(layer.kernel), np.asarray(layer.bias)))
        return Weights(self.epoch, layers)

    def surface(self, resolution: int = 60) -> np.ndarray:
        """The model's output over the grid, shape (resolution, resolution): P(class 1) for two classes,
        the predicted class for more, the prediction for regression."""
        _, _, points = self.grid(resolution)
        output = np.asarray(self.model(features(points, self.config["features"]), training=False))
        if self.regression or (self.n_outputs == 1 and self.config["loss"] == "mse"):
            values = output[:, 0]
        elif self.n_outputs == 1:
            values = 1 / (1 + np.exp(-output[:, 0]))
        else:
            values = np.argmax(output, axis=1).astype(np.float32)
        return values.reshape(resolution, resolution)

    def probabilities(self, resolution: int = 60) -> np.ndarray:
        """For more than two classes: each class's probability over the grid, shape (resolution, resolution, k)."""
        if self.regression or self.n_outputs == 1:
            raise ValueError("probabilities() is for three or more classes; use surface() for two classes or "
                             "regression.")
        _, _, points = self.grid(resolution)
        output = np.asarray(self.model(features(points, self.config["features"]), training=False), dtype=np.float64)
        if self.config["loss"] == "crossentropy":   # logits
            output = np.exp(output - output.max(axis=1, keepdims=True))
            output /= output.sum(axis=1, keepdims=True)
        return output.reshape(resolution, resolution, self.n_outputs)

    def neuron_outputs(self, resolution: int = 24) -> list:
        """Every hidden neuron's output over the grid: a list per hidden layer of (units, res, res) arrays."""
        import keras

        _, _, points = self.grid(resolution)
        value = keras.ops.convert_to_tensor(features(points, self.config["features"]))
        found = []
        for layer in self.model.layers:
            value = layer(value, training=False)
            if layer.name.startswith("hidden_"):
                array = np.asarray(value)
                found.append(array.T.reshape(-1, resolution, resolution))
        return found


class Weights:
    """A model's weights at one epoch: ``layers`` is ``[(name, kernel, bias), ...]``; prints as a table.

    ``kernel[i, j]`` is the weight from input (or neuron) ``i`` of the layer below to neuron ``j``;
    Playground draws these as the lines between neurons, here they are numbers.
    """

    def __init__(self, epoch: int, layers: list):
        self.epoch, self.layers = epoch, layers

    def __str__(self) -> str:
        lines = [f"weights at epoch {self.epoch}"]
        for name, kernel, bias in self.layers:
            lines.append(f"{name}: kernel {kernel.shape[0]}x{kernel.shape[1]}, "
                         f"|w| mean {np.abs(kernel).mean():.3g}, max {np.abs(kernel).max():.3g}")
            for row in kernel:
                lines.append("  " + " ".join(f"{value:+.2f}" for value in row))
            lines.append("  bias " + " ".join(f"{value:+.2f}" for value in bias))
        return "\n".join(lines)

    __repr__ = __str__


def _features_code(names) -> str:
    expressions = {"x1": "x[:, 0]", "x2": "x[:, 1]", "x1^2": "x[:, 0] ** 2", "x2^2": "x[:, 1] ** 2",
                   "x1*x2": "x[:, 0] * x[:, 1]", "sin(x1)": "np.sin(x[:, 0])", "sin(x2)": "np.sin(x[:, 1])"}
    return "np.stack([" + ", ".join(expressions[name] for name in names) + "], axis=1)"


def to_code(trainer: Trainer, epochs: int | None = None) -> str:
    """A short Keras script that rebuilds ``trainer``'s model and trains it on the same data with ``fit``.

    ``fit`` shuffles with Keras's own generator, so its numbers agree with the trainer's closely,
    not to the last digit.
    """
    c = trainer.config
    epochs = trainer.epoch or 100 if epochs is None else _validate.count(epochs, "epochs", example=100)
    activations = c["activations"] or [c["activation"]] * len(c["hidden"])
    regularizer = (f"keras.regularizers.{c['regularization']}({c['regularization_rate']!r})"
                   if c["regularization"] and c["regularization_rate"] > 0 else "None")
    lines = ["import keras", "import numpy as np", "", "from tfedu.playground import make_data", "",
             f"config = {({key: c[key] for key in ('dataset', 'n_samples', 'noise', 'n_classes', 'seed')})!r}",
             "x, y = make_data(config)                      # the points, in Playground's [-6, 6] square",
             f"x_features = {_features_code(c['features'])}.astype('float32')   # {', '.join(c['features'])}",
             f"order = np.random.default_rng({c['seed'] + 1}).permutation(len(x))",
             f"n_test = {len(trainer.test_points)}",
             "x_test, y_test = x_features[order[:n_test]], y[order[:n_test]]",
             "x_train, y_train = x_features[order[n_test:]], y[order[n_test:]]", "",
             f"keras.utils.set_random_seed({c['seed']})",
             "model = keras.Sequential([", f"    keras.Input(shape=({len(c['features'])},)),"]
    for index, (units, activation) in enumerate(zip(c["hidden"], activations)):
        lines.append(f"    keras.layers.Dense({units}, activation={activation!r}, kernel_initializer={c['initializer']!r}, "
                     f"kernel_regularizer={regularizer}),")
        if c["dropout"] > 0:
            lines.append(f"    keras.layers.Dropout({c['dropout']!r}),")
    output_activation = None
    if c["loss"] == "mse" and not trainer.regression:
        output_activation = "sigmoid" if trainer.n_outputs == 1 else "softmax"
    lines.append(f"    keras.layers.Dense({trainer.n_outputs}, activation={output_activation!r}, "
                 f"kernel_initializer={c['initializer']!r}, kernel_regularizer={regularizer}),")
    lines.append("])")
    class_name, options = OPTIMIZERS[c["optimizer"]]
    option_text = "".join(f", {key}={value!r}" for key, value in options.items())
    if trainer.regression or c["loss"] == "mse":
        loss, metrics = '"mse"', "[]" if trainer.regression else '["accuracy"]'
    elif trainer.n_outputs == 1:
        loss, metrics = "keras.losses.BinaryCrossentropy(from_logits=True)", \
            "[keras.metrics.BinaryAccuracy(threshold=0.0)]"
    else:
        loss, metrics = "keras.losses.SparseCategoricalCrossentropy(from_logits=True)", '["accuracy"]'
    if c["loss"] == "mse" and not trainer.regression and trainer.n_outputs > 1:
        lines += ["y_train, y_test = np.eye(model.output_shape[-1])[y_train], np.eye(model.output_shape[-1])[y_test]"]
    lines += [f"model.compile(optimizer=keras.optimizers.{class_name}(learning_rate={c['learning_rate']!r}{option_text}),",
              f"              loss={loss}, metrics={metrics})",
              f"history = model.fit(x_train, y_train, batch_size={c['batch_size']}, epochs={epochs}, verbose=0,",
              "                    validation_data=(x_test, y_test))",
              "print({key: round(values[-1], 3) for key, values in history.history.items()})"]
    return "\n".join(lines) + "\n"


#: Set-ups that make Playground's classic points, each with what it shows. Load one with
#: ``Playground.from_config(PRESETS[name]["config"], hide=[...])`` or ``playground_explorer(preset=name)``.
PRESETS = {
    "xor-no-hidden-layer": {
        "shows": "a net without a hidden layer draws one straight boundary: XOR stays at about chance",
        "config": {"dataset": "xor", "hidden": [], "learning_rate": 0.1}},
    "xor-product-feature": {
        "shows": "the same net with the feature x1*x2 solves XOR: the right input can replace a hidden layer",
        "config": {"dataset": "xor", "hidden": [], "features": ["x1", "x2", "x1*x2"], "learning_rate": 0.1}},
    "xor-hidden-layer": {
        "shows": "four hidden tanh neurons solve XOR from x1 and x2 alone",
        "config": {"dataset": "xor", "hidden": [4], "learning_rate": 0.1}},
    "spiral-shallow": {
        "shows": "one small hidden layer cannot follow the spiral",
        "config": {"dataset": "spiral", "hidden": [4], "optimizer": "adam", "learning_rate": 0.01}},
    "spiral-deep": {
        "shows": "depth follows the spiral: three layers of eight",
        "config": {"dataset": "spiral", "hidden": [8, 8, 8], "optimizer": "adam", "learning_rate": 0.01}},
    "spiral-sin-features": {
        "shows": "sin features do much of the work that depth did",
        "config": {"dataset": "spiral", "hidden": [8], "features": ["x1", "x2", "sin(x1)", "sin(x2)"],
                   "optimizer": "adam", "learning_rate": 0.01}},
    "overfit": {
        "shows": "few noisy points and a big net: the boundary wraps single points, the test loss rises",
        "config": {"dataset": "spiral", "n_samples": 100, "noise": 0.3, "hidden": [8, 8, 8],
                   "optimizer": "adam", "learning_rate": 0.03, "test_fraction": 0.5}},
    "overfit-l2": {
        "shows": "the same with an L2 penalty: a smoother boundary, a smaller gap between train and test loss",
        "config": {"dataset": "spiral", "n_samples": 100, "noise": 0.3, "hidden": [8, 8, 8],
                   "optimizer": "adam", "learning_rate": 0.03, "test_fraction": 0.5,
                   "regularization": "l2", "regularization_rate": 0.003}},
    "learning-rate-too-high": {
        "shows": "learning rate 3 on circles: the loss jumps about instead of falling",
        "config": {"dataset": "circles", "hidden": [4], "learning_rate": 3.0}},
    "relu-polygons": {
        "shows": "ReLU nets carve the plane into straight-edged pieces",
        "config": {"dataset": "circles", "hidden": [8, 8], "activation": "relu", "learning_rate": 0.03}},
    "tanh-curves": {
        "shows": "the same net with tanh bends smooth curves",
        "config": {"dataset": "circles", "hidden": [8, 8], "activation": "tanh", "learning_rate": 0.03}},
}
