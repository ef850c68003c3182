"""Hostile command lines: a user's mistake is one line on stderr, never a traceback.

Table-driven: argv, the exit status (2: a usage mistake, found before any work, as
argparse reports it; 1: the computation came out inf or NaN or failed), and a pattern
the message must match. The patterns accept both ways the engine may report a domain
error (an IEEE inf/nan, or its own exception), so the command's promise holds either way.
Nothing is ever written when the command fails.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from hostile_support import REPO

from autograd_mlp import cli

GRAPH_CASES = {
    # name: (argv after "graph", exit status, pattern of the last stderr line)
    "overflow-2-to-2000": (["2**x", "--x", "2000"], 1, r"2\*\*x.*(= inf|overflow)"),
    "sqrt-at-0": (["sqrt(x)", "--x", "0"], 1, r"sqrt\(x\).*(d/dx = inf|division by zero)"),
    "inf-minus-inf": (["1e999 - 1e999"], 1, r"1e999 - 1e999 = nan \(the constant is inf\); nothing written"),
    "log-of-negative": (["log(x)", "--x", "-1"], 1, r"log\(x\).*(nan|log of -1)"),
    "divide-by-zero": (["x/y", "--x", "1", "--y", "0"], 1, r"x/y.*(inf|division by zero)"),
    "constant-1-over-0": (["1/0"], 1, r"1/0.*(inf|division by zero)"),
    "exp-overflow": (["exp(x)", "--x", "1000"], 1, r"exp\(x\).*(inf|overflow)"),
    "nan-from-infinities": (["exp(x) - exp(x)", "--x", "1000"], 1, r"= nan \('exp' made inf from 1000\)|overflow"),
    "zero-to-negative": (["0**x", "--x", "-1"], 1, r"0\*\*x.*(inf|division by zero|needs a positive base)"),
    "missing-folder": (["x", "--x", "1", "-o", "{tmp}/missing_folder/g.svg"], 2, r"the folder '.*missing_folder' does not exist"),
    "output-is-a-folder": (["x", "--x", "1", "-o", "{tmp}/folder.svg"], 2, r"output file '.*folder.svg' is a folder"),
    "unknown-extension": (["x", "--x", "1", "-o", "{tmp}/g.txt"], 2, r"unknown extension '.txt'; use one of .svg, .png"),
    "no-extension": (["x", "--x", "1", "-o", "{tmp}/g"], 2, r"unknown extension '\(none\)'"),
    "bad-rankdir": (["x", "--x", "1", "--rankdir", "XY"], 2, r"invalid choice: 'XY'"),
    "huge-int-constant": (["1" + "0" * 350], 2, r"too large for a float"),
    "variable-inf": (["x", "--x", "inf"], 2, r"'inf' is not a finite number"),
    "variable-missing": (["x*y", "--x", "1"], 2, r"no value for 'y'"),
    "no-expression": ([], 2, r"the following arguments are required: expression"),
    "attribute": (["x.real", "--x", "1"], 2, r"Attribute is not allowed"),
}


def run_cli(argv, capsys):
    """(exit status, stdout, stderr) of cli.main, argparse's SystemExit included."""
    try:
        status = cli.main(argv)
    except SystemExit as exit_info:
        status = exit_info.code
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("case", sorted(GRAPH_CASES))
def test_graph_mistake_is_one_line(case, tmp_path, capsys, monkeypatch):
    argv, status, pattern = GRAPH_CASES[case]
    monkeypatch.chdir(tmp_path)  # the default output, graph.svg, would land here
    (tmp_path / "folder.svg").mkdir()
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    got, out, err = run_cli(["graph", *argv], capsys)
    assert got == status, err
    lines = err.splitlines()
    assert "Traceback" not in err
    # argparse prints its usage line first; the message itself is one line.
    assert len(lines) == (2 if status == 2 else 1) and lines[-1].startswith("autograd-mlp graph: "), err
    assert re.search(pattern, lines[-1]), (pattern, lines[-1])
    assert out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.svg"]  # nothing written


def test_demo_mistakes_are_argparse_errors(capsys):
    status, _, err = run_cli(["demo", "no_such_demo"], capsys)
    assert status == 2 and "invalid choice: 'no_such_demo'" in err and "Traceback" not in err
    status, _, err = run_cli(["nonsense"], capsys)
    assert status == 2 and "invalid choice: 'nonsense'" in err


def run_module(args, env=None, cwd=None):
    base = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "autograd_mlp", *args],
        capture_output=True, text=True, timeout=60, env={**base, **(env or {})}, cwd=cwd,
    )


def test_missing_dot_program_is_one_line_before_any_work(tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    done = run_module(["graph", "x*2", "--x", "3", "-o", str(tmp_path / "g.svg")], env={"PATH": str(empty)})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].startswith("autograd-mlp graph: error: -o ")
    assert "needs Graphviz's `dot` program, which is not on PATH" in done.stderr
    assert not (tmp_path / "g.svg").exists()
    # The DOT text needs no program: the same command writing .dot works.
    done = run_module(["graph", "x*2", "--x", "3", "-o", str(tmp_path / "g.dot")], env={"PATH": str(empty)})
    assert done.returncode == 0 and (tmp_path / "g.dot").read_text().startswith("digraph")


def test_a_non_finite_result_exits_non_zero_from_the_shell(tmp_path):
    done = run_module(["graph", "2**x", "--x", "2000", "-o", "g.svg"], cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1 and done.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_finite_results_still_render(tmp_path, capsys):
    status, out, err = run_cli(["graph", "sqrt(x)", "--x", "4", "-o", str(tmp_path / "g.dot")], capsys)
    assert status == 0 and err == ""
    assert "sqrt(x) = 2" in out and "d/dx = 0.25" in out  # d sqrt(x)/dx = 1 / (2 sqrt(x))
