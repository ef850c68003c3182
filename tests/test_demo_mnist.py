"""The MNIST MLP demo, fast: short runs on the shipped 8,000/2,000-digit sample.

Nothing real is picked up and nothing is downloaded: the data environment
variable is removed, HOME and the cache point into a temporary folder, the
Debian folder and the mirrors point nowhere, ``urlopen`` fails the test if
called, and every run passes ``--offline``.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from autograd_mlp.demos import _mnist as tools
from autograd_mlp.demos import _support as support
from autograd_mlp.demos import mnist_mlp as demo

import autograd_mlp.data.mnist as mnist_data
from autograd_mlp import nn

# 4,000 training images, 2 epochs, one hidden layer of 128, batches of 32:
# measured 89.85% (seed 0; seeds 1 and 2: 90.00%, 90.75%) in ~0.3 s.
FAST = ["--dataset", "mnist", "--offline", "--no-progress", "--limit", "4000", "--epochs", "2",
        "--hidden", "128", "--batch-size", "32", "--seed", "0"]
FAST_MIN_ACCURACY = 0.87
TINY = ["--dataset", "mnist", "--offline", "--limit", "500", "--epochs", "1", "--hidden", "16"]


@pytest.fixture(scope="module", autouse=True)
def isolated(tmp_path_factory):
    """No real dataset folder, no cache, no network, for every test in this file."""
    home = tmp_path_factory.mktemp("home")

    def no_network(*args, **kwargs):
        raise AssertionError(f"the demo tried to download: {args}")

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(mnist_data.DATA_ENV_VAR, raising=False)
        mp.setenv("HOME", str(home))
        mp.setenv("XDG_CACHE_HOME", str(home / "cache"))
        mp.setattr(mnist_data, "DEBIAN_DATASETS_DIR", home / "no-datasets")
        mp.setattr(mnist_data, "MNIST_MIRRORS", ["http://127.0.0.1:9/"])
        mp.setattr(mnist_data, "FASHION_MNIST_MIRRORS", ["http://127.0.0.1:9/"])
        mp.setattr(mnist_data, "urlopen", no_network)
        yield home


def run(args: list[str]) -> tuple[int, str, str]:
    """main(args) -> (exit code, stdout, stderr); argparse errors give their SystemExit code."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = demo.main(args)
        except SystemExit as exit_info:
            code = exit_info.code
    return code, out.getvalue(), err.getvalue()


def numbers_only(stdout: str, out_dir: Path) -> str:
    """The output minus wall times (the [time] lines) and the output folder's name."""
    lines = [line for line in stdout.splitlines() if not line.startswith("[time]")]
    return "\n".join(lines).replace(str(out_dir), "<out>")


def accuracy_of(stdout: str) -> float:
    match = re.search(r"^result: .* test accuracy (\d+\.\d+)% \((\d+)/(\d+)\)", stdout, re.MULTILINE)
    assert match, stdout
    return int(match.group(2)) / int(match.group(3))


def confusion_of(stdout: str) -> tuple[np.ndarray, np.ndarray]:
    """(10x10 matrix, printed row totals) parsed from the printed confusion matrix."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("confusion matrix"))
    header = lines[start + 1].split()
    assert header == [str(i) for i in range(10)] + ["total"]
    rows = [lines[start + 2 + i].split() for i in range(10)]
    assert [row[0] for row in rows] == [str(i) for i in range(10)]  # MNIST rows are labelled by digit
    matrix = np.array([[int(v) for v in row[1:11]] for row in rows])
    return matrix, np.array([int(row[11]) for row in rows])


@pytest.fixture(scope="module")
def test_labels(isolated) -> np.ndarray:
    _, test, _ = tools.load_data("mnist", offline=True)
    assert test.source == "sample"
    return test.labels


@pytest.fixture(scope="module")
def fast_run(tmp_path_factory, isolated):
    out_dir = tmp_path_factory.mktemp("fast")
    code, stdout, stderr = run(FAST + ["--out", str(out_dir)])
    assert code == 0, stderr
    return stdout, stderr, out_dir


# ------------------------------------------------------------------ training


def test_short_run_on_the_sample_learns(fast_run):
    stdout, stderr, _ = fast_run
    assert "data: MNIST train: 8000 images from sample" in stdout
    assert "MNIST test: 2000 images from sample" in stdout
    assert "note: MNIST not found locally (download=False)" in stderr  # the one-line notice, as a note
    assert "784-128-10 relu, 101,770 parameters" in stdout
    assert "Linear(in_features=784, out_features=128, bias=True)" in stdout  # the model's repr
    epochs = re.findall(r"^epoch (\d)/2  train loss (\S+)  train acc \S+  test loss \S+  test acc (\S+)%", stdout, re.M)
    assert [e[0] for e in epochs] == ["1", "2"]
    assert float(epochs[1][1]) < float(epochs[0][1])  # the training loss falls
    assert len(re.findall(r"^\[time\] epoch \d: ", stdout, re.M)) == 2
    assert accuracy_of(stdout) >= FAST_MIN_ACCURACY
    assert abs(accuracy_of(stdout) - float(epochs[-1][2]) / 100) < 1e-9


def test_the_same_seed_prints_the_same_numbers(fast_run):
    stdout, _, out_dir = fast_run
    code, again, _ = run(FAST + ["--out", str(out_dir)])
    assert code == 0
    assert numbers_only(again, out_dir) == numbers_only(stdout, out_dir)


def test_another_seed_prints_other_numbers(tmp_path):
    first = run(TINY + ["--seed", "1", "--out", str(tmp_path)])[1]
    second = run(TINY + ["--seed", "2", "--out", str(tmp_path)])[1]
    assert numbers_only(first, tmp_path) != numbers_only(second, tmp_path)


def test_confusion_matrix_rows_sum_to_the_class_counts(fast_run, test_labels):
    stdout, _, _ = fast_run
    matrix, totals = confusion_of(stdout)
    counts = np.bincount(test_labels, minlength=10)
    np.testing.assert_array_equal(matrix.sum(axis=1), counts)
    np.testing.assert_array_equal(totals, counts)
    assert np.trace(matrix) / matrix.sum() == pytest.approx(accuracy_of(stdout))
    # the per-class table agrees with the diagonal
    for digit in range(10):
        row = re.search(rf"^{digit}\s+(\d+)\s+(\d+)\s+\S+%$", stdout, re.M)
        assert row and int(row.group(1)) == counts[digit] and int(row.group(2)) == matrix[digit, digit]


def test_confusion_matrix_function():
    labels = np.array([0, 0, 1, 2, 2, 2])
    predictions = np.array([0, 1, 1, 2, 0, 2])
    matrix = tools.confusion_matrix(labels, predictions, classes=3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])


def test_one_training_step_is_a_handful_of_nodes():
    model = tools.build_model(tools.Config(), np.random.default_rng(0))
    size = tools.graph_size(model, np.zeros((128, 784), np.float32), np.zeros(128, np.int64))
    assert size["operations"] == 6  # linear, relu, linear, relu, linear, cross-entropy
    assert size["leaves"] == 8  # images, labels and six parameter arrays
    assert size["scalar_nodes"] > 60_000_000


def test_the_progress_bar_goes_to_stderr(tmp_path):
    pytest.importorskip("tqdm")
    code, stdout, stderr = run(TINY + ["--out", str(tmp_path)])
    assert code == 0
    assert "epoch 1/1:" in stderr and "batch" in stderr
    assert "batch/s" not in stdout and "\r" not in stdout


def test_without_tqdm_there_is_one_line_per_epoch(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm` fail
    code, stdout, stderr = run(TINY + ["--out", str(tmp_path)])
    assert code == 0
    assert "tqdm is not installed" in stderr
    assert re.search(r"^epoch 1/1  train loss", stdout, re.M)


def test_seed_preset_runs_post_001_as_written_then_done_right(tmp_path, monkeypatch):
    monkeypatch.setattr(tools, "SEED_POST_TEST_IMAGES", 100)  # the post's loop trains on each: keep it short
    args = ["--preset", "seed", "--steps", "200", "--offline", "--no-progress", "--out", str(tmp_path)]
    code, stdout, stderr = run(args)
    assert code == 0, stderr
    assert "trained 1,246,570 of 3,706,762 weights" in stdout  # the listed hidden layer is not a parameter
    assert "all 3,706,762 weights trained" in stdout
    assert stdout.count("post: 70%") == 2
    assert "/99 (still training on the test images, divided by n - 1)" in stdout
    assert (tmp_path / "mnist_mlp_seed_loss.png").is_file() or "matplotlib" in stdout


def test_post_001_never_trains_its_hidden_layer_and_its_test_loop_keeps_training(isolated):
    train_split, test_split, _ = tools.load_data("mnist", offline=True)
    result = demo.seed_post(train_split, test_split, 0, 50, False, False, test_images=20)
    model = result["model"]
    fresh = demo.SeedPostNetwork(np.random.default_rng(0))
    np.testing.assert_array_equal(model.hidden_layers[0].weight.data, fresh.hidden_layers[0].weight.data)
    assert not np.array_equal(model.input_layer.weight.data, fresh.input_layer.weight.data)
    assert result["accuracy"] == result["right"] / 19  # end / epoch: divided by n - 1
    right = demo.seed_post(train_split, test_split, 0, 200, True, False, test_images=20)
    assert not np.array_equal(right["model"][2].weight.data, fresh.hidden_layers[0].weight.data)
    assert right["accuracy"] == right["right"] / 20


def test_options_that_would_change_the_post_are_refused_with_preset_seed():
    code, stdout, stderr = run(["--preset", "seed", "--epochs", "3"])
    assert code == 2 and "--epochs would change it" in stderr and stdout == ""


def test_config_defaults():
    parser = tools.build_parser()
    config = tools.config_from_args(parser.parse_args(["--epochs", "3", "--lr", "0.02"]))
    assert (config.epochs, config.lr) == (3, 0.02)
    config = tools.config_from_args(parser.parse_args([]))
    assert (config.sizes, config.activation, config.optimizer, config.lr, config.batch_size, config.epochs) == (
        [784, 256, 128, 10], "relu", "adam", 1e-3, 128, None
    )
    assert tools.default_epochs("mnist", 8000) == 15
    assert tools.default_epochs("mnist", 60000) == 10
    assert tools.default_epochs("fashion", 60000) == 15


def test_the_mistakes_and_confusion_pictures_are_written(fast_run):
    pytest.importorskip("matplotlib")
    stdout, _, out_dir = fast_run
    for name in ("mnist_mlp_confusion.png", "mnist_mlp_mistakes.png"):
        assert (out_dir / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert name in stdout


def test_data_folder_is_used_and_must_hold_the_files(tmp_path):
    folder = tmp_path / "data" / "mnist"  # --data DIR also finds DIR/mnist/
    folder.mkdir(parents=True)
    for stem in tools.IDX_STEMS:
        shutil.copy(mnist_data.MNIST_SAMPLE_DIR / f"{stem}.gz", folder)
    code, stdout, _ = run(TINY + ["--data", str(tmp_path / "data"), "--out", str(tmp_path)])
    assert code == 0
    assert f"MNIST train: 8000 images from root ({folder})" in stdout

    code, stdout, stderr = run(TINY + ["--data", str(tmp_path / "empty"), "--out", str(tmp_path)])
    assert code == 2
    assert "--data" in stderr and "no MNIST files there" in stderr and "Traceback" not in stderr


# ------------------------------------------------------------------ outputs and --predict


def test_the_model_is_saved_with_its_description(fast_run):
    _, _, out_dir = fast_run
    weights = out_dir / "mnist_mlp.npz"
    meta = json.loads((out_dir / "mnist_mlp.json").read_text())
    assert meta["sizes"] == [784, 128, 10] and meta["activation"] == "relu" and meta["seed"] == 0
    model = nn.sequential_mlp([784, 128, 10])
    model.load(weights)  # a plain Module.load works: the .npz is just the state dict
    assert not list(out_dir.glob(".*tmp"))  # no temporary files left behind


def test_the_curves_are_plotted(fast_run):
    pytest.importorskip("matplotlib")
    _, _, out_dir = fast_run
    png = out_dir / "mnist_mlp_curves.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_predict_reproduces_the_test_accuracy(fast_run):
    stdout, _, out_dir = fast_run
    code, predicted, stderr = run(["--predict", str(out_dir / "mnist_mlp.npz"), "--dataset", "mnist", "--offline"])
    assert code == 0, stderr
    assert "epoch" not in predicted  # no training
    assert "784-128-10 relu from" in predicted
    assert accuracy_of(predicted) == accuracy_of(stdout)
    np.testing.assert_array_equal(confusion_of(predicted)[0], confusion_of(stdout)[0])


def test_predict_without_the_json_infers_the_architecture(fast_run, tmp_path):
    stdout, _, out_dir = fast_run
    lone = tmp_path / "weights.npz"
    shutil.copy(out_dir / "mnist_mlp.npz", lone)
    code, predicted, stderr = run(["--predict", str(lone), "--offline"])
    assert code == 0, stderr
    assert "assuming relu" in stderr
    assert accuracy_of(predicted) == accuracy_of(stdout)


def test_predict_with_dropout_layers_matches_training(tmp_path):
    # Dropout shifts the layer indices (0, 3, 6) and must be off when evaluating.
    code, trained, _ = run(TINY + ["--hidden", "32,16", "--dropout", "0.5", "--out", str(tmp_path)])
    assert code == 0
    code, predicted, stderr = run(["--predict", str(tmp_path / "mnist_mlp.npz"), "--offline"])
    assert code == 0, stderr
    assert "(2): Dropout(p=0.5)" in predicted
    assert accuracy_of(predicted) == accuracy_of(trained)


def _save(path: Path, **arrays: np.ndarray) -> Path:
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "missing.npz", "does not exist"),
        (lambda d: (d / "text.npz").write_text("not weights") and d / "text.npz", "not an .npz archive"),
        (lambda d: _save(d / "other.npz", w=np.zeros(3)), "unexpected entry 'w'"),
        (lambda d: nn.sequential_mlp([784, 16, 5], rng=0).save(d / "five.npz"), "expected 784 inputs (28x28 pixels) and 10 out"),
        (lambda d: nn.sequential_mlp([100, 10], rng=0).save(d / "small.npz"), "expected 784 inputs"),
        (lambda d: _save(d / "bias.npz", **{"0.weight": np.zeros((10, 784)), "0.bias": np.zeros(11)}), "do not form"),
        (lambda d: _save(d / "gap.npz", **{"0.weight": np.zeros((16, 784)), "0.bias": np.zeros(16),
                                          "2.weight": np.zeros((10, 17)), "2.bias": np.zeros(10)}), "takes 17 inputs"),
        (lambda d: _save(d / "text_arrays.npz", **{"0.weight": np.full((10, 784), "a"), "0.bias": np.zeros(10)}),
         "expected numbers"),
    ],
    ids=["missing", "not-a-zip", "foreign-keys", "10-classes", "784-inputs", "bias-shape", "chain", "dtype"],
)
def test_predict_on_a_wrong_file_is_a_clean_error(tmp_path, make, message):
    path = make(tmp_path)
    code, stdout, stderr = run(["--predict", str(path), "--offline"])
    assert code == 2
    assert "mnist_mlp.py: error:" in stderr and message in stderr, stderr
    assert "Traceback" not in stderr


# ------------------------------------------------------------------ options


@pytest.mark.parametrize(
    "args, message",
    [
        (["--hidden", "abc"], "argument --hidden"),
        (["--hidden", "256,0"], "argument --hidden"),
        (["--epochs", "0"], "argument --epochs"),
        (["--epochs", "two"], "argument --epochs"),
        (["--dataset", "foo"], "argument --dataset: invalid choice"),
        (["--batch-size", "-1"], "argument --batch-size"),
        (["--lr", "0"], "argument --lr"),
        (["--dropout", "1"], "argument --dropout"),
        (["--optimizer", "rmsprop"], "argument --optimizer: invalid choice"),
        (["--momentum", "0.5"], "--momentum applies to --optimizer sgd only"),
        (["--predict", "w.npz", "--epochs", "2"], "--epochs only apply to training"),
        (["--predict", "w.npz", "--preset", "seed"], "--preset only apply to training"),
        (["--threads", "-1"], "argument --threads"),
        (["--seed", "-1"], "argument --seed"),
        (["--lr", "nan"], "argument --lr"),
    ],
)
def test_bad_options_are_one_line_errors(args, message):
    code, stdout, stderr = run(args)
    assert code == 2
    assert message in stderr and stderr.count("\n") == 1 and stderr.startswith("mnist_mlp.py: error:")
    assert stdout == ""


def test_an_unusable_out_folder_fails_before_training(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, stdout, stderr = run(TINY + ["--out", str(blocker)])
    assert code == 2
    assert "--out" in stderr and "is a file; give a folder" in stderr
    assert "epoch" not in stdout


def test_blas_threads_are_restored():
    libraries = support._loaded_openblas()
    if not libraries:
        pytest.skip("no OpenBLAS found in this process (not Linux, or another BLAS)")
    get = libraries[0][0]
    before = get()
    with support.blas_threads(1):
        assert get() == 1
    assert get() == before
    with support.blas_threads(0):  # 0: leave BLAS alone
        assert get() == before
