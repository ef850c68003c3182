"""Logic gates: one perceptron learns AND and OR but not XOR; one hidden layer fixes it.

The lesson. A perceptron here is a single sigmoid neuron with two inputs
and a bias, ``p = sigmoid(w1*x1 + w2*x2 + b)``. It answers 1 where
``w1*x1 + w2*x2 + b > 0``: on one side of a straight line. It is trained on
the four rows of a truth table at once (a 4x2 batch `Tensor`) with binary
cross-entropy and plain full-batch SGD.

* AND and OR: a line separates the 1s from the 0s, and the neuron finds it
  (100% of the rows right).
* XOR: (0,1) and (1,0) must be on one side, (0,0) and (1,1) on the other,
  and no straight line does that. The best a line can do is 3 rows out of
  4; under cross-entropy the neuron does not even try: the loss is lowest
  with w = 0 and b = 0, so the outputs slide to 0.5 for every input and the
  neuron answers "I don't know" everywhere (50% of the rows right).
* An MLP with one hidden layer (2 -> 4 tanh -> 1 sigmoid) draws two lines
  and combines them: XOR at 100%.

The picture (gates_boundaries.png) shades each model's output over the
plane, draws its 0.5 contour (the decision boundary) and the four points;
on the MLP's panel, each hidden unit's own line (w·x + b = 0, where its tanh
changes sign) is dashed: the post's "draw one more line".

    python demos/gates.py --seed 0 --out out/
    python demos/gates.py --steps 3000 --lr 0.5 --hidden 8

Same seed -> the same printed numbers on every run (only the final wall-time
line changes).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from autograd_mlp.demos import _plots
from autograd_mlp.demos import _support as support

import autograd_mlp as am
from autograd_mlp import nn

# The four rows of a two-input truth table, as a (4, 2) batch.
INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
GATES: dict[str, list[int]] = {
    "AND": [0, 0, 0, 1],
    "OR": [0, 1, 1, 1],
    "XOR": [0, 1, 1, 0],
}

DEFAULT_STEPS = 1000
DEFAULT_LR = 1.0
# 2-4-1 tanh learns XOR with these steps and lr from every seed we tried
# (0..39); a 2-2-1 net can get stuck in a local minimum from some seeds.
DEFAULT_HIDDEN = 4
PNG_NAME = "gates_boundaries.png"


# ------------------------------------------------------------------ models


def make_perceptron(seed: int) -> nn.Sequential:
    """One sigmoid neuron: Linear(2, 1) (two weights and a bias) followed by a sigmoid."""
    return nn.Sequential(nn.Linear(2, 1, rng=seed), nn.Sigmoid())


def make_mlp(seed: int, hidden: int = DEFAULT_HIDDEN) -> nn.Sequential:
    """2 -> hidden (tanh) -> 1 (sigmoid): the hidden layer lets the boundary bend."""
    rng = np.random.default_rng(seed)  # one generator, drawn layer after layer
    return nn.Sequential(
        nn.Linear(2, hidden, rng=rng),
        nn.Tanh(),
        nn.Linear(hidden, 1, rng=rng),
        nn.Sigmoid(),
    )


def predict(model: nn.Module, points: np.ndarray) -> np.ndarray:
    """The model's output (the probability of a 1) for each row of ``points``, shape (n,)."""
    with am.no_grad():  # evaluation only: record no graph
        return model(am.Tensor(np.asarray(points, dtype=np.float32))).numpy()[:, 0]


# ---------------------------------------------------------------- training


def train(model: nn.Module, targets: Sequence[int], steps: int = DEFAULT_STEPS, lr: float = DEFAULT_LR) -> dict[str, Any]:
    """Full-batch SGD on binary cross-entropy over the four rows; return outputs, predictions, accuracy.

    Every step sees the whole truth table: one forward pass of the (4, 2)
    batch, one loss, one backward pass, one update.
    """
    x = am.Tensor(INPUTS)
    y = am.Tensor(np.asarray(targets, dtype=np.float32).reshape(-1, 1))  # (4, 1), like the output
    loss_fn = nn.BCELoss()
    optimizer = am.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    outputs = predict(model, INPUTS)
    # Exactly 0.5 is no decision for class 1: an undecided model scores 50%, not 100% on one class.
    predictions = (outputs > 0.5).astype(int)
    targets = np.asarray(targets)
    with am.no_grad():
        final_loss = loss_fn(model(x), y).item()
    return {
        "targets": targets,
        "outputs": outputs,
        "predictions": predictions,
        "accuracy": float(np.mean(predictions == targets)),
        "loss": final_loss,
        "losses": np.array(losses),
        "model": model,
    }


def perceptron_line(model: nn.Sequential) -> tuple[float, float, float]:
    """The learned (w1, w2, b) of a perceptron: it answers 1 where w1*x1 + w2*x2 + b > 0."""
    layer = model[0]
    w1, w2 = (float(v) for v in layer.weight.numpy()[0])
    return w1, w2, float(layer.bias.numpy()[0])


def run(seed: int = 0, steps: int = DEFAULT_STEPS, lr: float = DEFAULT_LR, hidden: int = DEFAULT_HIDDEN) -> dict[str, dict[str, Any]]:
    """Train a perceptron on each gate and the MLP on XOR, all from ``seed``.

    Every perceptron starts from the same initial weights, so the three
    runs differ only in their targets. Keys: "AND", "OR", "XOR" (the
    perceptrons) and "XOR (MLP)"; each value is `train`'s dict plus "title".
    """
    results: dict[str, dict[str, Any]] = {}
    for gate, targets in GATES.items():
        result = train(make_perceptron(seed), targets, steps, lr)
        result["title"] = f"{gate}: perceptron"
        results[gate] = result
    result = train(make_mlp(seed, hidden), GATES["XOR"], steps, lr)
    result["title"] = f"XOR: MLP 2-{hidden}-1"
    results["XOR (MLP)"] = result
    return results


# ------------------------------------------------------------------ report


def format_results(results: dict[str, dict[str, Any]], steps: int, lr: float) -> str:
    """Each truth table with the model's outputs and predictions, then a summary, as text."""
    lines = [f"Full-batch SGD (lr {lr:g}, {steps:,} steps) on binary cross-entropy; prediction = 1 if output > 0.5", ""]
    for name, r in results.items():
        lines.append(r["title"])
        lines.append(f"{'x1':>4} {'x2':>3} {'target':>7} {'output':>8} {'prediction':>11}")
        for (x1, x2), t, p, pred in zip(INPUTS, r["targets"], r["outputs"], r["predictions"]):
            mark = "" if pred == t else "   <- wrong"
            lines.append(f"{x1:>4.0f} {x2:>3.0f} {t:>7d} {p:>8.4f} {pred:>11d}{mark}")
        line = f"accuracy {r['accuracy']:.0%}, final loss {r['loss']:.4f}"
        if name in GATES:  # a perceptron: its boundary is a straight line we can print
            w1, w2, b = perceptron_line(r["model"])
            if max(abs(w1), abs(w2), abs(b)) < 5e-4:
                line += ", w1 = w2 = b = 0.000: no boundary, just 0.5 everywhere"
            else:
                line += f", boundary {_plain(w1)}*x1 {_signed(w2)}*x2 {_signed(b)} = 0"
        lines += [line, ""]

    xor = results["XOR"]
    spread = float(np.max(np.abs(xor["outputs"] - 0.5)))
    lines += [
        "Summary",
        f"  perceptron: AND {results['AND']['accuracy']:.0%}, OR {results['OR']['accuracy']:.0%}, "
        f"XOR {xor['accuracy']:.0%} (every output within {spread:.1e} of 0.5)",
        f"  {results['XOR (MLP)']['title'][5:]}: XOR {results['XOR (MLP)']['accuracy']:.0%}",
        "",
        "One straight line separates AND's 1s from its 0s, and OR's, but not XOR's:",
        "the perceptron settles on 0.5 everywhere. The hidden layer bends the boundary.",
    ]
    return "\n".join(lines)


def _plain(v: float) -> str:
    """v to 3 decimals; a tiny negative number prints as 0.000, not -0.000."""
    return f"{v if round(v, 3) != 0 else 0.0:.3f}"


def _signed(v: float) -> str:
    """'+ 1.234' or '- 1.234', for the terms of an equation."""
    return f"{'-' if round(v, 3) < 0 else '+'} {_plain(abs(v))}"


# --------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = support.parser(__doc__)
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS, help=f"SGD steps per model (default {DEFAULT_STEPS})")
    parser.add_argument("--lr", type=float, default=DEFAULT_LR, help=f"SGD learning rate (default {DEFAULT_LR:g})")
    parser.add_argument("--hidden", type=int, default=DEFAULT_HIDDEN, help=f"hidden units of the MLP (default {DEFAULT_HIDDEN})")
    args = support.parse(parser, argv, at_least={"steps": 1, "hidden": 1}, positive=("lr",))

    start = time.perf_counter()
    results = run(args.seed, args.steps, args.lr, args.hidden)
    print(f"seed {args.seed}")
    print(format_results(results, args.steps, args.lr))
    code = support.finite_or_exit(parser.prog, **{"MLP's loss": results["XOR (MLP)"]["loss"]})
    if code:
        return code
    png = _plots.gates_boundaries(results, args.out / PNG_NAME)
    if png:
        print(f"\nwrote {png}")
    print(f"wall time: {time.perf_counter() - start:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
