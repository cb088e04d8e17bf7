import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from tfedu import data

ROOT = Path(__file__).resolve().parent.parent
DIGIT_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


# --- digits ---------------------------------------------------------------------------

def test_load_digits_normalized_images_and_labels():
    images, labels = data.load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.float32
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert float(images.min()) == 0.0 and float(images.max()) == 1.0
    assert np.bincount(labels).tolist() == DIGIT_COUNTS
    # the first image is a zero: a ring of ink with an empty middle
    assert labels[0] == 0
    assert images[0, 3, 3] == 0.0 and images[0, 3, 2] == 0.75  # raw pixel 12 of 16


def test_load_digits_raw_and_flat():
    raw, _ = data.load_digits(normalize=False)
    assert raw.dtype == np.uint8 and int(raw.max()) == 16
    flat, _ = data.load_digits(flatten=True)
    assert flat.shape == (1797, 64)
    normalized, _ = data.load_digits()
    np.testing.assert_array_equal(flat.reshape(-1, 8, 8), normalized)
    np.testing.assert_allclose(normalized * 16, raw)


def test_shipped_file_matches_the_checksum_in_data_readme():
    readme = (ROOT / "data" / "README.md").read_text()
    recorded = re.search(r"SHA-256[^`]*`([0-9a-f]{64})`", readme).group(1)
    actual = hashlib.sha256((ROOT / "data" / "digits.npz").read_bytes()).hexdigest()
    assert actual == recorded


def test_missing_file_names_the_path_and_the_fix(tmp_path):
    missing = tmp_path / "digits.npz"
    with pytest.raises(data.DataFileError) as caught:
        data.load_digits(path=missing)
    message = str(caught.value)
    assert str(missing) in message and "git checkout -- data/" in message


def test_corrupt_file_is_reported(tmp_path):
    bad = tmp_path / "digits.npz"
    bad.write_bytes(b"this is not a zip archive")
    with pytest.raises(data.DataFileError, match=r"Could not read .*digits\.npz.*make_digits\.py"):
        data.load_digits(path=bad)


def test_wrong_arrays_are_reported(tmp_path):
    wrong = tmp_path / "digits.npz"
    np.savez(wrong, images=np.zeros((10, 8, 8), np.uint8), labels=np.zeros(10, np.uint8))
    with pytest.raises(data.DataFileError, match=r"images is uint8 \(10, 8, 8\), expected uint8 \(1797, 8, 8\)"):
        data.load_digits(path=wrong)
    missing_key = tmp_path / "other.npz"
    np.savez(missing_key, pictures=np.zeros((1797, 8, 8), np.uint8))
    with pytest.raises(data.DataFileError, match="Could not read"):
        data.load_digits(path=missing_key)


def test_pickled_objects_are_never_loaded(tmp_path):
    sneaky = tmp_path / "digits.npz"
    np.savez(sneaky, images=np.array([{"a": 1}], dtype=object), labels=np.zeros(1, np.uint8))
    with pytest.raises(data.DataFileError, match="Could not read"):
        data.load_digits(path=sneaky)


def test_out_of_range_values_are_reported(tmp_path):
    images = np.full((1797, 8, 8), 17, np.uint8)
    bad = tmp_path / "digits.npz"
    np.savez(bad, images=images, labels=np.zeros(1797, np.uint8))
    with pytest.raises(data.DataFileError, match="values out of range"):
        data.load_digits(path=bad)


# --- train_test_split -----------------------------------------------------------------

def test_split_is_a_reproducible_partition():
    x, y = data.load_digits(flatten=True)
    (x_train, y_train), (x_test, y_test) = data.train_test_split(x, y, test_fraction=0.25, seed=1)
    assert len(x_test) == 449 and len(x_train) == 1348
    assert np.bincount(np.concatenate([y_train, y_test])).tolist() == DIGIT_COUNTS
    (_, again_y), _ = data.train_test_split(x, y, test_fraction=0.25, seed=1)
    np.testing.assert_array_equal(again_y, y_train)
    (_, other_y), _ = data.train_test_split(x, y, test_fraction=0.25, seed=2)
    assert not np.array_equal(other_y, y_train)
    # rows stay paired with their labels
    index = {row.tobytes(): label for row, label in zip(x, y)}
    assert all(index[row.tobytes()] == label for row, label in zip(x_test, y_test))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(test_fraction=0.0), r"test_fraction must be a number in \(0, 1\), got 0.0"),
        (dict(test_fraction=1.0), r"test_fraction must be a number in \(0, 1\), got 1.0"),
        (dict(test_fraction=0.01), "leaves an empty train or test set"),
    ],
)
def test_split_rejects_bad_fractions(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.train_test_split(np.zeros((10, 2)), np.zeros(10), **kwargs)


def test_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same length, got 10 and 9"):
        data.train_test_split(np.zeros((10, 2)), np.zeros(9))


# --- toy datasets ---------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(data.TOY_DATASETS))
def test_toy_datasets_shapes_dtypes_and_determinism(name):
    x, y = data.make_toy(name, 101, seed=5)
    assert x.shape == (101, 2) and x.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int64
    assert np.isfinite(x).all()
    x2, y2 = data.make_toy(name, 101, seed=5)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    x3, _ = data.make_toy(name, 101, seed=6)
    assert not np.array_equal(x, x3)


@pytest.mark.parametrize("name", ["moons", "circles", "spiral", "blobs"])
def test_toy_classes_are_balanced(name):
    _, y = data.make_toy(name, 101)
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 101


def test_toy_generators_leave_the_global_numpy_state_alone():
    np.random.seed(0)
    expected = np.random.rand()
    np.random.seed(0)
    data.make_toy("spiral", 50)
    assert np.random.rand() == expected


def test_noise_free_geometry():
    x, y = data.make_circles(40, noise=0.0, factor=0.3)
    radius = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(radius[y == 1], 0.3, atol=1e-6)
    x, y = data.make_moons(40, noise=0.0)
    upper = x[y == 0]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-6)
    x, y = data.make_xor(200, noise=0.0)
    assert (y == (x[:, 0] * x[:, 1] < 0)).all()
    assert np.abs(x).min() >= 0.05
    x, y = data.make_spiral(60, noise=0.0, n_classes=3)
    assert np.hypot(x[:, 0], x[:, 1]).max() <= 1.0 + 1e-6


def test_noise_spreads_points():
    clean, _ = data.make_blobs(300, noise=0.01)
    noisy, _ = data.make_blobs(300, noise=0.5)
    assert noisy.std() > clean.std()


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: data.make_toy("moon"), ValueError,
         "toy dataset 'moon' is not known; did you mean 'moons'[?] Choose one of: 'moons'"),
        (lambda: data.make_toy(["moons"]), TypeError, "name must be one of 'moons', .* got list"),
        (lambda: data.make_moons(1), ValueError, "n_samples must be at least 2"),
        (lambda: data.make_moons(10.0), TypeError, "n_samples must be an int, got float"),
        (lambda: data.make_moons(True), TypeError, "n_samples must be an int, got bool"),
        (lambda: data.make_moons(10, noise=-0.1), ValueError, "noise must be a number >= 0, got -0.1"),
        (lambda: data.make_moons(10, noise=float("nan")), ValueError, "noise must be a number >= 0, got nan"),
        (lambda: data.make_circles(10, factor=1.5), ValueError, r"factor must be a number in \(0, 1\), got 1.5"),
        (lambda: data.make_spiral(10, n_classes=1), ValueError, r"n_classes must be an int in \[2, 1000\], got 1"),
        (lambda: data.make_spiral(10, turns=0), ValueError, "turns must be a number > 0, got 0"),
        (lambda: data.make_blobs(2, n_classes=3), ValueError, "n_samples must be at least 3"),
    ],
)
def test_toy_errors_say_what_to_change(call, error, message):
    with pytest.raises(error, match=message):
        call()
