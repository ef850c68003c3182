"""The delta rule: one sigmoid neuron trained by SGD, batch and mini-batch.

The lesson (after Phil Kim's "MATLAB Deep Learning", as the seed posts retell
it): inputs [[0,0,1],[0,1,1],[1,0,1],[1,1,1]] (the third column is a constant
1, the bias), targets [0,0,1,1], learning rate 0.9, 10,000 epochs. Each method
is trained twice: with the classic closed-form update

    delta = y * (1 - y) * (d - y);   W += alpha * delta * x

and through the autograd engine (loss = 1/2 (d - y)^2, backward(), step), and
the two must end with the same weights: the delta rule *is* the gradient.

    python demos/delta_rule.py --seed 0 --out out/
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from autograd_mlp.demos import _support as support

from autograd_mlp import Value
from autograd_mlp.value import fused_neuron

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
TARGETS = np.array([0, 0, 1, 1], dtype=np.float64)
XOR_TARGETS = np.array([0, 1, 1, 0], dtype=np.float64)
ALPHA = 0.9
EPOCHS = 10_000
# Wall times the seed post measured for 10,000 epochs with Python loops.
POST_SECONDS = {"SGD": 2.66, "batch": 8.58, "mini-batch": 3.09}
METHODS = {"SGD": 1, "batch": 4, "mini-batch": 2}  # method -> samples per update


def initial_weights(seed: int) -> np.ndarray:
    """W = 2 * rand(3) - 1, as in the book, from a seeded generator."""
    return 2 * np.random.default_rng(seed).random(3) - 1


# ------------------------------------------------------------ closed form


def train_closed_form(w0: np.ndarray, targets: np.ndarray, batch_size: int, epochs: int) -> np.ndarray:
    """The delta rule written out: per batch, the mean of the samples' dW.

    Per sample it is a 3-element dot product, so Python floats would be
    faster still; numpy is kept because it is the post's formulation.
    """
    w = w0.copy()
    rows = [X[i] for i in range(len(X))]
    d = targets.tolist()
    batches = [range(s, s + batch_size) for s in range(0, len(X), batch_size)]
    step = ALPHA / batch_size
    # Row by row, with scalar arithmetic for the neuron's output: on 3-element
    # vectors numpy's per-call overhead, not the arithmetic, is the cost, and
    # (n, 3) matrix calls cost more than n row calls.
    for _ in range(epochs):
        for batch in batches:
            dw = None
            for i in batch:
                x = rows[i]
                y = 1.0 / (1.0 + math.exp(-x.dot(w)))
                term = (step * y * (1.0 - y) * (d[i] - y)) * x  # alpha/n * delta * x for this sample
                dw = term if dw is None else dw + term
            w += dw  # alpha times the mean of the batch's dW
    return w


# ------------------------------------------------------------ autograd


def train_autograd(w0: np.ndarray, targets: np.ndarray, batch_size: int, epochs: int) -> np.ndarray:
    """The same training with the engine: loss = mean of 1/2 (d - y)^2, backward(), W -= alpha * grad."""
    w = [Value(float(v), label=f"w{i}") for i, v in enumerate(w0)]
    inputs = [[Value(float(v)) for v in row] for row in X]  # constants, made once
    targets = targets.tolist()  # Python floats: numpy scalars would try to broadcast over a Value
    n = len(X)
    scale = 0.5 / batch_size
    for _ in range(epochs):
        for start in range(0, n, batch_size):
            loss = None
            for i in range(start, start + batch_size):
                error = targets[i] - fused_neuron(w, inputs[i], None, "sigmoid")
                term = error * error
                loss = term if loss is None else loss + term
            loss = loss * scale
            for p in w:
                p.grad = 0.0
            loss.backward()
            for p in w:
                p.data -= ALPHA * p.grad
    return np.array([p.data for p in w])


def outputs(w: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(X @ w)))


def error_curve(w0: np.ndarray, targets: np.ndarray, batch_size: int, epochs: int) -> np.ndarray:
    """Mean squared error over the 4 samples after every epoch (an untimed run)."""
    w = w0.copy()
    curve = np.empty(epochs)
    for epoch in range(epochs):
        w = train_closed_form(w, targets, batch_size, 1)
        y = 1.0 / (1.0 + np.exp(-(X @ w)))
        curve[epoch] = np.mean((targets - y) ** 2)
    return curve


def median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run(seed: int = 0, epochs: int = EPOCHS, repeats: int = 3, targets: np.ndarray = TARGETS) -> dict:
    """Train every method both ways; return weights, outputs, errors and timings."""
    w0 = initial_weights(seed)
    results = {}
    for method, batch_size in METHODS.items():
        w_closed = train_closed_form(w0, targets, batch_size, epochs)
        w_engine = train_autograd(w0, targets, batch_size, epochs)
        t_closed = median_seconds(lambda n=batch_size: train_closed_form(w0, targets, n, epochs), repeats)
        t_engine = median_seconds(lambda n=batch_size: train_autograd(w0, targets, n, epochs), repeats)
        y = outputs(w_engine)
        results[method] = {
            "updates": epochs * len(X) // batch_size,
            "weights_closed_form": w_closed,
            "weights_autograd": w_engine,
            "max_weight_difference": float(np.max(np.abs(w_closed - w_engine))),
            "outputs": y,
            "error": float(np.mean((targets - y) ** 2)),
            "seconds_closed_form": t_closed,
            "seconds_autograd": t_engine,
        }
    return results


def print_table(results: dict, epochs: int, title: str) -> None:
    print(title)
    header = f"{'method':<11} {'updates':>7}  {'closed form':>11}  {'autograd':>9}  {'post':>6}  {'speed-up vs post':>22}  {'outputs':<27} {'error':>9}  {'|dW|':>8}"
    print(header)
    print("-" * len(header))
    for method, r in results.items():
        post = POST_SECONDS[method] * epochs / EPOCHS  # the post's time scaled to these epochs
        speedups = f"{post / r['seconds_closed_form']:6.1f}x / {post / r['seconds_autograd']:5.1f}x"
        outs = "[" + ", ".join(f"{v:.3f}" for v in r["outputs"]) + "]"
        print(
            f"{method:<11} {r['updates']:>7}  {r['seconds_closed_form']:>10.3f}s  {r['seconds_autograd']:>8.3f}s"
            f"  {post:>5.2f}s  {speedups:>22}  {outs:<27} {r['error']:>9.2e}  {r['max_weight_difference']:>8.1e}"
        )
    print("(times: median wall time of the training loop only; speed-up = the post's time / ours,")
    print(" closed form / autograd; |dW| = largest difference between the two methods' final weights)")


def plot_errors(curves: dict, results: dict, path: Path) -> Path | None:
    """Error against epochs, and against seconds: the post's comparison is also time.

    Seconds = epochs x the measured (median) time per epoch of the closed-form
    loop; the post's own totals for 10,000 epochs are marked on the right.
    """
    plt = support.pyplot()
    if plt is None:
        return None
    fig, (by_epoch, by_time) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for k, (method, curve) in enumerate(curves.items()):
        epochs = np.arange(1, len(curve) + 1)
        by_epoch.plot(epochs, curve, label=method, color=f"C{k}")
        by_time.plot(epochs * results[method]["seconds_closed_form"] / len(curve), curve, label=method, color=f"C{k}")
        by_time.axvline(POST_SECONDS[method] * len(curve) / EPOCHS, color=f"C{k}", linestyle=":", linewidth=1)
    by_epoch.set(xscale="log", yscale="log", xlabel="epoch", ylabel="mean squared error",
                 title="the same epochs: SGD learns most per epoch")
    by_time.set(xscale="log", xlabel="seconds (measured here, closed form)",
                title="the same clock (dotted: the post's totals)")
    for ax in (by_epoch, by_time):
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle("Delta rule on [0, 0, 1, 1]: SGD vs batch vs mini-batch")
    fig.tight_layout()
    return support.save_figure(fig, path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    parser = support.parser(__doc__)
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"epochs per method (default {EPOCHS})")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per method; the median is shown (default 3)")
    args = support.parse(parser, argv, at_least={"epochs": 1, "repeats": 1})

    print(f"initial weights (seed {args.seed}): {np.round(initial_weights(args.seed), 4).tolist()}\n")
    results = run(args.seed, args.epochs, args.repeats)
    print_table(results, args.epochs, f"Targets [0, 0, 1, 1], alpha {ALPHA}, {args.epochs} epochs")
    curves = {m: error_curve(initial_weights(args.seed), TARGETS, b, args.epochs) for m, b in METHODS.items()}
    code = support.finite_or_exit(parser.prog, **{"SGD error": results["SGD"]["error"]})
    if code:
        return code
    png = plot_errors(curves, results, args.out / "delta_rule_errors.png")
    if png:
        print(f"\nwrote {png}")

    print()
    xor = run(args.seed, args.epochs, 1, XOR_TARGETS)
    print_table(xor, args.epochs, "The same neuron on XOR targets [0, 1, 1, 0]: no line separates them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
