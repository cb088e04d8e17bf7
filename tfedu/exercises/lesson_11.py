"""Exercises for lesson 11 (training and evaluation).

>>> import numpy as np
>>> from tfedu.exercises import lesson_11 as ex
>>> ex.q2.check({0: 0.5, 1: 5.0}).passed
False
"""
import keras
import numpy as np

from tfedu import data
from tfedu.exercises import Exercise, close


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
    checks=[_is_pair, _still_paired, _validation_has_every_digit],
    hint=['Shuffle the images and the labels with one and the same random order.', 'order = np.random.default_rng(0).permutation(len(x_sorted)); then index both arrays with order.'],
    solution='all_images, all_labels = tfedu.data.load_digits(flatten=True)\norder = np.argsort(all_labels, kind="stable")\nx_sorted, y_sorted = all_images[order], all_labels[order]\n\norder = np.random.default_rng(0).permutation(len(x_sorted))\nanswer = (x_sorted[order], y_sorted[order])\n\nex.q1.check(answer)',
    mistakes=['all_images, all_labels = tfedu.data.load_digits(flatten=True)\norder = np.argsort(all_labels, kind="stable")\nx_sorted, y_sorted = all_images[order], all_labels[order]\n\norder = np.random.default_rng(0).permutation(len(x_sorted))\nanswer = (x_sorted[order], y_sorted)\n\nex.q1.check(answer)', 'all_images, all_labels = tfedu.data.load_digits(flatten=True)\norder = np.argsort(all_labels, kind="stable")\nx_sorted, y_sorted = all_images[order], all_labels[order]\n\norder = np.random.default_rng(0).permutation(len(x_sorted))\nanswer = (x_sorted, y_sorted)\n\nex.q1.check(answer)', 'all_images, all_labels = tfedu.data.load_digits(flatten=True)\norder = np.argsort(all_labels, kind="stable")\nx_sorted, y_sorted = all_images[order], all_labels[order]\n\norder = np.random.default_rng(0).permutation(len(x_sorted))\nanswer = (x_sorted[order], y_sorted[np.random.default_rng(1).permutation(len(y_sorted))])\n\nex.q1.check(answer)'],
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


q2 = Exercise(
    "Exercise 2 · Balanced class weights",
    checks=[_is_dict, _balances],
    hint=['Balanced weights make weight × count the same for both classes: the rarer class weighs more.', 'weight for class c = total number of samples / (2 × number of samples of class c); np.bincount counts them.'],
    solution='is_zero = ex.IS_ZERO\ncounts = np.bincount(is_zero)\nclass_weight = {c: len(is_zero) / (2 * counts[c]) for c in (0, 1)}\n\nex.q2.check(class_weight)',
    mistakes=['is_zero = ex.IS_ZERO\ncounts = np.bincount(is_zero)\nclass_weight = {c: len(is_zero) / counts[c] for c in (0, 1)}\n\nex.q2.check(class_weight)', 'is_zero = ex.IS_ZERO\ncounts = np.bincount(is_zero)\nclass_weight = {c: counts[c] / len(is_zero) for c in (0, 1)}\n\nex.q2.check(class_weight)'],
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


q3 = Exercise(
    "Exercise 3 · A digits classifier",
    checks=[_is_keras_model, _accurate],
    hint=['Start from the small classifier of lesson 10: one hidden layer, softmax output; compile it, then fit it on x_train, y_train.', 'A Dense(64, relu) hidden layer, softmax output, sparse_categorical_crossentropy, Adam, about 30 epochs on the training split is plenty.'],
    solution='classifier = keras.Sequential([keras.Input((64,)), layers.Dense(64, activation="relu"),\n                               layers.Dense(10, activation="softmax")])\nclassifier.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])\nclassifier.fit(x_train, y_train, epochs=30, verbose=0)\n\nex.q3.check(classifier)',
    mistakes=['classifier = keras.Sequential([keras.Input((64,)), layers.Dense(64, activation="relu"),\n                               layers.Dense(10, activation="softmax")])\nclassifier.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])\n\nex.q3.check(classifier)', 'classifier = keras.Sequential([keras.Input((64,)), layers.Dense(64, activation="relu"),\n                               layers.Dense(10, activation="softmax")])\nclassifier.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])\nclassifier.fit(x_train, y_train, epochs=1, batch_size=len(x_train), verbose=0)\n\nex.q3.check(classifier)'],
)
