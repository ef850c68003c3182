"""The function-fit lesson: a 1-6-1 ReLU MLP fits the cubic on [-5, 5] and fails outside it."""

import sys

import numpy as np
import pytest
from autograd_mlp.demos import function_fit as demo

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_good_inside_the_training_range_bad_outside(seed):
    # A small run: over seeds 0..5 the MSE inside was <= 2% of the variance of
    # y, and the MSE outside >= 205 times the MSE inside.
    result = demo.train(seed=seed, samples=500, epochs=30)
    scores = demo.evaluate(result)
    assert scores["mse_inside"] < 0.05 * scores["var_inside"], scores
    assert scores["mse_outside"] > 50 * scores["mse_inside"], scores
    assert len(result["epoch_mse"]) == 30
    assert result["epoch_mse"][-1] < result["epoch_mse"][0] / 20


def test_the_default_run_fits_well():
    # The shipped defaults, seed 0: measured 9.0 inside (0.44% of the variance), 464x outside.
    result = demo.train(seed=0)
    scores = demo.evaluate(result)
    assert scores["mse_inside"] < 0.02 * scores["var_inside"], scores
    assert scores["mse_outside"] > 100 * scores["mse_inside"], scores


def test_the_fit_is_piecewise_linear_with_at_most_one_bend_per_unit():
    result = demo.train(seed=0, samples=200, epochs=5, hidden=6)
    kinks = demo.bends(result)
    assert len(kinks) <= 6
    # Beyond the outermost bend the fit is a straight line: equal steps, equal rises.
    right = max(kinks.max(), demo.PLOT_RANGE[1]) + np.array([1.0, 2.0, 3.0])
    rises = np.diff(demo.predict(result, right))
    assert rises[0] == pytest.approx(rises[1], rel=1e-4, abs=1e-3)


def test_evaluation_points_split_at_the_training_range():
    inside, outside = demo.evaluation_points()
    assert inside.min() == -5 and inside.max() == 5
    assert np.all(np.abs(outside) > 5) and np.all(np.abs(outside) <= 7)


def test_progress_falls_back_to_plain_lines_without_tqdm(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `from tqdm import tqdm` raise ImportError
    demo.train(seed=0, samples=50, epochs=10, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""  # progress never touches stdout
    assert "tqdm is not installed" in captured.err
    assert "epoch 10/10" in captured.err


def test_no_progress_is_silent(capsys):
    demo.train(seed=0, samples=50, epochs=3, progress=False)
    assert capsys.readouterr().err == ""


def _without_wall_time(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("wall time"))


def test_main_is_reproducible_and_writes_the_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    argv = ["--seed", "3", "--samples", "300", "--epochs", "10", "--out", str(tmp_path)]
    assert demo.main(argv) == 0  # with the progress bar, on stderr
    first = capsys.readouterr().out
    assert (tmp_path / demo.PNG_NAME).read_bytes()[:8] == PNG_SIGNATURE
    assert demo.main(argv + ["--no-progress"]) == 0
    second = capsys.readouterr()
    assert second.err == ""
    assert _without_wall_time(first) == _without_wall_time(second.out)
    assert "MSE inside" in first and "MSE outside" in first


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--samples", "1"], "--samples must be at least 2"),
        (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--lr", "-0.1"], "--lr must be a finite number > 0"),
        (["--hidden", "0"], "--hidden must be at least 1"),
        (["--seed", "-2"], "--seed must be >= 0"),
        (["--epochs", "1.5"], "invalid int value"),
    ],
)
def test_bad_options_are_argparse_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        demo.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
