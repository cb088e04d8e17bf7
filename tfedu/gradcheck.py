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
from __future__ import annotations

import warnings

import numpy as np

from tfedu import _validate
from tfedu._diagnosis import flag, quiet_tf_logs
from tfedu._gradcheck_compare import (METHODS, TOLERANCES, Settings, _index, both_sides, check_target, default_eps,
                                     steps)
from tfedu._gradcheck_eval import Target, check_callable, error_summary, input_names, tf
from tfedu._gradcheck_report import ElementCheck, GradCheckReport, GradientRow

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

# A model evaluated point by point costs ~2 ms; tracing a vectorized call ~0.1-0.2 s per weight.
_MODEL_VECTORIZE_FROM = 100
# Memory a model needs per evaluation, in units of its input batch (a rough guess at activations).
_ACTIVATIONS_PER_INPUT = 8
# More samples than this make the check slow and add nothing: say so.
_SAMPLES_WORTH_CHECKING = 256


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
        flag(value, name)
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
        return _numerical_gradient(f, inputs, eps, method)


def _numerical_gradient(f, inputs, eps, method):
    target = Target(f, inputs, input_names(f, inputs), float64=True, what=_function_name(f))
    eps = float(eps) if eps is not None else default_eps(target.dtype, method)
    results = []
    for i, original_dtype in enumerate(target.input_dtypes):
        x0 = np.asarray(target.x[i], np.float64).reshape(-1)
        s_plus, s_minus = steps(x0, eps, target.x[i].dtype)
        n, columns = len(x0), np.arange(len(x0))
        if method == "central":
            values = both_sides(target, i, x0, s_plus, s_minus)
            jac = (values[1:n + 1] - values[n + 1:]) / (s_plus + s_minus)[:, None]
        elif method == "forward":
            values = target.values_one_hot(i, columns, x0 + s_plus)
            jac = (values[1:] - values[0]) / s_plus[:, None]
        else:
            values = target.values_one_hot(i, columns, x0 - s_minus)
            jac = (values[0] - values[1:]) / s_minus[:, None]
        if not np.all(np.isfinite(jac)):
            _raise_nonfinite_estimate(target, i, jac, values, method, s_plus, s_minus)
        shape = target.shapes[i] if target.out_size == 1 and not target.out_shape else (
            target.out_shape + target.shapes[i])
        results.append(tf.constant(jac.T.reshape(shape), dtype=original_dtype))
    return results[0] if len(results) == 1 else results


def _raise_nonfinite_estimate(target, i, jac, values, method, s_plus, s_minus):
    """A finite difference came out NaN or infinite: say for which element and which point caused it."""
    n = len(s_plus)
    column, out = (int(k) for k in np.argwhere(~np.isfinite(jac))[0])
    element = _index(target.names[i], target.shapes[i], column)
    if method == "central":
        sides = [(values[1 + column], "+", s_plus[column]), (values[n + 1 + column], "-", s_minus[column])]
    elif method == "forward":
        sides = [(values[1 + column], "+", s_plus[column])]
    else:
        sides = [(values[1 + column], "-", s_minus[column])]
    bad = [(row, sign, step) for row, sign, step in sides if not np.isfinite(row[out])]
    output = "" if target.out_size == 1 else f" (output element {_index('f', target.out_shape, out)})"
    if bad:
        row, sign, step = bad[0]
        why = (f"{target.what} is {row[out]} at {element} {sign} {step:.2g}{output}, one finite-difference step "
               "away from the given point")
    else:
        why = f"the difference of {target.what}'s values overflows{output}"
    other_side = ""
    if method == "central" and len(bad) == 1:  # the other one-sided difference stays where f is finite
        other_side = f", or method={'forward' if bad[0][1] == '-' else 'backward'!r}"
    raise ValueError(f"The numerical derivative for {element} is {jac[column, out]}: {why}. Pick a point "
                     f"further from where f is undefined (sqrt and log need positive values), or a smaller "
                     f"eps{other_side}.")


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
    x, y = _model_data(x, y)
    _call_model(model, x, training)
    if not model.trainable_variables:
        raise ValueError("The model has no trainable weights, so there is no gradient to check "
                         "(is model.trainable False?).")
    loss_fn, loss_name = _resolve_loss(model, loss)
    outputs = _call_model(model, x, training)
    _call_loss(loss_fn, y, outputs)

    with quiet_tf_logs():  # tracing and pfor warnings are about our machinery, not about the model
        notes = []
        target = None
        if float64:
            twin, why = _float64_twin(model, x)
            if twin is not None:
                try:
                    target = _model_target(model, twin, x, y, loss_fn, training, vectorize)
                    target.gradients()  # a custom gradient may work in float32 only
                except Exception:  # noqa: BLE001 - fall back to the model as it is
                    target, why = None, "its loss or a gradient fails in float64"
            if target is None:
                notes.append(f"the model could not be checked in float64 ({why}), so the check ran in float32, "
                             "where round-off limits finite differences to a few significant digits; tolerances "
                             "are looser.")
        if target is None:
            target = _model_target(model, model, x, y, loss_fn, training, vectorize)
        samples = [int(t.shape[0]) for t in tf.nest.flatten(x) if t.shape.rank]
        if samples and samples[0] > _SAMPLES_WORTH_CHECKING:
            notes.append(f"x has {samples[0]} samples; a few dozen are enough for a gradient check and much faster "
                         "(e.g. x[:32], y[:32]).")
        target.notes = notes + target.notes
        total = sum(target.sizes)
        mode = _choose_mode(mode, total, MODEL_FULL_CHECK_LIMIT, order)
        settings = Settings(mode=mode, order=order, method=method, eps=eps, rtol=rtol, atol=atol,
                            directions=int(directions), seed=seed, forward_mode=forward_mode, dtype=target.dtype)
        subject = f"{type(model).__name__} model ({total} parameters, loss {loss_name})"
        return check_target(target, settings, subject=subject, kind="weight")


def _model_target(model, twin, x, y, loss_fn, training, vectorize):
    """The loss as a function of the trainable weights of ``twin`` (``model`` or its float64 copy)."""
    dtype = tf.as_dtype(twin.trainable_variables[0].dtype)
    cast = _caster(dtype)
    x_run, y_run = tf.nest.map_structure(cast, x), tf.nest.map_structure(cast, y)
    loss_run = _loss_in_dtype(loss_fn, dtype)
    frozen = [tf.convert_to_tensor(v) for v in twin.non_trainable_variables]
    call_kwargs = {"training": training} if _accepts_training(twin) else {}

    def model_loss(*weights):
        out, _, losses = twin.stateless_call(list(weights), frozen, x_run, return_losses=True, **call_kwargs)
        value = loss_run(y_run, out)
        value = tf.reduce_mean(value) if value.shape.rank else value
        return value + tf.add_n(losses) if losses else value

    names = [_weight_name(v, model) for v in model.trainable_variables]
    weights = [tf.convert_to_tensor(v) for v in twin.trainable_variables]
    return Target(model_loss, weights, names, float64=False, vectorize=vectorize and not training,
                  cache=False, loop_fn=tf.function(model_loss), what="the model's loss",
                  vectorize_from=_MODEL_VECTORIZE_FROM, point_cost=_ACTIVATIONS_PER_INPUT * _elements(x))


def _elements(structure):
    return sum(int(np.prod(t.shape)) for t in tf.nest.flatten(structure))


def _accepts_training(model):
    import inspect

    try:
        parameters = inspect.signature(model.call).parameters
    except (TypeError, ValueError):
        return True
    return "training" in parameters or any(p.kind == p.VAR_KEYWORD for p in parameters.values())


def _model_data(x, y):
    def convert(value, what):
        if value is None:
            raise TypeError(f"{what} is None; pass a batch of {'inputs' if what == 'x' else 'targets'}.")
        try:
            tensor = tf.convert_to_tensor(value)
        except (TypeError, ValueError):
            raise TypeError(f"{what} must be a batch (a tensor or array), got {type(value).__name__}. From a "
                            "tf.data.Dataset take one batch: x, y = next(iter(dataset)).") from None
        if tensor.dtype.is_floating and not np.all(np.isfinite(np.asarray(tensor))):
            raise ValueError(f"{what} contains NaN or Inf; finite differences need finite data.")
        if tensor.shape.num_elements() == 0:
            raise ValueError(f"{what} is empty (shape {tuple(tensor.shape)}); pass a small batch, e.g. x[:32], y[:32].")
        return tensor

    x = tf.nest.map_structure(lambda v: convert(v, "x"), x)
    y = tf.nest.map_structure(lambda v: convert(v, "y"), y)
    nx = [int(t.shape[0]) for t in tf.nest.flatten(x) if t.shape.rank]
    ny = [int(t.shape[0]) for t in tf.nest.flatten(y) if t.shape.rank]
    if nx and ny and nx[0] != ny[0]:
        raise ValueError(f"x has {nx[0]} samples but y has {ny[0]}; pass matching batches, e.g. x[:32], y[:32].")
    return x, y


def _call_model(model, x, training):
    try:
        return model(x, training=training)
    except Exception as error:  # noqa: BLE001 - explain a shape mismatch
        shapes = ", ".join(str(tuple(t.shape)) for t in tf.nest.flatten(x))
        expected = ""
        try:
            expected = f"; the model expects {model.input_shape}"
        except (AttributeError, ValueError):
            pass
        first = error_summary(error)
        raise ValueError(f"Calling the model on x failed ({type(error).__name__}: {first}). x has shape "
                         f"{shapes}{expected}.") from error


def _resolve_loss(model, loss):
    import keras

    if loss is None:
        loss = getattr(model, "loss", None)
        if loss is None:
            raise ValueError("The model has no loss: compile it with model.compile(loss=...) or pass loss=..., "
                             "e.g. loss='mse' or loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True).")
    if isinstance(loss, (list, tuple, dict)):
        raise ValueError("The model was compiled with several losses; pass loss= a single function of "
                         "(y_true, y_pred) that combines them.")
    if isinstance(loss, str):
        try:
            fn = keras.losses.get(loss)
        except ValueError:
            known = ["mse", "mae", "mape", "msle"] + [
                name for name in dir(keras.losses) if name.islower() and not name.startswith("_")
                and name not in ("get", "serialize", "deserialize")]
            suggestion = _validate.did_you_mean(loss, known)
            raise ValueError(f"Unknown loss {loss!r}{';' + suggestion if suggestion else '.'} Use a Keras loss name "
                             "such as 'mse' or 'sparse_categorical_crossentropy', or pass a function.") from None
        return fn, loss
    if not callable(loss):
        raise TypeError(f"loss must be a loss name, a function (y_true, y_pred) or a keras.losses.Loss, "
                        f"got {type(loss).__name__}.")
    name = getattr(loss, "name", None) or getattr(loss, "__name__", None) or type(loss).__name__
    return loss, name


def _call_loss(loss_fn, y, outputs):
    try:
        value = loss_fn(y, outputs)
    except Exception as error:  # noqa: BLE001 - explain a target/output mismatch
        first = error_summary(error)
        y_text = ", ".join(f"{tuple(t.shape)} {t.dtype.name}" for t in tf.nest.flatten(y))
        out_text = ", ".join(f"{tuple(t.shape)} {t.dtype.name}" for t in tf.nest.flatten(outputs))
        raise ValueError(f"Computing the loss failed ({type(error).__name__}: {first}). Check that y fits the "
                         f"model's output: y is {y_text}, the output is {out_text} (integer class labels need "
                         "a sparse_ loss).") from error
    if not isinstance(value, tf.Tensor) or not value.dtype.is_floating:
        raise TypeError(f"The loss returned {type(value).__name__}; it must return a float tensor.")


def _caster(dtype):
    def cast(t):
        return tf.cast(t, dtype) if t.dtype.is_floating else t

    return cast


def _loss_in_dtype(loss_fn, dtype):
    """A Keras Loss object computes in its own dtype (float32 by default): use a float64 copy."""
    import copy

    import keras

    if isinstance(loss_fn, keras.losses.Loss) and loss_fn.dtype != dtype.name:
        twin = copy.copy(loss_fn)
        try:
            twin._dtype_policy = keras.dtype_policies.get(dtype.name)
            twin._dtype = dtype.name
        except Exception:  # noqa: BLE001 - a Loss without those attributes keeps its dtype
            return loss_fn
        return twin
    return loss_fn


def _float64_twin(model, x):
    """A float64 copy of ``model`` with the same weights, or ``(None, reason)``."""
    import keras

    def to_float64(layer):
        config = layer.get_config()
        config["dtype"] = "float64"
        try:
            return layer.__class__.from_config(config)
        except Exception as error:  # noqa: BLE001
            raise _CloneError(f"layer {type(layer).__name__} cannot be rebuilt from its config; give its "
                              "__init__ **kwargs and pass them to super().__init__") from error

    try:
        twin = keras.models.clone_model(model, clone_function=to_float64, recursive=True)
        twin(tf.nest.map_structure(_caster(tf.float64), x))
        twin.set_weights(model.get_weights())
    except _CloneError as error:
        return None, str(error)
    except Exception:  # noqa: BLE001 - clone_model cannot copy it, or a layer is float32-only
        if not _is_graph_model(model):
            return None, f"a {type(model).__name__} model built by subclassing cannot be cloned"
        return None, "some layer does not run in float64"
    same = len(twin.trainable_variables) == len(model.trainable_variables)
    if not same or any(v.dtype != "float64" for v in twin.trainable_variables):
        return None, "some layer keeps float32 weights"
    return twin, ""


def _is_graph_model(model):
    import keras

    return isinstance(model, keras.Sequential) or type(model).__name__ == "Functional"


class _CloneError(Exception):
    pass


def _weight_name(variable, model):
    path = getattr(variable, "path", None) or variable.name
    prefix = f"{model.name}/"
    return path[len(prefix):] if path.startswith(prefix) else path
