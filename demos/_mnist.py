"""The machinery of the MNIST lesson (demos/mnist_mlp.py), kept out of its way.

Options and presets, loading the data with clean errors, evaluation, the
printed reports (per-class accuracy, confusion matrix), the pictures,
saving and loading the weights with a JSON description, and ``--predict``.
The lesson itself (the model, the training loop, post 001 as written) is
in ``mnist_mlp.py``.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from autograd_mlp.demos import _support as support

from autograd_mlp import Tensor, no_grad, topological_order
from autograd_mlp.data import (
    DatasetNotFoundError,
    DataSplit,
    DownloadError,
    IDXFormatError,
    SampleDataWarning,
    load_fashion_mnist_splits,
    load_mnist_splits,
)
from autograd_mlp.files import write_text
from autograd_mlp.nn import (
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

# Post 001 trained its 784-1568-(1568)-10 network on 50,000 random single images
# with Adam lr 0.01 and reported 70% test accuracy (see mnist_mlp.seed_post).
SEED_POST_ACCURACY = 0.70
SEED_POST_STEPS = 50_000
SEED_POST_TEST_IMAGES = 5_000
PRESETS = ("seed",)
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


def progress(batches: Any, show: bool, desc: str) -> Iterator[Any]:
    """The batches, with a tqdm bar on stderr when ``show`` (stdout stays clean for the numbers)."""
    if show:
        try:
            from tqdm import tqdm
        except ImportError:
            print("(tqdm is not installed: no progress bars, one line per epoch; pip install tqdm)", file=sys.stderr)
        else:
            batches = tqdm(batches, desc=desc, unit="batch", file=sys.stderr, leave=False, dynamic_ncols=True,
                           mininterval=0.2)
    yield from batches


def make_scheduler(config: Config, optimizer: Optimizer, total_steps: int) -> CosineAnnealingLR | None:
    """Cosine decay from lr to 0 over the run, stepped per batch (--schedule cosine), else None.

    The last epochs then take ever smaller steps and settle instead of jittering
    (it helps Fashion-MNIST a little; on the small MNIST sample the constant
    rate's jitter regularizes and does better).
    """
    return CosineAnnealingLR(optimizer, T_max=total_steps) if config.schedule == "cosine" else None


def log_epoch(history: dict[str, list[float]], epoch: int, epochs: int, train_seconds: float,
              log: Callable[[str], None]) -> None:
    log(f"epoch {epoch:>{len(str(epochs))}}/{epochs}  train loss {history['train_loss'][-1]:.4f}"
        f"  train acc {history['train_accuracy'][-1]:.2%}  test loss {history['test_loss'][-1]:.4f}"
        f"  test acc {history['test_accuracy'][-1]:.2%}")
    seconds = history["seconds"][-1]
    log(f"[time] epoch {epoch}: {seconds:.2f} s "
        f"(training {train_seconds:.2f} s, evaluation {seconds - train_seconds:.2f} s)")


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
    plt = support.pyplot()
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
    return support.save_figure(fig, path, dpi=110)


# ------------------------------------------------------------------ saving and loading


def save_model(model: Module, path: Path, meta: dict[str, Any]) -> Path:
    """The weights as .npz (Module.save: atomic) plus ``<name>.json`` describing the model.

    The JSON holds what the weights cannot tell: the activation, the
    dataset, the settings and results. `load_model` reads the layer sizes
    from the weights themselves, so the .npz alone is still usable.
    """
    write_text(path.with_suffix(".json"), json.dumps({"format": META_FORMAT, **meta}, indent=2) + "\n")
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
)


def build_parser(doc: str | None = None) -> argparse.ArgumentParser:
    parser = support.DemoParser(prog="mnist_mlp.py", description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    training.add_argument("--preset", choices=PRESETS,
                          help="seed: post 001 as written (Adam lr 0.01, 50,000 random single images, its network "
                               "with the untrained hidden layer and the dropped activation, its test loop that keeps "
                               "training), then the same network done right")
    training.add_argument("--steps", type=_positive_int, default=SEED_POST_STEPS,
                          help=f"--preset seed: random single-image steps (default {SEED_POST_STEPS:,}, the post's)")
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
    data.add_argument("--lang", choices=("en", "ko"), default="en", help="language of the plots' labels (en, ko)")
    data.add_argument("--predict", type=Path, metavar="WEIGHTS.npz",
                      help="evaluate saved weights on the test split, no training: the layer sizes are read from "
                           "the weights, the activation from the .json saved beside them (or --activation)")
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """The options, every one checked before any work (one line on stderr, exit 2)."""
    args = parser.parse_args(argv)
    given = [name for name in TRAINING_OPTIONS if getattr(args, name) is not None]
    if args.predict is not None:
        given = [name for name in given if name != "activation"] + (["preset"] if args.preset else [])
        if given:
            parser.error(
                f"--predict evaluates saved weights; {', '.join('--' + g.replace('_', '-') for g in given)} "
                "only apply to training"
            )
    elif args.preset == "seed":
        if given:
            parser.error(f"--preset seed is post 001 as written; {', '.join('--' + g.replace('_', '-') for g in given)}"
                         " would change it (only --seed, --steps, the data options and --out apply)")
    elif args.momentum is not None and config_from_args(args).optimizer != "sgd":
        parser.error("--momentum applies to --optimizer sgd only")
    try:
        args.out = support.output_folder(args.out)
    except OSError as error:
        parser.error(str(error))
    return args


def config_from_args(args: argparse.Namespace) -> Config:
    """Explicit options, then the defaults."""
    values: dict[str, Any] = {name: getattr(args, name) for name in TRAINING_OPTIONS if getattr(args, name) is not None}
    optimizer = values.get("optimizer", "adam")
    values.setdefault("lr", DEFAULT_LR[optimizer])
    values.setdefault("momentum", DEFAULT_MOMENTUM if optimizer == "sgd" else 0.0)
    return Config(dataset=args.dataset or "mnist", seed=args.seed, **values)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def load(
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


def prepare(config: Config, train_split: DataSplit, log: Callable[[str], None] = print) -> Config:
    """Print the model, the size of one step's graph and the training plan; return the config with --limit settled."""
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
        f"= {_count(updates, 'update')}, seed {config.seed}")
    log("")
    return replace(config, epochs=epochs)


def report(config: Config, result: dict[str, Any], train_split: DataSplit, test_split: DataSplit,
           args: argparse.Namespace, log: Callable[[str], None] = print) -> int:
    """Per-class table, confusion matrix, the pictures, the saved weights, the result line."""
    confusion = result["confusion"]
    print_report(confusion, config.dataset, log)
    stem = f"{config.dataset}_mlp"
    title = f"{DATASETS[config.dataset]} ({train_split.source}): {config.architecture()}, {config.training()}"
    pngs = [
        plot_curves(result, args.out / f"{stem}_curves.png", title),
        plot_confusion(confusion, CLASS_NAMES[config.dataset], args.out / f"{stem}_confusion.png", args.lang),
        plot_mistakes(test_split, result["predictions"], CLASS_NAMES[config.dataset],
                      args.out / f"{stem}_mistakes.png", args.lang),
    ]
    meta = {
        **asdict(config),
        "sizes": config.sizes,
        "data_source": train_split.source,
        "num_train": result["num_train"],
        "test_accuracy": result["accuracy"],
        "history": {k: v for k, v in result["history"].items() if k != "seconds"},
    }
    weights = save_model(result["model"], args.out / f"{stem}.npz", meta)
    accuracy, history = result["accuracy"], result["history"]
    right, total = int(np.trace(confusion)), int(confusion.sum())
    log("")
    log(f"result: {DATASETS[config.dataset]} ({train_split.source}) test accuracy {accuracy:.2%} ({right}/{total}) "
        f"after {_count(result['epochs'], 'epoch')} on {result['num_train']:,} training images")
    log(f"        {config.architecture()}, {config.training()}, seed {config.seed}; "
        f"final train loss {history['train_loss'][-1]:.4f}, test loss {history['test_loss'][-1]:.4f}")
    log(f"saved: {weights} (+ {weights.with_suffix('.json').name})"
        + "".join(f", {png}" for png in pngs if png))
    log(f"       evaluate again with: --predict {weights}")
    seconds = sum(history["seconds"])
    log(f"[time] total {seconds:.1f} s for {_count(result['epochs'], 'epoch')} "
        f"({seconds / result['epochs']:.2f} s per epoch)")
    return 0


def plot_running_loss(runs: dict[str, tuple[int, list[float]]], path: Path, lang: str = "en",
                      window: int = 500) -> Path | None:
    """Loss against images seen, as a running mean over ``window`` images.

    ``runs``: name -> (images per step, the loss of every step). Single-image
    losses jump between 0 and 10; their running mean shows the trend.
    """
    plt = support.pyplot()
    if plt is None:
        return None
    t = lambda en, ko: support.label(plt, lang, en, ko)
    fig, ax = plt.subplots(figsize=(8, 4))
    for name, (batch, values) in runs.items():
        v = np.asarray(values, dtype=float)
        w = max(1, min(window // batch, len(v)))
        mean = np.convolve(v, np.ones(w) / w, mode="valid")
        ax.plot(batch * np.arange(w, len(v) + 1), mean, label=f"{name} ({batch} per step)")
    ax.set_yscale("log")
    ax.set(xlabel=t("training images seen", "학습에 쓴 이미지 수"),
           ylabel=t(f"cross-entropy, running mean over {window} images", f"교차 엔트로피, 이미지 {window}장 이동 평균"),
           title=t("post 001's network: as written vs done right", "001 글의 신경망: 글 그대로 vs 바로잡은 것"))
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return support.save_figure(fig, path, dpi=110)


def plot_confusion(confusion: np.ndarray, names: Sequence[str], path: Path, lang: str = "en") -> Path | None:
    """The confusion matrix as a heatmap: the diagonal is right, every other bright cell a common mistake."""
    plt = support.pyplot()
    if plt is None:
        return None
    t = lambda en, ko: support.label(plt, lang, en, ko)
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    shown = confusion.astype(float)
    image = ax.imshow(np.log1p(shown), cmap="viridis")  # log: the mistakes are 100x rarer than the hits
    for (i, j), v in np.ndenumerate(confusion):
        if v:
            ax.text(j, i, str(v), ha="center", va="center", fontsize=7, color="white" if i != j else "black")
    ax.set_xticks(range(len(names)), [n[:7] for n in names], rotation=45 if len(names[0]) > 1 else 0)
    ax.set_yticks(range(len(names)), [n[:7] for n in names])
    ax.set(xlabel=t("predicted class", "예측한 클래스"), ylabel=t("true class", "실제 클래스"),
           title=t("confusion matrix (test set, log colour scale)", "혼동 행렬 (테스트, 로그 색 척도)"))
    fig.colorbar(image, ax=ax, label="log(1 + count)")
    fig.tight_layout()
    return support.save_figure(fig, path, dpi=110)


def plot_mistakes(test_split: DataSplit, predictions: np.ndarray, names: Sequence[str], path: Path,
                  lang: str = "en", count: int = 32) -> Path | None:
    """The first ``count`` misclassified test images, each titled "true -> predicted"."""
    plt = support.pyplot()
    if plt is None:
        return None
    t = lambda en, ko: support.label(plt, lang, en, ko)
    wrong = np.flatnonzero(predictions != test_split.labels)[:count]
    columns = 8
    rows = max(1, -(-len(wrong) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.2, rows * 1.45), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        ax.imshow(test_split.images[i].reshape(28, 28), cmap="gray_r")
        ax.set_title(f"{names[test_split.labels[i]][:6]}→{names[predictions[i]][:6]}", fontsize=8, color="tab:red")
    fig.suptitle(t(f"misclassified test images (true→predicted): {len(wrong)} of "
                   f"{int((predictions != test_split.labels).sum())}",
                   f"틀린 테스트 이미지 (정답→예측): {int((predictions != test_split.labels).sum())}장 중 {len(wrong)}장"))
    fig.tight_layout()
    return support.save_figure(fig, path, dpi=100)


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
    _, test_split = load(dataset, args, log, show_train=False)
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


