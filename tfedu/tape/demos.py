"""The catalogue of :func:`tfedu.tape.demo`: GradientTape behaviours that surprise students.

Each demo is a plain function whose body is the code a student reads (shown by
the demo's result) followed by ``return facts``. Its explanation is chosen from
those facts, so every sentence a demo prints is true of the run it describes:
if TensorFlow ever behaves differently, the demo says so instead of repeating
a stale claim.
"""
from __future__ import annotations

import html
import inspect
import textwrap
from dataclasses import dataclass
from typing import Callable

import numpy as np
import tensorflow as tf

from tfedu import _validate
from tfedu._text import significant

__all__ = ["DEMOS", "Demo", "DemoResult", "demo"]


def _show(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, str):
        return value
    array = np.asarray(value)
    if array.size == 1 and array.dtype.kind == "f":
        return significant(float(array.reshape(())) + 0.0, 4)
    if array.dtype.kind == "f":
        return np.array2string(np.round(array, 4) + 0.0, separator=", ")
    return np.array2string(array, separator=", ") if array.ndim else str(array)


@dataclass
class DemoResult:
    """What a demo ran (``code``), what came out (``values``) and what it means (``explanation``)."""

    name: str
    title: str
    code: str
    values: dict
    explanation: str

    def __str__(self) -> str:
        lines = [f"{self.title} (tfedu.tape.demo({self.name!r}))", "", textwrap.indent(self.code, "    "), ""]
        lines += [f"{key} = {_show(value)}" for key, value in self.values.items()]
        lines += ["", textwrap.fill(self.explanation, width=100)]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td><code>{html.escape(k)}</code></td><td><code>{html.escape(_show(v))}</code></td></tr>"
                       for k, v in self.values.items())
        return (
            f"<div><b>{html.escape(self.title)}</b> <code>tfedu.tape.demo({self.name!r})</code>"
            f"<pre style='background:#f6f8fa;padding:6px'>{html.escape(self.code)}</pre>"
            f"<table>{rows}</table><p>{html.escape(self.explanation)}</p></div>"
        )


@dataclass(frozen=True)
class Demo:
    name: str
    title: str
    body: Callable
    explain: Callable  # facts -> explanation text

    @property
    def code(self) -> str:
        """The demo's source as a student would write it: the body without the bookkeeping return."""
        source = textwrap.dedent(inspect.getsource(self.body))
        lines = source.splitlines()
        start = next(k for k, line in enumerate(lines) if line.startswith("def ")) + 1
        end = max(k for k, line in enumerate(lines) if line.strip().startswith("return "))
        return textwrap.dedent("\n".join(lines[start:end])).strip()

    def run(self) -> DemoResult:
        facts = self.body()
        return DemoResult(self.name, self.title, self.code, facts, self.explain(facts))


DEMOS: dict = {}


def _register(name, title):
    def wrap(explain):
        def decorator(body):
            DEMOS[name] = Demo(name, title, body, explain)
            return body
        return decorator
    return wrap


def demo(name: str) -> DemoResult:
    """Run the GradientTape demo called ``name`` and return what happened, with an explanation.

    >>> result = demo("higher_order")
    >>> result.values["dy_dx"], result.values["d2y_dx2"]
    (12.0, 12.0)
    >>> demo("persistant")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: demo 'persistant' is not known; did you mean 'persistent'? Choose one of: 'watch', 'persistent', ...
    """
    name = _validate.choice(name, "name", list(DEMOS), what="demo")
    return DEMOS[name].run()


def _unexpected(what: str) -> str:
    return (f"Unexpected: {what}. This TensorFlow version ({tf.__version__}) behaves differently "
            "from what this demo was written for; trust the values above.")


def _value(tensor):
    return None if tensor is None else float(tensor.numpy()) if np.size(tensor) == 1 else tensor.numpy()


# --- the demos -----------------------------------------------------------------------------

def _explain_watch(facts):
    if not (facts["grad_constant"] is None and facts["grad_variable"] == 6.0
            and facts["grad_watched_constant"] == 6.0 and facts["grad_unwatched_variable"] is None):
        return _unexpected("the watch rules did not hold")
    return ("A tape records operations on the tensors it watches. Trainable tf.Variables are watched "
            f"automatically, so grad_variable is {_show(facts['grad_variable'])} (d(x²)/dx = 2x at x = 3). "
            "A constant is not, so its gradient "
            "is None until you call tape.watch(constant). With watch_accessed_variables=False even "
            "Variables must be watched by hand: grad_unwatched_variable is None.")


@_register("watch", "What a tape watches")(_explain_watch)
def _watch():
    constant = tf.constant(3.0)
    variable = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = constant ** 2 + variable ** 2
    grad_constant, grad_variable = tape.gradient(y, [constant, variable])

    with tf.GradientTape() as tape:
        tape.watch(constant)
        y = constant ** 2
    grad_watched_constant = tape.gradient(y, constant)

    with tf.GradientTape(watch_accessed_variables=False) as tape:
        y = variable ** 2
    grad_unwatched_variable = tape.gradient(y, variable)
    return dict(grad_constant=_value(grad_constant), grad_variable=_value(grad_variable),
                grad_watched_constant=_value(grad_watched_constant),
                grad_unwatched_variable=_value(grad_unwatched_variable))


def _explain_persistent(facts):
    if not (facts["second_call"].startswith("RuntimeError") and facts["dy_dx"] == 6.0
            and facts["dz_dx"] == 27.0):
        return _unexpected("a second gradient call on a plain tape did not fail")
    return ("A tape frees what it recorded as soon as gradient() returns, so a second call raises "
            "RuntimeError. Ask for persistent=True to call gradient() several times (here dy/dx = 6 and "
            "dz/dx = 27), and drop the tape (del tape) when done so its memory is released.")


@_register("persistent", "Calling gradient() twice")(_explain_persistent)
def _persistent():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x ** 2
        z = x ** 3
    tape.gradient(y, x)
    try:
        tape.gradient(z, x)
        second_call = "no error"
    except RuntimeError as error:
        second_call = f"RuntimeError: {str(error).split('.')[0]}."

    with tf.GradientTape(persistent=True) as tape:
        y = x ** 2
        z = x ** 3
    dy_dx = tape.gradient(y, x)
    dz_dx = tape.gradient(z, x)
    del tape
    return dict(second_call=second_call, dy_dx=_value(dy_dx), dz_dx=_value(dz_dx))


def _explain_higher_order(facts):
    if not (facts["dy_dx"] == 12.0 and facts["d2y_dx2"] == 12.0):
        return _unexpected("the nested tapes gave other derivatives")
    return ("The inner tape records y = x³ and gives dy/dx = 3x² = 12 at x = 2. Because that gradient is "
            "itself computed while the outer tape is recording, the outer tape can differentiate it "
            "again: d²y/dx² = 6x = 12.")


@_register("higher_order", "Second derivatives with nested tapes")(_explain_higher_order)
def _higher_order():
    x = tf.Variable(2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x ** 3
        dy_dx = inner.gradient(y, x)
    d2y_dx2 = outer.gradient(dy_dx, x)
    return dict(dy_dx=_value(dy_dx), d2y_dx2=_value(d2y_dx2))


def _explain_multiple_sources(facts):
    if not (facts["as_list"] == [2.0, 1.0] and facts["as_dict"] == {"w": 2.0, "b": 1.0}):
        return _unexpected("the gradients did not mirror the sources")
    return ("tape.gradient returns gradients in the same structure as its sources: a list gives a list, "
            "a dict gives a dict with the same keys. For y = w·x + b at x = 2: dy/dw = x = 2 and dy/db = 1. "
            "This is how optimizers receive one gradient per trainable weight.")


@_register("multiple_sources", "Several sources at once")(_explain_multiple_sources)
def _multiple_sources():
    w = tf.Variable(0.5)
    b = tf.Variable(0.1)
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = w * x + b
    as_list = tape.gradient(y, [w, b])
    as_dict = tape.gradient(y, {"w": w, "b": b})
    return dict(as_list=[_value(g) for g in as_list], as_dict={k: _value(g) for k, g in as_dict.items()})


def _explain_non_scalar(facts):
    if not (facts["gradient"].tolist() == [2.0, 4.0, 6.0] and facts["jacobian"].tolist()
            == [[2.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 6.0]] and facts["batch_jacobian_shape"] == (2, 3, 3)):
        return _unexpected("the non-scalar gradients had other values")
    return ("With a vector target, tape.gradient silently sums it first: the result is d(sum(y))/dx = 2x, "
            "one number per input. tape.jacobian keeps every output separate: a 3×3 matrix whose row i "
            "is dy_i/dx. tape.batch_jacobian does the same per example when examples do not interact, "
            "giving shape (batch, outputs, inputs) = (2, 3, 3) without the cross-example zeros.")


@_register("non_scalar_target", "Gradients of a vector: sum, jacobian, batch_jacobian")(_explain_non_scalar)
def _non_scalar_target():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        y = x ** 2
    gradient = tape.gradient(y, x)
    jacobian = tape.jacobian(y, x)

    batch = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with tf.GradientTape() as tape:
        out = batch ** 2
    batch_jacobian = tape.batch_jacobian(out, batch)
    return dict(gradient=gradient.numpy(), jacobian=jacobian.numpy(),
                batch_jacobian_shape=tuple(batch_jacobian.shape))


def _explain_stop_gradient(facts):
    if not (facts["full"] == 12.0 and facts["with_stop_gradient"] == 6.0 and facts["with_stop_recording"] == 6.0):
        return _unexpected("stopping the gradient did not halve it")
    return ("y = x² + x² at x = 3 has dy/dx = 12. Wrapping one term in tf.stop_gradient makes the tape "
            "treat it as a constant, so only 2x = 6 remains. tape.stop_recording() does the same for a "
            "whole block of code: nothing computed inside it is recorded.")


@_register("stop_gradient", "Blocking gradients: tf.stop_gradient and tape.stop_recording()")(_explain_stop_gradient)
def _stop_gradient():
    x = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        full_y = x ** 2 + x ** 2
        stopped_y = x ** 2 + tf.stop_gradient(x ** 2)
        with tape.stop_recording():
            unrecorded = x ** 2
        recorded_y = x ** 2 + unrecorded
    full = tape.gradient(full_y, x)
    with_stop_gradient = tape.gradient(stopped_y, x)
    with_stop_recording = tape.gradient(recorded_y, x)
    return dict(full=_value(full), with_stop_gradient=_value(with_stop_gradient),
                with_stop_recording=_value(with_stop_recording))


def _explain_unconnected(facts):
    if not (facts["default"] is None and facts["zero"] == 0.0):
        return _unexpected("an unconnected source did not give None")
    return ("z never takes part in computing y, so there is no path from y back to z and tape.gradient "
            "returns None, not 0. None tells you the source is disconnected (often a bug); if 0 is what "
            "you want, pass unconnected_gradients=tf.UnconnectedGradients.ZERO.")


@_register("unconnected", "A source the target does not depend on")(_explain_unconnected)
def _unconnected():
    x = tf.Variable(2.0)
    z = tf.Variable(5.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x ** 2
    default = tape.gradient(y, z)
    zero = tape.gradient(y, z, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return dict(default=_value(default), zero=_value(zero))


def _explain_integer(facts):
    if not (facts["integer_gradient"] is None and facts["float_gradient"] == 6.0):
        return _unexpected("an integer input had a gradient")
    return ("tf.constant(3) is an int32 tensor, and integers have no gradient: the tape refuses to watch "
            "them (TensorFlow logs a warning) and returns None. Use floats for anything you differentiate: "
            "tf.constant(3.0), or tf.cast(x, tf.float32) before the tape.")


@_register("integer_input", "Integers have no gradient")(_explain_integer)
def _integer_input():
    x = tf.constant(3)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    integer_gradient = tape.gradient(y, x)

    x = tf.cast(x, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    float_gradient = tape.gradient(y, x)
    return dict(integer_gradient=_value(integer_gradient), float_gradient=_value(float_gradient))


def _explain_numpy(facts):
    if not (facts["through_numpy"] is None and facts["through_tensorflow"] == 6.0):
        return _unexpected("a detour through NumPy kept the gradient")
    return ("x.numpy() hands the value to NumPy, which the tape cannot see: np.square computes the right "
            "number, but the result is a new constant with no recorded history, so the gradient is None. "
            "Stay in TensorFlow ops (tf.square, tf.math.*) between the input and the loss.")


@_register("numpy_breaks_the_tape", "A detour through NumPy breaks the tape")(_explain_numpy)
def _numpy_breaks_the_tape():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = tf.constant(np.square(x.numpy()))
    through_numpy = tape.gradient(y, x)

    with tf.GradientTape() as tape:
        y = tf.square(x)
    through_tensorflow = tape.gradient(y, x)
    return dict(through_numpy=_value(through_numpy), through_tensorflow=_value(through_tensorflow))


def _explain_not_trainable(facts):
    if not (facts["not_trainable"] is None and facts["watched_by_hand"] == 6.0):
        return _unexpected("a non-trainable variable was watched automatically")
    return ("Only trainable Variables are watched automatically. tf.Variable(..., trainable=False) is how "
            "Keras stores things that are not learned (BatchNormalization's moving averages, step counters), "
            "so the tape ignores it and the gradient is None. tape.watch(v) watches it anyway.")


@_register("variable_trainable_false", "Variables with trainable=False")(_explain_not_trainable)
def _variable_trainable_false():
    v = tf.Variable(3.0, trainable=False)
    with tf.GradientTape() as tape:
        y = v ** 2
    not_trainable = tape.gradient(y, v)

    with tf.GradientTape() as tape:
        tape.watch(v)
        y = v ** 2
    watched_by_hand = tape.gradient(y, v)
    return dict(not_trainable=_value(not_trainable), watched_by_hand=_value(watched_by_hand))
