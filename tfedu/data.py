"""Small datasets that never need a download.

* :func:`load_digits` reads the 8x8 handwritten digits shipped in ``data/``.
* :func:`train_test_split` shuffles and splits arrays reproducibly.
* :func:`make_toy` and the ``make_*`` functions generate 2-D classification
  datasets (moons, circles, xor, spiral, blobs) from a seed, for
  playground-style lessons.

Every generator takes ``seed`` and uses its own NumPy ``Generator``, so results
do not depend on (or disturb) the global random state.

>>> from tfedu import data
>>> x, y = data.make_toy("xor", n_samples=4, noise=0.0, seed=0)
>>> x.shape, y.shape, x.dtype, y.dtype
((4, 2), (4,), dtype('float32'), dtype('int64'))
"""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

__all__ = [
    "DATA_DIR",
    "DataFileError",
    "load_digits",
    "train_test_split",
    "make_toy",
    "make_moons",
    "make_circles",
    "make_xor",
    "make_spiral",
    "make_blobs",
    "TOY_DATASETS",
]

#: Folder holding the shipped data files. Set the ``TFEDU_DATA_DIR``
#: environment variable to use another folder.
DATA_DIR = Path(os.environ.get("TFEDU_DATA_DIR", Path(__file__).resolve().parent.parent / "data"))

DIGITS_FILE = "digits.npz"
DIGITS_COUNT = 1797


class DataFileError(OSError):
    """A shipped data file is missing or does not hold what it should."""


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise DataFileError(
            f"Data file not found: {path}. It ships with the course in the data/ folder; "
            "restore it with `git checkout -- data/` (or set TFEDU_DATA_DIR to the folder "
            "that holds it)."
        )


def load_digits(*, normalize: bool = True, flatten: bool = False, path: str | os.PathLike | None = None):
    """Load the 1,797 handwritten digits (8x8 grey images) shipped in ``data/digits.npz``.

    Returns ``(images, labels)``. ``images`` has shape ``(1797, 8, 8)``, or
    ``(1797, 64)`` with ``flatten=True``; with ``normalize=True`` (default) it
    is ``float32`` in ``[0, 1]``, otherwise the raw ``uint8`` values 0..16.
    ``labels`` is ``int64`` with the digit 0..9.

    Source: UCI "Optical Recognition of Handwritten Digits" (see ``data/README.md``).

    >>> images, labels = load_digits()
    >>> images.shape, images.dtype, float(images.max()), labels[:5].tolist()
    ((1797, 8, 8), dtype('float32'), 1.0, [0, 1, 2, 3, 4])
    >>> load_digits(flatten=True, normalize=False)[0].shape
    (1797, 64)
    """
    file = Path(path) if path is not None else DATA_DIR / DIGITS_FILE
    _check_file(file)
    try:
        with np.load(file, allow_pickle=False) as archive:
            images = archive["images"]
            labels = archive["labels"]
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise DataFileError(
            f"Could not read {file}: {error}. The file is corrupt or not the digits archive; "
            "restore it with `git checkout -- data/` or recreate it with data/make_digits.py."
        ) from error

    problems = []
    if images.shape != (DIGITS_COUNT, 8, 8) or images.dtype != np.uint8:
        problems.append(f"images is {images.dtype} {images.shape}, expected uint8 ({DIGITS_COUNT}, 8, 8)")
    if labels.shape != (DIGITS_COUNT,) or labels.dtype != np.uint8:
        problems.append(f"labels is {labels.dtype} {labels.shape}, expected uint8 ({DIGITS_COUNT},)")
    if not problems and (images.max() > 16 or labels.max() > 9):
        problems.append("values out of range (pixels must be 0..16, labels 0..9)")
    if problems:
        raise DataFileError(
            f"{file} does not hold the expected digits: {'; '.join(problems)}. "
            "Restore it with `git checkout -- data/` or recreate it with data/make_digits.py."
        )

    x = images.astype(np.float32) / 16.0 if normalize else images
    if flatten:
        x = x.reshape(len(x), -1)
    return x, labels.astype(np.int64)


def train_test_split(x, y, *, test_fraction: float = 0.2, seed: int = 0):
    """Shuffle ``x`` and ``y`` together and split off a test set.

    Returns ``(x_train, y_train), (x_test, y_test)``, the same shape of result
    as ``keras.datasets.mnist.load_data()``.

    >>> x = np.arange(10).reshape(10, 1); y = np.arange(10)
    >>> (x_train, y_train), (x_test, y_test) = train_test_split(x, y, test_fraction=0.3)
    >>> len(x_train), len(x_test), sorted(y_train.tolist() + y_test.tolist()) == list(range(10))
    (7, 3, True)
    """
    x = np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}.")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1 (exclusive), got {test_fraction}.")
    n_test = int(round(len(x) * test_fraction))
    if n_test == 0 or n_test == len(x):
        raise ValueError(
            f"test_fraction={test_fraction} of {len(x)} samples leaves an empty train or test set; "
            "use more samples or another fraction."
        )
    order = np.random.default_rng(seed).permutation(len(x))
    test, train = order[:n_test], order[n_test:]
    return (x[train], y[train]), (x[test], y[test])


# --- toy 2-D datasets ------------------------------------------------------------------

def _check_toy_args(n_samples, noise, n_classes=2):
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
        raise TypeError(f"n_samples must be an int, got {type(n_samples).__name__}.")
    if n_samples < n_classes:
        raise ValueError(f"n_samples must be at least {n_classes} (one per class), got {n_samples}.")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise}.")


def _split_counts(n_samples, n_classes):
    counts = np.full(n_classes, n_samples // n_classes)
    counts[: n_samples % n_classes] += 1
    return counts


def _finish(rng, points, labels, noise):
    points = points + rng.normal(scale=noise, size=points.shape) if noise else points
    order = rng.permutation(len(points))
    return points[order].astype(np.float32), labels[order].astype(np.int64)


def make_moons(n_samples: int = 200, *, noise: float = 0.1, seed: int = 0):
    """Two interleaving half circles; labels 0 and 1.

    >>> x, y = make_moons(100, seed=1)
    >>> x.shape, int(y.sum())
    ((100, 2), 50)
    """
    _check_toy_args(n_samples, noise)
    rng = np.random.default_rng(seed)
    n0, n1 = _split_counts(n_samples, 2)
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    labels = np.repeat([0, 1], [n0, n1])
    return _finish(rng, np.concatenate([upper, lower]), labels, noise)


def make_circles(n_samples: int = 200, *, noise: float = 0.05, factor: float = 0.5, seed: int = 0):
    """A small circle (label 1) inside a large one (label 0); ``factor`` is the radius ratio.

    >>> x, y = make_circles(8, noise=0.0, factor=0.5)
    >>> sorted(set(np.round(np.hypot(x[:, 0], x[:, 1]), 3).tolist()))
    [0.5, 1.0]
    """
    _check_toy_args(n_samples, noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be between 0 and 1 (inner radius / outer radius), got {factor}.")
    rng = np.random.default_rng(seed)
    n0, n1 = _split_counts(n_samples, 2)
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    outer = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    inner = factor * np.stack([np.cos(t1), np.sin(t1)], axis=1)
    labels = np.repeat([0, 1], [n0, n1])
    return _finish(rng, np.concatenate([outer, inner]), labels, noise)


def make_xor(n_samples: int = 200, *, noise: float = 0.0, seed: int = 0):
    """Points uniform in the square [-1, 1]^2; label 1 where x and y have opposite signs.

    >>> x, y = make_xor(200, seed=0)
    >>> bool(np.all(y == (x[:, 0] * x[:, 1] < 0)))
    True
    """
    _check_toy_args(n_samples, noise)
    rng = np.random.default_rng(seed)
    points = rng.uniform(-1, 1, size=(n_samples, 2))
    # keep points off the axes so that the label is unambiguous
    points += np.where(points >= 0, 0.05, -0.05)
    labels = (points[:, 0] * points[:, 1] < 0).astype(np.int64)
    noisy = points + rng.normal(scale=noise, size=points.shape) if noise else points
    return noisy.astype(np.float32), labels


def make_spiral(n_samples: int = 200, *, noise: float = 0.03, n_classes: int = 2, turns: float = 1.5, seed: int = 0):
    """``n_classes`` interleaved spiral arms; labels 0..n_classes-1.

    >>> x, y = make_spiral(90, n_classes=3, noise=0.0)
    >>> np.bincount(y).tolist()
    [30, 30, 30]
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"n_classes must be an int >= 2, got {n_classes!r}.")
    _check_toy_args(n_samples, noise, n_classes)
    if turns <= 0:
        raise ValueError(f"turns must be > 0, got {turns}.")
    rng = np.random.default_rng(seed)
    parts, labels = [], []
    for k, count in enumerate(_split_counts(n_samples, n_classes)):
        radius = np.linspace(0.05, 1.0, count)
        angle = 2 * np.pi * (turns * radius + k / n_classes)
        parts.append(np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1))
        labels.append(np.full(count, k))
    return _finish(rng, np.concatenate(parts), np.concatenate(labels), noise)


def make_blobs(n_samples: int = 200, *, noise: float = 0.3, n_classes: int = 3, radius: float = 1.5, seed: int = 0):
    """Gaussian blobs (standard deviation ``noise``) centred evenly on a circle of ``radius``.

    >>> x, y = make_blobs(300, n_classes=3, noise=0.1)
    >>> [round(float(np.hypot(*x[y == k].mean(axis=0))), 1) for k in range(3)]
    [1.5, 1.5, 1.5]
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"n_classes must be an int >= 1, got {n_classes!r}.")
    _check_toy_args(n_samples, noise, n_classes)
    rng = np.random.default_rng(seed)
    counts = _split_counts(n_samples, n_classes)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    points = np.repeat(centres, counts, axis=0)
    labels = np.repeat(np.arange(n_classes), counts)
    return _finish(rng, points, labels, noise)


TOY_DATASETS = {
    "moons": make_moons,
    "circles": make_circles,
    "xor": make_xor,
    "spiral": make_spiral,
    "blobs": make_blobs,
}


def make_toy(name: str, n_samples: int = 200, **kwargs):
    """Generate the toy dataset called ``name`` (one of :data:`TOY_DATASETS`).

    Keyword arguments go to the generator (``noise``, ``seed``, ...).
    Returns ``(x, y)``: ``float32`` points of shape ``(n_samples, 2)`` and
    ``int64`` labels.

    >>> x, y = make_toy("moons", 10, seed=3)
    >>> x.shape
    (10, 2)
    >>> make_toy("moon")
    Traceback (most recent call last):
    ...
    ValueError: Unknown toy dataset 'moon'. Choose one of: moons, circles, xor, spiral, blobs.
    """
    try:
        generator = TOY_DATASETS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown toy dataset {name!r}. Choose one of: {', '.join(TOY_DATASETS)}."
        ) from None
    return generator(n_samples, **kwargs)
