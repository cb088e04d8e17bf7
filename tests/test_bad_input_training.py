"""Bad input to the training-side helpers (gradcheck, tape, metrics, callbacks) raises a clear error.

The table holds one bad call per row: the exception type and the words of the message that name the
argument, the value received and what to do. The tests after it pin down results that used to be
silently wrong: a NaN tolerance or a NaN gradient that passed a gradient check, a KS statistic of
1e12 for labels that are not 0/1, a LivePlot listed twice recording every epoch twice, a tracer
nesting hooks wrongly after a failed fit, PNG bytes written to a .jpg file.
"""
import contextlib
import io

import numpy as np
import pytest
import tensorflow as tf

import tfedu
from tfedu import tape
from tfedu._diagnosis import diagnose_none_gradient
from tfedu.callbacks import BatchHistory, CallbackTracer, LivePlot, TrainingHistory
from tfedu.gradcheck import check_gradients, check_model_gradients, default_eps, numerical_gradient
from tfedu.metrics import KolmogorovSmirnov, ks_statistic

X = tf.constant([1.0, 2.0])


def square_sum(x):
    return tf.reduce_sum(x ** 2)


@tf.custom_gradient
def wrong_cube(x):
    return x ** 3, lambda dy: dy * 3 * x  # should be 3 * x ** 2


def wrong_cube_sum(x):
    return tf.reduce_sum(wrong_cube(x))


@tf.custom_gradient
def nan_at_two(x):
    """x ** 2 whose custom gradient is right except that it is NaN at x == 2."""
    return x ** 2, lambda dy: dy * tf.where(tf.equal(x, 2.0), tf.constant(np.nan, x.dtype), 2 * x)


def nan_at_two_sum(x):
    return tf.reduce_sum(nan_at_two(x))


@pytest.fixture(scope="module")
def keras():
    tfedu.setup()
    import keras

    return keras


def tiny_model(keras, activation="sigmoid", metrics=()):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation=activation)])
    model.compile("sgd", "binary_crossentropy" if activation else "mse", metrics=list(metrics))
    return model


def fit_data(n=16):
    x = np.random.default_rng(0).normal(size=(n, 2)).astype("float32")
    return x, (x[:, :1] > 0).astype("float32")


# --- the table ------------------------------------------------------------------------------------

def _model():
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(loss="mse")
    return model


MX, MY = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")

BAD_CALLS = [
    # gradcheck: tolerances, step, order, mode, method, counts and flags
    pytest.param(lambda: check_gradients(square_sum, X, atol=float("nan")), ValueError,
                 r"atol must be a number >= 0, got nan\. Errors below atol always pass", id="atol-nan"),
    pytest.param(lambda: check_gradients(square_sum, X, atol=True), TypeError,
                 r"atol must be a number, got bool True\. Use a number such as 1e-6", id="atol-bool"),
    pytest.param(lambda: check_gradients(square_sum, X, atol=-1e-8), ValueError,
                 r"atol must be a number >= 0, got -1e-08", id="atol-negative"),
    pytest.param(lambda: check_gradients(square_sum, X, atol=float("inf")), ValueError,
                 r"atol must be a number >= 0, got inf", id="atol-inf"),
    pytest.param(lambda: check_gradients(square_sum, X, rtol=float("nan")), ValueError,
                 r"rtol must be a number in \(0, 1\), got nan\. It is the relative error", id="rtol-nan"),
    pytest.param(lambda: check_gradients(square_sum, X, rtol=True), TypeError,
                 r"rtol must be a number, got bool True", id="rtol-bool"),
    pytest.param(lambda: check_gradients(square_sum, X, rtol=0), ValueError,
                 r"rtol must be a number in \(0, 1\), got 0\.", id="rtol-zero"),
    pytest.param(lambda: check_gradients(square_sum, X, rtol=float("inf")), ValueError,
                 r"rtol must be a number in \(0, 1\), got inf", id="rtol-inf"),
    pytest.param(lambda: check_gradients(square_sum, X, rtol="0.1"), TypeError,
                 r"rtol must be a number, got str '0\.1'\. Pass it without quotes", id="rtol-string"),
    pytest.param(lambda: check_gradients(square_sum, X, eps=True), TypeError,
                 r"eps must be a number, got bool True", id="eps-bool"),
    pytest.param(lambda: check_gradients(square_sum, X, eps=float("nan")), ValueError,
                 r"eps must be a number in \(0, 1\), got nan\. It is the relative finite-difference step",
                 id="eps-nan"),
    pytest.param(lambda: check_gradients(square_sum, X, eps=1e3), ValueError,
                 r"eps must be a number in \(0, 1\), got 1000\.0", id="eps-too-large"),
    pytest.param(lambda: check_gradients(square_sum, X, order=True), TypeError,
                 r"order must be an int, got bool True", id="order-bool"),
    pytest.param(lambda: check_gradients(square_sum, X, order=2.0), TypeError,
                 r"order must be an int, got float 2\.0", id="order-float"),
    pytest.param(lambda: check_gradients(square_sum, X, mode="Fast"), ValueError,
                 r"mode 'Fast' is not known; did you mean 'fast'\? Choose one of: 'auto', 'full', 'fast'",
                 id="mode-typo"),
    pytest.param(lambda: check_gradients(square_sum, X, mode=None), TypeError,
                 r"mode must be one of 'auto', 'full', 'fast', got NoneType None", id="mode-none"),
    pytest.param(lambda: check_gradients(square_sum, X, method="centered"), ValueError,
                 r"method 'centered' is not known; did you mean 'central'\?", id="method-typo"),
    pytest.param(lambda: check_gradients(square_sum, X, mode="fast", directions=2.5), TypeError,
                 r"directions must be an int, got float 2\.5\. Use a whole number such as 4", id="directions-float"),
    pytest.param(lambda: check_gradients(square_sum, X, seed=True), TypeError,
                 r"seed must be an int, got bool True", id="seed-bool"),
    pytest.param(lambda: check_gradients(square_sum, X, forward_mode="yes"), TypeError,
                 r"forward_mode must be True or False, got str 'yes'", id="forward-mode-string"),
    pytest.param(lambda: check_gradients(square_sum, X, float64=0), TypeError,
                 r"float64 must be True or False, got int 0", id="float64-int"),
    pytest.param(lambda: check_gradients(lambda x, y: tf.reduce_sum(x * y), X, X, names="xy"), TypeError,
                 r"names must be a list of names, one per input, got str 'xy'", id="names-string"),
    pytest.param(lambda: numerical_gradient(square_sum, X, eps=0), ValueError,
                 r"eps must be a number in \(0, 1\), got 0\.", id="numerical-eps-zero"),
    pytest.param(lambda: numerical_gradient(lambda x: tf.reduce_sum(tf.sqrt(x)), tf.constant([0.0, 1.0])),
                 ValueError, r"The numerical derivative for x\[0\] is nan: f is nan at x\[0\] - 6\.1e-06",
                 id="numerical-nan-one-step-away"),
    pytest.param(lambda: default_eps("float99"), TypeError,
                 r"dtype must be a floating-point dtype such as 'float32' or tf\.float64, got str 'float99'",
                 id="default-eps-dtype"),
    pytest.param(lambda: default_eps("int32"), ValueError,
                 r"dtype must be a floating-point dtype .*got int32", id="default-eps-int"),
    pytest.param(lambda: check_model_gradients(_model(), MX, MY, training="no"), TypeError,
                 r"training must be True or False, got str 'no'", id="model-training-string"),
    pytest.param(lambda: check_model_gradients(_model(), MX, MY, loss="mean_squared_eror"), ValueError,
                 r"Unknown loss 'mean_squared_eror'; did you mean 'mean_squared_error'\?", id="model-loss-typo"),
    pytest.param(lambda: check_model_gradients(_model(), MX[:0], MY[:0]), ValueError,
                 r"x is empty \(shape \(0, 3\)\); pass a small batch", id="model-empty-batch"),
    pytest.param(lambda: check_model_gradients(_model(), MX, MY, rtol=np.nan), ValueError,
                 r"rtol must be a number in \(0, 1\), got nan", id="model-rtol-nan"),
    # tape
    pytest.param(lambda: tape.demo("persistant"), ValueError,
                 r"demo 'persistant' is not known; did you mean 'persistent'\? Choose one of: 'watch'",
                 id="demo-typo"),
    pytest.param(lambda: tape.demo(None), TypeError, r"name must be one of 'watch', .*got NoneType None",
                 id="demo-none"),
    pytest.param(lambda: tape.trace_graph(lambda x: x * x, X, max_nodes=True), TypeError,
                 r"max_nodes must be an int, got bool True\. Use a whole number such as 30", id="max-nodes-bool"),
    pytest.param(lambda: tape.trace_graph(lambda x: x * x, X, max_nodes=2.5), TypeError,
                 r"max_nodes must be an int, got float 2\.5", id="max-nodes-float"),
    pytest.param(lambda: tape.trace_graph(lambda x: x * x, X, max_nodes="30"), TypeError,
                 r"max_nodes must be an int, got str '30'", id="max-nodes-string"),
    pytest.param(lambda: tape.trace_graph(lambda x: x * x, X, forward="yes"), TypeError,
                 r"forward must be True or False, got str 'yes'", id="trace-forward-string"),
    pytest.param(lambda: tape.trace_graph(lambda x: x * x, None), TypeError,
                 r"Input 0 is NoneType None; pass a float tensor or number", id="trace-none-input"),
    pytest.param(lambda: tape.trace_graph(lambda x: 1 / 0, X), ValueError,
                 r"Running f on the inputs failed \(ZeroDivisionError: division by zero\)\. Check that f works "
                 r"with these inputs: x \(2,\) float32", id="trace-f-raises"),
    pytest.param(lambda: tape.draw_graph(lambda x: x * x, X, ax="left"), TypeError,
                 r"ax must be a matplotlib Axes .* got str 'left'", id="draw-ax-string"),
    pytest.param(lambda: tape.explain_none_gradient(lambda x, y: x, X, X, index=True), TypeError,
                 r"index must be an int, got bool True", id="explain-index-bool"),
    pytest.param(lambda: tape.explain_none_gradient(lambda x, y: x, X, X, index=5), IndexError,
                 r"index 5 is out of range for 2 input\(s\)", id="explain-index-range"),
    pytest.param(lambda: tape.explain_none_gradient(lambda x: x, X, watched="no"), TypeError,
                 r"watched must be True or False or None, got str 'no'", id="explain-watched-string"),
    pytest.param(lambda: tape.explain_none_gradient(lambda x: x, None), TypeError,
                 r"Input 0 is None; pass the tensor or tf\.Variable f is called with", id="explain-none-input"),
    pytest.param(lambda: tape.explain_none_gradient(lambda x: 1 / 0, X), ValueError,
                 r"f raised ZeroDivisionError when called with the inputs: division by zero\. Fix f first",
                 id="explain-f-raises"),
    pytest.param(lambda: tape.explain_none_gradient(lambda x: None, X), TypeError,
                 r"f returned None: it must return a tensor\. Did you forget `return`\?", id="explain-f-returns-none"),
    pytest.param(lambda: tape.explain_none_gradient(tf.GradientTape(), None, tf.Variable(1.0)), TypeError,
                 r"The target is None: pass the tensor you differentiated", id="explain-tape-target-none"),
    # metrics
    pytest.param(lambda: ks_statistic([0, 2, 0, 2], [0.1, 0.9, 0.2, 0.8]), ValueError,
                 r"y_true must hold binary labels 0 and 1 \(or True/False\), got 2 at index 1", id="ks-labels-2"),
    pytest.param(lambda: ks_statistic([0, 0.5, 1], [0.1, 0.9, 0.2]), ValueError,
                 r"got 0\.5 at index 1\. KS compares positives with negatives", id="ks-labels-half"),
    pytest.param(lambda: ks_statistic([0, 1, 1], [0.1, np.nan, 0.2]), ValueError,
                 r"y_score contains nan at index 1", id="ks-score-nan"),
    pytest.param(lambda: ks_statistic([0, 1], ["0.1", "0.9"]), TypeError,
                 r"y_score must hold numbers, got an array of dtype <U3", id="ks-score-strings"),
    pytest.param(lambda: ks_statistic([0, 1], [[0.9, 0.1], [0.2, 0.8]]), ValueError,
                 r"different sizes: 2 and 4\. Pass one score per example", id="ks-two-columns"),
    pytest.param(lambda: ks_statistic([1, 1, 1], [0.1, 0.5, 0.9]), ValueError,
                 r"all 3 labels are positive \(1\): the statistic is undefined", id="ks-one-class"),
    pytest.param(lambda: ks_statistic([], []), ValueError, r"y_score is empty", id="ks-empty"),
    pytest.param(lambda: KolmogorovSmirnov(bins=2.5), TypeError, r"bins must be an int, got float 2\.5",
                 id="ks-bins-float"),
    pytest.param(lambda: KolmogorovSmirnov(bins=True), TypeError, r"bins must be an int, got bool True",
                 id="ks-bins-bool"),
    pytest.param(lambda: KolmogorovSmirnov().update_state([0, 1, 0, 1], [-3.0, 2.0, -1.0, 5.0]), ValueError,
                 r"y_pred must hold finite probabilities in \[0, 1\] \(for a model that outputs logits, end it "
                 r"with activation='sigmoid'\)\. Got -3 at index 0", id="ks-metric-logits"),
    pytest.param(lambda: KolmogorovSmirnov().update_state([0, 1], [0.2, np.nan]), ValueError,
                 r"y_pred must hold finite probabilities .* Got nan at index 1", id="ks-metric-nan-score"),
    pytest.param(lambda: KolmogorovSmirnov().update_state([0, 1, 0, 1], [[0.1, 0.9]] * 4), ValueError,
                 r"one score per example .* Got 4 labels and 8 scores", id="ks-metric-sizes"),
    pytest.param(lambda: KolmogorovSmirnov().update_state([0, 1], [0.2, 0.7], sample_weight=[1.0, -1.0]),
                 ValueError, r"sample_weight must hold one finite weight >= 0 per example", id="ks-metric-weights"),
    # callbacks
    pytest.param(lambda: LivePlot(update="Batch"), ValueError,
                 r"update 'Batch' is not known; did you mean 'batch'\? Choose one of: 'epoch', 'batch'",
                 id="liveplot-update-typo"),
    pytest.param(lambda: LivePlot(mode="mx"), ValueError, r"mode 'mx' is not known; did you mean 'max'\?",
                 id="liveplot-mode-typo"),
    pytest.param(lambda: LivePlot(smoothing="0.5"), TypeError,
                 r"smoothing must be a number, got str '0\.5'\. Pass it without quotes", id="liveplot-smoothing-str"),
    pytest.param(lambda: LivePlot(smoothing=float("nan")), ValueError,
                 r"smoothing must be a number in \[0, 1\), got nan", id="liveplot-smoothing-nan"),
    pytest.param(lambda: LivePlot(budget=float("nan")), ValueError,
                 r"budget must be a number >= 0, got nan\. It is the fraction of the training time",
                 id="liveplot-budget-nan"),
    pytest.param(lambda: LivePlot(budget=True), TypeError, r"budget must be a number, got bool True",
                 id="liveplot-budget-bool"),
    pytest.param(lambda: LivePlot(live=1), TypeError, r"live must be True or False or None, got int 1",
                 id="liveplot-live-int"),
    pytest.param(lambda: LivePlot(save_to="plot.svg"), ValueError,
                 r"save_to must end in one of \.png, \.jpg, \.jpeg \(the image format follows the suffix\), got "
                 r"'plot\.svg'", id="liveplot-save-to-svg"),
    pytest.param(lambda: LivePlot(save_to="plot"), ValueError, r"save_to must end in one of \.png, \.jpg, \.jpeg",
                 id="liveplot-save-to-no-suffix"),
    pytest.param(lambda: LivePlot(metrics=[]), ValueError,
                 r"metrics is empty, so nothing would be plotted; give names such as \['loss', 'accuracy'\]",
                 id="liveplot-metrics-empty"),
    pytest.param(lambda: LivePlot(monitor=3), TypeError,
                 r"monitor must be a logs key such as 'val_loss', or None, got int 3", id="liveplot-monitor-int"),
    pytest.param(lambda: LivePlot(max_batch_points=2.5), TypeError,
                 r"max_batch_points must be an int, got float 2\.5", id="liveplot-max-batch-points-float"),
    pytest.param(lambda: LivePlot(max_batch_points=True), TypeError,
                 r"max_batch_points must be an int, got bool True", id="liveplot-max-batch-points-bool"),
    pytest.param(lambda: BatchHistory(capacity=2.5), TypeError, r"capacity must be an int, got float 2\.5",
                 id="batch-history-capacity-float"),
    pytest.param(lambda: CallbackTracer(max_batches=True), TypeError, r"max_batches must be an int, got bool True",
                 id="tracer-max-batches-bool"),
    pytest.param(lambda: CallbackTracer(max_calls=5), ValueError,
                 r"max_calls must be an int >= 10, got 5\. It bounds the number of calls", id="tracer-max-calls-small"),
    pytest.param(lambda: TrainingHistory().end_epoch(0, [0.5]), TypeError,
                 r"logs must be a dict of values by name, such as \{'loss': 0\.5\}, got list", id="history-logs-list"),
    pytest.param(lambda: TrainingHistory().best(mode="mn"), ValueError,
                 r"mode 'mn' is not known; did you mean 'min'\?", id="history-best-mode-typo"),
    pytest.param(lambda: TrainingHistory().plot(metrics=3), TypeError,
                 r"metrics must be names like 'loss' or 'accuracy' \(a list\), or None for all, got int 3",
                 id="history-plot-metrics-int"),
    pytest.param(lambda: TrainingHistory().series(3), TypeError,
                 r"key must be a logs key such as 'loss' or 'val_loss', got int 3", id="history-series-int"),
]


@pytest.mark.parametrize("call, error, message", BAD_CALLS)
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_the_table_is_large_and_its_ids_distinct():
    ids = [case.id for case in BAD_CALLS]
    assert len(ids) >= 35 and len(set(ids)) == len(ids)


def test_numpy_scalars_are_accepted_where_python_numbers_are():
    report = check_gradients(square_sum, X, rtol=np.float32(1e-3), atol=np.float64(1e-6), eps=np.float32(1e-3),
                             order=np.int64(1), directions=np.int64(2), seed=np.int64(3), forward_mode=np.True_)
    assert report.passed and report.rtol == pytest.approx(1e-3) and report.atol == pytest.approx(1e-6)
    assert tape.trace_graph(lambda x: x * x, X, max_nodes=np.int64(5)).output.tolist() == [1.0, 4.0]
    plot = LivePlot(smoothing=np.float32(0.5), budget=np.float64(0.1), max_batch_points=np.int64(10),
                    live=np.False_, log_scale=np.True_, save_to=None)
    assert (plot.smoothing, plot.live, plot.log_scale, plot.history.batches.capacity) == (0.5, False, True, 10)
    assert KolmogorovSmirnov(bins=np.int64(10)).bins == 10


# --- gradient checks never pass a NaN, and never with a NaN tolerance ------------------------------

def test_a_wrong_gradient_cannot_pass_with_a_nan_or_boolean_tolerance():
    assert not check_gradients(wrong_cube_sum, X).passed  # the gradient is wrong...
    for tolerances in ({"atol": float("nan")}, {"rtol": float("nan")}, {"rtol": True}, {"atol": True},
                       {"rtol": float("inf")}):
        with pytest.raises((TypeError, ValueError), match="rtol|atol"):  # ...and no tolerance hides it
            check_gradients(wrong_cube_sum, X, **tolerances)


def test_a_nan_custom_gradient_fails_and_the_report_says_where():
    report = check_gradients(nan_at_two_sum, tf.constant([1.0, 2.0, 3.0]))
    row = report.rows[0]
    assert not report.passed and row.status == "failed" and (row.failed, row.nonfinite) == (1, 1)
    assert row.result == "FAILED (1 of 3 not finite)"
    assert report.max_rel_error == float("inf")  # never a small error for a failed check
    worst = row.worst[0]
    assert (worst.label, worst.index, worst.status, worst.reason) == (
        "x[1]", (1,), "nonfinite", "the autodiff gradient is nan")
    text = str(report)
    assert "Gradient check of nan_at_two_sum: FAILED for 1 of 1 input" in text
    assert "x[1]: autodiff nan, numerical 4: NOT FINITE (the autodiff gradient is nan)" in text
    assert "NOT FINITE" in report._repr_html_()


def test_nan_gradients_fail_in_fast_mode_forward_mode_and_second_order():
    x = tf.constant([1.0, 2.0, 3.0])
    fast = check_gradients(nan_at_two_sum, x, mode="fast")
    assert not fast.passed and fast.rows[0].nonfinite == 4
    assert fast.rows[0].worst[0].reason == "the autodiff gradient is nan at x[1]"
    both = check_gradients(nan_at_two_sum, x, forward_mode=True)
    assert [(row.autodiff, row.passed) for row in both.rows] == [("reverse", False), ("forward", True)]
    second = check_gradients(nan_at_two_sum, x, order=2)
    assert not second.passed and second.rows[0].nonfinite > 0
    assert any("x[1]" in e.label and e.status == "nonfinite" for e in second.rows[0].worst)
    fast_second = check_gradients(nan_at_two_sum, x, order=2, mode="fast")
    assert not fast_second.passed
    assert fast_second.rows[0].worst[0].reason == (
        "the gradient of f is nan at the given point (element x[1]), so its derivatives are undefined")


def test_f_not_finite_one_step_away_fails_and_says_which_side():
    report = check_gradients(lambda x: tf.reduce_sum(tf.sqrt(x)), tf.constant([0.0, 1.0]))
    worst = report.rows[0].worst[0]
    assert not report.passed and worst.label == "x[0]" and worst.status == "nonfinite"
    assert worst.reason == ("the autodiff gradient is inf; f is not finite at x[0] - 6.1e-06, so the finite "
                            "difference is nan")


def test_a_nan_on_the_side_a_one_sided_difference_does_not_use_is_no_failure():
    def defined_from_one(x):  # x ** 2 for x >= 1, NaN below
        return tf.reduce_sum(tf.where(x >= 1.0, x ** 2, tf.constant(np.nan, x.dtype)))

    x = tf.constant([1.0 + 1e-9, 3.0], tf.float64)
    assert check_gradients(defined_from_one, x, method="forward").passed
    central = check_gradients(defined_from_one, x)
    assert not central.passed and central.rows[0].worst[0].reason.startswith("f is not finite at x[0] - ")


def test_a_model_whose_gradient_is_nan_fails(keras):
    class NanGradient(keras.layers.Layer):
        def call(self, inputs):
            @tf.custom_gradient
            def identity(z):
                return tf.identity(z), lambda dy: dy * np.nan

            return identity(inputs)

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), NanGradient()])
    model.compile(loss="mse")
    report = check_model_gradients(model, MX, MY)
    assert not report.passed and all(row.nonfinite == row.checked for row in report.rows)


# --- explain_none_gradient names the real situation -----------------------------------------------

def test_explain_none_gradient_says_a_fine_gradient_is_fine():
    diagnosis = tape.explain_none_gradient(lambda x: tf.reduce_sum(x ** 2), X)
    assert diagnosis.cause == "gradient_exists" and not diagnosis.is_none
    assert str(diagnosis).startswith("Gradient is not None for x: re-running the function inside a GradientTape "
                                     "that watches x gives a gradient ([2. 4.])")
    v = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as t:
        y = v * v
    assert tape.explain_none_gradient(t, y, v, name="v").cause == "gradient_exists"
    assert diagnose_none_gradient(lambda x: tf.reduce_sum(x), X, watched=False).cause == "not_watched"


# --- KS rejects labels that are not 0/1 -------------------------------------------------------------

def test_ks_with_labels_2_raises_instead_of_returning_1e12():
    with pytest.raises(ValueError, match=r"y_true must hold binary labels 0 and 1"):
        ks_statistic([0, 2, 0, 2], [0.1, 0.9, 0.2, 0.8])
    metric = KolmogorovSmirnov()
    with pytest.raises(ValueError, match=r"y_true must hold binary labels 0 and 1 .* Got 2 at index 1"):
        metric.update_state([0, 2, 0, 2], [0.1, 0.9, 0.2, 0.8])
    assert np.isnan(float(metric.result()))  # nothing was counted; KS is undefined without both classes
    metric.update_state([True, False], [0.9, 0.1])  # booleans are labels too
    assert float(metric.result()) == pytest.approx(1.0)


@pytest.mark.parametrize("how", ["fit", "evaluate"])
def test_bad_labels_or_logits_in_fit_and_evaluate_raise_with_the_message(keras, how):
    x, y = fit_data()
    model = tiny_model(keras, metrics=[KolmogorovSmirnov()])
    run = (lambda m, labels: m.fit(x, labels, epochs=1, verbose=0)) if how == "fit" else (
        lambda m, labels: m.evaluate(x, labels, verbose=0))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"y_true must hold binary labels 0 and 1"):
        run(model, 2 * y)
    logits = tiny_model(keras, activation=None, metrics=[KolmogorovSmirnov()])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"y_pred must hold finite probabilities in \[0, 1\]"):
        run(logits, y)
    result = run(tiny_model(keras, metrics=[KolmogorovSmirnov()]), y)  # valid use still runs
    values = result.history["ks"] if how == "fit" else result[1:]
    assert len(values) == 1 and 0.0 <= values[0] <= 1.0


def test_ks_metric_with_one_class_is_nan_not_one():
    metric = KolmogorovSmirnov()
    metric.update_state([1, 1, 1], [0.2, 0.5, 0.9])
    assert np.isnan(float(metric.result()))
    metric.update_state([0], [0.1])
    assert float(metric.result()) == pytest.approx(1.0)


# --- callbacks: listed twice, reused after a failure, saved as JPEG ----------------------------------

def test_the_same_liveplot_twice_in_one_fit_is_refused(keras):
    x, y = fit_data()
    model = tiny_model(keras)
    plot = LivePlot(save_to=None)
    with pytest.raises(ValueError, match=r"The same LivePlot is in callbacks twice .* Pass it once: "
                                         r"callbacks=\[plot\]"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[plot, plot])
    with contextlib.redirect_stdout(io.StringIO()):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[plot])  # once is fine, and nothing was doubled
    assert plot.history.epoch == [0, 1] and len(plot.history.history["loss"]) == 2


@pytest.mark.parametrize("how", ["fit", "evaluate", "predict"])
def test_the_same_tracer_twice_is_refused(keras, how):
    x, y = fit_data()
    model = tiny_model(keras)
    tracer = CallbackTracer()
    calls = {"fit": lambda: model.fit(x, y, epochs=1, verbose=0, callbacks=[tracer, tracer]),
             "evaluate": lambda: model.evaluate(x, y, verbose=0, callbacks=[tracer, tracer]),
             "predict": lambda: model.predict(x, verbose=0, callbacks=[tracer, tracer])}
    with pytest.raises(ValueError, match=r"The same CallbackTracer is in callbacks twice .*callbacks=\[tracer\]"):
        calls[how]()


def test_a_tracer_reused_after_a_failed_fit_starts_at_the_top_level(keras):
    class FailAtBatch2(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                raise RuntimeError("stop here")

    x, y = fit_data(8)
    model = tiny_model(keras)
    tracer = CallbackTracer(max_batches=1)
    with pytest.raises(RuntimeError, match="stop here"):
        model.fit(x, y, batch_size=2, epochs=1, verbose=0, callbacks=[tracer, FailAtBatch2()])
    model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[tracer])
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[tracer], validation_data=(x, y))
    hooks = [call.hook for call in tracer.calls]
    start = hooks.index("on_test_begin")
    # the failed fit keeps its last batch (the one that raised) and says how many were left out
    assert hooks[:start] == ["on_train_begin", "on_epoch_begin", "on_train_batch_begin", "on_train_batch_end",
                             "...", "on_train_batch_begin", "on_train_batch_end"]
    evaluate = tracer.calls[start]
    assert (evaluate.depth, evaluate.epoch) == (0, None)  # not nested inside the epoch that never ended
    assert tracer.calls[hooks.index("on_test_end")].depth == 0
    second_fit = tracer.calls[hooks.index("on_train_begin", start):]
    assert (second_fit[0].depth, second_fit[-1].hook, second_fit[-1].depth) == (0, "on_train_end", 0)
    validation = next(call for call in second_fit if call.hook == "on_test_begin")
    assert (validation.depth, validation.epoch) == (2, 0)  # validation inside fit is still nested


@pytest.mark.parametrize("suffix, magic", [(".jpg", b"\xff\xd8"), (".JPEG", b"\xff\xd8"), (".png", b"\x89PNG")])
def test_save_to_writes_the_format_its_suffix_names(keras, tmp_path, suffix, magic):
    x, y = fit_data()
    path = tmp_path / f"plot{suffix}"
    with contextlib.redirect_stdout(io.StringIO()) as out:
        tiny_model(keras).fit(x, y, epochs=2, verbose=0, callbacks=[LivePlot(save_to=path)])
    assert path.read_bytes().startswith(magic)
    assert f"plot saved to {path}" in out.getvalue()


def test_unknown_monitor_warns_with_a_suggestion(keras):
    x, y = fit_data()
    with pytest.warns(RuntimeWarning, match=r"LivePlot\(monitor='los'\): no such key in logs.* did you mean "
                                            r"'loss'\?"):
        with contextlib.redirect_stdout(io.StringIO()):
            tiny_model(keras).fit(x, y, epochs=1, verbose=0, callbacks=[LivePlot(monitor="los", save_to=None)])
