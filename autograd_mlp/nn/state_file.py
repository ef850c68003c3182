"""Saved parameters on disk: .npz archives written atomically and read defensively.

`save_state` writes name -> array as an uncompressed .npz (what `np.savez`
writes), through `autograd_mlp.files.atomic_write`. `load_state` reads one
back without trusting it: every zip member's declared size is checked
before anything is inflated, inflation goes in bounded steps and stops one
byte past the declared size, and pickles are refused from the .npy header
(they are never unpickled). `Module.save` and `Module.load` use these two.
"""

from __future__ import annotations

import io
import math
import os
import struct
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .. import checks
from ..files import atomic_write, open_regular_file

__all__ = ["save_state", "load_state", "MAX_STATE_BYTES", "MAX_STATE_RATIO", "NPY_HEADER_MAX"]


def save_state(state: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write name -> array ``state`` as an .npz archive at exactly ``path``, atomically.

    Uncompressed, so loading can check each member's size against what it
    declares. Keys must be strings; arrays must hold numbers (no pickles).
    """
    arrays = {}
    for name, value in state.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"save_state: keys must be non-empty strings (parameter names), got {type(name).__name__} {name!r}")
        array = np.asanyarray(value)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"save_state: {name!r} must hold numbers, got dtype {array.dtype}")
        arrays[name] = array
    # zipfile + write_array is what np.savez does, minus its keyword
    # arguments: a parameter named "file" would collide with savez(file, ...).
    with atomic_write(path) as f, zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
    return Path(path)


#: What `load_state` inflates at most, summed over an archive's members (override per call with max_bytes=).
MAX_STATE_BYTES = 1 << 30
#: A member over 1 MiB that claims to inflate more than this many times is taken for a
#: decompression bomb by `load_state` (real weights barely compress; np.savez stores them as they are).
MAX_STATE_RATIO = 100
#: The most bytes an .npy header takes (numpy's own read limit is 10,000).
NPY_HEADER_MAX = 10_240
_DEFLATE_MAX_RATIO = 1032  # deflate cannot do better than 1032:1
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a zip member's local header, 30 bytes


def load_state(
    path: str | os.PathLike[str], *, max_bytes: int | None = None, limits: Mapping[str, int] | None = None
) -> OrderedDict[str, Any]:
    """Read an .npz archive written by `save_state` / `Module.save` into name -> array.

    Hostile archives are refused with a `ValueError` naming the file and the
    member, before anything large is allocated: a non-regular file, members
    that are encrypted or use an unknown compression, declared sizes that
    are impossible or add up to more than ``max_bytes`` (default
    `MAX_STATE_BYTES`), a member over 1 MiB inflating more than
    `MAX_STATE_RATIO`-fold, a member that inflates past its declared size
    or fails its CRC, and pickled Python objects (never unpickled).

    ``limits`` (name -> the most bytes that member may declare, as `Module.load`
    knows from its parameters' sizes) reads only the members it names, refusing
    any that declares more (the ratio rule is then not needed); the other
    members are not inflated at all and map to None, so that their names can
    still be reported.
    """
    if max_bytes is not None:
        max_bytes = checks.nonnegative_int(max_bytes, "max_bytes", who="load_state")
    max_bytes = MAX_STATE_BYTES if max_bytes is None else max_bytes
    text = str(path)

    def refuse(problem: str) -> ValueError:
        return ValueError(f"cannot read saved state from {text!r}: {problem}")

    try:
        file = open_regular_file(path, what="saved state")
    except FileNotFoundError:
        raise FileNotFoundError(f"no saved state at {text!r}: the file does not exist") from None
    with file:
        if not zipfile.is_zipfile(file):  # else numpy guesses "pickled data" and suggests allow_pickle
            file.seek(0)
            what = "a single array (.npy)" if file.read(6) == b"\x93NUMPY" else "not a .npz (zip) archive"
            raise refuse(f"{what}, not an archive of named arrays")
        try:
            archive = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise refuse(f"not a valid .npz archive ({error})") from None
        with archive:
            members: OrderedDict[str, zipfile.ZipInfo] = OrderedDict()
            for info in archive.infolist():
                name = info.filename[: -len(".npy")] if info.filename.endswith(".npy") else info.filename
                if name in members:
                    raise refuse(f"member {info.filename!r} appears twice")
                members[name] = info
            wanted = {n for n in members if limits is None or n in limits}
            total = 0
            for name in wanted:
                _check_member(members[name], limits, refuse)
                total += members[name].file_size
            if limits is None and total > max_bytes:
                raise refuse(f"its members declare {total} bytes in all, more than max_bytes={max_bytes}")
            # Members not wanted stay unread: None keeps their names, so that a strict
            # load_state_dict still reports them as unexpected keys.
            out: OrderedDict[str, Any] = OrderedDict()
            for name, info in members.items():
                out[name] = _parse_npy(_inflate_member(file, info, refuse), info.filename, refuse) if name in wanted else None
            return out


def _check_member(info: zipfile.ZipInfo, limits: Mapping[str, int] | None, refuse: Any) -> None:
    """Refuse a member from its central-directory entry alone, before inflating anything."""
    member = repr(info.filename)
    declared, stored = info.file_size, info.compress_size
    if info.flag_bits & 0x1:
        raise refuse(f"member {member} is encrypted")
    if info.compress_type == zipfile.ZIP_STORED:
        if declared != stored:
            raise refuse(f"member {member} is stored uncompressed but declares {declared} bytes in {stored}")
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        if declared > _DEFLATE_MAX_RATIO * stored + 64:
            raise refuse(f"member {member} declares {declared} bytes from {stored} deflated bytes, which is impossible")
        if limits is None and declared > (1 << 20) and declared > MAX_STATE_RATIO * stored:
            raise refuse(
                f"member {member} would inflate {stored} bytes to {declared} "
                f"(over {MAX_STATE_RATIO}-fold): refused as a likely decompression bomb"
            )
    else:
        raise refuse(f"member {member} uses zip compression method {info.compress_type}; only stored or deflated")
    if limits is not None:
        name = info.filename[: -len(".npy")] if info.filename.endswith(".npy") else info.filename
        if declared > limits[name]:
            raise refuse(
                f"member {member} declares {declared} bytes, more than parameter {name!r} can need "
                f"({limits[name]} bytes at most)"
            )


def _inflate_member(file: BinaryIO, info: zipfile.ZipInfo, refuse: Any) -> bytearray:
    """A member's bytes, inflated in bounded steps: never more than it declares."""
    member = repr(info.filename)
    file.seek(info.header_offset)
    header = file.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise refuse(f"member {member}: broken zip local header")
    name_len, extra_len = _LOCAL_HEADER.unpack(header)[-2:]
    file.seek(name_len + extra_len, os.SEEK_CUR)
    out = bytearray()
    left = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    try:
        while left > 0:
            chunk = file.read(min(left, 1 << 20))
            if not chunk:
                raise refuse(f"member {member} is truncated")
            left -= len(chunk)
            while chunk:
                if inflater is None:
                    part, chunk = chunk, b""
                else:
                    # max_length bounds each step: one byte past the declared size is enough to refuse.
                    part = inflater.decompress(chunk, info.file_size - len(out) + 1)
                    chunk = inflater.unconsumed_tail
                out += part
                if len(out) > info.file_size:
                    raise refuse(f"member {member} inflates past its declared {info.file_size} bytes")
                if not part:
                    break
    except zlib.error as error:
        raise refuse(f"member {member} is corrupt ({error})") from None
    if len(out) != info.file_size or (inflater is not None and not inflater.eof):
        raise refuse(f"member {member} holds {len(out)} bytes, not the {info.file_size} it declares")
    if zlib.crc32(out) != info.CRC:
        raise refuse(f"member {member} fails its CRC check (the file is corrupt)")
    return out


def _parse_npy(raw: bytearray, member: str, refuse: Any) -> np.ndarray:
    """An .npy member's array, refusing pickles (allow_pickle=False, checked from the header)."""
    stream = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    except (ValueError, TypeError, SyntaxError) as error:
        raise refuse(f"member {member!r} is not an .npy array ({error})") from None
    if dtype.hasobject:
        raise refuse(f"member {member!r} holds pickled Python objects; refused (allow_pickle=False)")
    offset = stream.tell()
    need = math.prod(shape) * dtype.itemsize
    if len(raw) - offset != need:
        raise refuse(f"member {member!r}: shape {shape} of {dtype} needs {need} bytes, it holds {len(raw) - offset}")
    array = np.frombuffer(raw, dtype=dtype, count=math.prod(shape), offset=offset)
    return array.reshape(shape, order="F" if fortran else "C")
