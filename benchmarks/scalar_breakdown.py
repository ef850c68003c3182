"""Where the unfused moons step's time goes: building the graph, the collector, backward, update.

    python benchmarks/scalar_breakdown.py [--steps 15]

The step is bench_scalar's (micrograd's demo on MLP(2, [16, 16, 1], fused=False)).
Each phase is timed on its own, in CPU time (time.process_time), and the
minimum and median over the steps are printed: on a shared machine the
minimum is the steadier figure. The collector's passes are timed through
gc.callbacks while whole steps run one after another with the collector on,
as in training; the builds with the collector off run afterwards.
Not a target of run.py: it explains the "unfused" row of docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time

from bench_scalar import _moons

from autograd_mlp import Value, graph
from autograd_mlp.nn import MLP


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=15, help="steps to time (default 15)")
    steps = parser.parse_args().steps
    if steps < 1:
        parser.error("--steps must be at least 1")
    X, y = _moons()
    random.seed(1337)
    model = MLP(2, [16, 16, 1], fused=False)
    params = model.parameters()

    def forward() -> Value:
        inputs = [list(map(Value, row)) for row in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)

    passes: dict[int, list[float]] = {0: [], 1: [], 2: []}
    started = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.process_time()
        else:
            passes[info["generation"]].append(time.process_time() - started[0])

    rows: dict[str, list[float]] = {k: [] for k in ("build, collector off", "build, collector on",
                                                    "collector during build", "backward", "update + free")}
    counts: list[tuple[int, int, int]] = []
    gc.collect()
    forward()  # warm-up
    for _ in range(steps):  # whole steps in a row, as in training: the collector's passes fall as they do there
        for v in passes.values():
            v.clear()
        gc.callbacks.append(on_gc)
        t0 = time.process_time()
        root = forward()
        rows["build, collector on"].append(time.process_time() - t0)
        gc.callbacks.remove(on_gc)
        rows["collector during build"].append(sum(sum(v) for v in passes.values()))
        counts.append((len(passes[0]), len(passes[1]), len(passes[2])))
        for p in params:
            p.grad = 0.0
        t0 = time.process_time()
        root.backward()
        rows["backward"].append(time.process_time() - t0)
        t0 = time.process_time()
        for p in params:
            p.data -= 0.01 * p.grad
        del root
        rows["update + free"].append(time.process_time() - t0)
    gc.collect()
    gc.disable()
    try:
        for _ in range(steps):
            t0 = time.process_time()
            root = forward()
            rows["build, collector off"].append(time.process_time() - t0)
            del root
    finally:
        gc.enable()
    nodes = len(graph.backward_order(forward()))
    print(f"unfused moons step: {nodes:,} interior nodes; CPU ms over {steps} steps (min / median)")
    for name, values in rows.items():
        print(f"  {name:30s} {min(values) * 1e3:7.1f} / {statistics.median(values) * 1e3:7.1f}")
    g0, g1, g2 = (statistics.median(c[i] for c in counts) for i in range(3))
    full = sum(c[2] for c in counts)
    print(f"  collector passes per build (median): {g0:g} young, {g1:g} middle; {full} full passes in {steps} builds")


if __name__ == "__main__":
    main()
