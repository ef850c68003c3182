"""IDX reader/writer: round trips, the byte layout, and every kind of broken file."""

import gzip
import struct
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_mlp.data import IDXFormatError, read_idx, write_idx
from autograd_mlp.data.idx import parse_idx

SAMPLE = Path(__file__).resolve().parent.parent / "autograd_mlp" / "data" / "mnist_sample"

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


def header(code: int, dims: tuple) -> bytes:
    return bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)


# --- round trips ----------------------------------------------------------------------------------


@st.composite
def idx_arrays(draw):
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5))
    # Big-endian inputs too: the writer must handle any byte order.
    dtype = np.dtype(dtype).newbyteorder(draw(st.sampled_from(["<", ">", "="])))
    return draw(hnp.arrays(dtype, shape))


@settings(max_examples=60, deadline=None)
@given(array=idx_arrays(), compress=st.booleans())
def test_round_trip(array, compress):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("a.idx.gz" if compress else "a.idx")
        write_idx(path, array)
        back = read_idx(path)
        assert (path.read_bytes()[:2] == b"\x1f\x8b") == compress
        assert [p.name for p in Path(tmp).iterdir()] == [path.name]  # no temp file left
    assert back.shape == array.shape
    assert back.dtype == array.dtype.newbyteorder("=")
    assert back.dtype.isnative
    np.testing.assert_array_equal(back, array)  # NaNs compare equal here


def test_layout_is_big_endian(tmp_path):
    path = write_idx(tmp_path / "x", np.array([[1, 256]], dtype=np.int32))
    assert path.read_bytes() == header(0x0C, (1, 2)) + bytes([0, 0, 0, 1, 0, 0, 1, 0])


def test_gzip_detected_by_content_not_name(tmp_path):
    data = header(0x08, (3,)) + bytes([1, 2, 3])
    (tmp_path / "raw.gz").write_bytes(data)  # misleading name, raw content
    (tmp_path / "packed").write_bytes(gzip.compress(data))  # gzip without .gz
    np.testing.assert_array_equal(read_idx(tmp_path / "raw.gz"), [1, 2, 3])
    np.testing.assert_array_equal(read_idx(tmp_path / "packed"), [1, 2, 3])


def test_write_rejects_unsupported_dtype(tmp_path):
    with pytest.raises(TypeError, match="int64"):
        write_idx(tmp_path / "x", np.zeros(3, dtype=np.int64))
    with pytest.raises(ValueError, match="dimensions"):
        write_idx(tmp_path / "x", np.uint8(3))
    assert list(tmp_path.iterdir()) == []


def test_write_replaces_existing_file(tmp_path):
    path = tmp_path / "x.gz"
    write_idx(path, np.zeros(5, np.uint8))
    write_idx(path, np.ones(2, np.uint8))
    np.testing.assert_array_equal(read_idx(path), [1, 1])


# --- the shipped real sample ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, shape",
    [
        ("train-images-idx3-ubyte.gz", (8000, 28, 28)),
        ("train-labels-idx1-ubyte.gz", (8000,)),
        ("t10k-images-idx3-ubyte.gz", (2000, 28, 28)),
        ("t10k-labels-idx1-ubyte.gz", (2000,)),
    ],
)
def test_reads_shipped_sample(name, shape):
    array = read_idx(SAMPLE / name)
    assert array.shape == shape and array.dtype == np.uint8


# --- corrupt files --------------------------------------------------------------------------------

GOOD = header(0x08, (2, 3)) + bytes(range(6))
GOOD_GZ = gzip.compress(GOOD)

CORRUPT = {
    # name: (file bytes, words the message must contain)
    "bad-magic": (b"\x01\x00" + GOOD[2:], ["magic", "00 00", "01 00"]),
    "text-file": (b"hello world, not idx", ["magic"]),
    "unknown-dtype": (bytes([0, 0, 0x0A, 1, 0, 0, 0, 1, 0]), ["dtype", "0x0A"]),
    "zero-dims": (bytes([0, 0, 0x08, 0]), ["0 dimensions"]),
    "too-short": (b"\x00\x00", ["expected at least 4 bytes, got 2"]),
    "truncated-header": (GOOD[:9], ["truncated IDX header", "12", "got 9"]),
    "truncated-payload": (GOOD[:-2], ["truncated", "need 6 bytes", "got 4"]),
    "extra-bytes": (GOOD + b"\x00", ["extra bytes", "need 6 bytes", "got 7"]),
    "wrong-dims": (header(0x08, (3, 3)) + bytes(6), ["truncated", "(3, 3)", "need 9", "got 6"]),
    "wrong-itemsize": (header(0x0C, (2, 3)) + bytes(6), ["int32", "need 24", "got 6"]),
    "empty-gz": (b"\x1f\x8b", ["gzip"]),
    "truncated-gz": (GOOD_GZ[: len(GOOD_GZ) // 2], ["gzip"]),
    "corrupt-gz": (GOOD_GZ[:10] + bytes(b ^ 0xFF for b in GOOD_GZ[10:-8]) + GOOD_GZ[-8:], ["gzip"]),
    "gz-of-truncated": (gzip.compress(GOOD[:-1]), ["truncated", "got 5"]),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_corrupt_file_raises_clear_error(tmp_path, case):
    data, words = CORRUPT[case]
    path = tmp_path / f"{case}-idx-file"
    path.write_bytes(data)
    with pytest.raises(IDXFormatError) as info:
        read_idx(path)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert str(path) in message
    for word in words:
        assert word in message, (word, message)


def test_parse_idx_names_source():
    with pytest.raises(ValueError, match="<mine>: bad IDX magic"):
        parse_idx(b"\xff\xff\x08\x01", name="<mine>")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope")
