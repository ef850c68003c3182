"""The benchmark scripts stay runnable: each group in its tiny configuration.

These check that the scripts run and report every target, not the targets
themselves (timings on a shared machine belong in benchmarks/, not in tests).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("group", ["scalar", "tensor", "delta_rule"])
def test_benchmark_group_runs_in_quick_mode(group, tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--only", group, "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(out.read_text())["results"]
    assert results, "no result rows"
    for row in results:
        assert row["benchmark"] and row["target"]
        assert row["passed"] in (True, False, None)
        if row["passed"] is not None:
            assert isinstance(row["ratio"], (int, float))
    names = " ".join(r["benchmark"] for r in results)
    expected = {
        "scalar": ["moons step", "bytes per scalar graph node", "scalar training", "chain", "wide"],
        "tensor": ["784-256-128-10", "784-1568-10, batch 128", "784-1568-10, batch 1", "tensor training", "epoch"],
        "delta_rule": ["SGD", "batch", "mini-batch"],
    }[group]
    for word in expected:
        assert word in names, (word, names)
    assert "verdict" in done.stdout


def test_scaling_script_runs_in_quick_mode(tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "scaling.png"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "scaling.py"), "--quick", "--out", str(png)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "nodes" in done.stdout and "params" in done.stdout


@pytest.mark.parametrize("batch, optimizer", [(1, "sgd"), (5, "sgd"), (5, "adam")])
def test_the_numpy_floor_does_the_same_work_as_the_engine(batch, optimizer):
    """The floor the Tensor engine is timed against must compute the same step."""
    import numpy as np

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from numpy_floor import NumpyMLP

    from autograd_mlp import Tensor, nn, optim

    rng = np.random.default_rng(batch)
    x = rng.random((batch, 20))
    y = rng.integers(0, 4, batch)
    floor = NumpyMLP([20, 8, 4], dtype=np.float64, lr=0.1, optimizer=optimizer)
    model = nn.sequential_mlp([20, 8, 4], dtype=np.float64)
    for param, value in zip(model.parameters(), floor.params):
        param.data[...] = value
    make = {"sgd": optim.SGD, "adam": optim.Adam}[optimizer]
    opt = make(model.parameters(), lr=0.1)
    for _ in range(3):
        floor_loss = floor.step(x, y)
        opt.zero_grad()
        loss = nn.CrossEntropyLoss()(model(Tensor(x)), y)
        loss.backward()
        opt.step()
        assert abs(floor_loss - loss.item()) < 1e-12
    for param, value in zip(model.parameters(), floor.params):
        np.testing.assert_allclose(param.data, value, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("method", ["SGD", "batch", "mini-batch"])
def test_the_delta_rule_kernels_compute_the_textbook_loop(method):
    """The benchmark's own kernels (never the demo's) end with the weights of a plain loop."""
    import numpy as np

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import delta_rule_kernels as k

    batch = k.METHODS[method]
    w0 = k.initial_weights(3)
    w = w0.copy()
    for _ in range(50):  # the textbook update, written as plainly as possible
        for start in range(0, 4, batch):
            dw = np.zeros(3)
            for i in range(start, start + batch):
                y = 1 / (1 + np.exp(-(k.X[i] @ w)))
                dw += k.ALPHA * y * (1 - y) * (k.TARGETS[i] - y) * k.X[i]
            w = w + dw / batch
    np.testing.assert_allclose(k.train_closed_form(w0, k.TARGETS, batch, 50), w, rtol=1e-12)
    np.testing.assert_allclose(k.train_autograd(w0, k.TARGETS, batch, 50), w, rtol=1e-12)
    assert not np.allclose(w, w0)  # the loop really moved the weights
