"""MNIST and Fashion-MNIST as numpy arrays, found locally or downloaded and verified.

Quick start::

    >>> from autograd_mlp.data import load_mnist, load_mnist_splits   # doctest: +SKIP
    >>> x, y = load_mnist(normalize=True, flatten=True)                # doctest: +SKIP
    >>> x.shape, x.dtype, y.dtype                                      # doctest: +SKIP
    ((60000, 784), dtype('float32'), dtype('int64'))
    >>> train, test = load_mnist_splits()                              # doctest: +SKIP
    >>> print(train.describe())                                        # doctest: +SKIP
    MNIST train: 60000 images from cache (/home/me/.cache/autograd_mlp/mnist)

Every loader returns a :class:`DataSplit`, which unpacks like ``(images, labels)``
and also says where the data came from (``.source``, ``.location``).

Where the files are looked for, first match wins (a folder matches when it holds
every file needed, each either ``.gz`` or uncompressed, e.g.
``train-images-idx3-ubyte.gz`` and ``train-labels-idx1-ubyte.gz``):

1. ``root`` argument: ``<root>/`` then ``<root>/<name>/``               (source ``"root"``)
2. ``$AUTOGRAD_MLP_DATA``: ``<dir>/<name>/`` then ``<dir>/``             (source ``"env"``)
3. the user cache: ``$XDG_CACHE_HOME/autograd_mlp/<name>/``, else
   ``~/.cache/autograd_mlp/<name>/``                                    (source ``"cache"``)
4. Debian's ``/usr/share/datasets/<name>/``, e.g. from
   ``apt-get install dataset-fashion-mnist``                            (source ``"debian"``)
5. download from the mirrors into the cache folder, checking the upstream
   size and md5 of each file (only when ``download=True``)              (source ``"download"``)
6. MNIST only, when no download can happen: the 10,000-digit sample shipped in
   this package (8,000 train / 2,000 test), with one :class:`SampleDataWarning`
   that says why (``download=False``, no mirror reachable, or the cache folder
   cannot be written)                                                   (source ``"sample"``)

``<name>`` is ``mnist`` or ``fashion-mnist``. Local files are validated as IDX but
not checksummed, because distributions recompress them (Debian does).

Downloads are bounded: a file may not be larger than its known size (or
``MAX_DOWNLOAD_BYTES`` when its size is unknown), each attempt must finish
within ``DOWNLOAD_DEADLINE`` seconds however slowly the server sends, and
nothing is cached unless it is complete and its checksum matches.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import logging
import os
import socket
import ssl
import threading
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.client import HTTPException, IncompleteRead
from pathlib import Path
from typing import Any, Union, cast
from urllib.error import URLError
from urllib.parse import urlparse
from urllib.request import HTTPHandler, HTTPSHandler, Request, build_opener

import numpy as np

from .. import checks
from ..files import atomic_write
from .idx import IDXFormatError, read_idx

__all__ = [
    "DataSplit",
    "DatasetNotFoundError",
    "DownloadError",
    "SampleDataWarning",
    "default_cache_dir",
    "download_file",
    "load_mnist",
    "load_mnist_splits",
    "load_fashion_mnist",
    "load_fashion_mnist_splits",
]

log = logging.getLogger(__name__)

PathLike = Union[str, "os.PathLike[str]"]

# --- configuration: module-level so that tests and users can override it -----------------------

#: Environment variable naming a folder that holds datasets (see the module docstring).
DATA_ENV_VAR = "AUTOGRAD_MLP_DATA"
#: Where Debian's dataset-* packages install data.
DEBIAN_DATASETS_DIR = Path("/usr/share/datasets")
#: The small real MNIST sample shipped inside the package (see its README.md).
MNIST_SAMPLE_DIR = Path(__file__).resolve().parent / "mnist_sample"
#: Seconds to wait for a mirror to connect or send more data.
DOWNLOAD_TIMEOUT = 30.0
#: Seconds one download attempt may take in all, however slowly the server sends.
DOWNLOAD_DEADLINE = 600.0
#: The most a download whose size is not in the tables below may send.
MAX_DOWNLOAD_BYTES = 64 << 20

# Mirrors and md5 checksums as listed by torchvision (torchvision/datasets/mnist.py).
# The S3 mirror goes first: yann.lecun.com has been unreliable (it has answered 403/401).
MNIST_MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]
MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
# Sizes in bytes of the upstream files (the same files the md5 sums describe): a download
# that sends more is refused as it arrives, one that sends less is never kept.
MNIST_SIZES = {
    "train-images-idx3-ubyte.gz": 9912422,
    "train-labels-idx1-ubyte.gz": 28881,
    "t10k-images-idx3-ubyte.gz": 1648877,
    "t10k-labels-idx1-ubyte.gz": 4542,
}
FASHION_MNIST_MIRRORS = [
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
]
FASHION_MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
FASHION_MNIST_SIZES = {
    "train-images-idx3-ubyte.gz": 26421880,
    "train-labels-idx1-ubyte.gz": 29515,
    "t10k-images-idx3-ubyte.gz": 4422102,
    "t10k-labels-idx1-ubyte.gz": 5148,
}

IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10
_CHUNK = 1 << 16


@dataclass(frozen=True)
class _Spec:
    """What distinguishes one dataset from the other. Mirrors/checksums are looked up
    by name in this module at call time, so overriding the constants takes effect."""

    title: str  # for messages: "MNIST"
    name: str  # folder name: "mnist"
    mirrors_const: str
    md5_const: str
    sizes_const: str
    has_sample: bool
    install_hint: str


_MNIST = _Spec("MNIST", "mnist", "MNIST_MIRRORS", "MNIST_MD5", "MNIST_SIZES", True, "")
_FASHION = _Spec(
    "Fashion-MNIST",
    "fashion-mnist",
    "FASHION_MNIST_MIRRORS",
    "FASHION_MNIST_MD5",
    "FASHION_MNIST_SIZES",
    False,
    "on Debian/Ubuntu `sudo apt-get install dataset-fashion-mnist` (installs to "
    "/usr/share/datasets/fashion-mnist/)",
)


# --- errors and results --------------------------------------------------------------------------


class DatasetNotFoundError(FileNotFoundError):
    """The dataset is nowhere to be found and could not be downloaded."""


class DownloadError(RuntimeError):
    """A download failed. ``offline`` is True when every attempt failed to connect or
    was cut off by the network, False when a server sent bad data (wrong checksum,
    truncated body): the latter is never papered over with the offline sample."""

    def __init__(self, message: str, *, offline: bool, failures: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.offline = offline
        self.failures = list(failures)  # one "url: reason" per attempt


class _BadTransfer(Exception):
    """Internal: a transfer completed but its content is wrong (not a network failure)."""


class SampleDataWarning(UserWarning):
    """Emitted (once per load) when the shipped MNIST sample stands in for full MNIST;
    the message says why.

    ``quiet=True`` silences it when ``download=False`` was the reason (you asked
    for that); a failed download or an unwritable cache always warns. Silence
    those with ``warnings.filterwarnings("ignore", category=SampleDataWarning)``."""


@dataclass(frozen=True, eq=False, repr=False)
class DataSplit:
    """One split of a dataset plus where it came from.

    Unpacks like a pair: ``images, labels = load_mnist()``.

    Attributes:
        images: uint8 ``(N, 28, 28)``, or float32 in [0, 1] if normalized, ``(N, 784)`` if flattened.
        labels: int64 ``(N,)`` with values 0-9.
        dataset: ``"MNIST"`` or ``"Fashion-MNIST"``.
        split: ``"train"`` or ``"test"``.
        source: ``"root"``, ``"env"``, ``"cache"``, ``"debian"``, ``"download"`` or ``"sample"``.
        location: the folder the files were read from.
    """

    images: np.ndarray
    labels: np.ndarray
    dataset: str
    split: str
    source: str
    location: Path

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.images, self.labels))

    def describe(self) -> str:
        """One line for logs, e.g. ``MNIST train: 8000 images from sample (/.../mnist_sample)``."""
        return f"{self.dataset} {self.split}: {len(self.labels)} images from {self.source} ({self.location})"

    def __repr__(self) -> str:  # the default repr would print whole arrays
        return (
            f"DataSplit(dataset={self.dataset!r}, split={self.split!r}, images={self.images.dtype}"
            f"{self.images.shape}, labels={self.labels.dtype}{self.labels.shape}, source={self.source!r}, "
            f"location='{self.location}')"
        )


# --- public loaders ------------------------------------------------------------------------------


def load_mnist(
    root: PathLike | None = None,
    *,
    train: bool = True,
    normalize: bool = False,
    flatten: bool = False,
    download: bool = True,
    mirrors: str | Sequence[str] | None = None,
    timeout: float | None = None,
    quiet: bool = False,
) -> DataSplit:
    """Load the MNIST training (``train=True``) or test split.

    Args:
        root: a folder to look in first (``root/`` then ``root/mnist/``).
        train: training split (60,000 images) if True, else test split (10,000).
        normalize: float32 pixels in [0, 1] instead of uint8 0-255.
        flatten: images as ``(N, 784)`` rows instead of ``(N, 28, 28)``.
        download: allow downloading into the cache folder when nothing is found locally.
        mirrors: base URLs (http or https) to try in order, or one URL as a string
            (default ``MNIST_MIRRORS``).
        timeout: seconds to wait for a mirror to connect or send more (default ``DOWNLOAD_TIMEOUT``).
        quiet: no warning when ``download=False`` makes the shipped sample stand in.

    Returns a :class:`DataSplit`; see the module docstring for the search order.
    With nothing found and no download possible (``download=False``, no mirror
    reachable, or a cache folder that cannot be written), this returns the
    shipped 8,000/2,000-image sample and emits one :class:`SampleDataWarning`
    saying why.

    >>> x, y = load_mnist(train=False, normalize=True)     # doctest: +SKIP
    >>> x.shape, float(x.max()), y[:5]                     # doctest: +SKIP
    ((10000, 28, 28), 1.0, array([7, 2, 1, 0, 4]))
    """
    return _load(_MNIST, ("train" if train else "test",), root, normalize, flatten, download, mirrors, timeout, quiet)[0]


def load_mnist_splits(
    root: PathLike | None = None,
    *,
    normalize: bool = False,
    flatten: bool = False,
    download: bool = True,
    mirrors: str | Sequence[str] | None = None,
    timeout: float | None = None,
    quiet: bool = False,
) -> tuple[DataSplit, DataSplit]:
    """Load both MNIST splits from the same place: returns ``(train, test)``.

    Arguments as for :func:`load_mnist`.

    >>> (x_train, y_train), (x_test, y_test) = load_mnist_splits(normalize=True)   # doctest: +SKIP
    """
    train, test = _load(_MNIST, ("train", "test"), root, normalize, flatten, download, mirrors, timeout, quiet)
    return train, test


def load_fashion_mnist(
    root: PathLike | None = None,
    *,
    train: bool = True,
    normalize: bool = False,
    flatten: bool = False,
    download: bool = True,
    mirrors: str | Sequence[str] | None = None,
    timeout: float | None = None,
) -> DataSplit:
    """Load the Fashion-MNIST training (``train=True``) or test split.

    Same arguments and search order as :func:`load_mnist` (folder name
    ``fashion-mnist``), but there is no offline sample: if nothing is found and the
    download fails, :class:`DatasetNotFoundError` lists every place searched.

    >>> x, y = load_fashion_mnist(train=False)              # doctest: +SKIP
    >>> x.shape, x.dtype                                    # doctest: +SKIP
    ((10000, 28, 28), dtype('uint8'))
    """
    split = "train" if train else "test"
    return _load(_FASHION, (split,), root, normalize, flatten, download, mirrors, timeout, True)[0]


def load_fashion_mnist_splits(
    root: PathLike | None = None,
    *,
    normalize: bool = False,
    flatten: bool = False,
    download: bool = True,
    mirrors: str | Sequence[str] | None = None,
    timeout: float | None = None,
) -> tuple[DataSplit, DataSplit]:
    """Load both Fashion-MNIST splits from the same place: returns ``(train, test)``.

    >>> train, test = load_fashion_mnist_splits()           # doctest: +SKIP
    >>> len(train.labels), len(test.labels)                 # doctest: +SKIP
    (60000, 10000)
    """
    train, test = _load(_FASHION, ("train", "test"), root, normalize, flatten, download, mirrors, timeout, True)
    return train, test


def default_cache_dir(name: str = "mnist") -> Path:
    """The per-user cache folder for dataset ``name``, read from the environment at each call.

    ``$XDG_CACHE_HOME/autograd_mlp/<name>`` if that variable holds an absolute path,
    else ``~/.cache/autograd_mlp/<name>``.

    >>> default_cache_dir("fashion-mnist")         # doctest: +SKIP
    PosixPath('/home/me/.cache/autograd_mlp/fashion-mnist')
    """
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says relative values are invalid and must be ignored.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "autograd_mlp" / name


def download_file(
    filename: str,
    folder: PathLike,
    *,
    mirrors: str | Sequence[str],
    md5: str | None,
    size: int | None = None,
    timeout: float | None = None,
    deadline: float | None = None,
) -> Path:
    """Download ``filename`` from the first mirror that serves it into ``folder``.

    The body is streamed to a temporary file in ``folder`` and renamed to
    ``folder/filename`` only when complete (length matches Content-Length and
    ``size``) and its md5 equals ``md5`` (skipped if None), so a failed download
    leaves nothing behind. A body longer than ``size`` (or ``MAX_DOWNLOAD_BYTES``
    when ``size`` is None) is refused as soon as it goes past it, and each
    attempt is cut off after ``deadline`` seconds (default ``DOWNLOAD_DEADLINE``)
    however slowly the server sends. Network errors and deadlines move on to the
    next mirror; bad content (checksum or size mismatch, truncated or over-long
    body) is also retried on the next mirror but reported with
    ``DownloadError.offline == False``. ``mirrors`` may be one URL as a string.

    >>> download_file("t10k-labels-idx1-ubyte.gz", "/tmp/mnist", mirrors=MNIST_MIRRORS,
    ...               md5=MNIST_MD5["t10k-labels-idx1-ubyte.gz"])   # doctest: +SKIP
    PosixPath('/tmp/mnist/t10k-labels-idx1-ubyte.gz')
    """
    if not isinstance(filename, str) or filename in ("", ".", "..") or "/" in filename or "\\" in filename:
        # A name with a folder in it would be written outside ``folder``.
        raise ValueError(f"download_file: filename must be a plain file name, got {filename!r}")
    mirror_list = _mirror_list(mirrors, who="download_file")
    timeout = DOWNLOAD_TIMEOUT if timeout is None else checks.positive_float(timeout, "timeout", who="download_file")
    deadline = (
        DOWNLOAD_DEADLINE if deadline is None else checks.positive_float(deadline, "deadline", who="download_file")
    )
    cap = MAX_DOWNLOAD_BYTES if size is None else checks.positive_int(size, "size", who="download_file")
    folder = _writable_folder(Path(folder))
    if not mirror_list:
        raise DownloadError(f"cannot download {filename}: no mirrors configured", offline=True)
    failures: list[str] = []
    offline = True
    for mirror in mirror_list:
        url = mirror.rstrip("/") + "/" + filename
        try:
            return _fetch(url, folder / filename, md5, size, cap, timeout, deadline)
        except _BadTransfer as exc:
            offline = False
            failures.append(str(exc))
        except (URLError, HTTPException, OSError) as exc:
            # URLError covers HTTP errors and refused connections; OSError covers timeouts,
            # resets mid-body and the deadline. All mean "this mirror, now, did not work".
            reason = getattr(exc, "reason", None) or exc
            failures.append(f"{url}: {type(exc).__name__}: {reason}")
        log.info("download of %s failed (trying next mirror): %s", filename, failures[-1])
    raise DownloadError(
        f"could not download {filename} into {folder}; every mirror failed:\n  " + "\n  ".join(failures),
        offline=offline,
        failures=failures,
    )


# --- internals ------------------------------------------------------------------------------------


def _mirror_list(mirrors: str | Sequence[str], *, who: str) -> list[str]:
    """``mirrors`` as a list of http(s) URLs; one string is one mirror (never its characters)."""
    if isinstance(mirrors, str):
        mirrors = [mirrors]
    elif isinstance(mirrors, (bytes, bytearray)) or not isinstance(mirrors, Sequence):
        raise TypeError(
            f"{who}: mirrors must be a URL or a list of URLs, got {type(mirrors).__name__} {mirrors!r}"
        )
    out = []
    for mirror in mirrors:
        if not isinstance(mirror, str) or urlparse(mirror).scheme not in ("http", "https") or not urlparse(mirror).netloc:
            raise ValueError(f"{who}: each mirror must be an http:// or https:// URL, got {mirror!r}")
        out.append(mirror)
    return out


def _writable_folder(folder: Path) -> Path:
    """``folder``, created if needed, after checking a file can be written into it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # The same kind of error (FileExistsError, PermissionError, ...), naming the folder asked for.
        raise type(exc)(f"cannot create the download folder {str(folder)!r}: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"the download folder {str(folder)!r} is not writable")
    return folder


class _Deadline:
    """Shuts the sockets of one transfer down when its time is up, wherever it is waiting:
    a per-read timeout alone never fires on a server that sends one byte every half second."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shutdown(sock)

    def connection(self, base: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
        """``base`` whose sockets this deadline watches (what urllib's handlers accept)."""
        deadline = self

        class Watched(base):  # type: ignore[misc, valid-type]
            def connect(self) -> None:
                super().connect()
                deadline.watch(self.sock)

        return Watched


def _shutdown(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for an SSL socket: it wakes a blocked read at once.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _WatchedHTTP(HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: Request) -> http.client.HTTPResponse:
        return self.do_open(self._deadline.connection(http.client.HTTPConnection), req)


class _WatchedHTTPS(HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline
        self._tls = ssl.create_default_context()

    def https_open(self, req: Request) -> http.client.HTTPResponse:
        return self.do_open(self._deadline.connection(http.client.HTTPSConnection), req, context=self._tls)


def urlopen(url: str, timeout: float, deadline: _Deadline) -> http.client.HTTPResponse:
    """Open ``url`` with every socket of the transfer (redirects too) under ``deadline``.

    The one place this module opens a connection, so tests replace it to keep off the network.
    """
    response = build_opener(_WatchedHTTP(deadline), _WatchedHTTPS(deadline)).open(url, timeout=timeout)
    return cast(http.client.HTTPResponse, response)  # what the http(s) handlers return


def _fetch(
    url: str, dest: Path, md5: str | None, size: int | None, cap: int, timeout: float, seconds: float
) -> Path:
    """Stream ``url`` into a temp file beside ``dest``; rename when complete and verified."""
    log.info("downloading %s -> %s", url, dest)
    hasher = hashlib.md5(usedforsecurity=False)
    received = 0
    with _Deadline(seconds) as deadline:
        try:
            with urlopen(url, timeout, deadline) as response, atomic_write(dest) as out:
                declared = response.headers.get("Content-Length")
                if declared is not None and declared.isdigit() and int(declared) > cap:
                    raise _BadTransfer(f"{url}: Content-Length says {declared} bytes, more than the {_limit(size, cap)}")
                try:
                    # read1: one receive at a time, so the deadline is looked at as bytes arrive.
                    while chunk := response.read1(_CHUNK):
                        received += len(chunk)
                        if received > cap:
                            raise _BadTransfer(f"{url}: sent more than the {_limit(size, cap)}; refused")
                        out.write(chunk)
                        hasher.update(chunk)
                except IncompleteRead as exc:
                    if not deadline.expired:
                        raise _BadTransfer(f"{url}: truncated transfer: {exc}") from None
                if deadline.expired:
                    raise TimeoutError(f"not complete after the {seconds:g}-second deadline ({received} bytes)")
                # http.client returns a short body silently when the server closes early,
                # so the length checks are ours to do.
                if declared is not None and declared.isdigit() and received != int(declared):
                    raise _BadTransfer(
                        f"{url}: truncated transfer: Content-Length said {declared} bytes, received {received}"
                    )
                if received == 0:
                    raise _BadTransfer(f"{url}: empty response body")
                if size is not None and received != size:
                    raise _BadTransfer(f"{url}: expected {size} bytes for {dest.name}, received {received}")
                digest = hasher.hexdigest()
                if md5 is not None and digest != md5.lower():
                    raise _BadTransfer(
                        f"{url}: checksum mismatch for {dest.name}: expected md5 {md5}, got {digest}"
                    )
        except (OSError, HTTPException) as exc:
            if deadline.expired and not isinstance(exc, TimeoutError):
                raise TimeoutError(f"not complete after the {seconds:g}-second deadline ({received} bytes)") from None
            raise
    log.info("saved %s (%d bytes, md5 ok)", dest, received)
    return dest


def _limit(size: int | None, cap: int) -> str:
    return f"expected {size} bytes" if size is not None else f"limit of {cap} bytes (MAX_DOWNLOAD_BYTES)"


def _stems(split: str) -> tuple[str, str]:
    prefix = "train" if split == "train" else "t10k"
    return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"


def _find(folder: Path, stem: str) -> Path | None:
    """``folder/stem.gz`` or ``folder/stem``, whichever exists first."""
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.is_file():
            return candidate
    return None


def _candidates(spec: _Spec, root: PathLike | None) -> list[tuple[str, Path | None]]:
    """Folders to search, in order, each tagged with its source name (None: env var unset)."""
    found: list[tuple[str, Path | None]] = []
    if root is not None:
        base = Path(root).expanduser().absolute()
        found += [("root", base), ("root", base / spec.name)]
    env = os.environ.get(DATA_ENV_VAR)
    if env:
        base = Path(env).expanduser().absolute()
        found += [("env", base / spec.name), ("env", base)]
    else:
        found.append(("env", None))
    found.append(("cache", default_cache_dir(spec.name)))
    found.append(("debian", DEBIAN_DATASETS_DIR / spec.name))
    return found


@dataclass
class _Resolved:
    source: str
    folder: Path
    paths: dict[str, Path]  # stem -> file
    note: str = ""  # why we fell back to the sample, for the warning
    always: bool = False  # warn even with quiet=True (a failure, not the user's choice)


def _resolve(
    spec: _Spec,
    stems: Sequence[str],
    root: PathLike | None,
    download: bool,
    mirrors: Sequence[str] | None,
    timeout: float | None,
) -> _Resolved:
    searched: list[str] = []
    for source, folder in _candidates(spec, root):
        if folder is None:
            searched.append(f"${DATA_ENV_VAR} (env: not set)")
            continue
        paths = {stem: _find(folder, stem) for stem in stems}
        if all(paths.values()):
            return _Resolved(source, folder, paths)  # type: ignore[arg-type]
        if not folder.is_dir():
            searched.append(f"{folder} ({source}: no such folder)")
        else:
            missing = ", ".join(s for s, p in paths.items() if p is None)
            searched.append(f"{folder} ({source}: missing {missing})")

    note_always = True  # the sample notice is silenced by quiet=True only when the user chose download=False
    if download:
        cache = default_cache_dir(spec.name)
        mirror_list = _mirror_list(globals()[spec.mirrors_const] if mirrors is None else mirrors, who=f"load {spec.title}")
        checksums = globals()[spec.md5_const]
        sizes = globals()[spec.sizes_const]
        try:
            fetched: dict[str, Path] = {}
            for stem in stems:
                # Keep files already cached (e.g. train present, test wanted too).
                name = f"{stem}.gz"
                fetched[stem] = _find(cache, stem) or download_file(
                    name, cache, mirrors=mirror_list, md5=checksums.get(name), size=sizes.get(name), timeout=timeout
                )
            return _Resolved("download", cache, fetched)
        except DownloadError as exc:
            if not exc.offline:
                raise  # a server sent bad data: say so rather than quietly using less
            why = f"download failed: {exc}"
            short = f"no mirror reachable: {exc.failures[0]}" if exc.failures else "no mirrors configured"
        except OSError as exc:  # the cache folder cannot be created or written
            why = short = f"cannot download into the cache folder ({exc})"
            searched.append(f"{cache} (cache: {exc})")
    else:
        why = short = "download=False"
        note_always = False

    if spec.has_sample:
        paths = {stem: _find(MNIST_SAMPLE_DIR, stem) for stem in stems}
        if all(paths.values()):
            return _Resolved("sample", MNIST_SAMPLE_DIR, paths, note=short, always=note_always)  # type: ignore[arg-type]
        searched.append(f"{MNIST_SAMPLE_DIR} (shipped sample: missing, broken installation?)")

    files = ", ".join(f"{s}.gz" for s in stems)
    hints = [spec.install_hint] if spec.install_hint else []
    hints.append(f"put {files} in a folder and pass root=<folder> or set {DATA_ENV_VAR}=<folder>")
    if not download:
        hints.append("pass download=True to fetch it from the mirrors")
    raise DatasetNotFoundError(
        f"{spec.title} not found. Searched:\n  - "
        + "\n  - ".join(searched)
        + f"\nand {why}.\nTo get it: "
        + "; or ".join(hints)
        + "."
    )


def _load(
    spec: _Spec,
    splits: Sequence[str],
    root: PathLike | None,
    normalize: bool,
    flatten: bool,
    download: bool,
    mirrors: Sequence[str] | None,
    timeout: float | None,
    quiet: bool,
) -> list[DataSplit]:
    if root is not None and not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"load {spec.title}: root must be a folder path (str or os.PathLike), got {type(root).__name__} {root!r}")
    if timeout is not None:
        timeout = checks.positive_float(timeout, "timeout", who=f"load {spec.title}")
    # Resolve every needed file at once so that both splits come from the same folder.
    stems = [stem for split in splits for stem in _stems(split)]
    where = _resolve(spec, stems, root, download, mirrors, timeout)
    if where.source == "sample" and (where.always or not quiet):
        # One line, on purpose: it is a notice, not a traceback. stacklevel 3 = the caller of load_*.
        warnings.warn(
            f"{spec.title} not found locally ({where.note}); using the small sample shipped "
            f"with autograd_mlp ({where.folder}: 8,000 train / 2,000 test digits). For full {spec.title} pass "
            f"root=<folder> or set {DATA_ENV_VAR}.",
            SampleDataWarning,
            stacklevel=3,
        )
    results = []
    for split in splits:
        image_stem, label_stem = _stems(split)
        images, labels = _read_pair(where.paths[image_stem], where.paths[label_stem])
        if normalize:
            images = images.astype(np.float32) / np.float32(255.0)
        if flatten:
            images = images.reshape(len(images), -1)
        results.append(DataSplit(images, labels, spec.title, split, where.source, where.folder))
    return results


def _read_pair(image_path: Path, label_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read and cross-check an images file and its labels file."""
    images = read_idx(image_path)
    labels = read_idx(label_path)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise IDXFormatError(
            f"{image_path}: expected uint8 images of shape (N, 28, 28), got {images.dtype} array of shape "
            f"{images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise IDXFormatError(
            f"{label_path}: expected a 1-d uint8 array of labels, got {labels.dtype} array of shape {labels.shape}"
        )
    if len(images) != len(labels):
        raise ValueError(
            f"{image_path} holds {len(images)} images but {label_path} holds {len(labels)} labels; "
            "expected the same number"
        )
    if len(labels) and labels.max() >= NUM_CLASSES:
        bad = int(np.argmax(labels >= NUM_CLASSES))
        raise ValueError(
            f"{label_path}: labels must be 0-{NUM_CLASSES - 1}, got {int(labels[bad])} at index {bad}"
        )
    return images, labels.astype(np.int64)
