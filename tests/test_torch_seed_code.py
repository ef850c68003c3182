"""The posts' PyTorch code (../shared/seed-code/*.py) runs unchanged on autograd_mlp.torch.

Each cell runs exactly as written after ``autograd_mlp.torch.install()``;
the only rewrites are shorter loops (``range(10001)`` -> ``range(2001)``...),
listed per cell below, a file name for the one figure saved, and MNIST
indices kept inside the offline sample (8,000 / 2,000 images instead of
60,000 / 10,000). sklearn's ``accuracy_score`` (not a dependency) is a
stand-in. No PyTorch, no network.
"""

from __future__ import annotations

import contextlib
import io
import math
import random
import re
import sys
import types
import warnings
from pathlib import Path

import numpy as np
import pytest

import autograd_mlp.torch as front
from autograd_mlp.tensor import Tensor
from autograd_mlp.torch.vision import datasets

SEED_CODE = Path(__file__).resolve().parents[2] / "shared" / "seed-code"
if not SEED_CODE.is_dir():  # the checkout may sit elsewhere than beside ../shared
    SEED_CODE = Path("/work/shared/seed-code")

pytestmark = [
    pytest.mark.skipif(not SEED_CODE.is_dir(), reason="the seed code folder (../shared/seed-code) is not here"),
    pytest.mark.skipif(
        not all(hasattr(Tensor, name) for name in ("view", "float", "long", "cpu")),
        reason="the native Tensor's PyTorch methods (view, float, long, cpu) are not there yet",
    ),
]


def cells(name: str) -> dict[str, str]:
    """title -> code of each ``# %%`` cell of one seed-code file, in order."""
    path = next(SEED_CODE.glob(f"{name}_*.py"))
    out = {}
    for chunk in re.split(r"^# %% ", path.read_text(), flags=re.M)[1:]:
        title, _, code = chunk.partition("\n")
        out[title.split()[0]] = code
    return out


def rewrite(code: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert old in code, f"the seed code changed: {old!r} not found"
        code = code.replace(old, new)
    return code


def run(code: str, ns: dict, title: str) -> str:
    """Run one cell in ``ns``; return what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the sample-data warning, matplotlib's Agg show()
        exec(compile(code, f"seed-code {title}", "exec"), ns)
    return out.getvalue()


def printed_numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", text)]


@pytest.fixture
def torch_installed(monkeypatch):
    """The front as `torch`, a stand-in sklearn, a headless matplotlib, and MNIST never downloaded."""
    import matplotlib

    matplotlib.use("Agg")
    metrics = types.ModuleType("sklearn.metrics")
    metrics.accuracy_score = lambda y_true, y_pred: float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
    sklearn = types.ModuleType("sklearn")
    sklearn.metrics = metrics
    monkeypatch.setitem(sys.modules, "sklearn", sklearn)
    monkeypatch.setitem(sys.modules, "sklearn.metrics", metrics)
    loader = datasets.MNIST._loader
    monkeypatch.setattr(datasets.MNIST, "_loader", staticmethod(lambda root, **kw: loader(None, **{**kw, "download": False})))
    front.manual_seed(0)  # the state a fresh process starts in
    random.seed(0)  # post 001 picks its training images with Python's random.randint
    front.install()
    yield {"__name__": "__main__"}
    front.uninstall()
    import matplotlib.pyplot as plt

    plt.close("all")


def test_000_perceptron_stuck_at_one_half_then_backprop_and_mlp_solve_xor(torch_installed):
    ns = torch_installed  # the cells in order, as in a fresh process: the draws depend on it
    c = cells("000")
    costs = printed_numbers(run(rewrite(c["000-1"], ("range(10001)", "range(1001)")), ns, "000-1"))
    assert costs[0] > costs[-1] and costs[-1] == pytest.approx(math.log(2), abs=1e-4)  # "stops falling"
    np.testing.assert_allclose(ns["model"](ns["X"]).data, 0.5, atol=1e-3)  # every output 0.5

    costs = printed_numbers(run(rewrite(c["000-2"], ("range(10001)", "range(2001)")), ns, "000-2"))
    assert costs[0] > 0.5 and costs[-1] < 0.01  # from chance to solved, by the hand-written chain rule
    np.testing.assert_array_equal((ns["Y_pred"].data > 0.5).astype(np.float32), ns["Y"].data)

    costs = printed_numbers(run(rewrite(c["000-3"], ("range(10001)", "range(3001)")), ns, "000-3"))
    assert costs[-1] < 0.02 and costs[-1] < costs[0] / 10
    printed = run(c["000-4"], ns, "000-4")
    assert ns["accuracy"].item() == 1.0 and printed.rstrip().endswith("Accuracy:  1.0")


def test_001_one_step_and_the_function_fit(torch_installed):
    ns = torch_installed
    c = cells("001")
    # instrumented only to remember the weights before the step
    code = rewrite(c["001-1"], ("optimizer.zero_grad()\n", "before = network.input_layer.weight.data.copy()\noptimizer.zero_grad()\n"))
    printed = run(code, ns, "001-1")
    w, b = np.asarray(ns["w"]), np.asarray(ns["b"])
    assert w.shape == (6, 1) and b.shape == (6,) and f"{w[0, 0]:.4f}"[:5] in printed
    # Adam's first step moves every weight that got a gradient by lr (0.001), whatever its size
    moved = np.abs(w - ns["before"])
    assert moved.max() == pytest.approx(0.001, rel=1e-3) and np.all(moved <= 0.001 * (1 + 1e-3))

    def fit_error(network):
        x = np.linspace(-5, 5, 201, dtype=np.float32).reshape(-1, 1)
        y = x**3 + x**2 - x - 1
        with front.no_grad():
            return float(np.mean((network(front.tensor(x)).data - y) ** 2))

    code = rewrite(c["001-2"], ("range(10000)", "range(2000)"))
    before = fit_error(ns["NeuralNetwork"]())
    printed = run(code, ns, "001-2")
    after = fit_error(ns["network"])
    assert after < before / 4, (before, after)  # the loss fell: the network fits the curve
    assert "last loss" in printed


def test_001_mnist_network_as_written_trains_two_of_its_three_layers(torch_installed):
    ns = torch_installed
    c = cells("001")
    run(c["001-1"], ns, "001-1")
    run(c["001-3"], ns, "001-3")
    assert len(ns["train_data"]) == 8000 and ns["train_data"].source == "sample"
    run(c["001-4"], ns, "001-4")
    front.manual_seed(0)
    train = rewrite(c["001-5"], ("range(50000)", "range(120)"), ("59999", "len(train_data) - 1"))
    printed = run(train, ns, "001-5")
    network = ns["network"]
    # The hidden layer sits in a plain list: PyTorch does not register it, so neither do we.
    assert printed.startswith("n params 4 ")
    hidden = network.hidden_layers[0]
    assert all(p is not hidden.weight for p in network.parameters())
    test = rewrite(c["001-6"], ("range(5000)", "range(81)"))
    printed = run(test, ns, "001-6")
    accuracy = printed_numbers(printed)[-1]
    assert 30 < accuracy <= 101  # well above chance (10%) after 120 of the post's 50,000 steps


def test_004_the_mlp_classifies_the_three_blobs(torch_installed):
    ns = torch_installed
    c = cells("004")
    run(c["004-0"], ns, "004-0")
    run(c["004-1"], ns, "004-1")
    code = rewrite(c["004-2"], ("epoch = 4000", "epoch = 201"))
    printed = run(code, ns, "004-2")
    accuracies = [float(a) for a in re.findall(r"Accuracy:\s+([\d.]+) %", printed)]
    assert len(accuracies) == 2 and accuracies[-1] > 90
    losses = ns["list_train_loss"]
    assert len(losses) == 201 and losses[-1] < losses[0] / 2
    assert len(ns["list_val_loss"]) == 201


def test_004_the_linear_model_does_worse_than_the_mlp(torch_installed, tmp_path):
    """The post's point: 2-200-3 MLP beats a linear model (3 outputs, the linear model as the MLP's cell trains it)."""
    ns = torch_installed
    c = cells("004")
    run(c["004-0"], ns, "004-0")
    run(c["004-1"], ns, "004-1")
    results = {}
    for name, line in (("mlp", "model = MLPModel(in_dim=2, out_dim=3, hid_dim=200)"), ("linear", "model = nn.Linear(2, 3)")):
        code = rewrite(c["004-2"], ("epoch = 4000", "epoch = 61"), ("model = MLPModel(in_dim=2, out_dim=3, hid_dim=200)  # F1", line))
        front.manual_seed(0)
        run(code, ns, f"004-2 {name}")
        results[name] = ns["list_train_loss"][-1]
    assert results["mlp"] < results["linear"]
    plots = rewrite(c["004-3"], ("/tmp/bars/b004_loss.png", str(tmp_path / "loss.png")))
    run(plots, ns, "004-3")
    assert (tmp_path / "loss.png").stat().st_size > 1000
