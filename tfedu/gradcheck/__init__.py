"""Check TensorFlow's automatic derivatives against finite differences.

``tf.GradientTape`` computes derivatives exactly, by the chain rule. A *finite
difference* estimates them from values alone: nudge one input by a small step
``h`` and watch the output move, ``(f(x + h) - f(x - h)) / 2h``. When both
agree, the gradient is right; when they don't, this module says where and why.

* :func:`numerical_gradient` estimates the gradient (or Jacobian) of any ``f``;
* :func:`check_gradients` compares it with autodiff and returns a
  :class:`GradCheckReport` (a table in JupyterLab, readable text elsewhere);
* :func:`check_model_gradients` does the same for every trainable weight of a
  Keras model and its loss.

Done carefully: inputs are promoted to float64 when ``f`` allows it, steps are
chosen by dtype, all perturbed points go through ``f`` in one vectorized call,
large inputs are checked along random directions (*fast mode*), a ``None``
gradient is explained, and kinks such as ReLU at 0 are reported as
non-differentiable points rather than as bugs.

>>> import tensorflow as tf
>>> x = tf.constant([1.0, 2.0, 3.0])
>>> report = check_gradients(lambda x: tf.reduce_sum(x ** 3), x)
>>> report.passed, report.mode, report.dtype
(True, 'full', 'float64')
"""
# The family: inputs.py checks f, its inputs and its output; evaluate.py evaluates a function at
# many points (vectorize.py batches them) and differentiates it; target.py is f itself and
# second_order.py its gradient; differences.py computes finite differences; compare.py compares
# them with autodiff, row by row, into report.py's GradCheckReport; model.py makes a Keras
# model's loss a target.
from __future__ import annotations

import warnings

from tfedu import _validate
from tfedu._runtime import quiet_tf_logs
from tfedu.gradcheck import model as _model
from tfedu.gradcheck.compare import Settings, check_target
from tfedu.gradcheck.differences import METHODS, TOLERANCES, default_eps, estimate_gradient
from tfedu.gradcheck.inputs import check_callable, input_names
from tfedu.gradcheck.report import ElementCheck, GradCheckReport, GradientRow
from tfedu.gradcheck.target import Target

__all__ = [
    "default_eps",
    "numerical_gradient",
    "check_gradients",
    "check_model_gradients",
    "GradCheckReport",
    "GradientRow",
    "ElementCheck",
    "FULL_CHECK_LIMIT",
    "MODEL_FULL_CHECK_LIMIT",
    "HESSIAN_FULL_CHECK_LIMIT",
    "TOLERANCES",
]

#: With ``mode="auto"``, inputs with more elements than this (in total) get the fast mode.
FULL_CHECK_LIMIT = 5000
#: With ``mode="auto"``, models with more trainable parameters than this get the fast mode.
MODEL_FULL_CHECK_LIMIT = 1000
#: With ``mode="auto"`` and ``order=2``, more elements than this get the fast mode (a full
#: Hessian has this many squared entries).
HESSIAN_FULL_CHECK_LIMIT = 200

_MODES = ("auto", "full", "fast")


def _number(value, name, hint, **bounds):
    """``_validate.number`` (None allowed: the default by dtype) with what the argument means appended."""
    try:
        return _validate.number(value, name, allow_none=True, **bounds)
    except ValueError as error:
        raise ValueError(f"{error} {hint}") from None


def _check_method(method):
    _validate.choice(method, "method", METHODS)


def _check_eps(eps):
    return _number(eps, "eps", "It is the relative finite-difference step; leave it out for the default "
                   "of the dtype, or try 1e-6.", low=0, low_open=True, high=1, high_open=True, example="1e-6")


def _check_tolerances(rtol, atol):
    rtol = _number(rtol, "rtol", "It is the relative error an element may have; leave it out for the "
                   "default of the dtype (1e-5 in float64).", low=0, low_open=True, high=1,
                   high_open=True, example="1e-4")
    atol = _number(atol, "atol", "Errors below atol always pass; leave it out for the default of the dtype "
                   "(1e-8 in float64).", low=0, example="1e-6")
    return rtol, atol


def _choose_mode(mode, total, limit, order):
    if mode == "auto":
        limit = min(limit, HESSIAN_FULL_CHECK_LIMIT) if order == 2 else limit
        return "full" if total <= limit else "fast"
    return mode


def _check_options(mode, order, directions, seed, **flags):
    """Check the options shared by check_gradients and check_model_gradients; returns them normalized."""
    _validate.choice(mode, "mode", _MODES)
    order = _validate.count(order, "order", low=1, high=2, example=1,
                            hint="Use 1 to check gradients, 2 to check second derivatives.")
    directions = _validate.count(directions, "directions", example=4,
                                 hint="It is the number of random directions per input in fast mode.")
    seed = _validate.count(seed, "seed", low=0, example=0,
                           hint="It seeds the random directions of fast mode.")
    for name, value in flags.items():
        _validate.flag(value, name)
    return order, directions, seed


# --- public API -----------------------------------------------------------------------------

def numerical_gradient(f, *inputs, eps=None, method="central"):
    """Estimate the gradient of ``f(*inputs)`` by finite differences.

    Returns what ``tape.gradient(f(*inputs), inputs)`` would: one tensor per
    input (a list when there are several), in the input's dtype. When ``f``
    returns a non-scalar, the result is the Jacobian, with shape
    ``f_shape + input_shape`` (like ``tape.jacobian``). ``method`` is
    ``"central"`` (``(f(x+h) - f(x-h)) / 2h``, error ~h**2), ``"forward"``
    (``(f(x+h) - f(x)) / h``, error ~h) or ``"backward"``. ``eps`` is the
    relative step (default by dtype, see :func:`default_eps`). ``f`` runs in
    float64 when it allows it, and on all perturbed points in one vectorized
    call when it can.

    >>> import tensorflow as tf
    >>> x = tf.constant([1.0, 2.0])
    >>> g = numerical_gradient(lambda x: tf.reduce_sum(x ** 2), x)
    >>> g.dtype.name, [round(v, 6) for v in g.numpy().tolist()]
    ('float32', [2.0, 4.0])
    >>> w = tf.constant([[1.0], [3.0]])
    >>> gx, gw = numerical_gradient(lambda x, w: tf.reduce_sum(x[None] @ w), x, w)
    >>> gx.numpy().round(6).tolist(), gw.numpy().round(6).tolist()
    ([1.0, 3.0], [[1.0], [2.0]])
    >>> numerical_gradient(lambda x: x * 3.0, x).shape  # a Jacobian
    TensorShape([2, 2])
    """
    _check_method(method)
    eps = _check_eps(eps)
    check_callable(f)
    with quiet_tf_logs():
        target = Target(f, inputs, input_names(f, inputs), float64=True, what=_function_name(f))
        return estimate_gradient(target, eps, method)


def check_gradients(f, *inputs, mode="auto", order=1, forward_mode=False, eps=None, rtol=None, atol=None,
                    method="central", directions=4, seed=0, float64=True, names=None, vectorize=True):
    """Compare ``tf.GradientTape`` with finite differences for ``f(*inputs)``.

    ``f`` takes the inputs as arguments (``f(x, w)``), or takes no arguments
    and reads ``tf.Variable`` inputs itself (``check_gradients(loss, w, b)``
    with ``def loss(): ...``). It returns a tensor; a non-scalar output is
    checked as a Jacobian. Returns a :class:`GradCheckReport`.

    * ``mode``: ``"full"`` checks every element; ``"fast"`` checks
      ``directions`` random directional derivatives per input (seeded by
      ``seed``), whose cost does not grow with the size of the inputs;
      ``"auto"`` (default) is full up to :data:`FULL_CHECK_LIMIT` elements.
    * ``order=2`` checks second derivatives: the Hessian (full mode) or
      Hessian-vector products (fast mode) from nested tapes.
    * ``forward_mode=True`` also checks forward-mode autodiff
      (``tf.autodiff.ForwardAccumulator``), one extra row per input.
    * ``rtol``/``atol``: an element passes when
      ``|autodiff - numerical| <= max(rtol * max(|autodiff|, |numerical|), atol)``
      (``atol`` is raised to the estimated round-off of the finite
      difference); ``max_rel_error`` uses the same scale, so it is
      ``<= rtol`` exactly when the check passes. Defaults depend on the dtype
      the check runs in (float64: ``1e-5``, ``1e-8``).
    * ``eps`` is the relative step (each element moves by
      ``eps * max(1, |x|)``; default by dtype, see :func:`default_eps`) and
      ``method`` the finite difference compared (``"central"``,
      ``"forward"``, ``"backward"``).
    * ``float64=True`` evaluates ``f`` in float64 when it allows it (the
      report says so when it cannot). ``vectorize=False`` evaluates the
      perturbed points in a plain loop. ``names`` labels the inputs
      (default: the names of ``f``'s parameters).

    >>> import tensorflow as tf
    >>> def loss(x, w):
    ...     return tf.reduce_sum(tf.sin(x) * w ** 2)
    >>> print(check_gradients(loss, tf.constant([0.5, 1.0]), tf.constant([2.0, -1.0])))
    Gradient check of loss: passed
    full mode (every element), float64, central differences
    input  shape  checked     max abs error  max rel error  result
    x      (2,)   2 elements  ...            ...            ok
    w      (2,)   2 elements  ...            ...            ok
    tolerance: rtol 1e-05, atol 1e-08; step eps 6.1e-06 (times max(1, |x|))

    A wrong custom gradient is caught and located:

    >>> @tf.custom_gradient
    ... def cube(x):
    ...     return x ** 3, lambda dy: dy * 3 * x  # should be 3 * x ** 2
    >>> report = check_gradients(lambda x: tf.reduce_sum(cube(x)), tf.constant([1.0, 2.0]))
    >>> report.passed, [str(e) for e in report.rows[0].worst][0]
    (False, 'x[1]: autodiff 6, numerical 12 (abs error 6.0e+00, rel error 5.0e-01): WRONG')
    """
    check_callable(f)
    _check_method(method)
    eps = _check_eps(eps)
    rtol, atol = _check_tolerances(rtol, atol)
    order, directions, seed = _check_options(mode, order, directions, seed, forward_mode=forward_mode,
                                             float64=float64, vectorize=vectorize)
    subject = _function_name(f)
    with quiet_tf_logs():  # tracing and pfor warnings are about our machinery, not about f
        target = Target(f, inputs, input_names(f, inputs, names), float64=float64, vectorize=vectorize,
                        what=subject)
        mode = _choose_mode(mode, sum(target.sizes), FULL_CHECK_LIMIT, order)
        settings = Settings(mode=mode, order=order, method=method, eps=eps, rtol=rtol, atol=atol,
                            directions=int(directions), seed=seed, forward_mode=forward_mode, dtype=target.dtype)
        return check_target(target, settings, subject=subject, kind="input")


def _function_name(f):
    """``f``'s name for messages: its ``__name__`` if it has a real one, a Keras layer's class name,
    else "f"."""
    name = getattr(f, "__name__", None)
    if name is None and type(f).__module__.startswith("keras"):
        name = type(f).__name__
    return name if name and name.isidentifier() else "f"


# --- Keras models ------------------------------------------------------------------------------

def check_model_gradients(model, x, y, loss=None, *, training=False, mode="auto", order=1, forward_mode=False,
                          eps=None, rtol=None, atol=None, method="central", directions=4, seed=0,
                          float64=True, vectorize=True):
    """Check the gradient of a Keras model's loss with respect to every trainable weight.

    The function checked is ``loss(y, model(x)) + sum(model.losses)`` (the
    losses added by regularizers), as ``model.fit`` differentiates it.
    ``loss`` defaults to the one given to ``model.compile``; it may be a name
    (``"mse"``), a function ``(y_true, y_pred)`` or a ``keras.losses.Loss``.
    Pass a small batch (a few dozen samples): every evaluation runs the model.

    The model runs with ``training=False``, so Dropout is off and
    BatchNormalization uses its moving statistics: random layers would break
    finite differences. ``training=True`` is allowed (with a warning).

    It runs in float64 on a copy of the model (``keras.models.clone_model``
    with ``dtype="float64"``) when the model can be copied; otherwise in
    float32, and the report says so. Models with more than
    :data:`MODEL_FULL_CHECK_LIMIT` parameters get the fast mode by default:
    ``directions`` random directions per weight (seeded by ``seed``). Other
    arguments are those of :func:`check_gradients`.

    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
    ...                           keras.layers.Dense(2)])
    >>> model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    >>> x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    >>> y = np.arange(8) % 2
    >>> report = check_model_gradients(model, x, y)
    >>> report.passed, report.mode, report.dtype, len(report.rows)
    (True, 'full', 'float64', 4)
    """
    import keras

    if not isinstance(model, keras.layers.Layer):
        raise TypeError(f"model must be a Keras model (or layer), got {type(model).__name__}. For a plain "
                        "function use check_gradients(f, *inputs).")
    _check_method(method)
    eps = _check_eps(eps)
    rtol, atol = _check_tolerances(rtol, atol)
    order, directions, seed = _check_options(mode, order, directions, seed, training=training,
                                             forward_mode=forward_mode, float64=float64, vectorize=vectorize)
    if training:
        warnings.warn("training=True: layers such as Dropout and BatchNormalization run in training mode. "
                      "The check holds their random state fixed, but BatchNormalization then "
                      "differentiates through batch statistics; use training=False to check the model "
                      "as it predicts.", UserWarning, stacklevel=2)
    x, y, loss_fn, loss_name = _model.prepare(model, x, y, loss, training)
    with quiet_tf_logs():  # tracing and pfor warnings are about our machinery, not about the model
        target = _model.model_target(model, x, y, loss_fn, training=training, vectorize=vectorize, float64=float64)
        total = sum(target.sizes)
        mode = _choose_mode(mode, total, MODEL_FULL_CHECK_LIMIT, order)
        settings = Settings(mode=mode, order=order, method=method, eps=eps, rtol=rtol, atol=atol,
                            directions=int(directions), seed=seed, forward_mode=forward_mode, dtype=target.dtype)
        subject = f"{type(model).__name__} model ({total} parameters, loss {loss_name})"
        return check_target(target, settings, subject=subject, kind="weight")
