"""Bad input to data, descent, tensors, activations, losses, optimizers and their explorers.

Each case names the argument and says what is accepted; the second half checks results that used
to be silently wrong (clamped sliders, ignored typos, NaN data, modified data files).
"""
import hashlib

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tfedu import activations, data, descent, losses, optimizers, tensors
from tfedu._widgets import slider_range

from explorer_checks import assert_slider_shows

NAN, INF = float("nan"), float("inf")
X = np.linspace(-1, 1, 40).astype("float32")
Y = 3 * X + 2
M = [[1.0, 2.0], [3.0, 4.0]]


def race(**kwargs):
    defaults = dict(surface="quadratic", optimizers=["SGD", "Adam"], steps=10)
    return optimizers.run_race(**{**defaults, **kwargs})


CASES = [
    # --- data: toy generators, split, digits ---
    pytest.param(lambda: data.make_moons(10, noise=NAN), ValueError, r"noise must be a number >= 0, got nan",
                 id="moons-noise-nan"),
    pytest.param(lambda: data.make_moons(10, noise="0.1"), TypeError, r"noise must be a number, got str '0.1'. Pass it "
                 "without quotes", id="moons-noise-str"),
    pytest.param(lambda: data.make_moons(10, noise=True), TypeError, r"noise must be a number, got bool True",
                 id="moons-noise-bool"),
    pytest.param(lambda: data.make_moons(10, noise=None), TypeError, r"noise must be a number, got NoneType None",
                 id="moons-noise-none"),
    pytest.param(lambda: data.make_circles(10, factor=NAN), ValueError, r"factor must be a number in \(0, 1\), got nan",
                 id="circles-factor-nan"),
    pytest.param(lambda: data.make_spiral(10, turns=INF), ValueError, r"turns must be a number > 0, got inf",
                 id="spiral-turns-inf"),
    pytest.param(lambda: data.make_spiral(10, turns=NAN), ValueError, r"turns must be a number > 0, got nan",
                 id="spiral-turns-nan"),
    pytest.param(lambda: data.make_blobs(10, radius=NAN), ValueError, r"radius must be a number > 0, got nan",
                 id="blobs-radius-nan"),
    pytest.param(lambda: data.make_blobs(10, radius="1.5"), TypeError, r"radius must be a number, got str",
                 id="blobs-radius-str"),
    pytest.param(lambda: data.make_spiral(10, n_classes=2.5), TypeError, r"n_classes must be an int, got float 2.5",
                 id="spiral-n_classes-float"),
    pytest.param(lambda: data.make_moons(True), TypeError, r"n_samples must be an int, got bool True",
                 id="moons-n_samples-bool"),
    pytest.param(lambda: data.make_moons(10 ** 12), ValueError, r"n_samples must be an int in \[1, 1000000\], got "
                 r"1000000000000\. Toy datasets are for plots", id="moons-n_samples-huge"),
    pytest.param(lambda: data.make_xor(10, seed=-1), ValueError, r"seed must be an int >= 0, got -1", id="xor-seed-neg"),
    pytest.param(lambda: data.make_xor(10, seed=2.5), TypeError, r"seed must be an int, got float 2.5",
                 id="xor-seed-float"),
    pytest.param(lambda: data.make_toy("spirals"), ValueError, r"toy dataset 'spirals' is not known; did you mean "
                 r"'spiral'\? Choose one of: 'moons'", id="toy-name-typo"),
    pytest.param(lambda: data.make_toy("moons", nose=0.2), TypeError, r"make_toy\('moons'\) takes no argument 'nose'; "
                 r"did you mean 'noise'\?", id="toy-kwarg-typo"),
    pytest.param(lambda: data.train_test_split(np.zeros(10), np.zeros(10), test_fraction=NAN), ValueError,
                 r"test_fraction must be a number in \(0, 1\), got nan", id="split-fraction-nan"),
    pytest.param(lambda: data.train_test_split(np.zeros(10), np.zeros(10), test_fraction=True), TypeError,
                 r"test_fraction must be a number, got bool True", id="split-fraction-bool"),
    pytest.param(lambda: data.train_test_split(np.zeros(10), np.zeros(10), test_fraction="0.2"), TypeError,
                 r"test_fraction must be a number, got str '0.2'", id="split-fraction-str"),
    pytest.param(lambda: data.train_test_split(np.zeros(10), np.zeros(10), seed=1.5), TypeError,
                 r"seed must be an int, got float 1.5", id="split-seed-float"),
    pytest.param(lambda: data.train_test_split(3, 4), ValueError, r"x must be an array with one row per sample",
                 id="split-scalar"),
    pytest.param(lambda: data.load_digits(normalize="no"), TypeError, r"normalize must be True or False, got str 'no'",
                 id="digits-normalize-str"),
    pytest.param(lambda: data.load_digits(path=3), TypeError, r"path must be a file path .* got int 3",
                 id="digits-path-int"),
    # --- descent ---
    pytest.param(lambda: descent.gradient_descent(X, Y, learning_rate="0.1"), TypeError,
                 r"learning_rate must be a number, got str '0.1'. Pass it without quotes", id="gd-rate-str"),
    pytest.param(lambda: descent.gradient_descent(X, Y, learning_rate=INF), ValueError,
                 r"learning_rate must be a number > 0, got inf", id="gd-rate-inf"),
    pytest.param(lambda: descent.gradient_descent(X, Y, learning_rate=1e-50), ValueError,
                 r"learning_rate=1e-50 cannot be stored as float32", id="gd-rate-underflows"),
    pytest.param(lambda: descent.gradient_descent(X, Y, batch_size=True), TypeError,
                 r"batch_size must be an int, got bool True", id="gd-batch-bool"),
    pytest.param(lambda: descent.gradient_descent(X, Y, batch_size=2.7), TypeError,
                 r"batch_size must be an int, got float 2.7", id="gd-batch-float"),
    pytest.param(lambda: descent.gradient_descent(X, Y, batch_size=41), ValueError,
                 r"batch_size must be an int in \[1, 40\], got 41. It is at most the number of samples \(40\)",
                 id="gd-batch-too-big"),
    pytest.param(lambda: descent.gradient_descent(X, Y, epochs=2.5), TypeError, r"epochs must be an int, got float 2.5",
                 id="gd-epochs-float"),
    pytest.param(lambda: descent.gradient_descent(X, Y, epochs=10 ** 7), ValueError,
                 r"would make 10,000,000 updates; the limit is MAX_UPDATES = 100,000.*Use fewer epochs or a larger "
                 "batch_size", id="gd-epochs-huge"),
    pytest.param(lambda: descent.gradient_descent(X, Y, w=NAN), ValueError, r"w must be a finite number, got nan",
                 id="gd-w-nan"),
    pytest.param(lambda: descent.gradient_descent(np.zeros((20, 2)), np.zeros(40)), ValueError,
                 r"x must hold one number per sample, shape \(n,\) or \(n, 1\), got shape \(20, 2\)", id="gd-x-2d"),
    pytest.param(lambda: descent.gradient_descent(X, np.where(X > 0.5, np.inf, Y)), ValueError,
                 r"y contains inf at index 30", id="gd-y-inf"),
    pytest.param(lambda: descent.gradient_descent(np.array([True, False]), np.array([1.0, 2.0])), TypeError,
                 r"x must hold numbers, got an array of dtype bool", id="gd-x-bool"),
    pytest.param(lambda: descent.compare_batch_sizes(X, Y, batch_sizes=(None, 0)), ValueError,
                 r"batch_sizes\[1\] must be an int in \[1, 40\], got 0", id="compare-batch-zero"),
    pytest.param(lambda: descent.compare_batch_sizes(X, Y, batch_sizes="32"), TypeError,
                 r"batch_sizes must be a list of batch sizes such as \(None, 32, 1\)", id="compare-batch-str"),
    pytest.param(lambda: descent.compare_batch_sizes(X, Y, batch_sizes=(None, 1), epochs=10 ** 4), ValueError,
                 r"compare_batch_sizes .* would make 410,000 updates; the limit is MAX_UPDATES = 100,000",
                 id="compare-too-long"),
    pytest.param(lambda: descent.compare_batch_sizes(np.array([1.0, NAN]), np.array([1.0, 2.0]), batch_sizes=(None,)),
                 ValueError, r"x contains nan at index 1", id="compare-x-nan"),
    pytest.param(lambda: descent.learning_rate_explorer(X, Y, learning_rate=-1.0), ValueError,
                 r"learning_rate must be a number > 0, got -1.0", id="lr-explorer-rate-negative"),
    pytest.param(lambda: descent.learning_rate_explorer(X, Y, epochs=0), ValueError, r"epochs must be an int >= 1, got 0",
                 id="lr-explorer-epochs-zero"),
    # --- tensors ---
    pytest.param(lambda: tensors.reduce(M, axis=True), TypeError, r"axis must be None, 0 or 1 .* got bool True",
                 id="reduce-axis-bool"),
    pytest.param(lambda: tensors.reduce(M, axis=1.0), TypeError, r"axis must be None, 0 or 1 .* got float 1.0",
                 id="reduce-axis-float"),
    pytest.param(lambda: tensors.reduce(M, axis=2), ValueError, r"axis must be None, 0 or 1 .* got 2: a matrix has axes "
                 r"0 \(rows\) and 1 \(columns\) only", id="reduce-axis-out-of-range"),
    pytest.param(lambda: tensors.reduce(M, "mena"), ValueError, r"reduction 'mena' is not known; did you mean 'mean'\?",
                 id="reduce-op-typo"),
    pytest.param(lambda: tensors.reduce(M, keepdims="yes"), TypeError, r"keepdims must be True or False, got str 'yes'",
                 id="reduce-keepdims-str"),
    pytest.param(lambda: tensors.reduce([[1.0, NAN]]), ValueError, r"x contains nan at index \(0, 1\)", id="reduce-x-nan"),
    pytest.param(lambda: tensors.reduce(np.zeros((0, 3))), ValueError, r"x is empty \(shape \(0, 3\)\)",
                 id="reduce-x-empty"),
    pytest.param(lambda: tensors.draw_reduction(M), TypeError, r"draw_reduction draws the result of reduce",
                 id="draw-reduction-not-a-reduction"),
    pytest.param(lambda: tensors.draw_reduction(tensors.reduce(np.ones((300, 300)))), ValueError,
                 r"x has shape \(300, 300\); at most \(20, 20\) fits. Use a slice", id="draw-reduction-too-big"),
    pytest.param(lambda: tensors.reduce_explorer(M, axis=True), TypeError, r"axis must be None, 0 or 1",
                 id="reduce-explorer-axis-bool"),
    # --- activations ---
    pytest.param(lambda: activations.activation_curve("sigmod"), ValueError,
                 r"activation 'sigmod' is not known; did you mean 'sigmoid'\?", id="curve-name-typo"),
    pytest.param(lambda: activations.activation_curve("relu", (NAN, 1)), ValueError,
                 r"x_range\[0\] \(low\) must be a finite number, got nan", id="curve-x_range-nan"),
    pytest.param(lambda: activations.activation_curve("relu", "ab"), TypeError,
                 r"x_range must be a pair \(low, high\) such as \(-5, 5\), got str 'ab'", id="curve-x_range-str"),
    pytest.param(lambda: activations.activation_curve("relu", num=10.5), TypeError, r"num must be an int, got float 10.5",
                 id="curve-num-float"),
    pytest.param(lambda: activations.activation_curve("relu", num=10 ** 9), ValueError,
                 r"num must be an int in \[10, 100000\]", id="curve-num-huge"),
    pytest.param(lambda: activations.activation_curve("relu", threshold=NAN), ValueError,
                 r"threshold must be a number > 0, got nan", id="curve-threshold-nan"),
    pytest.param(lambda: activations.activation_curve("leaky_relu", negative_slope=NAN), ValueError,
                 r"negative_slope must be a finite number, got nan", id="curve-param-nan"),
    pytest.param(lambda: activations.activation_curve("leaky_relu", negative_slop=0.1), ValueError,
                 r"leaky_relu has no parameter 'negative_slop'; did you mean 'negative_slope'\?", id="curve-param-typo"),
    pytest.param(lambda: activations.activation_curve("gelu", approximate="yes"), TypeError,
                 r"approximate must be True or False, got str 'yes'", id="curve-param-bool"),
    pytest.param(lambda: activations.activation_explorer(["sigmod"]), ValueError,
                 r"activation 'sigmod' is not known; did you mean 'sigmoid'\?.*plot_activation draws any other",
                 id="act-explorer-name-typo"),
    pytest.param(lambda: activations.activation_explorer(negative_slope=-0.1), ValueError,
                 r"negative_slope must be a number >= 0, got -0.1", id="act-explorer-slope-negative"),
    pytest.param(lambda: activations.activation_explorer(alpha=NAN), ValueError, r"alpha must be a number >= 0, got nan",
                 id="act-explorer-alpha-nan"),
    pytest.param(lambda: activations.activation_explorer(approximate="no"), TypeError,
                 r"approximate must be True or False, got str 'no'", id="act-explorer-approximate-str"),
    pytest.param(lambda: activations.layer_gradient_norms(depth=True), TypeError, r"depth must be an int, got bool True",
                 id="flow-depth-bool"),
    pytest.param(lambda: activations.layer_gradient_norms(depth=10 ** 6), ValueError,
                 r"depth must be an int in \[1, 200\], got 1000000", id="flow-depth-huge"),
    pytest.param(lambda: activations.layer_gradient_norms(depth=2, initializer="he_nromal"), ValueError,
                 r"initializer 'he_nromal' is not known; did you mean 'he_normal'\?", id="flow-initializer-typo"),
    pytest.param(lambda: activations.gradient_flow(["sigmod"], depth=2), ValueError,
                 r"activation 'sigmod' is not known; did you mean 'sigmoid'\?", id="flow-activation-typo"),
    # --- losses ---
    pytest.param(lambda: losses.regression_losses(delta=INF), ValueError, r"delta must be a number > 0, got inf",
                 id="regression-delta-inf"),
    pytest.param(lambda: losses.regression_losses([1.0, NAN]), ValueError, r"errors contains nan at index 1",
                 id="regression-errors-nan"),
    pytest.param(lambda: losses.classification_losses(alpha=True), TypeError, r"alpha must be a number, got bool True",
                 id="classification-alpha-bool"),
    pytest.param(lambda: losses.classification_losses(gamma=INF), ValueError, r"gamma must be a number >= 0, got inf",
                 id="classification-gamma-inf"),
    pytest.param(lambda: losses.classification_losses([0.5, NAN]), ValueError, r"x contains nan at index 1",
                 id="classification-x-nan"),
    pytest.param(lambda: losses.categorical_losses(others="00"), ValueError,
                 r"others must hold the 2 other logits \(3 classes\).* got str '00'", id="categorical-others-str"),
    pytest.param(lambda: losses.focal_loss([[1.0]], [[3.0]]), ValueError,
                 r"y_pred holds 3, outside \[0, 1\]: it looks like logits. Pass from_logits=True", id="focal-logits"),
    pytest.param(lambda: losses.focal_loss([[5.0]], [[0.5]]), ValueError, r"y_true holds 5, but focal loss is binary",
                 id="focal-label-5"),
    pytest.param(lambda: losses.FocalLoss(from_logits="no"), TypeError, r"from_logits must be True or False, got str",
                 id="focal-class-from_logits-str"),
    pytest.param(lambda: losses.plot_regression_losses(gradients="no"), TypeError,
                 r"gradients must be True or False, got str 'no'", id="plot-regression-gradients-str"),
    pytest.param(lambda: losses.loss_explorer(show="gradients"), ValueError,
                 r"show 'gradients' is not known; did you mean 'gradient'\?", id="loss-explorer-show-typo"),
    pytest.param(lambda: losses.loss_explorer(alpha=None), ValueError, r"alpha=None .* has no slider position",
                 id="loss-explorer-alpha-none"),
    pytest.param(lambda: losses.loss_explorer(delta=-1.0), ValueError, r"delta must be a number > 0, got -1.0",
                 id="loss-explorer-delta-negative"),
    pytest.param(lambda: losses.loss_explorer(from_logits="yes"), TypeError, r"from_logits must be True or False",
                 id="loss-explorer-from_logits-str"),
    # --- optimizers ---
    pytest.param(lambda: race(learning_rate={"SGD": 0.001, "Adamm": 1.0}), ValueError,
                 r"learning_rate has a key 'Adamm' that matches nothing; did you mean 'Adam'\?", id="race-rate-key-typo"),
    pytest.param(lambda: race(optimizers=["SGD"], learning_rate={"Adam": 1.0}), ValueError,
                 r"learning_rate gives a rate for Adam, which is not in this race", id="race-rate-key-not-racing"),
    pytest.param(lambda: race(learning_rate=NAN), ValueError, r"learning_rate must be a number > 0, got nan",
                 id="race-rate-nan"),
    pytest.param(lambda: race(learning_rate={"SGD": -1.0}), ValueError, r"learning_rate\['SGD'\] must be a number > 0",
                 id="race-rate-dict-negative"),
    pytest.param(lambda: race(learning_rate="0.1"), TypeError, r"learning_rate must be a number, got str '0.1'",
                 id="race-rate-str"),
    pytest.param(lambda: race(steps=5000), ValueError, r"steps must be an int in \[1, 1000\], got 5000. A race runs at "
                 "most MAX_STEPS = 1000", id="race-steps-huge"),
    pytest.param(lambda: race(steps=2.5), TypeError, r"steps must be an int, got float 2.5", id="race-steps-float"),
    pytest.param(lambda: race(surface="rosenbrok"), ValueError,
                 r"surface 'rosenbrok' is not known; did you mean 'rosenbrock'\?", id="race-surface-typo"),
    pytest.param(lambda: race(optimizers=["Adamm"]), ValueError, r"optimizer 'Adamm' is not known; did you mean 'Adam'\?",
                 id="race-optimizer-typo"),
    pytest.param(lambda: race(start=["1", "2"]), TypeError, r"start must hold numbers", id="race-start-str"),
    pytest.param(lambda: race(start=(NAN, 1.0)), ValueError, r"start contains nan at index 0", id="race-start-nan"),
    pytest.param(lambda: race().final_loss("Adamm"), ValueError, r"optimizer 'Adamm' is not known; did you mean 'Adam'\?",
                 id="race-result-name-typo"),
    pytest.param(lambda: optimizers.optimizer_race("quadratic", ["SGD"], steps=5, interactive="yes"), TypeError,
                 r"interactive must be True or False", id="optimizer-race-interactive-str"),
    pytest.param(lambda: optimizers.race_explorer("quadratic", ["SGD"], steps=5000), ValueError,
                 r"steps must be an int in \[1, 1000\], got 5000", id="race-explorer-steps-huge"),
    pytest.param(lambda: optimizers.race_explorer("quadratic", ["SGD"], learning_rate=-0.1), ValueError,
                 r"learning_rate must be a number > 0, got -0.1", id="race-explorer-rate-negative"),
    pytest.param(lambda: optimizers.race_explorer("quadratic", ["SGD"], start=(1.0,)), ValueError,
                 r"start must be two finite numbers \(x, y\), got \(1.0,\)", id="race-explorer-start-short"),
]


@pytest.mark.parametrize("call, error, message", CASES)
def test_bad_input_names_the_argument_and_the_fix(call, error, message):
    try:
        with pytest.raises(error, match=message):
            call()
    finally:
        plt.close("all")


def test_the_table_is_large_and_distinct():
    ids = [case.id for case in CASES]
    assert len(ids) >= 35 and len(set(ids)) == len(ids)


# --- explorers show the value they were given, or refuse it --------------------------------------

def test_learning_rate_explorer_widens_its_sliders():
    explorer = descent.learning_rate_explorer(X, Y, learning_rate=10, epochs=150)
    assert_slider_shows(explorer.rate, 10)
    assert_slider_shows(explorer.epochs, 150)
    assert explorer.run.learning_rate == 10 and len(explorer.run.epoch_losses) <= 151  # it ran at 10, not 3.16
    small = descent.learning_rate_explorer(X, Y, learning_rate=1e-5, epochs=3)
    assert_slider_shows(small.rate, 1e-5)
    assert small.run.learning_rate == 1e-5


def test_activation_explorer_widens_its_sliders():
    explorer = activations.activation_explorer(["leaky_relu", "elu"], x_range=(-20.0, 12.3), negative_slope=1.5,
                                               alpha=5.0)
    assert_slider_shows(explorer.negative_slope, 1.5)
    assert_slider_shows(explorer.alpha, 5.0)
    assert explorer.x_range.value == (-20.0, 12.3)
    assert explorer.x_range.min <= -20.0 and explorer.x_range.max >= 12.3
    assert explorer.curves["leaky_relu"].derivative[0] == pytest.approx(1.5)
    assert explorer.curves["elu"].y[0] == pytest.approx(5.0 * (np.exp(-20.0) - 1), rel=1e-5)
    low = activations.activation_explorer(["elu"], alpha=0.01)
    assert_slider_shows(low.alpha, 0.01)


def test_loss_explorer_widens_its_sliders_but_never_to_a_zero_delta():
    explorer = losses.loss_explorer(delta=5.0, gamma=10.0)
    assert_slider_shows(explorer.delta, 5.0)
    assert_slider_shows(explorer.gamma, 10.0)
    assert explorer.regression.params["delta"] == 5.0 and explorer.binary.params["gamma"] == 10.0
    small = losses.loss_explorer(delta=0.01)
    assert_slider_shows(small.delta, 0.01)
    assert small.delta.min > 0  # sliding to the end never asks for Huber with delta 0


def test_race_explorer_widens_its_sliders():
    explorer = optimizers.race_explorer("quadratic", ["SGD", "Adam"], learning_rate=3.0, steps=5)
    assert_slider_shows(explorer.learning_rate, 3.0)
    assert_slider_shows(explorer.steps, 5)
    assert explorer.race.learning_rates["Adam"] == 3.0 and explorer.race.steps == 5
    tiny = optimizers.race_explorer("quadratic", ["SGD"], learning_rate=1e-6, steps=20)
    assert_slider_shows(tiny.learning_rate, 1e-6)
    assert tiny.race.learning_rates["SGD"] == 1e-6


def test_reduce_explorer_shows_a_negative_axis_as_its_button():
    explorer = tensors.reduce_explorer(M, axis=-1)
    assert explorer.axis.value == 1 and explorer.reduction.result.tolist() == [3.0, 7.0]


@pytest.mark.parametrize("value, low, high, step, log", [(10.0, -3, 0.5, 0.05, True), (1e-5, -3, 0.5, 0.05, True),
                                                         (0.013, -3, 0.5, 0.05, True), (4.2, 0.1, 3.0, 0.1, False),
                                                         (-20.0, -10.0, 10.0, 0.5, False), (0.25, 0.0, 0.5, 0.01, False)])
def test_slider_range_always_includes_the_value(value, low, high, step, log):
    new_low, new_high = slider_range(value, low, high, step, log=log)
    assert new_low <= low and new_high >= high
    shown = (10.0 ** new_low, 10.0 ** new_high) if log else (new_low, new_high)
    assert shown[0] <= value <= shown[1]


# --- typos and NaN no longer pass silently --------------------------------------------------------

def test_a_typo_in_a_learning_rate_key_is_not_ignored():
    rates = {"SGD": 0.001, "Adam": 1.0}
    good = race(learning_rate=rates)
    assert good.learning_rates == {"SGD": 0.001, "Adam": 1.0}
    with pytest.raises(ValueError, match="did you mean 'Adam'"):
        race(learning_rate={"SGD": 0.001, "Adamm": 1.0})


@pytest.mark.parametrize("make, kwargs", [(data.make_moons, dict(noise=NAN)), (data.make_circles, dict(factor=NAN)),
                                          (data.make_spiral, dict(turns=NAN)), (data.make_blobs, dict(radius=NAN)),
                                          (data.make_xor, dict(noise=INF))])
def test_toy_generators_never_return_nan_data(make, kwargs):
    with pytest.raises(ValueError, match=f"{next(iter(kwargs))} must be a number"):
        make(20, **kwargs)


def test_numpy_scalars_are_numbers_and_counts():
    x, y = data.make_moons(np.int64(100), noise=np.float32(0.1), seed=np.int64(1))
    assert x.shape == (100, 2) and np.isfinite(x).all()
    assert data.make_spiral(np.int32(30), n_classes=np.int64(3), turns=np.float64(1.5))[0].shape == (30, 2)
    (x_train, _), _ = data.train_test_split(x, y, test_fraction=np.float32(0.25), seed=np.int64(0))
    assert len(x_train) == 75
    run = descent.gradient_descent(X, Y, learning_rate=np.float32(0.5), epochs=np.int64(3), batch_size=np.int64(8))
    assert run.batch_size == 8 and len(run.epoch_losses) == 4
    assert tensors.reduce(M, axis=np.int64(1)).result.tolist() == [3.0, 7.0]
    assert race(learning_rate=np.float32(0.05), steps=np.int64(12)).steps == 12
    curves = losses.classification_losses([0.5], alpha=np.float32(0.25), gamma=np.float64(2.0))
    assert curves.params == {"alpha": 0.25, "gamma": 2.0, "from_logits": False}
    assert losses.FocalLoss(alpha=np.float32(0.5)).alpha == 0.5


def test_a_single_batch_size_and_a_column_of_x_are_fine():
    result = descent.compare_batch_sizes(X, Y, batch_sizes=8, epochs=2)
    assert [run.batch_size for run in result.runs] == [8]
    plt.close(result.figure)
    column = descent.gradient_descent(X[:, None], Y[:, None], epochs=2)
    assert column.params == descent.gradient_descent(X, Y, epochs=2).params


# --- the shipped digits are verified by content ------------------------------------------------------

def _shuffled_copy(folder):
    with np.load(data.DATA_DIR / "digits.npz") as archive:
        images, labels = archive["images"], archive["labels"]
    shuffled = np.random.default_rng(0).permutation(labels)  # same shape, dtype, range and class counts
    assert not np.array_equal(shuffled, labels)
    file = folder / "digits.npz"
    np.savez_compressed(file, images=images, labels=shuffled)
    return file


def test_shuffled_labels_are_caught_by_the_checksum(tmp_path):
    file = _shuffled_copy(tmp_path)
    with pytest.raises(data.DataFileError, match=r"not the shipped digits.*SHA-256.*git checkout -- data/.*"
                                                 r"make_digits\.py"):
        data.load_digits(path=file)


def test_a_modified_default_file_is_caught(tmp_path, monkeypatch):
    _shuffled_copy(tmp_path)
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    with pytest.raises(data.DataFileError, match="were pixels or labels changed or shuffled"):
        data.load_digits()


def test_an_identical_copy_loads_however_it_was_compressed(tmp_path):
    with np.load(data.DATA_DIR / "digits.npz") as archive:
        images, labels = archive["images"], archive["labels"]
    np.savez(tmp_path / "digits.npz", images=images, labels=labels)  # uncompressed: other bytes, same digits
    assert hashlib.sha256((tmp_path / "digits.npz").read_bytes()).hexdigest() != \
        hashlib.sha256((data.DATA_DIR / "digits.npz").read_bytes()).hexdigest()
    loaded, loaded_labels = data.load_digits(path=tmp_path / "digits.npz", normalize=False)
    np.testing.assert_array_equal(loaded, images)
    np.testing.assert_array_equal(loaded_labels, labels)
