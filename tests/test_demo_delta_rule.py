"""The delta-rule lesson in a fast mode: it learns [0, 0, 1, 1], fails XOR, and the
closed-form rule and the autograd engine end with the same weights."""

import numpy as np
import pytest
from autograd_mlp.demos import delta_rule


@pytest.fixture(scope="module")
def results():
    return delta_rule.run(seed=0, epochs=3000, repeats=1)


def test_every_method_learns_the_targets(results):
    for method, r in results.items():
        assert np.all(np.abs(r["outputs"] - delta_rule.TARGETS) < 0.1), (method, r["outputs"])
        assert r["updates"] == 3000 * 4 // delta_rule.METHODS[method]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("method", list(delta_rule.METHODS))
def test_closed_form_and_autograd_give_the_same_weights(seed, method):
    w0 = delta_rule.initial_weights(seed)
    batch = delta_rule.METHODS[method]
    closed = delta_rule.train_closed_form(w0, delta_rule.TARGETS, batch, 300)
    engine = delta_rule.train_autograd(w0, delta_rule.TARGETS, batch, 300)
    assert np.max(np.abs(closed - engine)) < 1e-10
    assert np.max(np.abs(closed - w0)) > 0.1  # and training did move the weights


def test_sgd_makes_the_most_progress_per_epoch(results):
    # more updates per epoch -> lower error after the same number of epochs
    assert results["SGD"]["error"] < results["mini-batch"]["error"] < results["batch"]["error"]


def test_the_single_neuron_cannot_learn_xor():
    xor = delta_rule.run(seed=0, epochs=2000, repeats=1, targets=delta_rule.XOR_TARGETS)
    for method, r in xor.items():
        assert r["error"] > 0.2, method  # mean squared error of always answering ~0.5 is 0.25
        predictions = (r["outputs"] > 0.5).astype(float)
        assert np.sum(predictions == delta_rule.XOR_TARGETS) <= 3


def test_error_curve_falls(tmp_path):
    curve = delta_rule.error_curve(delta_rule.initial_weights(0), delta_rule.TARGETS, 1, 500)
    assert curve.shape == (500,)
    assert curve[-1] < curve[0] / 5


def test_main_prints_the_table_and_writes_the_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert delta_rule.main(["--epochs", "300", "--repeats", "1", "--out", str(tmp_path), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    for word in ("SGD", "batch", "mini-batch", "XOR"):
        assert word in out
    assert (tmp_path / "delta_rule_errors.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_options_are_argparse_errors(capsys):
    with pytest.raises(SystemExit) as exit_info:
        delta_rule.main(["--epochs", "0"])
    assert exit_info.value.code == 2
    assert "--epochs must be at least 1" in capsys.readouterr().err
