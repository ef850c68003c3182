"""Tensor engine: an MLP training step against the hand-written numpy floor (and
PyTorch's CPU build when installed), seed 001's MNIST step through the PyTorch
front (autograd_mlp.torch) against the native API and PyTorch, flat memory over
1,000 steps, and a full 60,000-image epoch."""

from __future__ import annotations

import gc
import os
import time
import tracemalloc

import numpy as np
from common import Result, interleaved_medians
from numpy_floor import NumpyMLP

import autograd_mlp as am
from autograd_mlp import nn, optim

CONFIGS = [
    # name, sizes, batch, optimizer, target ratio vs numpy
    ("784-256-128-10, batch 128, Adam", [784, 256, 128, 10], 128, "adam"),
    ("784-1568-10, batch 128, Adam", [784, 1568, 10], 128, "adam"),
    ("784-1568-10, batch 1, SGD", [784, 1568, 10], 1, "sgd"),
]


def build_ours(sizes, optimizer, lr, seed=0):
    am.manual_seed(seed)
    model = nn.sequential_mlp(sizes, activation="relu")
    opt = optim.Adam(model.parameters(), lr=lr) if optimizer == "adam" else optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(am.Tensor(x)), y)
        loss.backward()
        opt.step()
        return loss

    return step


def build_torch(sizes, optimizer, lr):
    import torch

    threads = int(os.environ.get("OMP_NUM_THREADS", "0") or 0)
    if threads > 0:
        torch.set_num_threads(threads)  # the same thread count as numpy's BLAS (see common.prepare_process)
    torch.manual_seed(0)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=lr) if optimizer == "adam" else torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def step_benchmarks(quick: bool) -> list[Result]:
    results = []
    rng = np.random.default_rng(0)
    try:
        import torch

        torch_version = torch.__version__
    except ImportError:
        torch = None
    for name, sizes, batch, optimizer in CONFIGS:
        lr = 1e-3 if optimizer == "adam" else 1e-2
        x = rng.random((batch, sizes[0]), dtype=np.float32)
        y = rng.integers(0, sizes[-1], batch)
        floor = NumpyMLP(sizes, lr=lr, optimizer=optimizer)
        ours = build_ours(sizes, optimizer, lr)
        fns = {"numpy": lambda floor=floor, x=x, y=y: floor.step(x, y), "ours": lambda ours=ours, x=x, y=y: ours(x, y)}
        if torch is not None:
            tstep = build_torch(sizes, optimizer, lr)
            tx, ty = torch.from_numpy(x), torch.from_numpy(y)
            fns["torch"] = lambda tstep=tstep, tx=tx, ty=ty: tstep(tx, ty)
        repeat = 5 if quick else (300 if batch == 1 else 100)
        t = interleaved_medians(fns, repeat, warmup=3)
        ratio = t["ours"] / t["numpy"]
        detail = {k + "_ms": v * 1e3 for k, v in t.items()}
        measured = f"ours {t['ours']*1e3:.3f} ms, numpy {t['numpy']*1e3:.3f} ms"
        results.append(Result(f"step {name}: vs numpy floor", measured, ratio, "<= 1.2x numpy", ratio <= 1.2, detail))
        if torch is not None:
            r = t["ours"] / t["torch"]
            results.append(Result(f"step {name}: vs PyTorch {torch_version}", f"torch {t['torch']*1e3:.3f} ms",
                                  r, "<= 1.0x torch", r <= 1.0, detail))
        else:
            results.append(Result(f"step {name}: vs PyTorch", "PyTorch not installed", None, "<= 1.0x torch", None))
    return results


def seed001_step(torch):
    """Seed post 001's MNIST training step (784-1568-10, batch 1, Adam lr 0.01, one-hot float target),
    written once, as the post writes it, for any module that speaks PyTorch: the real torch or the front."""
    nn = torch.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.input_layer = nn.Linear(784, 1568)
            self.activation = nn.ReLU()
            self.output_layer = nn.Linear(1568, 10)

        def forward(self, x):
            x = self.input_layer(x)
            x = self.activation(x)
            x = self.output_layer(x)
            return x

    torch.manual_seed(0)
    network = NeuralNetwork()
    loss_function = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(network.parameters(), lr=0.01)
    image = np.random.default_rng(0).random((28, 28), dtype=np.float32)
    x = torch.from_numpy(image).reshape(1, 784)
    y = [0 for i in range(10)]
    y[3] = 1
    y = torch.Tensor(y).reshape(1, 10)

    def step():
        optimizer.zero_grad()
        output = network(x)
        loss = loss_function(output, y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def seed001_native_step():
    """The same step with the library's own API (what the front must not slow down)."""
    am.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 1568), nn.ReLU(), nn.Linear(1568, 10))
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=0.01)
    x = am.Tensor(np.random.default_rng(0).random((28, 28), dtype=np.float32).reshape(1, 784))
    y = np.zeros((1, 10), dtype=np.float32)
    y[0, 3] = 1

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def front_benchmarks(quick: bool) -> list[Result]:
    import autograd_mlp.torch as front

    fns = {"native": seed001_native_step(), "front": seed001_step(front)}
    try:
        import torch

        torch_version = torch.__version__
        threads = int(os.environ.get("OMP_NUM_THREADS", "0") or 0)
        if threads > 0:
            torch.set_num_threads(threads)
        fns["torch"] = seed001_step(torch)
    except ImportError:
        torch = None
    t = interleaved_medians(fns, 5 if quick else 300, warmup=3)
    name = "seed 001 MNIST step 784-1568-10, batch 1, Adam, through autograd_mlp.torch"
    detail = {k + "_ms": v * 1e3 for k, v in t.items()}
    ratio = t["front"] / t["native"]
    results = [Result(f"{name}: vs native API", f"front {t['front']*1e3:.3f} ms, native {t['native']*1e3:.3f} ms",
                      ratio, "<= 1.05x native", ratio <= 1.05, detail)]
    if torch is not None:
        r = t["front"] / t["torch"]
        results.append(Result(f"{name}: vs PyTorch {torch_version}", f"torch {t['torch']*1e3:.3f} ms",
                              r, "<= 1.0x torch", r <= 1.0, detail))
    else:
        results.append(Result(f"{name}: vs PyTorch", "PyTorch not installed", None, "<= 1.0x torch", None))
    return results


def flat_memory(quick: bool) -> list[Result]:
    steps = 100 if quick else 1000
    rng = np.random.default_rng(1)
    x = rng.random((32, 64), dtype=np.float32)
    y = rng.integers(0, 10, 32)
    step = build_ours([64, 32, 10], "adam", 1e-3)
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(10):
            step(x, y)
        early, _ = tracemalloc.get_traced_memory()
        for _ in range(steps - 10):
            step(x, y)
        late, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    growth = late - early
    return [Result(f"memory: tensor training, {steps} steps", f"grew {growth} B from step 10 to {steps}",
                   growth, "flat (< 64 KiB growth)", growth < 64 * 1024)]


def _epoch_data(quick: bool):
    from autograd_mlp.data import load_fashion_mnist, load_mnist

    for loader in (load_mnist, load_fashion_mnist):
        try:
            split = loader(normalize=True, flatten=True, download=False, quiet=True) if loader is load_mnist \
                else loader(normalize=True, flatten=True, download=False)
        except Exception:
            continue
        if split.source != "sample":
            return split.images, split.labels, f"{split.dataset} ({split.source})"
    split = load_mnist(normalize=True, flatten=True, download=False, quiet=True)
    reps = -(-60_000 // len(split.labels))
    return (np.tile(split.images, (reps, 1))[:60_000], np.tile(split.labels, reps)[:60_000],
            "MNIST sample tiled to 60,000 (no full set found)")


def epoch(quick: bool) -> list[Result]:
    from autograd_mlp.data import DataLoader

    images, labels, what = _epoch_data(quick)
    if quick:
        images, labels = images[:2048], labels[:2048]
    sizes = [784, 256, 128, 10]
    ours = build_ours(sizes, "adam", 1e-3)
    floor = NumpyMLP(sizes, lr=1e-3)
    times = {"numpy": [], "ours": []}
    for _ in range(1 if quick else 3):
        for name, step in (("numpy", floor.step), ("ours", ours)):
            t0 = time.perf_counter()
            for xb, yb in DataLoader(images, labels, batch_size=128, shuffle=True, seed=0):
                step(xb, yb)
            times[name].append(time.perf_counter() - t0)
    t = {k: float(np.median(v)) for k, v in times.items()}
    ratio = t["ours"] / t["numpy"]
    return [Result(f"epoch of {len(labels):,} images, 784-256-128-10", f"{what}: ours {t['ours']:.2f} s, numpy {t['numpy']:.2f} s",
                   ratio, "<= 1.3x numpy", ratio <= 1.3, {k + "_s": v for k, v in t.items()})]


def run(quick: bool = False) -> list[Result]:
    return step_benchmarks(quick) + front_benchmarks(quick) + flat_memory(quick) + epoch(quick)
