"""Argument checks with one wording everywhere: what was received, what is accepted, what to do.

Every public function of tfedu checks its arguments with these helpers, so that
bad input raises a ``TypeError`` or ``ValueError`` naming the argument, the
value it got and what it accepts, instead of returning a silently wrong answer.

* NumPy scalars are accepted wherever Python numbers are (``np.float32(0.1)``,
  ``np.int64(3)``); a 0-d array or tensor is not, because it hides a shape.
* Booleans are never numbers or counts (``batch_size=True`` is a mistake).
* A float is a count only when it is integral *and* the caller allows it.
* A name outside a fixed set gets a "did you mean" suggestion.

>>> number(0.5, "learning_rate", low=0, low_open=True)
0.5
>>> count(True, "batch_size")
Traceback (most recent call last):
...
TypeError: batch_size must be an int, got bool True. Use a whole number such as 32.
>>> choice("Adamm", "optimizer", ["SGD", "Adam"])
Traceback (most recent call last):
...
ValueError: optimizer 'Adamm' is not known; did you mean 'Adam'? Choose one of: 'SGD', 'Adam'.
"""
from __future__ import annotations

import difflib
import math
import numbers
from typing import Iterable, Sequence

__all__ = ["number", "count", "flag", "choice", "choices", "keys", "finite_array", "float32_array", "did_you_mean",
           "describe"]


def describe(value) -> str:
    """``float 2.5``, ``str 'abc'``: the type and a short repr of a value, for messages."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def number(value, name: str, *, low=None, high=None, low_open: bool = False, high_open: bool = False,
           finite: bool = True, allow_none: bool = False, example: str | None = None):
    """Return ``value`` as a Python float after checking it is a real number in range.

    ``low``/``high`` bound it (inclusive unless ``low_open``/``high_open``);
    NaN is never accepted, infinity only with ``finite=False``.

    >>> number(float("nan"), "atol", low=0)
    Traceback (most recent call last):
    ...
    ValueError: atol must be a number >= 0, got nan.
    >>> number("0.1", "rtol")
    Traceback (most recent call last):
    ...
    TypeError: rtol must be a number, got str '0.1'. Pass it without quotes, e.g. 0.1.
    """
    if value is None and allow_none:
        return None
    if not _is_real(value):
        hint = ""
        if isinstance(value, str):
            try:
                float(value)
                hint = f" Pass it without quotes, e.g. {example or value}."
            except ValueError:
                hint = f" Pass a number such as {example or '0.1'}."
        elif isinstance(value, bool):
            hint = f" Use a number such as {example or '0.1'}."
        elif hasattr(value, "shape"):
            hint = " Pass a single number (use float(x) on a scalar tensor or array)."
        raise TypeError(f"{name} must be a number, got {describe(value)}.{hint}")
    result = float(value)
    wanted = _range_text(low, high, low_open, high_open)
    if math.isnan(result) or (finite and math.isinf(result)):
        raise ValueError(f"{name} must be {wanted}, got {result}.")
    if low is not None and (result < low or (low_open and result == low)):
        raise ValueError(f"{name} must be {wanted}, got {_show(value)}.")
    if high is not None and (result > high or (high_open and result == high)):
        raise ValueError(f"{name} must be {wanted}, got {_show(value)}.")
    return result


def _show(value) -> str:
    return repr(float(value)) if not isinstance(value, numbers.Integral) else repr(int(value))


def _range_text(low, high, low_open, high_open) -> str:
    if low is not None and high is not None:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        return f"a number in {left}{low}, {high}{right}"
    if low is not None:
        return f"a number {'>' if low_open else '>='} {low}"
    if high is not None:
        return f"a number {'<' if high_open else '<='} {high}"
    return "a finite number"


def count(value, name: str, *, low: int = 1, high: int | None = None, allow_none: bool = False,
          allow_integral_float: bool = False, example: int = 32, hint: str = ""):
    """Return ``value`` as a Python int after checking it is a whole number in ``[low, high]``.

    >>> count(2.7, "batch_size")
    Traceback (most recent call last):
    ...
    TypeError: batch_size must be an int, got float 2.7. Use a whole number such as 32.
    >>> count(0, "epochs")
    Traceback (most recent call last):
    ...
    ValueError: epochs must be an int >= 1, got 0.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be an int, got {describe(value)}. Use a whole number such as {example}.")
    if not isinstance(value, numbers.Integral):
        if not (allow_integral_float and float(value).is_integer()):
            raise TypeError(f"{name} must be an int, got {describe(value)}. Use a whole number such as {example}.")
    result = int(value)
    if result < low or (high is not None and result > high):
        wanted = f"an int in [{low}, {high}]" if high is not None else f"an int >= {low}"
        raise ValueError(f"{name} must be {wanted}, got {result}.{(' ' + hint) if hint else ''}")
    return result


def flag(value, name: str, *, allow_none: bool = False) -> bool | None:
    """Return ``value`` if it is ``True`` or ``False`` (NumPy booleans too).

    >>> import numpy as np
    >>> flag(np.True_, "keepdims")
    True
    >>> flag("yes", "keepdims")
    Traceback (most recent call last):
    ...
    TypeError: keepdims must be True or False, got str 'yes'.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool):
        return value
    if type(value).__module__ == "numpy" and type(value).__name__ in ("bool_", "bool"):  # np.True_
        return bool(value)
    extra = " or None" if allow_none else ""
    raise TypeError(f"{name} must be True or False{extra}, got {describe(value)}.")


def did_you_mean(value, options: Iterable) -> str:
    """`` did you mean 'adam'?`` for the closest option, or an empty string."""
    if not isinstance(value, str):
        return ""
    options = [str(o) for o in options]
    lowered = {o.lower(): o for o in options}
    if value.lower() in lowered:
        return f" did you mean {lowered[value.lower()]!r}?"
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return f" did you mean {lowered[close[0]]!r}?" if close else ""


def _options_text(options: Sequence) -> str:
    return ", ".join(repr(o) for o in options)


def choice(value, name: str, options: Sequence, *, what: str | None = None):
    """Return ``value`` if it is one of ``options``; otherwise say which option was probably meant.

    >>> choice("sum", "op", ["sum", "mean"])
    'sum'
    >>> choice(3, "op", ["sum", "mean"])
    Traceback (most recent call last):
    ...
    TypeError: op must be one of 'sum', 'mean', got int 3.
    """
    options = list(options)
    if not isinstance(value, str) and all(isinstance(o, str) for o in options):
        raise TypeError(f"{name} must be one of {_options_text(options)}, got {describe(value)}.")
    if value in options:
        return value
    suggestion = did_you_mean(value, options)
    label = what or name
    separator = ";" if suggestion else "."
    raise ValueError(f"{label} {value!r} is not known{separator}{suggestion} Choose one of: {_options_text(options)}.")


def choices(values, name: str, options: Sequence, *, what: str | None = None) -> list:
    """Check every item of a list of names with :func:`choice`; an empty list is an error.

    >>> choices(["sgd"], "optimizers", ["SGD", "Adam"])
    Traceback (most recent call last):
    ...
    ValueError: optimizers 'sgd' is not known; did you mean 'SGD'? Choose one of: 'SGD', 'Adam'.
    """
    if isinstance(values, str):
        values = [values]
    try:
        values = list(values)
    except TypeError:
        raise TypeError(f"{name} must be a list of names, got {describe(values)}.") from None
    if not values:
        raise ValueError(f"{name} is empty; give at least one of: {_options_text(options)}.")
    return [choice(v, name, options, what=what) for v in values]


def keys(mapping, name: str, allowed: Sequence, *, what: str = "key") -> dict:
    """Check that a dict only uses known keys (e.g. per-optimizer learning rates).

    >>> keys({"SGD": 0.1, "Adamm": 1.0}, "learning_rate", ["SGD", "Adam"])
    Traceback (most recent call last):
    ...
    ValueError: learning_rate has a key 'Adamm' that matches nothing; did you mean 'Adam'? Its keys must be among: 'SGD', 'Adam'.
    """
    if not isinstance(mapping, dict):
        raise TypeError(f"{name} must be a dict, got {describe(mapping)}.")
    allowed = list(allowed)
    for key in mapping:
        if key not in allowed:
            suggestion = did_you_mean(key, allowed)
            separator = ";" if suggestion else "."
            raise ValueError(f"{name} has a {what} {key!r} that matches nothing{separator}{suggestion} "
                             f"Its {what}s must be among: {_options_text(allowed)}.")
    return mapping


def finite_array(value, name: str, *, ndim: int | None = None, dtype=None, min_length: int = 1):
    """Return ``value`` as a NumPy array after checking it holds finite numbers (and its rank).

    >>> finite_array([1.0, float("inf")], "x")
    Traceback (most recent call last):
    ...
    ValueError: x contains inf at index 1; remove or replace non-finite values (np.isfinite finds them).
    """
    import numpy as np

    if isinstance(value, str):
        raise TypeError(f"{name} must be an array of numbers, got {describe(value)}.")
    try:
        array = np.asarray(value) if dtype is None else np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of numbers, got {describe(value)} ({error}).") from None
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name} must hold numbers, got an array of dtype {array.dtype}.")
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}.")
    if array.size < min_length:
        raise ValueError(f"{name} is empty (shape {array.shape}); give at least {min_length} value(s).")
    if np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.complexfloating):
        bad = ~np.isfinite(array)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            where = index[0] if len(index) == 1 else index
            raise ValueError(f"{name} contains {array[bad].flat[0]} at index {where}; "
                             "remove or replace non-finite values (np.isfinite finds them).")
    return array


def float32_array(value, name: str):
    """:func:`finite_array` of real numbers, returned as float32, refusing values float32 cannot hold.

    >>> float32_array([1.0, 1e39], "x")
    Traceback (most recent call last):
    ...
    ValueError: x holds 1e+39 at index 1, too large for float32 (at most 3.4e+38); rescale the data.
    """
    import numpy as np

    array = finite_array(value, name)
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {array.dtype}.")
    with np.errstate(over="ignore"):
        result = array.astype(np.float32)
    if not np.isfinite(result).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(result))[0])
        where = index[0] if len(index) == 1 else index
        raise ValueError(f"{name} holds {array[index]:g} at index {where}, too large for float32 (at most "
                         f"{float(np.finfo(np.float32).max):.2g}); rescale the data.")
    return result
