"""tfedu.playground's compute layer: set-ups, datasets, features and training on real Keras models."""
import json

import numpy as np
import pytest

from tfedu import playground
from tfedu.playground import Trainer, check_config, features, make_data


def test_features_are_playgrounds_seven():
    x = np.array([[0.5, -2.0], [3.0, 1.0]], dtype="float32")
    got = features(x, list(playground.FEATURES))
    expected = np.stack([x[:, 0], x[:, 1], x[:, 0] ** 2, x[:, 1] ** 2, x[:, 0] * x[:, 1], np.sin(x[:, 0]),
                         np.sin(x[:, 1])], axis=1)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert got.dtype == np.float32 and got.shape == (2, 7)


@pytest.mark.parametrize("dataset", playground.CLASSIFICATION + playground.REGRESSION)
def test_every_dataset_has_the_asked_size_and_lies_in_playgrounds_square(dataset):
    x, y = make_data({"dataset": dataset, "n_samples": 200, "seed": 3})
    assert x.shape == (200, 2) and x.dtype == np.float32 and len(y) == 200
    assert np.abs(x).max() <= 7.5
    if dataset in playground.CLASSIFICATION:
        assert set(np.unique(y)) == {0, 1}
    else:
        assert y.dtype == np.float32 and np.unique(y).size > 100
    again, _ = make_data({"dataset": dataset, "n_samples": 200, "seed": 3})
    np.testing.assert_array_equal(x, again)


def test_blobs_and_spirals_take_up_to_five_classes():
    for dataset in ("blobs", "spiral"):
        _, y = make_data({"dataset": dataset, "n_classes": 5, "n_samples": 100})
        assert np.bincount(y).tolist() == [20] * 5


def test_a_config_is_plain_json_and_round_trips():
    config = check_config(dataset="spiral", hidden=[8, 8, 4], activations=["relu", "tanh", "relu"], dropout=0.1,
                          regularization="l2", regularization_rate=0.001, optimizer="adam", n_classes=3)
    assert check_config(json.loads(json.dumps(config))) == config
    trainer = Trainer(config)
    assert [layer.name for layer in trainer.model.layers if layer.name.startswith("hidden")] == [
        "hidden_1", "hidden_2", "hidden_3"]
    assert [layer.activation.__name__ for layer in trainer.model.layers if layer.name.startswith("hidden")] == [
        "relu", "tanh", "relu"]
    assert trainer.model.output_shape == (None, 3)


def test_training_lowers_the_loss_and_is_repeatable():
    config = {"dataset": "circles", "hidden": [4], "learning_rate": 0.1, "seed": 2}
    first = Trainer(config)
    start = first.evaluate()["loss"]
    logs = first.train(epochs=60)
    assert logs["loss"] < 0.5 * start and first.epoch == 60 and len(first.history["loss"]) == 1
    second = Trainer(config)
    second.train(epochs=60)
    assert second.history == first.history


def test_xor_needs_a_hidden_layer_or_the_product_feature():
    base = {"dataset": "xor", "learning_rate": 0.1, "seed": 0}
    linear = Trainer({**base, "hidden": []}).train(epochs=200)
    product = Trainer({**base, "hidden": [], "features": ["x1", "x2", "x1*x2"]}).train(epochs=200)
    hidden = Trainer({**base, "hidden": [4]}).train(epochs=200)
    assert linear["val_accuracy"] < 0.7 < 0.9 < product["val_accuracy"]
    assert hidden["val_accuracy"] > 0.9


def test_your_own_data_and_mse_for_classification():
    rng = np.random.default_rng(0)
    x = rng.uniform(-5, 5, size=(120, 2)).astype("float32")
    y = (x[:, 0] > 1).astype(int) + (x[:, 1] > 0).astype(int)   # three classes
    trainer = Trainer({"hidden": [8], "optimizer": "adam", "learning_rate": 0.05, "loss": "mse"}, x=x, y=y)
    assert trainer.model.output_shape == (None, 3) and not trainer.regression
    logs = trainer.train(epochs=100)
    assert logs["accuracy"] > 0.9
    surface = trainer.surface(resolution=20)
    assert surface.shape == (20, 20) and set(np.unique(surface)) <= {0.0, 1.0, 2.0}
    neurons = trainer.neuron_outputs(resolution=12)
    assert [n.shape for n in neurons] == [(8, 12, 12)]


@pytest.mark.parametrize("changes, error, message", [
    ({"dataset": "spirals"}, ValueError, "did you mean 'spiral'"),
    ({"activation": "rellu"}, ValueError, "did you mean 'relu'"),
    ({"hidden": [4] * 7}, ValueError, "at most 6"),
    ({"hidden": [9]}, ValueError, "hidden layer size"),
    ({"hidden": "4,2"}, TypeError, "list of layer sizes"),
    ({"dataset": "blobs", "n_classes": 6}, ValueError, "n_classes"),
    ({"dataset": "blobs", "n_classes": 1}, ValueError, "n_classes"),
    ({"dataset": "xor", "n_classes": 3}, ValueError, "has 2 classes"),
    ({"learning_rate": float("nan")}, ValueError, "learning_rate"),
    ({"features": ["x1", "x3"]}, ValueError, "features"),
    ({"activations": ["relu"], "hidden": [4, 2]}, ValueError, "one per layer"),
    ({"batchsize": 10}, ValueError, "did you mean 'batch_size'"),
])
def test_bad_set_ups_say_what_to_change(changes, error, message):
    with pytest.raises(error, match=message):
        check_config(**changes)


def test_bad_own_data_is_rejected():
    with pytest.raises(ValueError, match="x"):
        Trainer(x=np.array([[0.0, np.nan], [1.0, 1.0]]), y=[0, 1])
    with pytest.raises(ValueError, match="one label per point"):
        Trainer(x=np.zeros((4, 2)), y=[0, 1, 1])
    with pytest.raises(ValueError, match="shape \\(n, 2\\)"):
        Trainer(x=np.zeros((4, 3)), y=[0, 1, 1, 0])
    with pytest.raises(TypeError, match="both x and y"):
        Trainer(x=np.zeros((4, 2)))


@pytest.mark.parametrize("config", [
    {"dataset": "circles", "hidden": [4], "learning_rate": 0.1, "seed": 2, "n_samples": 200},
    {"dataset": "blobs", "n_classes": 3, "hidden": [4, 3], "activations": ["relu", "tanh"], "loss": "mse",
     "features": ["x1", "x2", "x1*x2"], "regularization": "l2", "regularization_rate": 0.001, "n_samples": 200},
    {"dataset": "gaussian", "hidden": [8], "learning_rate": 0.01, "optimizer": "momentum", "n_samples": 200},
], ids=["circles", "blobs-mse", "gaussian"])
def test_to_code_runs_and_trains_the_same_model_on_the_same_data(config, capsys):
    # 200 points and 30 epochs: fit's per-epoch overhead makes the script the slow half of this test
    trainer = Trainer(config)
    initial = [w.copy() for w in trainer.model.get_weights()]
    logs = trainer.train(epochs=30)
    code = trainer.to_code()
    namespace = {}
    exec(compile(code, "playground_script.py", "exec"), namespace)
    model = namespace["model"]
    assert [type(layer).__name__ for layer in model.layers] == [type(layer).__name__ for layer in trainer.model.layers]
    assert [w.shape for w in model.get_weights()] == [w.shape for w in initial]
    np.testing.assert_array_equal(namespace["x_test"], features(trainer.test_points, trainer.config["features"]))
    rebuilt = type(model).from_config(model.get_config())  # the same seeds give the same starting weights
    printed = capsys.readouterr().out
    history = namespace["history"].history
    assert history and len(next(iter(history.values()))) == 30, printed
    assert history["val_loss"][-1] == pytest.approx(logs["val_loss"], abs=0.05, rel=0.5)
    assert rebuilt is not None


def test_the_drawing_shows_the_surface_curves_and_every_neuron_and_updates_in_place():
    from tfedu.playground import draw_playground

    trainer = Trainer({"dataset": "xor", "hidden": [3, 2], "learning_rate": 0.1})
    drawing = draw_playground(trainer, show_test=True)
    before = drawing.surface_image.get_array().copy()
    assert drawing.neuron_counts == [3, 2]
    with pytest.raises(IndexError, match=r"no hidden neuron \(1, 2\): the hidden layers have \[3, 2\] units"):
        drawing.neuron_tile(1, 2)
    assert drawing.test_points.get_visible() and drawing.title.get_text().startswith("epoch 0:")
    figure, artists = drawing.figure, len(drawing.surface_ax.get_children())
    for _ in range(3):
        trainer.train(epochs=20)
    drawing.update()
    assert drawing.figure is figure and len(drawing.surface_ax.get_children()) == artists
    assert not np.allclose(drawing.surface_image.get_array(), before)
    np.testing.assert_array_equal(drawing.train_line.get_xdata(), [20, 40, 60])
    np.testing.assert_allclose(drawing.test_line.get_ydata(), trainer.history["val_loss"])
    assert drawing.title.get_text().startswith("epoch 60: test loss")
    thumbnail = drawing.neuron_tile(0, 0)
    assert thumbnail.shape == (20, 20) and np.abs(thumbnail).max() == pytest.approx(1.0)
    mosaic = np.ma.filled(np.ma.masked_invalid(drawing.neuron_image.get_array()), np.nan)
    assert np.isfinite(mosaic).sum() == 5 * 20 * 20 and np.isnan(mosaic[:, 20]).all()  # one image, white gaps


def test_the_widget_steps_plays_pauses_resets_and_keeps_a_rate_change_live():
    import time

    from tfedu.playground import Playground, playground_explorer

    widget = playground_explorer({"dataset": "xor", "hidden": [4], "learning_rate": 0.1, "n_samples": 120},
                                 epochs_per_step=5)
    start = str(widget)
    logs = widget.step()
    assert widget.trainer.epoch == 5 and widget.history["loss"] == [logs["loss"]] and "epoch 5" in str(widget)
    widget.inputs["learning_rate"].value = 0.3              # applies at once, no reset
    assert widget.trainer.epoch == 5 and float(widget.model.optimizer.learning_rate.numpy()) == pytest.approx(0.3)
    picture = bytes(widget.image.value)
    widget.play()
    deadline = time.monotonic() + 60
    while widget.trainer.epoch < 25 and time.monotonic() < deadline:
        time.sleep(0.05)
    widget.pause()
    assert widget.trainer.epoch >= 25 and not widget.play_button.value and bytes(widget.image.value) != picture
    epoch = widget.trainer.epoch
    time.sleep(0.3)
    assert widget.trainer.epoch == epoch, "training went on after pause()"
    widget.inputs["learning_rate"].value = 0.1
    widget.reset()
    assert widget.trainer.epoch == 0 and str(widget) == start
    hidden = Playground.from_config(widget.config, hide=["dataset", "features"])
    assert hidden.inputs["dataset"].layout.display == "none" and hidden.inputs["noise"].layout.display != "none"
    assert hidden.config == widget.config and str(hidden) == start
    with pytest.raises(ValueError, match="did you mean 'dataset'"):
        Playground.from_config(widget.config, hide=["datasets"])
    for each in (widget, hidden):
        each.close()


def test_the_model_is_compiled_so_a_student_can_carry_on_with_fit():
    trainer = Trainer({"dataset": "circles", "hidden": [4], "learning_rate": 0.1})
    trainer.train(epochs=30)
    x, y = trainer._test
    mine = trainer.evaluate()
    keras_logs = trainer.model.evaluate(x, y, verbose=0, return_dict=True)
    assert keras_logs["loss"] == pytest.approx(mine["val_loss"], rel=1e-5)
    assert keras_logs["accuracy"] == pytest.approx(mine["val_accuracy"], abs=1e-6)
    steps = int(trainer.optimizer.iterations)
    trainer.model.fit(*trainer._train, epochs=1, batch_size=10, verbose=0)
    assert int(trainer.optimizer.iterations) == steps + 25   # the same optimizer: its state carries on


@pytest.mark.parametrize("name", list(playground.PRESETS))
def test_every_preset_is_a_valid_set_up(name):
    preset = playground.PRESETS[name]
    assert check_config(preset["config"]) and preset["shows"]


def test_the_presets_make_their_points():
    def final(name, epochs):
        trainer = Trainer(playground.PRESETS[name]["config"])
        for _ in range(epochs // 20):
            trainer.train(epochs=20)
        return trainer

    assert final("xor-no-hidden-layer", 200).history["val_accuracy"][-1] < 0.7
    assert final("xor-product-feature", 200).history["val_accuracy"][-1] > 0.9
    shallow, deep = final("spiral-shallow", 400), final("spiral-deep", 400)
    assert deep.history["accuracy"][-1] > shallow.history["accuracy"][-1] + 0.1
    jumpy, calm = final("learning-rate-too-high", 200), final("tanh-curves", 200)
    ups = lambda losses: sum(b > a for a, b in zip(losses, losses[1:]))  # noqa: E731
    assert ups(jumpy.history["loss"]) > ups(calm.history["loss"])
    plain, penalised = final("overfit", 400), final("overfit-l2", 400)
    gap = lambda t: t.history["val_loss"][-1] - t.history["loss"][-1]  # noqa: E731
    assert gap(penalised) < gap(plain)


def test_a_preset_by_name():
    from tfedu.playground import playground_explorer

    widget = playground_explorer(preset="xor-hidden-layer")
    assert widget.config["hidden"] == [4] and widget.config["dataset"] == "xor"
    with pytest.raises(ValueError, match="did you mean 'xor-hidden-layer'"):
        playground_explorer(preset="xor-hidden")
    widget.close()


def test_the_playground_history_is_drawn_by_liveplots_history():
    from tfedu.callbacks import TrainingHistory
    from tfedu.playground import Trainer

    trainer = Trainer({"dataset": "xor", "hidden": [3], "n_samples": 120})
    for _ in range(3):
        trainer.train(epochs=10)
    history = TrainingHistory.from_logs(trainer.history, epochs=trainer.logged_epochs)
    assert history.epoch == [9, 19, 29] and history.history["val_loss"] == trainer.history["val_loss"]
    figure = history.plot()
    curves = [line for ax in figure.axes for line in ax.get_lines() if len(line.get_xdata()) == 3]
    assert curves and list(curves[0].get_xdata()) == [10, 20, 30]
    with pytest.raises(ValueError, match="epochs must be 3 increasing epoch numbers"):
        TrainingHistory.from_logs(trainer.history, epochs=[10, 5, 30])
    with pytest.raises(TypeError, match="Keras History or a dict"):
        TrainingHistory.from_logs([0.5, 0.4])


def test_the_weights_are_readable_while_training_and_change_with_it():
    from tfedu.playground import playground_explorer

    widget = playground_explorer({"dataset": "xor", "hidden": [3], "n_samples": 120}, epochs_per_step=5)
    before = widget.weights()
    names = [name for name, _, _ in before.layers]
    assert names == ["hidden_1", "output"] and before.layers[0][1].shape == (2, 3) and before.layers[1][2].shape == (1,)
    np.testing.assert_array_equal(before.layers[0][1], np.asarray(widget.model.layers[0].kernel))
    widget.step()
    after = widget.weights()
    assert after.epoch == 5 and not np.allclose(after.layers[0][1], before.layers[0][1])
    text = str(after).splitlines()
    assert text[0] == "weights at epoch 5" and text[1].startswith("hidden_1: kernel 2x3, |w| mean")
    assert len(text[2].split()) == 3 and text[4].startswith("  bias ")
