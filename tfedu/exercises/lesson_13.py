"""Exercises for lesson 13 (callbacks).

>>> from tfedu.exercises import lesson_13 as ex
>>> ex.q1.check(lambda epoch, lr: lr if epoch < 3 else lr * 0.9).passed
True
>>> ex.q2.check("b").passed
True
"""
import keras
import numpy as np

from tfedu.exercises import Exercise, Predict, close

_X = np.linspace(-1, 1, 40, dtype="float32")[:, None]
_Y = 3 * _X


def _tiny_model(learning_rate):
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate), "mse")
    return model


def _keeps_then_decays(answer):
    "from any starting rate, it keeps the rate for epochs 0-2, then multiplies it by 0.9 every epoch"
    for start in (0.1, 0.04):
        history = _tiny_model(start).fit(_X, _Y, batch_size=10, epochs=6, verbose=0,
                                         callbacks=[keras.callbacks.LearningRateScheduler(answer)])
        expected = [start] * 3 + [start * 0.9 ** k for k in (1, 2, 3)]
        close(history.history["learning_rate"], expected, rtol=1e-5, atol=0,
              what=f"the list of rates of epochs 0-5, for an optimizer that starts at {start}")


q1 = Exercise(
    "Exercise 1 · A schedule that uses lr",
    level="warm-up",
    checks=[_keeps_then_decays],
    hint=["LearningRateScheduler calls schedule(epoch, lr) at the start of every epoch, with lr the rate the "
          "optimizer has now: return lr itself to keep it.",
          "return lr while epoch < 3, and lr * 0.9 from epoch 3 on: each call starts from the rate the previous "
          "epoch left, so the factors pile up by themselves."],
    solution="""
    def schedule(epoch, lr):
        if epoch < 3:
            return lr
        return lr * 0.9

    ex.q1.check(schedule)
    """,
    mistakes=[
        # <= instead of <: the rate is kept for four epochs
        """
        def schedule(epoch, lr):
            if epoch <= 3:
                return lr
            return lr * 0.9

        ex.q1.check(schedule)
        """,
        # lr is ignored: right only for an optimizer that starts at 0.1
        """
        def schedule(epoch, lr):
            if epoch < 3:
                return 0.1
            return 0.1 * 0.9 ** (epoch - 2)

        ex.q1.check(schedule)
        """,
        # the exponent on top of lr: lr already holds the earlier factors, so they count twice
        """
        def schedule(epoch, lr):
            if epoch < 3:
                return lr
            return lr * 0.9 ** (epoch - 2)

        ex.q1.check(schedule)
        """,
    ],
)

q2 = Predict(
    "Exercise 2 · Predict: restore_best_weights without stopping",
    level="warm-up",
    options={
        "a": "the slope of the last epoch: EarlyStopping never stopped training, so it had nothing to restore",
        "b": "the slope of the epoch with the lowest val_loss",
        "c": "the slope of the last epoch, and Keras warns that it could not restore the best weights",
    },
    answer="b",
    why={
        "a": "with restore_best_weights=True, Keras 3's EarlyStopping sets the best weights back in "
             "on_train_end, whether it stopped training or not",
        "c": "Keras 3 restores the best weights when training ends, stopped early or not, so there is "
             "nothing to warn about",
    },
    hint=["EarlyStopping has hooks besides on_epoch_end. Which one runs when training ends, however it ends?",
          "In Keras 3, EarlyStopping.on_train_end calls set_weights(best_weights) whenever "
          "restore_best_weights=True and it has recorded a best epoch."],
)


#: Exercise 3: epoch losses to feed a callback, and the epoch (or None) at which it should stop.
_SCENARIOS = [
    ([2.0, 1.0, 0.5, 0.6, 0.4, 0.3], None, "a falling, wobbling loss"),
    ([2.0, 0.1, 0.5, 1.5, 0.05], 3, "1.5 is more than 10 times the lowest loss so far (0.1)"),
    ([1.0, 0.8, float("nan"), 0.5], 2, "its loss is NaN"),
    ([1.0, float("inf"), 0.5], 1, "its loss is inf"),
]


def _stop_epoch(callback, losses):
    """Drive ``callback`` through one training of len(losses) epochs; the epoch it stopped after, or None."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    callback.set_model(model)
    callback.set_params({"epochs": len(losses), "steps": 1, "verbose": 0})
    model.stop_training = False
    callback.on_train_begin({})
    stopped = None
    for epoch, loss in enumerate(losses):
        callback.on_epoch_begin(epoch, {})
        callback.on_epoch_end(epoch, {"loss": loss})
        if model.stop_training:
            stopped = epoch
            break
    callback.on_train_end({})
    return stopped


def _what_it_did(stopped):
    return "never stopped" if stopped is None else f"stopped after epoch {stopped}"


def _is_a_callback_class(answer):
    "StopOnDivergence(factor=10.0) creates a keras.callbacks.Callback"
    assert isinstance(answer, type) and issubclass(answer, keras.callbacks.Callback), (
        f"got {answer!r}; pass the class itself, a subclass of keras.callbacks.Callback"
    )
    answer(factor=10.0)


def _stops_at_the_right_epoch(answer):
    "it stops at the first epoch whose loss is NaN, inf or more than factor times the lowest so far"
    for losses, expected, reason in _SCENARIOS:
        stopped = _stop_epoch(answer(factor=10.0), losses)
        if expected is None:
            assert stopped is None, f"with epoch losses {losses} ({reason}) it {_what_it_did(stopped)}"
        else:
            assert stopped == expected, (
                f"with epoch losses {losses} it {_what_it_did(stopped)}; "
                f"it should stop after epoch {expected}: {reason}"
            )


def _starts_afresh(answer):
    "the same callback, used for a second fit, forgets the losses of the first"
    callback = answer(factor=10.0)
    _stop_epoch(callback, [1.0, 0.01, 0.009])
    stopped = _stop_epoch(callback, [5.0, 4.0, 3.0])
    assert stopped is None, (f"in a second fit with losses [5.0, 4.0, 3.0] it {_what_it_did(stopped)}: "
                             "it still remembered the first fit's lowest loss (reset it in on_train_begin)")


def _stops_a_real_fit(answer):
    "in fit, it ends a diverging training at the first epoch that meets the rule"
    x = np.random.default_rng(12).normal(size=(64, 4)).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=1.0), "mse")
    history = model.fit(x, 100 * x.sum(axis=1, keepdims=True), epochs=10, batch_size=8, verbose=0,
                        callbacks=[answer(factor=10.0)])
    losses = history.history["loss"]
    first = next((k for k, loss in enumerate(losses)
                  if not np.isfinite(loss) or loss > 10.0 * min(losses[:k], default=float("inf"))), None)
    assert first is not None and len(losses) == first + 1, (
        f"it ran {len(losses)} of 10 epochs, with epoch losses {[float(f'{loss:.3g}') for loss in losses]}"
    )

q3 = Exercise(
    "Exercise 3 · Stop a diverging training",
    level="core",
    checks=[_is_a_callback_class, _stops_at_the_right_epoch, _starts_afresh, _stops_a_real_fit],
    hint=["Keep the lowest epoch loss seen so far; at the end of each epoch compare the new loss with it. "
          "Which comparison is False for NaN?",
          "Set self.best = float('inf') in on_train_begin (so every fit starts afresh). In on_epoch_end, stop "
          "(self.model.stop_training = True) if not np.isfinite(loss) or loss > self.factor * self.best, then "
          "update self.best = min(self.best, loss). Every comparison with NaN is False."],
    solution="""
    class StopOnDivergence(keras.callbacks.Callback):
        def __init__(self, factor=10.0):
            super().__init__()
            self.factor = factor

        def on_train_begin(self, logs=None):
            self.best = float("inf")

        def on_epoch_end(self, epoch, logs=None):
            loss = logs["loss"]
            if not np.isfinite(loss) or loss > self.factor * self.best:
                self.model.stop_training = True
            self.best = min(self.best, loss)

    ex.q3.check(StopOnDivergence)
    """,
    mistakes=[
        # NaN is never greater than anything: a NaN loss does not stop it
        """
        class StopOnDivergence(keras.callbacks.Callback):
            def __init__(self, factor=10.0):
                super().__init__()
                self.factor = factor

            def on_train_begin(self, logs=None):
                self.best = float("inf")

            def on_epoch_end(self, epoch, logs=None):
                loss = logs["loss"]
                if loss > self.factor * self.best:
                    self.model.stop_training = True
                self.best = min(self.best, loss)

        ex.q3.check(StopOnDivergence)
        """,
        # compares with the previous epoch, not with the lowest loss so far
        """
        class StopOnDivergence(keras.callbacks.Callback):
            def __init__(self, factor=10.0):
                super().__init__()
                self.factor = factor

            def on_train_begin(self, logs=None):
                self.previous = float("inf")

            def on_epoch_end(self, epoch, logs=None):
                loss = logs["loss"]
                if not np.isfinite(loss) or loss > self.factor * self.previous:
                    self.model.stop_training = True
                self.previous = loss

        ex.q3.check(StopOnDivergence)
        """,
        # the lowest loss is set once, in __init__: a second fit remembers the first
        """
        class StopOnDivergence(keras.callbacks.Callback):
            def __init__(self, factor=10.0):
                super().__init__()
                self.factor = factor
                self.best = float("inf")

            def on_epoch_end(self, epoch, logs=None):
                loss = logs["loss"]
                if not np.isfinite(loss) or loss > self.factor * self.best:
                    self.model.stop_training = True
                self.best = min(self.best, loss)

        ex.q3.check(StopOnDivergence)
        """,
        # compares with the first epoch's loss instead of the lowest so far
        """
        class StopOnDivergence(keras.callbacks.Callback):
            def __init__(self, factor=10.0):
                super().__init__()
                self.factor = factor

            def on_train_begin(self, logs=None):
                self.first = None

            def on_epoch_end(self, epoch, logs=None):
                loss = logs["loss"]
                if self.first is None:
                    self.first = loss
                if not np.isfinite(loss) or loss > self.factor * self.first:
                    self.model.stop_training = True

        ex.q3.check(StopOnDivergence)
        """,
    ],
)

#: Exercise 4: 40 samples in batches of 10 for 3 epochs: 12 batches, a warm-up over 6 of them.
_WARM_TARGET, _WARM_STEPS, _EPOCHS, _BATCH = 0.1, 6, 3, 10


class _RateProbe(keras.callbacks.Callback):
    """Records the rate each training batch is about to use (it runs after the callback under test)."""

    def on_train_begin(self, logs=None):
        self.rates = []

    def on_train_batch_begin(self, batch, logs=None):
        self.rates.append(float(self.model.optimizer.learning_rate))


def _warm_up_callback(answer):
    "WarmUp(target=0.1, steps=6) creates a keras.callbacks.Callback"
    assert isinstance(answer, type) and issubclass(answer, keras.callbacks.Callback), (
        f"got {answer!r}; pass the class itself, a subclass of keras.callbacks.Callback"
    )
    answer(target=_WARM_TARGET, steps=_WARM_STEPS)


def _rates_per_batch(answer):
    "batch k (counted from 0 across the epochs) trains with target·(k + 1)/steps, and with target after the warm-up"
    probe = _RateProbe()
    _tiny_model(0.5).fit(_X, _Y, batch_size=_BATCH, epochs=_EPOCHS, shuffle=False, verbose=0,
                         callbacks=[answer(target=_WARM_TARGET, steps=_WARM_STEPS), probe])
    total = _EPOCHS * len(_X) // _BATCH
    expected = [_WARM_TARGET * min(1.0, (k + 1) / _WARM_STEPS) for k in range(total)]
    close(probe.rates, expected, rtol=1e-5, atol=1e-7,
          what=f"the list of rates the {total} batches (3 epochs of 4) trained with")


q4 = Exercise(
    "Exercise 4 · Warm up batch by batch",
    level="challenge",
    checks=[_warm_up_callback, _rates_per_batch],
    hint=["The rate must change before every batch, not every epoch: which hook runs just before a batch? "
          "And its `batch` argument starts again from 0 in every epoch.",
          "In on_train_batch_begin, count the batches yourself (or read int(self.model.optimizer.iterations), "
          "the number of steps taken so far): for the k-th batch assign target * min(1, (k + 1) / steps) "
          "with self.model.optimizer.learning_rate.assign(...)."],
    solution="""
    class WarmUp(keras.callbacks.Callback):
        def __init__(self, target, steps):
            super().__init__()
            self.target = target
            self.steps = steps

        def on_train_begin(self, logs=None):
            self.batches_seen = 0

        def on_train_batch_begin(self, batch, logs=None):
            fraction = min(1.0, (self.batches_seen + 1) / self.steps)
            self.model.optimizer.learning_rate.assign(self.target * fraction)
            self.batches_seen += 1

    ex.q4.check(WarmUp)
    """,
    mistakes=[
        # `batch` counts from 0 again in every epoch: the warm-up starts over each epoch
        """
        class WarmUp(keras.callbacks.Callback):
            def __init__(self, target, steps):
                super().__init__()
                self.target = target
                self.steps = steps

            def on_train_batch_begin(self, batch, logs=None):
                fraction = min(1.0, (batch + 1) / self.steps)
                self.model.optimizer.learning_rate.assign(self.target * fraction)

        ex.q4.check(WarmUp)
        """,
        # k / steps instead of (k + 1) / steps: the first batch trains with a rate of 0
        """
        class WarmUp(keras.callbacks.Callback):
            def __init__(self, target, steps):
                super().__init__()
                self.target = target
                self.steps = steps

            def on_train_begin(self, logs=None):
                self.batches_seen = 0

            def on_train_batch_begin(self, batch, logs=None):
                fraction = min(1.0, self.batches_seen / self.steps)
                self.model.optimizer.learning_rate.assign(self.target * fraction)
                self.batches_seen += 1

        ex.q4.check(WarmUp)
        """,
        # no min(1, ...): after the warm-up the rate keeps growing past target
        """
        class WarmUp(keras.callbacks.Callback):
            def __init__(self, target, steps):
                super().__init__()
                self.target = target
                self.steps = steps

            def on_train_begin(self, logs=None):
                self.batches_seen = 0

            def on_train_batch_begin(self, batch, logs=None):
                fraction = (self.batches_seen + 1) / self.steps
                self.model.optimizer.learning_rate.assign(self.target * fraction)
                self.batches_seen += 1

        ex.q4.check(WarmUp)
        """,
        # set after each batch: the first batch trains with the optimizer's own rate, every later one a step late
        """
        class WarmUp(keras.callbacks.Callback):
            def __init__(self, target, steps):
                super().__init__()
                self.target = target
                self.steps = steps

            def on_train_begin(self, logs=None):
                self.batches_seen = 0

            def on_train_batch_end(self, batch, logs=None):
                fraction = min(1.0, (self.batches_seen + 1) / self.steps)
                self.model.optimizer.learning_rate.assign(self.target * fraction)
                self.batches_seen += 1

        ex.q4.check(WarmUp)
        """,
    ],
)
