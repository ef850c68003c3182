"""Hostile files: IDX readers and saved states refuse what they cannot hold, before allocating it.

Table-driven: each case is (what the file holds, the exception type, a pattern its
message must match), and every refusal must be raised by the library's own code.
The decompression bombs run in a subprocess whose address space is capped just
above its size after imports, so inflating them would fail with MemoryError.
"""

from __future__ import annotations

import gzip
import os
import re
import struct
import threading
import zlib

import numpy as np
import pytest
from hostile_support import MIB, gzip_bomb, make_zip, npy_header, raised_in_package, run_limited, zeros_deflate

from autograd_mlp import nn
from autograd_mlp.data import IDXFormatError, read_idx, write_idx
from autograd_mlp.nn.module import StateDictError
from autograd_mlp.nn.state_file import load_state, save_state


def idx_header(code: int, dims: tuple) -> bytes:
    return bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)


# --- IDX ------------------------------------------------------------------------------------------

IDX_CASES = {
    # name: (file bytes, exception, message pattern)
    "dims-beyond-raw-file": (idx_header(0x08, (60000, 28, 28)) + bytes(10), IDXFormatError, r"truncated.*need 47040000 bytes.*got 10"),
    "huge-dims-raw": (idx_header(0x0E, (2**32 - 1,) * 3) + bytes(8), IDXFormatError, r"truncated"),
    "gzip-declares-more-than-it-can-hold": (
        gzip.compress(idx_header(0x08, (1000, 1000, 1000)) + bytes(100)),
        IDXFormatError,
        r"more than its \d+-byte gzip file can hold",
    ),
    "gzip-ratio-like-a-bomb": (gzip_bomb(idx_header(0x08, (20, MIB)), 20), IDXFormatError, r"decompression bomb"),
    "gzip-inflates-past-declared": (gzip_bomb(idx_header(0x08, (10,)), 5), IDXFormatError, r"extra bytes.*stream goes on"),
    "gzip-garbage-after-member": (gzip.compress(idx_header(0x08, (2,)) + b"ab") + b"junk", IDXFormatError, r"gzip"),
}


@pytest.mark.parametrize("case", sorted(IDX_CASES))
def test_hostile_idx_file_is_refused(tmp_path, case):
    data, kind, pattern = IDX_CASES[case]
    path = tmp_path / f"{case}-idx"
    path.write_bytes(data)
    with pytest.raises(kind, match=pattern) as info:
        read_idx(path)
    assert str(path) in str(info.value)
    raised_in_package(info.tb)


def test_max_bytes_caps_an_idx_payload(tmp_path):
    path = tmp_path / "a-idx"
    path.write_bytes(idx_header(0x08, (100,)) + bytes(100))
    assert read_idx(path, max_bytes=100).shape == (100,)
    with pytest.raises(IDXFormatError, match=r"\(100 bytes\), more than max_bytes=99") as info:
        read_idx(path, max_bytes=99)
    raised_in_package(info.tb)


def fifo(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "make, word",
    [
        (lambda tmp: tmp, "a folder"),
        (lambda tmp: "/dev/zero", "a device"),
        (fifo, "a pipe"),  # opening a pipe for reading would block until a writer came
    ],
    ids=["folder", "dev-zero", "fifo"],
)
@pytest.mark.parametrize("reader", [read_idx, load_state], ids=["read_idx", "load_state"])
def test_non_regular_files_are_refused_at_once(tmp_path, make, word, reader):
    path = make(tmp_path)
    result: dict = {}

    def attempt():
        try:
            reader(path)
        except ValueError as exc:  # IDXFormatError is a ValueError too
            result["error"] = exc

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), f"{reader.__name__}({path}) is still reading"
    error = result["error"]
    assert word in str(error) and str(path) in str(error) and "not a regular file" in str(error)
    raised_in_package(error.__traceback__)


# --- the bombs, in one child process under a memory cap ---------------------------------------

BOMB_MIB = 300
BOMB = zeros_deflate(BOMB_MIB)  # a raw deflate stream: ~300 KB that inflate to 300 MiB of zeros


@pytest.fixture(scope="module")
def bomb_report(tmp_path_factory):
    """Each bomb read in one child that may grow by 150 MiB at most: tag -> what happened.

    One child for all of them: starting Python and numpy costs more than the bombs."""
    tmp = tmp_path_factory.mktemp("bombs")
    files = {
        # ~400 KB on disk, 400 MiB inflated; the header says so, or says 1,000 bytes.
        "idx-honest": gzip_bomb(idx_header(0x08, (400, MIB)), 400),
        "idx-lying": gzip_bomb(idx_header(0x08, (1000,)), 400),
        "npz-honest": make_zip([dict(name="weight.npy", data=BOMB, method=8, size=BOMB_MIB * MIB, crc=0)]),
        "npz-lying": make_zip([dict(name="weight.npy", data=BOMB, method=8, size=1000, crc=0)]),
    }
    for tag, content in files.items():
        assert len(content) < 500_000
        (tmp / tag).write_bytes(content)
    child = run_limited(
        f"""
        from pathlib import Path
        from autograd_mlp import nn
        from autograd_mlp.data import read_idx
        from autograd_mlp.nn.state_file import load_state
        tmp = Path({str(tmp)!r})
        try:  # the cap itself: without it biting, the other lines would prove nothing
            np.ones(400 * 2**20 // 8)
            print("cap: not enforced")
        except MemoryError:
            print("cap: MemoryError")
        readers = [("idx", "read_idx", read_idx), ("npz", "load_state", load_state), ("npz", "load", nn.Linear(3, 2).load)]
        for kind, name, read in readers:
            for how in ("honest", "lying"):
                try:
                    read(tmp / f"{{kind}}-{{how}}")
                    print(f"{{name}}-{{how}}: loaded")
                except ValueError as exc:
                    print(f"{{name}}-{{how}}: refused: {{exc}}")
        """
    )
    assert child.returncode == 0, child.stderr
    return dict(line.split(": ", 1) for line in child.stdout.splitlines())


def test_the_memory_cap_of_the_bomb_tests_bites(bomb_report):
    assert bomb_report["cap"] == "MemoryError"


@pytest.mark.parametrize(
    "tag, pattern",
    [
        ("read_idx-honest", r"refused: .*decompression bomb"),
        ("read_idx-lying", r"refused: .*extra bytes"),
        ("load_state-honest", r"refused: .*decompression bomb"),
        ("load_state-lying", r"refused: .*inflates past its declared 1000 bytes"),
        ("load-honest", r"refused: .*more than parameter 'weight' can need"),
        ("load-lying", r"refused: .*inflates past its declared 1000 bytes"),
    ],
)
def test_bomb_is_refused_in_bounded_memory(bomb_report, tag, pattern):
    assert re.match(pattern, bomb_report[tag]), bomb_report[tag]


# --- saved states (.npz) --------------------------------------------------------------------------


def npy(array: np.ndarray) -> bytes:
    return npy_header(array.shape, array.dtype.str) + array.tobytes()


GOOD = npy(np.arange(6.0).reshape(2, 3))


def deflated(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


NPZ_CASES = {
    # name: (zip members, exception, message pattern)
    "honest-bomb-member": (
        [dict(name="w.npy", data=BOMB, method=8, size=BOMB_MIB * MIB, crc=0)],
        ValueError,
        r"member 'w.npy' would inflate \d+ bytes to \d+ .*decompression bomb",
    ),
    "impossible-declared-size": (
        [dict(name="w.npy", data=deflated(GOOD), method=8, size=10**9, crc=0)],
        ValueError,
        r"declares 1000000000 bytes from \d+ deflated bytes, which is impossible",
    ),
    "inflates-past-declared-size": (
        [dict(name="w.npy", data=BOMB, method=8, size=200, crc=0)],
        ValueError,
        r"member 'w.npy' inflates past its declared 200 bytes",
    ),
    "stored-size-lies": (
        [dict(name="w.npy", data=GOOD, method=0, size=len(GOOD) * 1000)],
        ValueError,
        r"stored uncompressed but declares",
    ),
    "pickled-objects": (
        [dict(name="w.npy", data=npy_header((1,), "|O") + b"\x80\x04N.")],
        ValueError,
        r"member 'w.npy' holds pickled Python objects; refused \(allow_pickle=False\)",
    ),
    "bad-crc": ([dict(name="w.npy", data=GOOD, crc=12345)], ValueError, r"CRC"),
    "npy-shorter-than-its-header": (
        [dict(name="w.npy", data=npy_header((1000, 1000)) + bytes(16))],
        ValueError,
        r"shape \(1000, 1000\) of float64 needs 8000000 bytes, it holds 16",
    ),
    "unknown-compression": ([dict(name="w.npy", data=GOOD, method=12)], ValueError, r"compression method 12"),
    "duplicate-member": ([dict(name="w.npy", data=GOOD), dict(name="w.npy", data=GOOD)], ValueError, r"appears twice"),
    "not-npy": ([dict(name="w.npy", data=b"hello")], ValueError, r"not an .npy array"),
}


@pytest.mark.parametrize("case", sorted(NPZ_CASES))
def test_hostile_state_file_is_refused(tmp_path, case):
    members, kind, pattern = NPZ_CASES[case]
    path = tmp_path / f"{case}.npz"
    path.write_bytes(make_zip(members))
    with pytest.raises(kind, match=pattern) as info:
        load_state(path)
    assert str(path) in str(info.value)
    raised_in_package(info.tb)


def test_honest_archives_still_load(tmp_path):
    # What np.savez and np.savez_compressed write, and the hand-made zip of the cases above.
    np.savez(tmp_path / "a.npz", w=np.ones((2, 3)))
    np.savez_compressed(tmp_path / "b.npz", w=np.arange(6.0).reshape(2, 3))
    (tmp_path / "c.npz").write_bytes(make_zip([dict(name="w.npy", data=deflated(GOOD), inflated=GOOD, method=8)]))
    np.testing.assert_array_equal(load_state(tmp_path / "a.npz")["w"], np.ones((2, 3)))
    for name in ("b.npz", "c.npz"):
        np.testing.assert_array_equal(load_state(tmp_path / name)["w"], np.arange(6.0).reshape(2, 3))


def test_module_load_refuses_a_member_larger_than_its_parameter(tmp_path):
    # 8 MB of zeros compress ~1000-fold: load_state's ratio rule would pass 40 KB of it, but
    # Module.load knows the parameter holds 6 numbers and refuses before inflating.
    path = tmp_path / "big.npz"
    big = npy(np.zeros((1000, 1000)))
    path.write_bytes(make_zip([dict(name="weight.npy", data=deflated(big), inflated=big, method=8)]))
    layer = nn.Linear(3, 2)
    before = layer.weight.data.copy()
    with pytest.raises(ValueError, match=r"member 'weight.npy' declares 8000128 bytes, more than parameter 'weight' can need") as info:
        layer.load(path)
    raised_in_package(info.tb)
    np.testing.assert_array_equal(layer.weight.data, before)


def test_module_load_names_members_it_did_not_read(tmp_path):
    path = save_state({"weight": np.zeros((2, 3)), "bias": np.zeros(2), "extra": np.zeros(10**6)}, tmp_path / "s.npz")
    with pytest.raises(StateDictError, match=r"unexpected keys \(1\): extra") as info:
        nn.Linear(3, 2).load(path)
    raised_in_package(info.tb)
    layer = nn.Linear(3, 2).load(path, strict=False)  # the 8 MB member is skipped, unread
    np.testing.assert_array_equal(layer.weight.data, np.zeros((2, 3)))


def test_max_bytes_caps_a_state_file(tmp_path):
    save_state({"w": np.zeros(100)}, tmp_path / "s.npz")
    assert load_state(tmp_path / "s.npz")["w"].shape == (100,)
    with pytest.raises(ValueError, match=r"declare \d+ bytes in all, more than max_bytes=100"):
        load_state(tmp_path / "s.npz", max_bytes=100)
    with pytest.raises(ValueError, match=r"load_state: max_bytes must be an int >= 0, got -1") as info:
        load_state(tmp_path / "s.npz", max_bytes=-1)
    raised_in_package(info.tb)


# --- load_state_dict ------------------------------------------------------------------------------

LINEAR_SHAPES = {"weight": (2, 3), "bias": (2,)}


def good_state(**changes):
    state = {name: np.zeros(shape) for name, shape in LINEAR_SHAPES.items()}
    state.update(changes)
    return state


STATE_CASES = {
    # name: (state, strict, exception, message pattern)
    "int-key": ({0: np.zeros((2, 3))}, True, StateDictError, r"0 \(of type int; keys must be parameter names"),
    "int-key-not-strict": ({**good_state(), 0: 1.0}, False, StateDictError, r"keys that are not strings \(1\): 0 \(of type int"),
    "tuple-key": ({("weight",): 1.0, **good_state()}, True, StateDictError, r"\('weight',\) \(of type tuple"),
    "float32-overflow": (good_state(weight=np.full((2, 3), 1e40)), True, StateDictError, r"weight: value 1e\+40 overflows the float32 parameter"),
    "wrong-shape": (good_state(weight=np.zeros((3, 2))), True, StateDictError, r"weight: expected shape \(2, 3\), got \(3, 2\)"),
    "strings": (good_state(bias=np.array(["a", "b"])), True, StateDictError, r"bias: expected numbers, got dtype <U1"),
    "ragged": (good_state(weight=[[1, 2, 3], [4]]), True, StateDictError, r"weight: not convertible to an array"),
    "complex": (good_state(bias=np.zeros(2, complex)), True, StateDictError, r"bias: expected numbers, got dtype complex128"),
    "not-a-mapping": ([("weight", 1)], True, TypeError, r"state must be a mapping .* got list"),
}


@pytest.mark.parametrize("case", sorted(STATE_CASES))
def test_bad_state_dict_is_refused_clearly(case):
    state, strict, kind, pattern = STATE_CASES[case]
    layer = nn.Linear(3, 2)
    assert layer.weight.data.dtype == np.float32  # the overflow cases are about float32 parameters
    before = {k: v.copy() for k, v in layer.state_dict().items()}
    with pytest.raises(kind, match=pattern) as info:
        layer.load_state_dict(state, strict=strict)
    raised_in_package(info.tb)
    for key, value in layer.state_dict().items():  # nothing was written
        np.testing.assert_array_equal(value, before[key])


@pytest.mark.parametrize(
    "write",
    [
        lambda path: write_idx(path, np.zeros(3, np.uint8)),
        lambda path: save_state({"w": np.zeros(3)}, path),
        lambda path: nn.Linear(3, 2).save(path),
    ],
    ids=["write_idx", "save_state", "Module.save"],
)
def test_writing_into_a_missing_folder_names_the_path_given(tmp_path, write):
    path = tmp_path / "missing" / "out.bin"
    with pytest.raises(FileNotFoundError, match=r"cannot write output file '.*missing/out.bin': the folder '.*missing' does not exist") as info:
        write(path)
    assert ".tmp" not in str(info.value)
    raised_in_package(info.tb)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        write(tmp_path)


def test_save_state_refuses_what_it_could_not_load(tmp_path):
    with pytest.raises(TypeError, match=r"save_state: keys must be non-empty strings \(parameter names\), got int 0"):
        save_state({0: np.zeros(2)}, tmp_path / "s.npz")
    with pytest.raises(TypeError, match=r"save_state: 'w' must hold numbers, got dtype object"):
        save_state({"w": np.array([object()])}, tmp_path / "s.npz")
    assert list(tmp_path.iterdir()) == []


def test_infinities_already_in_a_state_are_kept():
    # A diverged model saved as it was loads as it was: only numbers that *become* inf are refused.
    layer = nn.Linear(3, 2)
    layer.load_state_dict(good_state(bias=np.array([np.inf, np.nan])))
    assert np.isposinf(layer.bias.data[0]) and np.isnan(layer.bias.data[1])
    layer.load_state_dict(good_state(weight=np.full((2, 3), 3e38)))
    assert np.isfinite(layer.weight.data).all()
