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

import hashlib
import inspect
import os
import zipfile
from pathlib import Path

import numpy as np

from ._validate import choice, count, describe, did_you_mean, flag, number

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
    "DIGITS_SHA256",
    "MAX_TOY_SAMPLES",
]

#: Folder holding the shipped data files. Set the ``TFEDU_DATA_DIR``
#: environment variable to use another folder.
DATA_DIR = Path(os.environ.get("TFEDU_DATA_DIR", Path(__file__).resolve().parent.parent / "data"))

DIGITS_FILE = "digits.npz"
DIGITS_COUNT = 1797
#: SHA-256 of the shipped digits' content: the ``images`` bytes then the ``labels`` bytes (both
#: uint8, C order). It does not depend on how the .npz was compressed; data/README.md records it.
DIGITS_SHA256 = "87ff0c9e40dc7e2c0e34e7257799c2e3f3aec1a016363bb11cad869ec428a826"
_RESTORE = "Restore it with `git checkout -- data/` or recreate it with data/make_digits.py."
#: The largest toy dataset a generator makes (they are for plots and small models).
MAX_TOY_SAMPLES = 1_000_000


class DataFileError(OSError):
    """A shipped data file is missing or does not hold what it should."""


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise DataFileError(f"{path} is a folder; pass the file itself, e.g. path={str(path / DIGITS_FILE)!r}.")
    if not path.is_file():
        raise DataFileError(
            f"Data file not found: {path}. It ships with the course in the data/ folder; "
            "restore it with `git checkout -- data/` (or set TFEDU_DATA_DIR to the folder "
            "that holds it)."
        )


def _digits_sha256(images, labels) -> str:
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(images).tobytes())
    digest.update(np.ascontiguousarray(labels).tobytes())
    return digest.hexdigest()


def load_digits(*, normalize: bool = True, flatten: bool = False, path: str | os.PathLike | None = None):
    """Load the 1,797 handwritten digits (8x8 grey images) shipped in ``data/digits.npz``.

    Returns ``(images, labels)``. ``images`` has shape ``(1797, 8, 8)``, or
    ``(1797, 64)`` with ``flatten=True``; with ``normalize=True`` (default) it
    is ``float32`` in ``[0, 1]``, otherwise the raw ``uint8`` values 0..16.
    ``labels`` is ``int64`` with the digit 0..9.

    The content is verified against the SHA-256 of the shipped digits
    (:data:`DIGITS_SHA256`), so a file whose pixels or labels were changed
    (shuffled labels have the right shape and range) raises
    :class:`DataFileError` instead of training on wrong data. ``path`` reads a
    copy from elsewhere; it is verified the same way, because this function
    promises *the* digits (load your own data with ``np.load``).

    Source: UCI "Optical Recognition of Handwritten Digits" (see ``data/README.md``).

    >>> images, labels = load_digits()
    >>> images.shape, images.dtype, float(images.max()), labels[:5].tolist()
    ((1797, 8, 8), dtype('float32'), 1.0, [0, 1, 2, 3, 4])
    >>> load_digits(flatten=True, normalize=False)[0].shape
    (1797, 64)
    """
    normalize = flag(normalize, "normalize")
    flatten = flag(flatten, "flatten")
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str or pathlib.Path) or None for the shipped file, "
                        f"got {describe(path)}.")
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
        raise DataFileError(f"{file} does not hold the expected digits: {'; '.join(problems)}. {_RESTORE}")
    digest = _digits_sha256(images, labels)
    if digest != DIGITS_SHA256:
        raise DataFileError(
            f"{file} has the right shapes and value ranges but not the shipped digits: the SHA-256 of its "
            f"images and labels is {digest[:12]}..., expected {DIGITS_SHA256[:12]}... (were pixels or labels "
            f"changed or shuffled?). {_RESTORE}"
        )

    x = images.astype(np.float32) / 16.0 if normalize else images
    if flatten:
        x = x.reshape(len(x), -1)
    return x, labels.astype(np.int64)


def _seed(seed):
    """A seed for ``np.random.default_rng``: an int >= 0 (or None for fresh randomness)."""
    return count(seed, "seed", low=0, allow_none=True, example=0)


def train_test_split(x, y, *, test_fraction: float = 0.2, seed: int = 0):
    """Shuffle ``x`` and ``y`` together and split off a test set.

    Returns ``(x_train, y_train), (x_test, y_test)``, the same shape of result
    as ``keras.datasets.mnist.load_data()``.

    >>> x = np.arange(10).reshape(10, 1); y = np.arange(10)
    >>> (x_train, y_train), (x_test, y_test) = train_test_split(x, y, test_fraction=0.3)
    >>> len(x_train), len(x_test), sorted(y_train.tolist() + y_test.tolist()) == list(range(10))
    (7, 3, True)
    >>> train_test_split(x, y, test_fraction="0.3")
    Traceback (most recent call last):
    ...
    TypeError: test_fraction must be a number, got str '0.3'. Pass it without quotes, e.g. 0.3.
    """
    x = np.asarray(x)
    y = np.asarray(y)
    for name, array in (("x", x), ("y", y)):
        if array.ndim == 0:
            raise ValueError(f"{name} must be an array with one row per sample, got a single value "
                             f"{array.item()!r}.")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}.")
    test_fraction = number(test_fraction, "test_fraction", low=0, high=1, low_open=True, high_open=True)
    seed = _seed(seed)
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
    """-> (n_samples, noise) as int and float, after checking them."""
    n_samples = count(n_samples, "n_samples", example=200, high=MAX_TOY_SAMPLES,
                      hint="Toy datasets are for plots and small models.")
    if n_samples < n_classes:
        raise ValueError(f"n_samples must be at least {n_classes} (one per class), got {n_samples}.")
    noise = number(noise, "noise", low=0)
    return n_samples, noise


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
    n_samples, noise = _check_toy_args(n_samples, noise)
    rng = np.random.default_rng(_seed(seed))
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
    n_samples, noise = _check_toy_args(n_samples, noise)
    factor = number(factor, "factor", low=0, high=1, low_open=True, high_open=True)
    rng = np.random.default_rng(_seed(seed))
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
    n_samples, noise = _check_toy_args(n_samples, noise)
    rng = np.random.default_rng(_seed(seed))
    points = rng.uniform(-1, 1, size=(n_samples, 2))
    # keep points off the axes so that the label is unambiguous
    points += np.where(points >= 0, 0.05, -0.05)
    labels = (points[:, 0] * points[:, 1] < 0).astype(np.int64)
    noisy = points + rng.normal(scale=noise, size=points.shape) if noise else points
    return noisy.astype(np.float32), labels


def _n_classes(n_classes, low):
    return count(n_classes, "n_classes", low=low, high=1000, example=3)


def make_spiral(n_samples: int = 200, *, noise: float = 0.03, n_classes: int = 2, turns: float = 1.5, seed: int = 0):
    """``n_classes`` interleaved spiral arms; labels 0..n_classes-1.

    >>> x, y = make_spiral(90, n_classes=3, noise=0.0)
    >>> np.bincount(y).tolist()
    [30, 30, 30]
    """
    n_classes = _n_classes(n_classes, 2)
    n_samples, noise = _check_toy_args(n_samples, noise, n_classes)
    turns = number(turns, "turns", low=0, low_open=True)
    rng = np.random.default_rng(_seed(seed))
    parts, labels = [], []
    for k, count_k in enumerate(_split_counts(n_samples, n_classes)):
        radius = np.linspace(0.05, 1.0, count_k)
        angle = 2 * np.pi * (turns * radius + k / n_classes)
        parts.append(np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1))
        labels.append(np.full(count_k, k))
    return _finish(rng, np.concatenate(parts), np.concatenate(labels), noise)


def make_blobs(n_samples: int = 200, *, noise: float = 0.3, n_classes: int = 3, radius: float = 1.5, seed: int = 0):
    """Gaussian blobs (standard deviation ``noise``) centred evenly on a circle of ``radius``.

    >>> x, y = make_blobs(300, n_classes=3, noise=0.1)
    >>> [round(float(np.hypot(*x[y == k].mean(axis=0))), 1) for k in range(3)]
    [1.5, 1.5, 1.5]
    """
    n_classes = _n_classes(n_classes, 1)
    n_samples, noise = _check_toy_args(n_samples, noise, n_classes)
    radius = number(radius, "radius", low=0, low_open=True)
    rng = np.random.default_rng(_seed(seed))
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
    ValueError: toy dataset 'moon' is not known; did you mean 'moons'? Choose one of: 'moons', 'circles', ...
    """
    name = choice(name, "name", list(TOY_DATASETS), what="toy dataset")
    generator = TOY_DATASETS[name]
    accepted = [p for p in inspect.signature(generator).parameters if p != "n_samples"]
    for key in kwargs:
        if key not in accepted:
            suggestion = did_you_mean(key, accepted)
            raise TypeError(f"make_toy({name!r}) takes no argument {key!r};{suggestion or ''} "
                            f"{generator.__name__} accepts: {', '.join(accepted)}.")
    return generator(n_samples, **kwargs)
