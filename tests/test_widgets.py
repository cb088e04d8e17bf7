"""Every widget of the package passes the same checks (tests/explorer_checks.py).

Widgets are found, not listed: each ``*_explorer`` function in the ``__all__`` of a
public module (``tfedu._SUBMODULES``) is built and checked, so a new widget is
covered as soon as it is exported. A widget whose arguments have no defaults (the
data it fits) gets example arguments in :data:`ARGUMENTS`.
"""
import importlib
import inspect

import numpy as np

import tfedu

from explorer_checks import CHECKS, parametrize_with_checks

X = np.linspace(-1, 1, 40).astype("float32")

#: Arguments for the widgets that need some: data to fit, or a start where every control shows
#: (activation_explorer's default activations do not include the three whose parameters have sliders).
ARGUMENTS = {
    "tfedu.descent.learning_rate_explorer": dict(x=X, y=3 * X + 2),
    "tfedu.activations.activation_explorer": dict(names=["leaky_relu", "elu", "gelu"]),
    # three classes (so that the class count and "discretize" show), a penalty on (so that its rate shows)
    "tfedu.playground.playground_explorer": dict(config={"dataset": "blobs", "n_classes": 3, "hidden": [4],
                                                         "regularization": "l2", "regularization_rate": 0.01,
                                                         "n_samples": 120}),
}


def find_widgets() -> dict:
    """``{"tfedu.family.name_explorer": function}`` for every widget the package exports."""
    found = {}
    for module_name in tfedu._SUBMODULES:
        module = importlib.import_module(f"tfedu.{module_name}")
        for name in getattr(module, "__all__", ()):
            if name.endswith("_explorer") and callable(getattr(module, name)):
                found[f"tfedu.{module_name}.{name}"] = getattr(module, name)
    return found


def builder(qualified_name, function):
    arguments = ARGUMENTS.get(qualified_name, {})
    required = [p.name for p in inspect.signature(function).parameters.values()
                if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    missing = [name for name in required if name not in arguments]
    assert not missing, f"{qualified_name} needs {missing}: add example arguments to ARGUMENTS in {__file__}"

    def build():
        return function(**arguments)

    return build


WIDGETS = find_widgets()
assert WIDGETS, "no *_explorer found in the public modules' __all__: the widget checks would check nothing"


def test_every_widget_is_found():
    expected = {"tfedu.activations.activation_explorer", "tfedu.losses.loss_explorer",
                "tfedu.optimizers.race_explorer", "tfedu.descent.learning_rate_explorer",
                "tfedu.tensors.reduce_explorer", "tfedu.playground.playground_explorer",
                "tfedu.metrics.threshold_explorer"}
    assert expected <= set(WIDGETS), f"missing: {sorted(expected - set(WIDGETS))}"
    assert set(ARGUMENTS) <= set(WIDGETS), "ARGUMENTS names a widget that no longer exists"
    assert len(CHECKS) >= 3


@parametrize_with_checks({name.removeprefix("tfedu."): builder(name, function) for name, function in WIDGETS.items()})
def test_widget(build, check):
    check(build)
