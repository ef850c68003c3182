"""Function fitting: a 1-6-1 ReLU MLP learns y = x^3 + x^2 - x - 1, but only where it has seen data.

The lesson. An MLP is a function approximator: trained on samples of
x in [-5, 5], a small network with 6 ReLU units follows the cubic closely
there. But a ReLU network is piecewise linear: each hidden unit bends the
line at one x (where its w*x + b crosses 0), and beyond the last bend the
fit is a straight line. The cubic keeps curving, so outside the training
range, on [-7, -5) and (5, 7], the error explodes. The network learned the
data, not the formula.

Training: x drawn uniformly from [-5, 5] (seeded), mean squared error,
Adam (lr 0.01), shuffled mini-batches. A progress bar (tqdm, if installed)
on stderr shows the loss; the numbers on stdout are the same on every run
with the same seed (only the final wall-time line changes).

    python demos/function_fit.py --seed 0 --out out/
    python demos/function_fit.py --epochs 300 --hidden 12 --no-progress

The picture (function_fit.png): truth and fit over [-7, 7] with the
training range shaded, the bends of the fit marked, and the loss curve.
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

TRAIN_RANGE = (-5.0, 5.0)
PLOT_RANGE = (-7.0, 7.0)  # the fit is judged on [-7, -5) U (5, 7] too: data it never saw

DEFAULT_SAMPLES = 1000
DEFAULT_EPOCHS = 100
DEFAULT_BATCH = 32
DEFAULT_LR = 0.01
DEFAULT_HIDDEN = 6
PNG_NAME = "function_fit.png"


def target(x: np.ndarray) -> np.ndarray:
    """The function to learn: y = x^3 + x^2 - x - 1."""
    return x**3 + x**2 - x - 1


def make_data(samples: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``samples`` points x ~ U(-5, 5) and their exact y = target(x) (no noise: the lesson is extrapolation)."""
    x = rng.uniform(*TRAIN_RANGE, samples)
    return x, target(x)


def evaluation_points() -> tuple[np.ndarray, np.ndarray]:
    """Evenly spaced x inside [-5, 5] and outside, on [-7, -5) U (5, 7], for the MSEs."""
    lo, hi = TRAIN_RANGE
    inside = np.linspace(lo, hi, 1001)
    left = np.linspace(PLOT_RANGE[0], lo, 201)[:-1]  # -5 itself is inside
    right = np.linspace(hi, PLOT_RANGE[1], 201)[1:]
    return inside, np.concatenate([left, right])


# -------------------------------------------------------------- progress


class Progress:
    """A progress bar over epochs on stderr: tqdm if it is installed, else a plain line every 10%.

    ``enabled=False`` shows nothing. stderr keeps stdout (the numbers) clean.
    """

    def __init__(self, epochs: int, enabled: bool = True) -> None:
        self.epochs = epochs
        self.enabled = enabled
        self.epoch = 0
        self._bar = None
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                print("(tqdm is not installed: plain progress lines instead of a bar)", file=sys.stderr)
            else:
                self._bar = tqdm(total=epochs, desc="training", unit="epoch", file=sys.stderr)

    def update(self, mse: float) -> None:
        """One epoch is done; ``mse`` is its training loss (in the units of y)."""
        self.epoch += 1
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.set_postfix(mse=f"{mse:.2f}", refresh=False)
            self._bar.update()
        elif self.epoch == self.epochs or self.epoch % max(1, self.epochs // 10) == 0:
            print(f"epoch {self.epoch:>{len(str(self.epochs))}}/{self.epochs}  mse {mse:.2f}", file=sys.stderr)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


# ---------------------------------------------------------------- training


def train(
    seed: int = 0,
    samples: int = DEFAULT_SAMPLES,
    epochs: int = DEFAULT_EPOCHS,
    batch_size: int = DEFAULT_BATCH,
    lr: float = DEFAULT_LR,
    hidden: int = DEFAULT_HIDDEN,
    progress: bool = False,
) -> dict[str, Any]:
    """Fit a 1-hidden-1 ReLU MLP to the cubic on [-5, 5]; return the model, scaling and per-epoch MSE.

    One generator, drawn in a fixed order (data, weights, batch order),
    makes everything a function of ``seed``.
    """
    rng = np.random.default_rng(seed)
    x, y = make_data(samples, rng)

    # Targets are standardised: y reaches about -100 and +150 on [-5, 5],
    # so the raw squared errors (and gradients) start in the thousands and
    # Adam's lr 0.01 would need thousands of steps just to move the output
    # bias that far. On (y - mean) / std the loss starts near 1 and the
    # network learns the shape, not the scale. Predictions are mapped back.
    # The inputs are left as they are on purpose: each ReLU unit bends at
    # x = -b/w, and with the default initial w, b ~ U(-1, 1) those bends
    # already fall across [-5, 5]. Squeezing x into [-1, 1] puts most bends
    # outside the data, and in our runs the fit came out several times worse.
    y_mean, y_std = float(y.mean()), float(y.std())
    inputs = x.astype(np.float32).reshape(-1, 1)
    targets = ((y - y_mean) / y_std).astype(np.float32).reshape(-1, 1)

    model = nn.sequential_mlp([1, hidden, 1], "relu", rng=rng)
    optimizer = am.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    loader = am.data.DataLoader(inputs, targets, batch_size=batch_size, shuffle=True, rng=rng)

    bar = Progress(epochs, progress)
    epoch_mse = []
    try:
        for _ in range(epochs):
            total = 0.0
            for xb, yb in loader:
                loss = loss_fn(model(am.Tensor(xb)), am.Tensor(yb))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(xb)
            # The epoch's mean loss on the standardised targets, back in units of y^2.
            epoch_mse.append(total / samples * y_std**2)
            bar.update(epoch_mse[-1])
    finally:
        bar.close()
    return {
        "model": model,
        "y_mean": y_mean,
        "y_std": y_std,
        "x_train": x,
        "y_train": y,
        "epoch_mse": np.array(epoch_mse),
    }


def predict(result: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """The fitted function at ``x``, in the units of y."""
    with am.no_grad():
        scaled = result["model"](am.Tensor(np.asarray(x, dtype=np.float32).reshape(-1, 1))).numpy()[:, 0]
    return scaled.astype(np.float64) * result["y_std"] + result["y_mean"]


def bends(result: dict[str, Any]) -> np.ndarray:
    """The x where each hidden ReLU unit switches on or off (w*x + b = 0), sorted; units with w = 0 never bend."""
    first = result["model"][0]
    w = first.weight.numpy()[:, 0].astype(np.float64)
    b = first.bias.numpy().astype(np.float64)
    return np.sort(-b[w != 0] / w[w != 0])


def evaluate(result: dict[str, Any]) -> dict[str, float]:
    """MSE of the fit inside the training range and outside it, and the variance of y inside (for scale)."""
    inside, outside = evaluation_points()
    y_in, y_out = target(inside), target(outside)
    return {
        "mse_inside": float(np.mean((predict(result, inside) - y_in) ** 2)),
        "mse_outside": float(np.mean((predict(result, outside) - y_out) ** 2)),
        "var_inside": float(np.var(y_in)),
    }


# ------------------------------------------------------------------ report


def format_report(result: dict[str, Any], scores: dict[str, float], hidden: int) -> str:
    lo, hi = TRAIN_RANGE
    curve = result["epoch_mse"]
    epochs = len(curve)
    lines = ["training MSE (mean over each epoch's batches, units of y^2):"]
    for e in sorted({1, *range(max(1, epochs // 5), epochs + 1, max(1, epochs // 5)), epochs}):
        lines.append(f"  epoch {e:>{len(str(epochs))}}  {curve[e - 1]:12.3f}")
    ratio = scores["mse_outside"] / scores["mse_inside"]
    kinks = bends(result)
    shown = kinks[(kinks >= PLOT_RANGE[0]) & (kinks <= PLOT_RANGE[1])]
    lines += [
        "",
        f"MSE inside  [{lo:g}, {hi:g}]:            {scores['mse_inside']:12.3f}"
        f"   ({scores['mse_inside'] / scores['var_inside']:.2%} of the variance of y there, {scores['var_inside']:.1f})",
        f"MSE outside [-7, -5) U (5, 7]:    {scores['mse_outside']:12.3f}   ({ratio:,.0f} times larger)",
        "",
        f"The {hidden} ReLU units bend the fit at x = {', '.join(f'{k:.2f}' for k in shown) or '(none in [-7, 7])'}"
        f" ({len(kinks) - len(shown)} more outside [-7, 7], where they only add a straight line).",
        "Past the outermost bend the fit is a straight line; the cubic is not.",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = support.parser(__doc__)
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, help=f"training points (default {DEFAULT_SAMPLES})")
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS, help=f"passes over the data (default {DEFAULT_EPOCHS})")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help=f"mini-batch size (default {DEFAULT_BATCH})")
    parser.add_argument("--lr", type=float, default=DEFAULT_LR, help=f"Adam learning rate (default {DEFAULT_LR:g})")
    parser.add_argument("--hidden", type=int, default=DEFAULT_HIDDEN, help=f"hidden ReLU units (default {DEFAULT_HIDDEN})")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    args = support.parse(parser, argv, at_least={"samples": 2, "epochs": 1, "batch-size": 1, "hidden": 1},
                         positive=("lr",))

    start = time.perf_counter()
    print(
        f"seed {args.seed}: 1-{args.hidden}-1 ReLU MLP on y = x^3 + x^2 - x - 1, {args.samples} samples of x in [-5, 5], "
        f"{args.epochs} epochs, batch {args.batch_size}, Adam lr {args.lr:g}"
    )
    result = train(args.seed, args.samples, args.epochs, args.batch_size, args.lr, args.hidden,
                   progress=not args.no_progress)
    scores = evaluate(result)
    print(format_report(result, scores, args.hidden))
    code = support.finite_or_exit(parser.prog, **{"training error": float(result["epoch_mse"][-1])})
    if code:
        return code
    png = _plots.function_fit(result, scores, args.out / PNG_NAME)
    if png:
        print(f"\nwrote {png}")
    print(f"wall time: {time.perf_counter() - start:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
