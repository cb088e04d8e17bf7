import matplotlib.pyplot as plt
import numpy as np
import pytest

from tfedu import descent

RNG = np.random.default_rng(0)
X = RNG.uniform(-2, 2, 100).astype("float32")
Y = (3 * X + 2 + RNG.normal(0, 0.3, 100)).astype("float32")


def least_squares():
    design = np.stack([X, np.ones_like(X)], axis=1).astype(np.float64)
    return np.linalg.lstsq(design, Y.astype(np.float64), rcond=None)[0]


def test_batch_descent_converges_to_least_squares():
    run = descent.gradient_descent(X, Y, learning_rate=0.3, epochs=200)
    w, b = least_squares()
    assert run.w == pytest.approx(w, abs=1e-3) and run.b == pytest.approx(b, abs=1e-3)
    assert not run.diverged and run.updates_per_epoch == 1
    assert len(run.epoch_losses) == 201 and len(run.update_losses) == 200
    assert all(a >= b - 1e-7 for a, b in zip(run.epoch_losses, run.epoch_losses[1:]))  # monotone


def test_one_update_matches_the_hand_computed_gradient():
    run = descent.gradient_descent(X, Y, learning_rate=0.1, epochs=1, w=0.5, b=-1.0)
    residual = 0.5 * X + -1.0 - Y
    dw, db = 2 * np.mean(residual * X), 2 * np.mean(residual)
    assert run.w == pytest.approx(0.5 - 0.1 * dw, rel=1e-5)
    assert run.b == pytest.approx(-1.0 - 0.1 * db, rel=1e-5)
    assert run.epoch_losses[0] == pytest.approx(float(np.mean(residual ** 2)), rel=1e-5)


def test_mini_batches_and_sgd_count_updates_and_are_seeded():
    mini = descent.gradient_descent(X, Y, learning_rate=0.05, epochs=3, batch_size=32)
    assert mini.updates_per_epoch == 4 and len(mini.update_losses) == 12
    sgd = descent.gradient_descent(X, Y, learning_rate=0.01, epochs=2, batch_size=1, seed=3)
    assert len(sgd.update_losses) == 200
    again = descent.gradient_descent(X, Y, learning_rate=0.01, epochs=2, batch_size=1, seed=3)
    assert again.params == sgd.params
    other = descent.gradient_descent(X, Y, learning_rate=0.01, epochs=2, batch_size=1, seed=4)
    assert other.params != sgd.params


def test_too_large_a_learning_rate_diverges_and_stops():
    run = descent.gradient_descent(X, Y, learning_rate=1.5, epochs=100)
    assert run.diverged and len(run.epoch_losses) < 101
    assert "diverged" in str(run)


def test_a_run_that_ends_worse_than_it_started_has_diverged():
    run = descent.gradient_descent(X, Y, learning_rate=0.75, epochs=10)
    assert run.diverged and len(run.epoch_losses) == 11 and run.final_loss > run.epoch_losses[0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(learning_rate=0), "learning_rate must be a number > 0, got 0"),
        (dict(epochs=0), "epochs must be an int >= 1, got 0"),
        (dict(batch_size=0), r"batch_size must be an int in \[1, 100\], got 0. It is at most the number of samples"),
        (dict(batch_size=101), "got 101"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        descent.gradient_descent(X, Y, **kwargs)


def test_bad_data():
    with pytest.raises(ValueError, match="same number of samples, got 100 and 99"):
        descent.gradient_descent(X, Y[:99])
    with pytest.raises(ValueError, match="x contains nan at index 1"):
        descent.gradient_descent(np.array([1.0, np.nan]), np.array([1.0, 2.0]))


def test_compare_batch_sizes_plots_each_run():
    result = descent.compare_batch_sizes(X, Y, batch_sizes=(None, 10, 1), epochs=3)
    assert [r.batch_size for r in result.runs] == [100, 10, 1]
    assert [r.updates_per_epoch for r in result.runs] == [1, 10, 100]
    left, right = result.figure.axes
    assert len(left.get_lines()) == 3 and len(right.get_lines()) == 3
    assert [len(line.get_xdata()) for line in right.get_lines()] == [3, 30, 300]
    assert str(result).splitlines()[0].split() == ["batch", "size", "updates/epoch", "final", "loss"]
    plt.close(result.figure)


def test_learning_rate_explorer_updates_in_place():
    before = plt.get_fignums()
    explorer = descent.learning_rate_explorer(X, Y, learning_rate=0.001, epochs=20)
    slow_loss = explorer.run.final_loss
    figure, png = explorer.figure, bytes(explorer.image.value)
    explorer.rate.value = 0.3
    assert explorer.run.final_loss < slow_loss / 10
    assert repr(explorer).startswith("learning_rate_explorer: rate 0.3, loss ")
    assert repr(explorer).endswith(f"in 20 epochs (w={explorer.run.w:.3f}, b={explorer.run.b:.3f})")
    explorer.rate.value = 2.0
    assert explorer.run.diverged and "diverged" in explorer.loss_ax.get_title()
    explorer.epochs.value = 5
    assert len(explorer.loss_line.get_xdata()) <= 6
    assert explorer.figure is figure and bytes(explorer.image.value) != png
    assert plt.get_fignums() == before
