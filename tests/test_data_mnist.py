"""MNIST / Fashion-MNIST loading: search order, the shipped sample, downloads from a local server.

Nothing here touches the internet or the real ~/.cache: the autouse fixture points HOME,
XDG_CACHE_HOME and the Debian folder at tmp dirs, replaces the mirror lists with an
unresolvable host, and guards ``urlopen`` so that only 127.0.0.1 can ever be contacted.
"""

import gzip
import hashlib
import http.server
import socket
import threading
import warnings
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlparse

import numpy as np
import pytest

from autograd_mlp.data import (
    DatasetNotFoundError,
    DataSplit,
    DownloadError,
    IDXFormatError,
    SampleDataWarning,
    default_cache_dir,
    download_file,
    load_fashion_mnist,
    load_fashion_mnist_splits,
    load_mnist,
    load_mnist_splits,
    write_idx,
)
from autograd_mlp.data import mnist as mnist_mod

SAMPLE_TRAIN_COUNTS = [801, 902, 793, 826, 784, 690, 811, 856, 755, 782]
SAMPLE_TEST_COUNTS = [200, 225, 198, 206, 196, 173, 203, 214, 189, 196]
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No internet, no real cache, no machine-dependent Debian folder."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("AUTOGRAD_MLP_DATA", raising=False)
    monkeypatch.setattr(mnist_mod, "DEBIAN_DATASETS_DIR", tmp_path / "debian-datasets")
    # .invalid never resolves (RFC 2606) - and the guard below refuses it before any DNS anyway.
    monkeypatch.setattr(mnist_mod, "MNIST_MIRRORS", ["http://mnist-mirror.invalid/"])
    monkeypatch.setattr(mnist_mod, "FASHION_MNIST_MIRRORS", ["http://fashion-mirror.invalid/"])
    monkeypatch.setattr(mnist_mod, "DOWNLOAD_TIMEOUT", 5.0)
    real_open = mnist_mod.urlopen

    def local_only(url, *args, **kwargs):
        if urlparse(url).hostname != "127.0.0.1":
            raise URLError(f"network disabled in tests: {url}")
        return real_open(url, *args, **kwargs)

    monkeypatch.setattr(mnist_mod, "urlopen", local_only)
    return tmp_path


def make_dataset(folder: Path, n_train: int, n_test: int, *, seed: int = 0, compress: bool = True) -> dict:
    """Write a small fake MNIST-format dataset; returns {split: (images, labels)}."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for split, n in (("train", n_train), ("test", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        image_stem, label_stem = FILES[split]
        suffix = ".gz" if compress else ""
        write_idx(folder / f"{image_stem}{suffix}", images)
        write_idx(folder / f"{label_stem}{suffix}", labels)
        out[split] = (images, labels)
    return out


def sample_warnings(record) -> list:
    return [w for w in record if issubclass(w.category, SampleDataWarning)]


# --- the shipped sample ---------------------------------------------------------------------------


def test_offline_fallback_to_sample_warns_once():
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        train, test = load_mnist_splits(download=False)
    notices = sample_warnings(record)
    assert len(notices) == 1
    message = str(notices[0].message)
    assert "\n" not in message and "sample" in message and "download=False" in message
    assert notices[0].filename == __file__  # points at the caller, not at library internals
    assert train.source == test.source == "sample"
    assert train.location == mnist_mod.MNIST_SAMPLE_DIR
    assert train.images.shape == (8000, 28, 28) and train.images.dtype == np.uint8
    assert test.images.shape == (2000, 28, 28)
    assert train.labels.dtype == np.int64
    assert np.bincount(train.labels, minlength=10).tolist() == SAMPLE_TRAIN_COUNTS
    assert np.bincount(test.labels, minlength=10).tolist() == SAMPLE_TEST_COUNTS


def test_offline_download_failure_falls_back_to_sample_with_one_notice():
    with pytest.warns(SampleDataWarning, match="no mirror reachable") as record:
        x, y = load_mnist(train=False, normalize=True, flatten=True)
    assert len(sample_warnings(record)) == 1
    assert x.shape == (2000, 784) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() == 1.0
    assert y.shape == (2000,)


def test_sample_notice_can_be_silenced():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning would fail the test
        split = load_mnist(download=False, quiet=True)
    assert split.source == "sample"


def test_datasplit_unpacks_and_describes():
    split = load_mnist(train=False, download=False, quiet=True)
    images, labels = split
    assert images is split.images and labels is split.labels
    assert split.describe().startswith("MNIST test: 2000 images from sample (")
    assert "DataSplit(" in repr(split) and len(repr(split)) < 300


# --- search order ---------------------------------------------------------------------------------


@pytest.fixture
def four_places(isolated, monkeypatch):
    """A dataset in each local place, told apart by their sizes."""
    tmp = isolated
    make_dataset(tmp / "explicit", 5, 1)
    make_dataset(tmp / "env" / "mnist", 6, 1)
    make_dataset(tmp / "xdg-cache" / "autograd_mlp" / "mnist", 7, 1)
    make_dataset(tmp / "debian-datasets" / "mnist", 8, 1)
    monkeypatch.setenv("AUTOGRAD_MLP_DATA", str(tmp / "env"))
    return tmp


def test_explicit_root_beats_env_beats_cache_beats_debian(four_places, monkeypatch):
    tmp = four_places
    got = load_mnist(tmp / "explicit")
    assert (got.source, len(got.labels), got.location) == ("root", 5, tmp / "explicit")

    got = load_mnist()
    assert (got.source, len(got.labels), got.location) == ("env", 6, tmp / "env" / "mnist")

    monkeypatch.delenv("AUTOGRAD_MLP_DATA")
    got = load_mnist()
    assert (got.source, len(got.labels)) == ("cache", 7)

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp / "elsewhere"))
    got = load_mnist()
    assert (got.source, len(got.labels)) == ("debian", 8)


def test_root_without_data_falls_through(four_places):
    got = load_mnist(four_places / "empty")
    assert got.source == "env"


def test_root_subfolder_and_uncompressed_files(isolated):
    make_dataset(isolated / "data" / "mnist", 4, 2, compress=False)
    got = load_mnist(isolated / "data", train=False)
    assert (got.source, len(got.labels)) == ("root", 2)


def test_env_prefers_named_subfolder_then_itself(isolated, monkeypatch):
    make_dataset(isolated / "env", 3, 1)
    monkeypatch.setenv("AUTOGRAD_MLP_DATA", str(isolated / "env"))
    assert len(load_mnist().labels) == 3
    make_dataset(isolated / "env" / "mnist", 9, 1)
    assert len(load_mnist().labels) == 9


def test_home_cache_used_when_xdg_unset(isolated, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir("mnist") == isolated / "home" / ".cache" / "autograd_mlp" / "mnist"
    make_dataset(isolated / "home" / ".cache" / "autograd_mlp" / "mnist", 4, 2)
    got = load_mnist()
    assert (got.source, len(got.labels)) == ("cache", 4)


def test_relative_xdg_cache_home_is_ignored(isolated, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")
    assert default_cache_dir("x") == isolated / "home" / ".cache" / "autograd_mlp" / "x"


def test_splits_come_from_one_folder(isolated):
    # The cache only has the train files: it must not be mixed with test files from Debian.
    cache = default_cache_dir("mnist")
    make_dataset(cache, 4, 2)
    (cache / "t10k-images-idx3-ubyte.gz").unlink()
    make_dataset(isolated / "debian-datasets" / "mnist", 8, 3)
    train, test = load_mnist_splits()
    assert (train.source, test.source) == ("debian", "debian")
    assert (len(train.labels), len(test.labels)) == (8, 3)


def test_values_match_files_and_options(isolated):
    data = make_dataset(isolated / "d", 6, 2)
    images, labels = data["train"]
    raw = load_mnist(isolated / "d")
    np.testing.assert_array_equal(raw.images, images)
    np.testing.assert_array_equal(raw.labels, labels)
    scaled = load_mnist(isolated / "d", normalize=True, flatten=True)
    assert scaled.images.dtype == np.float32 and scaled.images.shape == (6, 784)
    np.testing.assert_allclose(scaled.images, images.reshape(6, -1) / 255.0, rtol=1e-6)


# --- validation of local files --------------------------------------------------------------------


def test_label_out_of_range_is_rejected(isolated):
    make_dataset(isolated / "d", 4, 1)
    write_idx(isolated / "d" / "train-labels-idx1-ubyte.gz", np.array([1, 2, 10, 3], np.uint8))
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte\.gz: labels must be 0-9, got 10 at index 2"):
        load_mnist(isolated / "d")


def test_length_mismatch_is_rejected(isolated):
    make_dataset(isolated / "d", 4, 1)
    write_idx(isolated / "d" / "train-labels-idx1-ubyte.gz", np.array([1, 2, 3], np.uint8))
    with pytest.raises(ValueError, match="holds 4 images but .* holds 3 labels"):
        load_mnist(isolated / "d")


def test_wrong_image_shape_is_rejected(isolated):
    make_dataset(isolated / "d", 4, 1)
    write_idx(isolated / "d" / "train-images-idx3-ubyte.gz", np.zeros((4, 32, 32), np.uint8))
    with pytest.raises(IDXFormatError, match=r"expected uint8 images of shape \(N, 28, 28\).*\(4, 32, 32\)"):
        load_mnist(isolated / "d")


def test_corrupt_local_file_names_it(isolated):
    make_dataset(isolated / "d", 4, 1)
    path = isolated / "d" / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(IDXFormatError, match=str(path)):
        load_mnist(isolated / "d")


# --- Fashion-MNIST --------------------------------------------------------------------------------


def test_fashion_not_found_lists_every_place(isolated, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_MLP_DATA", str(isolated / "env"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no sample fallback, so no warning either
        with pytest.raises(DatasetNotFoundError) as info:
            load_fashion_mnist(isolated / "mine")
    message = str(info.value)
    for place in [
        isolated / "mine",
        isolated / "mine" / "fashion-mnist",
        isolated / "env" / "fashion-mnist",
        isolated / "env",
        isolated / "xdg-cache" / "autograd_mlp" / "fashion-mnist",
        isolated / "debian-datasets" / "fashion-mnist",
    ]:
        assert str(place) in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "AUTOGRAD_MLP_DATA" in message
    assert "http://fashion-mirror.invalid/train-images-idx3-ubyte.gz" in message
    assert isinstance(info.value, FileNotFoundError)


def test_fashion_not_found_without_download(isolated):
    with pytest.raises(DatasetNotFoundError, match="download=False"):
        load_fashion_mnist(download=False)


def test_fashion_from_debian_folder(isolated):
    make_dataset(isolated / "debian-datasets" / "fashion-mnist", 5, 3)
    train, test = load_fashion_mnist_splits()
    assert (train.dataset, train.source, len(train.labels), len(test.labels)) == ("Fashion-MNIST", "debian", 5, 3)


# --- downloads from a local server ----------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}  # path -> (body, mode); set per server below
    hits: list = []

    def do_GET(self):
        self.hits.append(self.path)
        if self.path not in self.routes:
            self.send_error(404)
            return
        body, mode = self.routes[self.path]
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        # "truncate": promise more than we send, then hang up.
        self.send_header("Content-Length", str(len(body) + (1000 if mode == "truncate" else 0)))
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def server():
    handler = type("Handler", (_Handler,), {"routes": {}, "hits": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.routes, httpd.hits = handler.routes, handler.hits
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port_url():
    """A local URL where nothing listens: connection refused, instantly."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def publish(server, monkeypatch, tmp_path, prefix="/mnist/", mode="ok", md5_table="MNIST_MD5", **sizes):
    """Serve a generated dataset under ``prefix`` and make it the expected checksums and sizes."""
    data = make_dataset(tmp_path / "upstream", sizes.get("n_train", 6), sizes.get("n_test", 3))
    size_table = md5_table.replace("MD5", "SIZES")
    for path in (tmp_path / "upstream").iterdir():
        body = path.read_bytes()
        server.routes[prefix + path.name] = (body, mode)
        monkeypatch.setitem(getattr(mnist_mod, md5_table), path.name, hashlib.md5(body).hexdigest())
        monkeypatch.setitem(getattr(mnist_mod, size_table), path.name, len(body))
    return data


def files_in(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_verifies_caches_and_is_not_repeated(server, monkeypatch, isolated):
    data = publish(server, monkeypatch, isolated)
    mirrors = [server.url + "/mnist/"]
    train, test = load_mnist_splits(mirrors=mirrors)
    cache = default_cache_dir("mnist")
    assert (train.source, train.location) == ("download", cache)
    np.testing.assert_array_equal(train.images, data["train"][0])
    np.testing.assert_array_equal(test.labels, data["test"][1])
    assert files_in(cache) == sorted(f"{stem}.gz" for pair in FILES.values() for stem in pair)
    assert len(server.hits) == 4

    again = load_mnist(train=False, mirrors=mirrors)
    assert again.source == "cache"
    assert len(server.hits) == 4  # served from the cache, the server was not asked


def test_download_fetches_only_the_needed_split(server, monkeypatch, isolated):
    publish(server, monkeypatch, isolated)
    load_mnist(train=False, mirrors=[server.url + "/mnist"])  # no trailing slash is fine too
    assert sorted(server.hits) == ["/mnist/t10k-images-idx3-ubyte.gz", "/mnist/t10k-labels-idx1-ubyte.gz"]


def test_wrong_checksum_is_rejected_and_nothing_is_kept(server, monkeypatch, isolated):
    publish(server, monkeypatch, isolated)
    monkeypatch.setitem(mnist_mod.MNIST_MD5, "t10k-labels-idx1-ubyte.gz", "0" * 32)
    with pytest.raises(DownloadError) as info:
        load_mnist(train=False, mirrors=[server.url + "/mnist/"])
    message = str(info.value)
    assert f"{server.url}/mnist/t10k-labels-idx1-ubyte.gz" in message
    assert "checksum mismatch" in message and "expected md5 " + "0" * 32 in message
    assert info.value.offline is False  # bad data is an error, never a silent fallback to the sample
    assert files_in(default_cache_dir("mnist")) == ["t10k-images-idx3-ubyte.gz"]  # the good file only


def test_truncated_transfer_is_rejected_and_nothing_is_kept(server, monkeypatch, isolated):
    publish(server, monkeypatch, isolated, mode="truncate")
    monkeypatch.setattr(mnist_mod, "MNIST_SIZES", {})  # else the too-large Content-Length is refused up front
    with pytest.raises(DownloadError, match="truncated transfer: Content-Length said") as info:
        load_mnist(train=False, mirrors=[server.url + "/mnist/"])
    assert f"{server.url}/mnist/t10k-images-idx3-ubyte.gz" in str(info.value)
    assert files_in(default_cache_dir("mnist")) == []


def test_download_file_cleans_up_after_truncation(server, monkeypatch, isolated):
    publish(server, monkeypatch, isolated, mode="truncate")
    folder = isolated / "dl"
    with pytest.raises(DownloadError, match="received"):
        download_file("train-labels-idx1-ubyte.gz", folder, mirrors=[server.url + "/mnist/"], md5=None)
    assert files_in(folder) == []


def test_next_mirror_is_tried_when_one_is_down(server, monkeypatch, isolated, closed_port_url):
    data = publish(server, monkeypatch, isolated)
    mirrors = [closed_port_url, server.url + "/missing/", server.url + "/mnist/"]
    got = load_mnist(mirrors=mirrors)
    assert got.source == "download"
    np.testing.assert_array_equal(got.labels, data["train"][1])
    assert "/missing/train-images-idx3-ubyte.gz" in server.hits  # the 404 mirror was tried first


def test_module_mirror_list_is_the_default(server, monkeypatch, isolated):
    publish(server, monkeypatch, isolated)
    monkeypatch.setattr(mnist_mod, "MNIST_MIRRORS", [server.url + "/mnist/"])
    assert load_mnist(train=False).source == "download"


def test_all_mirrors_down_lists_each_attempt(isolated, closed_port_url):
    with pytest.raises(DownloadError) as info:
        download_file("x.gz", isolated / "dl", mirrors=[closed_port_url, "http://other.invalid/"], md5=None)
    assert info.value.offline is True
    assert closed_port_url + "x.gz" in str(info.value) and "http://other.invalid/x.gz" in str(info.value)
    assert files_in(isolated / "dl") == []


def test_fashion_download(server, monkeypatch, isolated):
    publish(server, monkeypatch, isolated, prefix="/fashion/", md5_table="FASHION_MNIST_MD5")
    got = load_fashion_mnist(train=False, mirrors=[server.url + "/fashion/"])
    assert (got.dataset, got.source) == ("Fashion-MNIST", "download")
    assert got.location == default_cache_dir("fashion-mnist")


def test_downloaded_data_is_gzip(server, monkeypatch, isolated):
    publish(server, monkeypatch, isolated)
    load_mnist(train=False, mirrors=[server.url + "/mnist/"])
    raw = (default_cache_dir("mnist") / "t10k-labels-idx1-ubyte.gz").read_bytes()
    assert gzip.decompress(raw)[:4] == bytes([0, 0, 8, 1])


def test_splits_result_types(isolated):
    train, test = load_mnist_splits(download=False, quiet=True)
    assert isinstance(train, DataSplit) and (train.split, test.split) == ("train", "test")
