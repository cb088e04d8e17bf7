"""TensorFlow Playground's experiments on real Keras models (work in progress: the compute layer).

* ``compute.py``: set-ups as plain dicts (:func:`check_config`), Playground's datasets and
  input features (:func:`make_data`, :func:`features`), and :class:`Trainer`, which builds the
  ``keras.Sequential`` and trains it many epochs per call in one compiled function.

>>> trainer = Trainer({"dataset": "circles", "hidden": [4], "features": ["x1^2", "x2^2"], "learning_rate": 0.1})
>>> _ = trainer.train(epochs=50)
>>> trainer.history["val_accuracy"][-1] > 0.9
True
"""
from tfedu.playground.compute import (ACTIVATIONS, CLASSIFICATION, DEFAULTS, FEATURES, INITIALIZERS, LOSSES,
                                      MAX_LAYERS, MAX_NEURONS, OPTIMIZERS, REGRESSION, Trainer, check_config,
                                      features, make_data)

__all__ = ["Trainer", "check_config", "make_data", "features", "DEFAULTS", "FEATURES", "CLASSIFICATION",
           "REGRESSION", "ACTIVATIONS", "OPTIMIZERS", "INITIALIZERS", "LOSSES", "MAX_LAYERS", "MAX_NEURONS"]
