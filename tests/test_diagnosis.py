"""tfedu._diagnosis: why a gradient is None, found by looking at the input and re-running f."""
import numpy as np
import pytest
import tensorflow as tf

from tfedu import _diagnosis
from tfedu._diagnosis import CAUSES, diagnose_input, diagnose_none_gradient, explain

X = tf.constant([1.0, 2.0])
W = tf.constant(3.0)


# --- explain ------------------------------------------------------------------------------

def test_every_cause_has_an_explanation_and_a_fix():
    for cause in CAUSES:
        diagnosis = explain(cause, "w")
        assert diagnosis.cause == cause and diagnosis.name == "w"
        headline = "Gradient is not None" if cause == "gradient_exists" else "Gradient is None"
        assert str(diagnosis) == diagnosis.message == f"{headline} for w: {diagnosis.explanation} {diagnosis.fix}"
        assert diagnosis.is_none == (cause != "gradient_exists")
        assert diagnosis.explanation.endswith(".") and diagnosis.fix.endswith(".")


def test_explain_texts_name_the_input_and_the_fix():
    assert str(explain("not_watched", "x")) == (
        "Gradient is None for x: it is a plain tensor, not a tf.Variable, and the tape was not watching it. "
        "Call tape.watch(x) inside the `with tf.GradientTape() as tape:` block, or make it a tf.Variable.")
    assert "tape.watch(v)" in explain("variable_not_trainable", "v").fix
    assert explain("integer_dtype", "n", dtype="int64").explanation.startswith("it has dtype int64")
    assert "tf.py_function" in explain("left_the_graph", "x", op="op EagerPyFunc").explanation
    assert "NumPy, .numpy() or a Python number" in explain("left_the_graph", "x").explanation
    stop = explain("non_differentiable_op", "x", op="tf.stop_gradient (op StopGradient)", reason="it blocks")
    assert stop.explanation == ("the path from x to the output goes through tf.stop_gradient (op StopGradient), "
                                "which has no gradient: it blocks.")
    assert stop.fix == "Remove tf.stop_gradient if the gradient should flow through it."
    assert "UnconnectedGradients.ZERO" in explain("unconnected", "b").fix
    assert "outside the `with tf.GradientTape() as tape:` block" in explain("not_recorded", "x").explanation


def test_explain_rejects_an_unknown_cause():
    with pytest.raises(ValueError, match="Unknown cause 'nope'; expected one of: not_watched, "):
        explain("nope")


# --- the input alone --------------------------------------------------------------------------

def test_diagnose_input_reads_dtype_variable_and_watch_state():
    assert diagnose_input(tf.constant([1, 2]), "n").cause == "integer_dtype"
    assert diagnose_input(np.array([True]), "mask").explanation.startswith("it has dtype bool")
    assert diagnose_input(tf.constant(1.0), "x", watched=False).cause == "not_watched"
    assert diagnose_input(tf.constant(1.0), "x", watched=True) is None
    assert diagnose_input(tf.constant(1.0), "x") is None  # unknown: cannot tell from the input
    assert diagnose_input(tf.Variable(1.0, trainable=False), "v").cause == "variable_not_trainable"
    assert diagnose_input(tf.Variable(1.0, trainable=False), "v", watched=True) is None
    assert diagnose_input(tf.Variable(1.0), "w", watched=False) is None  # variables are watched automatically


def test_call_style():
    assert _diagnosis.call_style(lambda x, w: x, 2) == "arguments"
    assert _diagnosis.call_style(lambda *args: 0, 3) == "arguments"
    assert _diagnosis.call_style(lambda: 0, 2) == "closure"
    assert _diagnosis.call_style(tf.sin, 1) == "arguments"


# --- re-running f -----------------------------------------------------------------------------

@pytest.mark.parametrize("f, cause, op", [
    (lambda x, w: tf.constant(np.sum(x.numpy())) * w, "left_the_graph", None),
    (lambda x, w: tf.reduce_sum(tf.constant(np.sin(x))) * w, "left_the_graph", None),
    (lambda x, w: tf.constant(float(x[0])) * w, "left_the_graph", None),
    (lambda x, w: tf.numpy_function(lambda a: a.sum(), [x], tf.float32) * w, "left_the_graph", "op PyFunc"),
    (lambda x, w: tf.cast(tf.argmax(x), tf.float32) * w, "non_differentiable_op", "tf.argmax (op ArgMax)"),
    (lambda x, w: tf.reduce_sum(tf.round(x)) * w, "non_differentiable_op", "tf.round (op Round)"),
    (lambda x, w: tf.cast(tf.reduce_sum(tf.cast(x, tf.int32)), tf.float32) * w, "non_differentiable_op",
     "tf.cast (op Cast)"),
    (lambda x, w: tf.reduce_sum(tf.stop_gradient(x)) * w, "non_differentiable_op",
     "tf.stop_gradient (op StopGradient)"),
    (lambda x, w: tf.reduce_sum(tf.where(x > 1.5, 1.0, 0.0)) * w, "non_differentiable_op",
     "a comparison (>) (op Greater)"),
    (lambda x, w: w * 2.0, "unconnected", None),
])
def test_causes_found_by_following_the_graph(f, cause, op):
    diagnosis = diagnose_none_gradient(f, X, W, index=0, name="x")
    assert diagnosis.cause == cause
    assert diagnosis.op == op
    assert str(diagnosis).startswith("Gradient is None for x: ")


def test_argmax_diagnosis_suggests_softmax():
    diagnosis = diagnose_none_gradient(lambda x: tf.cast(tf.argmax(x), tf.float32), X, name="scores")
    assert str(diagnosis) == (
        "Gradient is None for scores: the path from scores to the output goes through tf.argmax (op ArgMax), "
        "which has no gradient: it returns an integer index, which does not change smoothly. Use a "
        "differentiable alternative (for example tf.nn.softmax instead of tf.argmax), or keep the values as "
        "floats.")


def test_static_causes_come_before_re_running():
    def explode(*args):
        raise AssertionError("f must not be called for a static cause")

    assert diagnose_none_gradient(explode, tf.constant([1, 2])).cause == "integer_dtype"
    assert diagnose_none_gradient(explode, X, watched=False).cause == "not_watched"
    assert diagnose_none_gradient(explode, tf.Variable(1.0, trainable=False), watched=None).cause == (
        "variable_not_trainable")


def test_a_gradient_that_exists_is_reported_as_fine_not_given_a_made_up_cause():
    fine = lambda x: tf.reduce_sum(x ** 2)  # noqa: E731
    for x, watched in ((X, True), (X, None), (tf.Variable([1.0]), None)):
        diagnosis = diagnose_none_gradient(fine, x, watched=watched, name="x")
        assert diagnosis.cause == "gradient_exists" and not diagnosis.is_none
        assert str(diagnosis).startswith("Gradient is not None for x: re-running the function inside a "
                                         "GradientTape that watches x gives a gradient (")
        assert "did not watch x (call tape.watch(x)" in str(diagnosis)
    # tf.py_function of TensorFlow ops is differentiable: the gradient flows, nothing "left the graph"
    through_py_function = diagnose_none_gradient(
        lambda x, w: tf.py_function(lambda a: tf.reduce_sum(a), [x], tf.float32) * w, X, W)
    assert through_py_function.cause == "gradient_exists" and "[3. 3.]" in str(through_py_function)
    # the user said their tape did not watch a plain tensor: that is the cause
    assert diagnose_none_gradient(fine, X, watched=False).cause == "not_watched"


def test_a_function_that_raises_is_reported_not_diagnosed():
    with pytest.raises(ValueError, match=r"f raised ZeroDivisionError when called with the inputs: division by "
                                         r"zero\. Fix f first"):
        diagnose_none_gradient(lambda x: 1 / 0, X)
    with pytest.raises(ValueError, match=r"f raised InvalidArgumentError when called with the inputs: Input to "
                                         r"reshape is a tensor with 2 values"):
        diagnose_none_gradient(lambda x: tf.reshape(x, [5]), X)
    with pytest.raises(TypeError, match=r"f returned None: it must return a tensor"):
        diagnose_none_gradient(lambda x: None, X)


def test_functions_that_read_variables_themselves():
    v, w = tf.Variable([1.0, 2.0], name="v"), tf.Variable(2.0, name="w")
    rounded = diagnose_none_gradient(lambda: tf.reduce_sum(tf.round(v) * w), v, w, index=0, name="v")
    assert rounded.cause == "non_differentiable_op" and rounded.op == "tf.round (op Round)"
    assert diagnose_none_gradient(lambda: tf.reduce_sum(v * 2.0), v, w, index=1).cause == "unconnected"
    assert diagnose_none_gradient(lambda: tf.reduce_sum(v.numpy() * w), v, w).cause == "left_the_graph"
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])  # nothing was changed


def test_eager_fallback_when_f_cannot_be_traced():
    def eager_only(x, w):
        if not tf.executing_eagerly():
            raise RuntimeError("this function only runs eagerly")
        return tf.constant(float(np.sum(x))) * w

    assert diagnose_none_gradient(eager_only, X, W, index=0).cause == "left_the_graph"

    def eager_only_unused(x, w):
        if not tf.executing_eagerly():
            raise RuntimeError("this function only runs eagerly")
        return w * 2.0

    assert diagnose_none_gradient(eager_only_unused, X, W, index=0).cause == "unconnected"


def test_default_name_and_argument_errors():
    assert diagnose_none_gradient(lambda x, w: w, X, W).name == "input 0"
    with pytest.raises(ValueError, match=r"Give the inputs f is called with"):
        diagnose_none_gradient(lambda: 0.0)
    with pytest.raises(IndexError, match="index 2 is out of range for 2 input"):
        diagnose_none_gradient(lambda x, w: w, X, W, index=2)
