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
import io
import math
import os
import struct
import zlib
from pathlib import Path
from typing import Protocol, Union

import numpy as np

from .. import checks
from ..files import atomic_write, open_regular_file

__all__ = ["IDX_DTYPES", "IDXFormatError", "MAX_GZIP_RATIO", "read_idx", "parse_idx", "write_idx"]

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


def read_idx(path: PathLike, *, max_bytes: int | None = None) -> np.ndarray:
    """Read an IDX file (raw or gzip-compressed) into a native-endian numpy array.

    Raises :class:`IDXFormatError` (a ``ValueError``) naming the file if it is
    not valid IDX: bad magic, unknown dtype, truncated or over-long payload,
    broken gzip, or not a regular file (a folder, device or pipe is refused
    before anything is read).

    Memory and time are bounded by the file's size: the header's dimensions
    are checked against it before anything is allocated (a gzip file may
    declare at most `MAX_GZIP_RATIO` times its size, beyond the first MiB),
    decompression streams, and a stream that inflates past the declared
    payload is refused as soon as it does. ``max_bytes`` caps the payload further.

    >>> images = read_idx("train-images-idx3-ubyte.gz")   # doctest: +SKIP
    >>> images.shape, images.dtype                         # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'))
    """
    if max_bytes is not None:
        max_bytes = checks.nonnegative_int(max_bytes, "max_bytes", who="read_idx")
    name = str(path)
    try:
        file = open_regular_file(path, what="IDX file")
    except ValueError as exc:
        raise IDXFormatError(str(exc)) from None
    with file:
        size = os.fstat(file.fileno()).st_size
        compressed = file.read(2) == _GZIP_MAGIC
        file.seek(0)
        if not compressed:
            return _read_stream(file, name, size, exact=True, max_bytes=max_bytes)
        try:
            with gzip.GzipFile(fileobj=file, mode="rb") as stream:
                return _read_stream(stream, name, size * _DEFLATE_MAX_RATIO, exact=False, max_bytes=max_bytes)
        except (OSError, EOFError, zlib.error) as exc:
            # EOFError: stream cut short; BadGzipFile (an OSError) / zlib.error: corrupt data.
            raise IDXFormatError(f"{name}: not a valid gzip stream ({type(exc).__name__}: {exc})") from None


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode the (already decompressed) bytes of an IDX file; ``name`` is used in errors.

    >>> parse_idx(bytes([0, 0, 0x08, 1, 0, 0, 0, 2, 7, 9]))
    array([7, 9], dtype=uint8)
    """
    return _read_stream(io.BytesIO(data), name, len(data), exact=True, max_bytes=None)


#: A gzip IDX file may inflate at most this many times its size (beyond the first MiB):
#: MNIST's images inflate 4.8-fold, a decompression bomb about 1000-fold.
MAX_GZIP_RATIO = 100
# Deflate's best case is 1032:1 (a 258-byte match per two bits), so a gzip file of
# n bytes can never inflate to more than about 1032 * n.
_DEFLATE_MAX_RATIO = 1032
_READ_CHUNK = 1 << 20


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def _read_up_to(stream: _Readable, n: int) -> bytes:
    """Up to ``n`` bytes: fewer only at the end of the stream."""
    parts = []
    while n > 0 and (part := stream.read(n)):
        parts.append(part)
        n -= len(part)
    return b"".join(parts)


def _read_stream(stream: _Readable, name: str, limit: int, *, exact: bool, max_bytes: int | None) -> np.ndarray:
    """Read one IDX array from ``stream``, whose whole content is exactly ``limit`` bytes
    (``exact``, a raw file) or at most ``limit`` bytes (a gzip stream)."""
    head = _read_up_to(stream, 4)
    if len(head) < 4:
        raise IDXFormatError(f"{name}: too short for an IDX header: expected at least 4 bytes, got {len(head)}")
    zero0, zero1, code, ndim = head
    if zero0 != 0 or zero1 != 0:
        raise IDXFormatError(
            f"{name}: bad IDX magic: expected first two bytes 00 00, got {head[:2].hex(' ')} "
            "(is this an IDX file?)"
        )
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise IDXFormatError(f"{name}: unknown IDX dtype code: expected one of {known}, got 0x{code:02X}")
    if ndim == 0:
        raise IDXFormatError(f"{name}: IDX header declares 0 dimensions: expected at least 1")

    header_len = 4 + 4 * ndim
    sizes = _read_up_to(stream, 4 * ndim)
    if len(sizes) < 4 * ndim:
        raise IDXFormatError(
            f"{name}: truncated IDX header: {ndim} dimensions need {header_len} header bytes, "
            f"got {4 + len(sizes)}"
        )
    dims = struct.unpack(f">{ndim}I", sizes)
    dtype = IDX_DTYPES[code]
    # Python ints: no overflow even for absurd headers.
    expected = math.prod(dims) * dtype.itemsize

    # Every check on the declared size happens before anything is allocated.
    if exact and limit - header_len != expected:
        got = limit - header_len
        problem = "truncated" if got < expected else "has extra bytes"
        raise IDXFormatError(
            f"{name}: IDX payload {problem}: dims {tuple(dims)} of {dtype.name} need "
            f"{expected} bytes after the {header_len}-byte header, got {got}"
        )
    if not exact and header_len + expected > limit:
        raise IDXFormatError(
            f"{name}: IDX header declares dims {tuple(dims)} of {dtype.name} ({expected} bytes), more than "
            f"its {limit // _DEFLATE_MAX_RATIO}-byte gzip file can hold (at most {limit} bytes): refusing to inflate it"
        )
    compressed = limit // _DEFLATE_MAX_RATIO
    if not exact and expected > max(1 << 20, MAX_GZIP_RATIO * compressed):
        raise IDXFormatError(
            f"{name}: IDX header declares dims {tuple(dims)} of {dtype.name} ({expected} bytes) from a "
            f"{compressed}-byte gzip file, over {MAX_GZIP_RATIO}-fold: refused as a likely decompression bomb "
            "(real image data compresses about 5-fold; gunzip the file to read it anyway)"
        )
    if max_bytes is not None and expected > max_bytes:
        raise IDXFormatError(
            f"{name}: IDX header declares dims {tuple(dims)} of {dtype.name} ({expected} bytes), "
            f"more than max_bytes={max_bytes}"
        )

    buffer = np.empty(expected, dtype=np.uint8)
    view = buffer.data  # a writable memoryview of the buffer
    got = 0
    while got < expected:
        part = stream.read(min(_READ_CHUNK, expected - got))
        if not part:
            break
        view[got : got + len(part)] = part
        got += len(part)
    if got == expected and stream.read(1):
        problem = "has extra bytes"
        got_text = f"more (the {'stream' if not exact else 'file'} goes on)"
    else:
        problem = "truncated" if got < expected else ""
        got_text = str(got)
    if problem:
        raise IDXFormatError(
            f"{name}: IDX payload {problem}: dims {tuple(dims)} of {dtype.name} need "
            f"{expected} bytes after the {header_len}-byte header, got {got_text}"
        )
    array = buffer.view(dtype).reshape(dims)
    # Native byte order, in place, so callers never meet '>i4' surprises.
    if not dtype.isnative:
        array = array.byteswap(inplace=True).view(dtype.newbyteorder("="))
    return array


def write_idx(path: PathLike, array: np.ndarray) -> Path:
    """Write ``array`` as an IDX file, gzip-compressed if ``path`` ends with ``.gz``.

    The write is atomic (`autograd_mlp.files.atomic_write`): readers never see half a file.
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

    with atomic_write(path) as raw_file:
        if path.name.endswith(".gz"):
            # mtime=0 and no file name in the header: identical arrays give identical bytes
            # (handy for checksums in tests).
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw_file, mtime=0) as gz:
                gz.write(header)
                gz.write(payload)
        else:
            raw_file.write(header)
            raw_file.write(payload)
    return path
