"""Reading and writing IDX files, the simple array format MNIST is distributed in.

An IDX file is a header followed by the raw array, everything big-endian::

    bytes 0-1   0x00 0x00                       (magic: always zero)
    byte  2     dtype code                      (see ``IDX_DTYPES``)
    byte  3     ndim, the number of dimensions
    then ndim   uint32 sizes, one per dimension
    then        prod(sizes) items of the dtype, C order

Files are often gzip-compressed; :func:`read_idx` recognises gzip by its magic
bytes (1f 8b), never by the file name, because mirrors and distributions rename
and recompress files freely.

>>> import numpy as np, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "a-idx2-int.gz")
>>> _ = write_idx(path, np.arange(6, dtype=np.int32).reshape(2, 3))
>>> read_idx(path)
array([[0, 1, 2],
       [3, 4, 5]], dtype=int32)
"""

from __future__ import annotations

import gzip
import os
import struct
import tempfile
import zlib
from pathlib import Path
from typing import Union

import numpy as np

__all__ = ["IDX_DTYPES", "IDXFormatError", "read_idx", "parse_idx", "write_idx"]

PathLike = Union[str, "os.PathLike[str]"]

#: IDX dtype code -> numpy dtype as stored in the file (big-endian).
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# Reverse map keyed by (kind, itemsize) so that native- and big-endian arrays both match.
_CODE_FOR: dict[tuple[str, int], int] = {(dt.kind, dt.itemsize): code for code, dt in IDX_DTYPES.items()}

_GZIP_MAGIC = b"\x1f\x8b"


class IDXFormatError(ValueError):
    """A file is not a valid IDX file. The message names the file and the problem."""


def read_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file (raw or gzip-compressed) into a native-endian numpy array.

    Raises :class:`IDXFormatError` (a ``ValueError``) if the file is not valid IDX:
    bad magic, unknown dtype, truncated or over-long payload, or broken gzip.

    >>> images = read_idx("train-images-idx3-ubyte.gz")   # doctest: +SKIP
    >>> images.shape, images.dtype                         # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'))
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            # EOFError: stream cut short; BadGzipFile (an OSError) / zlib.error: corrupt data.
            raise IDXFormatError(f"{path}: not a valid gzip stream ({type(exc).__name__}: {exc})") from exc
    return parse_idx(raw, name=str(path))


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode the (already decompressed) bytes of an IDX file; ``name`` is used in errors.

    >>> parse_idx(bytes([0, 0, 0x08, 1, 0, 0, 0, 2, 7, 9]))
    array([7, 9], dtype=uint8)
    """
    if len(data) < 4:
        raise IDXFormatError(f"{name}: too short for an IDX header: expected at least 4 bytes, got {len(data)}")
    zero0, zero1, code, ndim = data[:4]
    if zero0 != 0 or zero1 != 0:
        raise IDXFormatError(
            f"{name}: bad IDX magic: expected first two bytes 00 00, got {data[:2].hex(' ')} "
            "(is this an IDX file?)"
        )
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise IDXFormatError(f"{name}: unknown IDX dtype code: expected one of {known}, got 0x{code:02X}")
    if ndim == 0:
        raise IDXFormatError(f"{name}: IDX header declares 0 dimensions: expected at least 1")

    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise IDXFormatError(
            f"{name}: truncated IDX header: {ndim} dimensions need {header_len} header bytes, "
            f"got {len(data)}"
        )
    dims = struct.unpack(f">{ndim}I", data[4:header_len])
    dtype = IDX_DTYPES[code]
    # Python ints: no overflow even for absurd headers.
    expected = int(np.prod(dims, dtype=object)) * dtype.itemsize if dims else 0
    got = len(data) - header_len
    if got != expected:
        problem = "truncated" if got < expected else "has extra bytes"
        raise IDXFormatError(
            f"{name}: IDX payload {problem}: dims {tuple(dims)} of {dtype.name} need "
            f"{expected} bytes after the {header_len}-byte header, got {got}"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_len).reshape(dims)
    # Native byte order (and a writable copy) so callers never meet '>i4' surprises.
    return array.astype(dtype.newbyteorder("="), copy=True)


def write_idx(path: PathLike, array: np.ndarray) -> Path:
    """Write ``array`` as an IDX file, gzip-compressed if ``path`` ends with ``.gz``.

    The write is atomic: data goes to a temporary file in the same folder, which
    is renamed over ``path`` only once complete, so readers never see half a file.
    Supported dtypes: uint8, int8, int16, int32, float32, float64 (any byte order).

    >>> import numpy as np, tempfile, os
    >>> p = write_idx(os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte"), np.array([3, 1], np.uint8))
    >>> p.read_bytes().hex()
    '00000801000000020301'
    """
    path = Path(path)
    array = np.asarray(array)
    code = _CODE_FOR.get((array.dtype.kind, array.dtype.itemsize))
    if code is None:
        raise TypeError(
            f"write_idx({path}): dtype {array.dtype} has no IDX code; "
            "use uint8, int8, int16, int32, float32 or float64"
        )
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"write_idx({path}): IDX needs 1 to 255 dimensions, got {array.ndim}")
    if any(d >= 2**32 for d in array.shape):
        raise ValueError(f"write_idx({path}): every dimension must be < 2**32, got shape {array.shape}")

    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = np.ascontiguousarray(array, dtype=IDX_DTYPES[code]).tobytes()

    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw_file:
            if path.name.endswith(".gz"):
                # mtime=0 and no file name in the header: identical arrays give identical bytes
                # (handy for checksums in tests).
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw_file, mtime=0) as gz:
                    gz.write(header)
                    gz.write(payload)
            else:
                raw_file.write(header)
                raw_file.write(payload)
            raw_file.flush()
            os.fsync(raw_file.fileno())
        # mkstemp makes the file private (0600); a data file should be as readable as any other.
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        # Leave nothing behind on failure (including KeyboardInterrupt).
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path
