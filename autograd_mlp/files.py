"""Writing files safely: the one atomic writer every part of the library uses.

A reader (or a crash) must never see half a file: everything is written to a
temporary file in the destination's own folder (so the final rename stays on
one file system and is atomic), flushed to disk with fsync, then renamed over
the destination. The file gets the permissions a plain ``open(path, "w")``
would give it (0666 less the umask), not ``mkstemp``'s private 0600. On any
error the temporary file is removed and the destination is left as it was.

    with atomic_write("model.npz") as f:      # f is a binary file object
        np.savez(f, **arrays)
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, BinaryIO, Union

__all__ = ["atomic_write", "check_writable_path", "open_regular_file", "PathLike"]

PathLike = Union[str, "os.PathLike[str]"]


def _umask() -> int:
    # os.umask can only be read by setting it; set it straight back.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_writable_path(path: PathLike, *, what: str = "output file") -> Path:
    """``path`` as a Path, after checking that it can be written: its folder
    exists and is writable, and the path itself is not a folder.

    Raises `FileNotFoundError`, `IsADirectoryError` or `PermissionError`
    naming the path the user gave (never a hidden temporary file).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise IsADirectoryError(f"{what} {str(path)!r} is a folder; give a file name")
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot write {what} {str(path)!r}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write {what} {str(path)!r}: the folder {str(folder)!r} is not writable")
    return path


def open_regular_file(path: PathLike, *, what: str = "file") -> BinaryIO:
    """Open ``path`` for binary reading, refusing anything but a regular file.

    A folder, a device (``/dev/zero`` never ends) or a pipe (blocks until a
    writer comes) is refused with a `ValueError` naming the path, before a
    single byte is read. The open itself cannot block: O_NONBLOCK is set
    (it means nothing for a regular file), and the check is made on the
    opened descriptor, so the file cannot be swapped in between.
    """
    text = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileNotFoundError(f"cannot read {what} {text!r}: no such file") from None
    except PermissionError:
        raise PermissionError(f"cannot read {what} {text!r}: permission denied") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = (
            "a folder" if stat.S_ISDIR(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a pipe" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode)
            else "a special file"
        )
        raise ValueError(f"cannot read {what} {text!r}: it is {kind}, not a regular file")
    return os.fdopen(fd, "rb")


@contextlib.contextmanager
def atomic_write(path: PathLike, mode: str = "wb", *, encoding: str | None = None) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on a clean exit it replaces ``path`` atomically.

    ``mode`` is "wb" (default) or "w" (text, ``encoding`` defaults to UTF-8).
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write: mode must be 'wb' or 'w', got {mode!r}")
    path = check_writable_path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        if mode == "w":
            f: IO = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline="")
        else:
            f = os.fdopen(fd, "wb")
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_bytes(path: PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return the path."""
    with atomic_write(path) as f:
        f.write(data)
    return Path(path)


def write_text(path: PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically; return the path."""
    with atomic_write(path, "w", encoding=encoding) as f:
        f.write(text)
    return Path(path)


__all__ += ["write_bytes", "write_text"]
