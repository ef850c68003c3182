"""An MNIST MLP from numpy layers, every backward pass written by hand (post 002).

The post "Python으로 MLP 바닥부터 구현하기" builds Linear, Sigmoid, Dropout and a
softmax cross-entropy from numpy, derives each layer's backward pass
(dL/dW = x^T dz, dL/db = sum dz, dL/dx = dz W^T, sigma' = sigma(1 - sigma)),
and trains Linear -> Sigmoid -> Dropout(0.3) -> Linear -> Sigmoid -> Linear
on 5,000 MNIST images for 10 epochs, testing on 1,000. This demo does the
same (Adam lr 0.01 and batches of 50 as in the post's code; 64 hidden
units where its code defaults to 28, for a margin over 90%: ``--hidden 28``
runs that size), and on the first batch of every epoch it checks every
hand-written gradient against autograd_mlp's backward() on the same batch.

    python demos/mlp_from_scratch.py --seed 0
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
from autograd_mlp.demos import _support as support

from autograd_mlp import Tensor
from autograd_mlp.data import load_mnist_splits
from autograd_mlp.nn import cross_entropy

TOLERANCE = 1e-6  # float64: the two gradients differ by rounding only (~1e-16)


class Linear:
    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator) -> None:
        bound = 1 / np.sqrt(n_in)  # PyTorch's default U(-1/sqrt(in), 1/sqrt(in))
        self.W = rng.uniform(-bound, bound, (n_in, n_out))
        self.b = rng.uniform(-bound, bound, n_out)

    def forward(self, x: np.ndarray) -> np.ndarray:  # y = xW + b
        self.x = x
        return x @ self.W + self.b

    def backward(self, dz: np.ndarray) -> np.ndarray:  # dW = x^T dz, db = sum dz, dx = dz W^T
        self.dW, self.db = self.x.T @ dz, dz.sum(axis=0)
        return dz @ self.W.T


class Sigmoid:
    def forward(self, x: np.ndarray) -> np.ndarray:
        self.y = 0.5 * (1 + np.tanh(x / 2))  # = 1 / (1 + e^-x), without overflow for very negative x
        return self.y

    def backward(self, dz: np.ndarray) -> np.ndarray:  # sigma' = sigma (1 - sigma), element-wise
        return dz * self.y * (1 - self.y)


class Dropout:
    def __init__(self, p: float, rng: np.random.Generator) -> None:
        self.p, self.rng, self.training = p, rng, True

    def forward(self, x: np.ndarray) -> np.ndarray:  # keep each unit with probability 1 - p, scaled up
        self.scale = (self.rng.random(x.shape) >= self.p) / (1 - self.p) if self.training else np.ones_like(x)
        return x * self.scale

    def backward(self, dz: np.ndarray) -> np.ndarray:  # the same mask lets the same gradients through
        return dz * self.scale


class SoftmaxCrossEntropy:
    def forward(self, logits: np.ndarray, labels: np.ndarray) -> float:
        shifted = logits - logits.max(axis=1, keepdims=True)
        self.p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        self.labels = labels
        return float(-np.log(self.p[np.arange(len(labels)), labels]).mean())

    def backward(self) -> np.ndarray:  # d mean(-log softmax(z)[y]) / dz = (softmax(z) - one_hot(y)) / n
        d = self.p.copy()
        d[np.arange(len(self.labels)), self.labels] -= 1
        return d / len(self.labels)


class Adam:  # the post's optimizer, written out: m, v running means of g and g^2, bias-corrected
    def __init__(self, layers: list[Linear], lr: float, b1: float = 0.9, b2: float = 0.999) -> None:
        self.layers, self.lr, self.b1, self.b2, self.t = layers, lr, b1, b2, 0
        self.m = {(i, k): 0.0 for i in range(len(layers)) for k in "Wb"}
        self.v = dict(self.m)

    def step(self) -> None:
        self.t += 1
        for i, layer in enumerate(self.layers):
            for k in "Wb":
                g = getattr(layer, "d" + k)
                self.m[i, k] = self.b1 * self.m[i, k] + (1 - self.b1) * g
                self.v[i, k] = self.b2 * self.v[i, k] + (1 - self.b2) * g * g
                m_hat, v_hat = self.m[i, k] / (1 - self.b1**self.t), self.v[i, k] / (1 - self.b2**self.t)
                setattr(layer, k, getattr(layer, k) - self.lr * m_hat / (np.sqrt(v_hat) + 1e-8))


def build(hidden: int, seed: int) -> list[Any]:
    rng = np.random.default_rng(seed)
    return [Linear(784, hidden, rng), Sigmoid(), Dropout(0.3, rng), Linear(hidden, hidden, rng), Sigmoid(),
            Linear(hidden, 10, rng)]


def forward(model: list[Any], x: np.ndarray) -> np.ndarray:
    for layer in model:
        x = layer.forward(x)
    return x


def backward(model: list[Any], dz: np.ndarray) -> list[np.ndarray]:
    """Run the hand-written backward passes, last layer first; return dL/d(input) of every layer."""
    grads = []
    for layer in reversed(model):
        dz = layer.backward(dz)
        grads.append(dz)
    return grads[::-1]


def check_with_autograd(model: list[Any], x: np.ndarray, labels: np.ndarray, input_grads: list[np.ndarray]) -> float:
    """The same batch through Tensor ops (float64, the same dropout mask); backward(); largest difference.

    Compares every Linear's dW and db and the gradient arriving at every layer's
    input. Intermediate gradients are read through "probes": a zero Tensor added
    to a layer's input, whose .grad is then exactly dL/d(that input).
    """
    h, probes, params = Tensor(x), [], []
    for layer in model:
        probe = Tensor(np.zeros(h.shape), requires_grad=True)
        probes.append(probe)
        h = h + probe
        if isinstance(layer, Linear):
            W, b = Tensor(layer.W, requires_grad=True), Tensor(layer.b, requires_grad=True)
            params.append((layer, W, b))
            h = h @ W + b
        elif isinstance(layer, Sigmoid):
            h = h.sigmoid()
        else:
            h = h * layer.scale
    cross_entropy(h, labels).backward()
    differences = [np.abs(probe.grad.data - g).max() for probe, g in zip(probes, input_grads)]
    for layer, W, b in params:
        differences += [np.abs(W.grad.data - layer.dW).max(), np.abs(b.grad.data - layer.db).max()]
    return float(max(differences))


def train(seed: int = 0, epochs: int = 10, n_train: int = 5000, n_test: int = 1000, hidden: int = 64,
          lr: float = 0.01, batch: int = 50) -> dict[str, Any]:
    train_set, test_set = load_mnist_splits(normalize=True, flatten=True, download=False, quiet=True)
    x_train, y_train = train_set.images[:n_train].astype(np.float64), train_set.labels[:n_train]
    x_test, y_test = test_set.images[:n_test].astype(np.float64), test_set.labels[:n_test]
    model, loss_fn, order = build(hidden, seed), SoftmaxCrossEntropy(), np.random.default_rng(seed + 1)
    optimizer = Adam([layer for layer in model if isinstance(layer, Linear)], lr)
    history: dict[str, list[float]] = {"loss": [], "accuracy": [], "gradient_difference": []}
    for _epoch in range(epochs):
        model[2].training, losses = True, []
        for i, idx in enumerate(np.array_split(order.permutation(n_train), n_train // batch)):
            loss = loss_fn.forward(forward(model, x_train[idx]), y_train[idx])
            input_grads = backward(model, loss_fn.backward())
            if i == 0:  # the first batch of each epoch: hand-written vs backward()
                history["gradient_difference"].append(check_with_autograd(model, x_train[idx], y_train[idx], input_grads))
            optimizer.step()
            losses.append(loss)
        model[2].training = False  # dropout is off at test time
        accuracy = float((forward(model, x_test).argmax(axis=1) == y_test).mean())
        history["loss"].append(float(np.mean(losses)))
        history["accuracy"].append(accuracy)
    return {**history, "source": train_set.source, "n_train": n_train, "n_test": n_test, "hidden": hidden}


def plot(result: dict[str, Any], path: Any, lang: str) -> Any:
    plt = support.pyplot()
    if plt is None:
        return None
    t = lambda en, ko: support.label(plt, lang, en, ko)
    epochs = range(1, len(result["loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(epochs, result["loss"], marker="o")
    ax1.set(xlabel=t("epoch", "에포크"), ylabel=t("training loss (cross-entropy)", "학습 손실 (교차 엔트로피)"))
    ax2.plot(epochs, [100 * a for a in result["accuracy"]], marker="o", color="tab:green")
    ax2.set(xlabel=t("epoch", "에포크"), ylabel=t("test accuracy (%)", "테스트 정확도 (%)"))
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    fig.suptitle(t("numpy MLP with hand-written backward, MNIST 5,000 / 1,000",
                   "손으로 쓴 역전파의 numpy MLP, MNIST 5,000 / 1,000"))
    fig.tight_layout()
    return support.save_figure(fig, path)


def main(argv: Sequence[str] | None = None) -> int:
    p = support.parser(__doc__, lang=True)
    p.add_argument("--epochs", type=int, default=10, help="passes over the 5,000 training images (default 10)")
    p.add_argument("--train", type=int, default=5000, help="training images (default 5000; the sample has 8000)")
    p.add_argument("--hidden", type=int, default=64, help="units in each hidden layer (default 64; the post's code: 28)")
    p.add_argument("--lr", type=float, default=0.01, help="Adam learning rate (default 0.01)")
    args = support.parse(p, argv, at_least={"epochs": 1, "train": 50, "hidden": 1}, positive=("lr",))
    if args.train > 8000:
        p.error(f"--train must be at most 8000 (the bundled sample), got {args.train}")
    say = lambda en, ko: support.say(args, en, ko)
    with support.blas_threads(1):
        result = train(args.seed, args.epochs, args.train, hidden=args.hidden, lr=args.lr)
    print(say(f"MNIST ({result['source']}): {result['n_train']} training / {result['n_test']} test images, seed {args.seed}",
              f"MNIST ({result['source']}): 학습 {result['n_train']}장 / 테스트 {result['n_test']}장, seed {args.seed}"))
    print(f"784-{result['hidden']}-{result['hidden']}-10: Linear -> Sigmoid -> Dropout(0.3) -> Linear -> Sigmoid -> Linear")
    for epoch, (loss, acc) in enumerate(zip(result["loss"], result["accuracy"]), 1):
        print(say(f"epoch {epoch:2d}  loss {loss:.4f}  test accuracy {acc:.1%}",
                  f"에포크 {epoch:2d}  손실 {loss:.4f}  테스트 정확도 {acc:.1%}"))
    worst = max(result["gradient_difference"])
    print(say(f"hand-written vs backward(): largest gradient difference {worst:.2e} (tolerance {TOLERANCE:g})",
              f"손으로 쓴 기울기 vs backward(): 가장 큰 차이 {worst:.2e} (허용 {TOLERANCE:g})"))
    code = support.finite_or_exit(p.prog, loss=result["loss"][-1])
    if code:
        return code
    if not worst <= TOLERANCE:
        print(f"{p.prog}: hand-written gradients differ from backward() by {worst:.3g}", file=sys.stderr)
        return 1
    png = plot(result, args.out / "mlp_from_scratch_curves.png", args.lang)
    if png:
        print(say(f"wrote {png}", f"그림: {png}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
