"""tfedu.gradcheck: finite differences, autodiff checks, reports, Keras models."""
import math
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfedu import gradcheck
from tfedu.gradcheck import check_gradients, check_model_gradients, numerical_gradient

RNG = np.random.default_rng(0)
X3 = tf.constant([0.5, -1.0, 2.0])


def values(tensor):
    return np.asarray(tensor, dtype=np.float64)


# --- numerical_gradient ------------------------------------------------------------------------

@pytest.mark.parametrize("f, derivative", [
    (lambda x: tf.reduce_sum(x ** 3 - 2 * x), lambda x: 3 * x ** 2 - 2),
    (lambda x: tf.reduce_sum(tf.exp(x)), np.exp),
    (lambda x: tf.reduce_sum(tf.math.log(x + 3.0)), lambda x: 1 / (x + 3)),
    (lambda x: tf.reduce_sum(tf.sin(x) * x), lambda x: np.cos(x) * x + np.sin(x)),
])
def test_numerical_gradient_matches_analytic_derivatives(f, derivative):
    x64 = tf.constant(values(X3))
    g = numerical_gradient(f, x64)
    assert g.dtype == tf.float64 and g.shape == (3,)
    np.testing.assert_allclose(values(g), derivative(values(X3)), rtol=1e-9, atol=1e-9)
    g32 = numerical_gradient(f, X3)  # float32 input: computed in float64, returned as float32
    assert g32.dtype == tf.float32
    np.testing.assert_allclose(values(g32), derivative(values(X3)), rtol=1e-6)


def test_numerical_gradient_methods_and_eps():
    f = lambda x: tf.reduce_sum(x ** 3)  # noqa: E731
    x = tf.constant([1.0, 2.0], tf.float64)
    exact = [3.0, 12.0]
    np.testing.assert_allclose(values(numerical_gradient(f, x, method="forward")), exact, rtol=1e-6)
    np.testing.assert_allclose(values(numerical_gradient(f, x, method="backward")), exact, rtol=1e-6)
    # a large step shows the truncation error. The step is h = eps * max(1, |x|): 0.1 and 0.2 here.
    # For x**3, central differences are off by exactly h**2, forward ones by 3 x h + h**2.
    np.testing.assert_allclose(values(numerical_gradient(f, x, eps=0.1)), [3.01, 12.04], rtol=1e-9)
    forward = values(numerical_gradient(f, x, eps=0.1, method="forward"))
    np.testing.assert_allclose(forward, [3.31, 13.24], rtol=1e-9)


def test_numerical_gradient_of_softmax_cross_entropy():
    logits = tf.constant([[2.0, -1.0, 0.5], [0.1, 0.2, 0.3]], tf.float64)
    labels = tf.constant([0, 2])

    def loss(z):
        return tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, z))

    expected = tf.nn.softmax(logits).numpy() - np.eye(3)[[0, 2]]
    np.testing.assert_allclose(values(numerical_gradient(loss, logits)), expected, atol=1e-9)


def test_several_inputs_give_a_list_like_tape_gradient():
    x = tf.constant([[1.0, 2.0]], tf.float64)
    w = tf.Variable([[1.0, -1.0, 0.5], [2.0, 0.0, 1.0]], dtype=tf.float64)
    result = numerical_gradient(lambda x, w: tf.reduce_sum(x @ w), x, w)
    assert isinstance(result, list) and len(result) == 2
    gx, gw = result
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x @ w)
    tape_gx, tape_gw = tape.gradient(y, [x, w])
    np.testing.assert_allclose(values(gx), [[0.5, 3.0]], atol=1e-9)
    np.testing.assert_allclose(values(gx), values(tape_gx), atol=1e-9)
    np.testing.assert_allclose(values(gw), values(tape_gw), atol=1e-9)
    assert gw.shape == w.shape and gw.dtype == tf.float64


def test_non_scalar_outputs_give_the_jacobian():
    x = tf.constant([1.0, 2.0, 3.0], tf.float64)
    jac = numerical_gradient(lambda x: x ** 2, x)
    assert jac.shape == (3, 3)
    np.testing.assert_allclose(values(jac), np.diag([2.0, 4.0, 6.0]), atol=1e-9)
    a = tf.constant([[1.0, 2.0, 3.0], [0.0, -1.0, 4.0]], tf.float64)
    jac = numerical_gradient(lambda x: tf.linalg.matvec(a, x), x)
    np.testing.assert_allclose(values(jac), values(a), atol=1e-9)
    w = tf.constant(RNG.normal(size=(3, 2)))
    jac = numerical_gradient(lambda w: tf.constant([[1.0, 2.0, 3.0]], tf.float64) @ w, w)
    assert jac.shape == (1, 2, 3, 2)
    with tf.GradientTape() as tape:
        tape.watch(w)
        y = tf.constant([[1.0, 2.0, 3.0]], tf.float64) @ w
    np.testing.assert_allclose(values(jac), values(tape.jacobian(y, w)), atol=1e-9)


def test_variables_read_by_a_function_without_arguments():
    w = tf.Variable([1.0, 2.0], dtype=tf.float64, name="w")
    b = tf.Variable(0.5, dtype=tf.float64, name="b")

    def loss():
        return tf.reduce_sum((w * 3.0 + b) ** 2)

    gw, gb = numerical_gradient(loss, w, b)
    np.testing.assert_allclose(values(gw), [6 * 3.5, 6 * 6.5], rtol=1e-9)
    np.testing.assert_allclose(values(gb), 2 * 3.5 + 2 * 6.5, rtol=1e-9)
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])  # restored
    assert b.numpy() == 0.5


# --- check_gradients: passing ------------------------------------------------------------------

def test_check_passes_with_tiny_errors_and_names_from_the_signature():
    def loss(x, w):
        return tf.reduce_sum(tf.sin(x) * w ** 2)

    report = check_gradients(loss, X3, tf.constant([2.0, -1.0, 0.5]))
    assert report.passed and report.mode == "full" and report.dtype == "float64" and report.order == 1
    assert [row.name for row in report.rows] == ["x", "w"]
    assert [row.checked for row in report.rows] == [3, 3]
    assert report.max_rel_error < 1e-8 and report.max_abs_error < 1e-8
    assert report.rtol == 1e-5 and report.atol == 1e-8 and report.eps == pytest.approx(6.0555e-6, rel=1e-4)
    lines = str(report).splitlines()
    assert lines[0] == "Gradient check of loss: passed"
    assert lines[1] == "full mode (every element), float64, central differences"
    assert lines[2].split() == ["input", "shape", "checked", "max", "abs", "error", "max", "rel", "error", "result"]
    assert lines[3].startswith("x      (3,)   3 elements") and lines[3].endswith("ok")
    assert lines[-1] == "tolerance: rtol 1e-05, atol 1e-08; step eps 6.1e-06 (times max(1, |x|))"
    assert repr(report) == str(report)
    report.assert_passed()  # does not raise


def test_report_text_is_deterministic_and_rounded():
    f = lambda x, y: tf.reduce_sum(tf.tanh(x) * y)  # noqa: E731
    first = str(check_gradients(f, X3, X3 * 2))
    second = str(check_gradients(f, X3, X3 * 2))
    assert first == second
    errors = [cell for line in first.splitlines()[3:5] for cell in line.split() if "e-" in cell]
    assert errors and all(len(cell) == len("1.2e-10") for cell in errors)
    assert "0x" not in first


def test_variables_as_arguments_and_read_directly():
    w = tf.Variable([1.0, -2.0], name="w")
    by_argument = check_gradients(lambda w: tf.reduce_sum(tf.exp(w)), w)
    assert by_argument.passed and by_argument.dtype == "float64"  # promoted: its values are passed
    direct = check_gradients(lambda: tf.reduce_sum(tf.exp(w) * 2.0), w)
    assert direct.passed and direct.rows[0].name == "w" and direct.dtype == "float32"
    np.testing.assert_array_equal(w.numpy(), [1.0, -2.0])


def test_custom_names_and_python_number_inputs():
    report = check_gradients(lambda *xs: xs[0] * xs[1] ** 2, 1.5, [2.0], names=["a", "b"])
    assert report.passed and [row.name for row in report.rows] == ["a", "b"]
    with pytest.raises(ValueError, match="names has 1 entries but there are 2 inputs"):
        check_gradients(lambda a, b: a * b, 1.0, 2.0, names=["a"])


def test_jacobian_of_a_non_scalar_output_full_and_fast():
    x = tf.constant(RNG.normal(size=(4,)))
    w = tf.constant(RNG.normal(size=(4, 3)))
    full = check_gradients(lambda x, w: tf.nn.softmax(tf.linalg.matvec(w, x, transpose_a=True)), x, w)
    assert full.passed and [row.checked for row in full.rows] == [3 * 4, 3 * 12]
    fast = check_gradients(lambda x, w: tf.nn.softmax(tf.linalg.matvec(w, x, transpose_a=True)), x, w,
                           mode="fast", forward_mode=True)
    assert fast.passed and fast.mode == "fast"
    assert [(row.name, row.autodiff, row.checked, row.unit) for row in fast.rows] == [
        ("x", "reverse", 4, "directions"), ("x", "forward", 4, "directions"),
        ("w", "reverse", 4, "directions"), ("w", "forward", 4, "directions")]
    # forward mode compares whole Jacobian-vector products: one element per output
    assert fast.rows[1].worst[0].label.startswith("direction ") and ", f[" in fast.rows[1].worst[0].label


# --- wrong gradients ---------------------------------------------------------------------------

@tf.custom_gradient
def cube_with_wrong_gradient(x):
    return x ** 3, lambda dy: dy * 3 * x  # should be 3 * x ** 2


@tf.custom_gradient
def square_wrong_at_index_2(x):
    def grad(dy):
        correct = 2 * x
        return dy * tf.tensor_scatter_nd_update(correct, [[2]], correct[2:3] + 1.0)

    return x ** 2, grad


def test_wrong_custom_gradient_is_caught_and_located():
    report = check_gradients(lambda x: tf.reduce_sum(cube_with_wrong_gradient(x)), tf.constant([1.0, 2.0]))
    assert not report.passed and report.rows[0].status == "failed" and report.rows[0].failed == 1
    worst = report.rows[0].worst[0]
    assert (worst.label, worst.index, worst.direction, worst.status) == ("x[1]", (1,), None, "wrong")
    assert worst.autodiff == pytest.approx(6.0) and worst.numerical == pytest.approx(12.0, rel=1e-8)
    assert report.max_rel_error == pytest.approx(0.5, rel=1e-8)
    text = str(report)
    assert text.splitlines()[0] == "Gradient check of f: FAILED for 1 of 1 input"
    assert "x      (2,)   2 elements  6.0e+00        5.0e-01        FAILED (1 of 2 wrong)" in text
    assert "  x[1]: autodiff 6, numerical 12 (abs error 6.0e+00, rel error 5.0e-01): WRONG" in text
    with pytest.raises(AssertionError, match=r"FAILED for 1 of 1 input[\s\S]*x\[1\]: autodiff 6"):
        report.assert_passed()


def test_one_wrong_element_among_many_is_found():
    x = tf.constant(RNG.normal(size=(20,)))
    report = check_gradients(lambda x: tf.reduce_sum(square_wrong_at_index_2(x)), x)
    row = report.rows[0]
    assert row.status == "failed" and row.failed == 1 and row.checked == 20
    assert row.worst[0].label == "x[2]" and row.worst[0].abs_error == pytest.approx(1.0, rel=1e-6)
    assert [e.status for e in row.worst] == ["wrong"]


def test_wrong_gradient_in_fast_mode_and_forward_mode():
    x = tf.constant(RNG.normal(size=(50,)))
    fast = check_gradients(lambda x: tf.reduce_sum(cube_with_wrong_gradient(x)), x, mode="fast")
    assert not fast.passed and fast.rows[0].failed == 4 and fast.rows[0].worst[0].label.startswith("direction ")
    assert fast.rows[0].worst[0].index is None and fast.rows[0].worst[0].direction in range(4)
    both = check_gradients(lambda x: tf.reduce_sum(cube_with_wrong_gradient(x)), tf.constant([1.0, 2.0]),
                           forward_mode=True)
    # forward mode differentiates the forward computation (x ** 3): it never calls the custom gradient
    assert [(row.autodiff, row.status) for row in both.rows] == [("reverse", "failed"), ("forward", "ok")]
    assert str(both).startswith("Gradient check of f: FAILED for 1 of 1 input\n")
    assert both.notes == ("forward mode agrees with finite differences but reverse mode does not (for x): the "
                          "bug is in a gradient used only by reverse mode, typically a tf.custom_gradient "
                          "function, which forward mode does not call.",)


# --- kinks -------------------------------------------------------------------------------------

def test_relu_at_zero_is_a_kink_not_a_bug():
    report = check_gradients(lambda x: tf.reduce_sum(tf.nn.relu(x)), tf.constant([0.0, 1.0, -1.0]))
    row = report.rows[0]
    assert report.passed and row.status == "kink" and row.kinks == 1 and row.failed == 0
    kink = row.worst[0]
    assert (kink.label, kink.status, kink.autodiff, kink.left) == ("x[0]", "kink", 0.0, 0.0)
    assert kink.right == pytest.approx(1.0, rel=1e-9)
    assert row.result == "ok (1 non-differentiable point)"
    assert report.max_abs_error < 1e-8  # the kink is left out of the errors
    assert ("non-differentiable points (not autodiff bugs):\n  x[0]: autodiff 0, slope from the left 0, from "
            "the right 1: a kink") in str(report)


@pytest.mark.parametrize("f, x", [
    (lambda x: tf.reduce_sum(tf.abs(x)), [0.0, 2.0]),  # central differences agree, one-sided ones don't
    (lambda x: tf.reduce_sum(tf.maximum(x, 1.0)), [1.0, 3.0]),
    (lambda x: tf.reduce_sum(tf.nn.relu(x)), [1e-7, 3.0]),  # a kink closer than one step
])
def test_other_kinks(f, x):
    report = check_gradients(f, tf.constant(x, tf.float64))
    assert report.passed and report.rows[0].kinks == 1 and report.rows[0].worst[0].label == "x[0]"


def test_a_jump_is_reported_as_non_differentiable():
    report = check_gradients(lambda x: tf.reduce_sum(tf.where(x > 0, x + 1.0, x)), tf.constant([0.0, 1.0]))
    assert report.passed and report.rows[0].worst[0].status == "jump"
    assert "the function jumps here, so no derivative exists" in str(report)


def test_a_wrong_value_at_a_kink_still_fails():
    @tf.custom_gradient
    def bad_relu(x):
        return tf.nn.relu(x), lambda dy: dy * tf.where(x > 0, 1.0, 5.0)

    report = check_gradients(lambda x: tf.reduce_sum(bad_relu(x)), tf.constant([0.0, 2.0]))
    assert not report.passed and report.rows[0].worst[0].status == "wrong"


def test_smooth_points_with_zero_slope_are_not_kinks():
    report = check_gradients(lambda x: tf.reduce_sum(x ** 2 + x ** 4), tf.constant([0.0, 1e-9, 1.0], tf.float64))
    assert report.passed and report.rows[0].status == "ok" and report.rows[0].kinks == 0


# --- None gradients -----------------------------------------------------------------------------

def test_none_gradients_are_explained():
    report = check_gradients(lambda x, y, z: tf.reduce_sum(tf.constant(x.numpy() ** 2)) + tf.cast(
        tf.argmax(y), tf.float32) + tf.reduce_sum(z), X3, X3, X3)
    assert [row.status for row in report.rows] == ["none", "none", "ok"]
    assert [row.diagnosis.cause for row in report.rows[:2]] == ["left_the_graph", "non_differentiable_op"]
    assert not report.passed and report.rows[0].result == "NO GRADIENT"
    text = str(report)
    assert text.splitlines()[0] == "Gradient check of f: FAILED for 2 of 3 inputs"
    assert "Gradient is None for x: the output depends on it, but the values went through NumPy" in text
    assert "Gradient is None for y: the path from y to the output goes through tf.argmax (op ArgMax)" in text


def test_unused_input_is_unconnected():
    report = check_gradients(lambda x, unused: tf.reduce_sum(x ** 2), X3, X3)
    assert report.rows[1].diagnosis.cause == "unconnected" and report.failures == (report.rows[1],)


# --- float32 -------------------------------------------------------------------------------------

def test_float32_when_f_cannot_run_in_float64_is_said_in_the_report():
    w32 = tf.constant([[1.0], [2.0], [3.0]])
    report = check_gradients(lambda x: tf.reduce_sum(x[None] @ w32), X3)
    assert report.passed and report.dtype == "float32" and (report.rtol, report.atol) == (2e-2, 1e-3)
    assert report.eps == pytest.approx(4.92e-3, rel=1e-3)
    assert report.notes == (
        "f does not run in float64 (it mixes in float32 tensors or variables), so the check ran in float32, "
        "where round-off limits finite differences to a few significant digits; tolerances are looser. Make "
        "every tensor it uses float64 for a sharper check.",)
    assert str(report).endswith(report.notes[0]) and "rtol 2e-02, atol 1e-03" in str(report)
    cast = check_gradients(lambda x: tf.reduce_sum(tf.cast(x, tf.float32) ** 2), X3)
    assert cast.dtype == "float32" and "(it returns float32 even for float64 inputs, so something inside " \
        "casts)" in cast.notes[0]
    layer = keras.layers.Dense(2)
    by_layer = check_gradients(layer, tf.ones((1, 3)))
    assert by_layer.subject == "Dense" and by_layer.dtype == "float32" and by_layer.passed
    no_promotion = check_gradients(lambda x: tf.reduce_sum(x ** 2), X3, float64=False)
    assert no_promotion.dtype == "float32" and no_promotion.passed


def test_float32_variables_read_directly():
    v = tf.Variable(RNG.normal(size=(30,)).astype("float32"), name="v")
    report = check_gradients(lambda: tf.reduce_sum(tf.sin(v) * v), v)
    assert report.passed and report.dtype == "float32"
    assert "reads float32 variables directly" in report.notes[0] and "dtype=tf.float64" in report.notes[0]


# --- modes, order 2, forward mode ----------------------------------------------------------------

def test_auto_mode_switches_to_fast_above_the_limit(monkeypatch):
    monkeypatch.setattr(gradcheck, "FULL_CHECK_LIMIT", 10)
    x = tf.constant(RNG.normal(size=(11,)))
    report = check_gradients(lambda x: tf.reduce_sum(x ** 3), x, directions=3, seed=5)
    assert report.mode == "fast" and report.directions == 3 and report.rows[0].checked == 3
    assert "fast mode (3 random directions per input, seed 5)" in str(report)
    assert "(times max(1, |x|))" not in str(report)
    assert check_gradients(lambda x: tf.reduce_sum(x ** 3), x[:10]).mode == "full"


def test_fast_mode_is_deterministic_for_a_seed():
    x = tf.constant(RNG.normal(size=(100,)))
    f = lambda x: tf.reduce_sum(tf.tanh(x) ** 2)  # noqa: E731
    a, b = check_gradients(f, x, mode="fast", seed=1), check_gradients(f, x, mode="fast", seed=1)
    assert a.passed and str(a) == str(b)
    assert [e.autodiff for e in a.rows[0].worst] == [e.autodiff for e in b.rows[0].worst]
    c = check_gradients(f, x, mode="fast", seed=2)
    assert c.rows[0].worst[0].autodiff != a.rows[0].worst[0].autodiff


def test_second_order_hessian_and_hessian_vector_products():
    def f(x, w):
        return tf.reduce_sum(tf.sin(x) * w ** 3) + tf.reduce_sum(x ** 2) * w[0]

    w = tf.constant([0.5, -1.0, 2.0])
    full = check_gradients(f, X3, w, order=2, forward_mode=True)
    assert full.passed and full.order == 2
    assert [row.autodiff for row in full.rows] == ["reverse-over-reverse", "forward-over-reverse"] * 2
    assert [row.checked for row in full.rows] == [6 * 3] * 4  # a (6, 3) block of the Hessian per input
    assert "second derivatives" in full.settings
    fast = check_gradients(f, X3, w, order=2, mode="fast", directions=2)
    assert fast.passed and [row.checked for row in fast.rows] == [2, 2]
    cube = lambda x: tf.reduce_sum(x ** 3)  # noqa: E731
    assert check_gradients(cube, tf.ones(201), order=2).mode == "fast"  # a full Hessian would be too big


def test_second_order_catches_a_gradient_that_is_not_differentiable():
    @tf.custom_gradient
    def square(x):
        return x ** 2, lambda dy: dy * 2 * tf.stop_gradient(x)  # right value, wrong second derivative

    f = lambda x: tf.reduce_sum(square(x))  # noqa: E731
    assert check_gradients(f, X3).passed
    second = check_gradients(f, X3, order=2)
    assert not second.passed
    assert second.rows[0].worst[0].label.startswith("d2f/dx[")
    assert second.rows[0].worst[0].autodiff == 0.0 and second.rows[0].worst[0].numerical == pytest.approx(2.0)


# --- vectorization -------------------------------------------------------------------------------

def test_vectorized_and_loop_evaluation_agree():
    x = tf.constant(RNG.normal(size=(40,)))
    f = lambda x: tf.reduce_sum(tf.exp(x) * x)  # noqa: E731
    vectorized = check_gradients(f, x, forward_mode=True)
    loop = check_gradients(f, x, forward_mode=True, vectorize=False)
    assert vectorized.passed and loop.passed and vectorized.notes == loop.notes == ()
    assert [row.autodiff for row in vectorized.rows] == ["reverse", "forward"]
    assert vectorized.max_abs_error == pytest.approx(loop.max_abs_error, rel=0.5, abs=1e-12)
    # round-off of f (a sum of 40 terms up to ~30) divided by the step: ~1e-16 * 100 / 6e-6
    np.testing.assert_allclose(values(numerical_gradient(f, x)), values(tf.exp(x) * (x + 1)), atol=1e-8)


def test_a_function_that_cannot_be_traced_falls_back_to_a_loop():
    def python_branch(x):
        if np.sum(x.numpy()) > 0:  # needs a concrete value: cannot be traced
            return tf.reduce_sum(x ** 2)
        return tf.reduce_sum(x ** 3)

    x = tf.constant(np.abs(RNG.normal(size=(20,))))
    report = check_gradients(python_branch, x)
    assert report.passed
    assert report.notes == ("python_branch could not be vectorized (it runs Python or NumPy code on tensors), "
                            "so each perturbed point was evaluated in a Python loop (slower, same result).",)
    report.assert_passed()


def test_a_stale_traced_function_is_retraced():
    x = tf.constant(RNG.normal(size=(30,)))
    scale = {"value": tf.constant(2.0, tf.float64)}

    def f(x):
        return tf.reduce_sum(scale["value"] * x ** 2)

    np.testing.assert_allclose(values(numerical_gradient(f, x)), 4 * values(x), rtol=1e-8)
    scale["value"] = tf.constant(3.0, tf.float64)  # the cached trace captured the old constant
    np.testing.assert_allclose(values(numerical_gradient(f, x)), 6 * values(x), rtol=1e-8)


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("args, kwargs, error, message", [
    ((tf.constant(1.0), X3), {}, TypeError, r"f must be a function, got a EagerTensor\. Did you call it"),
    (("loss", X3), {}, TypeError, r"f must be a function \(a callable\)"),
    ((tf.reduce_sum,), {}, ValueError, r"Give at least one input"),
    ((lambda *a: tf.reduce_sum(a[0]), tf.constant([1, 2])), {}, TypeError,
     r"Input 0 has dtype int32: gradients only exist for floating-point inputs .* 3\.0 instead of 3"),
    ((lambda x: x, 3), {}, TypeError, r"Input 0 \(x\) has dtype int32"),
    ((lambda x: x, tf.constant([True])), {}, TypeError, r"Input 0 \(x\) has dtype bool"),
    ((lambda x: x, "abc"), {}, TypeError, r"Input 0 \(x\) is a string tensor: gradients need numbers"),
    ((lambda x: x, np.array([1.0, np.nan])), {}, ValueError,
     r"Input 0 \(x\) contains NaN \(at index \(1,\)\): finite differences need finite inputs"),
    ((lambda x: x, [1.0, np.inf]), {}, ValueError, r"contains Inf \(at index \(1,\)\)"),
    ((lambda x: x, tf.zeros((0,))), {}, ValueError, r"Input 0 \(x\) is empty"),
    ((lambda x: None, X3), {}, TypeError, r"f returned None: it must return a tensor\. Did you forget `return`\?"),
    ((lambda x: float(np.sum(x)), X3), {}, TypeError,
     r"f returned a Python float, not a tensor: the result left TensorFlow"),
    ((lambda x: np.sum(x.numpy()), X3), {}, TypeError, r"f returned a NumPy array, not a tensor"),
    ((lambda x: [x, x], X3), {}, TypeError, r"f returned a list; return a single tensor"),
    ((lambda x: tf.cast(x, tf.int32), X3), {}, TypeError, r"f returned a int32 tensor: only floating-point"),
    ((lambda x: tf.math.log(x), X3), {}, ValueError, r"f\(\.\.\.\) is NaN \(element \(1,\)\) at the given inputs"),
    ((lambda x, w: tf.reduce_sum(x @ w), tf.ones((2, 3)), tf.ones((2, 3))), {}, ValueError,
     r"Calling f with the given inputs failed \(InvalidArgumentError: Matrix size-incompatible: In\[0\]: "
     r"\[2,3\], In\[1\]: \[2,3\] \[Op:MatMul\]\)\. Check that the inputs have the "
     r"shapes and dtypes f expects: x \(2, 3\) float32, w \(2, 3\) float32\."),
    ((lambda x: x, X3, X3), {}, ValueError, r"Calling f with the given inputs failed \(TypeError: "),
    ((lambda x: tf.reduce_sum(x * tf.constant(2.0)), np.array([1.0, 2.0])), {}, ValueError,
     r"x \(2,\) float64\. NumPy arrays are float64 by default and TensorFlow constants float32"),
    ((lambda x: tf.reduce_sum(x), X3), {"eps": 0.0}, ValueError, r"eps must be a number in \(0, 1\), got 0\.0\. It is the relative finite-difference step"),
    ((lambda x: tf.reduce_sum(x), X3), {"eps": -1e-6}, ValueError, r"eps must be a number in \(0, 1\), got -1e-06"),
    ((lambda x: tf.reduce_sum(x), X3), {"eps": "small"}, TypeError, r"eps must be a number"),
    ((lambda x: tf.reduce_sum(x), X3), {"method": "centered"}, ValueError,
     r"method 'centered' is not known; did you mean 'central'\? Choose one of: 'central', 'forward', 'backward'"),
    ((lambda x: tf.reduce_sum(x), X3), {"mode": "quick"}, ValueError, r"mode 'quick' is not known\. Choose one of: 'auto', 'full', 'fast'"),
    ((lambda x: tf.reduce_sum(x), X3), {"order": 3}, ValueError, r"order must be an int in \[1, 2\], got 3\. Use 1 to check gradients, 2 to check second"),
    ((lambda x: tf.reduce_sum(x), X3), {"directions": 0}, ValueError, r"directions must be an int >= 1, got 0\. It is the number of random directions"),
    ((lambda x: tf.reduce_sum(x), X3), {"seed": -1}, ValueError, r"seed must be an int >= 0, got -1\. It seeds the random directions"),
    ((lambda x: x ** 2, X3), {"order": 2}, ValueError,
     r"order=2 checks the Hessian of a scalar function, but f returns shape \(3,\); reduce it first"),
    ((lambda: tf.reduce_sum(X3), X3), {}, TypeError,
     r"f takes no arguments, so the inputs must be the tf\.Variables it reads, but input 0"),
    ((lambda x: tf.reduce_sum(x * tf.random.normal([3])), X3), {}, ValueError,
     r"f gives different results for the same inputs .*: it uses randomness"),
])
def test_bad_input_gets_a_clear_error(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        check_gradients(*args, **kwargs)


def test_numerical_gradient_validates_too():
    with pytest.raises(ValueError, match=r"eps must be a number in \(0, 1\), got 0\."):
        numerical_gradient(tf.reduce_sum, X3, eps=0)
    with pytest.raises(ValueError, match="method 'sideways' is not known. Choose one of"):
        numerical_gradient(tf.reduce_sum, X3, method="sideways")
    with pytest.raises(TypeError, match="has dtype int32"):
        numerical_gradient(tf.reduce_sum, tf.constant([1, 2]))


# --- Keras models --------------------------------------------------------------------------------

class Scale(keras.layers.Layer):
    """A custom layer with its own weight: y = x * w + sin(x)."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, x):
        return x * self.w + tf.sin(x)


def custom_loss(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred) + 0.1 * tf.abs(y_pred), axis=-1)


@pytest.fixture(scope="module")
def classifier():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh", name="hidden"),
                              keras.layers.Dense(2, name="out")])
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = RNG.normal(size=(8, 3)).astype("float32")
    return model, x, np.arange(8) % 2


def test_dense_model_passes_for_every_weight(classifier):
    model, x, y = classifier
    report = check_model_gradients(model, x, y)
    assert report.passed and report.mode == "full" and report.dtype == "float64" and report.kind == "weight"
    assert [(row.name, row.shape, row.checked) for row in report.rows] == [
        ("hidden/kernel", (3, 4), 12), ("hidden/bias", (4,), 4), ("out/kernel", (4, 2), 8), ("out/bias", (2,), 2)]
    assert report.max_rel_error < 1e-7
    text = str(report)
    assert text.splitlines()[0] == ("Gradient check of Sequential model (26 parameters, loss "
                                    "sparse_categorical_crossentropy): passed")
    assert text.splitlines()[2].startswith("weight ")
    assert model.get_weights()[0].dtype == np.float32  # the model itself is untouched


def test_model_loss_forms_give_the_same_check(classifier):
    model, x, y = classifier
    by_name = check_model_gradients(model, x, y, loss="sparse_categorical_crossentropy")
    by_function = check_model_gradients(
        model, x, y, loss=lambda t, p: keras.losses.sparse_categorical_crossentropy(t, p, from_logits=True))
    assert by_name.passed and by_function.passed
    assert "loss sparse_categorical_crossentropy" in by_name.subject and "loss <lambda>" in by_function.subject


def test_conv_custom_layer_custom_loss_and_regularizer():
    keras.utils.set_random_seed(2)
    model = keras.Sequential([
        keras.Input((6, 6, 1)), keras.layers.Conv2D(2, 3, activation="tanh", name="conv"),
        keras.layers.Flatten(), Scale(name="scale"),
        keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(0.01), name="dense")])
    x = RNG.normal(size=(4, 6, 6, 1)).astype("float32")
    y = RNG.normal(size=(4, 1)).astype("float32")
    report = check_model_gradients(model, x, y, loss=custom_loss)
    assert report.passed and report.dtype == "float64"
    assert [row.name for row in report.rows] == ["conv/kernel", "conv/bias", "scale/w", "dense/kernel", "dense/bias"]
    fast = check_model_gradients(model, x, y, loss=custom_loss, mode="fast", directions=2)
    assert fast.passed and fast.mode == "fast" and [row.checked for row in fast.rows] == [2] * 5


def test_model_with_a_wrong_custom_gradient_names_the_weight():
    @tf.custom_gradient
    def double_grad(x):
        return x, lambda dy: 2.0 * dy

    class Buggy(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * double_grad(self.w)

    model = keras.Sequential([keras.Input((3,)), Buggy(name="buggy"), keras.layers.Dense(1, name="dense")])
    report = check_model_gradients(model, RNG.normal(size=(5, 3)), RNG.normal(size=(5, 1)), loss="mse")
    assert [row.status for row in report.rows] == ["failed", "ok", "ok"]
    assert report.rows[0].name == "buggy/w" and report.rows[0].worst[0].label.startswith("buggy/w[")
    assert report.rows[0].worst[0].autodiff == pytest.approx(2 * report.rows[0].worst[0].numerical, rel=1e-6)


def test_model_weight_without_gradient_is_diagnosed():
    class Rounded(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * tf.round(self.w)

    model = keras.Sequential([keras.Input((2,)), Rounded(name="rounded")])
    report = check_model_gradients(model, RNG.normal(size=(4, 2)), RNG.normal(size=(4, 2)), loss="mse")
    assert report.rows[0].status == "none" and report.rows[0].diagnosis.cause == "non_differentiable_op"
    assert "Gradient is None for rounded/w: the path from rounded/w to the output goes through tf.round" in str(
        report)


def test_batchnorm_and_dropout_run_in_inference_mode_by_default():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization(),
                              keras.layers.Dropout(0.5), keras.layers.Dense(1)])
    x, y = RNG.normal(size=(6, 3)), RNG.normal(size=(6, 1))
    assert check_model_gradients(model, x, y, loss="mse").passed
    with pytest.warns(UserWarning, match="training=True: layers such as Dropout and BatchNormalization"):
        report = check_model_gradients(model, x, y, loss="mse", training=True)
    assert report.passed  # dropout masks are held fixed, batch statistics are differentiated


def test_subclassed_model_falls_back_to_float32_and_says_why():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(3)

        def call(self, x):
            return tf.tanh(self.dense(x))

    report = check_model_gradients(Net(), RNG.normal(size=(8, 2)), RNG.normal(size=(8, 3)), loss="mse")
    assert report.passed and report.dtype == "float32"
    assert report.notes[0].startswith("the model could not be checked in float64 (a Net model built by "
                                      "subclassing cannot be cloned), so the check ran in float32")


def test_a_layer_that_only_works_in_float32_falls_back():
    class Float32Only(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * self.w + tf.constant(1.0, tf.float32)  # breaks in float64

    model = keras.Sequential([keras.Input((3,)), Float32Only(name="f32")])
    report = check_model_gradients(model, RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3)), loss="mse")
    assert report.passed and report.dtype == "float32"
    assert "(some layer does not run in float64)" in report.notes[0]


def test_large_model_gets_the_fast_mode(monkeypatch, classifier):
    monkeypatch.setattr(gradcheck, "MODEL_FULL_CHECK_LIMIT", 20)
    model, x, y = classifier
    report = check_model_gradients(model, x, y, seed=3, directions=2, order=2)
    assert report.passed and report.mode == "fast" and report.order == 2
    assert "fast mode (2 random directions per weight, seed 3), second derivatives, float64" in str(report)


def test_model_bad_input(classifier):
    model, x, y = classifier
    with pytest.raises(TypeError, match="model must be a Keras model"):
        check_model_gradients(lambda x: x, x, y)
    with pytest.raises(ValueError, match="x has 8 samples but y has 7"):
        check_model_gradients(model, x, y[:7])
    with pytest.raises(ValueError, match=r"Calling the model on x failed .* x has shape \(8, 5\)"):
        check_model_gradients(model, np.ones((8, 5), "float32"), y)
    with pytest.raises(ValueError, match=r"Computing the loss failed .* y is \(8, 3\) float64"):
        check_model_gradients(model, x, np.ones((8, 3)), loss="mse")
    with pytest.raises(TypeError, match=r"x must be a batch .* x, y = next\(iter\(dataset\)\)"):
        check_model_gradients(model, tf.data.Dataset.from_tensor_slices(x), y)
    with pytest.raises(ValueError, match="x contains NaN or Inf"):
        check_model_gradients(model, np.full((8, 3), np.nan), y)
    uncompiled = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"The model has no loss: compile it with model\.compile\(loss=\.\.\.\)"):
        check_model_gradients(uncompiled, x, y)
    with pytest.raises(ValueError, match="Unknown loss 'msee'"):
        check_model_gradients(uncompiled, x, y, loss="msee")


# --- HTML --------------------------------------------------------------------------------------

def test_html_report_is_a_compact_colored_table():
    good = check_gradients(lambda x: tf.reduce_sum(tf.nn.relu(x)), tf.constant([0.0, 1.0]))
    html = good._repr_html_()
    assert html.count("<table") == 1 and html.count("<tr>") == 2
    assert "#1a7f37" in html and ">passed<" in html
    assert "full mode (every element), float64, central differences" in html
    assert "a kink" in html
    bad = check_gradients(lambda x: tf.reduce_sum(cube_with_wrong_gradient(x)), tf.constant([1.0, 2.0]))
    bad_html = bad._repr_html_()
    assert ">FAILED<" in bad_html and "#cf222e" in bad_html and "x[1]: autodiff 6" in bad_html
    escaped = check_gradients(lambda *a: tf.reduce_sum(a[0]), X3, names=["<x>"])._repr_html_()
    assert "&lt;x&gt;" in escaped and "<x>" not in escaped


def test_numbers_in_reports_are_finite_or_dashes():
    report = check_gradients(lambda x, y: tf.reduce_sum(x), X3, X3)
    assert math.isnan(report.rows[1].max_abs_error) and "-" in str(report).splitlines()[4].split()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        str(report)


def test_a_large_batch_gets_a_note():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    report = check_model_gradients(model, RNG.normal(size=(300, 2)), RNG.normal(size=(300, 1)), loss="mse")
    assert report.passed
    assert report.notes == ("x has 300 samples; a few dozen are enough for a gradient check and much faster "
                            "(e.g. x[:32], y[:32]).",)
