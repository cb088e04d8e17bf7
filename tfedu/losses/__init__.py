"""See how each loss punishes errors, and how hard it pushes back (its gradient).

Three layers, each usable alone:

* ``compute.py``: :func:`regression_losses`, :func:`classification_losses` and
  :func:`categorical_losses` call the real ``keras.losses`` functions on a grid
  of predictions and differentiate them with a ``GradientTape``;
* ``draw.py``: :func:`draw_regression_losses` and
  :func:`draw_classification_losses` draw those curves;
  :func:`plot_regression_losses` and :func:`plot_classification_losses`
  compute and draw in one call;
* ``explore.py``: :func:`loss_explorer`, sliders for Huber's delta, focal
  loss's alpha and gamma, and ``from_logits``, updating the same curves.

``focal.py``: :class:`FocalLoss` is a complete Keras 3 loss (serializable,
usable in ``model.compile``), and :func:`focal_loss` the same formula as a function.

>>> curves = regression_losses(errors=[-2.0, 0.5, 3.0], delta=1.0)
>>> curves.losses["mean_squared_error"].tolist(), curves.losses["huber"].tolist()
([4.0, 0.25, 9.0], [1.5, 0.125, 2.5])
"""
# MAX_POINTS is importable from here as before; not in __all__.
from tfedu.losses.compute import (CLASSIFICATION_LOSSES, MAX_POINTS, REGRESSION_LOSSES, LossCurves,
                                  categorical_losses, classification_losses, regression_losses)
from tfedu.losses.draw import (LossPlot, draw_classification_losses, draw_regression_losses,
                               plot_classification_losses, plot_regression_losses)
from tfedu.losses.explore import loss_explorer
from tfedu.losses.focal import FocalLoss, focal_loss

__all__ = ["LossCurves", "LossPlot", "regression_losses", "classification_losses", "categorical_losses",
           "draw_regression_losses", "draw_classification_losses", "plot_regression_losses",
           "plot_classification_losses", "loss_explorer", "FocalLoss", "focal_loss", "REGRESSION_LOSSES",
           "CLASSIFICATION_LOSSES"]
