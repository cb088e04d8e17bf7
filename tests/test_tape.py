import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf

from tfedu import tape


def f_xy(x, y):
    return x * y + tf.sin(x)


X, Y = tf.constant(2.0), tf.constant(3.0)


def test_trace_graph_values_and_adjoints_match_hand_computation():
    graph = tape.trace_graph(f_xy, X, Y)
    assert [n.label for n in graph.nodes] == ["x", "y", "×", "sin", "+"]
    values = [n.value.item() for n in graph.nodes]
    np.testing.assert_allclose(values, [2, 3, 6, math.sin(2), 6 + math.sin(2)], rtol=1e-6)
    adjoints = [n.adjoint.item() for n in graph.nodes]
    np.testing.assert_allclose(adjoints, [3 + math.cos(2), 2, 1, 1, 1], rtol=1e-6)
    assert graph.node("sin").inputs == (0,) and graph.node("+").inputs == (2, 3)
    assert graph.output.item() == pytest.approx(6 + math.sin(2))


def test_variables_are_one_node_and_unused_inputs_stay_with_zero_gradient():
    w = tf.Variable(2.0, name="w")
    graph = tape.trace_graph(lambda w, z: w * w + 3.0 * w, w, tf.constant(5.0))
    labels = [n.label for n in graph.nodes]
    assert labels == ["w", "z", "×", "3", "×", "+"]
    assert graph.node("w").kind == "variable" and graph.node("w").adjoint.item() == pytest.approx(7.0)
    assert graph.node("z").adjoint.item() == 0.0
    assert graph.nodes[2].inputs == (0, 0)  # w * w reads the same node twice


def test_vector_inputs_give_elementwise_adjoints():
    graph = tape.trace_graph(lambda x: tf.reduce_sum(tf.square(x)), tf.constant([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(graph.node("x").adjoint, [2, 4, 6])
    assert graph.output_node.label == "reduce_sum"


def test_forward_tangents_equal_forward_accumulator_jvps():
    graph = tape.trace_graph(f_xy, X, Y, forward=True)
    for k, direction in enumerate([(1.0, 0.0), (0.0, 1.0)]):
        with tf.autodiff.ForwardAccumulator([X, Y], [tf.constant(direction[0]), tf.constant(direction[1])]) as acc:
            product = X * Y
            sine = tf.sin(X)
            out = product + sine
        expected = [direction[0], direction[1], acc.jvp(product), acc.jvp(sine), acc.jvp(out)]
        np.testing.assert_allclose([n.tangents[k].item() for n in graph.nodes], expected, rtol=1e-6)


def test_forward_vs_reverse_counts_passes_and_agrees_with_tf():
    comparison = tape.forward_vs_reverse(f_xy, X, Y)
    assert (comparison.forward_passes, comparison.reverse_passes) == (2, 1)
    np.testing.assert_allclose(comparison.gradient, [3 + math.cos(2), 2], rtol=1e-6)
    assert comparison.matches_tape and comparison.matches_accumulator
    text = str(comparison)
    assert "Forward mode: tangents flow input -> output (2 pass(es)" in text
    assert "v2 = v0 × v1  6       3        2" in text
    assert "Result: d/dx = 2.584, d/dy = 2." in text
    assert "<table>" in comparison._repr_html_()


def test_forward_vs_reverse_with_vector_output_needs_one_reverse_pass_per_output():
    comparison = tape.forward_vs_reverse(lambda x: x * 3.0, tf.constant([1.0, 2.0]))
    assert (comparison.n_inputs, comparison.n_outputs) == (2, 2)
    assert comparison.reverse_passes == 2 and comparison.input_labels == ["x[0]", "x[1]"]


def test_draw_graph_draws_one_box_per_node_and_prints_the_trace():
    before = plt.get_fignums()
    drawing = tape.draw_graph(f_xy, X, Y)
    assert plt.get_fignums() == before  # Agg: a plain figure, not left open in pyplot
    boxes = [t for t in drawing.figure.axes[0].texts if t.get_bbox_patch() is not None]
    assert sorted(t.get_text() for t in boxes) == ["v0: x", "v1: y", "v2: ×", "v3: sin", "v4: +"]
    texts = [t.get_text() for t in drawing.figure.axes[0].texts]
    assert "grad 2.584" in texts and "0.9093" in texts
    assert len(drawing.figure.axes[0].patches) + len(
        [c for c in drawing.figure.axes[0].get_children() if type(c).__name__ == "Annotation"]) >= 4
    assert str(drawing).splitlines()[2] == "v1 = y        3       2"
    plt.close(drawing.figure)


def test_compute_draw_plot_are_one_drawing():
    graph = tape.trace_graph(f_xy, X, Y)
    drawn = tape.draw_graph(graph)
    assert drawn.graph is graph and str(drawn) == str(tape.plot_graph(f_xy, X, Y)) == str(tape.draw_graph(f_xy, X, Y))
    assert len(drawn.figure.axes) == 1
    with pytest.raises(TypeError, match=r"draw_graph\(graph\) takes no inputs"):
        tape.draw_graph(graph, X)


def test_draw_graph_uses_the_given_axes():
    fig, ax = plt.subplots()
    count = len(plt.get_fignums())
    drawing = tape.draw_graph(lambda x: x ** 2, tf.constant(3.0), ax=ax)
    assert drawing.figure is fig and len(plt.get_fignums()) == count
    plt.close(fig)


def test_oversize_graphs_are_refused_with_the_limit_named():
    def big(x):
        for _ in range(20):
            x = tf.sin(x)
        return x

    with pytest.raises(ValueError, match=r"f has 21 operations, more than max_nodes=10.*max_nodes=21"):
        tape.draw_graph(big, tf.constant(1.0), max_nodes=10)
    assert len(tape.trace_graph(big, tf.constant(1.0), max_nodes=21).nodes) == 21


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: tape.trace_graph("x**2", X), TypeError, "f must be a function"),
        (lambda: tape.trace_graph(lambda x: x), ValueError, "Pass the input values after f"),
        (lambda: tape.trace_graph(lambda x: x * x, tf.constant(3)), TypeError, "Input 0 has dtype int32"),
        (lambda: tape.trace_graph(lambda x: None, X), TypeError, "f returned None"),
        (lambda: tape.trace_graph(lambda x: tf.constant(np.square(x.numpy())), X), TypeError,
         "Keep f to TensorFlow operations"),
        (lambda: tape.forward_vs_reverse(lambda x: tf.reduce_sum(x), tf.zeros(20)), ValueError,
         "one pass per input element: 20 here"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


EXPECTED_DEMO_VALUES = {
    "watch": dict(grad_constant=None, grad_variable=6.0, grad_watched_constant=6.0, grad_unwatched_variable=None),
    "persistent": dict(dy_dx=6.0, dz_dx=27.0),
    "higher_order": dict(dy_dx=12.0, d2y_dx2=12.0),
    "multiple_sources": dict(as_list=[2.0, 1.0], as_dict={"w": 2.0, "b": 1.0}),
    "stop_gradient": dict(full=12.0, with_stop_gradient=6.0, with_stop_recording=6.0),
    "unconnected": dict(default=None, zero=0.0),
    "integer_input": dict(integer_gradient=None, float_gradient=6.0),
    "numpy_breaks_the_tape": dict(through_numpy=None, through_tensorflow=6.0),
    "variable_trainable_false": dict(not_trainable=None, watched_by_hand=6.0),
}


def test_catalogue_has_every_required_demo():
    assert set(EXPECTED_DEMO_VALUES) | {"non_scalar_target"} <= set(tape.DEMOS)


@pytest.mark.parametrize("name", sorted(EXPECTED_DEMO_VALUES))
def test_each_demo_runs_and_its_stated_outcome_is_true(name):
    result = tape.demo(name)
    for key, value in EXPECTED_DEMO_VALUES[name].items():
        assert result.values[key] == value, (name, key, result.values[key])
    assert not result.explanation.startswith("Unexpected"), result.explanation
    assert "return" not in result.code.splitlines()[-1]
    assert result.code.splitlines()[0] and str(result).startswith(result.title)
    assert "<pre" in result._repr_html_()


def test_persistent_demo_shows_the_real_error():
    assert tape.demo("persistent").values["second_call"].startswith(
        "RuntimeError: A non-persistent GradientTape can only be used to compute one set of gradients")


def test_non_scalar_demo_values():
    values = tape.demo("non_scalar_target").values
    assert values["gradient"].tolist() == [2.0, 4.0, 6.0]
    assert np.diag(values["jacobian"]).tolist() == [2.0, 4.0, 6.0]
    assert values["batch_jacobian_shape"] == (2, 3, 3)


def test_demo_explanations_follow_what_happened(monkeypatch):
    demo = tape.DEMOS["unconnected"]
    assert demo.explain(dict(default=0.0, zero=0.0)).startswith("Unexpected")


def test_unknown_demo_lists_the_catalogue():
    with pytest.raises(ValueError, match="demo 'nope' is not known. Choose one of: 'watch', 'persistent'"):
        tape.demo("nope")
    with pytest.raises(ValueError, match="demo 'higher order' is not known; did you mean 'higher_order'"):
        tape.demo("higher order")


# --- explain_none_gradient -------------------------------------------------------------------

@pytest.mark.parametrize(
    "f, inputs, kwargs, cause",
    [
        (lambda x: x * x, (tf.constant(3),), {}, "integer_dtype"),
        (lambda x: x * x, (tf.constant(3.0),), {"watched": False}, "not_watched"),
        (lambda v: v * 2.0, (tf.Variable(1.0, trainable=False),), {}, "variable_not_trainable"),
        (lambda x: tf.constant(np.square(x.numpy())), (tf.constant(3.0),), {}, "left_the_graph"),
        (lambda x: tf.cast(tf.argmax(x), tf.float32), (tf.constant([1.0, 3.0]),), {}, "non_differentiable_op"),
        (lambda x, z: x * 2.0, (tf.constant(1.0), tf.constant(2.0)), {"index": 1}, "unconnected"),
    ],
)
def test_explain_none_gradient_from_a_function(f, inputs, kwargs, cause):
    diagnosis = tape.explain_none_gradient(f, *inputs, **kwargs)
    assert diagnosis.cause == cause
    assert str(diagnosis).startswith("Gradient is None for ")


def test_explain_none_gradient_names_the_argument_and_the_op():
    diagnosis = tape.explain_none_gradient(lambda scores: tf.cast(tf.argmax(scores), tf.float32),
                                           tf.constant([1.0, 3.0]))
    assert diagnosis.name == "scores" and "tf.argmax" in str(diagnosis)


def test_explain_none_gradient_from_a_tape():
    frozen = tf.Variable(1.0, trainable=False)
    with tf.GradientTape() as t:
        y = frozen * 3.0
    assert tape.explain_none_gradient(t, y, frozen).cause == "variable_not_trainable"

    w = tf.Variable(1.0)
    with tf.GradientTape(watch_accessed_variables=False) as t:
        y = w * 3.0
    assert tape.explain_none_gradient(t, y, w, name="w").cause == "not_watched"

    other = tf.Variable(2.0)
    with tf.GradientTape() as t:
        y = w * 3.0
    assert tape.explain_none_gradient(t, y, other).cause == "unconnected"

    x = tf.constant(1.0)
    with tf.GradientTape() as t:
        y = x * 3.0
    diagnosis = tape.explain_none_gradient(t, y, x, name="x")
    assert diagnosis.cause == "not_watched" and "explain_none_gradient(f, x)" in str(diagnosis)


def test_explain_none_gradient_argument_errors():
    with pytest.raises(TypeError, match="pass the target and the source"):
        tape.explain_none_gradient(tf.GradientTape(), tf.constant(1.0))
    with pytest.raises(TypeError, match="Pass a GradientTape"):
        tape.explain_none_gradient(3, tf.constant(1.0))
