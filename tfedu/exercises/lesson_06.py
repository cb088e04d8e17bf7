"""Exercises for lesson 06 (activations and vanishing gradients).

>>> import tensorflow as tf
>>> from tfedu.exercises import lesson_06 as ex
>>> ex.q1.check(lambda x: tf.sigmoid(x) * (1 - tf.sigmoid(x))).passed
True
>>> ex.q3.check("b").passed
True
"""
import keras
import numpy as np
import tensorflow as tf

from tfedu.data import load_digits
from tfedu.exercises import Exercise, Predict, close

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


def _sigmoid_cell(formula):
    return f"""
    def sigmoid_derivative(x):
        s = keras.activations.sigmoid(x)
        return {formula}

    ex.q1.check(sigmoid_derivative)
    """


q1 = Exercise(
    "Exercise 1 · The sigmoid's derivative by formula",
    level="warm-up",
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
        _sigmoid_cell("s * (1.0 + s)"),   # a sign slip
        _sigmoid_cell("1.0 - s"),         # one factor only
        _sigmoid_cell("1.0 - s ** 2"),    # tanh's derivative formula
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


def _separate_cell(*, first="layers.Dense(16)", activations=("tanh", "softmax"), copy=True):
    copy_line = "\n    model.set_weights(ex.MODEL.get_weights())" if copy else ""
    return f"""
    model = keras.Sequential([
        keras.Input(shape=(4,)),
        {first},
        layers.Activation("{activations[0]}"),
        layers.Dense(3),
        layers.Activation("{activations[1]}"),
    ]){copy_line}

    ex.q2.check(model)
    """


q2 = Exercise(
    "Exercise 2 · Activations as separate layers",
    level="core",
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
        # forgot to copy the weights
        _separate_cell(copy=False),
        # kept the inline activation as well
        _separate_cell(first='layers.Dense(16, activation="tanh")'),
        # the activations in the wrong order
        _separate_cell(activations=("softmax", "tanh")),
    ],
)


q3 = Predict(
    "Exercise 3 · Predict: Adam and a dead layer",
    level="core",
    options={
        "a": "it comes back to life: Adam scales the tiny gradients up to full-size steps",
        "b": "nothing at all: its weights and biases end exactly as they started",
        "c": "a few units come back, slowly, as with leaky_relu",
    },
    answer="b",
    why={
        "a": "a dead ReLU unit's gradient is not tiny, it is exactly 0, and Adam's step for a weight whose "
             "gradients were all 0 is 0: there is nothing to scale up",
        "c": "leaky_relu recovers because its slope below 0 is not zero; a ReLU passes back exactly 0 for "
             "negative inputs, whichever optimizer reads it",
    },
    hint=["Is the gradient that reaches a dead ReLU unit's weights small, or exactly zero?",
          "Adam's step is (a running mean of the gradients) / (the square root of a running mean of their "
          "squares + ε). What is it when every gradient so far was 0?"],
)

_IMAGES = load_digits(flatten=True)[0]


def _network(widths, biases, seed):
    """A ReLU MLP on the 64 digit pixels with negative hidden biases (fixed by seeds): some units are dead."""
    stack = [keras.Input(shape=(64,))]
    for k, (width, bias) in enumerate(zip(widths, biases)):
        stack.append(keras.layers.Dense(width, activation="relu",
                                        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + k),
                                        bias_initializer=keras.initializers.Constant(bias)))
    stack.append(keras.layers.Dense(10, kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 9)))
    return keras.Sequential(stack)


#: The network of exercise 4: Dense(32, relu) -> Dense(32, relu) -> Dense(16, relu) -> Dense(10).
DEEP = _network((32, 32, 16), (-0.8, -0.1, -0.1), seed=30)
_OTHER = _network((24, 12), (-0.7, -0.2), seed=20)


def _expected_fractions(network, x):
    fractions, h = [], np.asarray(x, dtype=np.float64)
    for layer in network.layers[:-1]:
        pre = h @ layer.kernel.numpy().astype(np.float64) + layer.bias.numpy().astype(np.float64)
        fractions.append(float(np.mean(np.all(pre <= 0, axis=0))))
        h = np.maximum(pre, 0.0)
    return fractions


def _is_a_function(answer):
    "dead_fractions is a function"
    assert callable(answer), f"got {type(answer).__name__}; define it with def dead_fractions(model, x): ..."


def _fractions_of(answer, network, what):
    got = answer(network, _IMAGES)
    assert got is not None, f"dead_fractions returned None for {what}: return the list of fractions"
    return np.asarray([float(v) for v in got])


def _deep_network(answer):
    "for ex.DEEP on the digits it gives one fraction per hidden layer, each right"
    got = _fractions_of(answer, DEEP, "ex.DEEP")
    close(got, _expected_fractions(DEEP, _IMAGES), atol=1e-6, rtol=0.0,
          what="the list for ex.DEEP (one fraction per hidden layer)")


def _another_network(answer):
    "it works for another network too (two hidden layers of 24 and 12 units)"
    got = _fractions_of(answer, _OTHER, "a network with two hidden layers")
    close(got, _expected_fractions(_OTHER, _IMAGES), atol=1e-6, rtol=0.0,
          what="the list for a network with two hidden layers")


def _fractions_cell(*, layers="model.layers[:-1]", axis=0, carried="np.asarray(layer.activation(pre_activations))",
                    source="h"):
    return f"""
    def dead_fractions(model, x):
        fractions = []
        h = x
        for layer in {layers}:
            pre_activations = {source} @ layer.kernel.numpy() + layer.bias.numpy()
            fractions.append(float(np.mean(np.all(pre_activations <= 0, axis={axis}))))
            h = {carried}     # the next layer's input
        return fractions

    ex.q4.check(dead_fractions)
    """


q4 = Exercise(
    "Exercise 4 · Dead units, layer by layer",
    level="challenge",
    checks=[_is_a_function, _deep_network, _another_network],
    hint=["Walk through the hidden layers in order, carrying the current input h (it starts as x): compute "
          "the layer's pre-activations from h, count its dead units as dead_fraction does, then pass the "
          "layer's output on as the next h.",
          "The hidden layers are model.layers[:-1]. pre = h @ layer.kernel.numpy() + layer.bias.numpy(); the "
          "next input is the layer's output after its activation, layer.activation(pre), not pre itself."],
    solution=_fractions_cell(),
    mistakes=[
        # every layer fed the network's input x: the second layer's kernel does not fit it
        _fractions_cell(source="x"),
        # the pre-activations passed on without the ReLU
        _fractions_cell(carried="pre_activations"),
        # axis=1: the examples on which every unit is off, not the units that are off on every example
        _fractions_cell(axis=1),
        # the output layer counted as well
        _fractions_cell(layers="model.layers"),
    ],
)
