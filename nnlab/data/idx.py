"""The IDX file format of MNIST: read (and write) the files a user already has. Never downloads.

An IDX file is a 4-byte magic number, then the dimensions, then the values, all big-endian:

    bytes 0-1   0x00 0x00
    byte  2     type of the values: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64
    byte  3     number of dimensions d
    then        d sizes, each an unsigned 32-bit integer
    then        the values, in C order (last index fastest)

A gzip-compressed file (``.gz``, recognised by its first bytes) is read the same way.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from .._validate import check_choice, describe, fail, shape_text

IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CODES = {t[1:]: code for code, t in IDX_TYPES.items()}         # "u1" -> 0x08, …
_GZIP_MAGIC = b"\x1f\x8b"

MNIST_SOURCES = ("https://yann.lecun.com/exdb/mnist/ or a mirror such as "
                 "https://ossci-datasets.s3.amazonaws.com/mnist/")


def _as_path(path, where: str) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        fail(where, "path must be a str or a pathlib.Path", describe(path), error=TypeError)
    return Path(path)


def load_idx(path) -> np.ndarray:
    """Read one IDX file (plain or gzip-compressed) into an array.

    Parameters
    ----------
    path : str or pathlib.Path
        E.g. ``"mnist/train-images-idx3-ubyte.gz"``.

    Returns
    -------
    ndarray, shape (n₁, …, n_d) as stored in the file
        In the file's value type, native byte order (uint8 for MNIST), a fresh writable array.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ValueError
        If the file is not IDX (bad magic number, unknown type code), or is truncated or too long.

    Chapter 08.
    """
    where = "nnlab.data.load_idx"
    path = _as_path(path, where)
    if not path.is_file():
        fail(where, "path must name an existing IDX file", str(path), error=FileNotFoundError)
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            fail(where, f"{path.name} must be a complete gzip file", f"a broken one ({exc})",
                 "download or copy the file again.")
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_TYPES:
        fail(where, f"{path.name} must start with an IDX magic number 00 00 TT DD "
             f"(TT one of {', '.join(f'{c:02X}' for c in IDX_TYPES)})", f"bytes {raw[:4].hex(' ')}",
             "is it an IDX file, such as train-images-idx3-ubyte?")
    dtype, ndim = np.dtype(IDX_TYPES[raw[2]]), raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        fail(where, f"{path.name} must hold {ndim} dimension sizes after the magic number",
             f"a file of {len(raw)} bytes", "the file is truncated: download or copy it again.")
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "longer than its header says"
        fail(where, f"{path.name} must be {expected} bytes long for values of shape "
             f"{shape_text(shape)} and type {dtype.newbyteorder('=')}", f"{len(raw)} bytes",
             f"the file is {problem}: download or copy it again.")
    values = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return values.astype(dtype.newbyteorder("="))


def save_idx(path, array) -> Path:
    """Write an array as an IDX file, gzip-compressed if `path` ends in ``.gz``.

    Parameters
    ----------
    path : str or pathlib.Path
        Where to write; an existing file is replaced.
    array : array_like, shape (n₁, …, n_d), d ≥ 1
        Of type uint8, int8, int16, int32, float32 or float64 (the types IDX can hold).

    Returns
    -------
    pathlib.Path
        The path written.

    Chapter 08.
    """
    where = "nnlab.data.save_idx"
    path = _as_path(path, where)
    array = np.asarray(array)
    kind = array.dtype.str[1:]                                      # "u1", "f4", … without byte order
    if kind not in _CODES:
        fail(where, "array must be of type uint8, int8, int16, int32, float32 or float64",
             f"dtype {array.dtype}", "convert it first, e.g. images.astype(np.uint8).", error=TypeError)
    if not 1 <= array.ndim <= 255 or max(array.shape) >= 2**32:
        fail(where, "array must have 1 to 255 dimensions, each smaller than 2**32",
             f"shape {shape_text(array.shape)}")
    magic = bytes([0, 0, _CODES[kind], array.ndim])
    data = (magic + np.asarray(array.shape, dtype=">u4").tobytes()
            + np.ascontiguousarray(array, dtype=">" + kind).tobytes())
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return path


def _find(folder: Path, stem: str, what: str, where: str) -> Path:
    """The file `stem` in `folder`, also as ``.gz`` or with a dot before idx (``t10k-images.idx3-ubyte``)."""
    dotted = stem.replace("-idx", ".idx")
    names = [stem, stem + ".gz", dotted, dotted + ".gz"]
    for name in names:
        if (folder / name).is_file():
            return folder / name
    fail(where, f"the MNIST {what} must be in {folder} as one of {', '.join(names)}", "none of them",
         f"download the four MNIST files once from {MNIST_SOURCES}, put them in one folder and pass "
         "that folder; nnlab never downloads anything.", error=FileNotFoundError)


def load_mnist(folder, kind: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Full MNIST (or any data set in its file layout) from the standard IDX files in `folder`.

    Looks for ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte`` (kind="train", 60000
    digits) or ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (kind="test", 10000),
    each plain or ``.gz``. The files must already be there: nnlab never downloads.

    Parameters
    ----------
    folder : str or pathlib.Path
        The folder holding the files.
    kind : {"train", "test"}

    Returns
    -------
    X : ndarray, float64, shape (N, rows·cols) — (N, 784) for MNIST
        Each image as one row, pixels scaled from 0..255 to [0, 1].
    y : ndarray, int64, shape (N,)
        The labels.

    Raises
    ------
    FileNotFoundError
        Naming the files it looked for and where to get them.
    ValueError
        If a file is not IDX, is truncated, or images and labels do not match.

    Chapter 08.
    """
    where = "nnlab.data.load_mnist"
    folder = _as_path(folder, where)
    kind = check_choice(kind, where, "kind", ("train", "test"))
    if not folder.is_dir():
        fail(where, "folder must be an existing folder holding the MNIST files", str(folder),
             f"download the four MNIST files once from {MNIST_SOURCES}; nnlab never downloads anything.",
             error=FileNotFoundError)
    prefix = "train" if kind == "train" else "t10k"
    images_path = _find(folder, f"{prefix}-images-idx3-ubyte", f"{kind} images", where)
    labels_path = _find(folder, f"{prefix}-labels-idx1-ubyte", f"{kind} labels", where)
    images, labels = load_idx(images_path), load_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3:
        fail(where, f"{images_path.name} must hold uint8 images of shape (N, rows, cols)",
             f"{images.dtype} values of shape {shape_text(images.shape)}")
    if labels.dtype != np.uint8 or labels.ndim != 1:
        fail(where, f"{labels_path.name} must hold uint8 labels of shape (N,)",
             f"{labels.dtype} values of shape {shape_text(labels.shape)}")
    if len(images) != len(labels):
        fail(where, f"{images_path.name} and {labels_path.name} must hold as many images as labels",
             f"{len(images)} images and {len(labels)} labels",
             "the two files come from different sets: check the train/t10k prefixes.")
    X = images.reshape(len(images), -1).astype(np.float64)
    X /= 255.0
    return X, labels.astype(np.int64)
