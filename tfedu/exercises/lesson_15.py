"""Exercises for lesson 15 (the Playground).

>>> from tfedu.exercises import lesson_15 as ex
>>> ex.q1.check("b").passed
True
"""
import numpy as np

from tfedu.exercises import Exercise, Predict
from tfedu.playground import Trainer, check_config

q1 = Predict(
    "Exercise 1 · Predict: XOR with a product feature",
    level="warm-up",
    options={"a": "about 0.5: without a hidden layer the boundary is a straight line, whatever the inputs",
             "b": "above 0.9: the sign of x1*x2 is the XOR label, so one linear unit on it suffices",
             "c": "about 0.75: the feature helps with two of the four quadrants"},
    answer="b",
    why={"a": "the boundary is straight in the space of the *inputs*; with x1*x2 among them, a straight cut in "
              "that space is a curved one in the plane",
         "c": "x1*x2 is positive in two quadrants and negative in the other two: it separates all four at once"},
    hint=["What is the sign of x1*x2 in each quadrant, and what is the XOR label there?",
          "A single output unit can threshold any one input: here the input x1*x2 alone gives the answer."],
)

EPOCHS = 300


def _is_a_set_up(answer):
    "it is a valid set-up dict (see tfedu.playground.DEFAULTS)"
    assert isinstance(answer, dict), f"got {type(answer).__name__}; give a dict such as {{'hidden': [8, 8]}}"
    check_config(answer)


def _on_the_spiral(answer):
    "it uses the spiral dataset, two classes, with at most two hidden layers"
    config = check_config(answer)
    assert config["dataset"] == "spiral", f"the dataset is {config['dataset']!r}: this exercise is about the spiral"
    assert config["n_classes"] == 2, f"n_classes is {config['n_classes']}: keep two arms"
    assert config["noise"] >= 0.1, "the noise is lower than the default 0.1: make the model better, not the data"
    assert len(config["hidden"]) <= 2, f"{len(config['hidden'])} hidden layers: use at most two"


def _reaches_the_target(answer):
    f"after {EPOCHS} epochs its test accuracy is at least 0.75"
    trainer = Trainer(answer)
    for _ in range(EPOCHS // 20):
        trainer.train(epochs=20)
    accuracy = trainer.history["val_accuracy"][-1]
    losses = trainer.history["loss"]
    if not np.isfinite(losses[-1]) or losses[-1] > losses[0]:
        raise AssertionError("the training loss did not go down: is the learning rate too high?")
    assert accuracy >= 0.75, (f"test accuracy {accuracy:.2f} after {EPOCHS} epochs: the network is too small or "
                              "learns too slowly (more neurons, another optimizer, other features?)")


_reaches_the_target.__doc__ = f"after {EPOCHS} epochs its test accuracy is at least 0.75"

q2 = Exercise(
    "Exercise 2 · Tame the spiral with two layers",
    level="core",
    checks=[_is_a_set_up, _on_the_spiral, _reaches_the_target],
    hint=["Start from PRESETS['spiral-shallow']['config'] and change one thing at a time: the width, a second "
          "layer, the optimizer, the features.",
          "{'dataset': 'spiral', 'hidden': [8, 8], 'optimizer': 'adam', 'learning_rate': 0.01} gets there."],
    solution="""
    my_setup = {"dataset": "spiral", "hidden": [8, 8], "optimizer": "adam", "learning_rate": 0.01}

    ex.q2.check(my_setup)
    """,
    mistakes=[
        # one layer of four neurons: too little to follow two turns of the spiral
        """
        my_setup = {"dataset": "spiral", "hidden": [4], "optimizer": "adam", "learning_rate": 0.01}

        ex.q2.check(my_setup)
        """,
        # a learning rate so high that Adam's steps throw the weights about
        """
        my_setup = {"dataset": "spiral", "hidden": [8, 8], "optimizer": "adam", "learning_rate": 3.0}

        ex.q2.check(my_setup)
        """,
        # three layers: more than the exercise allows
        """
        my_setup = {"dataset": "spiral", "hidden": [8, 8, 8], "optimizer": "adam", "learning_rate": 0.01}

        ex.q2.check(my_setup)
        """,
    ],
)


_MOONS = {"dataset": "moons", "hidden": [4], "learning_rate": 0.03, "noise": 0.2}


def _is_a_function(answer):
    "it is a function train_until(trainer, target, max_epochs)"
    assert callable(answer), f"got {type(answer).__name__}; pass the function itself: train_until"


def _stops_at_the_first_chunk_that_reaches_it(answer):
    "it returns the epoch count as soon as the test accuracy reaches the target"
    trainer = Trainer(_MOONS)
    got = answer(trainer, 0.9, 300)
    tests = trainer.history["val_accuracy"]
    if got is None:
        assert not tests or max(tests) < 0.9, "it returned None although the test accuracy reached 0.9"
        return
    assert got == trainer.epoch, f"it returned {got} but the trainer is at epoch {trainer.epoch}: return trainer.epoch"
    assert tests and tests[-1] >= 0.9, ("it stopped while the test accuracy was still below 0.9: compare "
                                        "logs['val_accuracy'] (the test data), not the training accuracy")
    assert not any(value >= 0.9 for value in tests[:-1]), (
        "it went on training after the test accuracy had reached the target: return as soon as it does")


def _gives_up_at_max_epochs(answer):
    "when the target is never reached it stops at max_epochs and returns None"
    trainer = Trainer({"dataset": "xor", "hidden": [], "learning_rate": 0.1})
    got = answer(trainer, 0.99, 60)
    assert trainer.epoch <= 60, f"it trained {trainer.epoch} epochs, beyond max_epochs=60"
    assert trainer.epoch == 60, f"it stopped at epoch {trainer.epoch}, before max_epochs=60"
    assert got is None, f"it returned {got!r}; return None when the target is not reached"


q3 = Exercise(
    "Exercise 3 · Train until good enough",
    level="challenge",
    checks=[_is_a_function, _stops_at_the_first_chunk_that_reaches_it, _gives_up_at_max_epochs],
    hint=["A while loop: while trainer.epoch < max_epochs, train 10 epochs and look at the logs train() returns.",
          "logs = trainer.train(epochs=10); if logs['val_accuracy'] >= target: return trainer.epoch. "
          "After the loop, return None."],
    solution="""
    def train_until(trainer, target, max_epochs):
        while trainer.epoch < max_epochs:
            logs = trainer.train(epochs=10)
            if logs["val_accuracy"] >= target:
                return trainer.epoch
        return None

    ex.q3.check(train_until)
    """,
    mistakes=[
        # the training accuracy: it reaches the target before the test accuracy does
        """
        def train_until(trainer, target, max_epochs):
            while trainer.epoch < max_epochs:
                logs = trainer.train(epochs=10)
                if logs["accuracy"] >= target:
                    return trainer.epoch
            return None

        ex.q3.check(train_until)
        """,
        # never stops early: trains to max_epochs whatever happens
        """
        def train_until(trainer, target, max_epochs):
            reached = None
            while trainer.epoch < max_epochs:
                logs = trainer.train(epochs=10)
                if logs["val_accuracy"] >= target and reached is None:
                    reached = trainer.epoch
            return reached

        ex.q3.check(train_until)
        """,
        # <= instead of <: one chunk of 10 epochs too many
        """
        def train_until(trainer, target, max_epochs):
            while trainer.epoch <= max_epochs:
                logs = trainer.train(epochs=10)
                if logs["val_accuracy"] >= target:
                    return trainer.epoch
            return None

        ex.q3.check(train_until)
        """,
    ],
)
