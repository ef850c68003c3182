"""Replay: micrograd's moons step recorded once and replayed as generated Python,
against the same step written by hand in plain Python (handwritten_moons.py).

All four steps do the whole training step of `bench_scalar.make_step`:
MLP(2, [16, 16, 1]) on 100 points, mean hinge loss + 1e-4 L2, gradients,
SGD with lr 1.0 - 0.9 k / 100. The target is the replayed step's time over
the hand-written step's, measured in the same run; the engine's fused and
unfused steps stand beside them for information.
"""

from __future__ import annotations

import gc
import random
import time
import tracemalloc

from bench_scalar import _moons, make_step
from common import Result, interleaved_medians
from handwritten_moons import HandwrittenMLP

from autograd_mlp import Value, replay
from autograd_mlp.nn import MLP


def make_replayed_step(model, X, y):
    """The same step as bench_scalar.make_step, its loss and gradients from a replay."""
    params = model.parameters()

    def loss_fn(X, y):
        scores = list(map(model, X))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in params)
        return data_loss + reg_loss

    compiled = replay.record(loss_fn, params, (X, y))
    k = 0

    def step():
        nonlocal k
        for p in params:
            p.grad = 0
        loss = compiled(X, y)
        lr = 1.0 - 0.9 * k / 100
        for p in params:
            p.data -= lr * p.grad
        k += 1
        return loss

    return step, compiled


def _recorded(model, X, y):
    """(step, compiled, seconds to record and compile)."""
    gc.collect()
    t0 = time.perf_counter()
    step, compiled = make_replayed_step(model, X, y)
    return step, compiled, time.perf_counter() - t0


def moons_replay(quick: bool) -> list[Result]:
    X, y = _moons()
    if quick:
        X, y = X[:20], y[:20]  # a smaller graph: quick mode checks that the script runs
    random.seed(1337)
    models = {name: MLP(2, [16, 16, 1], rng=1337, fused=name != "unfused") for name in ("replay", "fused", "unfused")}
    hand = HandwrittenMLP.from_model(models["replay"])
    replayed, compiled, record_seconds = _recorded(models["replay"], X, y)
    steps = {
        "replay": replayed,
        "handwritten": lambda: hand.step(X, y),
        "fused": make_step(Value, models["fused"], X, y),
        "unfused": make_step(Value, models["unfused"], X, y),
    }
    gc.collect()
    t = interleaved_medians(steps, repeat=3 if quick else 15)
    ms = {k: v * 1e3 for k, v in t.items()}
    stats = compiled.stats
    detail = {**{f"{k}_ms": v for k, v in ms.items()}, "record_and_compile_s": record_seconds,
              "compile_s": stats["compile_seconds"], "generated_lines": stats["lines"],
              "source_bytes": stats["source_bytes"], "code_bytes": stats["code_bytes"]}
    ratio = t["replay"] / t["handwritten"]
    fused = t["fused"] / t["handwritten"]
    unfused = t["unfused"] / t["handwritten"]
    return [
        Result("moons step: replay vs hand-written Python", f"replay {ms['replay']:.2f} ms, "
               f"hand-written {ms['handwritten']:.2f} ms", ratio, "<= 2x the hand-written step", ratio <= 2, detail),
        Result("moons step: engine fused vs hand-written", f"engine {ms['fused']:.1f} ms", fused,
               "(information)", None, detail),
        Result("moons step: engine unfused vs hand-written", f"engine fused=False {ms['unfused']:.1f} ms", unfused,
               "(information)", None, detail),
        Result("replay: record + compile the moons step", f"{record_seconds:.1f} s ({stats['compile_seconds']:.1f} s "
               f"compile), {stats['lines']:,} lines; code {stats['code_bytes'] / 2**20:.1f} MiB", record_seconds, "(information, s)",
               None, detail),
    ]


def run(quick: bool = False) -> list[Result]:
    return moons_replay(quick)


def memory() -> None:
    """Time and peak memory of recording the moons step, and what the compiled step keeps, fused and unfused.

        python benchmarks/bench_replay.py
    """
    X, y = _moons()
    for fused in (True, False):
        model = MLP(2, [16, 16, 1], rng=1337, fused=fused)
        t0 = time.perf_counter()
        _, compiled = make_replayed_step(model, X, y)
        seconds = time.perf_counter() - t0
        compile_seconds = compiled.stats["compile_seconds"]
        del compiled
        gc.collect()
        tracemalloc.start()
        _, compiled = make_replayed_step(model, X, y)
        gc.collect()
        kept, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        s = compiled.stats
        print(f"fused={fused}: record + compile {seconds:.1f} s (compile {compile_seconds:.1f} s), "
              f"{s['lines']:,} lines, {s['source_bytes'] / 2**20:.1f} MiB of source, "
              f"{s['code_bytes'] / 2**20:.1f} MiB of bytecode; traced peak while recording "
              f"{peak / 2**20:.0f} MiB, kept by the step {kept / 2**20:.0f} MiB")


def parts() -> None:
    """Where the replayed step's time goes: the generated function's instructions and the time of each part.

        python benchmarks/bench_replay.py --parts
    """
    import collections
    import dis
    import statistics

    X, y = _moons()
    model = MLP(2, [16, 16, 1], rng=1337)
    params = model.parameters()
    step, compiled = make_replayed_step(model, X, y)
    fn = compiled._fn  # the generated function itself (private: this is a measurement)
    flat = compiled._inputs.flatten((X, y))
    data, grads = [p.data for p in params], [0.0] * len(compiled._grad_params)
    counts = collections.Counter(i.opname for i in dis.get_instructions(fn))
    print(f"{sum(counts.values()):,} instructions:", ", ".join(f"{k} {v:,}" for k, v in counts.most_common(5)))
    pieces = {
        "whole step": step,
        "generated function": lambda: fn(data, grads, flat),
        "input checks + flatten": lambda: compiled._inputs.flatten((X, y)),
        "read .data and .grad, write .grad": lambda: ([p.data for p in params], [p.grad for p in params],
                                                     [setattr(p, "grad", 0.0) for p in params]),
        "zero grads + SGD update": lambda: ([setattr(p, "grad", 0) for p in params],
                                            [setattr(p, "data", p.data - 0.0 * p.grad) for p in params]),
    }
    times: dict[str, list[float]] = {k: [] for k in pieces}
    for _ in range(30):
        for name, piece in pieces.items():
            t0 = time.perf_counter()
            piece()
            times[name].append(time.perf_counter() - t0)
    for name, ts in times.items():
        print(f"{name}: {statistics.median(ts) * 1e3:.2f} ms")


if __name__ == "__main__":
    import sys

    parts() if "--parts" in sys.argv else memory()
