"""An MLP on MNIST with the Tensor engine: the loop, then post 001 as written.

A 784-256-128-10 ReLU network has 235,146 weights. Built from scalar `Value`
nodes, one batch of 128 images would be ~60 million graph nodes; with
`Tensor` a whole batch is 6 operation nodes (linear, relu, linear, relu,
linear, cross-entropy), each one numpy call. Same chain rule, one array per
node instead of one number: 60,000 images train in seconds.

    python demos/mnist_mlp.py                    # MNIST: full if found, else the shipped 8,000/2,000 sample
    python demos/mnist_mlp.py --dataset fashion  # Fashion-MNIST
    python demos/mnist_mlp.py --preset seed      # post 001 as written, then the same network done right
    python demos/mnist_mlp.py --predict out/mnist_mlp.npz   # evaluate saved weights

Defaults: Adam lr 1e-3, batches of 128, 10 epochs on full MNIST (~98%), 15 on
Fashion-MNIST (~89%) and on the sample (~95%). Every number printed depends
only on the options and --seed (wall times sit on lines starting "[time]").
Options, reports, pictures and saving live in demos/_mnist.py.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from autograd_mlp.demos import _mnist as tools
from autograd_mlp.demos import _support as support

from autograd_mlp import Tensor, manual_seed, no_grad
from autograd_mlp.data import DataLoader, DataSplit
from autograd_mlp.nn import CrossEntropyLoss, Linear, Module, ReLU, Sequential, cross_entropy
from autograd_mlp.optim import Adam


def train(config: tools.Config, train_split: DataSplit, test_split: DataSplit, *, progress: bool = True,
          log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train from scratch as ``config`` says; evaluate on the test split after each epoch."""
    images, labels = train_split.images[: config.limit], train_split.labels[: config.limit]
    epochs = config.epochs or tools.default_epochs(config.dataset, len(labels))
    manual_seed(config.seed)  # anything drawing from the library's default generator (Dropout masks)
    model_seed, shuffle_seed = np.random.SeedSequence(config.seed).spawn(2)  # weights and order: separate streams
    model = tools.build_model(config, np.random.default_rng(model_seed))
    optimizer = tools.make_optimizer(config, model.parameters())
    loader = DataLoader(images, labels, batch_size=config.batch_size, shuffle=True,
                        rng=np.random.default_rng(shuffle_seed))
    scheduler = tools.make_scheduler(config, optimizer, epochs * len(loader))
    loss_fn = CrossEntropyLoss()
    history: dict[str, list[float]] = {k: [] for k in ("train_loss", "train_accuracy", "test_loss",
                                                       "test_accuracy", "seconds")}
    batch_losses: list[float] = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        loss_sum, correct = 0.0, 0
        for xb, yb in tools.progress(loader, progress, f"epoch {epoch}/{epochs}"):
            logits = model(Tensor(xb))  # (batch, 784) -> (batch, 10): a few nodes, whatever the batch size
            loss = loss_fn(logits, yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            batch_losses.append(loss.item())
            loss_sum += batch_losses[-1] * len(yb)
            correct += int((logits.data.argmax(axis=1) == yb).sum())
        train_seconds = time.perf_counter() - start
        test_loss, predictions = tools.evaluate(model, test_split.images, test_split.labels)
        history["train_loss"].append(loss_sum / len(labels))
        history["train_accuracy"].append(correct / len(labels))
        history["test_loss"].append(test_loss)
        history["test_accuracy"].append(float(np.mean(predictions == test_split.labels)))
        history["seconds"].append(time.perf_counter() - start)
        tools.log_epoch(history, epoch, epochs, train_seconds, log)
        if not np.isfinite(history["train_loss"][-1]):
            break  # diverged: main() reports it
    return {"model": model, "epochs": epochs, "num_train": len(labels), "history": history,
            "batch_losses": batch_losses, "predictions": predictions, "accuracy": history["test_accuracy"][-1],
            "confusion": tools.confusion_matrix(test_split.labels, predictions)}


# ------------------------------------------------------------------ post 001, as written


class SeedPostNetwork(Module):
    """Post 001's NeuralNetwork, line for line (see ../shared/seed-code/001_*.py, cell 001-4)."""

    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__()
        self.input_layer = Linear(784, 1568, rng=rng)
        self.activation = ReLU()
        self.hidden_layers = [Linear(1568, 1568, rng=rng) for _ in range(1)]
        self.output_layer = Linear(1568, 10, rng=rng)

    def forward(self, x: Tensor) -> Tensor:
        x = self.input_layer(x)
        x = self.activation(x)
        for i in self.hidden_layers:
            x = i(x)
            self.activation(x)  # the post's line: its result is dropped, so no activation follows this layer
        x = self.output_layer(x)
        return x

    def post_parameters(self) -> list[Tensor]:
        """What PyTorch's ``network.parameters()`` holds: a plain list is not registered, so the hidden
        layer is left out and never trained (PyTorch still computes its gradient; nothing reads it)."""
        return [*self.input_layer.parameters(), *self.output_layer.parameters()]


def seed_post(train_split: DataSplit, test_split: DataSplit, seed: int, steps: int, done_right: bool,
              progress: bool = True, test_images: int | None = None) -> dict[str, Any]:
    """Post 001 as written: Adam lr 0.01 on ``steps`` random single images, then its test loop.

    ``done_right``: the same layers with the hidden one registered (so trained) and its
    ReLU applied, the same ``steps`` random images but 100 per Adam step at lr 1e-3
    (one image per step at lr 0.01 with all 3.7 million weights trained measured
    32.75% after 1,000 steps), and a test that only tests.
    """
    rng = np.random.default_rng(seed)
    if done_right:
        model: Module = Sequential(Linear(784, 1568, rng=rng), ReLU(), Linear(1568, 1568, rng=rng), ReLU(),
                                   Linear(1568, 10, rng=rng))
        params, weights, batch, lr = model.parameters(), 0, 100, 1e-3
    else:
        model = SeedPostNetwork(rng)
        params, batch, lr = model.post_parameters(), 1, 0.01
        weights = sum(p.data.size for p in model.hidden_layers[0].parameters())
        for p in model.hidden_layers[0].parameters():
            p.requires_grad = False  # its gradient is never used: skipping it changes no number, saves time
    optimizer = Adam(params, lr=lr)
    images, labels = train_split.images, train_split.labels
    losses = []
    for _ in tools.progress(range(steps // batch), progress, "post 001" + (" done right" if done_right else "")):
        i = rng.integers(len(labels), size=batch)  # test_case = random.randint(0, 59999)
        y = np.eye(10, dtype=np.float32)[labels[i]]  # the post's one-hot targets, (batch, 10)
        optimizer.zero_grad()
        loss = cross_entropy(model(Tensor(images[i])), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    n_test = min(test_images or tools.SEED_POST_TEST_IMAGES, len(test_split.labels))
    right = 0
    if done_right:  # test: no training, no graph, divide by the number of images
        with no_grad():
            predictions = model(Tensor(test_split.images[:n_test])).data.argmax(axis=1)
        right = int((predictions == test_split.labels[:n_test]).sum())
        accuracy = right / n_test
    else:  # the post's test loop: backward() and step() on every test image, then end / epoch (n - 1)
        for epoch in range(n_test):
            y = np.eye(10, dtype=np.float32)[test_split.labels[epoch : epoch + 1]]
            optimizer.zero_grad()
            output = model(Tensor(test_split.images[epoch : epoch + 1]))
            loss = cross_entropy(output, y)
            loss.backward()
            optimizer.step()
            right += int(output.data.argmax() == test_split.labels[epoch])
        accuracy = right / epoch
    return {"model": model, "losses": losses, "accuracy": accuracy, "right": right, "n_test": n_test,
            "trained": sum(p.data.size for p in params), "weights": weights + sum(p.data.size for p in params)}


def seed_command(args: Any, log: Callable[[str], None] = print) -> int:
    train_split, test_split = tools.load(args.dataset or "mnist", args, log)
    log(f"\npost 001: 784-1568-10 plus a 1568x1568 layer in a plain list, {args.steps:,} random images "
        f"of {len(train_split.labels):,}, seed {args.seed}")
    as_written = seed_post(train_split, test_split, args.seed, args.steps, False, not args.no_progress)
    log(f"as written:  Adam lr 0.01, one image per step; trained {as_written['trained']:,} of "
        f"{as_written['weights']:,} weights (the hidden layer never learns, no ReLU after it)")
    log(f"             test accuracy {as_written['accuracy']:.2%} = {as_written['right']}/{as_written['n_test'] - 1} "
        f"(still training on the test images, divided by n - 1)   post: 70%")
    right = seed_post(train_split, test_split, args.seed, args.steps, True, not args.no_progress)
    log(f"done right:  Adam lr 0.001, 100 images per step; all {right['trained']:,} weights trained, ReLU applied")
    log(f"             test accuracy {right['accuracy']:.2%} = {right['right']}/{right['n_test']} "
        f"(the test only tests)   post: 70%")
    png = tools.plot_running_loss({"as written": (1, as_written["losses"]), "done right": (100, right["losses"])},
                                  args.out / "mnist_mlp_seed_loss.png", args.lang)
    if png:
        log(f"wrote {png}")
    return support.finite_or_exit("mnist_mlp.py", **{"final loss": as_written["losses"][-1] + right["losses"][-1]})


def main(argv: Sequence[str] | None = None) -> int:
    parser = tools.build_parser(__doc__)
    args = tools.parse_args(parser, argv)
    try:
        with support.blas_threads(args.threads):
            if args.predict is not None:
                return tools.predict(args)
            if args.preset == "seed":
                return seed_command(args)
            config = tools.config_from_args(args)
            train_split, test_split = tools.load(config.dataset, args, print)
            config = tools.prepare(config, train_split)
            result = train(config, train_split, test_split, progress=not args.no_progress)
            code = support.finite_or_exit(parser.prog, **{"training loss": result["history"]["train_loss"][-1]})
            return code or tools.report(config, result, train_split, test_split, args)
    except tools.DemoError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
