"""Three-class 2-D classification: a linear model against an MLP on interleaved spirals.

The lesson. Softmax regression (one ``Linear(2, 3)`` layer: three scores,
each a linear function of the point) splits the plane into three regions
with straight borders. Three spiral arms wind around each other, so no such
split can follow them: the linear model stays near 50% accuracy however
long it trains. An MLP with one hidden layer of 200 ReLU units (2-200-3)
bends its borders along the arms and gets close to 100%.

Both models train the same way: softmax cross-entropy, plain SGD on
shuffled mini-batches. The data is split into train (60%), validation
(20%) and test (20%): the model learns from the train split, we watch the
validation split during training (is it still improving? overfitting?),
and the test split is looked at once, at the end.

    python demos/classify_2d.py --seed 0 --out out/
    python demos/classify_2d.py --dataset blobs     # three round clouds: there a line is enough

Printed: a table of train/validation loss and accuracy every few epochs and
the final numbers (same seed -> the same numbers; only the wall-time line
changes). Pictures: classify_2d_curves.png (loss and accuracy per epoch,
both models) and classify_2d_regions.png (true test labels, predicted test
labels and predictions on the training set, over each model's shaded
decision regions).
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

CLASSES = 3
DATASETS = ("spirals", "blobs")
DEFAULT_SAMPLES = 600
DEFAULT_NOISE = 0.2
DEFAULT_EPOCHS = 150
DEFAULT_BATCH = 32
# lr 0.5 learns as fast but its curves jump about; 0.2 gives smooth curves in a few seconds.
DEFAULT_LR = 0.2
DEFAULT_HIDDEN = 200
COLORS = ("tab:blue", "tab:orange", "tab:green")  # one per class, in every picture


# -------------------------------------------------------------------- data


def make_splits(
    seed: int = 0, samples: int = DEFAULT_SAMPLES, noise: float = DEFAULT_NOISE, dataset: str = "spirals"
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The dataset split 60/20/20 into "train", "validation" and "test": (X float32 (n, 2), y int64 (n,)) each."""
    if dataset == "spirals":
        X, y = am.data.make_spirals(samples, CLASSES, noise, seed=seed)
    elif dataset == "blobs":
        X, y = am.data.make_blobs(samples, CLASSES, spread=1.0, seed=seed)  # `noise` is for the spirals
    else:
        raise ValueError(f"unknown dataset {dataset!r}; use one of {DATASETS}")
    X = X.astype(np.float32)  # the library's default dtype, as in PyTorch
    train, rest = am.data.train_test_split(X, y, test_fraction=0.4, seed=seed)
    validation, test = am.data.train_test_split(*rest, test_fraction=0.5, seed=seed)
    return {"train": train, "validation": validation, "test": test}


# ------------------------------------------------------------------ models


def make_model(kind: str, hidden: int = DEFAULT_HIDDEN, rng: np.random.Generator | int | None = None) -> nn.Module:
    """"linear": softmax regression, Linear(2, 3). "mlp": 2-hidden-3 with ReLU. Both output logits."""
    if kind == "linear":
        return nn.Linear(2, CLASSES, rng=rng)
    if kind == "mlp":
        return nn.sequential_mlp([2, hidden, CLASSES], "relu", rng=rng)
    raise ValueError(f"unknown model kind {kind!r}")


def model_name(kind: str, hidden: int) -> str:
    return "linear 2-3 (softmax regression)" if kind == "linear" else f"MLP 2-{hidden}-3 (ReLU)"


def predict(model: nn.Module, X: np.ndarray) -> np.ndarray:
    """The predicted class of each row: the largest of the three scores."""
    with am.no_grad():
        return model(am.Tensor(np.asarray(X, dtype=np.float32))).numpy().argmax(axis=1)


def evaluate(model: nn.Module, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Mean cross-entropy and accuracy on a whole split (records no graph)."""
    with am.no_grad():
        logits = model(am.Tensor(X))
        loss = nn.CrossEntropyLoss()(logits, y).item()
    return loss, float(np.mean(logits.numpy().argmax(axis=1) == y))


# ---------------------------------------------------------------- training


def train(
    model: nn.Module,
    splits: dict[str, tuple[np.ndarray, np.ndarray]],
    epochs: int = DEFAULT_EPOCHS,
    batch_size: int = DEFAULT_BATCH,
    lr: float = DEFAULT_LR,
    rng: np.random.Generator | None = None,
) -> dict[str, np.ndarray]:
    """Mini-batch SGD on cross-entropy; after every epoch, loss and accuracy on train and validation.

    The history arrays have ``epochs + 1`` entries: entry 0 is the untrained
    model, so every curve starts from the same chance-level point.
    """
    X_train, y_train = splits["train"]
    loader = am.data.DataLoader(X_train, y_train, batch_size=batch_size, shuffle=True, rng=rng)
    optimizer = am.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    history: dict[str, list[float]] = {k: [] for k in ("train_loss", "train_acc", "val_loss", "val_acc")}

    def record() -> None:
        # Measured on the whole splits after the epoch (not averaged over the
        # batches while the weights were moving), so train and validation
        # numbers are comparable.
        for split, prefix in (("train", "train"), ("validation", "val")):
            loss, acc = evaluate(model, *splits[split])
            history[f"{prefix}_loss"].append(loss)
            history[f"{prefix}_acc"].append(acc)

    record()
    for _ in range(epochs):
        for xb, yb in loader:
            loss = loss_fn(model(am.Tensor(xb)), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        record()
    return {k: np.array(v) for k, v in history.items()}


def run(
    seed: int = 0,
    samples: int = DEFAULT_SAMPLES,
    noise: float = DEFAULT_NOISE,
    epochs: int = DEFAULT_EPOCHS,
    batch_size: int = DEFAULT_BATCH,
    lr: float = DEFAULT_LR,
    hidden: int = DEFAULT_HIDDEN,
    dataset: str = "spirals",
) -> dict[str, Any]:
    """Train both models on the same splits; return the splits and, per model, its history and test score.

    Keys: "splits", "linear", "mlp". Each model's dict holds "name",
    "model", "history", "test_loss" and "test_acc".
    """
    splits = make_splits(seed, samples, noise, dataset)
    results: dict[str, Any] = {"splits": splits, "dataset": dataset}
    for kind in ("linear", "mlp"):
        # Each model gets its own generator from the seed (weights, then batch
        # order), so one model's training does not change the other's.
        rng = np.random.default_rng(seed)
        model = make_model(kind, hidden, rng)
        history = train(model, splits, epochs, batch_size, lr, rng)
        test_loss, test_acc = evaluate(model, *splits["test"])
        results[kind] = {
            "name": model_name(kind, hidden),
            "model": model,
            "history": history,
            "test_loss": test_loss,
            "test_acc": test_acc,
        }
    return results


# ------------------------------------------------------------------ report


def format_table(results: dict[str, Any], every: int) -> str:
    """Train/validation loss and accuracy of both models every ``every`` epochs, then the final numbers."""
    lin, mlp = results["linear"], results["mlp"]
    epochs = len(lin["history"]["train_loss"]) - 1
    sizes = ", ".join(f"{name} {len(y)}" for name, (_, y) in results["splits"].items())
    short = mlp["name"].split(" (")[0]  # "MLP 2-200-3"
    head = f"{'':>6} | {'linear 2-3':^31} | {short:^31}"
    cols = f"{'epoch':>6} | " + " | ".join([f"{'train loss':>10} {'acc':>4}  {'val loss':>8} {'acc':>4}"] * 2)
    lines = [f"{results['dataset']}: {sizes} points", "", head, cols, "-" * len(cols)]
    for e in sorted({*range(0, epochs + 1, every), epochs}):
        cells = []
        for r in (lin, mlp):
            h = r["history"]
            cells.append(f"{h['train_loss'][e]:>10.4f} {h['train_acc'][e]:>4.0%}  {h['val_loss'][e]:>8.4f} {h['val_acc'][e]:>4.0%}")
        lines.append(f"{e:>6} | " + " | ".join(cells))
    lines += ["", f"final (after {epochs} epochs){'':11}train acc  val acc  test acc  test loss"]
    for r in (lin, mlp):
        h = r["history"]
        lines.append(
            f"  {r['name']:<35} {h['train_acc'][-1]:>8.1%} {h['val_acc'][-1]:>8.1%} {r['test_acc']:>9.1%} {r['test_loss']:>10.4f}"
        )
    gap_val = 100 * (mlp["history"]["val_acc"][-1] - lin["history"]["val_acc"][-1])
    gap_test = 100 * (mlp["test_acc"] - lin["test_acc"])
    lines.append(f"the MLP is {gap_val:+.1f} points ahead on validation, {gap_test:+.1f} on test")
    return "\n".join(lines)


# --------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = support.parser(__doc__)
    parser.add_argument("--dataset", choices=DATASETS, default="spirals", help="spirals (default) or blobs")
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, help=f"points in all (default {DEFAULT_SAMPLES})")
    parser.add_argument("--noise", type=float, default=DEFAULT_NOISE, help=f"noise of the spiral angles (default {DEFAULT_NOISE:g}; not used by blobs)")
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS, help=f"passes over the train split (default {DEFAULT_EPOCHS})")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help=f"mini-batch size (default {DEFAULT_BATCH})")
    parser.add_argument("--lr", type=float, default=DEFAULT_LR, help=f"SGD learning rate (default {DEFAULT_LR:g})")
    parser.add_argument("--hidden", type=int, default=DEFAULT_HIDDEN, help=f"hidden ReLU units of the MLP (default {DEFAULT_HIDDEN})")
    parser.add_argument("--print-every", type=int, default=None, help="table row every N epochs (default epochs / 10)")
    args = support.parse(parser, argv, at_least={"noise": 0, "epochs": 1, "batch-size": 1, "hidden": 1,
                                                 "print-every": 1}, positive=("lr",))
    if args.samples < 10 * CLASSES:
        parser.error(f"--samples must be at least {10 * CLASSES} (a few points per class in every split)")
    every = args.print_every or max(1, args.epochs // 10)

    start = time.perf_counter()
    print(
        f"seed {args.seed}: {args.samples} points, 3 classes; cross-entropy, SGD lr {args.lr:g}, "
        f"batch {args.batch_size}, {args.epochs} epochs"
    )
    results = run(args.seed, args.samples, args.noise, args.epochs, args.batch_size, args.lr, args.hidden, args.dataset)
    print(format_table(results, every))
    code = support.finite_or_exit(parser.prog, **{"MLP's test loss": results["mlp"]["test_loss"]})
    if code:
        return code
    for png in (_plots.classify_2d_curves(results, args.out / "classify_2d_curves.png"),
                _plots.classify_2d_regions(results, args.out / "classify_2d_regions.png")):
        if png:
            print(f"wrote {png}")
    print(f"wall time: {time.perf_counter() - start:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
