"""Evaluating a function on a batch of points in one vectorized call.

Private helper of :mod:`tfedu.gradcheck`: ``tf.vectorized_map`` inside a
``tf.function``, in chunks bounded by memory, traced once per ``f`` and input
(the traces are cached while ``f`` lives) and given up for a plain loop when
``f`` runs Python code that cannot be traced.
"""
from __future__ import annotations

import weakref

import numpy as np

import tensorflow as tf

from tfedu._runtime import quiet_tf_logs

#: Fewer perturbed points than this are evaluated in a plain loop (no tracing).
VECTORIZE_FROM = 16
#: Largest number of elements (points x (input + output + ``point_cost``)) in one vectorized call.
BATCH_ELEMENTS = 4_000_000
#: Most points in one vectorized call: f's intermediate tensors grow with it, and f's size is unknown.
BATCH_POINTS = 2048

# f -> {key: tf.function}: vectorized evaluators reused across checks of the same f.
CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class NotVectorizable(Exception):
    """The vectorized evaluation failed or disagreed with f; use the loop."""


def weak(f):
    """A weak reference to ``f`` (a strong one when ``f`` cannot be weakly referenced)."""
    try:
        return weakref.ref(f)
    except TypeError:
        return lambda: f


def make_vectorized(flat, i, kind):
    """A tf.function evaluating ``flat`` on a batch of points for input ``i`` with ``tf.vectorized_map``."""
    def call(point, others):
        args = list(others)
        args.insert(i, point)
        return flat(args)

    if kind == "dense":
        def run(points, others):
            return tf.vectorized_map(lambda point: call(point, others), points)
    else:
        def run(columns, values, x0, others):
            flat_x0 = tf.reshape(x0, [-1])
            positions = tf.range(tf.size(flat_x0, out_type=tf.int64), dtype=tf.int64)

            def one(column_value):
                column, value = column_value
                point = tf.where(tf.equal(positions, column), value, flat_x0)
                return call(tf.reshape(point, tf.shape(x0)), others)

            return tf.vectorized_map(one, (columns, values))

    return tf.function(run)


def map_rows(fn, tangents, n, width, vectorize, vectorize_from):
    """``fn`` on each tangent: rows of a NumPy array, or ``None`` for the ``n`` basis vectors
    (built chunk by chunk, never as an ``n x n`` matrix). Vectorized in chunks when worthwhile,
    else a loop. Returns ``(count, width)``."""
    count = n if tangents is None else len(tangents)

    def rows(start, stop):
        if tangents is not None:
            return np.asarray(tangents[start:stop], dtype=np.float64)
        block = np.zeros((stop - start, n))
        block[np.arange(stop - start), np.arange(start, stop)] = 1.0
        return block

    if vectorize and count >= vectorize_from:
        chunk = int(max(1, min(count, BATCH_POINTS, BATCH_ELEMENTS // (n + width))))
        mapped = tf.function(lambda r: tf.vectorized_map(fn, r))
        try:
            out = []
            for start in range(0, count, chunk):
                block = rows(start, min(start + chunk, count))
                padded = np.concatenate([block, np.zeros((chunk - len(block), n))])
                with quiet_tf_logs():
                    out.append(np.asarray(mapped(tf.constant(padded)), np.float64)[:len(block)])
            return np.concatenate(out)
        except Exception:  # noqa: BLE001 - fall back to the loop below
            pass
    return np.stack([np.asarray(fn(tf.constant(r)), np.float64) for r in rows(0, count)])
