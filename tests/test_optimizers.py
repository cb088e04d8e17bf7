import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf

from tfedu import optimizers

from explorer_checks import assert_background_is_fresh


def eager_run(name, surface, learning_rate, steps, start):
    """The same race written plainly: a fresh Keras optimizer, a tape, apply_gradients, eagerly."""
    class_name, options = optimizers.OPTIMIZERS[name]
    optimizer = getattr(keras.optimizers, class_name)(learning_rate=learning_rate, **options)
    position = tf.Variable(start, dtype=tf.float64)
    path = [position.numpy()]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = surface(position[0], position[1])
        optimizer.apply_gradients([(tape.gradient(loss, position), position)])
        path.append(position.numpy())
    return np.array(path)


@pytest.mark.parametrize("name", ["SGD+Nesterov", "RMSprop", "Adadelta", "Nadam"])
def test_trajectories_are_those_of_the_real_keras_optimizers(name):
    surface = optimizers.SURFACES["beale"]
    race = optimizers.run_race("beale", [name], learning_rate=0.003, steps=25)
    expected = eager_run(name, surface, 0.003, 25, surface.start)
    np.testing.assert_allclose(race.paths[name], expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(race.losses[name], surface(*expected.T), rtol=1e-9)


def test_plain_sgd_on_the_quadratic_is_the_textbook_update():
    race = optimizers.run_race("quadratic", ["SGD"], learning_rate=0.05, steps=40, start=(-3.0, 1.0))
    k = np.arange(41)
    lr = float(np.float32(0.05))  # Keras keeps the learning rate in a float32 variable
    np.testing.assert_allclose(race.paths["SGD"][:, 0], -3.0 * (1 - lr) ** k, rtol=1e-12)
    np.testing.assert_allclose(race.paths["SGD"][:, 1], (1 - lr * 25) ** k, rtol=1e-12)  # zig-zags in y


def test_races_are_deterministic_and_independent():
    first = optimizers.run_race("rosenbrock", learning_rate=0.003, steps=200)
    optimizers.run_race("rosenbrock", learning_rate=0.05, steps=50)  # another race in between
    again = optimizers.run_race("rosenbrock", learning_rate=0.003, steps=200)
    for name in optimizers.OPTIMIZERS:
        np.testing.assert_array_equal(first.paths[name], again.paths[name])
        np.testing.assert_array_equal(first.losses[name], again.losses[name])
    assert str(first) == str(again)


def test_adam_reaches_the_rosenbrock_valley():
    race = optimizers.run_race("rosenbrock", ["Adam"], learning_rate=0.01, steps=300)
    x, y = race.final_position("Adam")
    assert abs(y - x ** 2) < 0.02  # on the valley floor y = x²
    assert race.final_loss("Adam") < race.losses["Adam"][0] / 100
    assert race.losses["Adam"][0] == pytest.approx(optimizers.SURFACES["rosenbrock"](-1.2, -0.5))


def test_divergence_stops_the_run_and_is_reported():
    race = optimizers.run_race("rosenbrock", ["SGD", "RMSprop"], learning_rate=0.01, steps=300)
    assert race.stopped == {"SGD": 2, "RMSprop": None}
    assert race.diverged("SGD") and len(race.paths["SGD"]) == 3 and np.isnan(race.final_loss("SGD"))
    lines = str(race).splitlines()
    assert lines[:2] == ["optimizer_race on rosenbrock: f = (1 - x)² + 100 (y - x²)²",
                         "from (-1.2, -0.5), 300 steps, learning rate 0.01"]
    assert lines[3].split() == ["SGD", "diverged", "at", "step", "2"]
    assert lines[-2] == "lowest loss: RMSprop"
    # RMSprop bounces across the valley: its position after 300 steps is decided by round-off
    assert lines[4].split() == ["RMSprop", "0.2", "chaotic", "chaotic"] and race.chaotic("RMSprop")
    assert lines[-1].startswith("chaotic: changing the learning rate in its last digit")


def test_race_tables_print_only_digits_that_round_off_cannot_change():
    race = optimizers.run_race("rosenbrock", ["SGD+momentum", "RMSprop"], learning_rate=1e-3, steps=300)
    spread = race.spread("SGD+momentum")
    assert 0 < spread["x"] < 1e-6 and spread["stopped"] == {None}  # a smooth path: 3 digits are safe
    assert spread["chaos_x"] < 1e-3 and not race.chaotic("SGD+momentum")
    row = str(race).splitlines()[3].split()
    assert row[0] == "SGD+momentum" and row[1] == f"{race.final_loss('SGD+momentum'):.3g}"
    # the same digits whatever the last bits of the start
    nudged = optimizers.run_race("rosenbrock", ["SGD+momentum"], learning_rate=1e-3, steps=300,
                                 start=(-1.2 + 1e-12, -0.5))
    assert str(nudged).splitlines()[3].split() == str(race).splitlines()[3].split()


def test_leaving_a_saddle_downhill_is_not_divergence():
    race = optimizers.run_race("saddle", ["SGD+momentum", "Adagrad"], steps=300)
    assert race.stopped["SGD+momentum"] is not None and not race.diverged("SGD+momentum")
    assert race.losses["SGD+momentum"][-1] < -1000
    assert "left the plot (downhill)" in str(race) and str(race).endswith("first to run off downhill: SGD+momentum "
                                                                         f"(step {race.stopped['SGD+momentum']})")


def test_learning_rates_per_optimizer():
    race = optimizers.run_race("quadratic", ["SGD", "Adadelta"], learning_rate={"Adadelta": 1.0}, steps=100)
    assert race.learning_rates == {"SGD": 0.07, "Adadelta": 1.0}
    default = optimizers.run_race("quadratic", ["Adadelta"], steps=100)
    start = np.array(optimizers.SURFACES["quadratic"].start)
    moved = np.hypot(*(race.final_position("Adadelta") - start))
    assert moved > 10 * np.hypot(*(default.final_position("Adadelta") - start))  # lr 1 vs 0.07
    assert "Adadelta (lr 1)" in str(race)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(surface="himmelblau"), "surface 'himmelblau' is not known. Choose one of: 'rosenbrock', 'beale'"),
        (dict(optimizers=["AdamW"]), "optimizer 'AdamW' is not known; did you mean 'Adam'"),
        (dict(learning_rate=0), "learning_rate must be a number > 0"),
        (dict(steps=0), r"steps must be an int in \[1, 1000\], got 0. A race runs at most MAX_STEPS = 1000"),
        (dict(start=(1.0,)), r"start must be two finite numbers"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optimizers.run_race(**kwargs)


def test_optimizer_race_draws_trajectories_and_losses():
    race = optimizers.optimizer_race("quadratic", ["SGD", "SGD+Nesterov", "Adam"], steps=50)
    contour_ax, loss_ax = race.figure.axes[:2]
    labels = [line.get_label() for line in loss_ax.lines]
    assert labels == ["SGD", "SGD+Nesterov (diverged)", "Adam"]
    np.testing.assert_array_equal(contour_ax.lines[2].get_xydata(), race.paths["SGD"])
    np.testing.assert_array_equal(loss_ax.lines[2].get_ydata(), race.losses["Adam"])
    assert loss_ax.get_yscale() == "log" and contour_ax.get_xlim() == (-4.0, 4.0)
    assert "<table>" in race._repr_html_()
    plt.close(race.figure)
    figure, ax = plt.subplots()
    assert optimizers.optimizer_race("saddle", ["Adam"], steps=20, ax=ax).figure is figure
    plt.close(figure)


def test_race_explorer_replays_without_recomputing():
    open_before = plt.get_fignums()
    explorer = optimizers.optimizer_race("rosenbrock", ["SGD", "Adam", "RMSprop"], learning_rate=0.003, steps=200,
                                         interactive=True)
    figure, adam = explorer.figure, explorer.paths["Adam"]
    assert len(adam.get_xdata()) == 201 and not explorer.paths["Nadam"].get_visible()
    race = explorer.race
    np.testing.assert_array_equal(adam.get_xydata(), race.paths["Adam"])

    explorer.replay.value = 50
    assert len(adam.get_xdata()) == 51 and explorer.race is not None
    np.testing.assert_array_equal(explorer.markers["Adam"].get_xydata()[0], race.paths["Adam"][50])
    assert explorer.cursor.get_xdata()[0] == 50
    assert_background_is_fresh(explorer)
    assert repr(explorer).startswith("optimizer_race: rosenbrock, lr 0.003, step 50/200: lowest loss ")

    explorer.learning_rate.value = 0.01
    np.testing.assert_allclose(explorer.race.learning_rates["Adam"], 0.01)
    assert len(adam.get_xdata()) == 51  # still replaying step 50, of the new race
    explorer.steps.value = 300
    assert (explorer.replay.max, explorer.replay.value) == (300, 300) and len(adam.get_xdata()) == 301
    explorer.checkboxes["RMSprop"].value = False
    assert not explorer.paths["RMSprop"].get_visible()
    assert not explorer.loss_lines["RMSprop"].get_visible() and explorer.loss_lines["SGD"].get_visible()
    explorer.surface.value = "quadratic"
    assert explorer.contour_ax.get_xlim() == (-4.0, 4.0) and explorer.race.surface.name == "quadratic"
    assert_background_is_fresh(explorer)

    assert explorer.figure is figure and plt.get_fignums() == open_before
    assert len(explorer.render_seconds) == 8  # first draw, 5 changes, 2 forced redraws


# The update rules in NumPy ---------------------------------------------------------------------------

def _quadratic_gradient(w):
    return np.array([w[0], 25.0 * w[1]])


def _rosenbrock_gradient(w):
    return np.array([-2 * (1 - w[0]) - 400 * w[0] * (w[1] - w[0] ** 2), 200 * (w[1] - w[0] ** 2)])


@pytest.mark.parametrize("name", list(optimizers.RULES))
def test_every_numpy_rule_takes_the_steps_keras_takes(name):
    from tfedu.optimizers import OPTIMIZERS, RULES, compare_with_keras

    rule = RULES[name]
    assert (rule.keras_class, rule.options) == OPTIMIZERS[name]  # the optimizers the races use
    for gradient, start, rate in ((_quadratic_gradient, [-3.5, 1.0], 0.05), (_rosenbrock_gradient, [-1.5, 1.5], 1e-3)):
        report = compare_with_keras(name, gradient, start, steps=100, learning_rate=rate)
        assert report.passed and report.max_difference <= 1e-12, str(report)
    path = optimizers.numpy_path(name, _quadratic_gradient, [-3.5, 1.0], steps=100, learning_rate=0.05)
    assert path.shape == (101, 2) and not np.allclose(path[-1], path[0])


def test_the_textbook_forms_differ_from_keras_where_the_module_says():
    """Adagrad (accumulator from 0, eps outside the root) and Adam (eps after the bias correction) as printed
    in textbooks take other steps than Keras; the NumPy rules, written as Keras computes, do not."""
    from tfedu.optimizers import keras_path

    small = lambda w: 1e-4 * w  # noqa: E731 - tiny gradients, where eps and the 0.1 start matter
    w0, lr = np.array([1.0, -2.0]), 0.1
    keras_adagrad = keras_path("Adagrad", small, w0, steps=1, learning_rate=lr)[1]
    g = small(w0)
    textbook_adagrad = w0 - np.float32(lr) * g / (np.sqrt(g * g) + 1e-7)
    assert np.abs(keras_adagrad - textbook_adagrad).max() > 0.05  # the textbook's first step is a full lr
    assert np.abs(keras_adagrad - w0).max() < 1e-3                # Keras's is damped by sqrt(0.1 + g²)

    keras_adam = keras_path("Adam", small, w0, steps=1, learning_rate=lr)[1]
    m_hat, v_hat = g, g * g                                        # both bias corrections undo (1 - beta)
    textbook_adam = w0 - np.float32(lr) * m_hat / (np.sqrt(v_hat) + 1e-7)
    assert np.abs(keras_adam - textbook_adam).max() > 1e-7         # eps added to sqrt of the uncorrected v


def test_numpy_rules_reject_bad_input():
    from tfedu.optimizers import numpy_path

    with pytest.raises(ValueError, match="did you mean 'Adam'"):
        numpy_path("adam", _quadratic_gradient, [1.0, 1.0])
    with pytest.raises(TypeError, match="gradient must be a function of the weights"):
        numpy_path("Adam", [1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="start"):
        numpy_path("Adam", _quadratic_gradient, [np.nan, 1.0])
    with pytest.raises(ValueError, match="learning_rate"):
        numpy_path("Adam", _quadratic_gradient, [1.0, 1.0], learning_rate=0)
