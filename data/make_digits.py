"""Export the 8x8 handwritten digits to data/digits.npz (run once; not needed by the course).

The course never downloads anything, so the dataset is shipped in the
repository. This script recreates the file from the copy of the UCI "Optical
Recognition of Handwritten Digits" test set that scikit-learn bundles inside
its wheel (no download involved):

    python -m venv /tmp/export && /tmp/export/bin/pip install scikit-learn numpy
    /tmp/export/bin/python data/make_digits.py

It writes two arrays, compressed, with no pickled objects:
    images  uint8 (1797, 8, 8), pixel values 0..16
    labels  uint8 (1797,), digits 0..9
and prints the file's SHA-256, which data/README.md records.
"""
import hashlib
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

OUT = Path(__file__).with_name("digits.npz")


def main() -> None:
    bunch = load_digits()
    images = bunch.images.astype(np.uint8)
    labels = bunch.target.astype(np.uint8)
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert np.array_equal(images, bunch.images), "pixel values must be integers 0..16"
    np.savez_compressed(OUT, images=images, labels=labels)
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    print(f"wrote {OUT.name}: {OUT.stat().st_size} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
