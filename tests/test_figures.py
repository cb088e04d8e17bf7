"""tfedu._figures: blitting (with artists left as last drawn) and the two encodings of a frame."""
import io

import numpy as np

from tfedu._figures import Blitter, jpeg, new_figure, png


def canvas_pixels(figure) -> np.ndarray:
    return np.asarray(figure.canvas.buffer_rgba()).copy()


def test_an_unchanged_artist_keeps_its_last_pixels_and_a_changed_one_is_drawn_again():
    figure, (left, right) = new_figure((4, 2), ncols=2)
    moving = left.imshow(np.zeros((4, 4)), vmin=0, vmax=1, cmap="gray")
    kept = right.imshow(np.zeros((4, 4)), vmin=0, vmax=1, cmap="gray")
    blitter = Blitter(figure, [moving, kept], dpi=40, keep=[kept])
    assert blitter.frame() == "full"
    first = canvas_pixels(figure)
    kept.set_data(np.ones((4, 4)))                 # changed, but the frame is told it is unchanged
    assert blitter.frame(unchanged=[kept]) == "blit"
    np.testing.assert_array_equal(canvas_pixels(figure), first)   # its old pixels came back
    blitter.frame()                                 # now drawn: white where it was black
    assert canvas_pixels(figure).sum() > first.sum()
    moving.set_data(np.ones((4, 4)))
    blitter.frame(unchanged=[kept])                 # the other image is drawn as it is now
    assert canvas_pixels(figure).sum() > first.sum() * 1.2


def test_a_frame_encodes_as_png_or_as_a_jpeg_of_the_same_picture():
    from PIL import Image

    figure, ax = new_figure((4, 3))
    ax.imshow(np.linspace(0, 1, 400).reshape(20, 20), cmap="RdBu")
    Blitter(figure, [], dpi=60).frame()
    as_png, as_jpeg = png(figure, redraw=False, compress_level=1), jpeg(figure)
    assert as_png[:4] == b"\x89PNG" and as_jpeg[:3] == b"\xff\xd8\xff"
    a = np.asarray(Image.open(io.BytesIO(as_png)).convert("RGB"), dtype=float)
    b = np.asarray(Image.open(io.BytesIO(as_jpeg)).convert("RGB"), dtype=float)
    assert a.shape == b.shape and np.abs(a - b).mean() < 3.0   # the same picture, a few levels apart


def test_axes_with_new_limits_are_drawn_again_alone_and_match_a_full_redraw():
    figure, (left, right) = new_figure((4, 2), ncols=2, layout="none")
    line, = right.plot([0, 1, 2], [0, 1, 4])
    image = left.imshow(np.eye(4))
    blitter = Blitter(figure, [line, image], dpi=50)
    blitter.frame()
    right.set_xlim(0, 20)   # new limits, new tick labels
    assert blitter.frame(axes=[right]) == "axes"
    partial = canvas_pixels(figure)
    blitter.frame(True, relayout=False)
    np.testing.assert_array_equal(partial, canvas_pixels(figure))
