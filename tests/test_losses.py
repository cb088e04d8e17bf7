import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from tfedu import losses

from explorer_checks import assert_background_is_fresh

RNG = np.random.default_rng(0)


def per_sample(loss, y_true, y_pred):
    """A keras.losses class instance evaluated without reduction, one value per sample."""
    return loss(np.asarray(y_true, np.float32), np.asarray(y_pred, np.float32)).numpy()


# --- regression ----------------------------------------------------------------------------

def test_regression_curves_are_the_keras_losses():
    curves = losses.regression_losses(delta=1.5)
    e = curves.x.astype(np.float64)
    zeros, column = np.zeros((e.size, 1)), e[:, None]
    keras_losses = {"mean_squared_error": keras.losses.MeanSquaredError(reduction=None),
                    "mean_absolute_error": keras.losses.MeanAbsoluteError(reduction=None),
                    "huber": keras.losses.Huber(delta=1.5, reduction=None),
                    "log_cosh": keras.losses.LogCosh(reduction=None)}
    for name, loss in keras_losses.items():
        np.testing.assert_allclose(curves.losses[name], per_sample(loss, zeros, column), rtol=1e-6, atol=1e-7)
    huber = np.where(np.abs(e) <= 1.5, 0.5 * e ** 2, 1.5 * np.abs(e) - 0.5 * 1.5 ** 2)
    np.testing.assert_allclose(curves.losses["huber"], huber, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(curves.losses["log_cosh"], np.log(np.cosh(e)), rtol=1e-4, atol=1e-6)


def test_regression_gradients_come_from_the_tape_and_match_calculus():
    curves = losses.regression_losses(delta=1.0)
    e = curves.x.astype(np.float64)
    away = np.abs(e) > 1e-3
    np.testing.assert_allclose(curves.gradients["mean_squared_error"], 2 * e, atol=1e-5)
    np.testing.assert_allclose(curves.gradients["mean_absolute_error"][away], np.sign(e[away]))
    np.testing.assert_allclose(curves.gradients["huber"], np.clip(e, -1, 1), atol=1e-6)
    np.testing.assert_allclose(curves.gradients["log_cosh"], np.tanh(e), atol=1e-5)


def test_bad_delta_is_refused():
    with pytest.raises(ValueError, match=r"delta must be a number > 0, got 0. \(Huber's delta is the error size"):
        losses.regression_losses(delta=0)


# --- classification ----------------------------------------------------------------------------

@pytest.mark.parametrize("alpha, gamma", [(0.25, 2.0), (0.6, 0.5), (0.5, 0.0)])
def test_binary_curves_are_the_keras_losses(alpha, gamma):
    curves = losses.classification_losses(alpha=alpha, gamma=gamma)
    p = curves.x[:, None]
    for target in (1, 0):
        y = np.full_like(p, target)
        bce = per_sample(keras.losses.BinaryCrossentropy(reduction=None), y, p)
        focal = per_sample(keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=alpha,
                                                                gamma=gamma, reduction=None), y, p)
        hinge = per_sample(keras.losses.Hinge(reduction=None), y, 2 * p - 1)
        np.testing.assert_allclose(curves.losses[f"binary_crossentropy y={target}"], bce, rtol=1e-6)
        np.testing.assert_allclose(curves.losses[f"focal y={target}"], focal, rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(curves.losses[f"hinge y={target}"], hinge, rtol=1e-6)
    np.testing.assert_allclose(curves.gradients["binary_crossentropy y=1"], -1 / curves.x, rtol=1e-4)
    np.testing.assert_allclose(curves.gradients["hinge y=0"], 2.0)  # d/dp max(0, 1 + (2p - 1))


def test_binary_curves_from_logits():
    curves = losses.classification_losses(alpha=0.25, gamma=2.0, from_logits=True)
    z = curves.x[:, None]
    assert curves.x[0] == -6 and curves.x[-1] == 6 and curves.xlabel.startswith("logit z")
    for target in (1, 0):
        y = np.full_like(z, target)
        bce = per_sample(keras.losses.BinaryCrossentropy(from_logits=True, reduction=None), y, z)
        focal = per_sample(keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, from_logits=True,
                                                                reduction=None), y, z)
        np.testing.assert_allclose(curves.losses[f"binary_crossentropy y={target}"], bce, rtol=1e-5)
        np.testing.assert_allclose(curves.losses[f"focal y={target}"], focal, rtol=1e-4, atol=1e-7)
        sigma = 1 / (1 + np.exp(-curves.x.astype(np.float64)))
        np.testing.assert_allclose(curves.gradients[f"binary_crossentropy y={target}"], sigma - target, atol=1e-6)


def test_categorical_cross_entropy_against_a_logit():
    curves = losses.categorical_losses()
    z = curves.x.astype(np.float64)
    logits = np.stack([z, np.zeros_like(z), np.zeros_like(z)], axis=1)
    one_hot = np.tile([1.0, 0.0, 0.0], (z.size, 1))
    expected = per_sample(keras.losses.CategoricalCrossentropy(from_logits=True, reduction=None), one_hot, logits)
    np.testing.assert_allclose(curves.losses["true class"], expected, rtol=1e-5)
    softmax = np.exp(z) / (np.exp(z) + 2)
    np.testing.assert_allclose(curves.gradients["true class"], softmax - 1, atol=1e-6)  # softmax - y
    np.testing.assert_allclose(curves.gradients["wrong class"], softmax, atol=1e-6)


def test_probabilities_outside_zero_one_are_refused():
    with pytest.raises(ValueError, match="must lie in \\[0, 1\\]; pass from_logits=True"):
        losses.classification_losses([0.5, 2.0])


# --- FocalLoss -----------------------------------------------------------------------------------

def focal_numpy(y, p, alpha, gamma):
    """FL = -alpha_t (1 - p_t)^gamma log(p_t), written out, averaged over the last axis."""
    y, p = y.astype(np.float64), np.clip(p.astype(np.float64), 1e-7, 1 - 1e-7)
    p_t = np.where(y == 1, p, 1 - p)
    alpha_t = np.ones_like(p) if alpha is None else np.where(y == 1, alpha, 1 - alpha)
    return np.mean(-alpha_t * (1 - p_t) ** gamma * np.log(p_t), axis=-1)


Y = RNG.integers(0, 2, (32, 1)).astype(np.float32)
P = RNG.uniform(0.01, 0.99, (32, 1)).astype(np.float32)
Z = RNG.normal(0, 3, (32, 1)).astype(np.float32)


@pytest.mark.parametrize("alpha, gamma", [(0.25, 2.0), (0.75, 1.0), (None, 3.0), (0.5, 0.0)])
def test_focal_loss_is_the_formula_and_matches_keras(alpha, gamma):
    loss = losses.FocalLoss(alpha=alpha, gamma=gamma)
    expected = focal_numpy(Y, P, alpha, gamma)
    np.testing.assert_allclose(float(loss(Y, P)), expected.mean(), rtol=1e-5)
    np.testing.assert_allclose(losses.focal_loss(Y, P, alpha, gamma).numpy(), expected, rtol=1e-5)
    reference = keras.losses.BinaryFocalCrossentropy(apply_class_balancing=alpha is not None,
                                                     alpha=alpha if alpha is not None else 0.25, gamma=gamma)
    np.testing.assert_allclose(float(loss(Y, P)), float(reference(Y, P)), rtol=1e-5)


def test_focal_loss_from_logits():
    loss = losses.FocalLoss(alpha=0.4, gamma=1.5, from_logits=True)
    p = 1 / (1 + np.exp(-Z.astype(np.float64)))
    np.testing.assert_allclose(float(loss(Y, Z)), focal_numpy(Y, p, 0.4, 1.5).mean(), rtol=1e-5)
    reference = keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.4, gamma=1.5,
                                                     from_logits=True)
    np.testing.assert_allclose(float(loss(Y, Z)), float(reference(Y, Z)), rtol=1e-5)
    big = np.array([[40.0]], np.float32)  # stable: the loss of a confident mistake keeps growing
    assert float(losses.FocalLoss(alpha=None, gamma=0.0, from_logits=True)(np.zeros((1, 1)), big)) == \
        pytest.approx(40.0)


def test_gamma_zero_is_scaled_binary_cross_entropy():
    bce = keras.losses.binary_crossentropy(Y, P).numpy()
    alpha_t = np.where(Y[:, 0] == 1, 0.25, 0.75)
    np.testing.assert_allclose(losses.focal_loss(Y, P, alpha=0.25, gamma=0.0).numpy(), alpha_t * bce, rtol=1e-5)
    np.testing.assert_allclose(float(losses.FocalLoss(alpha=None, gamma=0.0)(Y, P)),
                               float(keras.losses.BinaryCrossentropy()(Y, P)), rtol=1e-6)


def test_focal_loss_lines_up_shapes_instead_of_broadcasting():
    right = float(losses.FocalLoss()(Y, P))
    assert float(losses.FocalLoss()(Y[:, 0], P)) == pytest.approx(right)
    assert float(losses.FocalLoss()(Y, P[:, 0])) == pytest.approx(right)
    # The classic tutorial bug: an (N,) cross-entropy times (N, 1) factors broadcasts to (N, N).
    cross_entropy = keras.losses.binary_crossentropy(Y, P).numpy()  # (N,)
    p_t = np.where(Y == 1, P, 1 - P)
    alpha_t = np.where(Y == 1, 0.25, 0.75)
    broadcast = alpha_t * (1 - p_t) ** 2 * cross_entropy
    assert broadcast.shape == (32, 32) and abs(broadcast.mean() - right) > 0.01
    with pytest.raises(ValueError, match=r"y_true has shape \(32,\) but y_pred has shape \(32, 32\)"):
        losses.FocalLoss()(Y[:, 0], np.tile(P, (1, 32)))


@pytest.mark.parametrize("kwargs, message", [(dict(alpha=1.5), "alpha must be a number in \\[0, 1\\]"),
                                             (dict(gamma=-1), "gamma must be a number >= 0")])
def test_focal_loss_checks_its_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        losses.FocalLoss(**kwargs)


def test_focal_loss_config_round_trip():
    loss = losses.FocalLoss(alpha=0.3, gamma=1.5, from_logits=True, reduction="sum", name="my_focal")
    config = loss.get_config()
    assert config == {"name": "my_focal", "reduction": "sum", "alpha": 0.3, "gamma": 1.5, "from_logits": True}
    again = keras.losses.deserialize(keras.losses.serialize(loss))
    assert isinstance(again, losses.FocalLoss) and again.get_config() == config
    assert repr(again) == "FocalLoss(alpha=0.3, gamma=1.5, from_logits=True)"


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # inside keras' model.save
def test_focal_loss_trains_saves_and_reloads_in_a_compiled_model(tmp_path):
    x = RNG.normal(size=(64, 4)).astype(np.float32)
    y = (x[:, :1] + 0.5 * x[:, 1:2] > 0).astype(np.float32)
    model = keras.Sequential([keras.Input((4,)),
                              keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed=1))])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=losses.FocalLoss(alpha=0.3, gamma=1.5, from_logits=True))
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0, shuffle=False)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = tmp_path / "focal.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.loss, losses.FocalLoss)
    assert (loaded.loss.alpha, loaded.loss.gamma, loaded.loss.from_logits) == (0.3, 1.5, True)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-6)
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(float(loaded.loss(y, loaded.predict(x, verbose=0))),
                                                             rel=1e-5)


# --- drawing -----------------------------------------------------------------------------------

def test_plot_regression_losses_draws_the_computed_curves():
    drawing = losses.plot_regression_losses(delta=0.5)
    loss_ax, gradient_ax = drawing.figure.axes
    labels = [line.get_label() for line in loss_ax.lines if not line.get_label().startswith("_")]
    assert labels == ["MSE", "MAE", "Huber δ=0.5", "log-cosh"]
    np.testing.assert_allclose(loss_ax.lines[2].get_ydata(), drawing.curves.losses["huber"])
    np.testing.assert_allclose(gradient_ax.lines[2].get_ydata(), drawing.curves.gradients["huber"])
    assert str(drawing).splitlines()[3].split() == ["Huber", "δ=0.5", "0.125", "0.375", "0.875", "1.38"]
    plt.close(drawing.figure)


def test_plot_classification_losses_panels_and_axes():
    drawing = losses.plot_classification_losses(alpha=0.5, gamma=1.0, gradients=True)
    axes = drawing.figure.axes
    assert len(axes) == 6
    assert axes[0].get_title() == "loss when the true label is 1"
    np.testing.assert_allclose(axes[1].lines[1].get_ydata(), drawing.curves.losses["focal y=0"])
    np.testing.assert_allclose(axes[5].lines[0].get_ydata(), drawing.categorical.gradients["true class"])
    plt.close(drawing.figure)
    figure, ax = plt.subplots()
    single = losses.plot_classification_losses(ax=ax, from_logits=True)
    assert single.figure is figure and len(ax.lines) == 6
    assert str(single).splitlines()[0].split() == ["loss", "at", "z", "-2", "0", "2"]
    plt.close(figure)


# --- explorer ------------------------------------------------------------------------------------

def test_loss_explorer_updates_existing_curves():
    open_before = plt.get_fignums()
    explorer = losses.loss_explorer()
    figure = explorer.figure
    huber, focal = explorer.regression_lines["huber"], explorer.binary_lines["focal y=1"]
    assert repr(explorer) == ("loss_explorer (losses): Huber(δ=1) at error 2: 1.5; y=1 at p=0.1: BCE 2.3, "
                              "focal(α=0.25, γ=2) 0.466")
    assert len(repr(explorer)) <= 110

    explorer.delta.value = 2.0
    np.testing.assert_allclose(huber.get_ydata(), losses.regression_losses(delta=2.0).losses["huber"])
    assert explorer.delta_lines[1].get_xdata()[0] == 2.0
    assert_background_is_fresh(explorer)
    explorer.gamma.value = 0.0
    np.testing.assert_allclose(focal.get_ydata(), 0.25 * explorer.binary.losses["binary_crossentropy y=1"],
                               rtol=1e-5)
    explorer.alpha.value = 0.5
    explorer.from_logits.value = True
    assert focal.get_xdata()[0] == -6.0
    explorer.show.value = "gradient"
    np.testing.assert_allclose(huber.get_ydata(), np.clip(explorer.regression.x, -2, 2), atol=1e-6)
    assert explorer.binary_ax.get_ylim() == (-1.5, 2.5)
    assert_background_is_fresh(explorer)

    assert explorer.figure is figure and plt.get_fignums() == open_before
    assert repr(explorer).startswith("loss_explorer (gradients): Huber(δ=2) at error 2: 2; y=1 at z=-2: BCE -0.881")


def test_loss_explorer_checks_its_arguments():
    with pytest.raises(ValueError, match="gamma must be a number >= 0"):
        losses.loss_explorer(gamma=-1.0)
    with pytest.raises(ValueError, match="show 'both' is not known. Choose one of: 'loss', 'gradient'"):
        losses.loss_explorer(show="both")
