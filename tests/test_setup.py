import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tfedu
from tfedu import _NativeStderrFilter

ROOT = Path(__file__).resolve().parent.parent


def draws():
    import keras
    import tensorflow as tf

    layer_weights = keras.layers.Dense(3)
    layer_weights.build((None, 2))
    return (
        random.random(),
        float(np.random.rand()),
        tf.random.uniform((3,)).numpy().tolist(),
        layer_weights.kernel.numpy().round(6).tolist(),
    )


def test_setup_reports_versions_and_devices():
    import keras
    import tensorflow as tf

    info = tfedu.setup()
    assert info.seed == tfedu.DEFAULT_SEED == 42
    assert info.tensorflow == tf.__version__
    assert info.keras == keras.__version__
    assert info.numpy == np.__version__
    assert info.tfedu == tfedu.__version__
    assert info.python == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert info.devices[0] == "CPU"
    text = str(info)
    assert text.splitlines()[0].startswith(f"tfedu {tfedu.__version__} | TensorFlow {tf.__version__}")
    assert "seed 42 | op determinism on | devices: CPU" in text
    assert repr(info) == text


def test_setup_is_idempotent_and_reseeds_every_generator():
    first_info = tfedu.setup(seed=3)
    first = draws()
    again_info = tfedu.setup(seed=3)
    assert again_info == first_info
    assert draws() == first
    tfedu.setup(seed=4)
    assert draws() != first


def test_setup_switches_op_determinism_and_quiets_logger():
    import tensorflow as tf
    from tensorflow.python.framework import config as tf_config

    info = tfedu.setup(deterministic=False)
    assert info.op_determinism is False
    assert tf_config.is_op_determinism_enabled() is False
    info = tfedu.setup()
    assert info.op_determinism is True
    assert tf_config.is_op_determinism_enabled() is True
    assert tf.get_logger().level == 40  # logging.ERROR


def test_setup_sets_lesson_plot_style_only_when_asked():
    import matplotlib as mpl

    mpl.rcdefaults()
    tfedu.setup(plot_style=False)
    assert mpl.rcParams["axes.grid"] is False
    tfedu.setup()
    assert mpl.rcParams["axes.grid"] is True
    assert mpl.rcParams["axes.spines.top"] is False
    assert tuple(mpl.rcParams["figure.figsize"]) == (6.4, 4.0)


@pytest.mark.parametrize(
    "seed, error, message",
    [
        ("1", TypeError, "seed must be an int, got str '1'"),
        (1.5, TypeError, "seed must be an int, got float"),
        (True, TypeError, "seed must be an int, got bool"),
        (-1, ValueError, "seed must be between 0 and 2**32 - 1, got -1"),
        (2**32, ValueError, "got 4294967296"),
    ],
)
def test_setup_rejects_bad_seeds(seed, error, message):
    with pytest.raises(error) as caught:
        tfedu.setup(seed)
    assert message in str(caught.value)


def test_import_tfedu_does_not_import_tensorflow():
    code = "import sys, tfedu, tfedu.data; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_setup_leaves_no_startup_noise_on_stderr():
    # A fresh process, as in a new kernel: TensorFlow's C++ runtime would print
    # absl lines (cpu_feature_guard, cudart_stub, cuInit) at import and at the
    # first device creation, and a notice per new tf.data pipeline in fit.
    code = (
        "import tfedu; info = tfedu.setup();"
        "import tensorflow as tf; print(float(tf.reduce_sum(tf.ones(3))));"
        "import keras, numpy as np;"
        "m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)]); m.compile('sgd', 'mse');"
        "m.fit(np.zeros((8, 1)), np.zeros((8, 1)), epochs=1, verbose=0, validation_split=0.25);"
        "m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)]); m.compile('sgd', 'mse');"
        "m.fit(np.zeros(8), np.zeros(8), epochs=1, verbose=0, batch_size=2, validation_split=0.25)"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "3.0"
    assert out.stderr == ""


def test_setup_restarts_keras_names_so_summaries_repeat():
    import keras

    tfedu.setup()
    first = keras.layers.Dense(1).name
    keras.layers.Dense(1)
    tfedu.setup()
    assert keras.layers.Dense(1).name == first == "dense"


def test_native_filter_keeps_real_messages_and_drops_known_noise(capfd):
    with _NativeStderrFilter():
        os.write(2, b"I0000 00:00:1 cpu_feature_guard.cc:227] This TensorFlow binary is optimized\n")
        os.write(2, b"E0000 something_else.cc:1] a real problem\n")
    captured = capfd.readouterr()
    assert "a real problem" in captured.err
    assert "cpu_feature_guard" not in captured.err


def test_submodules_load_on_first_use():
    assert "data" in dir(tfedu)
    assert tfedu.data.load_digits is not None
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        tfedu.nope


def test_require_names_the_fix_for_another_version(monkeypatch):
    import warnings
    from importlib import metadata

    import tfedu

    tfedu.require(tfedu.__version__.rsplit(".", 1)[0])          # this environment: silent
    with pytest.raises(RuntimeError, match=r"need tfedu 0\.2, but this environment has tfedu 0\.1\.0.*"
                                           r"python3 course\.py setup"):
        tfedu.require("0.2")
    with pytest.raises(ValueError, match="version string such as '0.1'"):
        tfedu.require(0.1)
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "3.9.0" if name == "keras" else real(name))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tfedu.require("0.1")
    assert any("tested with keras 3.15; this environment has 3.9.0" in str(w.message) for w in caught)
