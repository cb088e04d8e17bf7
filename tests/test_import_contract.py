"""Importing tfedu changes nothing: only tfedu.setup() configures the process (GUIDE.md, "No hidden global state")."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import tfedu

ROOT = Path(__file__).resolve().parent.parent

SNAPSHOT = textwrap.dedent('''
    import json, logging, os, sys, warnings
    import numpy as np
    import matplotlib
    import tensorflow as tf
    import keras
    from absl import logging as absl_logging
    from tensorflow.python.framework import config as tf_config

    def snapshot():
        loggers = {name: (logger.level, len(logger.handlers), logger.propagate, logger.disabled)
                   for name, logger in logging.root.manager.loggerDict.items() if isinstance(logger, logging.Logger)}
        loggers["<root>"] = (logging.root.level, len(logging.root.handlers))
        return {
            "environ": dict(os.environ),
            "loggers": {k: list(v) for k, v in loggers.items()},
            "absl verbosity": absl_logging.get_verbosity(),
            "warnings filters": [repr(f) for f in warnings.filters],
            "rcParams": {k: repr(v) for k, v in matplotlib.rcParams.items()},
            "matplotlib backend": matplotlib.get_backend(),
            "numpy print options": repr(np.get_printoptions()),
            "numpy errors": repr(np.geterr()),
            # TensorFlow has a public switch for op determinism but only this getter:
            "tf op determinism": tf_config.is_op_determinism_enabled(),
            "tf intra-op threads": tf.config.threading.get_intra_op_parallelism_threads(),
            "tf inter-op threads": tf.config.threading.get_inter_op_parallelism_threads(),
            "tf soft placement": tf.config.get_soft_device_placement(),
            "tf functions run eagerly": tf.config.functions_run_eagerly(),
            "keras floatx": keras.config.floatx(),
            "keras image data format": keras.config.image_data_format(),
            "keras epsilon": keras.config.epsilon(),
            "stdout/stderr": [type(sys.stdout).__name__, type(sys.stderr).__name__],
        }

    def changes(before, after):
        found = []
        for key in before:
            if isinstance(before[key], dict):
                for name in sorted(set(before[key]) | set(after[key])):
                    old, new = before[key].get(name), after[key].get(name)
                    if old != new and not (key == "loggers" and old is None):
                        found.append(f"{key}[{name}]: {old!r} -> {new!r}")
            elif before[key] != after[key]:
                found.append(f"{key}: {before[key]!r} -> {after[key]!r}")
        return found

    import importlib
    baseline = snapshot()
    report = {}
    for name in sys.argv[1:]:
        importlib.import_module(name)
        report[name] = changes(baseline, snapshot())
        baseline = snapshot()  # charge each change to the module that made it
    print(json.dumps(report))
''')


def test_importing_any_tfedu_module_changes_no_global_setting():
    modules = ["tfedu", *(f"tfedu.{name}" for name in tfedu._SUBMODULES)]
    modules += sorted(f"tfedu.exercises.{path.stem}" for path in (ROOT / "tfedu" / "exercises").glob("lesson_*.py"))
    assert "tfedu.exercises.lesson_15" in modules   # every lesson's bank too
    env = {key: value for key, value in __import__("os").environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run([sys.executable, "-c", SNAPSHOT, *modules], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report) == set(modules)
    changed = {module: found for module, found in report.items() if found}
    assert not changed, f"importing these modules changed global state: {json.dumps(changed, indent=1)}"


def test_the_contract_check_notices_a_change():
    """The check above can fail: a module that sets an environment variable is caught."""
    code = SNAPSHOT.replace("importlib.import_module(name)", "os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'")
    env = {key: value for key, value in __import__("os").environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run([sys.executable, "-c", code, "json"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["json"] == ["environ[TF_CPP_MIN_LOG_LEVEL]: None -> '3'"]


def test_submodule_list_matches_the_package_folder():
    package = Path(tfedu.__file__).parent
    found = {p.stem for p in package.glob("*.py")} | {p.parent.name for p in package.glob("*/__init__.py")}
    public = {name for name in found if not name.startswith("_")}
    assert public == set(tfedu._SUBMODULES), "list new public modules in tfedu._SUBMODULES (and only those)"
