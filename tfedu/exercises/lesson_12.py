"""Exercises for lesson 12 (training and evaluation).

>>> import numpy as np
>>> from tfedu.exercises import lesson_12 as ex
>>> ex.q3.check({0: 0.5, 1: 5.0}).passed
False
>>> ex.q2.check("b").passed
True
"""
import keras
import numpy as np

from tfedu import data
from tfedu.exercises import Exercise, Predict, close


def _is_pair(answer):
    "the answer is a pair (x, y) of the same length as the digits"
    assert isinstance(answer, tuple) and len(answer) == 2, f"got {type(answer).__name__}; give (x, y)"
    assert len(answer[0]) == len(answer[1]) == 1797, f"lengths are {len(answer[0])} and {len(answer[1])}"


def _still_paired(answer):
    "each image still has its own label"
    images, labels = data.load_digits(flatten=True)
    lookup = {row.tobytes(): label for row, label in zip(images, labels)}
    x, y = (np.asarray(a) for a in answer)
    wrong = sum(lookup.get(np.asarray(row, dtype=np.float32).tobytes()) != label for row, label in zip(x, y))
    assert wrong == 0, f"{wrong} images lost their label: shuffle x and y with the same permutation"


def _validation_has_every_digit(answer):
    "the last 20% (what validation_split=0.2 takes) holds every digit at least 25 times"
    _, y = answer
    tail = np.asarray(y)[-int(len(y) * 0.2):]
    counts = np.bincount(tail, minlength=10).tolist()
    assert min(counts) >= 25, f"digit counts in the last 20%: {counts}"


q1 = Exercise(
    "Exercise 1 · Shuffle before validation_split",
    level="warm-up",
    checks=[_is_pair, _still_paired, _validation_has_every_digit],
    hint=["Shuffle the images and the labels with one and the same random order.",
          "order = np.random.default_rng(0).permutation(len(x_sorted)); then index both arrays with order."],
    solution="""
    all_images, all_labels = tfedu.data.load_digits(flatten=True)
    order = np.argsort(all_labels, kind="stable")
    x_sorted, y_sorted = all_images[order], all_labels[order]

    order = np.random.default_rng(0).permutation(len(x_sorted))
    answer = (x_sorted[order], y_sorted[order])

    ex.q1.check(answer)
    """,
    mistakes=[
        # only the images are shuffled: every image loses its label
        """
        all_images, all_labels = tfedu.data.load_digits(flatten=True)
        order = np.argsort(all_labels, kind="stable")
        x_sorted, y_sorted = all_images[order], all_labels[order]

        order = np.random.default_rng(0).permutation(len(x_sorted))
        answer = (x_sorted[order], y_sorted)

        ex.q1.check(answer)
        """,
        # a permutation is made but never used
        """
        all_images, all_labels = tfedu.data.load_digits(flatten=True)
        order = np.argsort(all_labels, kind="stable")
        x_sorted, y_sorted = all_images[order], all_labels[order]

        order = np.random.default_rng(0).permutation(len(x_sorted))
        answer = (x_sorted, y_sorted)

        ex.q1.check(answer)
        """,
        # two different permutations: the pairs are broken
        """
        all_images, all_labels = tfedu.data.load_digits(flatten=True)
        order = np.argsort(all_labels, kind="stable")
        x_sorted, y_sorted = all_images[order], all_labels[order]

        order = np.random.default_rng(0).permutation(len(x_sorted))
        answer = (x_sorted[order], y_sorted[np.random.default_rng(1).permutation(len(y_sorted))])

        ex.q1.check(answer)
        """,
    ],
)

q2 = Predict(
    "Exercise 2 · Predict: the epoch's loss and evaluate",
    level="warm-up",
    options={
        "a": "they are equal: the same model on the same data",
        "b": "the loss in history is larger",
        "c": "the loss evaluate reports is larger: history holds the loss of the last batch, which the "
             "optimizer has just fitted",
    },
    answer="b",
    why={
        "a": "the epoch's loss is averaged over its batches while the weights keep changing; evaluate "
             "measures only the final weights",
        "c": "history holds the mean over all the epoch's batches, and most of them were computed with "
             "earlier, worse weights",
    },
    hint=["When, during the epoch, is each batch's loss computed, and with which weights?",
          "Each batch's loss is computed before that batch's update, and the epoch's number is the mean "
          "of them all: the first batches still used the random initial weights."],
)


#: Labels of the imbalanced "is it a zero?" task: 1 for zeros, 0 otherwise.
IS_ZERO = (data.load_digits()[1] == 0).astype(np.int64)


def _is_dict(answer):
    "it is a dict with the classes 0 and 1"
    assert isinstance(answer, dict) and set(answer) == {0, 1}, f"got {answer!r}"


def _balances(answer):
    "weight × count is the same for both classes (total / 2 each)"
    counts = np.bincount(IS_ZERO)
    expected = {k: len(IS_ZERO) / (2 * counts[k]) for k in (0, 1)}
    got = {k: float(answer[k]) for k in (0, 1)}
    close([got[0], got[1]], [expected[0], expected[1]], atol=1e-3, rtol=0, what="the weights [for 0, for 1]")


q3 = Exercise(
    "Exercise 3 · Balanced class weights",
    level="core",
    checks=[_is_dict, _balances],
    hint=["Balanced weights make weight × count the same for both classes: the rarer class weighs more.",
          "weight for class c = total number of samples / (2 × number of samples of class c); np.bincount "
          "counts them."],
    solution="""
    is_zero = ex.IS_ZERO
    counts = np.bincount(is_zero)
    class_weight = {c: len(is_zero) / (2 * counts[c]) for c in (0, 1)}

    ex.q3.check(class_weight)
    """,
    mistakes=[
        # total / count without the 2: both weights twice too large
        """
        is_zero = ex.IS_ZERO
        counts = np.bincount(is_zero)
        class_weight = {c: len(is_zero) / counts[c] for c in (0, 1)}

        ex.q3.check(class_weight)
        """,
        # count / total: upside down, the common class weighs more
        """
        is_zero = ex.IS_ZERO
        counts = np.bincount(is_zero)
        class_weight = {c: counts[c] / len(is_zero) for c in (0, 1)}

        ex.q3.check(class_weight)
        """,
    ],
)


def _is_keras_model(answer):
    "it is a trained Keras model"
    assert isinstance(answer, keras.Model), f"got {type(answer).__name__}"


def _accurate(answer):
    "it classifies held-out digits with at least 93% accuracy"
    images, labels = data.load_digits()
    _, (x_test, y_test) = data.train_test_split(images, labels, test_fraction=0.2, seed=0)
    shape = answer.input_shape[1:]
    probabilities = answer.predict(x_test.reshape((len(x_test),) + tuple(shape)), verbose=0)
    accuracy = float(np.mean(np.argmax(probabilities, axis=1) == y_test))
    assert accuracy >= 0.93, f"test accuracy is {accuracy:.3f}"


q4 = Exercise(
    "Exercise 4 · A digits classifier",
    level="core",
    checks=[_is_keras_model, _accurate],
    hint=["Start from the small classifier of lesson 11: one hidden layer, softmax output; compile it, "
          "then fit it on x_train, y_train.",
          "A Dense(64, relu) hidden layer, softmax output, sparse_categorical_crossentropy, Adam, about 15 "
          "epochs on the training split is plenty."],
    solution="""
    classifier = keras.Sequential([keras.Input((64,)), layers.Dense(64, activation="relu"),
                                   layers.Dense(10, activation="softmax")])
    classifier.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    classifier.fit(x_train, y_train, epochs=15, verbose=0)

    ex.q4.check(classifier)
    """,
    mistakes=[
        # compiled but never trained
        """
        classifier = keras.Sequential([keras.Input((64,)), layers.Dense(64, activation="relu"),
                                       layers.Dense(10, activation="softmax")])
        classifier.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])

        ex.q4.check(classifier)
        """,
        # one epoch with a single batch: one optimizer step
        """
        classifier = keras.Sequential([keras.Input((64,)), layers.Dense(64, activation="relu"),
                                       layers.Dense(10, activation="softmax")])
        classifier.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        classifier.fit(x_train, y_train, epochs=1, batch_size=len(x_train), verbose=0)

        ex.q4.check(classifier)
        """,
    ],
)


#: Exercise 5: 200 digits, so that batches of 48 leave a last batch of 8.
_LOOP_X, _LOOP_Y = (array[:200] for array in data.load_digits(flatten=True))
_LOOP_EPOCHS, _LOOP_BATCH = 2, 48


def _loop_model():
    glorot = keras.initializers.GlorotUniform
    model = keras.Sequential([keras.Input((64,)),
                              keras.layers.Dense(16, activation="relu", kernel_initializer=glorot(seed=111)),
                              keras.layers.Dense(10, activation="softmax", kernel_initializer=glorot(seed=112))])
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


_LAST_RUN = []   # [(answer, result)]: both checks look at one run of the student's function
_FIT_RUN = []    # [(history, steps, weights)]: fit's own run, the same for every answer (seeded, no shuffle)


def _fit_run():
    """What fit(..., shuffle=False) gives on the loop model: epoch losses, optimizer steps, weights (run once)."""
    if not _FIT_RUN:
        reference = _loop_model()
        history = reference.fit(_LOOP_X, _LOOP_Y, batch_size=_LOOP_BATCH, epochs=_LOOP_EPOCHS, shuffle=False,
                                verbose=0).history["loss"]
        _FIT_RUN.append((history, int(reference.optimizer.iterations), reference.get_weights()))
    return _FIT_RUN[0]


def _run_both(answer):
    """(fit's run, what the answer returned, the answer's model), the answer run once per answer."""
    if _LAST_RUN and _LAST_RUN[0][0] is answer:
        return _LAST_RUN[0][1]
    _LAST_RUN.clear()
    expected = _fit_run()
    mine = _loop_model()
    returned = answer(mine, _LOOP_X, _LOOP_Y, epochs=_LOOP_EPOCHS, batch_size=_LOOP_BATCH)
    _LAST_RUN.append((answer, (expected, returned, mine)))
    return expected, returned, mine


def _is_a_function(answer):
    "train is a function"
    assert callable(answer), (
        f"got {type(answer).__name__}; define it with def train(model, x, y, epochs, batch_size=32)"
    )


def _same_weights_as_fit(answer):
    "train(model, x, y, epochs=2, batch_size=48) leaves the weights fit(..., shuffle=False) leaves"
    (_, expected_steps, expected_weights), _, mine = _run_both(answer)
    steps = int(mine.optimizer.iterations)
    assert steps == expected_steps, (
        f"the optimizer took {'more' if steps > expected_steps else 'fewer'} steps than fit does "
        "(one per batch, and the last batch may be smaller than batch_size)"
    )
    differ = sum(int(np.sum(~np.isclose(a, b, atol=1e-6, rtol=1e-5)))
                 for a, b in zip(mine.get_weights(), expected_weights))
    assert differ == 0, f"{differ} weights differ from fit's: were the batches the same, in the same order?"


def _epoch_losses_like_fit(answer):
    "it returns one mean loss per epoch, equal to fit's history['loss']"
    (history, _, _), returned, _ = _run_both(answer)
    assert np.shape(returned) == (_LOOP_EPOCHS,), (
        f"it returned {type(returned).__name__} of shape {np.shape(returned)}: one number per epoch, in a list"
    )
    close([float(v) for v in returned], history, atol=1e-5, rtol=1e-5, what="the list of epoch losses")


q5 = Exercise(
    "Exercise 5 · Your own fit",
    level="challenge",
    checks=[_is_a_function, _same_weights_as_fit, _epoch_losses_like_fit],
    hint=["Two loops: one over the epochs, one over the start of each batch, range(0, len(x), batch_size). "
          "Slicing past the end of an array is fine: the last batch is simply shorter.",
          "model.train_on_batch(x_batch, y_batch, return_dict=True)['loss'] is that batch's mean loss. fit "
          "weights each batch by its size: add loss * len(x_batch) over the epoch and divide by len(x)."],
    solution="""
    def train(model, x, y, epochs, batch_size=32):
        epoch_losses = []
        for epoch in range(epochs):
            total = 0.0
            for start in range(0, len(x), batch_size):
                x_batch, y_batch = x[start:start + batch_size], y[start:start + batch_size]
                loss = model.train_on_batch(x_batch, y_batch, return_dict=True)["loss"]
                total += loss * len(x_batch)
            epoch_losses.append(total / len(x))
        return epoch_losses

    ex.q5.check(train)
    """,
    mistakes=[
        # only whole batches: the last, shorter batch is never trained on
        """
        def train(model, x, y, epochs, batch_size=32):
            epoch_losses = []
            for epoch in range(epochs):
                total = 0.0
                for step in range(len(x) // batch_size):
                    start = step * batch_size
                    x_batch, y_batch = x[start:start + batch_size], y[start:start + batch_size]
                    loss = model.train_on_batch(x_batch, y_batch, return_dict=True)["loss"]
                    total += loss * len(x_batch)
                epoch_losses.append(total / len(x))
            return epoch_losses

        ex.q5.check(train)
        """,
        # the plain mean of the batch losses: the short last batch counts as much as a full one
        """
        def train(model, x, y, epochs, batch_size=32):
            epoch_losses = []
            for epoch in range(epochs):
                losses = []
                for start in range(0, len(x), batch_size):
                    x_batch, y_batch = x[start:start + batch_size], y[start:start + batch_size]
                    losses.append(model.train_on_batch(x_batch, y_batch, return_dict=True)["loss"])
                epoch_losses.append(np.mean(losses))
            return epoch_losses

        ex.q5.check(train)
        """,
        # random batches, as in section 3: not the order fit uses with shuffle=False
        """
        def train(model, x, y, epochs, batch_size=32):
            rng = np.random.default_rng(0)
            epoch_losses = []
            for epoch in range(epochs):
                total = 0.0
                for start in range(0, len(x), batch_size):
                    index = rng.integers(0, len(x), batch_size)
                    loss = model.train_on_batch(x[index], y[index], return_dict=True)["loss"]
                    total += loss * batch_size
                epoch_losses.append(total / (batch_size * len(range(0, len(x), batch_size))))
            return epoch_losses

        ex.q5.check(train)
        """,
        # the total is never reset: each epoch's "mean" includes the epochs before it
        """
        def train(model, x, y, epochs, batch_size=32):
            epoch_losses = []
            total = 0.0
            for epoch in range(epochs):
                for start in range(0, len(x), batch_size):
                    x_batch, y_batch = x[start:start + batch_size], y[start:start + batch_size]
                    loss = model.train_on_batch(x_batch, y_batch, return_dict=True)["loss"]
                    total += loss * len(x_batch)
                epoch_losses.append(total / len(x))
            return epoch_losses

        ex.q5.check(train)
        """,
    ],
)
