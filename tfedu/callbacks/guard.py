"""Knowing when Keras starts a new run with a callback, and refusing a callback listed twice.

Private helper of :mod:`tfedu.callbacks`, shared by :class:`~tfedu.callbacks.LivePlot`
and :class:`~tfedu.callbacks.CallbackTracer`.
"""
from __future__ import annotations


class FitGuard:
    """Tells a callback when Keras starts a new run with it, and when it is listed twice.

    Every ``fit``/``evaluate``/``predict`` builds a new ``keras.callbacks.CallbackList``, which
    calls ``set_model`` on each callback it holds: the next begin hook then starts a fresh run (a
    run that failed before is over). Validation inside ``fit`` reuses the list, so its
    ``on_test_begin`` is nested. The same begin hook twice in a row, with no new list in between,
    means the same object is in ``callbacks`` twice.
    """

    def __init__(self, callback, variable="plot"):
        self.what = type(callback).__name__
        self.variable = variable
        self.fresh = True
        self.just_began = None

    def new_callback_list(self):
        self.fresh = True
        self.just_began = None

    def begin(self, hook) -> bool:
        """Called by a run's begin hook; True when it starts a new run (a new callback list)."""
        if not self.fresh and self.just_began == hook:
            raise ValueError(
                f"The same {self.what} is in callbacks twice ({hook} was called twice in a row), so every "
                f"call would be recorded twice. Pass it once: callbacks=[{self.variable}].")
        fresh, self.fresh, self.just_began = self.fresh, False, hook
        return fresh

    def other_hook(self):
        self.just_began = None
