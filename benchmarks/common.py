"""Shared helpers for the benchmarks: honest timing, the OpenBLAS note, result rows.

Every target is a ratio against a reference measured in the same process, so a
busy or slow machine moves both sides together. Times are medians of repeats.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def prepare_process(argv: list[str], threads: int) -> None:
    """Re-run this process with the environment the benchmarks need, once.

    * Without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE: this machine image sets
      them for old OpenBLAS builds, and they slow a current numpy's matmul
      1.7-1.9x. Tests and CI keep them as they are.
    * With ``threads`` BLAS/OpenMP threads for every library (numpy's
      OpenBLAS, PyTorch): on a shared 2-core machine a second BLAS thread
      that waits for a core made small matmuls 4-9x slower and the timings
      meaningless; one thread each is a fair and repeatable comparison.

    Both are read when the libraries load, so the only way is a fresh process.
    """
    if os.environ.get("AUTOGRAD_MLP_BENCH_PREPARED") == "1":
        return
    env = dict(os.environ)
    keep = env.get("AUTOGRAD_MLP_BENCH_KEEP_OPENBLAS") == "1"
    unset = [] if keep else [v for v in OPENBLAS_VARS if env.pop(v, None) is not None]
    env["AUTOGRAD_MLP_BENCH_UNSET"] = ",".join(unset)
    if threads > 0:
        env.update({v: str(threads) for v in THREAD_VARS})
    env["AUTOGRAD_MLP_BENCH_PREPARED"] = "1"
    os.execve(sys.executable, [sys.executable, *argv], env)


def environment_note() -> str:
    unset = os.environ.get("AUTOGRAD_MLP_BENCH_UNSET")
    blas = f"unset {unset} for this process" if unset else "OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE not set"
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "library default")
    import numpy as np

    return (
        f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cores, "
        f"{platform.machine()}; OpenBLAS workaround variables: {blas}; BLAS threads per library: {threads}"
    )


def median_time(fn: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def interleaved_medians(fns: dict[str, Callable[[], object]], repeat: int, warmup: int = 1) -> dict[str, float]:
    """Median time of each function, running them in turn (A B C A B C ...)
    so that a burst of load on a shared machine hits every side alike."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in samples.items()}


class gc_disabled:
    """Switch Python's cyclic GC off for one measured block only, then restore it."""

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was_enabled:
            gc.enable()


@dataclass
class Result:
    """One line of the table: a measured ratio and the target it must meet."""

    benchmark: str
    measured: str  # what was measured, with units
    ratio: float | None  # ours relative to the reference (meaning given by `kind`)
    target: str
    passed: bool | None  # None when the reference is unavailable (skipped)
    detail: dict = field(default_factory=dict)

    def row(self) -> str:
        ratio = "   -  " if self.ratio is None else f"{self.ratio:7.2f}"
        verdict = {True: "PASS", False: "FAIL", None: "skip"}[self.passed]
        return f"{self.benchmark:<44} {ratio}  {self.target:<28} {verdict}  {self.measured}"

    def as_dict(self) -> dict:
        return asdict(self)
