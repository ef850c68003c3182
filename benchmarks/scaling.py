"""Step time against graph size for both engines: it should grow linearly.

    python benchmarks/scaling.py --out docs/images/scaling.png

Scalar engine: forward + backward of a fused scalar MLP on a growing number of
points (graph size = nodes per step). Tensor engine: forward + backward of a
784-h-10 MLP on a batch of 128 with growing hidden width h (size = parameters,
which sets the arithmetic). Each point is the median of repeated runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import environment_note, median_time, prepare_process

import autograd_mlp as am
from autograd_mlp import Tensor, nn, topological_order


def scalar_points(sizes: list[int], repeat: int) -> list[tuple[int, float]]:
    X, y = am.data.make_moons(max(sizes), noise=0.1, seed=0)
    X, y = X.tolist(), (2 * y - 1).tolist()
    model = nn.MLP(2, [16, 16, 1], rng=0)
    points = []
    for n in sizes:

        def step(n=n):
            scores = [model(x) for x in X[:n]]
            loss = sum((1 + -yi * s).relu() for yi, s in zip(y[:n], scores)) * (1.0 / n)
            model.zero_grad()
            loss.backward()
            return loss

        nodes = len(topological_order(step()))
        points.append((nodes, median_time(step, repeat)))
    return points


def tensor_points(widths: list[int], repeat: int) -> list[tuple[int, float]]:
    rng = np.random.default_rng(0)
    x = Tensor(rng.random((128, 784), dtype=np.float32))
    labels = rng.integers(0, 10, 128)
    points = []
    for h in widths:
        model = nn.sequential_mlp([784, h, 10], rng=0)
        loss_fn = nn.CrossEntropyLoss()

        def step(model=model, loss_fn=loss_fn):
            model.zero_grad()
            loss_fn(model(x), labels).backward()

        points.append((model.num_parameters(), median_time(step, repeat, warmup=2)))
    return points


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("scaling.png"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1; 0 = library default)")
    args = parser.parse_args(argv)
    if not args.quick:
        prepare_process(sys.argv, args.threads)
    repeat = 2 if args.quick else 7
    scalar = scalar_points([5, 10] if args.quick else [25, 50, 100, 200, 400, 800], repeat)
    tensor = tensor_points([16, 32] if args.quick else [64, 128, 256, 512, 1024, 2048], repeat)
    print(environment_note())
    print("scalar engine: nodes per step -> ms per step")
    for n, t in scalar:
        print(f"  {n:>8,} nodes  {t * 1e3:8.2f} ms  ({t / n * 1e9:6.0f} ns/node)")
    print("tensor engine: parameters -> ms per step (784-h-10, batch 128)")
    for n, t in tensor:
        print(f"  {n:>8,} params {t * 1e3:8.3f} ms")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return 0
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, points, title, xlabel in (
        (axes[0], scalar, "Value engine (fused scalar MLP)", "graph nodes per step"),
        (axes[1], tensor, "Tensor engine (784-h-10 MLP, batch 128)", "parameters"),
    ):
        n = np.array([p[0] for p in points], float)
        t = np.array([p[1] for p in points]) * 1e3
        slope = (n @ t) / (n @ n)  # least-squares line through the origin
        ax.plot(n, t, "o", label="measured (median)")
        ax.plot(n, slope * n, "-", alpha=0.6, label="linear fit through 0")
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("ms per forward + backward")
        ax.legend()
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
