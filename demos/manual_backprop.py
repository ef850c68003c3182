"""backward() is the chain rule: a 2-2-1 sigmoid XOR network trained twice.

Once with gradients written by hand, layer by layer, in the seed post's
explicit form (``d_w1 = X^T d_l1``), and once with the engine's
``backward()``. At every step the two sets of gradients must agree to 1e-10
(float64); the demo stops with an error the moment they do not.

    python demos/manual_backprop.py --seed 0
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from autograd_mlp.demos import _support as support

from autograd_mlp import Tensor

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
Y = np.array([[0], [1], [1], [0]], dtype=np.float64)
TOLERANCE = 1e-10


def init_params(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "w1": rng.normal(0.0, 1.0, (2, 2)),
        "b1": np.zeros(2),
        "w2": rng.normal(0.0, 1.0, (2, 1)),
        "b2": np.zeros(1),
    }


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def manual_step(p: dict[str, np.ndarray]) -> tuple[float, dict[str, np.ndarray]]:
    """Forward, binary cross-entropy, and every gradient written out by hand."""
    n = len(X)
    l1 = sigmoid(X @ p["w1"] + p["b1"])  # hidden layer, (4, 2)
    out = sigmoid(l1 @ p["w2"] + p["b2"])  # prediction, (4, 1)
    loss = float(-np.mean(Y * np.log(out) + (1 - Y) * np.log(1 - out)))
    # d loss / d (pre-sigmoid output): BCE and sigmoid together give (out - y) / n
    d_out = (out - Y) / n
    d_w2 = l1.T @ d_out
    d_b2 = d_out.sum(axis=0)
    d_l1 = (d_out @ p["w2"].T) * l1 * (1 - l1)  # back through w2, then through the sigmoid
    d_w1 = X.T @ d_l1
    d_b1 = d_l1.sum(axis=0)
    return loss, {"w1": d_w1, "b1": d_b1, "w2": d_w2, "b2": d_b2}


def engine_step(p: dict[str, np.ndarray]) -> tuple[float, dict[str, np.ndarray]]:
    """The same forward and loss with Tensors; backward() finds the gradients."""
    t = {k: Tensor(v, requires_grad=True) for k, v in p.items()}
    l1 = (Tensor(X) @ t["w1"] + t["b1"]).sigmoid()
    out = (l1 @ t["w2"] + t["b2"]).sigmoid()
    loss = -(Y * out.log() + (1 - Y) * (1 - out).log()).mean()
    loss.backward()
    return loss.item(), {k: v.grad for k, v in t.items()}


def train(seed: int = 0, steps: int = 5000, lr: float = 1.0) -> dict:
    """Train both ways from the same start; check the gradients agree at every step."""
    manual = init_params(seed)
    engine = {k: v.copy() for k, v in manual.items()}
    manual_losses, engine_losses, differences, worst = [], [], [], 0.0
    for step in range(steps):
        loss_m, grads_m = manual_step(manual)
        loss_e, grads_e = engine_step(engine)
        differences.append(max(float(np.max(np.abs(grads_m[k] - grads_e[k]))) for k in manual))
        for name in manual:
            diff = float(np.max(np.abs(grads_m[name] - grads_e[name])))
            worst = max(worst, diff)
            if diff > TOLERANCE:
                raise AssertionError(f"step {step}: d loss/d {name} differs by {diff:.3g} > {TOLERANCE}")
            manual[name] -= lr * grads_m[name]
            engine[name] -= lr * grads_e[name]
        manual_losses.append(loss_m)
        engine_losses.append(loss_e)
    predictions = sigmoid(sigmoid(X @ engine["w1"] + engine["b1"]) @ engine["w2"] + engine["b2"])[:, 0]
    return {
        "manual_losses": np.array(manual_losses),
        "engine_losses": np.array(engine_losses),
        "max_gradient_difference": worst,
        "gradient_differences": np.array(differences),
        "predictions": predictions,
        "accuracy": float(np.mean((predictions > 0.5) == (Y[:, 0] > 0.5))),
    }


def plot(result: dict, path: Path) -> Path | None:
    """The losses of both trainings, and the largest gradient difference of every step (the claim)."""
    plt = support.pyplot()
    if plt is None:
        return None
    fig, (ax, diff) = plt.subplots(1, 2, figsize=(11, 4))
    ax.plot(result["manual_losses"], label="hand-written chain rule", linewidth=3, alpha=0.6)
    ax.plot(result["engine_losses"], label="backward()", linestyle="--")
    ax.set(xlabel="step", ylabel="binary cross-entropy", yscale="log", title="the two losses are one curve")
    ax.legend()
    d = result["gradient_differences"]
    diff.plot(np.where(d > 0, d, np.nan), ".", markersize=2)  # exact zeros have no place on a log axis
    diff.axhline(TOLERANCE, color="tab:red", linestyle=":", label=f"tolerance {TOLERANCE:g}")
    diff.axhline(np.finfo(np.float64).eps, color="gray", linestyle=":", label="float64 epsilon 2.2e-16")
    diff.set(xlabel="step", ylabel="max |manual - backward()|", yscale="log", ylim=(1e-19, 1e-8),
             title=f"gradient difference per step ({int(np.sum(d == 0))} steps exactly 0)")
    diff.legend(loc="upper right")
    fig.suptitle("2-2-1 sigmoid network on XOR: hand-written backprop vs backward()")
    fig.tight_layout()
    return support.save_figure(fig, path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    parser = support.parser(__doc__)
    parser.add_argument("--steps", type=int, default=5000, help="gradient steps (default 5000)")
    parser.add_argument("--lr", type=float, default=1.0, help="learning rate (default 1.0)")
    args = support.parse(parser, argv, at_least={"steps": 1}, positive=("lr",))
    result = train(args.seed, args.steps, args.lr)
    print(f"{args.steps} steps, lr {args.lr}, seed {args.seed}")
    print(f"largest |manual - backward()| gradient difference over all steps: {result['max_gradient_difference']:.2e}"
          f" (tolerance {TOLERANCE:g})")
    print(f"{'step':>6}  {'loss (manual)':>14}  {'loss (backward)':>15}")
    for step in sorted({0, args.steps // 10, args.steps // 2, args.steps - 1}):
        print(f"{step:>6}  {result['manual_losses'][step]:>14.6f}  {result['engine_losses'][step]:>15.6f}")
    print("XOR predictions:", np.round(result["predictions"], 4).tolist(), f"accuracy {result['accuracy']:.0%}")
    code = support.finite_or_exit(parser.prog, loss=result["engine_losses"][-1])
    if code:
        return code
    png = plot(result, args.out / "manual_backprop_loss.png")
    if png:
        print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
