import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf

from tfedu import activations

from explorer_checks import assert_background_is_fresh

X = np.linspace(-5, 5, 401, dtype=np.float32)
AWAY_FROM_ZERO = np.abs(X) > 0.01


def sigmoid(x):
    return 1 / (1 + np.exp(-x.astype(np.float64)))


@pytest.mark.parametrize(
    "name, params, analytic, where",
    [
        ("sigmoid", {}, lambda x: sigmoid(x) * (1 - sigmoid(x)), slice(None)),
        ("tanh", {}, lambda x: 1 - np.tanh(x.astype(np.float64)) ** 2, slice(None)),
        ("relu", {}, lambda x: (x > 0).astype(float), AWAY_FROM_ZERO),
        ("softplus", {}, sigmoid, slice(None)),
        ("leaky_relu", {"negative_slope": 0.1}, lambda x: np.where(x > 0, 1.0, 0.1), AWAY_FROM_ZERO),
        ("elu", {"alpha": 2.0}, lambda x: np.where(x > 0, 1.0, 2.0 * np.exp(x.astype(np.float64))), AWAY_FROM_ZERO),
        ("exponential", {}, lambda x: np.exp(x.astype(np.float64)), slice(None)),
        ("linear", {}, np.ones_like, slice(None)),
    ],
)
def test_tape_derivatives_match_the_analytic_ones(name, params, analytic, where):
    curve = activations.activation_curve(name, (-5, 5), **params)
    np.testing.assert_array_equal(curve.x, X)
    expected = analytic(X)
    np.testing.assert_allclose(curve.derivative[where], expected[where], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", [n for n in activations.ACTIVATIONS if n != "softmax"])
def test_values_are_the_keras_activation(name):
    curve = activations.activation_curve(name)
    expected = getattr(keras.activations, name)(tf.constant(X)).numpy()
    np.testing.assert_allclose(curve.y, expected, rtol=1e-6)
    assert np.all(np.isfinite(curve.derivative))


@pytest.mark.parametrize(
    "name, params, text",
    [
        ("sigmoid", {}, "sigmoid: max f'(x) = 0.25 at x = 0; |f'| < 0.01 for |x| > 4.6"),
        ("tanh", {}, "tanh: max f'(x) = 1 at x = 0; |f'| < 0.01 for |x| > 3"),
        ("relu", {}, "relu: max f'(x) = 1 for x > 0; |f'| < 0.01 for x < 0"),
        ("hard_sigmoid", {}, "hard_sigmoid: max f'(x) = 0.167 for -3 < x < 3; |f'| < 0.01 for |x| > 3"),
        ("softplus", {}, "softplus: max f'(x) = 0.993 at x = 5 (the end of the range); |f'| < 0.01 for x < -4.6"),
        ("linear", {}, "linear: max f'(x) = 1 everywhere on [-5, 5]; no saturation (|f'| >= 0.01) on [-5, 5]"),
        ("leaky_relu", {"negative_slope": 0.3},
         "leaky_relu(negative_slope=0.3): max f'(x) = 1 for x > 0; no saturation (|f'| >= 0.01) on [-5, 5]"),
    ],
)
def test_summary_names_the_maximum_and_the_saturated_region(name, params, text):
    assert str(activations.activation_curve(name, **params)) == text


def test_saturation_boundary_is_where_the_derivative_crosses_the_threshold():
    curve = activations.activation_curve("sigmoid", threshold=0.01)
    (low_left, high_left), (low_right, high_right) = curve.saturation_regions()
    s = (1 + np.sqrt(1 - 4 * 0.01)) / 2  # sigma(x)(1 - sigma(x)) = 0.01
    exact = np.log(s / (1 - s))
    assert low_left is None and high_right is None
    assert high_left == pytest.approx(-exact, abs=2e-3) and low_right == pytest.approx(exact, abs=2e-3)
    assert curve.saturated.sum() == np.sum(np.abs(X) > exact)


def test_softmax_is_drawn_as_the_vector_function_it_is():
    curve = activations.activation_curve("softmax")
    assert isinstance(curve, activations.VectorActivationCurve) and curve.outputs.shape == (401, 3)
    np.testing.assert_allclose(curve.outputs.sum(axis=1), 1.0, rtol=1e-6)
    p0 = curve.outputs[:, 0]
    np.testing.assert_allclose(curve.derivative, p0 * (1 - p0), atol=1e-6)  # d softmax_0 / d x_0
    assert curve.max_derivative == pytest.approx(0.25, abs=1e-4)
    assert curve.argmax == pytest.approx(np.log(1 + np.exp(-1)), abs=0.02)  # where p0 = 1/2


def test_any_elementwise_callable_works():
    curve = activations.activation_curve(lambda x: x * tf.sigmoid(x))
    np.testing.assert_allclose(curve.y, keras.activations.silu(tf.constant(X)).numpy(), rtol=1e-5, atol=1e-6)
    assert curve.name == "f"


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        (("rleu",), {}, ValueError, "activation 'rleu' is not known; did you mean 'relu'"),
        (("leaky_relu",), {"alpha": 0.1}, ValueError,
         "leaky_relu has no parameter 'alpha'; its parameters are: negative_slope"),
        (("glu",), {}, ValueError, "glu is not a curve"),
        ((lambda x: tf.nn.softmax(x),), {}, ValueError, "not element-wise"),
        ((lambda x: np.tanh(np.asarray(x)),), {}, TypeError, "returned ndarray, not a tensor"),
        ((lambda x: tf.constant(np.tanh(x.numpy())),), {}, ValueError, r"gradient of f is None.*\.numpy\(\)"),
        ((3,), {}, TypeError, "fn_or_name must be an activation name such as 'relu' or a callable, got int 3"),
        (("relu", (2, 1)), {}, ValueError, r"x_range must be \(low, high\) with low < high"),
    ],
)
def test_bad_input_is_explained(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        activations.activation_curve(*args, **kwargs)


def test_plot_activation_draws_f_and_its_tape_derivative():
    drawing = activations.plot_activation("tanh")
    ax = drawing.figure.axes[0]
    lines = {line.get_label(): line for line in ax.lines}
    np.testing.assert_allclose(lines["f(x) = tanh(x)"].get_ydata(), drawing.curve.y)
    np.testing.assert_allclose(lines["f'(x) by GradientTape"].get_ydata(), drawing.curve.derivative)
    assert lines["max f'"].get_xydata().tolist() == [[0.0, pytest.approx(1.0)]]
    assert any("max f' = 1" in t.get_text() for t in ax.texts)
    assert any(c.get_label() == "saturated: |f'| < 0.01" for c in ax.collections)
    assert str(drawing) == str(drawing.curve)
    plt.close(drawing.figure)


def test_plot_activation_uses_the_given_axes_and_shows_softmax_components():
    figure, ax = plt.subplots()
    drawing = activations.plot_activation("softmax", ax=ax)
    assert drawing.figure is figure and len(figure.axes) == 1
    labels = [line.get_label() for line in ax.lines]
    assert labels[:4] == ["out[0] (input x)", "out[1] (input 0)", "out[2] (input -1)", "d out[0]/dx by GradientTape"]
    plt.close(figure)


def test_explorer_updates_the_same_figure_in_place():
    open_before = plt.get_fignums()
    explorer = activations.activation_explorer(["sigmoid", "leaky_relu"], x_range=(-4, 4))
    figure, first_png = explorer.figure, bytes(explorer.image.value)
    assert first_png.startswith(b"\x89PNG")
    assert repr(explorer) == "activation_explorer on [-4, 4], max f': sigmoid 0.25, leaky_relu(0.2) 1"
    leaky = explorer.derivatives["leaky_relu"]
    assert leaky.get_visible() and not explorer.derivatives["tanh"].get_visible()
    assert leaky.get_ydata()[0] == pytest.approx(0.2)

    explorer.negative_slope.value = 0.05
    assert leaky.get_ydata()[0] == pytest.approx(0.05)
    assert_background_is_fresh(explorer)
    explorer.activations.value = ("tanh", "elu")
    assert not leaky.get_visible() and explorer.lines["tanh"].get_visible()
    assert [t.get_text() for t in explorer.f_ax.get_legend().get_texts()] == ["tanh", "elu"]
    explorer.alpha.value = 2.0
    assert explorer.curves["elu"].y[0] == pytest.approx(2.0 * (np.exp(-4.0) - 1), rel=1e-5)
    explorer.x_range.value = (-8.0, 2.0)
    assert explorer.f_ax.get_xlim() == (-8.0, 2.0) and explorer.lines["tanh"].get_xdata()[0] == -8.0
    assert_background_is_fresh(explorer)
    assert repr(explorer) == "activation_explorer on [-8, 2], max f': tanh 1, elu(2) 2"

    assert explorer.figure is figure and bytes(explorer.image.value) != first_png
    assert plt.get_fignums() == open_before
    assert len(explorer.render_seconds) == 7  # first draw, 4 changes, 2 forced redraws


def test_explorer_rejects_unknown_names():
    with pytest.raises(ValueError, match=r"activation 'softmax' is not known.*activation_explorer offers these; "
                                         "plot_activation draws any other"):
        activations.activation_explorer(["softmax"])


def test_gradient_flow_shows_vanishing_gradients_with_sigmoid():
    flow = activations.gradient_flow(("sigmoid", "tanh", "relu"), depth=12, width=32, batch_size=64)
    sigmoid_norms, relu_norms = flow.norms["sigmoid"], flow.norms["relu"]
    assert sigmoid_norms.shape == relu_norms.shape == (12,)
    assert sigmoid_norms[0] < relu_norms[0] / 1000  # the first layer barely learns with sigmoid
    assert np.all(np.diff(np.log(sigmoid_norms)) > np.log(2))  # shrinks > 2x per layer, back to front
    assert flow.ratio("sigmoid") < 1e-5 and 0.1 < flow.ratio("relu") < 10
    ax = flow.figure.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 3
    np.testing.assert_allclose(ax.lines[0].get_ydata(), sigmoid_norms)
    text = str(flow).splitlines()
    assert text[0] == ("gradient norm |dL/dW| per layer: 12 Dense layers of 32, glorot_uniform, "
                       "one batch of 64")
    assert text[1].split()[:3] == ["sigmoid", "layer", "1:"]
    plt.close(flow.figure)


def test_gradient_flow_is_deterministic_and_takes_an_initializer():
    first = activations.layer_gradient_norms("tanh", depth=5, width=8, batch_size=16, initializer="he_normal")
    again = activations.layer_gradient_norms("tanh", depth=5, width=8, batch_size=16, initializer="he_normal")
    other = activations.layer_gradient_norms("tanh", depth=5, width=8, batch_size=16)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    with pytest.raises(ValueError, match="initializer 'he_nromal' is not known; did you mean 'he_normal'"):
        activations.layer_gradient_norms("relu", depth=2, initializer="he_nromal")


@pytest.mark.parametrize("function", [tf.nn.softmax, tf.math.cumsum, lambda x: x - tf.reduce_mean(x)])
def test_functions_that_mix_elements_are_refused(function):
    with pytest.raises(ValueError, match="is not element-wise: each output depends on other inputs"):
        activations.activation_curve(function)
