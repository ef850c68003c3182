"""Scalar engine: micrograd's moons training step, bytes per node, flat memory,
and backward through a 1,000,000-op chain and a 1,000,000-node wide graph.

The moons step is the code of micrograd's demo notebook, run unchanged on
both engines: MLP(2, [16, 16, 1]), 100 points, max-margin loss + 1e-4 L2,
full batch, forward + backward + SGD update.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
import tracemalloc

from common import Result, gc_disabled, median_time

from autograd_mlp import Value
from autograd_mlp.data import make_moons
from autograd_mlp.nn import MLP


def _moons():
    X, y = make_moons(100, noise=0.1, seed=1)
    return X.tolist(), (2 * y - 1).tolist()  # labels -1 / +1 as in micrograd's demo


def make_step(value_cls, model, X, y):
    """One training step of micrograd's demo, written once for any engine."""
    params = model.parameters()

    calls = [0]  # the step counter for the learning-rate schedule (micrograd's demo uses k)

    def step():
        inputs = [list(map(value_cls, row)) for row in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in params)
        total = data_loss + reg_loss
        for p in params:
            p.grad = 0
        total.backward()
        lr = 1.0 - 0.9 * calls[0] / 100
        for p in params:
            p.data -= lr * p.grad
        calls[0] += 1
        return total

    return step


def moons_step(quick: bool) -> list[Result]:
    X, y = _moons()
    random.seed(1337)
    ours = make_step(Value, MLP(2, [16, 16, 1]), X, y)
    ours_unfused = make_step(Value, MLP(2, [16, 16, 1], fused=False), X, y)
    repeat = 3 if quick else 15  # steps per engine, in three blocks
    try:
        from micrograd.engine import Value as MicroValue
        from micrograd.nn import MLP as MicroMLP
    except ImportError:
        t = median_time(ours, repeat)
        note = "micrograd not installed (pip install -e '.[bench]')"
        return [Result("moons step vs micrograd 0.1.0", f"ours {t*1e3:.1f} ms; {note}", None, ">= 20x faster", None)]
    random.seed(1337)
    micro = make_step(MicroValue, MicroMLP(2, [16, 16, 1]), X, y)

    def micro_nogc():
        with gc_disabled():
            micro()

    # Blocks, not interleaved steps: micrograd leaves its graph behind as cyclic
    # garbage, and a collection that starts during our step would bill us for
    # it. Each block starts with a clean heap; ABAB blocks share out load bursts.
    samples: dict[str, list[float]] = {"ours": [], "ours_unfused": [], "micro": [], "micro_nogc": []}
    fns = {"ours": ours, "ours_unfused": ours_unfused, "micro": micro, "micro_nogc": micro_nogc}
    per_block = max(1, repeat // 3)
    for _ in range(3):
        for name, fn in fns.items():
            gc.collect()
            fn()  # warm-up
            for _ in range(per_block):
                t0 = time.perf_counter()
                fn()
                samples[name].append(time.perf_counter() - t0)
                if name == "micro_nogc":
                    gc.collect()  # its cycles pile up with the collector off: clear them untimed
    t = {name: statistics.median(v) for name, v in samples.items()}
    t_nogc = t["micro_nogc"]
    detail = {"ours_ms": t["ours"] * 1e3, "ours_unfused_ms": t["ours_unfused"] * 1e3,
              "micrograd_ms": t["micro"] * 1e3, "micrograd_gc_off_ms": t_nogc * 1e3}
    r1 = t["micro"] / t["ours"]
    r2 = t_nogc / t["ours"]
    r3 = t["micro"] / t["ours_unfused"]
    return [
        Result("moons step: speed-up vs micrograd 0.1.0", f"ours {t['ours']*1e3:.1f} ms, micrograd {t['micro']*1e3:.0f} ms",
               r1, ">= 20x faster", r1 >= 20, detail),
        Result("moons step: speed-up vs micrograd, GC off", f"micrograd with gc disabled {t_nogc*1e3:.0f} ms",
               r2, ">= 2x faster", r2 >= 2, detail),
        Result("moons step, unfused graph (micrograd's shape)", f"ours fused=False {t['ours_unfused']*1e3:.1f} ms",
               r3, ">= 10x faster", r3 >= 10, detail),
    ]


def _count_nodes(root) -> int:
    """Nodes reachable from ``root`` through ``_prev`` (a tuple here, a set in micrograd)."""
    seen = {root}
    stack = [root]
    while stack:
        for parent in stack.pop()._prev:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return len(seen)


def _traced_bytes(build) -> tuple[float, int]:
    gc.collect()
    tracemalloc.start()
    try:
        root = build()
        size, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return size, _count_nodes(root)


def bytes_per_node(quick: bool) -> list[Result]:
    X, y = _moons()
    random.seed(1337)
    model = MLP(2, [16, 16, 1], fused=False)  # the graph micrograd would build, node for node
    step = make_step(Value, model, X[:20 if quick else 100], y)
    size, nodes = _traced_bytes(step)
    ours = size / nodes
    detail = {"nodes": nodes, "bytes": size}
    measured = f"{ours:.0f} B/node over {nodes} nodes"
    try:
        from micrograd.engine import Value as MicroValue
        from micrograd.nn import MLP as MicroMLP

        random.seed(1337)
        mstep = make_step(MicroValue, MicroMLP(2, [16, 16, 1]), X[:20 if quick else 100], y)
        with gc_disabled():  # so its cycles are still counted, not collected mid-build
            msize, mnodes = _traced_bytes(mstep)
        gc.collect()
        detail["micrograd_bytes_per_node"] = msize / mnodes
        measured += f"; micrograd {msize / mnodes:.0f} B/node"
    except ImportError:
        pass
    return [Result("memory: bytes per scalar graph node", measured, ours, "<= 150 B/node", ours <= 150, detail)]


def flat_memory(quick: bool) -> list[Result]:
    X, y = _moons()
    random.seed(0)
    step = make_step(Value, MLP(2, [8, 8, 1]), X[:20], y[:20])
    steps = 100 if quick else 1000
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(10):
            step()
        early, _ = tracemalloc.get_traced_memory()
        for _ in range(steps - 10):
            step()
        late, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    growth = late - early
    return [Result(f"memory: scalar training, {steps} steps", f"grew {growth} B from step 10 to {steps}",
                   growth, "flat (< 64 KiB growth)", growth < 64 * 1024)]


def chain_and_wide(quick: bool) -> list[Result]:
    n = 50_000 if quick else 1_000_000
    results = []

    def build_chain():
        x = Value(0.5)
        c = Value(1e-6)
        v = x
        for i in range(n):
            v = (v + c) if i % 2 else -v
        return v

    def build_wide():
        # n/2 leaves, n/2 tanh nodes, summed pairwise: about 1.5 n nodes, depth log2(n)
        level = [Value(i * 1e-6).tanh() for i in range(n // 2)]
        while len(level) > 1:
            level = [level[i] + level[i + 1] if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
        return level[0]

    for name, build in [("chain", build_chain), ("wide", build_wide)]:
        t0 = time.perf_counter()
        root = build()
        t_build = time.perf_counter() - t0
        t0 = time.perf_counter()
        root.backward()
        t_back = time.perf_counter() - t0
        del root
        gc.collect()
        ratio = t_back / t_build
        results.append(Result(f"backward / build, {n:,}-op {name}", f"build {t_build:.2f} s, backward {t_back:.2f} s",
                              ratio, "<= 3x the build time", ratio <= 3))
    return results


def run(quick: bool = False) -> list[Result]:
    return moons_step(quick) + bytes_per_node(quick) + flat_memory(quick) + chain_and_wide(quick)
