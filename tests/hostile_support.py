"""Shared tools of the hostile-input suite (tests/test_hostile_*.py).

* `raised_in_package`: the exception's raising frame (the last traceback frame) is
  the library's own code, not numpy's or Python's internals;
* bomb makers that cost milliseconds: gzip members and deflate blocks repeated
  byte for byte (a full flush resets the compressor, so each 1 MiB block of zeros
  compresses to the same bytes);
* `make_zip`: a zip archive written by hand, so members may lie about their size;
* `run_limited`: Python code in a subprocess whose address space is capped
  (RLIMIT_AS) just above what it has after its imports;
* `HostileServer`: a 127.0.0.1 HTTP server with misbehaving routes whose loops
  stop by themselves (a byte budget, a time budget, or the client hanging up).
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import os
import struct
import subprocess
import sys
import textwrap
import threading
import time
import zlib
from pathlib import Path
from types import TracebackType

import autograd_mlp

PACKAGE = Path(autograd_mlp.__file__).resolve().parent
REPO = PACKAGE.parent
MIB = 1 << 20


def raised_in_package(tb: TracebackType | None) -> str:
    """The file of the traceback's last frame, asserted to be inside autograd_mlp."""
    assert tb is not None
    while tb.tb_next is not None:
        tb = tb.tb_next
    filename = Path(tb.tb_frame.f_code.co_filename).resolve()
    assert filename.is_relative_to(PACKAGE), f"raised in {filename}, not in the package"
    return str(filename)


# ---------------------------------------------------------------- bombs


def zeros_deflate(mib: int) -> bytes:
    """A raw deflate stream that inflates to ``mib`` MiB of zeros, built in milliseconds."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(MIB)) + c.flush(zlib.Z_FULL_FLUSH)
    return block * mib + c.flush()


def gzip_bomb(header: bytes, mib: int) -> bytes:
    """``header`` then ``mib`` MiB of zeros, as a multi-member gzip file (~1 KB per MiB)."""
    member = gzip.compress(bytes(MIB), compresslevel=9, mtime=0)
    return gzip.compress(header, mtime=0) + member * mib


def make_zip(members: list[dict]) -> bytes:
    """A zip archive; each member is a dict with name, data (as stored), method (0 or 8),
    and optionally size (declared inflated size) and crc (both default to honest values
    computed from ``inflated`` if given, else from data)."""
    out = bytearray()
    central = bytearray()
    for m in members:
        name = m["name"].encode()
        data = m["data"]
        inflated = m.get("inflated", data)
        size = m.get("size", len(inflated))
        crc = m.get("crc", zlib.crc32(inflated))
        offset = len(out)
        fields = (20, 0, m.get("method", 0), 0, 0, crc, len(data), size, len(name))
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields, 0) + name + data
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def npy_header(shape: tuple, dtype: str = "<f8") -> bytes:
    """The bytes of an .npy version 1.0 header for ``shape`` and ``dtype``."""
    text = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape!r}, }}"
    pad = 64 - (10 + len(text) + 1) % 64
    text += " " * pad + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode()


def run_limited(code: str, *, headroom_mib: int = 150, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run ``code`` (after importing numpy and autograd_mlp) in a child whose address space may grow
    by at most ``headroom_mib`` MiB; returns the finished process (text output)."""
    prelude = textwrap.dedent(
        f"""
        import resource, sys
        import numpy as np
        import autograd_mlp, autograd_mlp.data, autograd_mlp.nn.state_file
        with open("/proc/self/status") as status:
            vm = next(int(line.split()[1]) for line in status if line.startswith("VmSize:")) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (vm + {headroom_mib} * 2**20, resource.RLIM_INFINITY))
        """
    )
    env = dict(os.environ, PYTHONPATH=str(REPO), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


# ---------------------------------------------------------------- a hostile server


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self) -> None:
        behaviour = self.routes.get(self.path)
        if behaviour is None:
            self.send_error(404)
            return
        kind, arg = behaviour
        with contextlib.suppress(OSError):  # the client hung up: that is the refusal we wanted
            getattr(self, f"_serve_{kind}")(arg)
        self.close_connection = True

    def _serve_body(self, body: bytes) -> None:
        """An honest response (Content-Length matches)."""
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _serve_endless(self, budget: int) -> None:
        """No Content-Length, zeros until the client hangs up or ``budget`` bytes are sent."""
        self.send_response(200)
        self.end_headers()
        chunk = bytes(64 * 1024)
        sent = 0
        while sent < budget:
            self.wfile.write(chunk)
            sent += len(chunk)

    def _serve_declares(self, length: int) -> None:
        """Claims ``length`` bytes, sends a few and hangs up."""
        self.send_response(200)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(b"x" * 100)

    def _serve_drip(self, seconds: float) -> None:
        """A valid start, then one byte every half second, for at most ``seconds``."""
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(0.5)

    def _serve_drip_headers(self, seconds: float) -> None:
        """The status line itself one byte every half second, for at most ``seconds``."""
        end = time.monotonic() + seconds
        for byte in b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx":
            if time.monotonic() >= end:
                break
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.5)

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


class HostileServer:
    """``with HostileServer({"/path": ("drip", 10.0)}) as s: s.url + "/path"``."""

    def __init__(self, routes: dict) -> None:
        handler = type("Handler", (_Handler,), {"routes": dict(routes)})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True  # a handler still sleeping never holds the test run
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.routes = handler.routes
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)
