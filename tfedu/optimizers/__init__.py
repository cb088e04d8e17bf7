"""Watch Keras optimizers race on 2-D loss surfaces: where each one goes, and how fast the loss falls.

* ``compute.py``: :func:`run_race` runs real ``keras.optimizers`` (SGD, SGD
  with momentum and Nesterov, Adagrad, RMSprop, Adadelta, Adam, Nadam) from
  the same start, with gradients from a ``GradientTape``;
* ``draw.py``: :func:`draw_race` shows the trajectories on the contour plot
  and the loss against the step; :func:`plot_race` runs and draws;
* ``explore.py``: :func:`race_explorer`, learning rate, steps, surface,
  optimizer check-boxes and a replay slider. :func:`optimizer_race`, the name
  lessons use, is :func:`plot_race`, or the widget with ``interactive=True``.

``steps.py`` writes each optimizer's update rule out in NumPy (:data:`RULES`, with the
formula Keras computes and the textbook's) and :func:`compare_with_keras` proves that the
NumPy steps are the ones Keras takes.

Surfaces (:data:`SURFACES`, in ``surfaces.py`` with the compiled loops that
race on them): ``rosenbrock`` (a curved valley), ``beale`` (plateaus and
walls), ``saddle`` (x² - y²) and ``quadratic`` (an ill-conditioned bowl). Every
run is deterministic: no randomness is involved.

>>> race = run_race("quadratic", ["SGD", "Adam"], learning_rate=0.05, steps=100)
>>> race.final_loss("SGD") < 1e-3, race.paths["Adam"].shape
(True, (101, 2))
"""
from tfedu.optimizers.compute import OptimizerRace, run_race
from tfedu.optimizers.draw import COLOURS, draw_race, plot_race  # COLOURS: importable as before, not in __all__
from tfedu.optimizers.explore import optimizer_race, race_explorer
from tfedu.optimizers.steps import RULES, KerasComparison, StepRule, compare_with_keras, keras_path, numpy_path
from tfedu.optimizers.surfaces import MAX_STEPS, OPTIMIZERS, SURFACES, Surface

__all__ = ["SURFACES", "OPTIMIZERS", "MAX_STEPS", "Surface", "OptimizerRace", "run_race", "draw_race", "plot_race",
           "optimizer_race", "race_explorer", "RULES", "StepRule", "numpy_path", "keras_path", "compare_with_keras",
           "KerasComparison"]
