"""Checks shared by the explorer tests (activations, losses, optimizers)."""
import io

import numpy as np
from PIL import Image


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def assert_background_is_fresh(explorer):
    """The cached background must equal a freshly drawn one (same layout), or a change was missed."""
    shown = pixels(explorer.image.value)
    explorer._background_state = (explorer.background_key(), None)  # force a redraw, keep the layout
    explorer._changed()
    np.testing.assert_array_equal(pixels(explorer.image.value), shown)


def assert_slider_shows(slider, value):
    """An explorer's slider holds exactly the value it was given, inside its (possibly widened) range."""
    assert slider.value == value, f"{slider.description} shows {slider.value}, was given {value}"
    if hasattr(slider, "base"):  # FloatLogSlider: min and max are exponents
        assert slider.base ** slider.min <= value <= slider.base ** slider.max
    else:
        assert slider.min <= value <= slider.max
