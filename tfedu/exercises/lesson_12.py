"""Exercises for lesson 12 (callbacks).

>>> from tfedu.exercises import lesson_12 as ex
>>> ex.q2.check(lambda epoch, lr: 0.1 * 0.5 ** (epoch // 2)).passed
True
"""
import keras
import numpy as np

from tfedu.exercises import Exercise, close

_X = np.random.default_rng(0).normal(size=(128, 3)).astype("float32")
_Y = _X @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")


def _is_callback_class(answer):
    "it is a keras.callbacks.Callback subclass taking the threshold"
    assert isinstance(answer, type) and issubclass(answer, keras.callbacks.Callback), (
        f"got {answer!r}; pass the class itself, e.g. StopAtLoss"
    )
    answer(threshold=0.1)


def _stops_early(answer):
    "training stops at the first epoch whose loss is below the threshold"
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.05), "mse")
    history = model.fit(_X, _Y, epochs=100, verbose=0, callbacks=[answer(threshold=0.1)])
    losses = history.history["loss"]
    first_below = next((k for k, v in enumerate(losses) if v < 0.1), None)
    assert first_below is not None, "the loss never went below 0.1 in 100 epochs"
    assert len(losses) == first_below + 1, (
        f"it ran {len(losses)} epochs; the loss first went below 0.1 at epoch {first_below}"
    )


q1 = Exercise(
    "Exercise 1 · Stop when good enough",
    checks=[_is_callback_class, _stops_early],
    hint=['A callback can look at the logs after every epoch and ask the model to stop.', 'In on_epoch_end(self, epoch, logs=None), if logs["loss"] < self.threshold, set self.model.stop_training = True.'],
    solution='class StopAtLoss(keras.callbacks.Callback):\n    def __init__(self, threshold):\n        super().__init__()\n        self.threshold = threshold\n\n    def on_epoch_end(self, epoch, logs=None):\n        if logs["loss"] < self.threshold:\n            self.model.stop_training = True\n\nex.q1.check(StopAtLoss)',
    mistakes=['class StopAtLoss(keras.callbacks.Callback):\n    def __init__(self, threshold):\n        super().__init__()\n        self.threshold = threshold\n\n    def on_epoch_end(self, epoch, logs=None):\n        if logs["val_loss"] < self.threshold:\n            self.model.stop_training = True\n\nex.q1.check(StopAtLoss)', 'class StopAtLoss(keras.callbacks.Callback):\n    def __init__(self, threshold):\n        super().__init__()\n        self.threshold = threshold\n\n    def on_epoch_end(self, epoch, logs=None):\n        if logs["loss"] < self.threshold:\n            return True\n\nex.q1.check(StopAtLoss)', 'class StopAtLoss(keras.callbacks.Callback):\n    def __init__(self, threshold):\n        super().__init__()\n        self.threshold = threshold\n\n    def on_epoch_end(self, epoch, logs=None):\n        if logs["loss"] > self.threshold:\n            self.model.stop_training = True\n\nex.q1.check(StopAtLoss)'],
)


def _halves_every_two_epochs(answer):
    "starting from 0.1, it halves the rate every 2 epochs: 0.1, 0.1, 0.05, 0.05, 0.025 ..."
    got = []
    lr = 0.1
    for epoch in range(6):
        lr = float(answer(epoch, lr))
        got.append(round(lr, 6))
    expected = [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    close(got, expected, atol=1e-6, what="the learning rates of epochs 0-5")


q2 = Exercise(
    "Exercise 2 · A step schedule",
    checks=[_halves_every_two_epochs],
    hint=['The rate halves every two epochs: count how many whole pairs of epochs have passed.', 'return 0.1 * 0.5 ** (epoch // 2): integer division, not /.'],
    solution='def schedule(epoch, lr):\n    return 0.1 * 0.5 ** (epoch // 2)\n\nex.q2.check(schedule)',
    mistakes=['def schedule(epoch, lr):\n    return 0.1 * 0.5 ** (epoch / 2)\n\nex.q2.check(schedule)', 'def schedule(epoch, lr):\n    return 0.1 * 0.5 ** ((epoch + 1) // 2)\n\nex.q2.check(schedule)'],
)


def _is_checkpoint(answer):
    "it is a ModelCheckpoint"
    assert isinstance(answer, keras.callbacks.ModelCheckpoint), f"got {type(answer).__name__}"


def _best_weights_only(answer):
    "it keeps only the best weights by validation loss, in a .weights.h5 file"
    assert answer.save_best_only, "save_best_only is False: it would save every epoch"
    assert answer.save_weights_only, "save_weights_only is False: it would save the whole model"
    assert answer.monitor == "val_loss", f"it monitors {answer.monitor!r}"
    assert str(answer.filepath).endswith(".weights.h5"), f"the file is {answer.filepath}"


q3 = Exercise(
    "Exercise 3 · Keep the best weights",
    checks=[_is_checkpoint, _best_weights_only],
    hint=['ModelCheckpoint takes a file path and keywords saying what to watch and what to save.', 'monitor="val_loss", save_best_only=True, save_weights_only=True, and a file name ending in .weights.h5.'],
    solution='checkpoint = keras.callbacks.ModelCheckpoint(folder / "best_val.weights.h5", monitor="val_loss",\n                                             save_best_only=True, save_weights_only=True)\n\nex.q3.check(checkpoint)',
    mistakes=['checkpoint = keras.callbacks.ModelCheckpoint(folder / "best_val.weights.h5", monitor="loss",\n                                             save_best_only=True, save_weights_only=True)\n\nex.q3.check(checkpoint)', 'checkpoint = keras.callbacks.ModelCheckpoint(folder / "best_val.weights.h5", monitor="val_loss",\n                                             save_weights_only=True)\n\nex.q3.check(checkpoint)', 'checkpoint = keras.callbacks.ModelCheckpoint(folder / "best_val.keras", monitor="val_loss",\n                                             save_best_only=True)\n\nex.q3.check(checkpoint)'],
)
