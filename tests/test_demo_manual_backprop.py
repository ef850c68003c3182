"""The lesson 'backward() is the chain rule': hand-written and engine gradients agree."""

import numpy as np
import pytest
from autograd_mlp.demos import manual_backprop as demo


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_gradients_agree_at_every_step_and_xor_is_learned(seed):
    result = demo.train(seed=seed, steps=3000, lr=1.0)
    assert result["max_gradient_difference"] < demo.TOLERANCE
    np.testing.assert_allclose(result["manual_losses"], result["engine_losses"], rtol=1e-10)
    assert result["engine_losses"][-1] < result["engine_losses"][0] / 10
    assert result["accuracy"] == 1.0


def test_a_wrong_hand_gradient_is_caught(monkeypatch):
    real = demo.manual_step

    def off_by_a_factor(p):
        loss, grads = real(p)
        grads["w1"] = grads["w1"] * 1.001
        return loss, grads

    monkeypatch.setattr(demo, "manual_step", off_by_a_factor)
    with pytest.raises(AssertionError, match="d loss/d w1 differs"):
        demo.train(seed=0, steps=5)


def test_main_is_reproducible(tmp_path, capsys):
    args = ["--steps", "200", "--seed", "4", "--out", str(tmp_path)]
    demo.main(args)
    first = capsys.readouterr().out
    demo.main(args)
    assert capsys.readouterr().out == first
