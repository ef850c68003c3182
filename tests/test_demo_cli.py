"""Every demo checks its options before any work: one line on stderr, exit code 2, nothing trained.

And a result that comes out NaN or inf is reported, with a non-zero exit code.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os

import pytest

DEMOS = ["xor", "gates", "manual_backprop", "mlp_from_scratch", "delta_rule", "function_fit", "classify_2d", "mnist_mlp"]
WITH_LR = ["xor", "gates", "manual_backprop", "mlp_from_scratch", "function_fit", "classify_2d", "mnist_mlp"]


def run(name: str, args: list[str]) -> tuple[int, str, str]:
    demo = importlib.import_module(f"autograd_mlp.demos.{name}")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = demo.main(args)
        except SystemExit as exit_info:
            code = exit_info.code
    return code, out.getvalue(), err.getvalue()


def assert_refused(code: int, stdout: str, stderr: str, *words: str) -> None:
    assert code == 2
    assert stdout == ""  # refused before any work: nothing trained, nothing printed
    assert stderr.count("\n") == 1 and "error:" in stderr and "Traceback" not in stderr, stderr
    for word in words:
        assert word in stderr, stderr


@pytest.mark.parametrize("name", WITH_LR)
@pytest.mark.parametrize("lr", ["nan", "inf", "-1", "0"])
def test_a_bad_learning_rate_is_refused(name, lr, tmp_path):
    assert_refused(*run(name, ["--lr", lr, "--out", str(tmp_path)]), "--lr")


@pytest.mark.parametrize("name", DEMOS)
def test_a_negative_seed_is_refused(name, tmp_path):
    assert_refused(*run(name, ["--seed", "-1", "--out", str(tmp_path)]), "--seed")


@pytest.mark.parametrize("name", DEMOS)
def test_out_naming_an_existing_file_is_refused(name, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("keep me")
    assert_refused(*run(name, ["--out", str(blocker)]), "--out", "a_file")
    assert blocker.read_text() == "keep me"


@pytest.mark.parametrize("name", DEMOS)
def test_a_read_only_out_folder_is_refused(name, tmp_path, monkeypatch):
    folder = tmp_path / "read_only"
    folder.mkdir()
    real_access = os.access
    # as root a chmod'ed folder stays writable, so os.access is what the check asks
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p) == str(folder) else real_access(p, mode, **kw))
    assert_refused(*run(name, ["--out", str(folder / "sub")]), "not writable")


def test_a_missing_out_folder_is_made(tmp_path, capsys):
    demo = importlib.import_module("autograd_mlp.demos.manual_backprop")
    assert demo.main(["--steps", "5", "--out", str(tmp_path / "new" / "folder")]) == 0
    assert (tmp_path / "new" / "folder").is_dir()


def test_a_diverged_result_is_reported_with_a_non_zero_exit(tmp_path):
    # lr 1e300: the sigmoids saturate to exactly 0 and 1 and the loss becomes nan within a few steps
    code, stdout, stderr = run("manual_backprop", ["--steps", "50", "--lr", "1e300", "--out", str(tmp_path)])
    assert code == 1
    assert "came out" in stderr and "diverged" in stderr


def test_xor_graph_in_a_missing_folder_is_refused_before_training(tmp_path):
    assert_refused(*run("xor", ["--graph", str(tmp_path / "missing" / "g.svg"), "--out", str(tmp_path)]),
                   "does not exist")
