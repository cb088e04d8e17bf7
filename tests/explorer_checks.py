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
