"""How fast and how accurate `tfedu.gradcheck` is, next to `tf.test.compute_gradient`.

Two measurements, both printed with the targets they must meet:

1. A full gradient check of f(x) = sum(sin(x) * x**2) for n = 1000 float64
   inputs: `tfedu.gradcheck.check_gradients` against `tf.test.compute_gradient`
   (which returns the autodiff and finite-difference Jacobians; we take the
   largest difference between them). Each is warmed up once, then timed
   `--repeats` times, alternating, and the medians are compared. Both numerical
   gradients are also compared with the exact derivative
   cos(x) x**2 + 2 x sin(x). Target: tfedu at least 20x faster, with a smaller
   maximum error.
2. The fast mode of `check_model_gradients` on a Keras CNN with more than
   100,000 parameters (batch of 32 images, 16x16): the first call (which traces
   the loss) and later calls. Target: under 0.5 s, the first call included.

Run it on an otherwise idle machine:

    .venv/bin/python benchmarks/gradcheck_speed.py
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tfedu  # noqa: E402

N_INPUTS = 1000
SPEEDUP_TARGET = 20.0
FAST_MODE_TARGET_SECONDS = 0.5


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def function_check(repeats):
    import numpy as np
    import tensorflow as tf

    from tfedu.gradcheck import check_gradients

    x = tf.constant(np.random.default_rng(0).uniform(-2.0, 2.0, N_INPUTS), tf.float64)
    xv = x.numpy()
    exact = np.cos(xv) * xv ** 2 + 2 * xv * np.sin(xv)

    def f(x):
        return tf.reduce_sum(tf.sin(x) * x ** 2)

    def run_tf():
        theoretical, numerical = tf.test.compute_gradient(f, [x])
        return theoretical[0].ravel(), numerical[0].ravel()

    def run_tfedu():
        return check_gradients(f, x, mode="full")

    run_tf()  # warm-up: both trace or build what they cache
    run_tfedu()
    tf_times, our_times = [], []
    for _ in range(repeats):  # alternate, so that background load hits both alike
        seconds, (theoretical, numerical) = timed(run_tf)
        tf_times.append(seconds)
        seconds, report = timed(run_tfedu)
        our_times.append(seconds)

    ours_numerical = np.asarray(tfedu.gradcheck.numerical_gradient(f, x))
    tf_time, our_time = statistics.median(tf_times), statistics.median(our_times)
    tf_error = float(np.max(np.abs(theoretical - numerical)))
    our_error = report.max_abs_error
    print(f"1. full check of f(x) = sum(sin(x) * x**2), n = {N_INPUTS} float64 inputs "
          f"(median of {repeats}, after one warm-up call each)")
    print(f"   {'':28} {'time per call':>14} {'max |autodiff - numerical|':>28} {'max |numerical - exact|':>25}")
    print(f"   {'tf.test.compute_gradient':28} {tf_time:12.4f} s {tf_error:28.1e} "
          f"{float(np.max(np.abs(numerical - exact))):25.1e}")
    print(f"   {'tfedu check_gradients':28} {our_time:12.4f} s {our_error:28.1e} "
          f"{float(np.max(np.abs(ours_numerical - exact))):25.1e}")
    speedup = tf_time / our_time
    print(f"   ratio: tfedu is {speedup:.1f}x faster, with a {tf_error / our_error:.0f}x smaller maximum error "
          f"(target: >= {SPEEDUP_TARGET:.0f}x faster, smaller error) -> "
          f"{'OK' if speedup >= SPEEDUP_TARGET and our_error < tf_error and report.passed else 'MISSED'}")
    return speedup >= SPEEDUP_TARGET and our_error < tf_error


def model_check(repeats):
    import keras
    import numpy as np

    from tfedu.gradcheck import check_model_gradients

    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((16, 16, 1)),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10),
    ])
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 16, 16, 1)).astype("float32")
    y = np.arange(32) % 10
    model(x)  # build

    first, report = timed(lambda: check_model_gradients(model, x, y))
    later = statistics.median(timed(lambda: check_model_gradients(model, x, y))[0] for _ in range(repeats))
    print(f"2. check_model_gradients on a CNN with {model.count_params():,} parameters, batch of 32: "
          f"{report.mode} mode, {report.directions} directions per weight, {report.dtype}, "
          f"{'passed' if report.passed else 'FAILED'}")
    print(f"   first call {first:.2f} s (includes tracing), later calls {later:.2f} s (median of {repeats}) "
          f"(target: < {FAST_MODE_TARGET_SECONDS:g} s) -> {'OK' if first < FAST_MODE_TARGET_SECONDS else 'MISSED'}")
    return first < FAST_MODE_TARGET_SECONDS and report.passed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    tfedu.setup()
    ok = function_check(args.repeats)
    ok = model_check(args.repeats) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
