"""TensorFlow Playground's experiments on real Keras models.

* ``compute.py``: set-ups as plain dicts (:func:`check_config`), Playground's datasets and
  input features (:func:`make_data`, :func:`features`), and :class:`Trainer`, which builds the
  ``keras.Sequential`` and trains it many epochs per call in one compiled function;
  :func:`to_code` writes the Keras script that rebuilds and trains it;
* ``draw.py``: :func:`draw_playground`, the decision surface with the points, the loss curves
  and every hidden neuron's picture, updated in place after more training;
* ``explore.py``: :class:`Playground` (:func:`playground_explorer`), the widget: Playground's
  controls, play / pause / step / reset, ``from_config(config, hide=[...])`` for a teacher's set-up.

>>> trainer = Trainer({"dataset": "circles", "hidden": [4], "features": ["x1^2", "x2^2"], "learning_rate": 0.1})
>>> _ = trainer.train(epochs=50)
>>> trainer.history["val_accuracy"][-1] > 0.9
True
"""
from tfedu.playground.compute import (ACTIVATIONS, CLASSIFICATION, DEFAULTS, FEATURES, INITIALIZERS, LOSSES,
                                      MAX_LAYERS, MAX_NEURONS, OPTIMIZERS, PRESETS, REGRESSION, Trainer, check_config,
                                      Weights, features, make_data, to_code)
from tfedu.playground.draw import PlaygroundDrawing, draw_playground
from tfedu.playground.explore import CONTROLS, Playground, playground_explorer

__all__ = ["Playground", "playground_explorer", "CONTROLS", "Trainer", "check_config", "make_data", "features", "to_code", "draw_playground", "PlaygroundDrawing", "DEFAULTS", "FEATURES", "CLASSIFICATION",
           "REGRESSION", "PRESETS", "ACTIVATIONS", "OPTIMIZERS", "INITIALIZERS", "LOSSES", "MAX_LAYERS", "MAX_NEURONS",
           "Weights"]
