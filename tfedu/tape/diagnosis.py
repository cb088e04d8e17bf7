"""Why is my gradient ``None``? :func:`explain_none_gradient`, from a function or from a tape.

The lesson-facing side of the diagnosis: the function form hands over to
:func:`tfedu._diagnosis.diagnose_none_gradient` (shared with
:mod:`tfedu.gradcheck`, which explains the ``None`` gradients it meets), which
re-runs the function and follows its graph; the tape form reads what public
``GradientTape`` methods tell (``watched_variables``, ``gradient``) and the source.
"""
from __future__ import annotations

import tensorflow as tf

from tfedu import _diagnosis, _validate
from tfedu._diagnosis import NoneGradientDiagnosis
from tfedu._runtime import quiet_tf_logs
from tfedu._validate import describe
from tfedu.tape.compute import argument_names

__all__ = ["explain_none_gradient"]


def explain_none_gradient(tape_or_f, *args, index: int = 0, name: str | None = None,
                          watched: bool | None = None):
    """Say why a gradient came back ``None``, and what to do about it.

    Two ways to ask:

    * ``explain_none_gradient(f, *inputs, index=0)``: the precise way. ``f`` is
      re-run (as a graph, and eagerly) and the path from ``inputs[index]`` to the
      output is followed, so every cause is found: an integer dtype, a
      non-trainable or unwatched input, a detour through NumPy / ``.numpy()``, an
      op without a gradient (``tf.argmax``, ``tf.round``, a cast to int,
      ``tf.stop_gradient``) or no connection at all. Pass ``watched=False`` if
      your tape did not ``watch`` a plain tensor input.
    * ``explain_none_gradient(tape, target, source)``: after the fact, once
      ``tape.gradient(target, source)`` returned ``None``. What can be read off
      the tape and the source is diagnosed exactly (dtype, ``trainable=False``,
      a Variable the tape did not watch or never saw); for a plain tensor it
      names the likely causes and suggests the function form. The tape is asked
      for the gradient again, which a persistent tape answers (a tape that was
      not used yet is used up by that, like by any ``tape.gradient`` call).

    Returns a diagnosis whose ``cause`` is one of ``not_watched``,
    ``variable_not_trainable``, ``integer_dtype``, ``left_the_graph``,
    ``non_differentiable_op``, ``unconnected``, ``not_recorded``, and which
    prints as the explanation and the fix. When the gradient is in fact not
    None (``f`` is differentiable, or a persistent tape gives a gradient) the
    cause is ``gradient_exists`` and the message says so; when ``f`` raises,
    a ``ValueError`` says what it raised.

    >>> x = tf.constant([0.5, 2.0])
    >>> print(explain_none_gradient(lambda x: tf.cast(tf.round(x), tf.float32) * 2.0, x, name="x").cause)
    non_differentiable_op
    >>> v = tf.Variable(1.0, trainable=False)
    >>> with tf.GradientTape() as t:
    ...     y = v * 3.0
    >>> explain_none_gradient(t, y, v).cause
    'variable_not_trainable'
    """
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a string that labels the input in the message, got {describe(name)}.")
    if isinstance(tape_or_f, tf.GradientTape):
        if len(args) != 2:
            raise TypeError("With a tape, pass the target and the source: explain_none_gradient(tape, y, x).")
        return _explain_from_tape(tape_or_f, *args, name=name or "the source")
    if not callable(tape_or_f):
        raise TypeError(f"Pass a GradientTape (with target and source) or a function and its inputs, "
                        f"got {type(tape_or_f).__name__}.")
    index = _validate.count(index, "index", low=-(2**63), example=0)  # the range is checked below
    names = argument_names(tape_or_f, len(args))
    label = name or (names[index] if 0 <= index < len(names) else None)
    return _diagnosis.diagnose_none_gradient(tape_or_f, *args, index=index, name=label, watched=watched)


def _short(name):
    return name if name.isidentifier() else "x"


def _explain_from_tape(tape, target, source, name):
    if target is None:
        raise TypeError("The target is None: pass the tensor you differentiated, "
                        "explain_none_gradient(tape, y, x) after y = ... inside the `with` block.")
    if not isinstance(source, (tf.Tensor, tf.Variable)) and not _diagnosis.is_variable(source):
        raise TypeError(f"The source must be one tensor or tf.Variable, got {describe(source)}; for several "
                        "sources ask about each one.")
    try:  # a persistent tape answers again; a used non-persistent one raises RuntimeError
        with quiet_tf_logs():  # asked inside the `with` block, a persistent tape logs a warning
            gradient = tape.gradient(target, source)
    except Exception:  # noqa: BLE001 - fall back to what the tape and the source tell
        gradient = None
    if gradient is not None:
        return NoneGradientDiagnosis(
            "gradient_exists", name, f"asked again, this tape gives tape.gradient(target, {_short(name)}) = "
            f"{_diagnosis.short_value(gradient)}.", "Check that you asked this tape for this target and source.")
    watched_ids = {id(v) for v in tape.watched_variables()}
    if isinstance(source, tf.Variable):
        return _explain_variable(source, name, watched_ids)
    static = _diagnosis.diagnose_input(source, name, watched=None)
    if static is not None:
        return static
    likely = _diagnosis.explain("not_watched", name)
    return NoneGradientDiagnosis(
        likely.cause, name,
        likely.explanation + " (If you did call tape.watch, the target does not depend on it through "
        "TensorFlow ops: check for .numpy(), NumPy, tf.argmax or a computation outside the `with` block.)",
        likely.fix + " For an exact diagnosis pass the function instead: explain_none_gradient(f, x).",
    )


def _explain_variable(source, name, watched_ids):
    """A tf.Variable source: read off its ``trainable`` flag and the variables the tape watched."""
    static = _diagnosis.diagnose_input(source, name, watched=id(source) in watched_ids)
    if static is not None:
        return static
    if id(source) in watched_ids or watched_ids:
        # Watched, or the tape watched the variables it read but never read this one inside the block:
        # the tape alone cannot tell which op broke the path.
        return NoneGradientDiagnosis(
            "unconnected", name,
            "the target does not depend on it through operations the tape recorded: it is not used, or "
            "the path goes through an op without a gradient (tf.argmax, tf.round, a cast to int), "
            "NumPy / .numpy(), or a computation outside the `with` block.",
            "For an exact diagnosis pass the function instead: explain_none_gradient(f, x).")
    return NoneGradientDiagnosis(
        "not_watched", name,
        "the tape watched no variable at all: it was created with watch_accessed_variables=False (then it "
        "watches only what tape.watch is given), or nothing inside its `with` block read a variable.",
        f"Call tape.watch({_short(name)}) inside the `with tf.GradientTape() as tape:` block, and compute the "
        "target from it there.")
