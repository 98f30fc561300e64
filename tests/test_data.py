"""Tests of nnlab.data: synthetic sets, the shipped digits, IDX/MNIST files, preprocessing, batches."""

from __future__ import annotations

import gzip
import hashlib
import re
import socket
from pathlib import Path

import numpy as np
import pytest

import nnlab.data as data
from nnlab.data.preprocessing import _allocate

DIGITS_SHA256 = "b3b9c8cc11d765ce4264d8748bf3edbafa5038d91c93cf713ddbd6ae8652b410"
DIGITS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
DATA_DIR = Path(data.__file__).parent

CLASSIFICATION_SETS = [
    (data.make_xor, 2), (data.make_moons, 2), (data.make_circles, 2), (data.make_spirals, 3),
]
ALL_SETS = [maker for maker, _ in CLASSIFICATION_SETS] + [data.make_sine]


def rng(seed=0):
    return np.random.default_rng(seed)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("nnlab.data tried to use the network")
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# ---------------------------------------------------------------- synthetic sets

@pytest.mark.parametrize("maker, n_classes", CLASSIFICATION_SETS)
@pytest.mark.parametrize("n", [7, 100])
def test_classification_sets_shapes_dtypes_and_balance(maker, n_classes, n):
    X, y = maker(n, rng=rng())
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=n_classes)
    assert len(counts) == n_classes and counts.sum() == n
    assert counts.max() - counts.min() <= 1
    assert np.isfinite(X).all()


def test_sine_shapes_and_values():
    X, y = data.make_sine(50, rng=rng(), noise=0.0)
    assert X.shape == (50, 1) and y.shape == (50, 1)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert np.all(np.abs(X) <= np.pi)
    np.testing.assert_allclose(y, np.sin(X))
    _, y_noisy = data.make_sine(2000, rng=rng(), noise=0.1)
    X2, _ = data.make_sine(2000, rng=rng(), noise=0.1)
    assert 0.08 < np.std(y_noisy - np.sin(X2)) < 0.12


@pytest.mark.parametrize("maker", ALL_SETS)
def test_same_seed_same_set_other_seed_other_set(maker):
    X1, y1 = maker(60, rng=rng(1))
    X2, y2 = maker(60, rng=rng(1))
    X3, _ = maker(60, rng=rng(2))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("maker", ALL_SETS)
def test_global_numpy_rng_is_never_used(maker):
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    maker(30, rng=rng())
    np.testing.assert_array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("maker", [maker for maker, _ in CLASSIFICATION_SETS])
def test_rows_come_shuffled(maker):
    _, y1 = maker(200, rng=rng(1))
    _, y2 = maker(200, rng=rng(2))
    assert not np.all(np.diff(y1) >= 0)          # not sorted by class
    assert not np.array_equal(y1, y2)            # the order of the classes is random too


def test_xor_without_noise_is_the_truth_table():
    X, y = data.make_xor(8, rng=rng(), noise=0.0)
    assert set(map(tuple, X.astype(int))) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    np.testing.assert_array_equal(y, X[:, 0].astype(int) ^ X[:, 1].astype(int))


def test_moons_and_circles_without_noise_lie_on_their_curves():
    X, y = data.make_moons(101, rng=rng(), noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12
    X, y = data.make_circles(100, rng=rng(), noise=0.0, factor=0.3)
    np.testing.assert_allclose(np.hypot(*X.T), np.where(y == 0, 1.0, 0.3))


def test_spirals_arms_and_radius():
    X, y = data.make_spirals(300, rng=rng(), n_classes=5, noise=0.0)
    assert set(np.unique(y)) == set(range(5))
    assert np.hypot(*X.T).max() <= 1.0 + 1e-12
    r = np.hypot(*X.T)
    theta = np.arctan2(X[:, 0], X[:, 1])       # (r sin θ, r cos θ)
    far = r > 0.1
    expected = 4.0 * y + 4.0 * r
    np.testing.assert_allclose(np.cos(theta[far]), np.cos(expected[far]), atol=1e-9)


@pytest.mark.parametrize("maker", ALL_SETS)
def test_synthetic_error_messages(maker):
    name = maker.__name__
    with pytest.raises(TypeError, match=rf"nnlab\.data\.{name}: rng must be a numpy Generator, got NoneType None\. Hint: "):
        maker(10, rng=None)
    with pytest.raises(TypeError, match="rng must be a numpy Generator, got int 0"):
        maker(10, rng=0)
    with pytest.raises(ValueError, match=rf"nnlab\.data\.{name}: n must be ≥ \d+, got 0\."):
        maker(0, rng=rng())
    with pytest.raises(TypeError, match="n must be a whole number, got float 2.5"):
        maker(2.5, rng=rng())
    with pytest.raises(ValueError, match=r"noise must lie in \[0.0, ∞\), got -0.1\."):
        maker(10, rng=rng(), noise=-0.1)
    with pytest.raises(TypeError, match="noise must be a number"):
        maker(10, rng=rng(), noise="0.1")


def test_synthetic_specific_errors():
    with pytest.raises(ValueError, match=r"make_circles: factor must lie in \(0.0, 1.0\), got 1.5\."):
        data.make_circles(10, rng=rng(), factor=1.5)
    with pytest.raises(ValueError, match=r"make_spirals: n_classes must be ≥ 2, got 1\."):
        data.make_spirals(10, rng=rng(), n_classes=1)
    with pytest.raises(ValueError, match=r"make_spirals: n must be ≥ 4, got 3\."):
        data.make_spirals(3, rng=rng(), n_classes=4)
    with pytest.raises(ValueError, match=r"make_xor: n must be ≥ 4, got 3\."):
        data.make_xor(3, rng=rng())


# ---------------------------------------------------------------- the shipped digits

def test_digits_file_checksum_matches_provenance_note():
    digest = hashlib.sha256((DATA_DIR / "digits.npz").read_bytes()).hexdigest()
    assert digest == DIGITS_SHA256
    note = (DATA_DIR / "DIGITS.md").read_text(encoding="utf-8")
    assert DIGITS_SHA256 in note
    assert "CC BY 4.0" in note and "Alpaydin" in note and "10.24432/C50P49" in note
    assert f"{(DATA_DIR / 'digits.npz').stat().st_size} bytes" in note


def test_digits_file_contents():
    with np.load(DATA_DIR / "digits.npz") as archive:
        assert sorted(archive.files) == ["images", "labels"]
        assert archive["images"].dtype == np.uint8 and archive["images"].shape == (1797, 8, 8)
        assert archive["labels"].dtype == np.uint8 and archive["labels"].shape == (1797,)
        assert archive["images"].max() == 16


def test_load_digits_offline(no_network):
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(X * 16, np.round(X * 16))     # counts 0..16, divided by 16
    counts = np.bincount(y)
    assert len(counts) == 10 and counts.sum() == 1797
    assert counts.tolist() == DIGITS_COUNTS
    # golden values: the first row of the UCI test set (a 0) and the total ink
    assert y[:10].tolist() == list(range(10))
    assert (X[0] * 16).astype(int).reshape(8, 8).tolist() == [
        [0, 0, 5, 13, 9, 1, 0, 0], [0, 0, 13, 15, 10, 15, 5, 0], [0, 3, 15, 2, 0, 11, 8, 0],
        [0, 4, 12, 0, 0, 8, 8, 0], [0, 5, 8, 0, 0, 9, 8, 0], [0, 4, 11, 0, 1, 12, 7, 0],
        [0, 2, 14, 5, 10, 12, 0, 0], [0, 0, 6, 13, 10, 0, 0, 0]]
    assert round(X.sum() * 16) == 561718


def test_load_digits_images_and_fresh_arrays():
    images, y_images = data.load_digits(return_images=True)
    assert images.shape == (1797, 8, 8)
    X, y = data.load_digits()
    np.testing.assert_array_equal(images.reshape(1797, 64), X)
    np.testing.assert_array_equal(y, y_images)
    X[:] = -1.0
    y[:] = -1
    X_again, y_again = data.load_digits()
    assert X_again.min() == 0.0 and y_again.min() == 0


def test_load_digits_rejects_non_flag():
    with pytest.raises(TypeError, match=r"nnlab\.data\.load_digits: return_images must be True or False, got str 'yes'\."):
        data.load_digits(return_images="yes")


def test_digits_are_declared_as_package_data():
    tomllib = pytest.importorskip("tomllib")
    pyproject = tomllib.loads((DATA_DIR.parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["nnlab.data"]
    assert "*.npz" in patterns and "*.md" in patterns


# ---------------------------------------------------------------- IDX files and MNIST

def test_load_idx_reads_a_hand_made_file(tmp_path):
    # magic 00 00 08 02, dims 2 and 3 (big-endian uint32), then 6 bytes
    raw = bytes([0, 0, 0x08, 2]) + (2).to_bytes(4, "big") + (3).to_bytes(4, "big") + bytes(range(6))
    (tmp_path / "a-idx2-ubyte").write_bytes(raw)
    a = data.load_idx(tmp_path / "a-idx2-ubyte")
    np.testing.assert_array_equal(a, [[0, 1, 2], [3, 4, 5]])
    assert a.dtype == np.uint8 and a.flags.writeable
    # int16, big-endian: 0x0102 = 258 and 0xFFFF = -1
    raw = bytes([0, 0, 0x0B, 1]) + (2).to_bytes(4, "big") + bytes([1, 2, 0xFF, 0xFF])
    (tmp_path / "b").write_bytes(raw)
    np.testing.assert_array_equal(data.load_idx(str(tmp_path / "b")), [258, -1])


def test_save_idx_writes_the_standard_header(tmp_path):
    data.save_idx(tmp_path / "x", np.arange(6, dtype=np.uint8).reshape(2, 3))
    raw = (tmp_path / "x").read_bytes()
    assert raw == bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 3, 4, 5])
    data.save_idx(tmp_path / "f", np.array([1.5], dtype=np.float64))
    assert (tmp_path / "f").read_bytes() == bytes([0, 0, 0x0E, 1, 0, 0, 0, 1]) + np.array([1.5], ">f8").tobytes()


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, dtype, suffix):
    values = (rng().standard_normal((4, 3, 5)) * 50).astype(dtype)
    path = data.save_idx(tmp_path / f"values-idx3{suffix}", values)
    if suffix:
        assert path.read_bytes()[:2] == b"\x1f\x8b"              # really gzip
        assert gzip.decompress(path.read_bytes())[2] in (8, 9, 0x0B, 0x0C, 0x0D, 0x0E)
    back = data.load_idx(path)
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative
    np.testing.assert_array_equal(back, values)


def test_idx_round_trip_of_big_endian_and_non_contiguous_input(tmp_path):
    values = np.arange(12, dtype=">i4").reshape(3, 4)[:, ::2]
    back = data.load_idx(data.save_idx(tmp_path / "v", values))
    np.testing.assert_array_equal(back, values)


def test_gzip_is_recognised_by_content_not_name(tmp_path):
    data.save_idx(tmp_path / "v.gz", np.arange(5, dtype=np.uint8))
    (tmp_path / "v.gz").rename(tmp_path / "plain-name")
    np.testing.assert_array_equal(data.load_idx(tmp_path / "plain-name"), np.arange(5))


def test_load_idx_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nnlab\.data\.load_idx: path must name an existing IDX file"):
        data.load_idx(tmp_path / "missing")
    with pytest.raises(TypeError, match="path must be a str or a pathlib.Path, got int 3"):
        data.load_idx(3)
    (tmp_path / "bad").write_bytes(b"\x89PNG\r\n\x1a\n....")
    with pytest.raises(ValueError, match=r"bad must start with an IDX magic number .*got bytes 89 50 4e 47\."):
        data.load_idx(tmp_path / "bad")
    (tmp_path / "code").write_bytes(bytes([0, 0, 0x0A, 1, 0, 0, 0, 0]))
    with pytest.raises(ValueError, match="magic number"):
        data.load_idx(tmp_path / "code")
    (tmp_path / "tiny").write_bytes(b"\x00")
    with pytest.raises(ValueError, match="magic number"):
        data.load_idx(tmp_path / "tiny")
    full = tmp_path / "full"
    data.save_idx(full, np.zeros((10, 28, 28), dtype=np.uint8))
    (tmp_path / "cut").write_bytes(full.read_bytes()[:-100])
    with pytest.raises(ValueError, match=r"cut must be 7856 bytes long .*got 7756 bytes\. Hint: the file is truncated"):
        data.load_idx(tmp_path / "cut")
    (tmp_path / "cut-header").write_bytes(full.read_bytes()[:9])
    with pytest.raises(ValueError, match="must hold 3 dimension sizes.*truncated"):
        data.load_idx(tmp_path / "cut-header")
    (tmp_path / "long").write_bytes(full.read_bytes() + b"\x00")
    with pytest.raises(ValueError, match="longer than its header says"):
        data.load_idx(tmp_path / "long")
    (tmp_path / "broken.gz").write_bytes(gzip.compress(full.read_bytes())[:-20])
    with pytest.raises(ValueError, match="broken.gz must be a complete gzip file"):
        data.load_idx(tmp_path / "broken.gz")


def test_save_idx_errors(tmp_path):
    with pytest.raises(TypeError, match=r"nnlab\.data\.save_idx: array must be of type uint8, .*got dtype int64\. Hint: convert it"):
        data.save_idx(tmp_path / "x", np.arange(3, dtype=np.int64))
    with pytest.raises(TypeError, match="got dtype bool"):
        data.save_idx(tmp_path / "x", np.array([True]))
    with pytest.raises(ValueError, match=r"array must have 1 to 255 dimensions.*got shape \(\)\."):
        data.save_idx(tmp_path / "x", np.array(3, dtype=np.uint8))
    with pytest.raises(TypeError, match="path must be a str or a pathlib.Path"):
        data.save_idx(None, np.zeros(3, dtype=np.uint8))


def write_mnist(folder: Path, prefix: str, n_images=6, n_labels=6, *, suffix="", sep="-",
                images_dtype=np.uint8, generator=None):
    generator = generator or rng()
    images = generator.integers(0, 256, size=(n_images, 28, 28)).astype(images_dtype)
    labels = generator.integers(0, 10, size=n_labels).astype(np.uint8)
    data.save_idx(folder / f"{prefix}-images{sep}idx3-ubyte{suffix}", images)
    data.save_idx(folder / f"{prefix}-labels{sep}idx1-ubyte{suffix}", labels)
    return images, labels


@pytest.mark.parametrize("kind, prefix", [("train", "train"), ("test", "t10k")])
@pytest.mark.parametrize("suffix, sep", [("", "-"), (".gz", "-"), ("", "."), (".gz", ".")])
def test_load_mnist(tmp_path, no_network, kind, prefix, suffix, sep):
    images, labels = write_mnist(tmp_path, prefix, suffix=suffix, sep=sep)
    X, y = data.load_mnist(tmp_path, kind=kind)
    assert X.shape == (6, 784) and X.dtype == np.float64
    assert y.shape == (6,) and y.dtype == np.int64
    assert 0.0 <= X.min() and X.max() <= 1.0
    np.testing.assert_allclose(X, images.reshape(6, 784) / 255.0)
    np.testing.assert_array_equal(y, labels)


def test_load_mnist_picks_the_requested_kind(tmp_path):
    train_images, _ = write_mnist(tmp_path, "train", n_images=4, n_labels=4, generator=rng(1))
    test_images, _ = write_mnist(tmp_path, "t10k", n_images=3, n_labels=3, generator=rng(2))
    np.testing.assert_allclose(data.load_mnist(str(tmp_path))[0] * 255, train_images.reshape(4, -1))
    np.testing.assert_allclose(data.load_mnist(tmp_path, "test")[0] * 255, test_images.reshape(3, -1))


def test_load_mnist_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nnlab\.data\.load_mnist: folder must be an existing folder.*never downloads"):
        data.load_mnist(tmp_path / "nowhere")
    expected_names = re.escape("train-images-idx3-ubyte, train-images-idx3-ubyte.gz, "
                               "train-images.idx3-ubyte, train-images.idx3-ubyte.gz")
    with pytest.raises(FileNotFoundError, match=rf"the MNIST train images must be in .* as one of {expected_names}, "
                                                r"got none of them\. Hint: download the four MNIST files once"):
        data.load_mnist(tmp_path)
    data.save_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((2, 28, 28), dtype=np.uint8))
    with pytest.raises(FileNotFoundError, match="the MNIST test labels must be in .*t10k-labels-idx1-ubyte"):
        data.load_mnist(tmp_path, kind="test")
    with pytest.raises(ValueError, match=r"kind must be one of 'train', 'test', got 'validation'\."):
        data.load_mnist(tmp_path, kind="validation")


def test_load_mnist_count_mismatch_and_wrong_contents(tmp_path):
    write_mnist(tmp_path, "train", n_images=5, n_labels=4)
    with pytest.raises(ValueError, match=r"must hold as many images as labels, got 5 images and 4 labels\."):
        data.load_mnist(tmp_path)
    write_mnist(tmp_path, "train", images_dtype=np.float32)
    with pytest.raises(ValueError, match="must hold uint8 images of shape \\(N, rows, cols\\), got float32"):
        data.load_mnist(tmp_path)
    write_mnist(tmp_path, "train")
    data.save_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros((6, 1), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"must hold uint8 labels of shape \(N,\)"):
        data.load_mnist(tmp_path)


# ---------------------------------------------------------------- one_hot

def test_one_hot():
    Y = data.one_hot([2, 0, 1, 2])
    np.testing.assert_array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert Y.dtype == np.float64
    Y = data.one_hot(np.array([1, 1], dtype=np.uint8), n_classes=4)
    assert Y.shape == (2, 4)
    np.testing.assert_array_equal(Y.argmax(axis=1), [1, 1])
    assert data.one_hot(np.array([], dtype=int), n_classes=3).shape == (0, 3)
    np.testing.assert_array_equal(data.one_hot(np.array([1.0, 0.0])), [[0, 1], [1, 0]])


def test_one_hot_errors():
    with pytest.raises(ValueError, match=r"nnlab\.data\.one_hot: labels in y must lie in \[0, 2\], got label 3\."):
        data.one_hot([0, 3], n_classes=3)
    with pytest.raises(ValueError, match=r"labels in y must be ≥ 0, got label -1\."):
        data.one_hot([0, -1])
    with pytest.raises(TypeError, match="y must hold integer class labels, got non-integer values"):
        data.one_hot([0.5, 1.0])
    with pytest.raises(ValueError, match=r"y must be 1-D with shape \(N,\), got shape \(2, 2\)\. Hint: .*argmax"):
        data.one_hot(np.eye(2, dtype=int))
    with pytest.raises(ValueError, match="n_classes must be ≥ 1, got 0"):
        data.one_hot([0], n_classes=0)
    with pytest.raises(ValueError, match="y must hold at least one label when n_classes is not given"):
        data.one_hot([])


# ---------------------------------------------------------------- split

def numbered(n, n_features=3):
    """X whose first column is the example's number, and y = that number (to follow rows around)."""
    X = np.zeros((n, n_features))
    X[:, 0] = np.arange(n)
    return X, np.arange(n)


@pytest.mark.parametrize("fractions", [(0.8, 0.2), (0.7, 0.15, 0.15), [0.5, 0.25, 0.25], np.array([0.6, 0.4])])
def test_split_partitions_and_keeps_pairs(fractions):
    X, y = numbered(101)
    parts = data.split(X, y, fractions, rng=rng())
    assert isinstance(parts, tuple) and len(parts) == len(fractions)
    sizes = [len(Xp) for Xp, _ in parts]
    assert sum(sizes) == 101
    assert all(abs(s - f * 101) < 1 for s, f in zip(sizes, fractions))
    ids = np.concatenate([Xp[:, 0] for Xp, _ in parts])
    np.testing.assert_array_equal(np.sort(ids), np.arange(101))       # disjoint, complete
    for Xp, yp in parts:
        np.testing.assert_array_equal(Xp[:, 0], yp)                   # rows stay with their labels
    assert not np.array_equal(ids, np.arange(101))                    # shuffled


def test_split_is_deterministic_per_seed():
    X, y = numbered(50)
    a = data.split(X, y, (0.6, 0.4), rng=rng(3))
    b = data.split(X, y, (0.6, 0.4), rng=rng(3))
    c = data.split(X, y, (0.6, 0.4), rng=rng(4))
    np.testing.assert_array_equal(a[0][1], b[0][1])
    assert not np.array_equal(a[0][1], c[0][1])


def test_allocate_uses_largest_remainders():
    np.testing.assert_array_equal(_allocate(10, np.array([0.7, 0.15, 0.15])), [7, 2, 1])
    np.testing.assert_array_equal(_allocate(1, np.array([0.7, 0.15, 0.15])), [1, 0, 0])
    np.testing.assert_array_equal(_allocate(101, np.array([0.5, 0.5])), [51, 50])


def test_stratified_split_keeps_class_proportions_exactly():
    y = np.repeat([0, 1, 2], [700, 200, 100])
    X = np.arange(1000.0)[:, None]
    parts = data.split(X, y, (0.7, 0.15, 0.15), rng=rng(), stratify=True)
    counts = [np.bincount(yp, minlength=3).tolist() for _, yp in parts]
    assert counts == [[490, 140, 70], [105, 30, 15], [105, 30, 15]]
    for Xp, yp in parts:
        np.testing.assert_array_equal(y[Xp[:, 0].astype(int)], yp)
        assert not np.all(np.diff(yp) >= 0)                           # classes mixed within a part


def test_stratified_split_on_digits_keeps_each_class_share():
    X, y = data.load_digits()
    overall = np.bincount(y) / len(y)
    for Xp, yp in data.split(X, y, (0.7, 0.15, 0.15), rng=rng(), stratify=True):
        share = np.bincount(yp, minlength=10) / len(yp)
        assert np.abs(share - overall).max() < 1.5 / len(yp) * 2


def test_split_works_for_regression_targets():
    X, y = data.make_sine(40, rng=rng())
    (Xtr, ytr), (Xte, yte) = data.split(X, y, (0.75, 0.25), rng=rng())
    assert ytr.shape == (30, 1) and yte.shape == (10, 1)
    np.testing.assert_allclose(np.sort(np.concatenate([ytr, yte]), axis=0), np.sort(y, axis=0))


def test_split_errors():
    X, y = numbered(20)
    with pytest.raises(ValueError, match=re.escape("nnlab.data.split: fractions must sum to 1, got 0.9.")):
        data.split(X, y, (0.6, 0.3), rng=rng())
    with pytest.raises(ValueError, match="fractions must be 2 or 3 numbers.*got a tuple of length 4"):
        data.split(X, y, (0.25, 0.25, 0.25, 0.25), rng=rng())
    with pytest.raises(ValueError, match="fractions must be 2 or 3 numbers.*got float 0.8"):
        data.split(X, y, 0.8, rng=rng())
    with pytest.raises(ValueError, match=r"fractions\[1\] must lie in \(0.0, 1.0\), got 0.0\."):
        data.split(X, y, (0.5, 0.0, 0.5), rng=rng())
    with pytest.raises(TypeError, match=r"nnlab\.data\.split: rng must be a numpy Generator, got NoneType"):
        data.split(X, y, (0.5, 0.5), rng=None)
    with pytest.raises(ValueError, match=r"y must have one entry per example of X, shape \(20, …\), got shape \(19,\)\."):
        data.split(X, y[:19], (0.5, 0.5), rng=rng())
    with pytest.raises(ValueError, match=r"X must be at least 2-D .*got shape \(20,\)\. Hint: .*X\[:, None\]"):
        data.split(y, y, (0.5, 0.5), rng=rng())
    with pytest.raises(TypeError, match="stratify must be True or False, got str 'yes'"):
        data.split(X, y, (0.5, 0.5), rng=rng(), stratify="yes")
    with pytest.raises(TypeError, match="y must hold integer class labels"):
        data.split(X, y + 0.5, (0.5, 0.5), rng=rng(), stratify=True)
    with pytest.raises(TypeError, match="y must be a numeric array"):
        data.split(X, np.array(["a"] * 20), (0.5, 0.5), rng=rng())
    with pytest.raises(ValueError, match=r"every part must get at least one example, got part sizes \[1, 1, 0\]"):
        data.split(X[:2], y[:2], (0.4, 0.3, 0.3), rng=rng())
    with pytest.raises(ValueError, match="X must contain only finite numbers"):
        data.split(np.full((4, 2), np.nan), np.arange(4), (0.5, 0.5), rng=rng())


# ---------------------------------------------------------------- standardize

def test_standardize_train_statistics_and_reuse():
    g = rng()
    Xtr = g.normal(5.0, 3.0, size=(200, 4))
    Xtr[:, 2] = 7.0                                         # a constant feature
    Z, mean, std = data.standardize(Xtr)
    assert Z.shape == Xtr.shape and mean.shape == (4,) and std.shape == (4,)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0)[[0, 1, 3]], 1.0)
    assert std[2] == 1.0 and np.all(Z[:, 2] == 0.0)
    Xte = g.normal(5.0, 3.0, size=(10, 4))
    Zte, mean2, std2 = data.standardize(Xte, mean, std)
    np.testing.assert_allclose(Zte, (Xte - mean) / std)
    np.testing.assert_array_equal(mean2, mean)
    np.testing.assert_array_equal(std2, std)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_standardize_keeps_dtype_and_handles_rounding_in_constant_columns(dtype):
    X = np.full((1000, 2), 0.1, dtype=dtype)   # in float64 the mean of 0.1s is off by ~1e-17, so σ ≠ 0
    X[:, 1] = np.linspace(0, 1, 1000)
    Z, mean, std = data.standardize(X)
    assert Z.dtype == dtype and mean.dtype == np.float64
    assert std[0] == 1.0 and np.abs(Z[:, 0]).max() < 1e-6


def test_standardize_errors():
    X = np.ones((5, 3))
    with pytest.raises(ValueError, match=r"nnlab\.data\.standardize: mean and std must be given together, or neither, got only mean\."):
        data.standardize(X, mean=np.zeros(3))
    with pytest.raises(ValueError, match=r"mean must have shape \(3,\), one value per feature of X, got shape \(2,\)\."):
        data.standardize(X, np.zeros(2), np.ones(3))
    with pytest.raises(ValueError, match=r"std must be > 0 for every feature, got 0.0 at index 1\."):
        data.standardize(X, np.zeros(3), np.array([1.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match=r"X must be 2-D with shape \(N, features\), got shape \(3,\)\. Hint: a single example"):
        data.standardize(np.ones(3))


# ---------------------------------------------------------------- minibatches

@pytest.mark.parametrize("batch_size", [1, 7, 10, 64, 100, 150])
def test_minibatches_cover_every_example_exactly_once(batch_size):
    X, y = numbered(100)
    batches = list(data.minibatches(X, y, batch_size, rng=rng()))
    sizes = [len(xb) for xb, _ in batches]
    assert sizes == [batch_size] * (100 // batch_size) + ([100 % batch_size] if 100 % batch_size else [])
    seen = np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(np.sort(seen), np.arange(100))
    for xb, yb in batches:
        np.testing.assert_array_equal(xb[:, 0], yb)
    if batch_size < 100:
        assert not np.array_equal(seen, np.arange(100))             # shuffled


@pytest.mark.parametrize("batch_size", [7, 10, 100])
def test_minibatches_drop_last(batch_size):
    X, y = numbered(100)
    batches = list(data.minibatches(X, y, batch_size, rng=rng(), drop_last=True))
    assert len(batches) == 100 // batch_size
    assert all(len(xb) == batch_size and len(yb) == batch_size for xb, yb in batches)
    seen = np.concatenate([yb for _, yb in batches])
    assert len(np.unique(seen)) == len(seen) == 100 - 100 % batch_size


def test_minibatches_in_order_without_shuffle():
    X, y = numbered(10)
    batches = list(data.minibatches(X, y, 4, shuffle=False))
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in batches]), np.arange(10))
    assert [len(yb) for _, yb in batches] == [4, 4, 2]


def test_minibatches_new_order_each_epoch_and_reproducible():
    X, y = numbered(50)
    r = rng(5)
    epoch1 = np.concatenate([yb for _, yb in data.minibatches(X, y, 8, rng=r)])
    epoch2 = np.concatenate([yb for _, yb in data.minibatches(X, y, 8, rng=r)])
    assert not np.array_equal(epoch1, epoch2)
    again = np.concatenate([yb for _, yb in data.minibatches(X, y, 8, rng=rng(5))])
    np.testing.assert_array_equal(epoch1, again)


def test_minibatches_order_is_drawn_when_called():
    X, y = numbered(30)
    r = rng(6)
    first = data.minibatches(X, y, 5, rng=r)
    second = data.minibatches(X, y, 5, rng=r)
    order2 = np.concatenate([yb for _, yb in second])
    order1 = np.concatenate([yb for _, yb in first])
    r_check = rng(6)
    np.testing.assert_array_equal(order1, r_check.permutation(30))
    np.testing.assert_array_equal(order2, r_check.permutation(30))


def test_minibatches_keep_dtypes_and_are_copies():
    X = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10)
    X_before, y_before = X.copy(), y.copy()
    for shuffle in (True, False):
        for xb, yb in data.minibatches(X, y, 3, rng=rng(), shuffle=shuffle):
            assert xb.dtype == np.float32 and yb.dtype == y.dtype
            assert not np.shares_memory(xb, X) and not np.shares_memory(yb, y)
            xb[:] = -1
            yb[:] = -1
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_minibatches_accept_images_and_lists():
    X = np.zeros((6, 8, 8))
    batches = list(data.minibatches(X, list(range(6)), 4, rng=rng()))
    assert batches[0][0].shape == (4, 8, 8) and batches[1][0].shape == (2, 8, 8)
    assert batches[0][1].dtype == np.int64 or batches[0][1].dtype.kind == "i"


def test_minibatches_errors_are_raised_at_call_time():
    X, y = numbered(10)
    with pytest.raises(TypeError, match=re.escape(
            "nnlab.data.minibatches: rng must be a numpy Generator when shuffle=True, got None. Hint: pass "
            "rng=np.random.default_rng(0)")) as info:
        data.minibatches(X, y, 4)                                    # no iteration needed
    assert "shuffle=False" in str(info.value)
    with pytest.raises(TypeError, match="rng must be a numpy Generator, got int 0"):
        data.minibatches(X, y, 4, rng=0)
    with pytest.raises(ValueError, match=r"batch_size must be ≥ 1, got 0\."):
        data.minibatches(X, y, 0, rng=rng())
    with pytest.raises(TypeError, match="batch_size must be a whole number, got float 4.0"):
        data.minibatches(X, y, 4.0, rng=rng())
    with pytest.raises(ValueError, match=r"batch_size must be ≤ N = 10 when drop_last=True, got 11\."):
        data.minibatches(X, y, 11, rng=rng(), drop_last=True)
    with pytest.raises(ValueError, match=r"y must have one entry per example of X"):
        data.minibatches(X, y[:-1], 4, rng=rng())
    with pytest.raises(TypeError, match="shuffle must be True or False, got str 'no'"):
        data.minibatches(X, y, 4, rng=rng(), shuffle="no")
    with pytest.raises(TypeError, match="drop_last must be True or False, got int 1"):
        data.minibatches(X, y, 4, rng=rng(), drop_last=1)
    with pytest.raises(ValueError, match=r"X must be at least 2-D.*Hint: one feature per example"):
        data.minibatches(np.arange(10.0), y, 4, rng=rng())


# ---------------------------------------------------------------- inputs are never modified

def test_nothing_passed_in_is_modified():
    g = rng()
    X = g.normal(size=(40, 3))
    X32 = X.astype(np.float32)
    y = np.arange(40) % 4
    targets = g.normal(size=(40, 1))
    mean, std = X.mean(axis=0), X.std(axis=0)
    frozen = [X, X32, y, targets, mean, std]
    for a in frozen:
        a.flags.writeable = False                                    # any write raises
    copies = [a.copy() for a in frozen]

    data.one_hot(y)
    for stratify in (False, True):
        for Xp, yp in data.split(X, y, (0.5, 0.25, 0.25), rng=g, stratify=stratify):
            assert not np.shares_memory(Xp, X) and not np.shares_memory(yp, y)
    data.split(X32, targets, (0.5, 0.5), rng=g)
    Z, m, s = data.standardize(X)
    assert not np.shares_memory(Z, X)
    Z, m, s = data.standardize(X, mean, std)
    assert not np.shares_memory(m, mean) and not np.shares_memory(s, std)
    for xb, yb in data.minibatches(X32, y, 7, rng=g):
        pass
    for xb, yb in data.minibatches(X, targets, 7, shuffle=False):
        pass

    for a, before in zip(frozen, copies):
        np.testing.assert_array_equal(a, before)
