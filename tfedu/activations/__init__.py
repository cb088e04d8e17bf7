"""See what an activation does to a signal and to its gradient.

Three layers, each usable alone:

* ``compute.py``: :func:`activation_curve` evaluates a Keras activation (or any
  element-wise callable) on a grid and differentiates it with a
  ``GradientTape``: never a hand-written derivative;
* ``draw.py``: :func:`draw_activation` overlays f(x) and f'(x), shades where
  the gradient is almost zero (saturation) and marks the derivative's maximum;
  :func:`plot_activation` computes and draws in one call;
* ``explore.py``: :func:`activation_explorer` compares several activations
  side by side, with sliders for their parameters and the x-range.

``gradient_flow.py`` shows the consequence in a deep network:
:func:`measure_gradient_flow` measures per-layer gradient norms with sigmoid,
tanh and ReLU, :func:`draw_gradient_flow` draws them on a log scale and
:func:`plot_gradient_flow` does both (:func:`gradient_flow` is the same
function, under the name lessons use).

>>> curve = activation_curve("sigmoid")
>>> print(curve)
sigmoid: max f'(x) = 0.25 at x = 0; |f'| < 0.01 for |x| > 4.6
>>> print(activation_curve("leaky_relu", negative_slope=0.1))
leaky_relu(negative_slope=0.1): max f'(x) = 1 for x > 0; no saturation (|f'| >= 0.01) on [-5, 5]
"""
# MAX_POINTS is importable from here as before; not in __all__.
from tfedu.activations.compute import (ACTIVATIONS, MAX_POINTS, ActivationCurve, VectorActivationCurve,
                                       activation_curve)
from tfedu.activations.draw import (ActivationPlot, draw_activation, draw_gradient_flow, gradient_flow,
                                    plot_activation, plot_gradient_flow)
from tfedu.activations.explore import EXPLORER_ACTIVATIONS, activation_explorer
from tfedu.activations.gradient_flow import GradientFlow, layer_gradient_norms, measure_gradient_flow

__all__ = ["ACTIVATIONS", "EXPLORER_ACTIVATIONS", "ActivationCurve", "VectorActivationCurve", "ActivationPlot",
           "activation_curve", "draw_activation", "plot_activation", "activation_explorer",
           "measure_gradient_flow", "draw_gradient_flow", "plot_gradient_flow", "gradient_flow", "GradientFlow",
           "layer_gradient_norms"]
