"""Exercises for lesson 13 (saving and loading).

>>> from tfedu.exercises import lesson_13 as ex
>>> ex.q1.check(...).answered
False
"""
import keras
import numpy as np

from tfedu.exercises import Exercise
from tfedu.losses import FocalLoss

_PROBE = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")


def _pair_of_models(answer):
    "the answer is (original, reloaded): two different Keras models"
    assert isinstance(answer, tuple) and len(answer) == 2, f"got {type(answer).__name__}; give (model, reloaded)"
    original, reloaded = answer
    assert isinstance(original, keras.Model) and isinstance(reloaded, keras.Model), "both must be Keras models"
    assert original is not reloaded, "that is the same object twice: load the file into a new model"


def _same_predictions(answer):
    "they predict exactly the same numbers"
    original, reloaded = answer
    shape = (len(_PROBE),) + tuple(original.input_shape[1:])
    probe = np.resize(_PROBE, shape).astype("float32")
    a, b = original.predict(probe, verbose=0), reloaded.predict(probe, verbose=0)
    assert np.array_equal(a, b), f"largest difference {float(np.max(np.abs(a - b))):.3g}"


q1 = Exercise(
    "Exercise 1 · Save, reload, compare",
    checks=[_pair_of_models, _same_predictions],
    hint="model.save(folder / 'mine.keras'), then keras.models.load_model(the same path).",
    solution="""
    model.save(folder / "mine.keras")
    answer = (model, keras.models.load_model(folder / "mine.keras"))
    """,
)


def _same_weights(answer):
    "the fresh model now holds exactly the trained model's weights"
    original, fresh = answer
    for a, b in zip(original.get_weights(), fresh.get_weights()):
        assert np.array_equal(a, b), "some weights differ: did load_weights run on the fresh model?"


q2 = Exercise(
    "Exercise 2 · Weights only",
    checks=[_pair_of_models, _same_weights, _same_predictions],
    hint="save_weights needs a name ending in .weights.h5; build the fresh model with the same "
         "architecture (and its optimizer), then fresh.load_weights(path).",
    solution="""
    trained.save_weights(folder / "trained.weights.h5")
    fresh = make_model()
    fresh.optimizer.build(fresh.trainable_variables)
    fresh.load_weights(folder / "trained.weights.h5")
    answer = (trained, fresh)
    """,
)


def _is_reloaded_model(answer):
    "it is a Keras model"
    assert isinstance(answer, keras.Model), f"got {type(answer).__name__}"


def _kept_the_focal_loss(answer):
    "its loss is a FocalLoss with gamma 3"
    loss = answer.loss
    assert isinstance(loss, FocalLoss), f"its loss is {type(loss).__name__}"
    assert loss.gamma == 3.0, f"gamma is {loss.gamma}"


def _kept_the_ks_metric(answer):
    "evaluate() still reports the KS metric"
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16,) + tuple(answer.input_shape[1:])).astype("float32")
    y = (rng.random(16) < 0.5).astype("float32")
    reported = answer.evaluate(x, y, verbose=0, return_dict=True)
    assert "ks" in reported, f"evaluate reports {sorted(reported)}; compile with metrics=[KolmogorovSmirnov()]"


q3 = Exercise(
    "Exercise 3 · Custom objects survive",
    checks=[_is_reloaded_model, _kept_the_focal_loss, _kept_the_ks_metric],
    hint="Compile with loss=FocalLoss(gamma=3.0) and metrics=[KolmogorovSmirnov()], fit one epoch "
         "(so the metrics are built), save to .keras and load it.",
    solution="""
    model.compile("adam", loss=FocalLoss(gamma=3.0), metrics=[KolmogorovSmirnov()])
    model.fit(x, y, epochs=1, verbose=0)
    model.save(folder / "custom.keras")
    reloaded = keras.models.load_model(folder / "custom.keras")
    """,
)
