import matplotlib.pyplot as plt
import numpy as np
import pytest

from tfedu import tensors

X = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)


@pytest.mark.parametrize("op", tensors.OPERATIONS)
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduce_matches_numpy(op, axis, keepdims):
    result = tensors.reduce(X, op, axis, keepdims)
    expected = getattr(np, op if op != "mean" else "mean")(X, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(result.result, expected, rtol=1e-6)
    assert result.result_shape == np.shape(expected)


def test_groups_say_which_output_each_element_feeds():
    assert tensors.reduce(X, axis=0).groups.tolist() == [[0, 1, 2], [0, 1, 2]]
    assert tensors.reduce(X, axis=1).groups.tolist() == [[0, 0, 0], [1, 1, 1]]
    assert tensors.reduce(X, axis=None).groups.tolist() == [[0, 0, 0], [0, 0, 0]]


def test_text_form_names_the_call_and_result():
    assert str(tensors.reduce(X, "mean", 0)) == "tf.reduce_mean(x, axis=0) -> shape (3,): [2.5, 3.5, 4.5]"
    assert str(tensors.reduce(X, "sum", None)) == "tf.reduce_sum(x, axis=None) -> shape (): 21"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(x=X, op="median"), "reduction 'median' is not known; did you mean 'mean'[?] Choose one of: 'sum'"),
        (dict(x=np.zeros(3)), r"reduce shows matrices \(2 axes\); got shape \(3,\)"),
        (dict(x=X, axis=2), "axis must be None, 0 or 1"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tensors.reduce(**kwargs)


def test_draw_reduction_shows_input_and_result_values():
    figure = tensors.draw_reduction(tensors.reduce(X, "max", axis=1))
    texts = [t.get_text() for t in figure.axes[0].texts if t.get_text()]
    assert texts[:6] == ["1", "2", "3", "4", "5", "6"]
    assert texts[-3:] == ["3", "6", "result (2,)"]
    assert "axis 1 collapses" in figure.axes[0].get_title()
    assert len(figure.axes[0].patches) == 6 + 2


def test_draw_reduction_reuses_given_axes():
    fig, ax = plt.subplots()
    assert tensors.draw_reduction(tensors.reduce(X), ax=ax) is fig
    plt.close(fig)


def test_explorer_updates_the_same_figure_in_place():
    open_before = plt.get_fignums()
    explorer = tensors.reduce_explorer(X, op="sum", axis=0)
    figure, first_png = explorer.figure, bytes(explorer.image.value)
    assert first_png.startswith(b"\x89PNG")
    assert repr(explorer) == "reduce_explorer: tf.reduce_sum(x, axis=0) -> shape (3,): [5., 7., 9.]"

    explorer.axis.value = 1
    assert repr(explorer) == "reduce_explorer: tf.reduce_sum(x, axis=1) -> shape (2,): [ 6., 15.]"
    explorer.keepdims.value = True
    assert explorer.reduction.result_shape == (2, 1)
    explorer.op.value = "min"
    assert explorer.reduction.result.ravel().tolist() == [1.0, 4.0]

    assert explorer.figure is figure and bytes(explorer.image.value) != first_png
    assert plt.get_fignums() == open_before  # the explorer's figure is not managed by pyplot
    assert len(explorer.render_seconds) == 4
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"].startswith("reduce_explorer: tf.reduce_min(x, axis=1, keepdims=True)")


def test_explorer_rejects_bad_input_before_building_widgets():
    with pytest.raises(ValueError, match="reduce shows matrices"):
        tensors.reduce_explorer(np.zeros((2, 2, 2)))
