"""Exercises for lesson 06 (activations and vanishing gradients).

>>> import tensorflow as tf
>>> from tfedu.exercises import lesson_06 as ex
>>> ex.q1.check(lambda x: tf.sigmoid(x) * (1 - tf.sigmoid(x))).passed
True
"""
import keras
import numpy as np
import tensorflow as tf

from tfedu.data import load_digits
from tfedu.exercises import Exercise

_GRID = np.linspace(-8.0, 8.0, 161, dtype=np.float32)


def _tape_derivative(function, x):
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = function(xt)
    return tape.gradient(y, xt).numpy()


def _as_array(value):
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value, dtype=np.float64)


def _same_shape(answer):
    "sigmoid_derivative(x) returns one value per input"
    out = _as_array(answer(tf.constant(_GRID)))
    assert out.shape == _GRID.shape, f"for {_GRID.shape[0]} inputs it returned shape {out.shape}"


def _matches_the_tape(answer):
    "it equals the GradientTape derivative of keras.activations.sigmoid on [-8, 8]"
    out = _as_array(answer(tf.constant(_GRID)))
    expected = _tape_derivative(keras.activations.sigmoid, _GRID)
    worst = int(np.argmax(np.abs(out - expected)))
    side = "more" if out[worst] > expected[worst] else "less"
    assert np.allclose(out, expected, atol=1e-6), (
        f"at x = {float(_GRID[worst]):g} it gives {out[worst]:.6f}, {side} than the tape's derivative"
    )


def _peaks_at_a_quarter(answer):
    "its largest value is 0.25, at x = 0"
    out = _as_array(answer(tf.constant(_GRID)))
    top = int(np.argmax(out))
    assert abs(out[top] - 0.25) < 1e-6 and _GRID[top] == 0.0, (
        f"the largest value is {out[top]:.6f} at x = {float(_GRID[top]):g}"
    )


q1 = Exercise(
    "Exercise 1 · The sigmoid's derivative by formula",
    checks=[_same_shape, _matches_the_tape, _peaks_at_a_quarter],
    hint=["Compute s = sigmoid(x) once with keras.activations.sigmoid, then use the formula; no tape needed.",
          "sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x)). Use tf.sigmoid or keras.activations.sigmoid; no tape needed."],
    solution="""
    def sigmoid_derivative(x):
        s = keras.activations.sigmoid(x)
        return s * (1.0 - s)

    ex.q1.check(sigmoid_derivative)
    """,
    mistakes=[
        'def sigmoid_derivative(x):\n    s = keras.activations.sigmoid(x)\n    return s * (1.0 + s)\n\nex.q1.check(sigmoid_derivative)',   # a sign slip
        'def sigmoid_derivative(x):\n    s = keras.activations.sigmoid(x)\n    return 1.0 - s\n\nex.q1.check(sigmoid_derivative)',   # one factor only
        'def sigmoid_derivative(x):\n    s = keras.activations.sigmoid(x)\n    return 1.0 - s ** 2\n\nex.q1.check(sigmoid_derivative)',   # tanh's derivative formula
    ],
)

#: The model of exercise 2, built with ``activation=`` arguments. Its weights are fixed by seeds.
MODEL = keras.Sequential(
    [
        keras.Input(shape=(4,)),
        keras.layers.Dense(16, activation="tanh", kernel_initializer=keras.initializers.GlorotUniform(seed=6),
                           bias_initializer=keras.initializers.RandomNormal(stddev=0.1, seed=7)),
        keras.layers.Dense(3, activation="softmax", kernel_initializer=keras.initializers.GlorotUniform(seed=8)),
    ],
    name="inline_activations",
)
#: Inputs for exercise 2.
X = np.random.default_rng(6).normal(size=(10, 4)).astype(np.float32)


def _is_a_model(answer):
    "it is a Keras model"
    assert isinstance(answer, keras.Model), f"got {type(answer).__name__}"


def _no_inline_activations(answer):
    "its Dense layers have no activation of their own (activation is linear)"
    inline = [f"{layer.name} ({layer.activation.__name__})" for layer in answer.layers
              if isinstance(layer, keras.layers.Dense) and layer.activation is not keras.activations.linear]
    assert not inline, f"these Dense layers still have an activation: {', '.join(inline)}"


def _has_activation_layers(answer):
    "it has a layers.Activation for tanh and one for softmax"
    found = [layer.activation.__name__ for layer in answer.layers if isinstance(layer, keras.layers.Activation)]
    assert found == ["tanh", "softmax"], f"its Activation layers apply {found}"


def _same_outputs(answer):
    "with MODEL's weights copied in, it gives the same outputs as MODEL"
    expected = np.asarray(MODEL(X))
    got = np.asarray(answer(X))
    assert got.shape == expected.shape, f"output shape {got.shape}, expected {expected.shape}"
    difference = float(np.max(np.abs(got - expected)))
    assert difference < 1e-6, (
        f"outputs differ by up to {difference:.3g}: did you call model.set_weights(ex.MODEL.get_weights())?"
    )


q2 = Exercise(
    "Exercise 2 · Activations as separate layers",
    checks=[_is_a_model, _no_inline_activations, _has_activation_layers, _same_outputs],
    hint=["Each Dense loses its activation= argument and is followed by a layers.Activation of the same name.",
          "Dense(16), Activation('tanh'), Dense(3), Activation('softmax'); Activation layers have no weights, so "
          "model.set_weights(ex.MODEL.get_weights()) fits."],
    solution="""
    model = keras.Sequential([
        keras.Input(shape=(4,)),
        layers.Dense(16),
        layers.Activation("tanh"),
        layers.Dense(3),
        layers.Activation("softmax"),
    ])
    model.set_weights(ex.MODEL.get_weights())

    ex.q2.check(model)
    """,
    mistakes=[
        'model = keras.Sequential([\n    keras.Input(shape=(4,)),\n    layers.Dense(16),\n    layers.Activation("tanh"),\n    layers.Dense(3),\n    layers.Activation("softmax"),\n])\n\nex.q2.check(model)',   # forgot to copy the weights
        'model = keras.Sequential([\n    keras.Input(shape=(4,)),\n    layers.Dense(16, activation="tanh"),\n    layers.Activation("tanh"),\n    layers.Dense(3),\n    layers.Activation("softmax"),\n])\nmodel.set_weights(ex.MODEL.get_weights())\n\nex.q2.check(model)',   # kept the inline activation as well
        'model = keras.Sequential([\n    keras.Input(shape=(4,)),\n    layers.Dense(16),\n    layers.Activation("softmax"),\n    layers.Dense(3),\n    layers.Activation("tanh"),\n])\nmodel.set_weights(ex.MODEL.get_weights())\n\nex.q2.check(model)',   # the activations in the wrong order
    ],
)


def _train_dead_layer(activation, epochs=5):
    """Train the lesson's digit classifier with its hidden biases started at -2; return the last accuracy."""
    images, labels = load_digits(flatten=True)
    hidden = keras.layers.Dense(64, activation=activation, kernel_initializer=keras.initializers.GlorotUniform(seed=1),
                                bias_initializer=keras.initializers.Constant(-2.0))
    model = keras.Sequential([keras.Input((64,)), hidden,
                              keras.layers.Dense(10, kernel_initializer=keras.initializers.GlorotUniform(seed=2))])
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(images, labels, epochs=epochs, batch_size=64, shuffle=False, verbose=0)
    return float(history.history["accuracy"][-1])


def _is_nonlinear_activation(answer):
    "it is the name of a non-linear keras.activations function"
    assert isinstance(answer, str), f"got {type(answer).__name__}; pass a name such as 'tanh'"
    function = getattr(keras.activations, answer, None)
    assert callable(function) and not answer.startswith("_") and answer not in ("get", "serialize", "deserialize"), (
        f"keras.activations has no activation {answer!r}"
    )
    assert function is not keras.activations.linear, "'linear' is no activation at all: the layer stays linear"


def _learns_despite_the_bias(answer):
    "with biases started at -2, SGD(0.1) gets above 50% training accuracy in 5 epochs"
    accuracy = _train_dead_layer(answer)
    assert accuracy > 0.5, f"with {answer!r} the training accuracy after 5 epochs is {accuracy:.3f}"


q3 = Exercise(
    "Exercise 3 · Rescue the dead layer",
    checks=[_is_nonlinear_activation, _learns_despite_the_bias],
    hint=["Look at the derivative plots above: which activations still have a slope for negative inputs?",
          "With relu every unit starts dead and gets no gradient. Pick an activation whose slope is not zero "
          "for negative inputs, such as the exponential or the leaky variant of relu."],
    solution="""
    activation = "elu"      # "leaky_relu" works too

    ex.q3.check(activation)
    """,
    mistakes=[
        'activation = "relu"\n\nex.q3.check(activation)',       # the dead layer itself
        'activation = "linear"\n\nex.q3.check(activation)',     # no activation at all
        'activation = "LeakyReLU"\n\nex.q3.check(activation)',  # the layer's class name, not the function's
    ],
)
