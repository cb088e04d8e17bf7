"""Keras models as gradient-check targets: the loss as a function of the trainable weights.

Private helper of :func:`tfedu.gradcheck.check_model_gradients`. The batch,
the model call and the loss are checked first (clear errors for mismatched
shapes, a missing loss, NaN data); then the loss is wrapped as a
:class:`~tfedu.gradcheck.target.Target` of the weights, computed with
``model.stateless_call`` on a float64 copy of the model when it can be copied.
"""
from __future__ import annotations

import numpy as np

import tensorflow as tf

from tfedu import _validate
from tfedu.gradcheck.inputs import error_summary
from tfedu.gradcheck.target import Target

# A model evaluated point by point costs ~2 ms; tracing a vectorized call ~0.1-0.2 s per weight.
_MODEL_VECTORIZE_FROM = 100
# Memory a model needs per evaluation, in units of its input batch (a rough guess at activations).
_ACTIVATIONS_PER_INPUT = 8
# More samples than this make the check slow and add nothing: say so.
_SAMPLES_WORTH_CHECKING = 256


def prepare(model, x, y, loss, training):
    """Check the batch, the model call and the loss; returns ``(x, y, loss_fn, loss_name)`` as tensors."""
    x, y = _model_data(x, y)
    _call_model(model, x, training)
    if not model.trainable_variables:
        raise ValueError("The model has no trainable weights, so there is no gradient to check "
                         "(is model.trainable False?).")
    loss_fn, loss_name = _resolve_loss(model, loss)
    outputs = _call_model(model, x, training)
    _call_loss(loss_fn, y, outputs)
    return x, y, loss_fn, loss_name


def model_target(model, x, y, loss_fn, *, training, vectorize, float64):
    """The model's loss as a :class:`Target` of its trainable weights, in float64 when the model can be
    copied to float64 (a note says why not otherwise)."""
    notes = []
    target = None
    if float64:
        twin, why = _float64_twin(model, x)
        if twin is not None:
            try:
                target = _loss_target(model, twin, x, y, loss_fn, training, vectorize)
                target.gradients()  # a custom gradient may work in float32 only
            except Exception:  # noqa: BLE001 - fall back to the model as it is
                target, why = None, "its loss or a gradient fails in float64"
        if target is None:
            notes.append(f"the model could not be checked in float64 ({why}), so the check ran in float32, "
                         "where round-off limits finite differences to a few significant digits; tolerances "
                         "are looser.")
    if target is None:
        target = _loss_target(model, model, x, y, loss_fn, training, vectorize)
    samples = [int(t.shape[0]) for t in tf.nest.flatten(x) if t.shape.rank]
    if samples and samples[0] > _SAMPLES_WORTH_CHECKING:
        notes.append(f"x has {samples[0]} samples; a few dozen are enough for a gradient check and much faster "
                     "(e.g. x[:32], y[:32]).")
    target.notes = notes + target.notes
    return target


def _loss_target(model, twin, x, y, loss_fn, training, vectorize):
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
