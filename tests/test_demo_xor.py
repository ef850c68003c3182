"""The XOR lesson in a fast mode: the perceptron stays at 0.5, the MLP gets all four right."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from autograd_mlp.demos import xor

FAST_STEPS = 1000  # the demo's default is 10,000; every seed below is solved well within 1,000


@pytest.mark.parametrize("seed", range(5))
def test_the_perceptron_cannot_learn_xor(seed):
    result = xor.train(xor.make_perceptron(seed), steps=FAST_STEPS)
    assert result["accuracy"] <= 0.75
    assert max(abs(p - 0.5) for p in result["outputs"]) < 1e-3
    assert result["loss"] == pytest.approx(np.log(2), abs=1e-6)  # the loss of answering 0.5 everywhere


@pytest.mark.parametrize("seed", range(10))
def test_the_mlp_learns_xor(seed):
    result = xor.train(xor.make_mlp(seed), steps=FAST_STEPS)
    assert result["accuracy"] == 1.0
    assert result["predictions"] == [0, 1, 1, 0]
    assert all(abs(p - t) < 0.1 for p, t in zip(result["outputs"], xor.TARGETS))
    losses = [loss for _, loss in result["history"]]
    assert losses[-1] < losses[0] / 10


def test_same_seed_same_numbers_and_different_seed_different_numbers():
    first, second = xor.run(seed=3, steps=200), xor.run(seed=3, steps=200)
    for key in ("perceptron", "mlp"):
        assert first[key] == second[key]
    assert xor.format_table(first) == xor.format_table(second)
    other = xor.run(seed=4, steps=200)
    assert other["mlp"]["outputs"] != first["mlp"]["outputs"]


def test_main_prints_the_table_reproducibly(capsys, tmp_path):
    args = ["--seed", "2", "--steps", "150", "--out", str(tmp_path)]
    assert xor.main(args) == 0
    out = capsys.readouterr().out
    assert xor.main(args) == 0
    assert capsys.readouterr().out == out
    assert "seed 2: 150 steps" in out
    assert "perceptron 2-1" in out and "MLP 2-4-1 (tanh)" in out
    assert out.count("\n  0   1       1 |") == 1
    assert "accuracy" in out and "final loss" in out


def test_table_shows_each_models_outputs():
    results = xor.run(seed=0, steps=50)
    table = xor.format_table(results)
    for p, m in zip(results["perceptron"]["outputs"], results["mlp"]["outputs"]):
        assert f"{p:.4f}" in table and f"{m:.4f}" in table
    assert f"{results['mlp']['accuracy']:.0%}" in table


def test_out_writes_results_and_loadable_weights(tmp_path, capsys):
    assert xor.main(["--steps", "100", "--out", str(tmp_path / "run")]) == 0
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["steps"] == 100 and results["seed"] == 0
    model = xor.make_mlp(seed=99).load(tmp_path / "run" / "xor_mlp.npz")
    assert xor.evaluate(model)["outputs"] == pytest.approx(results["mlp"]["outputs"], rel=1e-12)


def test_graph_as_dot_source(tmp_path, capsys):
    pytest.importorskip("autograd_mlp.viz")
    path = tmp_path / "xor.dot"
    assert xor.main(["--steps", "20", "--graph", str(path), "--out", str(tmp_path)]) == 0
    text = path.read_text()
    assert all(f'label="{op}"' in text for op in ("tanh", "sigmoid", "*", "+"))  # fused neurons drawn expanded (viz)
    assert "layers.0.neurons.0.w.0" in text  # parameters carry their state_dict names


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
def test_graph_as_svg_unfused(tmp_path, capsys):
    pytest.importorskip("autograd_mlp.viz")
    result = xor.run(seed=0, steps=20)
    model = result["model"]
    path = xor.write_graph(model, tmp_path / "xor.svg", fused=False)
    svg = path.read_text()
    assert "<svg" in svg and "tanh" in svg and "linear+" not in svg
    assert model.fused  # switched back after drawing


def test_bad_arguments_exit_with_a_message(capsys):
    with pytest.raises(SystemExit):
        xor.main(["--steps", "-1"])
    assert "--steps must be at least 0" in capsys.readouterr().err


def test_the_loss_curves_are_always_written_and_the_perceptron_is_flat_at_ln2(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert xor.main(["--steps", "400", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "xor_loss.png").read_bytes()[:4] == b"\x89PNG"
    losses = xor.train(xor.make_perceptron(0), steps=400)["losses"]
    assert len(losses) == 400
    assert all(abs(loss - np.log(2)) < 1e-3 for loss in losses[250:])  # flat after about 200 steps, as the post says
