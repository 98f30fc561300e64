"""Convert scikit-learn's copy of the UCI optical handwritten digits into nnlab/data/digits.npz.

Run once, by a maintainer; the package ships the result and never needs scikit-learn or a network:

    python tools/make_digits.py                       # from an installed scikit-learn
    python tools/make_digits.py path/to/digits.csv.gz # from the file itself
    python tools/make_digits.py scikit_learn-*.whl    # from a wheel (pip download --no-deps scikit-learn)

The source, sklearn/datasets/data/digits.csv.gz, has one digit per row: 64 pixel counts 0..16
(an 8×8 image, row by row) and then the label 0..9. The output holds

    images : uint8, shape (1797, 8, 8), values 0..16
    labels : uint8, shape (1797,),      values 0..9

written as a compressed .npz (the format of np.savez_compressed) with fixed timestamps, so that
the same input gives byte-for-byte the same file and the SHA-256 in nnlab/data/DIGITS.md can be
reproduced. Provenance and licence (CC BY 4.0): nnlab/data/DIGITS.md.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import io
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "sklearn/datasets/data/digits.csv.gz"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "nnlab" / "data" / "digits.npz"


def read_source(source: Path | None) -> bytes:
    """The gzipped CSV bytes, from a .csv.gz file, a scikit-learn wheel, or the installed package."""
    if source is None:
        spec = importlib.util.find_spec("sklearn")   # locate without importing scikit-learn
        if spec is None or spec.origin is None:
            raise SystemExit("make_digits: scikit-learn is not installed; pass the path of "
                             "digits.csv.gz or of a scikit-learn wheel instead.")
        source = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            return wheel.read(MEMBER)
    return source.read_bytes()


def parse(csv_gz: bytes) -> tuple[np.ndarray, np.ndarray]:
    table = np.loadtxt(io.StringIO(gzip.decompress(csv_gz).decode("ascii")), delimiter=",",
                       dtype=np.int64, ndmin=2)
    if table.shape != (1797, 65):
        raise SystemExit(f"make_digits: expected 1797 rows of 65 numbers, got shape {table.shape}.")
    pixels, labels = table[:, :64], table[:, 64]
    if pixels.min() < 0 or pixels.max() > 16 or labels.min() < 0 or labels.max() > 9:
        raise SystemExit("make_digits: pixels must lie in 0..16 and labels in 0..9.")
    return pixels.reshape(-1, 8, 8).astype(np.uint8), labels.astype(np.uint8)


def save_npz(path: Path, **arrays: np.ndarray) -> None:
    """Like np.savez_compressed, but with a fixed timestamp on every member (reproducible bytes)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            archive.writestr(member, buffer.getvalue(), compresslevel=9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path,
                        help="digits.csv.gz or a scikit-learn wheel (default: installed scikit-learn)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    args = parser.parse_args()

    csv_gz = read_source(args.source)
    images, labels = parse(csv_gz)
    save_npz(args.out, images=images, labels=labels)
    print(f"source  digits.csv.gz  sha256 {hashlib.sha256(csv_gz).hexdigest()}")
    print(f"wrote   {args.out}  {args.out.stat().st_size} bytes  "
          f"sha256 {hashlib.sha256(args.out.read_bytes()).hexdigest()}")
    print(f"classes {np.bincount(labels, minlength=10).tolist()}")


if __name__ == "__main__":
    main()
