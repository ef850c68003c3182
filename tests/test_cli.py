"""The command line: demo listing, and the graph command's safe expression parser."""

import subprocess
import sys

import pytest

from autograd_mlp import cli


def test_demo_listing_names_every_demo(capsys):
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    for name in cli.DEMOS:
        assert name in out


def test_demo_help_lists_every_demo(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert all(name in out for name in cli.DEMOS)


def test_unknown_demo_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo", "nope"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_graph_renders_the_expression_and_prints_gradients(tmp_path, capsys):
    out = tmp_path / "g.svg"
    assert cli.main(["graph", "tanh(x*w + b)", "--x", "0.5", "--w", "-2", "--b", "1", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    # tanh(0.5*-2 + 1) = tanh(0) = 0; d/dx = w * (1 - 0) = -2, d/dw = x = 0.5, d/db = 1
    assert "d/dx = -2" in printed and "d/dw = 0.5" in printed and "d/db = 1" in printed
    svg = out.read_text()
    assert svg.lstrip().startswith(("<?xml", "<svg"))
    for text in ("tanh", "x", "w", "b"):
        assert text in svg


@pytest.mark.parametrize(
    "expression, message",
    [
        ("__import__('os').system('true')", "only these functions"),
        ("x.__class__", "Attribute is not allowed"),
        ("[x for x in ()]", "not allowed"),
        ("x if x else x", "not allowed"),
        ("'a' * 3", "only numbers"),
        ("x // 2", "operator FloorDiv is not allowed"),
        ("lambda: 1", "not allowed"),
        ("x +", "cannot parse"),
        ("tanh(x, x)", "exactly one argument"),
        ("x" + "+x" * 300, "limit"),
    ],
)
def test_graph_refuses_unsafe_or_unsupported_input(expression, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["graph", expression, "--x", "1", "-o", str(tmp_path / "g.svg")])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "g.svg").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["x*y", "--x", "1"], "no value for 'y'"),
        (["x", "--x", "1", "--z", "2"], "has no variable 'z'"),
        (["x", "--x", "abc"], "'abc' is not a number"),
        (["x", "--x", "nan"], "not a finite number"),
        (["x", "--x"], "needs a value"),
    ],
)
def test_graph_variable_errors(args, message, capsys):
    with pytest.raises(SystemExit):
        cli.main(["graph", *args])
    assert message in capsys.readouterr().err


def test_graph_domain_error_is_reported_not_raised(capsys, tmp_path):
    assert cli.main(["graph", "log(x)", "--x", "-1", "-o", str(tmp_path / "g.svg")]) == 2
    assert "non-finite value nan first appears at node made by 'log' from -1.0" in capsys.readouterr().err


def test_python_dash_m_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "autograd_mlp", "demo"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "mnist_mlp" in done.stdout


def test_demo_help_after_the_name_is_the_demos_own(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo", "delta_rule", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: autograd-mlp demo delta_rule")
    assert "--epochs" in out


@pytest.mark.parametrize("name", ["o", "r", "out", "rank", "h"])
def test_graph_variables_may_share_a_prefix_with_options(name, tmp_path, capsys):
    out = tmp_path / "g.dot"
    assert cli.main(["graph", f"{name}*2", f"--{name}", "3", "-o", str(out)]) == 0
    assert f"d/d{name} = 2" in capsys.readouterr().out
