"""The from-scratch MNIST MLP (post 002), shortened: hand-written gradients equal backward(), and it learns."""

from __future__ import annotations

import numpy as np
import pytest
from autograd_mlp.demos import mlp_from_scratch as demo

# 2,000 training images, 3 epochs: measured 88.2%, 88.2%, 87.6% test accuracy (seeds 0-2) in ~0.6 s.
FAST = dict(epochs=3, n_train=2000, n_test=500)


@pytest.fixture(scope="module")
def fast_run():
    return demo.train(0, **FAST)


def test_hand_written_gradients_equal_backward(fast_run):
    assert len(fast_run["gradient_difference"]) == FAST["epochs"]  # checked on every epoch's first batch
    assert max(fast_run["gradient_difference"]) <= 1e-12  # float64: rounding only


def test_it_learns(fast_run):
    assert fast_run["loss"][2] < fast_run["loss"][1] < fast_run["loss"][0] < np.log(10)  # below guessing
    assert fast_run["accuracy"][-1] >= 0.85


def test_same_seed_same_numbers_other_seed_other_numbers(fast_run):
    assert demo.train(0, **FAST) == fast_run
    assert demo.train(1, **FAST)["loss"] != fast_run["loss"]


def test_a_wrong_backward_is_caught(monkeypatch):
    # forget the sigmoid's slope: the check against backward() must see it
    monkeypatch.setattr(demo.Sigmoid, "backward", lambda self, dz: dz * self.y)
    assert max(demo.train(0, epochs=1, n_train=100, n_test=50)["gradient_difference"]) > 1e-3


def test_dropout_is_off_at_test_time_and_scaled_in_training():
    layer = demo.Dropout(0.3, np.random.default_rng(0))
    x = np.ones((200, 50))
    y = layer.forward(x)
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.7])
    assert abs((y == 0).mean() - 0.3) < 0.02
    layer.training = False
    assert np.array_equal(layer.forward(x), x)


def test_main_prints_the_agreement_and_writes_the_curves(tmp_path, capsys):
    assert demo.main(["--epochs", "1", "--train", "500", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "largest gradient difference" in out and "epoch  1" in out
    assert (tmp_path / "mlp_from_scratch_curves.png").stat().st_size > 1000
