"""Second-order checks: the gradient of ``f`` as the function whose derivatives are compared.

Private helper of :mod:`tfedu.gradcheck`. Its Jacobian is the Hessian (full
mode); along a direction it is a Hessian-vector product (fast mode), computed by
reverse over reverse or forward over reverse autodiff from nested tapes.
"""
from __future__ import annotations

import numpy as np

import tensorflow as tf

from tfedu.gradcheck.evaluate import Problem
from tfedu.gradcheck.target import Target
from tfedu.gradcheck.vectorize import weak


class GradientTarget(Problem):
    """The flat gradient of a :class:`~tfedu.gradcheck.target.Target`'s function.

    Built from the target (``base``), whose inputs, call style and notes it
    shares; only its value at ``x`` is new: the concatenated gradients.
    """

    order = 2

    def __init__(self, base: Target):
        super().__init__(base.f, what=base.what, names=base.names, style=base.style, sources=base.sources,
                         x=base.x, notes=base.notes, vectorize=base.vectorize, vectorize_from=base.vectorize_from,
                         point_cost=base.point_cost, cache=base.cache)
        self.base = base
        self.input_dtypes = base.input_dtypes
        grads = self._gradient_list(self.x if self.style == "arguments" else self.sources)
        self._set_output(np.concatenate([np.asarray(g, np.float64).reshape(-1) for g in grads]), base.dtype)

    def _gradient_list(self, sources):
        with tf.GradientTape() as tape:
            tape.watch(sources)
            y = self._call_at(sources)
        return tape.gradient(y, sources, unconnected_gradients=tf.UnconnectedGradients.ZERO)

    def flat(self, args):
        if self.style == "closure":
            for v, value in zip(self.sources, args):
                v.assign(value)
            try:
                return tf.concat([tf.reshape(g, [-1]) for g in self._gradient_list(self.sources)], 0)
            finally:
                for v, value in zip(self.sources, self.x):
                    v.assign(value)
        return tf.concat([tf.reshape(g, [-1]) for g in self._gradient_list(list(args))], 0)

    def _loop_flat(self, args):
        return self.flat(args)

    def _flat_factory(self):
        ref = weak(self.f)

        def flat(args):
            args = list(args)
            with tf.GradientTape() as tape:
                tape.watch(args)
                y = ref()(*args)
            grads = tape.gradient(y, args, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            return tf.concat([tf.reshape(g, [-1]) for g in grads], 0)

        return flat

    def jacobian(self, i, autodiff="reverse"):
        if autodiff == "forward":
            return self._forward(i, None).T
        with tf.GradientTape(persistent=True) as outer:
            sources = self._watched(outer)
            g = tf.concat([tf.reshape(t, [-1]) for t in self._gradient_list(sources)], 0)
        try:
            jac = outer.jacobian(g, sources[i], unconnected_gradients=tf.UnconnectedGradients.ZERO)
        except Exception:  # noqa: BLE001
            jac = outer.jacobian(g, sources[i], unconnected_gradients=tf.UnconnectedGradients.ZERO,
                                 experimental_use_pfor=False)
        return np.asarray(jac, np.float64).reshape(self.out_size, -1)

    def directional(self, i, directions, out_directions, autodiff="reverse"):
        """Hessian-vector products ``H[:, i] v_k``: ``(K, m)``.

        Reverse over reverse differentiates ``g_i . v`` (which gives the same
        vector because a Hessian is symmetric); forward over reverse pushes
        the tangent ``v`` through the gradient computation.
        """
        if autodiff == "forward":
            return self._forward(i, directions)
        out = []
        with tf.GradientTape(persistent=True) as outer:
            sources = self._watched(outer)
            grads = self._gradient_list(sources)
            dots = [tf.reduce_sum(grads[i] * tf.constant(v.reshape(self.shapes[i]), dtype=grads[i].dtype))
                    for v in directions]
        for dot in dots:
            hv = outer.gradient(dot, sources, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            out.append(np.concatenate([np.asarray(h, np.float64).reshape(-1) for h in hv]))
        return np.asarray(out)

    def _forward_output(self, sources):
        grads = self._gradient_list(sources)
        return tf.concat([tf.reshape(h, [-1]) for h in grads], 0)
