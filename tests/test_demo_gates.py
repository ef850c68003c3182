"""The gates lesson: one sigmoid neuron learns AND and OR but not XOR; a 2-4-1 MLP learns XOR."""

import numpy as np
import pytest
from autograd_mlp.demos import gates

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module", params=[0, 1, 2])
def results(request):
    # 500 steps (half the default) are plenty: measured over seeds 0..5, AND/OR
    # and the MLP are all at 100%, the XOR perceptron's outputs within 3e-8 of 0.5.
    return gates.run(seed=request.param, steps=500)


def test_the_perceptron_learns_and_and_or(results):
    for gate in ("AND", "OR"):
        r = results[gate]
        assert r["accuracy"] == 1.0, (gate, r["outputs"])
        assert np.all((r["outputs"] > 0.5) == (np.array(gates.GATES[gate]) == 1))


def test_the_perceptron_cannot_learn_xor(results):
    r = results["XOR"]
    assert r["accuracy"] <= 0.75  # no straight line gets all four rows right
    # It gives up: every output sits at 0.5 (measured within 3e-8; 0.05 leaves room).
    assert np.all(np.abs(r["outputs"] - 0.5) < 0.05), r["outputs"]
    assert r["loss"] == pytest.approx(np.log(2), abs=1e-3)  # cross-entropy of answering 0.5
    w1, w2, b = gates.perceptron_line(r["model"])
    assert max(abs(w1), abs(w2), abs(b)) < 0.05


def test_the_mlp_learns_xor(results):
    r = results["XOR (MLP)"]
    assert r["accuracy"] == 1.0, r["outputs"]
    assert np.all(np.abs(r["outputs"] - np.array(gates.GATES["XOR"])) < 0.1)
    assert r["losses"][-1] < r["losses"][0] / 10


def test_every_perceptron_starts_from_the_same_weights():
    a, b = gates.make_perceptron(3), gates.make_perceptron(3)
    np.testing.assert_array_equal(a[0].weight.numpy(), b[0].weight.numpy())
    assert gates.make_mlp(3, hidden=8)[0].out_features == 8


def test_the_report_shows_each_truth_table(results):
    text = gates.format_results(results, steps=500, lr=1.0)
    for title in ("AND: perceptron", "OR: perceptron", "XOR: perceptron", "XOR: MLP 2-4-1"):
        assert title in text
    assert "<- wrong" in text  # the XOR perceptron's misses are marked
    assert "x1  x2  target   output  prediction" in text


def _without_wall_time(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("wall time"))


def test_main_is_reproducible_and_writes_the_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    argv = ["--seed", "4", "--steps", "400", "--out", str(tmp_path)]
    assert gates.main(argv) == 0
    first = capsys.readouterr().out
    assert (tmp_path / gates.PNG_NAME).read_bytes()[:8] == PNG_SIGNATURE
    assert gates.main(argv) == 0
    second = capsys.readouterr().out
    assert _without_wall_time(first) == _without_wall_time(second)
    assert "XOR 100%" in first and "AND 100%" in first


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--steps", "0"], "--steps must be at least 1"),
        (["--lr", "0"], "--lr must be a finite number > 0"),
        (["--lr", "nan"], "--lr must be a finite number > 0"),
        (["--hidden", "0"], "--hidden must be at least 1"),
        (["--seed", "-1"], "--seed must be >= 0"),
        (["--steps", "many"], "invalid int value"),
    ],
)
def test_bad_options_are_argparse_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        gates.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
