"""An MLP on MNIST / Fashion-MNIST with the vectorized Tensor engine.

The lesson: vectorize. A 784-256-128-10 network has 235,146 weights. Built
from scalar `Value` nodes the micrograd way, every weight costs a multiply
node and an add node: ~470,000 Python objects per image, 60 million per
batch of 128, each visited once forward and once backward. (The library's
fused scalar neuron is one node per neuron, but its Python loop still
touches every weight for every image.) With `Tensor` a whole batch is 6
operation nodes: linear, relu, linear, relu, linear, cross-entropy; each is
one numpy / BLAS call doing its share of the 30 million multiply-adds in
compiled code. The chain rule is the same; only the unit of bookkeeping
changed, from one number to one array, and that is what lets 60,000 images
train in seconds. The demo prints the graph size of one training step.

    python demos/mnist_mlp.py                               # MNIST: full if found, else the shipped sample
    python demos/mnist_mlp.py --dataset fashion --seed 0    # Fashion-MNIST (e.g. Debian's dataset-fashion-mnist)
    python demos/mnist_mlp.py --preset seed                 # the seed post's 784-1568-10, one image at a time
    python demos/mnist_mlp.py --predict out/mnist_mlp.npz   # evaluate saved weights, no training

Defaults: 784-256-128-10 with ReLU, Adam (lr 1e-3, constant), batches of
128, pixels scaled to [0, 1], softmax cross-entropy. Epochs: 10 on full
MNIST (~98%), 15 on Fashion-MNIST (~89%) and 15 on the 8,000-image MNIST
sample that ships with the package (~95%; a small set needs more passes).

Every number printed is a function of the options and ``--seed``: the same
command prints the same numbers (on the same machine and number of BLAS
threads, which decide how sums are split and so their last bits). Wall
times are the exception, so they sit on their own lines, each starting
with ``[time]``.

BLAS threads: ``--threads 1`` by default, restored when the demo returns.
Matrices this small gain little from threads, and on a busy machine BLAS
threads waiting for a core made training 4-9x slower (measured on 2 shared
cores). It uses threadpoolctl if installed, else OpenBLAS's own setter
(numpy's wheels bundle OpenBLAS); ``--threads 0`` leaves BLAS alone.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import math
import os
import re
import secrets
import sys
import time
import warnings
import zipfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
from autograd_mlp.demos._support import pyplot, save_figure

from autograd_mlp import Tensor, manual_seed, no_grad, topological_order
from autograd_mlp.data import (
    DataLoader,
    DatasetNotFoundError,
    DataSplit,
    DownloadError,
    IDXFormatError,
    SampleDataWarning,
    load_fashion_mnist_splits,
    load_mnist_splits,
)
from autograd_mlp.nn import (
    CrossEntropyLoss,
    Module,
    Sequential,
    StateDictError,
    cross_entropy,
    sequential_mlp,
)
from autograd_mlp.nn.module import load_state
from autograd_mlp.optim import SGD, Adam, AdamW, CosineAnnealingLR, Optimizer

INPUT_SIZE = 28 * 28
NUM_CLASSES = 10
DEFAULT_HIDDEN = (256, 128)
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu")
OPTIMIZERS = ("adam", "adamw", "sgd")
SCHEDULES = ("constant", "cosine")
DEFAULT_LR = {"adam": 1e-3, "adamw": 1e-3, "sgd": 0.05}
DEFAULT_MOMENTUM = 0.9  # SGD only
DEFAULT_BATCH_SIZE = 128
# Default epochs, by dataset and size. Full MNIST: 10 passes (4,690 Adam
# steps); ~3-5 already give ~97.5-98%, 10 leave a margin. Fashion-MNIST is
# harder: measured 87.5% after 5 epochs, 88.4-88.9% after 10 and 88.9-89.2%
# after 15 (seeds 0-2), so 15. The 8,000-image sample needs more passes to
# see enough examples: 15 (measured 95.1-95.6%, seeds 0-3).
EPOCHS_MNIST_FULL = 10
EPOCHS_OTHER = 15
SMALL_DATASET = 20_000
EVAL_BATCH_SIZE = 1000  # evaluation has no graph to keep, so bigger batches are cheaper per image

DATASETS = {"mnist": "MNIST", "fashion": "Fashion-MNIST"}
CLASS_NAMES = {
    "mnist": [str(i) for i in range(10)],
    "fashion": [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
    ],
}
# Folder names the loaders look for under --data (see autograd_mlp.data.mnist).
DATA_FOLDERS = {"mnist": "mnist", "fashion": "fashion-mnist"}
IDX_STEMS = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

# The seed post trained a 784-1568-10 network one image at a time and got
# about 70% test accuracy.
SEED_POST_ACCURACY = 0.70
PRESETS: dict[str, dict[str, Any]] = {
    # One hidden layer of 2 x 784 = 1568 units, one SGD update per image (batch 1),
    # plain SGD with no momentum and a constant rate, one pass over the data:
    # the post's training loop, with each step vectorized. ReLU hidden units
    # and a linear output with softmax cross-entropy, the defaults of
    # micrograd-style MLPs (this library's scalar MLP included).
    "seed": dict(
        hidden=(1568,), activation="relu", optimizer="sgd", lr=0.01, momentum=0.0, schedule="constant",
        batch_size=1, epochs=1,
    ),
}
META_FORMAT = "autograd_mlp.demos.mnist_mlp/1"


# ------------------------------------------------------------------ config


@dataclass(frozen=True)
class Config:
    """Everything that determines a training run (and so every number it prints)."""

    dataset: str = "mnist"
    hidden: tuple[int, ...] = DEFAULT_HIDDEN
    activation: str = "relu"
    dropout: float = 0.0
    optimizer: str = "adam"
    lr: float = DEFAULT_LR["adam"]
    momentum: float = 0.0
    schedule: str = "constant"
    batch_size: int = DEFAULT_BATCH_SIZE
    epochs: int | None = None  # None: by dataset and training-set size, see default_epochs
    seed: int = 0
    limit: int | None = None
    preset: str | None = None

    @property
    def sizes(self) -> list[int]:
        return [INPUT_SIZE, *self.hidden, NUM_CLASSES]

    def architecture(self) -> str:
        """E.g. ``784-256-128-10 relu`` (plus dropout when on)."""
        text = "-".join(map(str, self.sizes))
        if self.hidden:
            text += f" {self.activation}"
        if self.dropout:
            text += f", dropout {self.dropout:g}"
        return text

    def training(self) -> str:
        """E.g. ``adam lr 0.001, batch 128``."""
        text = f"{self.optimizer} lr {self.lr:g}"
        if self.schedule == "cosine":
            text += " (cosine decay)"
        if self.optimizer == "sgd":
            text += f", momentum {self.momentum:g}"
        return f"{text}, batch {self.batch_size}"


def default_epochs(dataset: str, num_train: int) -> int:
    """EPOCHS_MNIST_FULL for full MNIST, EPOCHS_OTHER for Fashion-MNIST or a small training set (the sample)."""
    return EPOCHS_MNIST_FULL if dataset == "mnist" and num_train >= SMALL_DATASET else EPOCHS_OTHER


# ------------------------------------------------------------------ data


class DemoError(Exception):
    """A problem with the user's input (a file, a folder): printed as one clean message, exit code 2."""


def load_data(dataset: str, data_dir: Path | None = None, offline: bool = False) -> tuple[DataSplit, DataSplit, str]:
    """(train, test, notice): flattened float32 images in [0, 1] and int64 labels.

    ``notice`` is the loader's one-line sample-fallback warning ('' if none),
    caught here so that it prints as a plain line instead of a warning with
    a file name and line number.
    """
    if data_dir is not None:
        # With --data the user means *that* folder: the loaders would quietly
        # go on to other places (cache, download, sample) if it lacked files.
        data_dir = data_dir.expanduser()
        if not any(_holds_idx_files(folder) for folder in (data_dir, data_dir / DATA_FOLDERS[dataset])):
            raise DemoError(
                f"--data {data_dir}: no {DATASETS[dataset]} files there (nor in {data_dir / DATA_FOLDERS[dataset]}); "
                f"expected {', '.join(s + '[.gz]' for s in IDX_STEMS)}"
            )
    load = load_mnist_splits if dataset == "mnist" else load_fashion_mnist_splits
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SampleDataWarning)
        try:
            train, test = load(data_dir, normalize=True, flatten=True, download=not offline)
        except (DatasetNotFoundError, DownloadError, IDXFormatError, ValueError) as error:
            raise DemoError(str(error)) from None
    notices = [str(w.message) for w in caught if issubclass(w.category, SampleDataWarning)]
    for w in caught:  # anything else is not ours to swallow
        if not issubclass(w.category, SampleDataWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return train, test, " ".join(notices)


def _holds_idx_files(folder: Path) -> bool:
    return all((folder / f"{stem}.gz").is_file() or (folder / stem).is_file() for stem in IDX_STEMS)


# ------------------------------------------------------------------ model


def build_model(config: Config, rng: np.random.Generator) -> Sequential:
    """Linear, activation[, Dropout], ..., Linear: the output stays linear (logits)."""
    return sequential_mlp(config.sizes, config.activation, dropout=config.dropout, rng=rng)


def make_optimizer(config: Config, params: list[Any]) -> Optimizer:
    if config.optimizer == "adam":
        return Adam(params, lr=config.lr)
    if config.optimizer == "adamw":
        return AdamW(params, lr=config.lr)  # PyTorch's default weight decay, 0.01
    return SGD(params, lr=config.lr, momentum=config.momentum)


def evaluate(
    model: Module, images: np.ndarray, labels: np.ndarray, batch_size: int = EVAL_BATCH_SIZE
) -> tuple[float, np.ndarray]:
    """(mean cross-entropy, predicted classes) over a whole split.

    In ``eval()`` mode (Dropout passes everything through) and ``no_grad()``
    (no graph is recorded: nothing will be differentiated), in batches so
    that memory stays bounded.
    """
    was_training = model.training
    model.eval()
    total_loss = 0.0
    predictions = np.empty(len(labels), dtype=np.int64)
    try:
        with no_grad():
            for start in range(0, len(labels), batch_size):
                stop = start + batch_size
                logits = model(Tensor(images[start:stop]))
                total_loss += cross_entropy(logits, labels[start:stop], reduction="sum").item()
                predictions[start:stop] = logits.data.argmax(axis=1)
    finally:
        model.train(was_training)
    return total_loss / max(len(labels), 1), predictions


def graph_size(model: Module, images: np.ndarray, labels: np.ndarray) -> dict[str, int]:
    """Nodes in the graph of one training step on this batch, and what scalars would need.

    The Tensor graph has one node per array operation, whatever the batch
    size. A micrograd-style scalar graph has, per image, a multiply and an
    add node per weight and an activation node per hidden unit.
    """
    loss = cross_entropy(model(Tensor(images)), labels)
    nodes = topological_order(loss)
    operations = sum(1 for node in nodes if node.op)
    linears = [m for m in model.modules() if hasattr(m, "in_features")]
    weights = sum(m.in_features * m.out_features for m in linears)
    hidden_units = sum(m.out_features for m in linears[:-1])
    return {
        "operations": operations,
        "leaves": len(nodes) - operations,
        "scalar_nodes": len(labels) * (2 * weights + hidden_units),
    }


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, classes: int = NUM_CLASSES) -> np.ndarray:
    """counts[true, predicted]: row i sums to the number of test images of class i."""
    return np.bincount(labels * classes + predictions, minlength=classes * classes).reshape(classes, classes)


# ------------------------------------------------------------------ training


def train(
    config: Config,
    train_split: DataSplit,
    test_split: DataSplit,
    *,
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train from scratch as ``config`` says; evaluate on the test split after each epoch.

    Returns the model, the per-epoch history (train loss, train and test
    accuracy, test loss, seconds), every batch's loss, and the final test
    predictions and confusion matrix.
    """
    images, labels = train_split.images, train_split.labels
    if config.limit is not None:
        images, labels = images[: config.limit], labels[: config.limit]
    epochs = config.epochs or default_epochs(config.dataset, len(labels))

    # Separate, named random streams: the weights (and Dropout masks) do not
    # shift when the shuffling changes, and vice versa. manual_seed covers
    # anything that would draw from the library's default generator.
    manual_seed(config.seed)
    model_seed, shuffle_seed = np.random.SeedSequence(config.seed).spawn(2)
    model = build_model(config, np.random.default_rng(model_seed))
    optimizer = make_optimizer(config, model.parameters())
    # Optional cosine decay, stepped per batch, from lr to 0 over the whole
    # run: the last epochs take ever smaller steps and settle instead of
    # jittering (it helps Fashion-MNIST a little; on the small MNIST sample
    # the constant rate's jitter regularizes and does better).
    batches_per_epoch = math.ceil(len(labels) / config.batch_size)
    scheduler = CosineAnnealingLR(optimizer, T_max=epochs * batches_per_epoch) if config.schedule == "cosine" else None
    loss_fn = CrossEntropyLoss()
    loader = DataLoader(
        images, labels, batch_size=config.batch_size, shuffle=True, rng=np.random.default_rng(shuffle_seed)
    )
    bar_factory = _progress_bar_factory() if progress else None

    keys = ("train_loss", "train_accuracy", "test_loss", "test_accuracy", "seconds")
    history: dict[str, list[float]] = {key: [] for key in keys}
    batch_losses: list[float] = []
    predictions = np.zeros(0, dtype=np.int64)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        loss_sum, correct, seen = 0.0, 0, 0
        bar = bar_factory(total=len(loader), desc=f"epoch {epoch}/{epochs}") if bar_factory else None
        for xb, yb in loader:
            logits = model(Tensor(xb))  # (batch, 784) -> (batch, 10): a few nodes, whatever the batch size
            loss = loss_fn(logits, yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()

            value = loss.item()
            batch_losses.append(value)
            loss_sum += value * len(yb)
            correct += int((logits.data.argmax(axis=1) == yb).sum())
            seen += len(yb)
            if bar is not None:
                bar.update(1)
                if bar.n % 10 == 0 or bar.n == bar.total:  # formatting every step would cost more than a small step
                    bar.set_postfix_str(f"loss {loss_sum / seen:.4f}", refresh=False)
        if bar is not None:
            bar.close()
        train_seconds = time.perf_counter() - start
        if not math.isfinite(loss_sum):
            raise FloatingPointError(f"epoch {epoch}: the training loss is not finite (lr {config.lr:g} too high?)")

        test_loss, predictions = evaluate(model, test_split.images, test_split.labels)
        seconds = time.perf_counter() - start
        for key, value in (
            ("train_loss", loss_sum / seen),
            ("train_accuracy", correct / seen),
            ("test_loss", test_loss),
            ("test_accuracy", float(np.mean(predictions == test_split.labels))),
            ("seconds", seconds),
        ):
            history[key].append(value)
        log(
            f"epoch {epoch:>{len(str(epochs))}}/{epochs}  train loss {history['train_loss'][-1]:.4f}"
            f"  train acc {history['train_accuracy'][-1]:.2%}  test loss {test_loss:.4f}"
            f"  test acc {history['test_accuracy'][-1]:.2%}"
        )
        log(
            f"[time] epoch {epoch}: {seconds:.2f} s "
            f"(training {train_seconds:.2f} s, evaluation {seconds - train_seconds:.2f} s)"
        )

    return {
        "model": model,
        "epochs": epochs,
        "num_train": len(labels),
        "history": history,
        "batch_losses": batch_losses,
        "predictions": predictions,
        "confusion": confusion_matrix(test_split.labels, predictions),
        "accuracy": history["test_accuracy"][-1],
    }


def _progress_bar_factory() -> Callable[..., Any] | None:
    """tqdm on stderr (stdout stays clean for the numbers), or None when tqdm is missing."""
    try:
        from tqdm import tqdm
    except ImportError:
        print("(tqdm is not installed: no progress bars, one line per epoch; pip install tqdm)", file=sys.stderr)
        return None

    def make(total: int, desc: str) -> Any:
        return tqdm(
            total=total, desc=desc, unit="batch", file=sys.stderr, leave=False, dynamic_ncols=True, mininterval=0.2
        )

    return make


# ------------------------------------------------------------------ reports


def format_per_class(confusion: np.ndarray, names: Sequence[str]) -> str:
    """One row per class: test images, correctly classified, accuracy; aligned columns."""
    width = max(5, *(len(n) for n in names))
    counts = confusion.sum(axis=1)
    digits = max(5, len(str(int(counts.max(initial=0)))))
    lines = [f"{'class':<{width}}  {'count':>{digits}}  {'right':>{digits}}  accuracy"]
    for i, name in enumerate(names):
        n, right = int(counts[i]), int(confusion[i, i])
        accuracy = f"{right / n:8.2%}" if n else f"{'-':>8}"
        lines.append(f"{name:<{width}}  {n:>{digits}}  {right:>{digits}}  {accuracy}")
    total, right = int(counts.sum()), int(np.trace(confusion))
    lines.append(f"{'all':<{width}}  {total:>{digits}}  {right:>{digits}}  {right / max(total, 1):8.2%}")
    return "\n".join(lines)


def format_confusion(confusion: np.ndarray, names: Sequence[str]) -> str:
    """The 10x10 matrix, rows = true class, columns = predicted class, with row totals."""
    cell = max(4, len(str(int(confusion.max(initial=0)))) + 1)
    label = max(len(n) for n in names)
    header = " " * label
    lines = [header + "".join(f"{j:>{cell}}" for j in range(len(names))) + f"{'total':>{cell + 2}}"]
    for i, name in enumerate(names):
        row = "".join(f"{int(v):>{cell}}" for v in confusion[i])
        lines.append(f"{name:<{label}}{row}{int(confusion[i].sum()):>{cell + 2}}")
    return "\n".join(lines)


def print_report(confusion: np.ndarray, dataset: str, log: Callable[[str], None] = print) -> None:
    names = CLASS_NAMES[dataset]
    # Fashion-MNIST names are long: number them so the matrix columns (0-9) can be read.
    labels = names if dataset == "mnist" else [f"{i} {n}" for i, n in enumerate(names)]
    log("\nper-class test accuracy:")
    log(format_per_class(confusion, labels))
    log("\nconfusion matrix (rows: true class, columns: predicted class):")
    log(format_confusion(confusion, labels))


def plot_curves(result: dict[str, Any], path: Path, title: str) -> Path | None:
    """Loss (every batch, epoch means, test) and accuracy (train, test) per epoch, as a PNG."""
    plt = pyplot()
    if plt is None:
        return None
    history = result["history"]
    epochs = np.arange(1, len(history["test_accuracy"]) + 1)
    batches = np.asarray(result["batch_losses"])
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    # Batch k of E epochs sits at epoch (k + 1) / batches-per-epoch: both curves share the x axis.
    x_batch = np.arange(1, len(batches) + 1) * (len(epochs) / max(len(batches), 1))
    ax_loss.plot(x_batch, batches, color="tab:blue", alpha=0.25, linewidth=0.6, label="train (each batch)")
    ax_loss.plot(epochs, history["train_loss"], "o-", color="tab:blue", label="train (epoch mean)")
    ax_loss.plot(epochs, history["test_loss"], "s-", color="tab:orange", label="test")
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("cross-entropy")
    ax_loss.legend()
    ax_acc.plot(epochs, np.asarray(history["train_accuracy"]) * 100, "o-", label="train (during the epoch)")
    ax_acc.plot(epochs, np.asarray(history["test_accuracy"]) * 100, "s-", label="test")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy (%)")
    ax_acc.legend()
    fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, path, dpi=110)


# ------------------------------------------------------------------ saving and loading


def save_model(model: Module, path: Path, meta: dict[str, Any]) -> Path:
    """The weights as .npz (Module.save: atomic) plus ``<name>.json`` describing the model.

    The JSON holds what the weights cannot tell: the activation, the
    dataset, the settings and results. `load_model` reads the layer sizes
    from the weights themselves, so the .npz alone is still usable.
    """
    sidecar = path.with_suffix(".json")
    tmp = sidecar.with_name(f".{sidecar.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_text(json.dumps({"format": META_FORMAT, **meta}, indent=2) + "\n")
        os.replace(tmp, sidecar)  # atomic, like Module.save: a reader never sees half a file
    finally:
        tmp.unlink(missing_ok=True)
    return model.save(path)


def infer_sizes(state: dict[str, np.ndarray]) -> tuple[list[int], bool]:
    """(layer sizes, has Dropout) from a `mlp` state dict, checking that it is one.

    `mlp` numbers its modules Linear, activation[, Dropout], Linear, ...: the
    Linear layers sit at indices 0, 2, 4 ... (or 0, 3, 6 ... with Dropout).
    """
    layers: dict[int, dict[str, np.ndarray]] = {}
    for key, array in state.items():
        match = re.fullmatch(r"(\d+)\.(weight|bias)", key)
        if not match:
            raise DemoError(f"unexpected entry {key!r}: not the weights of a Linear layer of an mlp")
        layers.setdefault(int(match.group(1)), {})[match.group(2)] = np.asarray(array)
    if not layers:
        raise DemoError("the archive holds no weights")
    indices = sorted(layers)
    gaps = {b - a for a, b in zip(indices, indices[1:])}
    if indices[0] != 0 or len(gaps) > 1 or not gaps <= {2, 3}:
        raise DemoError(f"layers at positions {indices}: not an mlp (expected 0, 2, 4, ... or 0, 3, 6, ...)")
    sizes: list[int] = []
    for index in indices:
        weight, bias = layers[index].get("weight"), layers[index].get("bias")
        if weight is None or bias is None:
            raise DemoError(f"layer {index} has no {'weight' if weight is None else 'bias'}")
        if weight.ndim != 2 or bias.shape != weight.shape[:1]:
            raise DemoError(f"layer {index}: weight {weight.shape} and bias {bias.shape} do not form a Linear layer")
        if sizes and weight.shape[1] != sizes[-1]:
            raise DemoError(f"layer {index} takes {weight.shape[1]} inputs but the layer before it gives {sizes[-1]}")
        if not sizes:
            sizes.append(int(weight.shape[1]))
        sizes.append(int(weight.shape[0]))
    if sizes[0] != INPUT_SIZE or sizes[-1] != NUM_CLASSES:
        raise DemoError(
            f"a {'-'.join(map(str, sizes))} network: "
            f"expected {INPUT_SIZE} inputs (28x28 pixels) and {NUM_CLASSES} outputs"
        )
    return sizes, gaps == {3}


def load_model(path: Path, activation: str | None = None) -> tuple[Sequential, dict[str, Any], list[str]]:
    """(model in eval mode, metadata, notes) from weights saved by this demo.

    Raises DemoError with a one-line reason when the file does not fit.
    """
    notes: list[str] = []
    if path.is_file() and not zipfile.is_zipfile(path):
        # Checked here because numpy's own error for a non-archive talks about
        # pickles and allow_pickle, which is no help to someone who gave a wrong file.
        raise DemoError(
            f"{path} is not an .npz archive (saved weights are a zip of .npy arrays, as Module.save writes)"
        )
    try:
        state = load_state(path)
    except (FileNotFoundError, ValueError) as error:
        raise DemoError(str(error)) from None
    try:
        sizes, has_dropout = infer_sizes(state)
    except DemoError as error:
        raise DemoError(f"{path} does not hold weights of a {INPUT_SIZE}-...-{NUM_CLASSES} mlp: {error}") from None

    meta: dict[str, Any] = {}
    sidecar = path.with_suffix(".json")
    if sidecar.is_file():
        try:
            meta = json.loads(sidecar.read_text())
            if not isinstance(meta, dict) or meta.get("format") != META_FORMAT:
                raise ValueError("not written by this demo")
        except (ValueError, OSError) as error:
            notes.append(f"ignoring {sidecar} ({error})")
            meta = {}
        if meta.get("sizes") not in (None, sizes):
            notes.append(f"{sidecar} describes a {meta['sizes']} network, the weights are {sizes}: using the weights")
    if activation is None:
        activation = meta.get("activation")
    if activation not in ACTIVATIONS:
        if len(sizes) > 2:  # no hidden layer: no activation to guess
            notes.append(f"no record of the activation (no valid {sidecar.name} beside the weights): assuming relu")
        activation = "relu"
    model = sequential_mlp(sizes, activation, dropout=float(meta.get("dropout") or 0.5) if has_dropout else 0.0, rng=0)
    try:
        model.load_state_dict(state)
    except StateDictError as error:
        raise DemoError(f"{path} does not fit a {'-'.join(map(str, sizes))} mlp: {error}") from None
    model.eval()
    meta = {**meta, "sizes": sizes, "activation": activation}
    return model, meta, notes


# ------------------------------------------------------------------ BLAS threads

# (getter, setter) names in OpenBLAS builds: plain, 64-bit-integer, and the
# scipy-openblas build that numpy's wheels bundle.
_OPENBLAS_THREAD_FUNCTIONS = (
    ("openblas_get_num_threads", "openblas_set_num_threads"),
    ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
    ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
    ("scipy_openblas_get_num_threads", "scipy_openblas_set_num_threads"),
)


def _loaded_openblas() -> list[tuple[Any, Any]]:
    """(get, set) thread-count functions of every OpenBLAS this process has loaded (Linux only)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return []
    paths = sorted({line.split()[-1] for line in maps.splitlines() if "openblas" in line.lower() and "/" in line})
    found = []
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for get_name, set_name in _OPENBLAS_THREAD_FUNCTIONS:
            if hasattr(library, get_name) and hasattr(library, set_name):
                found.append((getattr(library, get_name), getattr(library, set_name)))
                break
    return found


@contextlib.contextmanager
def blas_threads(count: int) -> Iterator[None]:
    """Run the block with BLAS limited to ``count`` threads (0: unchanged), then restore the previous count.

    Best effort: threadpoolctl when installed, else OpenBLAS's setter, else nothing.
    """
    if count < 1:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if threadpool_limits is not None:
        with threadpool_limits(limits=count, user_api="blas"):
            yield
        return
    libraries = _loaded_openblas()
    previous = [get() for get, _ in libraries]
    for _, set_threads in libraries:
        set_threads(count)
    try:
        yield
    finally:
        for (_, set_threads), n in zip(libraries, previous):
            set_threads(n)


# ------------------------------------------------------------------ command line


def _hidden_sizes(text: str) -> tuple[int, ...]:
    """'256,128' -> (256, 128); '' -> () (no hidden layer: multinomial logistic regression)."""
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated layer widths like 256,128, got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"layer widths must be positive, got {text!r}")
    return sizes


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _float_in(low: float, high: float, *, low_open: bool = False, high_open: bool = True) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        ok = (value > low if low_open else value >= low) and (value < high if high_open else value <= high)
        if not ok or not math.isfinite(value):
            brackets = ("(" if low_open else "[", ")" if high_open else "]")
            raise argparse.ArgumentTypeError(f"must be in {brackets[0]}{low:g}, {high:g}{brackets[1]}, got {value:g}")
        return value

    return parse


TRAINING_OPTIONS = (
    "hidden", "activation", "dropout", "optimizer", "lr", "momentum", "schedule", "epochs", "batch_size", "limit",
    "preset",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mnist_mlp.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # Training options default to None so that explicit values can be told
    # apart from defaults (a preset fills only what was not given).
    model = parser.add_argument_group("model")
    model.add_argument("--hidden", type=_hidden_sizes, metavar="N,N,...",
                       help=f"hidden layer widths (default {','.join(map(str, DEFAULT_HIDDEN))}; '' for none)")
    model.add_argument("--activation", choices=ACTIVATIONS, help="hidden-layer activation (default relu)")
    model.add_argument("--dropout", type=_float_in(0.0, 1.0), metavar="P",
                       help="dropout probability after each hidden layer, training only (default 0)")
    training = parser.add_argument_group("training")
    training.add_argument("--optimizer", choices=OPTIMIZERS, help="default adam")
    training.add_argument("--lr", type=_float_in(0.0, 10.0, low_open=True, high_open=False),
                          help="learning rate (default 1e-3 for adam/adamw, 0.05 for sgd)")
    training.add_argument("--momentum", type=_float_in(0.0, 1.0),
                          help=f"momentum, --optimizer sgd only (default {DEFAULT_MOMENTUM})")
    training.add_argument("--schedule", choices=SCHEDULES,
                          help="learning rate over the run: constant (default) or cosine "
                               "(from --lr down to 0, per batch)")
    training.add_argument("--epochs", type=_positive_int,
                          help=f"passes over the training set (default {EPOCHS_MNIST_FULL} on full MNIST, "
                               f"{EPOCHS_OTHER} on Fashion-MNIST and on fewer than {SMALL_DATASET:,} training "
                               "images, e.g. the 8,000-image MNIST sample)")
    training.add_argument("--batch-size", type=_positive_int, help=f"images per update (default {DEFAULT_BATCH_SIZE})")
    training.add_argument("--limit", type=_positive_int, metavar="N",
                          help="train on the first N training images only (quick runs; the test set stays whole)")
    training.add_argument("--preset", choices=sorted(PRESETS),
                          help="seed: the seed post's setting, a 784-1568-10 relu network trained one image at a "
                               "time (batch 1, plain SGD lr 0.01, 1 epoch); explicit options still win")
    training.add_argument("--seed", type=_non_negative_int, default=0,
                          help="seed for the weights, dropout and shuffling (default 0)")
    data = parser.add_argument_group("data and output")
    data.add_argument("--dataset", choices=sorted(DATASETS),
                      help="mnist (default; falls back to the shipped 8,000/2,000 sample) or fashion; "
                           "with --predict, default: the dataset recorded beside the weights")
    data.add_argument("--data", type=Path, metavar="DIR", help="folder with the 4 IDX files (.gz or not)")
    data.add_argument("--offline", action="store_true", help="never try to download (MNIST then uses the sample)")
    data.add_argument("--out", type=Path, default=Path("out"),
                      help="folder for the weights (.npz + .json) and the plot (default out/)")
    data.add_argument("--no-progress", action="store_true", help="no progress bars")
    data.add_argument("--threads", type=_non_negative_int, default=1, metavar="N",
                      help="BLAS threads while the demo runs (default 1: fastest for these small matrices, "
                           "and on a shared machine; 0 leaves BLAS's own setting)")
    data.add_argument("--predict", type=Path, metavar="WEIGHTS.npz",
                      help="evaluate saved weights on the test split, no training: the layer sizes are read from "
                           "the weights, the activation from the .json saved beside them (or --activation)")
    return parser


def config_from_args(args: argparse.Namespace) -> Config:
    """Explicit options, then the preset, then the defaults."""
    chosen = {name: getattr(args, name) for name in TRAINING_OPTIONS if getattr(args, name) is not None}
    preset = PRESETS.get(args.preset, {}) if args.preset else {}
    values: dict[str, Any] = {**preset, **chosen}
    optimizer = values.get("optimizer", "adam")
    values.setdefault("lr", DEFAULT_LR[optimizer])
    values.setdefault("momentum", DEFAULT_MOMENTUM if optimizer == "sgd" else 0.0)
    return Config(dataset=args.dataset or "mnist", seed=args.seed, **values)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.predict is not None:
        given = [name for name in TRAINING_OPTIONS if name != "activation" and getattr(args, name) is not None]
        if given:
            parser.error(
                f"--predict evaluates saved weights; {', '.join('--' + g.replace('_', '-') for g in given)} "
                "only apply to training"
            )
    elif args.momentum is not None and config_from_args(args).optimizer != "sgd":
        parser.error("--momentum applies to --optimizer sgd only")

    try:
        with blas_threads(args.threads):
            if args.predict is not None:
                return predict(args)
            return train_command(config_from_args(args), args)
    except DemoError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _load(
    dataset: str, args: argparse.Namespace, log: Callable[[str], None], show_train: bool = True
) -> tuple[DataSplit, DataSplit]:
    train_split, test_split, notice = load_data(dataset, args.data, args.offline)
    if notice:
        print(f"note: {notice}", file=sys.stderr)
    if show_train:
        log(f"data: {train_split.describe()}")
        log(f"      {test_split.describe()}")
    else:
        log(f"data: {test_split.describe()}")
    return train_split, test_split


def train_command(config: Config, args: argparse.Namespace, log: Callable[[str], None] = print) -> int:
    try:  # before training, so that a bad --out does not cost a whole run
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DemoError(f"--out {args.out}: cannot create the folder ({error})") from None
    train_split, test_split = _load(config.dataset, args, log)
    num_train = min(len(train_split.labels), config.limit or len(train_split.labels))
    if config.limit is not None and config.limit > len(train_split.labels):
        log(f"(--limit {config.limit}: only {len(train_split.labels)} training images, using them all)")
    config = replace(config, limit=num_train if config.limit is not None else None)
    epochs = config.epochs or default_epochs(config.dataset, num_train)

    probe = build_model(config, np.random.default_rng(0))  # only for the printout: train() builds its own
    log(f"\nmodel: {config.architecture()}, {probe.num_parameters():,} parameters")
    log(repr(probe))
    size = graph_size(probe, train_split.images[: config.batch_size], train_split.labels[: config.batch_size])
    log(f"graph of one training step on {_count(min(config.batch_size, num_train), 'image')}: "
        f"{size['operations']} operation nodes + {size['leaves']} leaves "
        f"(micrograd-style scalars: ~{size['scalar_nodes']:,} nodes)")
    updates = epochs * math.ceil(num_train / config.batch_size)
    log(f"training: {config.training()}, {_count(epochs, 'epoch')} over {num_train:,} images "
        f"= {_count(updates, 'update')}, seed {config.seed}" + (f" (preset {config.preset})" if config.preset else ""))
    log("")

    result = train(config, train_split, test_split, progress=not args.no_progress, log=log)
    confusion = result["confusion"]
    print_report(confusion, config.dataset, log)

    stem = f"{config.dataset}_mlp" + (f"_{config.preset}" if config.preset else "")
    title = f"{DATASETS[config.dataset]} ({train_split.source}): {config.architecture()}, {config.training()}"
    png = plot_curves(result, args.out / f"{stem}_curves.png", title)
    meta = {
        **asdict(config),
        "epochs": result["epochs"],
        "sizes": config.sizes,
        "data_source": train_split.source,
        "num_train": result["num_train"],
        "test_accuracy": result["accuracy"],
        "history": {k: v for k, v in result["history"].items() if k != "seconds"},
    }
    weights = save_model(result["model"], args.out / f"{stem}.npz", meta)

    accuracy = result["accuracy"]
    right, total = int(np.trace(confusion)), int(confusion.sum())
    history = result["history"]
    log("")
    log(f"result: {DATASETS[config.dataset]} ({train_split.source}) test accuracy {accuracy:.2%} ({right}/{total}) "
        f"after {_count(result['epochs'], 'epoch')} on {result['num_train']:,} training images")
    log(f"        {config.architecture()}, {config.training()}, seed {config.seed}; "
        f"final train loss {history['train_loss'][-1]:.4f}, test loss {history['test_loss'][-1]:.4f}")
    if config.preset == "seed":
        verdict = "beats" if accuracy > SEED_POST_ACCURACY else "does NOT beat"
        log(f"        the seed post's 784-1568-10 network reached {SEED_POST_ACCURACY:.0%} trained image by image; "
            f"the same setting here {verdict} it")
    log(f"saved: {weights} (+ {weights.with_suffix('.json').name})" + (f", {png}" if png else ""))
    log(f"       evaluate again with: --predict {weights}")
    seconds = sum(history["seconds"])
    log(f"[time] total {seconds:.1f} s for {_count(result['epochs'], 'epoch')} "
        f"({seconds / result['epochs']:.2f} s per epoch)")
    return 0


def predict(args: argparse.Namespace, log: Callable[[str], None] = print) -> int:
    model, meta, notes = load_model(args.predict, args.activation)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    dataset = args.dataset or meta.get("dataset") or "mnist"
    if dataset not in DATASETS:
        dataset = "mnist"
    if args.dataset and meta.get("dataset") not in (None, args.dataset):
        print(f"note: these weights were trained on {meta['dataset']}, evaluating on {args.dataset} as asked",
              file=sys.stderr)
    _, test_split = _load(dataset, args, log, show_train=False)
    sizes = meta["sizes"]
    log(f"\nmodel: {'-'.join(map(str, sizes))}" + (f" {meta['activation']}" if len(sizes) > 2 else "")
        + f" from {args.predict}, {model.num_parameters():,} parameters")
    log(repr(model))
    start = time.perf_counter()
    test_loss, predictions = evaluate(model, test_split.images, test_split.labels)
    seconds = time.perf_counter() - start
    confusion = confusion_matrix(test_split.labels, predictions)
    print_report(confusion, dataset, log)
    right, total = int(np.trace(confusion)), int(confusion.sum())
    log("")
    log(f"result: {DATASETS[dataset]} ({test_split.source}) test accuracy {right / total:.2%} ({right}/{total}), "
        f"test loss {test_loss:.4f}")
    if isinstance(meta.get("test_accuracy"), float) and meta.get("dataset") == dataset:
        log(f"        (recorded when the weights were saved, on {DATASETS[dataset]} from {meta.get('data_source')}: "
            f"{meta['test_accuracy']:.2%})")
    log(f"[time] evaluation {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
