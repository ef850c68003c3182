"""The command line: ``autograd-mlp demo NAME``, ``autograd-mlp graph EXPR``, ``autograd-mlp run-torch SCRIPT``.

    autograd-mlp demo                       # list the lessons
    autograd-mlp demo xor --seed 1          # run one (options go to the demo)
    autograd-mlp graph "tanh(x*w + b)" --x 0.5 --w -2 --b 1 -o g.svg
    autograd-mlp run-torch train.py --epochs 3   # a PyTorch script on autograd_mlp.torch

``graph`` reads the expression with Python's own parser and then accepts
only numbers, variable names, + - * / **, unary minus and a fixed list of
functions: nothing is ever evaluated as Python code.

A user's mistake never ends in a traceback: every option (the expression,
the variables, the output file's folder, extension and the Graphviz program
it needs) is checked before any work, and a mistake is one line on stderr
with exit status 2, as argparse does. A computation whose value or a
derivative comes out inf or NaN is reported as such, with exit status 1
and nothing written.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import math
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .files import check_writable_path
from .graph import find_nonfinite, topological_order
from .value import Value

# name -> one line; each is the module demos/NAME.py with a main(argv) -> int
DEMOS: dict[str, str] = {
    "xor": "a perceptron cannot learn XOR, a 2-layer MLP can (scalar Values)",
    "gates": "one perceptron learns AND and OR but not XOR; an MLP learns XOR; decision boundaries",
    "manual_backprop": "hand-written chain rule vs backward() on the 2-2-1 XOR net: equal to 1e-10",
    "mlp_from_scratch": "an MNIST MLP from numpy layers with hand-written backward, checked against backward()",
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
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise ExpressionError(f"only numbers are allowed as constants, got {node.value!r}")
            try:
                float(node.value)
            except OverflowError:
                raise ExpressionError(f"the number {ast.unparse(node)[:20]}... is too large for a float") from None
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

    def evaluate(node: ast.expr) -> Value:
        # Recursion is bounded: parse_expression capped the tree at MAX_EXPRESSION_NODES.
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            # A Value, not a float: "1/0" follows the engine's numeric policy, not Python's.
            return Value(float(node.value))
        if isinstance(node, ast.Name):
            return leaves[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = evaluate(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](evaluate(node.left), evaluate(node.right))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return FUNCTIONS[node.func.id](evaluate(node.args[0]))
        raise ExpressionError(f"{type(node).__name__} is not allowed")  # unreachable after parse_expression

    return evaluate(tree)


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


#: Output extensions the graph command can write; .dot/.gv need no Graphviz program.
OUTPUT_FORMATS = ("svg", "png", "pdf", "dot", "gv")
_NEEDS_NO_DOT = ("dot", "gv")


def _check_output(path: Path, parser: argparse.ArgumentParser) -> str:
    """The output format, after checking everything about ``path`` that can be checked before work."""
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in OUTPUT_FORMATS:
        shown = ", ".join("." + f for f in OUTPUT_FORMATS)
        parser.error(f"-o {str(path)!r}: unknown extension {path.suffix or '(none)'!r}; use one of {shown}")
    try:
        check_writable_path(path, what="output file")
    except OSError as exc:
        parser.error(f"-o: {exc}")
    if fmt not in _NEEDS_NO_DOT and shutil.which("dot") is None:
        parser.error(
            f"-o {str(path)!r}: writing .{fmt} needs Graphviz's `dot` program, which is not on PATH; "
            "install Graphviz (e.g. apt-get install graphviz) or write a .dot file"
        )
    return fmt


def _fail(message: str) -> int:
    """A computation that went wrong (not a usage mistake): one line, exit status 1."""
    print(f"autograd-mlp graph: {message}", file=sys.stderr)
    return 1


def graph_command(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="autograd-mlp graph",
        allow_abbrev=False,  # else a variable --o or --r would be taken for --output / --rankdir
        description="Render the computation graph of a small expression, after backward(), to SVG/PNG.",
        epilog='example: autograd-mlp graph "tanh(x*w + b)" --x 0.5 --w -2 --b 1 -o g.svg',
    )
    parser.add_argument("expression", help="e.g. 'tanh(x*w + b)'; functions: " + ", ".join(sorted(FUNCTIONS)))
    parser.add_argument(
        "-o", "--output", type=Path, default=Path("graph.svg"), help="file to write (.svg, .png, .pdf or .dot)"
    )
    parser.add_argument("--rankdir", choices=["LR", "TB"], default="LR", help="layout direction")
    args, rest = parser.parse_known_args(argv)
    try:
        tree = parse_expression(args.expression)
    except ExpressionError as exc:
        parser.error(str(exc))
    values = _parse_variables(rest, variable_names(tree), parser)
    _check_output(args.output, parser)

    # Every option is good: now the work. The engine follows IEEE arithmetic (inf, nan)
    # but may also raise for a domain error; either way the user gets one line.
    try:
        out = build_graph(tree, values)
        out.backward()
    except OverflowError:
        return _fail(f"{args.expression}: overflow, a number grew too large for a float")
    except ZeroDivisionError:
        return _fail(f"{args.expression}: division by zero")
    except (ArithmeticError, ValueError) as exc:
        return _fail(f"{args.expression}: {exc}")
    leaves = {n.label: n for n in topological_order(out) if not n.parents and n.label in values}
    first = find_nonfinite(out)
    if first is not None:
        if first.op:
            inputs = ", ".join(f"{p.data:.6g}" for p in first.parents)
            where = f"'{first.op}' made {first.data:.6g} from {inputs}"
        else:  # variables are checked to be finite, so this is a constant such as 1e999
            where = f"the constant is {first.data:.6g}"
        return _fail(f"{args.expression} = {out.data:.6g} ({where}); nothing written")
    bad = [f"d/d{name} = {leaves[name].grad:.6g}" for name in values if not math.isfinite(leaves[name].grad)]
    if bad:
        return _fail(
            f"{args.expression} = {out.data:.6g}, but {', '.join(bad)}: not a finite number; nothing written"
        )

    from . import viz

    try:
        path = viz.render(out, args.output, rankdir=args.rankdir)
    except viz.GraphvizNotFoundError:
        return _fail(f"cannot write {str(args.output)!r}: Graphviz's `dot` program was not found")
    except OSError as exc:
        return _fail(f"cannot write {str(args.output)!r}: {exc.strerror or exc}")
    print(f"{args.expression} = {out.data:.6g}")
    for name in values:
        print(f"  d/d{name} = {leaves[name].grad:.6g}")
    print(f"wrote {path}")
    return 0


def demo_command(argv: Sequence[str]) -> int:
    width = max(map(len, DEMOS))
    listing = "\n".join(f"  {name:<{width}}  {line}" for name, line in DEMOS.items())
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
    try:
        module = importlib.import_module(f"autograd_mlp.demos.{args.name}")
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.startswith("autograd_mlp"):
            raise  # our own module missing is a broken installation: show it
        print(
            f"autograd-mlp demo {args.name}: needs the package {exc.name!r}, which is not installed "
            f"(pip install {exc.name})",
            file=sys.stderr,
        )
        return 2
    program = sys.argv[0]
    sys.argv[0] = f"autograd-mlp demo {args.name}"  # the demo's argparse names itself after this
    try:
        return int(module.main(list(argv[1:])) or 0)
    except KeyboardInterrupt:
        print(f"autograd-mlp demo {args.name}: interrupted", file=sys.stderr)
        return 130  # 128 + SIGINT, what a shell reports for Ctrl-C
    finally:
        sys.argv[0] = program


def run_torch_command(argv: Sequence[str]) -> int:
    """``autograd-mlp run-torch SCRIPT.py [ARGS]``: run a PyTorch script on this library (autograd_mlp.torch)."""
    import runpy

    from . import torch as front

    if not argv or argv[0] in ("-h", "--help"):
        print(
            "usage: autograd-mlp run-torch SCRIPT.py [ARGS ...]\n\n"
            "Run a PyTorch script unchanged: its `import torch` (torch.nn, torch.optim, torch.utils.data,\n"
            "torchvision) load autograd_mlp.torch. ARGS become the script's sys.argv[1:]."
        )
        return 0
    script = Path(argv[0])
    if not script.is_file():
        print(f"autograd-mlp run-torch: error: no script file {str(script)!r}", file=sys.stderr)
        return 2
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [str(script), *argv[1:]]
    sys.path.insert(0, str(script.resolve().parent))  # as `python SCRIPT.py` does
    was_installed = front.is_installed()
    front.install()
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exit_:
        code = exit_.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
        if not was_installed:
            front.uninstall()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="autograd-mlp",
        description="autograd_mlp: run the lessons, or draw the graph of an expression.",
        epilog="commands:\n  demo [NAME] [options]   run a lesson (no NAME: list them)\n"
        "  graph EXPR [--VAR VALUE ...] -o FILE   render an expression's graph\n"
        "  run-torch SCRIPT.py [ARGS]   run a PyTorch script on this library",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["demo", "graph", "run-torch"], help="demo, graph or run-torch")
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0
    args = parser.parse_args(argv[:1])
    if args.command == "run-torch":
        return run_torch_command(argv[1:])
    return demo_command(argv[1:]) if args.command == "demo" else graph_command(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
