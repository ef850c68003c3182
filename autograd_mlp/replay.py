"""Record a scalar step once, replay it as generated Python: the chain rule as straight-line code.

    step = replay.record(loss_fn, model.parameters(), (X, y))
    loss = step(X, y)          # a float; every parameter's .grad as loss.backward() leaves it
    print(step.source())       # the generated code (small graphs only, unless forced)

A graph of `Value` nodes is rebuilt and walked on every step although its
shape never changes. `record` runs ``fn`` once, the way tracing compilers
do (record once, guard what could change, replay), and writes the step out
as plain Python over floats:

* **forward**: one line per operation, in the order the graph was built,
  from a small table of forward formulas keyed by `Op` (`FORWARD`);
* **backward**: walking the nodes in `graph.backward_order` (the order
  of `backward()`), one line per gradient contribution. Each line comes
  from the op's own backward rule, the one `backward()` runs, called on
  symbolic stand-ins (`_Sym`) that write the arithmetic down instead of
  doing it: one source of truth, no second table of derivatives. A rule
  that cannot be written down (it branches on its inputs in Python) is
  called as a function from the generated code instead.

The same float operations run in the same order as in ``backward()``, so
the loss and every gradient are the same to the last bit. `compile()`
turns the text into a function; a call reads each parameter's ``.data``
(so optimizer updates are seen), runs it, and adds the gradients into each
parameter's ``.grad``: leaves accumulate across calls exactly as with
``backward()``; zero them between steps as usual.

What a replay cannot reproduce is refused while recording, with the reason:
a decision on a Value's number inside ``fn`` (a comparison, ``bool()``,
``float()``, reading ``.data``), ``detach()``, ``no_grad()`` or
``backward()`` inside ``fn``, and any leaf that is neither a listed
parameter, an input, nor a plain number the engine wrapped (``x * 2.0``):
a parameter made inside the step, or one captured but not listed. A replay
checks its inputs: their number, their shape, that they are real numbers,
and (unless ``allow_nonfinite=True``) that they are finite.
"""

from __future__ import annotations

import keyword
import linecache
import marshal
import math
import numbers
import operator
import re
import sys
import time
import weakref
from collections.abc import Callable, Iterable
from itertools import count
from typing import Any, NamedTuple, cast

import numpy as np

from . import graph, mathfn
from . import value as value_module
from .graph import Op
from .value import Value, fused_neuron

__all__ = ["record", "ReplayStep", "RecordError", "FORWARD"]


class RecordError(RuntimeError):
    """``fn`` does something a replay could not reproduce (the message says what and where)."""


# ------------------------------------------------------------------ forward formulas

# The ops a replay can run: Op -> template(out, *operands) -> lines of Python.
# Operands arrive as atoms (names or number literals), so a template never
# worries about precedence. Filled below from one example node per op.
FORWARD: dict[Op, Callable[..., list[str]]] = {}


def _one(expression: str) -> Callable[..., list[str]]:
    """A template for an op whose forward is one expression of its operands {0}, {1}."""
    return lambda out, *args: [f"{out} = {expression.format(*args)}"]


def _neuron(activation: str | None) -> Callable[..., list[str]]:
    """act(b + w1*x1 + ... + wn*xn), summed in `value.fused_neuron`'s order: the bias
    first (0.0 without one), then each product, as micrograd's ``sum(w*x, b)`` adds.
    """

    def template(out: str, *args: str) -> list[str]:
        n = len(args) // 2
        start = list(args[2 * n :]) or ["0.0"]
        z = " + ".join(start + [f"{w} * {x}" for w, x in zip(args[:n], args[n : 2 * n])])
        if activation is None:
            return [f"{out} = {z}"]
        if activation == "relu":
            return [f"{out} = {z}", f"{out} = {out} if {out} > 0.0 else 0.0"]
        return [f"{out} = {activation}({z})"]

    return template


def _learn_forward_table() -> None:
    """Fill FORWARD, finding each Op by making one node with the public API (no private names)."""
    with graph.enable_grad():
        a, b = Value(0.5), Value(2.0)
        examples: list[tuple[Callable[[], Value], Callable[..., list[str]]]] = [
            (lambda: a + b, _one("{0} + {1}")),
            (lambda: a - b, _one("{0} - {1}")),
            (lambda: a * b, _one("{0} * {1}")),
            (lambda: a / b, _one("div({0}, {1})")),
            (lambda: -a, _one("-{0}")),
            (lambda: a ** b, _one("power({0}, {1})")),
            (lambda: a ** 3, _one("power({0}, {1})")),
            (lambda: a.exp(), _one("exp({0})")),
            (lambda: a.log(), _one("log({0})")),
            (lambda: a.sqrt(), _one("sqrt({0})")),
            (lambda: a.tanh(), _one("tanh({0})")),
            (lambda: a.sigmoid(), _one("sigmoid({0})")),
            (lambda: a.relu(), _one("{0} if {0} > 0.0 else 0.0")),
            (lambda: a.leaky_relu(), _one("{0} if {0} > 0.0 else {1} * {0}")),
            (lambda: a.softplus(), _one("softplus({0})")),
            (lambda: a.log_sigmoid(), _one("-softplus(-{0})")),
            (lambda: abs(a), _one("abs({0})")),
            (lambda: a.sin(), _one("sin({0})")),
            (lambda: a.cos(), _one("cos({0})")),
        ]
        for activation in (None, "relu", "tanh", "sigmoid"):
            examples.append((_neuron_example(a, b, activation), _neuron(activation)))
        for make, template in examples:
            try:
                node = make()
            except (AttributeError, TypeError, ValueError):  # an op this engine version lacks
                continue
            if node._op is not None:
                FORWARD.setdefault(node._op, template)


def _neuron_example(a: Value, b: Value, activation: str | None) -> Callable[[], Value]:
    return lambda: fused_neuron([a], [b], a, activation)


_learn_forward_table()


def _power(base: float, n: float) -> float:
    """base ** n under the engines' numeric policy: nan for a negative base to a
    non-integer power, inf for 0 to a negative power or on overflow."""
    if base < 0.0 and not float(n).is_integer():
        return math.nan
    if base == 0.0 and n < 0.0:
        return math.inf
    try:
        return base**n
    except OverflowError:
        return math.copysign(math.inf, base) if n % 2 == 1 else math.inf


def _div(a: float, b: float) -> float:
    """a / b, with IEEE's +-inf and nan for a zero divisor instead of ZeroDivisionError."""
    try:
        return a / b
    except ZeroDivisionError:
        if math.isnan(a) or a == 0.0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0.0 else (x if math.isnan(x) else math.nan)


def _namespace() -> dict[str, Any]:
    """The globals of generated code: the float functions its lines call."""
    ns: dict[str, Any] = {
        "__builtins__": {"abs": abs},
        "div": _div,
        "power": _power,
        "sqrt": _sqrt,
        "tanh": math.tanh,
        "softplus": mathfn.softplus_float,
        "inf": math.inf,
        "nan": math.nan,
    }
    # The rules' shared math (exp, log, sigmoid, ...): a _Sym turns mathfn.exp(x) into
    # the text exp(x), and these are the very functions the rule calls on floats.
    for name in _MATH_NAMES:
        ns[name] = getattr(mathfn, name)
    return ns


_MATH_NAMES = tuple(n for n in mathfn.__all__ if callable(getattr(mathfn, n)) and n not in ("raw", "sign"))
_RESERVED = {"params", "grads", "inputs", "div", "power", "sqrt", "tanh", "softplus", "inf", "nan", "abs",
             *_MATH_NAMES}


# ------------------------------------------------------------------ symbolic stand-ins

# Python's precedence levels, enough to print any expression a rule builds.
_ATOM, _POWER, _UNARY, _PRODUCT, _SUM, _COMPARE = 100, 90, 80, 70, 60, 50
_BINARY = {
    "+": (_SUM, operator.add), "-": (_SUM, operator.sub),
    "*": (_PRODUCT, operator.mul), "/": (_PRODUCT, operator.truediv),
    "**": (_POWER, operator.pow),
    "<": (_COMPARE, operator.lt), "<=": (_COMPARE, operator.le),
    ">": (_COMPARE, operator.gt), ">=": (_COMPARE, operator.ge),
}


class _Untraceable(Exception):
    """A rule asked a stand-in for a concrete number (a Python branch, math.log, ...)."""


class _Sym:
    """A number that is not known yet: operations on it build an expression to print.

    A backward rule called on _Syms instead of floats runs exactly the
    arithmetic it would run, and leaves behind the expression tree of each
    gradient it returns. Numbers known while recording (constants) fold at
    once with the same Python operation the rule would apply.
    """

    __slots__ = ("kind", "op", "args", "value", "is_float")

    def __init__(self, kind: str, op: str = "", args: tuple = (), value: Any = None, is_float: bool = True) -> None:
        self.kind = kind  # "name", "const", "op" (or "text": printed already)
        self.op = op  # the name, the operator or the function called
        self.args = args
        self.value = value  # a constant's number
        self.is_float = is_float  # bools from comparisons must not fold away in x * 1.0

    @staticmethod
    def const(value: Any) -> _Sym:
        return _Sym("const", value=value, is_float=type(value) is float)

    # ---- arithmetic: each builds (or folds) one node
    def _binary(self, op: str, other: Any, reflected: bool = False) -> Any:
        if not isinstance(other, _Sym):
            if not isinstance(other, numbers.Real):
                return NotImplemented
            other = _Sym.const(other)
        a, b = (other, self) if reflected else (self, other)
        if a.kind == "const" and b.kind == "const":
            try:
                return _Sym.const(_BINARY[op][1](a.value, b.value))
            except ArithmeticError:
                pass  # leave it to run time, where it raises as it would in backward()
        # Exact identities only: x * 1 and x ** 1 are x itself in IEEE arithmetic.
        if op == "*" and _is_one(b) and a.is_float:
            return a
        if op == "*" and _is_one(a) and b.is_float:
            return b
        if op == "**" and _is_one(b) and a.is_float:
            return a
        is_float = op not in ("<", "<=", ">", ">=") and (a.is_float or b.is_float)
        return _Sym("op", op, (a, b), is_float=is_float)

    def __add__(self, o: Any) -> Any: return self._binary("+", o)
    def __radd__(self, o: Any) -> Any: return self._binary("+", o, True)
    def __sub__(self, o: Any) -> Any: return self._binary("-", o)
    def __rsub__(self, o: Any) -> Any: return self._binary("-", o, True)
    def __mul__(self, o: Any) -> Any: return self._binary("*", o)
    def __rmul__(self, o: Any) -> Any: return self._binary("*", o, True)
    def __truediv__(self, o: Any) -> Any: return self._binary("/", o)
    def __rtruediv__(self, o: Any) -> Any: return self._binary("/", o, True)
    def __pow__(self, o: Any) -> Any: return self._binary("**", o)
    def __rpow__(self, o: Any) -> Any: return self._binary("**", o, True)
    def __lt__(self, o: Any) -> Any: return self._binary("<", o)
    def __le__(self, o: Any) -> Any: return self._binary("<=", o)
    def __gt__(self, o: Any) -> Any: return self._binary(">", o)
    def __ge__(self, o: Any) -> Any: return self._binary(">=", o)

    def __neg__(self) -> _Sym:
        if self.kind == "const":
            return _Sym.const(-self.value)
        return _Sym("op", "neg", (self,), is_float=True)

    def __abs__(self) -> _Sym:
        if self.kind == "const":
            return _Sym.const(abs(self.value))
        return _Sym("op", "call", (self,), value="abs", is_float=self.is_float)

    def __getattr__(self, name: str) -> Callable[[], _Sym]:
        # mathfn.exp(x) calls x.exp() for anything that is not a float or an array:
        # the stand-in answers with the text exp(x), which calls mathfn.exp at run time.
        if name in _MATH_NAMES:
            return lambda: _Sym("op", "call", (self,), value=name)
        raise AttributeError(name)

    def _concrete(self, *args: Any) -> Any:
        raise _Untraceable("the rule needs a concrete number")

    # == on a stand-in would answer by identity, a silent wrong branch: refuse it too
    __bool__ = __float__ = __int__ = __index__ = __len__ = __iter__ = __eq__ = __ne__ = _concrete
    __hash__ = object.__hash__


def _is_one(s: _Sym) -> bool:
    return s.kind == "const" and type(s.value) in (int, float) and s.value == 1


def _literal(value: Any) -> tuple[str, int]:
    """A constant as Python source, and its precedence (a negative number is a unary minus)."""
    if isinstance(value, bool):
        return repr(value), _ATOM
    if isinstance(value, numbers.Integral):
        value = int(value)
    else:
        value = float(value)
        if math.isnan(value):
            return "nan", _ATOM
        if math.isinf(value):
            return ("inf", _ATOM) if value > 0 else ("-inf", _UNARY)
    text = repr(value)
    return text, (_UNARY if text.startswith("-") else _ATOM)


def _render(sym: _Sym, names: dict[_Sym, str]) -> tuple[str, int]:
    """Python source for ``sym``, with hoisted sub-expressions replaced by their names.

    Recursive over one rule's expression, a handful of levels deep (graph
    walks never recurse; this walks what one rule wrote).
    """
    if sym in names:
        return names[sym], _ATOM
    if sym.kind == "const":
        return _literal(sym.value)
    if sym.kind == "name":
        return sym.op, _ATOM
    if sym.kind == "text":  # printed already; value holds its precedence
        return sym.op, sym.value
    if sym.op == "neg":
        text, prec = _render(sym.args[0], names)
        return "-" + (text if prec > _UNARY else f"({text})"), _UNARY
    if sym.op == "call":
        return f"{sym.value}({_render(sym.args[0], names)[0]})", _ATOM
    prec = _BINARY[sym.op][0]
    left, lp = _render(sym.args[0], names)
    right, rp = _render(sym.args[1], names)
    if sym.op == "**":  # right-associative, and -x ** 2 is -(x ** 2)
        left = left if lp > _POWER else f"({left})"
        right = right if rp >= _UNARY else f"({right})"
    else:  # left-associative: a - (b - c) and a + (b + c) keep their parentheses
        left = left if lp >= prec else f"({left})"
        right = right if rp > prec else f"({right})"
    return f"{left} {sym.op} {right}", prec


def _shared_subexpressions(roots: list[_Sym]) -> list[_Sym]:
    """The non-atomic nodes used more than once among ``roots``' trees, in creation order.

    A rule that computes d(loss)/dz once and multiplies it into 2n + 1
    gradients (a fused neuron) reuses one object: print it once, as a name.
    """
    uses: dict[_Sym, int] = {}
    order: list[_Sym] = []
    stack = list(roots)
    while stack:
        s = stack.pop()
        if s.kind != "op":
            continue
        if s in uses:
            uses[s] += 1
            continue
        uses[s] = 1
        order.append(s)
        stack.extend(s.args)
    shared = [s for s in order if uses[s] > 1]
    # children before parents: a node appears after everything below it was pushed
    position = {s: i for i, s in enumerate(order)}
    return sorted(shared, key=lambda s: -position[s])


# ------------------------------------------------------------------ recording guards


class _Guards:
    """Patches on `Value` for the duration of one recording; every one is undone on exit.

    They turn what a replay could not follow into a RecordError at the line
    that does it, and note where each new leaf was made. Recording is
    therefore not thread-safe: do not compute with Values in another thread
    meanwhile.
    """

    # Modules whose reads of .data are the engine's own (Module's registration checks a new
    # attribute's .data, so a Neuron made inside fn is refused as such, below).
    ENGINE_MODULES = frozenset({Value.__module__, graph.__name__, mathfn.__name__, "autograd_mlp.nn.module"})

    def __init__(self) -> None:
        self.made_at: dict[Value, str] = {}  # leaf made during recording -> where ("" = by the engine)
        self.made: set[Value] = set()  # interior nodes made during recording
        self.saved: dict[str, Any] = {}
        self.saved_factories: dict[str, Any] = {}

    def __enter__(self) -> _Guards:
        global _recording
        if _recording:
            raise RecordError("record() called inside a function being recorded")
        _recording = True
        made_at = self.made_at
        engine = self.ENGINE_MODULES
        init = Value.__init__

        made = self.made

        def __init__(node: Value, *args: Any, **kwargs: Any) -> None:
            # Leaves come through here (interior nodes through the wrapped factories below):
            # an interior node seen by neither was made before fn ran.
            init(node, *args, **kwargs)
            if node._op is not None:
                made.add(node)
            else:
                caller = sys._getframe(1)
                if not graph.is_grad_enabled():
                    raise RecordError(f"no_grad() inside the recorded function ({_where(caller)}): "
                                      "a replay cannot tell which numbers to freeze; move it out of fn")
                made_at[node] = "" if caller.f_globals.get("__name__") in engine else _where(caller)

        def refuse(what: str, advice: str) -> Callable[..., Any]:
            def method(node: Value, *args: Any, **kwargs: Any) -> Any:
                raise RecordError(f"{what} of {node!r} inside the recorded function "
                                  f"({_where(sys._getframe(1))}): {advice}")
            return method

        branch = ("a replay would always go the way this recording went. Write the decision as an "
                  "op (relu, abs, ...), whose generated code decides anew on every call")
        number = ("a replay would keep the number seen while recording. Compute with Value ops; "
                  "a number that never changes can be a plain Python number")
        patches: dict[str, Any] = {"__init__": __init__}
        for name, symbol in (("__lt__", "<"), ("__le__", "<="), ("__gt__", ">"), ("__ge__", ">=")):
            patches[name] = refuse(f"comparison {symbol}", branch)
        patches["__bool__"] = refuse("bool()", branch)
        patches["__float__"] = refuse("float() (math functions call it)", number)
        patches["__int__"] = patches["__index__"] = refuse("int()", number)
        patches["item"] = refuse(".item()", number)
        patches["detach"] = refuse("detach()", "its value would be frozen at the recorded number; "
                                   "pass the number in as an input instead")
        patches["backward"] = refuse("backward()", "the replayed step runs the backward pass itself")
        slot = Value.__dict__.get("data")
        if slot is not None and hasattr(slot, "__set__") and not isinstance(slot, property):
            patches["data"] = self._guarded_data(slot, number)
        for name, replacement in patches.items():
            self.saved[name] = Value.__dict__.get(name, _ABSENT)
            setattr(Value, name, replacement)
        # Interior nodes skip __init__ (value.py builds them slot by slot, for speed): the
        # two factories every op calls are wrapped instead, for the length of the recording.
        for name in _NODE_FACTORIES:
            factory = getattr(value_module, name)
            self.saved_factories[name] = factory
            setattr(value_module, name, self._tracked(factory))
        return self

    def _tracked(self, factory: Callable[..., Value]) -> Callable[..., Value]:
        made = self.made

        def make(*args: Any) -> Value:
            node = factory(*args)
            if node._op is None:  # grad mode was off: the op made a leaf
                raise RecordError(f"no_grad() inside the recorded function ({_where(sys._getframe(2))}): "
                                  "a replay cannot tell which numbers to freeze; move it out of fn")
            made.add(node)
            return node

        return make

    def _guarded_data(self, slot: Any, advice: str) -> property:
        engine = self.ENGINE_MODULES

        def get(node: Value) -> Any:
            caller = sys._getframe(1)
            if caller.f_globals.get("__name__") not in engine:
                raise RecordError(f"reading .data of {Value.__repr__(node)} inside the recorded function "
                                  f"({_where(caller)}): {advice}")
            return slot.__get__(node, Value)

        def set_(node: Value, data: Any) -> None:
            caller = sys._getframe(1)
            if caller.f_globals.get("__name__") not in engine:
                raise RecordError(f"changing .data inside the recorded function ({_where(caller)}): "
                                  "a replay does not repeat side effects; update parameters after the step")
            slot.__set__(node, data)

        return property(get, set_)

    def __exit__(self, *exc: object) -> None:
        global _recording
        for name, factory in self.saved_factories.items():
            setattr(value_module, name, factory)
        for name, original in self.saved.items():
            if original is _ABSENT:
                delattr(Value, name)
            else:
                setattr(Value, name, original)
        _recording = False


_ABSENT = object()
# value.py's functions that make every interior node (see _Guards._tracked).
_NODE_FACTORIES = ("_node", "_node_many")
_recording = False


def _where(frame: Any) -> str:
    return f"{frame.f_code.co_filename}:{frame.f_lineno}, in {frame.f_code.co_name}"


# ------------------------------------------------------------------ inputs


class _Inputs:
    """The recorded inputs' structure (numbers, nested lists/tuples, arrays) and the checks of a replay."""

    def __init__(self, example: tuple, allow_nonfinite: bool) -> None:
        self.count = len(example)
        self.allow_nonfinite = allow_nonfinite
        self.specs: list[Any] = []  # per argument: None (a number) or a tuple of child specs
        self.shapes: list[tuple[int, ...] | None] = []  # per argument: its shape when rectangular
        self.structured: list[Any] = []  # the arguments fn is called with, numbers replaced by leaves
        for i, arg in enumerate(example):
            spec, built = self._build(arg, f"example_inputs[{i}]")
            self.specs.append(spec)
            self.shapes.append(_rectangular_shape(spec))
            self.structured.append(built)

    def leaves_in_order(self) -> list[Value]:
        """The input leaves in reading order: the order in which `flatten` lists a replay's numbers."""
        leaves: list[Value] = []
        _leaves_in_reading_order(self.structured, leaves)
        if len(set(leaves)) != len(leaves):
            raise ValueError("record: the same Value appears twice among example_inputs; give each input once")
        return leaves

    def _build(self, arg: Any, where: str) -> tuple[Any, Any]:
        """(spec, the same structure as lists of input leaves), iteratively."""
        if isinstance(arg, np.ndarray):
            if arg.dtype.kind not in "biuf":
                raise TypeError(f"record: {where} is an array of {arg.dtype}; inputs must be real numbers")
            arg = arg.tolist()
        if not isinstance(arg, (list, tuple)):
            return None, self._leaf(arg, where)
        root: list[Any] = []
        root_spec: list[Any] = []
        stack = [(arg, root, root_spec, where)]
        while stack:
            seq, out, spec, at = stack.pop()
            for j, item in enumerate(seq):
                here = f"{at}[{j}]"
                if isinstance(item, np.ndarray):
                    item = item.tolist()
                if isinstance(item, (list, tuple)):
                    child: list[Any] = []
                    child_spec: list[Any] = []
                    out.append(child)
                    spec.append(child_spec)
                    stack.append((item, child, child_spec, here))
                else:
                    out.append(self._leaf(item, here))
                    spec.append(None)
        return _freeze_spec(root_spec), root

    def _leaf(self, x: Any, where: str) -> Value:
        if type(x) is Value:
            if x._op is not None:
                raise TypeError(f"record: {where} is a computed Value ({x!r}); inputs must be numbers or leaves")
            return x
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"record: {where} must be a real number, got {type(x).__name__} {x!r}")
        return Value(float(x))

    def flatten(self, args: tuple) -> list[float]:
        """The replay's inputs as one flat list of floats, checked against the recording."""
        if len(args) != self.count:
            raise TypeError(f"replay takes {self.count} input argument(s) as recorded, got {len(args)}")
        flat: list[float] = []
        for i, (arg, spec, shape) in enumerate(zip(args, self.specs, self.shapes)):
            if isinstance(arg, np.ndarray):
                if shape is None or arg.shape != shape:
                    want = f"shape {shape}" if shape is not None else "a ragged nested list"
                    raise ValueError(f"replay: input {i} has shape {arg.shape}; recorded with {want}")
                if arg.dtype.kind not in "biuf":
                    raise TypeError(f"replay: input {i} is an array of {arg.dtype}; inputs must be real numbers")
                flat.extend(arg.astype(np.float64, copy=False).ravel().tolist())
            else:
                _flatten_checked(arg, spec, i, flat)
        if not self.allow_nonfinite:
            total = sum(flat)
            if total - total != 0.0:  # inf or nan somewhere (or a finite sum that overflowed)
                for j, x in enumerate(flat):
                    if not math.isfinite(x):
                        raise ValueError(f"replay: input number {j} (flattened) is {x!r}; record with "
                                         "allow_nonfinite=True to let inf and nan through as backward() would")
        return flat


def _leaves_in_reading_order(root: list[Any], leaves: list[Value]) -> None:
    """Append the leaves of nested lists to ``leaves``, left to right (iterative)."""
    stack: list[Any] = [iter(root)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, list):
                stack.append(iter(item))
                break
            leaves.append(item)
        else:
            stack.pop()


def _freeze_spec(spec: list[Any]) -> tuple:
    # Specs are shallow (an input's nesting depth): plain recursion is fine here.
    return tuple(None if s is None else _freeze_spec(s) for s in spec)


def _rectangular_shape(spec: Any) -> tuple[int, ...] | None:
    shape: list[int] = []
    level = [spec]
    while True:
        if all(s is None for s in level):
            return tuple(shape)
        if any(s is None for s in level) or len({len(s) for s in level}) != 1:
            return None
        shape.append(len(level[0]))
        level = [c for s in level for c in s]
        if not level:
            return tuple(shape)


def _flatten_checked(arg: Any, spec: Any, index: int, flat: list[float]) -> None:
    stack = [(arg, spec, f"input {index}")]
    while stack:
        x, s, where = stack.pop()
        if s is None:
            if type(x) is not float:
                if isinstance(x, bool) or not isinstance(x, numbers.Real):
                    raise TypeError(f"replay: {where} must be a real number, got {type(x).__name__} {x!r}")
                x = float(x)
            flat.append(x)
            continue
        if isinstance(x, np.ndarray):
            x = x.tolist()
        if not isinstance(x, (list, tuple)):
            raise TypeError(f"replay: {where} must be a list of {len(s)}, got {type(x).__name__} {x!r}")
        if len(x) != len(s):
            raise ValueError(f"replay: {where} has {len(x)} items, recorded with {len(s)}: a replay runs "
                             "the recorded graph, whose shape is fixed; record again for another shape")
        if all(c is None for c in s) and all(type(v) is float for v in x):
            flat.extend(x)  # the common case: a row of floats
            continue
        stack.extend((x[j], s[j], f"{where}[{j}]") for j in range(len(s) - 1, -1, -1))


# ------------------------------------------------------------------ code generation


COMMENTED_NODES = 2000


class _Program:
    """The generated source of one recorded graph: a forward pass, then the walk of backward()."""

    def __init__(self, loss: Value, order: list[Value], params: list[Value], inputs: list[Value],
                 constants: set[Value]) -> None:
        self.namespace = _namespace()
        self.fallbacks: list[str] = []  # ops whose rule had to be called at run time
        self._used: set[str] = set(_RESERVED)
        self._names: dict[Value, str] = {}
        self._consts: dict[Value, Any] = {n: n.data for n in constants}
        self._temps = count(1)
        self._params = set(params)
        # a comment above each node's gradient lines shows its forward line: for graphs
        # small enough to read (they cost compile time on big ones)
        self.comments = len(order) <= COMMENTED_NODES
        forward = order[::-1]
        needs: dict[Value, bool] = {}  # a node needs a gradient when a parameter lies below it
        for node in forward:
            needs[node] = node in self._params or any(needs[p] for p in node._prev)
            if node._prev and node not in self._consts and all(p in self._consts for p in node._prev):
                self._consts[node] = node.data  # computed from constants only: fold it
        self._needs = needs
        self.used_params = [p for p in params if p in needs]
        self.param_names = [self._name(p, p.label or f"p{i}") for i, p in enumerate(self.used_params)]
        self.input_names = [self._name(x, x.label or f"x{i}") for i, x in enumerate(inputs)]
        self.forward: list[str] = []
        self._shown: dict[Value, str] = {}  # node -> its forward line, shown above its gradient lines
        self._emit_forward(loss, forward)
        self.loss_text = self._atom(loss)
        self.backward: list[str] = []
        self._owner: dict[str, Value] = {}  # gradient variable -> the one node it belongs to
        self._patterns: dict[tuple, _Pattern] = {}
        self._grad_var: dict[Value, str] = {}  # parameter -> the variable its gradient adds up in
        self._emit_backward(loss, order)
        self.grad_params = [p for p in self.used_params if p in self._grad_var]
        self.grad_names = [self._grad_var[p] for p in self.grad_params]
        # backward() adds a leaf's contributions up first and then to its .grad (graph.backward)
        self.sofar_names = [self._fresh(f"{self._names[p]}_grad") for p in self.grad_params]

    # ---- names
    def _name(self, node: Value, label: str) -> str:
        self._names[node] = name = self._fresh(label)
        return name

    def _fresh(self, label: str) -> str:
        if label.isidentifier() and label[0] != "_" and label not in self._used and not keyword.iskeyword(label):
            self._used.add(label)  # the common case: an unused name made here (t12, d_t12, c7)
            return label
        name = re.sub(r"\W", "_", label) or "v"
        if name[0].isdigit() or name.startswith("_"):
            name = "v" + name
        base, k = name, 1
        while name in self._used or keyword.iskeyword(name):
            k += 1
            name = f"{base}_{k}"
        self._used.add(name)
        return name

    def _atom(self, node: Value) -> str:
        if node in self._consts:
            return _literal(self._consts[node])[0]
        return self._names[node]

    # ---- forward
    def _emit_forward(self, loss: Value, forward: list[Value]) -> None:
        n = 0
        for node in forward:
            if not node._prev or node in self._consts:
                continue
            if not node.label and node is not loss:
                n += 1
            out = self._name(node, node.label or ("loss" if node is loss else f"t{n}"))
            op = cast(Op, node._op)
            template = FORWARD.get(op)
            if template is None:
                raise RecordError(f"the replay does not know the forward of op {op.name!r}: it replays "
                                  "the ops of Value and value.fused_neuron (see replay.FORWARD)")
            lines = template(out, *map(self._atom, node._prev))
            self.forward.extend(lines)
            if self.comments:
                # several lines (a relu neuron): the op's name around the first line's expression
                self._shown[node] = lines[0] if len(lines) == 1 else f"{out} = {op.name}({lines[0].split(' = ', 1)[1]})"

    # ---- backward
    def _emit_backward(self, loss: Value, order: list[Value]) -> None:
        # node -> its gradient so far: a name, a constant, or (before its first
        # contribution) nothing. A node whose first gradient is a name or a
        # number (a + passes its own on) reuses it: no line, no new variable.
        grad: dict[Value, _Sym] = {}
        if loss in self._params:
            self._add(grad, loss, _Sym.const(1.0))
        elif loss._prev and self._needs[loss] and loss not in self._consts:
            grad[loss] = _Sym.const(1.0)  # d loss / d loss
        consts, names, backward = self._consts, self._names, self.backward
        for node in order:
            prev = node._prev
            g = grad.pop(node, None)
            if g is None or not prev:  # a leaf, or no gradient reached it
                continue
            if self.comments:
                backward.append(f"# {self._shown[node]}")
            start = len(backward)
            pattern = self._pattern(node, g)
            fields = {"g": g.op if g.kind == "name" else "", "out": names[node]}
            for i, p in enumerate(prev):
                if p not in consts:
                    fields[f"a{i}"] = names[p]
            for h in range(pattern.temps):
                fields[f"h{h}"] = self._fresh(f"c{next(self._temps)}")
            backward.extend(line.format_map(fields) for line in pattern.lines)
            for i, kind, text, prec in pattern.contributions:
                if kind == "const":
                    c = _Sym.const(text)
                else:
                    c = _Sym(kind, text.format_map(fields), value=prec)
                self._add(grad, prev[i], c)
            if self.comments and len(backward) == start:  # every gradient was passed on as it is
                passed = ", ".join(f"d_{names[prev[i]]} = {_render(_sym_of(k, t, q, fields), {})[0]}"
                                   for i, k, t, q in pattern.contributions)
                backward[start - 1] += f"  (passes its gradient on: {passed})"

    def _add(self, grad: dict[Value, _Sym], parent: Value, c: _Sym) -> None:
        """One gradient contribution to ``parent``, added in the walk's order as backward() adds it."""
        text = _render(c, {})[0]
        if parent in self._params:  # a leaf: its contributions add up here, then to its .grad
            name = self._grad_var.get(parent)
            if name is None:
                name = self._grad_var[parent] = self._fresh("d_" + self._names[parent])
                self.backward.append(f"{name} = {text}")
            else:
                self.backward.append(f"{name} += {text}")
            return
        old = grad.get(parent)
        if old is None:
            if c.kind in ("name", "const"):
                grad[parent] = c
                return
            name = self._fresh("d_" + self._names[parent])
            self.backward.append(f"{name} = {text}")
        elif old.kind == "name" and self._owner.get(old.op) is parent:
            self.backward.append(f"{old.op} += {text}")
            return
        else:  # its first gradient was another's name or a number: start its own variable
            name = self._fresh("d_" + self._names[parent])
            self.backward.append(f"{name} = {_render(_Sym('op', '+', (old, c)), {})[0]}")
        self._owner[name] = parent
        grad[parent] = _Sym("name", name)

    def _pattern(self, node: Value, g: _Sym) -> _Pattern:
        """The lines a node's rule produces, with fields {g}, {out}, {a0}, ... for the names.

        Nodes of one op with the same constant inputs give the same lines, so a
        rule is run on stand-ins once per pattern (a moons step has a few
        dozen patterns for 65,000 nodes), not once per node.
        """
        prev = node._prev
        consts = self._consts
        key = (node._op, len(prev), g.kind == "const" and repr(g.value),
               tuple(repr(consts[p]) if p in consts else (self._needs[p] or None) for p in prev))
        pattern = self._patterns.get(key)
        if pattern is None:
            pattern = self._patterns[key] = self._trace(node, g)
        return pattern

    def _trace(self, node: Value, g: _Sym) -> _Pattern:
        op = cast(Op, node._op)
        prev = node._prev
        consts = self._consts
        wanted = [i for i, p in enumerate(prev) if self._needs[p] and p not in consts]
        gs = g if g.kind == "const" else _Sym("name", "{g}")
        ins = [_Sym.const(consts[p]) if p in consts else _Sym("name", f"{{a{i}}}") for i, p in enumerate(prev)]
        kwargs = {"needs_input_grad": [p.requires_grad for p in prev]} if op.skip_unneeded else {}
        try:
            grads = list(op.rule(gs, _Sym("name", "{out}"), *ins, **kwargs))
            ok = all(c is None or isinstance(c, (_Sym, numbers.Real)) for c in grads)
        except Exception:
            ok = False
        if not ok:
            return self._fallback(node, gs, ins, wanted, kwargs)
        contributions = [(i, c if isinstance(c, _Sym) else _Sym.const(c))
                         for i in wanted if i < len(grads) and (c := grads[i]) is not None]
        # print once, as a name, what the rule computed once and used several times
        hoisted: dict[_Sym, str] = {}
        lines = []
        for shared in _shared_subexpressions([c for _, c in contributions]):
            name = f"{{h{len(hoisted)}}}"
            lines.append(f"{name} = {_render(shared, hoisted)[0]}")
            hoisted[shared] = name
        out = []
        for i, c in contributions:
            if c in hoisted:
                out.append((i, "name", hoisted[c], _ATOM))
            elif c.kind == "const":
                out.append((i, "const", c.value, _ATOM))
            else:
                text, prec = _render(c, hoisted)
                out.append((i, "name" if c.kind == "name" else "text", text, prec))
        return _Pattern(lines, out, len(hoisted))

    def _fallback(self, node: Value, g: _Sym, ins: list[_Sym], wanted: list[int], kwargs: dict) -> _Pattern:
        """A rule that needs real numbers (it branches in Python) is called from the generated code."""
        op = cast(Op, node._op)
        prev = node._prev
        self.fallbacks.append(op.name)
        try:  # which inputs get None is structural (a constant exponent, say): one call tells
            probe = list(op.rule(1.0, node.data, *(p.data for p in prev), **kwargs))
        except Exception:
            probe = [0.0] * len(prev)
        fname = self._fresh("rule_" + (re.sub(r"\W", "_", op.name).strip("_") or "op"))
        self.namespace[fname] = op.rule
        args = ", ".join(_render(s, {})[0] for s in (g, _Sym("name", "{out}"), *ins))
        extra = f", needs_input_grad={kwargs['needs_input_grad']!r}" if kwargs else ""
        lines = [f"{{h0}} = {fname}({args}{extra})  # this rule branches in Python: called as it is"]
        out = [(i, "name", f"{{h0}}[{i}]", _ATOM) for i in wanted if i < len(probe) and probe[i] is not None]
        return _Pattern(lines, out, 1)

    def source(self, function_name: str) -> str:
        """The whole function: unpack the numbers, forward, backward, hand back the gradients."""
        out = [f"def {function_name}(params, grads, inputs):"]
        if self.param_names:
            out.append(f"    {_unpack(self.param_names)} = params  # parameters' .data, read at every call")
        if self.input_names:
            out.append(f"    {_unpack(self.input_names)} = inputs")
        out.append("    # forward: one line per operation")
        out.extend("    " + line for line in self.forward)
        out.append("    # backward: the chain rule, one line per gradient contribution, in backward()'s order")
        out.extend("    " + line for line in self.backward)
        if self.grad_names:
            out.append(f"    {_unpack(self.sofar_names)} = grads  # each parameter's .grad so far: "
                       "backward() adds the total to it")
        totals = [f"{sofar} + {name}" for sofar, name in zip(self.sofar_names, self.grad_names)]
        grads = ", ".join(totals) + ("," if len(totals) == 1 else "")
        out.append(f"    return {self.loss_text}, ({grads})")
        return "\n".join(out) + "\n"


def _unpack(names: list[str]) -> str:
    return ", ".join(names) + ("," if len(names) == 1 else "")


class _Pattern(NamedTuple):
    """What one rule writes for a node, with {fields} where the names go."""

    lines: list[str]  # hoisted sub-expressions (or the call of a rule that branches)
    contributions: list[tuple[int, str, Any, int]]  # (input index, kind, text or number, precedence)
    temps: int  # how many fresh names {h0}, {h1}, ... the lines need


def _sym_of(kind: str, text: Any, prec: int, fields: dict[str, str]) -> _Sym:
    return _Sym.const(text) if kind == "const" else _Sym(kind, text.format_map(fields), value=prec)


# ------------------------------------------------------------------ record and replay


def record(
    fn: Callable[..., Value],
    params: Iterable[Value],
    example_inputs: tuple = (),
    *,
    allow_nonfinite: bool = False,
    name: str | None = None,
) -> ReplayStep:
    """Run ``fn(*example_inputs)`` once and return its step compiled to straight-line Python.

    Args:
        fn: builds the loss from its inputs (and from ``params``, which it
            may reach through a model it closes over); returns one `Value`.
        params: the leaves whose gradients you want (``model.parameters()``).
            Their ``.data`` is read at every call of the step.
        example_inputs: the arguments of ``fn`` as a tuple: numbers, nested
            lists/tuples of numbers, numpy arrays, or `Value` leaves (their
            labels name the variables in the generated code). Each number
            becomes an input leaf (fn gets arrays and tuples as nested lists of
            leaves); calls of the step must have the same shape.
        allow_nonfinite: let inf and nan inputs through (refused by default).
        name: the generated function's name (default: fn's name).

    The step, called with new inputs in the same structure, returns the
    loss as a float and adds d loss / d p into each parameter's ``.grad``,
    exactly as ``fn(...).backward()`` would.
    """
    if not callable(fn):
        raise TypeError(f"record: fn must be callable, got {type(fn).__name__} {fn!r}")
    if not isinstance(example_inputs, tuple):
        raise TypeError(f"record: example_inputs must be the tuple of fn's arguments (use (X,) for one "
                        f"argument), got {type(example_inputs).__name__}")
    params = _checked_params(params)
    started = time.perf_counter()
    inputs = _Inputs(example_inputs, bool(allow_nonfinite))
    input_leaves = inputs.leaves_in_order()
    clash = set(params) & set(input_leaves)
    if clash:
        raise ValueError(f"record: {next(iter(clash))!r} is both a parameter and an input")
    with graph.enable_grad(), _Guards() as guards:
        loss = fn(*inputs.structured)
    if type(loss) is not Value:
        raise TypeError(f"record: fn must return the loss as a Value, got {type(loss).__name__} {loss!r}")
    # backward()'s own order for the rules (sums of contributions are order-sensitive), then the leaves
    order = graph.backward_order(loss) if loss._op is not None else []
    order += [node for node in graph.topological_order(loss) if node._op is None]
    constants = _classify_leaves(order, set(params), set(input_leaves), guards.made_at, guards.made)
    program = _Program(loss, order, params, input_leaves, constants)
    del order, loss, guards
    recorded = time.perf_counter() - started
    name = name or str(getattr(fn, "__name__", "step"))
    return ReplayStep(program, params, inputs, "step" if name == "<lambda>" else name, recorded)


def _checked_params(params: Iterable[Value]) -> list[Value]:
    if isinstance(params, Value):
        params = [params]
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"record: params must be a list of Value leaves, got {type(params).__name__}") from None
    seen: set[Value] = set()
    for i, p in enumerate(params):
        if type(p) is not Value:
            raise TypeError(f"record: params[{i}] must be a Value, got {type(p).__name__} {p!r}")
        if p._op is not None:
            raise ValueError(f"record: params[{i}] = {p!r} is computed by '{p._op.name}'; parameters are leaves")
        if p in seen:
            raise ValueError(f"record: params[{i}] = {p!r} is listed twice")
        seen.add(p)
    return params


def _classify_leaves(order: list[Value], params: set[Value], inputs: set[Value],
                     made_at: dict[Value, str], made: set[Value]) -> set[Value]:
    """The constant leaves of the graph; a RecordError for any node a replay could not follow."""
    constants: set[Value] = set()
    for node in order:
        if node in params or node in inputs:
            continue
        label = f" {node.label!r}" if node.label else ""
        if node._prev:
            if node not in made:
                raise RecordError(f"the loss depends on a node{label} ({node!r}, made by '{node.op}') "
                                  "that was computed before fn ran: a replay would compute it afresh "
                                  "while backward() keeps its old number; compute it inside fn")
            continue
        where = made_at.get(node)
        if where is None:
            raise RecordError(f"the loss depends on a Value{label} ({node!r}) that is neither in params nor "
                              "among the inputs: list it in params if it is trained, or pass it in "
                              "example_inputs if it is data")
        if where:
            raise RecordError(f"a Value{label} ({node!r}) is made inside the recorded function ({where}) and "
                              "is neither a parameter nor an input: a replay would freeze it (a parameter "
                              "made inside the step is made afresh by every call and never trained). Make "
                              "parameters outside fn and list them in params, pass data as inputs, or write "
                              "a constant as a plain number (x * 0.5)")
        constants.add(node)  # a plain number the engine wrapped: x * 2.0, x ** 3, 1 - x
    return constants


class ReplayStep:
    """A recorded step, compiled: call it with new inputs, read the loss, find the gradients in ``.grad``.

    ``step(*inputs)`` returns the loss (a float) and adds each parameter's
    gradient into its ``.grad``, as ``backward()`` does (leaves accumulate:
    zero them between steps). ``step.source()`` shows the generated code.
    """

    MAX_LINES = 300  # what source() and print() show without being asked for more
    TRACEBACK_LINES = 20_000  # up to this size, tracebacks show the generated lines

    def __init__(self, program: _Program, params: list[Value], inputs: _Inputs, name: str, recorded: float) -> None:
        function_name = re.sub(r"\W", "_", name).strip("_") or "step"
        if function_name[0].isdigit() or keyword.iskeyword(function_name):
            function_name = "step_" + function_name
        self.name = function_name
        self._source = program.source(function_name)
        self._inputs = inputs
        self._params = program.used_params
        self._grad_params = program.grad_params
        self.params = params
        started = time.perf_counter()
        filename = f"<replay {function_name} at {id(self):#x}>"
        code = compile(self._source, filename, "exec")
        namespace = program.namespace
        exec(code, namespace)
        self._fn = namespace[function_name]
        compiled = time.perf_counter() - started
        lines = self._source.splitlines(True)
        if len(lines) <= self.TRACEBACK_LINES:
            # Tracebacks from generated code show its lines; the entry goes with the step.
            # (A big graph's would double the memory the step keeps.)
            linecache.cache[filename] = (len(self._source), None, lines, filename)
            weakref.finalize(self, linecache.cache.pop, filename, None)
        self.stats: dict[str, Any] = {
            "forward_lines": len(program.forward),
            "backward_lines": sum(1 for line in program.backward if not line.startswith("#")),
            "lines": self._source.count("\n"),
            "params": len(params),
            "inputs": len(inputs.leaves_in_order()),
            "rules_called_at_run_time": sorted(set(program.fallbacks)),
            "record_seconds": recorded,
            "compile_seconds": compiled,
            "source_bytes": len(self._source),
            "code_bytes": len(marshal.dumps(code)),  # the compiled function, as stored
        }

    def __call__(self, *inputs: Any) -> float:
        flat = self._inputs.flatten(inputs)
        grad_params = self._grad_params
        grads = [p.grad for p in grad_params]
        if None in grads:  # a .grad set to None starts from nothing: -0.0 + g is g for every g
            grads = [-0.0 if g is None else g for g in grads]
        loss, new = self._fn([p.data for p in self._params], grads, flat)
        for p, g in zip(grad_params, new):
            p.grad = g
        return loss

    def source(self, *, max_lines: int | None = None, force: bool = False) -> str:
        """The generated Python; refuses (ValueError) more than ``max_lines`` lines unless ``force``."""
        limit = self.MAX_LINES if max_lines is None else max_lines
        lines = self.stats["lines"]
        if not force and lines > limit:
            raise ValueError(f"this replay is {lines:,} lines long, more than max_lines={limit}: "
                             f"ask for it with source(force=True) or source(max_lines={lines})")
        return self._source

    def __str__(self) -> str:
        if self.stats["lines"] <= self.MAX_LINES:
            return self._source
        return f"{self!r}: {self.stats['lines']:,} lines; see them with .source(force=True)"

    def __repr__(self) -> str:
        s = self.stats
        return (f"ReplayStep({self.name}: {s['params']} params, {s['inputs']} input numbers, "
                f"{s['forward_lines']:,} forward and {s['backward_lines']:,} backward lines)")

