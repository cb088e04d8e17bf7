"""Checks every explorer must pass, and the helpers the family tests share.

The pattern of scikit-learn's ``parametrize_with_checks``: ``tests/test_widgets.py``
finds every widget of the package (each ``*_explorer`` in a public module's
``__all__``) and runs every check in :data:`CHECKS` on it, so a new widget is
checked the moment it is exported. A check takes ``build``, a function of no
arguments that returns a fresh explorer.
"""
import io
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from PIL import Image

#: The slowest update a check accepts, in seconds: only to catch pathological regressions (a figure
#: rebuilt, a model retrained per tick). Real latency is measured by benchmarks/explorer_response.py.
UPDATE_CEILING_SECONDS = 2.0


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def assert_background_is_fresh(explorer):
    """The cached background must equal a freshly drawn one (same layout), or a change was missed."""
    shown = pixels(explorer.image.value)
    explorer._background_state = (explorer.background_key(), None)  # force a redraw, keep the layout
    explorer._changed()
    np.testing.assert_array_equal(pixels(explorer.image.value), shown, err_msg=(
        "the blitted picture differs from a fresh draw: update() changed something outside its dynamic "
        "artists without changing an axes' limits or background_key()"))


def assert_slider_shows(slider, value):
    """An explorer's slider holds exactly the value it was given, inside its (possibly widened) range."""
    assert slider.value == value, f"{slider.description} shows {slider.value}, was given {value}"
    if hasattr(slider, "base"):  # FloatLogSlider: min and max are exponents
        assert slider.base ** slider.min <= value <= slider.base ** slider.max
    else:
        assert slider.min <= value <= slider.max


# --- moving any control, as a student would ---------------------------------------------------

def label(control) -> str:
    return f"{type(control).__name__} {control.description!r}"


def nudge(control):
    """Give ``control`` another valid value: one step along a slider, the next option, the other state."""
    if isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        control.value = not control.value
    elif isinstance(control, widgets.SelectMultiple):
        control.index = (0,) if tuple(control.index) != (0,) else (1,)
    elif isinstance(control, (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons, widgets.Select)):
        control.index = (control.index + 1) % len(control.options)
    elif isinstance(control, widgets.FloatLogSlider):
        exponent = np.log(control.value) / np.log(control.base)
        exponent += control.step if exponent + control.step <= control.max else -control.step
        control.value = float(control.base ** exponent)
    elif isinstance(control, (widgets.FloatRangeSlider, widgets.IntRangeSlider)):
        low, high = control.value
        control.value = (low + control.step, high) if low + control.step < high else (low - control.step, high)
    elif isinstance(control, (widgets.FloatSlider, widgets.IntSlider)):
        step = control.step if control.value + control.step <= control.max else -control.step
        control.value = control.value + step
    else:
        raise AssertionError(f"nudge() does not know how to move a {label(control)}: teach it in "
                             "tests/explorer_checks.py")


class FigureCounter:
    """Counts the matplotlib figures created while it is active (pyplot's or not)."""

    def __enter__(self):
        self.created, self._init = 0, Figure.__init__
        counter = self

        def counting_init(figure, *args, **kwargs):
            counter.created += 1
            counter._init(figure, *args, **kwargs)

        Figure.__init__ = counting_init
        self.pyplot_before = plt.get_fignums()
        return self

    def __exit__(self, *exc):
        Figure.__init__ = self._init
        return False


# --- the checks -----------------------------------------------------------------------------------

def check_renders(build):
    """It shows one PNG image of a figure outside pyplot, and its text form is describe()."""
    with FigureCounter() as figures:
        explorer = build()
    assert figures.created == 1, f"building made {figures.created} figures; an explorer owns one"
    assert plt.get_fignums() == figures.pyplot_before, "the explorer's figure must not be managed by pyplot"
    assert explorer.image.format == "png" and bytes(explorer.image.value).startswith(b"\x89PNG\r\n\x1a\n")
    assert pixels(explorer.image.value).ndim == 3
    text = explorer.describe()
    assert isinstance(text, str) and text and "\n" not in text, f"describe() must be one line, got {text!r}"
    assert repr(explorer) == text, f"repr() must be describe(): {repr(explorer)!r} vs {text!r}"
    assert explorer._repr_mimebundle_()["text/plain"] == text  # what nbval compares
    assert explorer.controls, "an explorer has at least one control (listed by _start)"
    explorer.close()


def check_every_control_redraws_in_place(build):
    """Each control changes the picture, in the same figure, within the ceiling; moving it back restores the text."""
    explorer = build()
    figure, start_text = explorer.figure, explorer.describe()
    with FigureCounter() as figures:
        for control in explorer.controls:
            before, old = bytes(explorer.image.value), control.value
            nudge(control)
            assert bytes(explorer.image.value) != before, f"moving the {label(control)} did not change the picture"
            assert_background_is_fresh(explorer)
            started = time.perf_counter()  # the way back is timed: it excludes one-time costs (compiling
            control.value = old                # the loops of a surface seen for the first time)
            seconds = time.perf_counter() - started
            assert seconds < UPDATE_CEILING_SECONDS, f"moving the {label(control)} took {seconds:.1f} s"
            assert explorer.describe() == start_text, f"moving the {label(control)} back did not restore the text"
    assert figures.created == 0, f"updates created {figures.created} new figures; update the existing artists"
    assert plt.get_fignums() == figures.pyplot_before and explorer.figure is figure
    explorer.close()


def check_text_is_deterministic(build):
    """Two explorers built alike describe themselves alike, and show the same picture (nbval compares the text)."""
    first, second = build(), build()
    assert first.describe() == second.describe(), f"{first.describe()!r} vs {second.describe()!r}"
    np.testing.assert_array_equal(pixels(first.image.value), pixels(second.image.value),
                                  err_msg="two explorers built alike show different pictures")
    first.close()
    second.close()


CHECKS = (check_renders, check_every_control_redraws_in_place, check_text_is_deterministic)


def parametrize_with_checks(builders: dict):
    """``pytest.mark.parametrize`` over every (widget, check) pair; ``builders`` maps a name to ``build``."""
    import pytest

    cases = [pytest.param(build, check, id=f"{name}-{check.__name__}")
             for name, build in builders.items() for check in CHECKS]
    return pytest.mark.parametrize("build, check", cases)
