"""The command line: ``autograd-mlp demo NAME`` and ``autograd-mlp graph EXPR``.

    autograd-mlp demo                       # list the lessons
    autograd-mlp demo xor --seed 1          # run one (options go to the demo)
    autograd-mlp graph "tanh(x*w + b)" --x 0.5 --w -2 --b 1 -o g.svg

``graph`` reads the expression with Python's own parser and then accepts
only numbers, variable names, + - * / **, unary minus and a fixed list of
functions: nothing is ever evaluated as Python code.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import math
import sys
from pathlib import Path
from typing import Callable, Sequence

from .graph import check_finite
from .value import Value

# name -> one line; each is the module demos/NAME.py with a main(argv) -> int
DEMOS: dict[str, str] = {
    "xor": "a perceptron cannot learn XOR, a 2-layer MLP can (scalar Values)",
    "gates": "one perceptron learns AND and OR but not XOR; an MLP learns XOR; decision boundaries",
    "manual_backprop": "hand-written chain rule vs backward() on the 2-2-1 XOR net: equal to 1e-10",
    "delta_rule": "the delta rule by SGD, batch and mini-batch, closed form vs autograd, with timings",
    "function_fit": "a 1-6-1 ReLU MLP fits x^3 + x^2 - x - 1, and fails outside its training range",
    "classify_2d": "3-class 2-D data: a linear model vs a 2-200-3 MLP, with decision regions",
    "mnist_mlp": "a 784-256-128-10 MLP on MNIST / Fashion-MNIST with the Tensor engine",
}

FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "exp": Value.exp,
    "log": Value.log,
    "sqrt": Value.sqrt,
    "abs": Value.abs,
    "sin": Value.sin,
    "cos": Value.cos,
    "softplus": Value.softplus,
}

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
MAX_EXPRESSION_CHARS = 400
MAX_EXPRESSION_NODES = 200


class ExpressionError(ValueError):
    """The expression uses something the graph command does not allow."""


def parse_expression(text: str) -> ast.expr:
    """Parse ``text`` and check that it contains only allowed constructs."""
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(f"expression is {len(text)} characters long; the limit is {MAX_EXPRESSION_CHARS}")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, RecursionError, MemoryError) as exc:
        raise ExpressionError(f"cannot parse {text!r}: {exc}") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_EXPRESSION_NODES:
        raise ExpressionError(f"expression has {len(nodes)} parts; the limit is {MAX_EXPRESSION_NODES}")
    for node in nodes:
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise ExpressionError(f"operator {type(node.op).__name__} is not allowed; use + - * / **")
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise ExpressionError(f"unary {type(node.op).__name__} is not allowed")
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "id", None)
            if not isinstance(node.func, ast.Name) or name not in FUNCTIONS:
                raise ExpressionError(
                    f"only these functions are allowed: {', '.join(sorted(FUNCTIONS))} (got {ast.unparse(node.func)})"
                )
            if len(node.args) != 1 or node.keywords:
                raise ExpressionError(f"{name}() takes exactly one argument")
        elif isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise ExpressionError(f"only numbers are allowed as constants, got {node.value!r}")
        elif not isinstance(node, (ast.Name, ast.Load, *(_BINARY), ast.USub, ast.UAdd)):
            raise ExpressionError(f"{type(node).__name__} is not allowed in an expression")
    return tree


def variable_names(tree: ast.expr) -> list[str]:
    """Names used as variables, in order of first appearance (function names excluded)."""
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in called and node.id not in names:
            names.append(node.id)
    return names


def build_graph(tree: ast.expr, values: dict[str, float]) -> Value:
    """Evaluate a checked expression tree with `Value` nodes labelled by variable name."""
    leaves = {name: Value(v, label=name) for name, v in values.items()}

    def evaluate(node: ast.expr) -> Value | float:
        # Recursion is bounded: parse_expression capped the tree at MAX_EXPRESSION_NODES.
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return leaves[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = evaluate(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](evaluate(node.left), evaluate(node.right))
        if isinstance(node, ast.Call):
            arg = evaluate(node.args[0])
            return FUNCTIONS[node.func.id](arg if isinstance(arg, Value) else Value(arg))
        raise ExpressionError(f"{type(node).__name__} is not allowed")  # unreachable after parse_expression

    out = evaluate(tree)
    return out if isinstance(out, Value) else Value(out)


def _parse_variables(rest: Sequence[str], wanted: list[str], parser: argparse.ArgumentParser) -> dict[str, float]:
    values: dict[str, float] = {}
    items = list(rest)
    while items:
        item = items.pop(0)
        if not item.startswith("--") or len(item) < 3:
            parser.error(f"unexpected argument {item!r}; give variables as --NAME VALUE")
        name, _, text = item[2:].partition("=")
        if not text:
            if not items:
                parser.error(f"variable --{name} needs a value")
            text = items.pop(0)
        if name not in wanted:
            parser.error(f"--{name}: the expression has no variable {name!r} (it uses: {', '.join(wanted) or 'none'})")
        try:
            values[name] = float(text)
        except ValueError:
            parser.error(f"--{name}: {text!r} is not a number")
        if not math.isfinite(values[name]):
            parser.error(f"--{name}: {text!r} is not a finite number")
    missing = [n for n in wanted if n not in values]
    if missing:
        parser.error("no value for " + ", ".join(f"{n!r} (pass --{n} VALUE)" for n in missing))
    return values


def graph_command(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="autograd-mlp graph",
        allow_abbrev=False,  # else a variable --o or --r would be taken for --output / --rankdir
        description="Render the computation graph of a small expression, after backward(), to SVG/PNG.",
        epilog='example: autograd-mlp graph "tanh(x*w + b)" --x 0.5 --w -2 --b 1 -o g.svg',
    )
    parser.add_argument("expression", help="e.g. 'tanh(x*w + b)'; functions: " + ", ".join(sorted(FUNCTIONS)))
    parser.add_argument("-o", "--output", type=Path, default=Path("graph.svg"), help="file to write (.svg, .png or .dot)")
    parser.add_argument("--rankdir", choices=["LR", "TB"], default="LR", help="layout direction")
    args, rest = parser.parse_known_args(argv)
    try:
        tree = parse_expression(args.expression)
    except ExpressionError as exc:
        parser.error(str(exc))
    values = _parse_variables(rest, variable_names(tree), parser)
    try:
        out = build_graph(tree, values)
        check_finite(out)  # arithmetic gives IEEE inf/nan (docs/numerics.md): report it, exit 2
    except (ValueError, ZeroDivisionError, FloatingPointError) as exc:
        print(f"autograd-mlp graph: {exc}", file=sys.stderr)
        return 2
    out.backward()
    from . import viz

    path = viz.render(out, args.output, rankdir=args.rankdir)
    print(f"{args.expression} = {out.data:.6g}")
    for name in values:
        leaf = next(n for n in viz_leaves(out) if n.label == name)
        print(f"  d/d{name} = {leaf.grad:.6g}")
    print(f"wrote {path}")
    return 0


def viz_leaves(root: Value) -> list[Value]:
    from .graph import topological_order

    return [n for n in topological_order(root) if not n.parents]


def demo_command(argv: Sequence[str]) -> int:
    listing = "\n".join(f"  {name:<16} {line}" for name, line in DEMOS.items())
    parser = argparse.ArgumentParser(
        prog="autograd-mlp demo",
        description="Run one of the lessons. Options after NAME go to the demo (try: autograd-mlp demo NAME --help).",
        epilog="demos:\n" + listing,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", nargs="?", choices=list(DEMOS), metavar="NAME", help="one of: " + ", ".join(DEMOS))
    # Everything after NAME belongs to the demo, --help included.
    args = parser.parse_args(argv[:1])
    if args.name is None:
        print("demos:\n" + listing)
        return 0
    module = importlib.import_module(f"autograd_mlp.demos.{args.name}")
    program = sys.argv[0]
    sys.argv[0] = f"autograd-mlp demo {args.name}"  # the demo's argparse names itself after this
    try:
        return int(module.main(list(argv[1:])) or 0)
    finally:
        sys.argv[0] = program


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="autograd-mlp",
        description="autograd_mlp: run the lessons, or draw the graph of an expression.",
        epilog="commands:\n  demo [NAME] [options]   run a lesson (no NAME: list them)\n"
        "  graph EXPR [--VAR VALUE ...] -o FILE   render an expression's graph",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["demo", "graph"], help="demo or graph")
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0
    args = parser.parse_args(argv[:1])
    return demo_command(argv[1:]) if args.command == "demo" else graph_command(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
