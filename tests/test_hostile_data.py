"""Hostile servers and arguments for autograd_mlp.data: bounded downloads, clear refusals.

Servers run on 127.0.0.1 only (tests/hostile_support.HostileServer); their loops stop
by themselves. Each download case is bounded in time by an assertion, and nothing
may be left in the download folder, partial or not.
"""

from __future__ import annotations

import hashlib
import os
import time
import warnings
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlparse

import numpy as np
import pytest
from hostile_support import HostileServer, raised_in_package

from autograd_mlp import data
from autograd_mlp.data import DownloadError, SampleDataWarning, download_file, load_mnist, write_idx
from autograd_mlp.data import mnist as mnist_mod
from autograd_mlp.random import manual_seed


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No internet, no real cache: only 127.0.0.1 may ever be contacted."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("AUTOGRAD_MLP_DATA", raising=False)
    monkeypatch.setattr(mnist_mod, "DEBIAN_DATASETS_DIR", tmp_path / "debian-datasets")
    monkeypatch.setattr(mnist_mod, "MNIST_MIRRORS", ["http://mnist-mirror.invalid/"])
    real_open = mnist_mod.urlopen

    def local_only(url, *args, **kwargs):
        if urlparse(url).hostname != "127.0.0.1":
            raise URLError(f"network disabled in tests: {url}")
        return real_open(url, *args, **kwargs)

    monkeypatch.setattr(mnist_mod, "urlopen", local_only)
    return tmp_path


def files_in(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- servers that misbehave -----------------------------------------------------------------------

BODY = b"0123456789" * 100  # what the honest route serves

DOWNLOAD_CASES = {
    # name: (route behaviour, download_file keywords, offline?, message pattern, most seconds it may take)
    "endless-body-known-size": (("endless", 256 << 20), dict(size=len(BODY)), False, r"sent more than the expected 1000 bytes; refused", 5),
    "endless-body-unknown-size": (("endless", 256 << 20), dict(), False, r"sent more than the limit of 65536 bytes \(MAX_DOWNLOAD_BYTES\)", 5),
    "declares-too-much": (("declares", 10**12), dict(size=len(BODY)), False, r"Content-Length says 1000000000000 bytes, more than the expected 1000", 5),
    "drips-body": (("drip", 20.0), dict(deadline=1.0), True, r"TimeoutError: not complete after the 1-second deadline", 4),
    "drips-headers": (("drip_headers", 20.0), dict(deadline=1.0), True, r"deadline", 4),
    "wrong-size": (("body", BODY), dict(size=999), False, r"Content-Length says 1000 bytes, more than the expected 999", 5),
    "short-of-size": (("body", BODY), dict(size=1001), False, r"expected 1001 bytes for f.gz, received 1000", 5),
    "wrong-md5": (("body", BODY), dict(md5="0" * 32), False, r"checksum mismatch", 5),
}


@pytest.mark.parametrize("case", sorted(DOWNLOAD_CASES))
def test_hostile_server_is_refused_in_bounded_time(isolated, monkeypatch, case):
    behaviour, kwargs, offline, pattern, seconds = DOWNLOAD_CASES[case]
    monkeypatch.setattr(mnist_mod, "MAX_DOWNLOAD_BYTES", 65536)
    folder = isolated / "dl"
    with HostileServer({"/f.gz": behaviour}) as server:
        start = time.monotonic()
        with pytest.raises(DownloadError, match=pattern) as info:
            download_file("f.gz", folder, mirrors=server.url, md5=kwargs.pop("md5", None), timeout=5, **kwargs)
        took = time.monotonic() - start
    assert took < seconds, f"took {took:.1f} s"
    assert info.value.offline is offline
    assert f"{server.url}/f.gz" in str(info.value)
    assert files_in(folder) == []  # nothing partial is ever kept
    raised_in_package(info.tb)


def test_honest_server_still_works(isolated):
    with HostileServer({"/f.gz": ("body", BODY)}) as server:
        path = download_file(
            "f.gz", isolated / "dl", mirrors=server.url, md5=hashlib.md5(BODY).hexdigest(), size=len(BODY), deadline=5
        )
    assert path.read_bytes() == BODY and files_in(isolated / "dl") == ["f.gz"]


def test_a_dripping_mirror_gives_way_to_the_next(isolated):
    with HostileServer({"/slow/f.gz": ("drip", 20.0), "/ok/f.gz": ("body", BODY)}) as server:
        start = time.monotonic()
        path = download_file("f.gz", isolated / "dl", mirrors=[server.url + "/slow", server.url + "/ok"], md5=None, deadline=1)
        assert time.monotonic() - start < 4
    assert path.read_bytes() == BODY


# --- arguments ------------------------------------------------------------------------------------

ARGUMENT_CASES = {
    # name: (call, exception, message pattern)
    "mirrors-int": (lambda d: download_file("f", d, mirrors=3, md5=None), TypeError, r"mirrors must be a URL or a list of URLs, got int 3"),
    "mirrors-bytes": (lambda d: download_file("f", d, mirrors=b"http://x/", md5=None), TypeError, r"got bytes"),
    "mirror-ftp": (lambda d: download_file("f", d, mirrors=["ftp://x/"], md5=None), ValueError, r"http:// or https:// URL, got 'ftp://x/'"),
    "mirror-file": (lambda d: download_file("f", d, mirrors="file:///etc/", md5=None), ValueError, r"got 'file:///etc/'"),
    "mirror-no-host": (lambda d: download_file("f", d, mirrors="http://", md5=None), ValueError, r"got 'http://'"),
    "timeout-zero": (lambda d: download_file("f", d, mirrors="http://x/", md5=None, timeout=0), ValueError, r"timeout must be a finite number > 0, got 0"),
    "deadline-nan": (lambda d: download_file("f", d, mirrors="http://x/", md5=None, deadline=float("nan")), ValueError, r"deadline must be a finite number > 0"),
    "size-negative": (lambda d: download_file("f", d, mirrors="http://x/", md5=None, size=-1), ValueError, r"size must be a positive int"),
    "loader-mirror-chars": (lambda d: load_mnist(mirrors="not a url"), ValueError, r"load MNIST: each mirror must be an http:// or https:// URL, got 'not a url'"),
    "loader-timeout": (lambda d: load_mnist(timeout=-1), ValueError, r"load MNIST: timeout must be a finite number > 0, got -1"),
    "folder-is-a-file": (lambda d: download_file("f", d / "file" / "sub", mirrors="http://x/", md5=None), OSError, r"cannot create the download folder '.*file/sub'"),
    "loader-root-int": (lambda d: load_mnist(3), TypeError, r"load MNIST: root must be a folder path \(str or os.PathLike\), got int 3"),
    "filename-with-folder": (lambda d: download_file("../escape.gz", d, mirrors="http://x/", md5=None), ValueError, r"filename must be a plain file name, got '../escape.gz'"),
    "filename-dotdot": (lambda d: download_file("..", d, mirrors="http://x/", md5=None), ValueError, r"plain file name, got '..'"),
    "moons-n-str": (lambda d: data.make_moons("10"), TypeError, r"make_moons: n_samples must be a positive int, got '10'"),
    "moons-one": (lambda d: data.make_moons(1), ValueError, r"n_samples >= 2"),
    "moons-noise": (lambda d: data.make_moons(noise=-0.1), ValueError, r"make_moons: noise must be a finite number >= 0, got -0.1"),
    "moons-seed": (lambda d: data.make_moons(seed=-1), ValueError, r"make_moons: seed must be an int >= 0, got -1"),
    "moons-seed-float": (lambda d: data.make_moons(seed=1.5), ValueError, r"seed must be an int >= 0, got 1.5"),
    "blobs-centers": (lambda d: data.make_blobs(centers=0), ValueError, r"make_blobs: centers must be a positive int, got 0"),
    "blobs-spread": (lambda d: data.make_blobs(spread=float("inf")), ValueError, r"spread must be a finite number >= 0, got inf"),
    "spirals-classes": (lambda d: data.make_spirals(10, classes=1), ValueError, r"2 <= classes <= n_samples"),
    "spirals-noise": (lambda d: data.make_spirals(noise=float("nan")), ValueError, r"noise must be a finite number >= 0, got nan"),
}


@pytest.mark.parametrize("case", sorted(ARGUMENT_CASES))
def test_bad_argument_is_refused_at_the_door(isolated, case):
    call, kind, pattern = ARGUMENT_CASES[case]
    (isolated / "file").write_text("in the way")
    with pytest.raises(kind, match=pattern) as info:
        call(isolated)
    raised_in_package(info.tb)


def test_mirrors_as_one_string_is_one_mirror(isolated, monkeypatch):
    rng = np.random.default_rng(0)
    upstream = isolated / "upstream"
    upstream.mkdir()
    routes = {}
    for stem in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        array = rng.integers(0, 10, size=(3, 28, 28) if "images" in stem else 3, dtype=np.uint8)
        body = write_idx(upstream / f"{stem}.gz", array).read_bytes()
        routes[f"/mnist/{stem}.gz"] = ("body", body)
        monkeypatch.setitem(mnist_mod.MNIST_MD5, f"{stem}.gz", hashlib.md5(body).hexdigest())
        monkeypatch.setitem(mnist_mod.MNIST_SIZES, f"{stem}.gz", len(body))
    with HostileServer(routes) as server:
        got = load_mnist(train=False, mirrors=server.url + "/mnist/")
    assert (got.source, len(got.labels)) == ("download", 3)


# --- the cache, and falling back to the sample ----------------------------------------------------


def test_unusable_cache_folder_says_so_even_when_quiet(isolated):
    # The cache path runs into a file, so nothing can be downloaded into it (a read-only
    # folder, below, is the same case; this one works for root too).
    (isolated / "xdg-cache").write_text("not a folder")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        got = load_mnist(train=False, quiet=True)
    notes = [w for w in record if issubclass(w.category, SampleDataWarning)]
    assert got.source == "sample" and len(notes) == 1
    message = str(notes[0].message)
    assert "cannot download into the cache folder" in message and "xdg-cache" in message
    assert notes[0].filename == __file__


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_read_only_cache_folder_says_so(isolated):
    cache = mnist_mod.default_cache_dir("mnist")
    cache.mkdir(parents=True)
    cache.chmod(0o500)
    try:
        with pytest.warns(SampleDataWarning, match="not writable"):
            got = load_mnist(train=False)
    finally:
        cache.chmod(0o700)
    assert got.source == "sample"


def test_cache_folder_without_write_permission_says_so(isolated, monkeypatch):
    # What a read-only folder looks like to a user who is not root (root may write anywhere).
    cache = mnist_mod.default_cache_dir("mnist")
    cache.mkdir(parents=True)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == cache and mode & os.W_OK else real_access(p, mode))
    with pytest.warns(SampleDataWarning, match=r"cannot download into the cache folder \(the download folder '.*mnist' is not writable\)"):
        got = load_mnist(train=False, quiet=True)
    assert got.source == "sample" and files_in(cache) == []


def test_sample_stands_in_only_with_a_reason(isolated):
    # download=False and quiet: the user asked for it, no notice. Offline: a notice naming why.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_mnist(train=False, download=False, quiet=True).source == "sample"
    with pytest.warns(SampleDataWarning, match=r"no mirror reachable: http://mnist-mirror.invalid/"):
        assert load_mnist(train=False, quiet=True).source == "sample"


# --- the random policy ----------------------------------------------------------------------------


@pytest.mark.parametrize("make", [data.make_moons, data.make_blobs, data.make_spirals])
def test_seed_none_follows_manual_seed_at_call_time(make):
    manual_seed(5)
    first, _ = make(seed=None)
    again_in_the_same_run, _ = make(seed=None)
    manual_seed(5)
    repeat, _ = make(seed=None)
    manual_seed(6)
    other, _ = make(seed=None)
    np.testing.assert_array_equal(first, repeat)
    assert not np.array_equal(first, again_in_the_same_run)  # the generator moved on
    assert not np.array_equal(first, other)
    np.testing.assert_array_equal(make(seed=3)[0], make(seed=np.random.default_rng(3))[0])
