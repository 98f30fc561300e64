"""The real handwritten digits that ship with nnlab: 1797 images of 8×8 pixels, offline.

The UCI "Optical Recognition of Handwritten Digits" test set (Alpaydin & Kaynak, CC BY 4.0), as
copied by scikit-learn; provenance, licence and checksum in DIGITS.md beside this file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._validate import describe, fail

DIGITS_FILE = Path(__file__).with_name("digits.npz")


def load_digits(*, return_images: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The 1797 handwritten digits, pixels scaled to [0, 1], read from the package (no network).

    Each image was made by counting the ink pixels in 4×4 blocks of a 32×32 bitmap, so a raw pixel
    is a count 0..16; here it is divided by 16.

    Parameters
    ----------
    return_images : bool
        False (default): each digit is a row of 64 pixels, ready for a Dense layer.
        True: each digit is an 8×8 image, ready for ``plt.imshow(X[i], cmap="gray_r")``.

    Returns
    -------
    X : ndarray, float64, shape (1797, 64), or (1797, 8, 8) if `return_images`
        Pixel intensities in [0, 1], row by row.
    y : ndarray, int64, shape (1797,)
        The digit shown, 0 … 9 (about 180 of each).

    Examples
    --------
    >>> X, y = load_digits()
    >>> X.shape, y.shape
    ((1797, 64), (1797,))

    Chapter 08 (and the teaser of chapter 00).
    """
    if not isinstance(return_images, (bool, np.bool_)):
        fail("nnlab.data.load_digits", "return_images must be True or False", describe(return_images),
             error=TypeError)
    with np.load(DIGITS_FILE) as archive:
        images, labels = archive["images"], archive["labels"]
    X = images.astype(np.float64) / 16.0
    if not return_images:
        X = X.reshape(len(X), 64)
    return X, labels.astype(np.int64)
