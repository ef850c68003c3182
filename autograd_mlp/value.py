"""`Value`: a scalar that remembers how it was computed.

Every operation below is a method, and right above it stands its local
derivative as a backward rule ``rule(g, out, *inputs)`` that returns one
gradient per input. ``g`` is d(loss)/d(out); the rule multiplies
it by d(out)/d(input): that product *is* the chain rule.

The rules are written so they work on plain floats (an ordinary backward
pass, fast) and on `Value` nodes (``backward(create_graph=True)``, which
records the gradient computation itself so it can be differentiated again).
`autograd_mlp.mathfn` picks ``math.log`` or ``Value.log`` accordingly.

Numeric policy (docs/numerics.md, the same as Tensor's and numpy's): IEEE
results, never a Python ZeroDivisionError, OverflowError or ValueError from
the arithmetic, forward or backward. Overflow gives +-inf; x/0 gives +-inf
and 0/0 nan; log(0) = -inf and log(x < 0) = nan; sqrt(x < 0) = nan and its
derivative at 0 is inf; 0**0 = 1 with derivative 0; a negative base to a
non-integer power is nan; NaN propagates. `autograd_mlp.check_finite` names
the first operation that made a non-finite number.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, NamedTuple

from . import graph, mathfn
from .graph import Op
from .mathfn import exp_float, sigmoid_float, softplus_float

_grad_mode = graph.state

__all__ = ["Value", "fused_neuron", "fused_parts", "FusedParts", "from_op"]

Number = int | float


class Value:
    """A scalar node of the computation graph.

    >>> x = Value(3.0, label="x")
    >>> y = x * x * x
    >>> y.backward()
    >>> x.grad
    27.0

    Attributes: ``data`` (float), ``grad`` (d root / d self after
    ``backward``; 0.0 before), ``label`` (shown in pictures).
    """

    # No __dict__, no parents tuple and no reference back to itself: about 100
    # bytes a node with its float, ONE object for Python's cyclic garbage
    # collector to track (a parents tuple would be a second one: the collector's
    # passes over the live graph cost more than the rest of building it), and a
    # graph is freed by reference counting alone. The parents sit in ``_a`` and
    # ``_b`` (None when absent); a node with three or more keeps their tuple in
    # ``_a`` and `_MANY` in ``_b``. ``_label`` is only set on labelled nodes.
    __slots__ = ("data", "grad", "_op", "_a", "_b", "_label")

    requires_grad = True  # every Value takes part in differentiation
    _parents_in_slots = True  # graph's ordering pass reads _a/_b itself (graph.py docstring)

    def __init__(self, data: Number, label: str = "") -> None:
        if type(data) is not float:
            data = _to_float(data)
        self.data = data
        self.grad: Any = 0.0
        self._op: Op | None = None
        self._a: Any = None  # the first parent (or the tuple of all, see __slots__)
        self._b: Any = None
        if label:
            self._label = str(label)

    @property
    def _prev(self) -> tuple:
        """The input nodes, as the graph core reads them (a tuple, empty for a leaf)."""
        b = self._b
        if b is None:
            a = self._a
            return () if a is None else (a,)
        if b is _MANY:
            return self._a
        return (self._a, b)

    @property
    def label(self) -> str:
        """The name shown in pictures and in repr ('' for none)."""
        try:
            return self._label
        except AttributeError:
            return ""

    @label.setter
    def label(self, text: str) -> None:
        self._label = str(text)

    # ------------------------------------------------------------- basics

    def __repr__(self) -> str:
        name = f"{self.label}=" if self.label else ""
        op = f", op={self._op.name}" if self._op is not None else ""
        grad = self.grad
        grad_text = f"{grad:.6g}" if isinstance(grad, float) else repr(grad)
        return f"Value({name}{self.data:.6g}, grad={grad_text}{op})"

    def __float__(self) -> float:
        return self.data

    def __bool__(self) -> bool:
        """``data != 0``, as for a one-element Tensor and a numpy number (nan is True)."""
        return self.data != 0.0

    def item(self) -> float:
        """The plain Python float held by this node."""
        return self.data

    @property
    def op(self) -> str:
        """Name of the operation that made this node ('' for a leaf)."""
        return self._op.name if self._op is not None else ""

    @property
    def parents(self) -> tuple[Value, ...]:
        """The input nodes of the operation that made this node."""
        return tuple(self._prev)

    def backward(self, gradient: Number | Value | None = None, *, create_graph: bool = False) -> None:
        """Fill ``.grad`` of every node this one depends on with d(self)/d(node).

        ``gradient`` is d(loss)/d(self), 1.0 by default. Leaves accumulate
        across calls (call ``zero_grad`` between steps); intermediate nodes
        hold the latest pass. With ``create_graph=True`` the gradients are
        `Value` nodes that can be differentiated again.
        """
        if gradient is None:
            gradient = 1.0
        elif isinstance(gradient, Value):
            gradient = gradient if create_graph else gradient.data
        else:
            gradient = _to_float(gradient)
        if create_graph and not isinstance(gradient, Value):
            gradient = Value(gradient)
        graph.backward(self, gradient, create_graph=create_graph)

    def zero_grad(self) -> None:
        """Set this node's gradient back to 0.0."""
        self.grad = 0.0

    def detach(self) -> Value:
        """A new leaf with the same data and no history."""
        return Value(self.data, self.label)

    # Comparisons look at the data and give plain bools (no gradient flows
    # through a comparison). ``==`` stays identity so nodes can be hashed.
    def __lt__(self, other: Number | Value) -> bool:
        return self.data < _raw(other)

    def __le__(self, other: Number | Value) -> bool:
        return self.data <= _raw(other)

    def __gt__(self, other: Number | Value) -> bool:
        return self.data > _raw(other)

    def __ge__(self, other: Number | Value) -> bool:
        return self.data >= _raw(other)

    __hash__ = object.__hash__

    # --------------------------------------------------------- arithmetic

    # d(a+b)/da = d(a+b)/db = 1
    _ADD = Op("+", lambda g, out, a, b: (g, g))

    def __add__(self, other: Number | Value) -> Value:
        other = other if type(other) is Value else _constant(other)
        return _node(self.data + other.data, _ADD, self, other)  # _ADD: the module's name for it, after the class

    # d(a-b)/da = 1, d(a-b)/db = -1
    _SUB = Op("-", lambda g, out, a, b: (g, -g))

    def __sub__(self, other: Number | Value) -> Value:
        other = other if type(other) is Value else _constant(other)
        return _node(self.data - other.data, self._SUB, self, other)

    # d(a*b)/da = b, d(a*b)/db = a
    _MUL = Op("*", lambda g, out, a, b: (g * b, g * a))

    def __mul__(self, other: Number | Value) -> Value:
        other = other if type(other) is Value else _constant(other)
        return _node(self.data * other.data, _MUL, self, other)  # _MUL: the module's name for it, after the class

    # d(a/b)/da = 1/b, d(a/b)/db = -a/b**2 = -out/b
    _DIV = Op("/", lambda g, out, a, b: (_div(g, b), _div(-g * out, b)))

    def __truediv__(self, other: Number | Value) -> Value:
        """a / b; division by zero gives +-inf, and 0/0 nan (IEEE)."""
        other = other if type(other) is Value else _constant(other)
        return _node(_divide(self.data, other.data), self._DIV, self, other)

    _NEG = Op("neg", lambda g, out, a: (-g,))

    def __neg__(self) -> Value:
        return _node(-self.data, self._NEG, self)

    def __radd__(self, other: Number) -> Value:
        return _constant(other) + self

    def __rsub__(self, other: Number) -> Value:
        return _constant(other) - self

    def __rmul__(self, other: Number) -> Value:
        return _constant(other) * self

    def __rtruediv__(self, other: Number) -> Value:
        return _constant(other) / self

    # d(a**b)/da = b a**(b-1), d(a**b)/db = a**b ln a (taken as 0 where a = 0
    # and b >= 0, as PyTorch does: there a**b is 0 or 1 whatever ln 0 says)
    _POW = Op("**", lambda g, out, a, b: (g * _dpow(a, b), g * _dpow_exponent(out, a, b)))
    # d(a**n)/da = n a**(n-1). The exponent sits in the graph as a leaf (for
    # pictures) and gets no gradient; _raw keeps it a number under create_graph,
    # so the second derivative is again a POW_CONST, never a log of the base.
    _POW_CONST = Op("**", lambda g, out, a, n: (g * _dpow(a, _raw(n)), None))

    def __pow__(self, exponent: Number | Value) -> Value:
        """``a ** n`` for a number n, or ``a ** b`` for a Value b (d/db = a**b * ln a).

        IEEE results: 0**0 = 1, 0**-1 = inf, an overflow +-inf, a negative base
        to a non-integer power nan (never a complex number).
        """
        if type(exponent) is Value:
            return _node(_power(self.data, exponent.data), self._POW, self, exponent)
        n = _to_float(exponent)
        return _node(_power(self.data, n), self._POW_CONST, self, Value(n))

    def __rpow__(self, base: Number) -> Value:
        return _constant(base) ** self

    # ----------------------------------------------------------- functions

    # d(e**a)/da = e**a = out
    _EXP = Op("exp", lambda g, out, a: (g * out,))

    def exp(self) -> Value:
        """e**x; overflows to inf past x ~ 709.78 (as IEEE arithmetic does)."""
        return _node(exp_float(self.data), self._EXP, self)

    # d(ln a)/da = 1/a
    _LOG = Op("log", lambda g, out, a: (_div(g, a),))

    def log(self) -> Value:
        """Natural logarithm: log(0) = -inf, log(x < 0) = nan (IEEE)."""
        return _node(mathfn.log(self.data), self._LOG, self)

    # d(sqrt a)/da = 1/(2 sqrt a) = 0.5/out
    _SQRT = Op("sqrt", lambda g, out, a: (_div(g * 0.5, out),))

    def sqrt(self) -> Value:
        """Square root: sqrt(x < 0) = nan; its derivative at 0 is inf."""
        x = self.data
        return _node(math.sqrt(x) if x >= 0.0 else math.nan, self._SQRT, self)

    # d(tanh a)/da = 1 - tanh(a)**2
    _TANH = Op("tanh", lambda g, out, a: (g * (1.0 - out * out),))

    def tanh(self) -> Value:
        """Hyperbolic tangent; exactly +-1 for large |x|, never overflows."""
        return _node(math.tanh(self.data), self._TANH, self)

    # d(s(a))/da = s(a) (1 - s(a))
    _SIGMOID = Op("sigmoid", lambda g, out, a: (g * out * (1.0 - out),))

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x), computed without overflow for any x."""
        return _node(sigmoid_float(self.data), self._SIGMOID, self)

    # 1 where a > 0, else 0 (0 at the kink, as in PyTorch)
    _RELU = Op("relu", lambda g, out, a: (g * (a > 0.0),))

    def relu(self) -> Value:
        """max(0, x); the derivative at exactly 0 is taken as 0 (as in PyTorch)."""
        return _node(self.data if self.data > 0.0 else 0.0, self._RELU, self)

    # 1 where a > 0, else the slope (a constant leaf, no gradient)
    _LEAKY_RELU = Op("leaky_relu", lambda g, out, a, slope: (g * (1.0 if a > 0.0 else _raw(slope)), None))

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, slope * x otherwise."""
        x = self.data
        return _node(x if x > 0.0 else slope * x, self._LEAKY_RELU, self, Value(slope))

    # d(log(1 + e**a))/da = sigmoid(a)
    _SOFTPLUS = Op("softplus", lambda g, out, a: (g * mathfn.sigmoid(a),))

    def softplus(self) -> Value:
        """log(1 + e**x), stable for large |x|; its derivative is sigmoid(x)."""
        return _node(softplus_float(self.data), self._SOFTPLUS, self)

    # d(log sigmoid(a))/da = 1 - sigmoid(a) = sigmoid(-a)
    _LOG_SIGMOID = Op("log_sigmoid", lambda g, out, a: (g * mathfn.sigmoid(-a),))

    def log_sigmoid(self) -> Value:
        """log(sigmoid(x)) = -softplus(-x), finite where log(sigmoid(x)) would be log(0)."""
        return _node(-softplus_float(-self.data), self._LOG_SIGMOID, self)

    # sign(a), 0 at the kink
    _ABS = Op("abs", lambda g, out, a: (g * mathfn.sign(a),))

    def abs(self) -> Value:
        """|x|; the derivative at exactly 0 is taken as 0."""
        return _node(abs(self.data), self._ABS, self)

    __abs__ = abs

    _SIN = Op("sin", lambda g, out, a: (g * _cos(a),))

    def sin(self) -> Value:
        """sin(x); nan for x = +-inf."""
        return _node(_sin(self.data), self._SIN, self)

    _COS = Op("cos", lambda g, out, a: (-g * _sin(a),))

    def cos(self) -> Value:
        """cos(x); nan for x = +-inf."""
        return _node(_cos(self.data), self._COS, self)


# + and * make almost every node of a scalar network (a neuron is
# w1*x1 + w2*x2 + ...), so their methods read these module names, the same Op
# objects: ``self._ADD`` is looked up through the class on every call (Python
# 3.11 does not cache a class attribute read through a slotted instance), about
# 50 ns a node, 2-4% of micrograd's moons step with the collector off.
_ADD = Value._ADD
_MUL = Value._MUL


def fused_neuron(
    weights: Sequence[Value],
    inputs: Sequence[Value | Number],
    bias: Value | None = None,
    activation: str | None = None,
) -> Value:
    """act(w1*x1 + ... + wn*xn + b) as ONE node: what a neuron computes.

    The same number as micrograd's chain of ``*`` and ``+`` nodes followed by
    an activation node, and the same gradients (dz/dwi = xi, dz/dxi = wi,
    dz/db = 1, times act'(z)), but one node instead of 2n+1: Python pays per
    node, not per multiply, so a scalar MLP trains many times faster.
    ``activation`` is one of None, "relu", "tanh", "sigmoid". Plain numbers
    among ``inputs`` become constant leaves.
    """
    n = len(weights)
    if len(inputs) != n:
        raise ValueError(f"fused_neuron: {n} weights but {len(inputs)} inputs")
    try:
        op, act = _FUSED_OPS[activation]
    except KeyError:
        raise ValueError(f"fused_neuron: unknown activation {activation!r}; use one of {sorted(map(str, _FUSED_OPS))}") from None
    nodes = [x if type(x) is Value else _constant(x) for x in inputs]
    # Summed as micrograd's sum(w*x for ..., b) adds: b first, then each product,
    # so the unfused Neuron gives bit-identical numbers.
    z = 0.0 if bias is None else bias.data
    for w, x in zip(weights, nodes):
        z += w.data * x.data
    if bias is None:
        return _node_many(act(z), op, (*weights, *nodes))
    return _node_many(act(z), op, (*weights, *nodes, bias))


class FusedParts(NamedTuple):
    """What one `fused_neuron` node stands for, as micrograd's graph would show it."""

    weights: tuple[Value, ...]
    inputs: tuple[Value, ...]
    bias: Value | None
    activation: str | None  # None: the node is z itself
    z: float  # w . x + b, before the activation
    dz: float | None  # d(loss)/dz from the node's grad (None when it has none)


def fused_parts(node: Value, grad: Any = ...) -> FusedParts | None:
    """The weights, inputs, bias, activation and z = w . x + b of a `fused_neuron` node.

    None for any other node. ``dz`` is d(loss)/dz = grad * act'(z) (``grad``:
    d(loss)/d(node), the node's ``.grad`` unless given), so every
    product w*x and every partial sum of the unfused chain has exactly this
    gradient (a sum passes its gradient to each term unchanged): what
    `autograd_mlp.viz` draws when it expands the node.
    """
    op = node._op
    if op is None or op not in _FUSED_ACTIVATION:
        return None
    activation = _FUSED_ACTIVATION[op]
    parents = node._prev
    n = len(parents) // 2
    weights, inputs = parents[:n], parents[n : 2 * n]
    bias = parents[2 * n] if len(parents) > 2 * n else None
    z = 0.0 if bias is None else bias.data
    for w, x in zip(weights, inputs):
        z += w.data * x.data
    g = node.grad if grad is ... else grad
    g = getattr(g, "data", g)  # a create_graph gradient is a node
    dz = None if g is None else g * _SLOPE[activation](node.data)
    return FusedParts(weights, inputs, bias, activation, z, dz)


def from_op(data: Number, op: Op, inputs: list[Value]) -> Value:
    """The output of your own scalar operation: ``data`` from ``inputs``, differentiated by ``op``.

    ``op = Op(name, rule)`` with ``rule(g, out, *inputs)`` returning one
    gradient per input::

        CUBE = Op("cube", lambda g, out, x: (g * 3 * x * x,))
        y = from_op(x.data ** 3, CUBE, [x])
    """
    if not isinstance(op, Op):
        raise TypeError(f"from_op: op must be an autograd_mlp.Op, got {type(op).__name__}")
    parents = tuple(inputs)
    for i, v in enumerate(parents):
        if type(v) is not Value:
            raise TypeError(f"from_op: input {i} is a {type(v).__name__}, not a Value")
    if len(parents) > 2:
        return _node_many(_to_float(data), op, parents)
    a, b = (*parents, None, None)[:2]
    return _node(_to_float(data), op, a, b)


# act'(z) written in terms of out = act(z), as for the standalone ops.
_SLOPE: dict[str | None, Any] = {
    None: lambda out: 1.0,
    "relu": lambda out: (out > 0.0) * 1.0,  # 0 at the kink, as Value.relu
    "tanh": lambda out: 1.0 - out * out,
    "sigmoid": lambda out: out * (1.0 - out),
}


def _fused_op(activation: str | None) -> Op:
    slope = _SLOPE[activation]
    name = "linear" if activation is None else f"linear+{activation}"

    # args = w1..wn, x1..xn[, b]; d(out)/d(args) = act'(z) * dz/d(args), with
    # dz/dwi = xi, dz/dxi = wi, dz/db = 1
    def rule(g: Any, out: Any, *args: Any) -> list[Any]:
        gz = g * slope(out)  # dL/dz
        n = len(args) // 2
        grads = [gz * v for v in args[n : 2 * n] + args[:n]]
        if len(args) > 2 * n:
            grads.append(gz)
        return grads

    return Op(name, rule)


# activation -> (op, forward on floats)
_FUSED_OPS = {
    None: (_fused_op(None), lambda z: z),
    "relu": (_fused_op("relu"), lambda z: z if z > 0.0 else 0.0),
    "tanh": (_fused_op("tanh"), math.tanh),
    "sigmoid": (_fused_op("sigmoid"), sigmoid_float),
}
_FUSED_ACTIVATION = {op: act for act, (op, _) in _FUSED_OPS.items()}


# ------------------------------------------------------------------ helpers


_MANY = graph.MANY_PARENTS  # in ``_b``: ``_a`` holds the tuple of three or more parents


def _to_float(x: Any) -> float:
    """Accept real numbers (int, float, bool, numpy scalars); refuse the rest clearly."""
    if isinstance(x, Value):
        raise TypeError("Value(...) takes a number; to copy a Value use .detach()")
    if isinstance(x, numbers.Real) and not isinstance(x, str):
        return float(x)
    if hasattr(x, "shape") and getattr(x, "shape", None) == () and hasattr(x, "item"):
        return _to_float(x.item())
    raise TypeError(f"Value needs a real number, got {type(x).__name__} {x!r}")


def _constant(x: Any) -> Value:
    """Wrap a Python number met in an expression as a leaf (it shows in pictures)."""
    if type(x) is float or type(x) is int or isinstance(x, numbers.Real):
        return Value(float(x))
    raise TypeError(f"cannot combine a Value with {type(x).__name__} {x!r}: use a number or a Value")


def _raw(x: Any) -> Any:
    return x.data if type(x) is Value else x


_new = object.__new__


def _node(data: float, op: Op, a: Any, b: Any = None) -> Value:
    """The result of an op on one or two inputs: an interior node, or a leaf under no_grad.

    No __init__ and no checks: ``data`` is already a float, and this runs once
    per node of every graph.
    """
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    if _grad_mode.enabled:
        v._op = op
        v._a = a
        v._b = b
    else:
        v._op = v._a = v._b = None
    return v


def _node_many(data: float, op: Op, parents: tuple) -> Value:
    """The result of an op on three or more inputs (see `Value.__slots__`)."""
    return _node(data, op, parents, _MANY)  # under no_grad: a leaf, _a and _b None


def _divide(a: float, b: float) -> float:
    """a / b for floats with IEEE results at b = 0: +-inf, or nan for 0/0 and nan/0."""
    if b:
        return a / b
    if a != a or a == 0.0:
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _div(a: Any, b: Any) -> Any:
    """``a / b`` in a rule: floats in an ordinary pass, Values under create_graph."""
    return _divide(a, b) if type(a) is float and type(b) is float else a / b


def _odd_integer(n: float) -> bool:
    return n.is_integer() and n % 2.0 == 1.0


def _power(base: float, n: float) -> float:
    """base ** n with IEEE results where Python raises or returns a complex number."""
    try:
        r = base**n
    except ZeroDivisionError:  # 0.0 ** negative: inf, with -0.0's sign for an odd power
        return math.copysign(math.inf, base) if _odd_integer(n) else math.inf
    except OverflowError:
        return -math.inf if base < 0.0 and _odd_integer(n) else math.inf
    if type(r) is complex:  # a negative base to a non-integer power
        return math.nan
    return r


def _pow(a: Any, n: Any) -> Any:
    return _power(a, n) if type(a) is float and type(n) is float else a**n


def _dpow(a: Any, n: Any) -> Any:
    """d(a**n)/da = n a**(n-1); 0 for n = 0 (a**0 = 1 everywhere, 0**0 included)."""
    if _raw(n) == 0.0:
        return 0.0 * a
    return n * _pow(a, n - 1.0)


def _dpow_exponent(out: Any, a: Any, b: Any) -> Any:
    """d(a**b)/db = a**b ln a, and 0 where a = 0 and b >= 0 (as PyTorch)."""
    if _raw(a) == 0.0 and _raw(b) >= 0.0:
        return 0.0 * out
    return out * mathfn.log(a)


def _finite(x: float) -> bool:
    return x - x == 0.0  # False for inf and nan


# Rules see floats in an ordinary backward pass and Values under
# create_graph=True; mathfn picks the matching function. math.sin and
# math.cos raise ValueError at +-inf, where IEEE (and numpy) give nan.
def _sin(x: Any) -> Any:
    if type(x) is float:
        return math.sin(x) if _finite(x) else math.nan
    return mathfn.sin(x)


def _cos(x: Any) -> Any:
    if type(x) is float:
        return math.cos(x) if _finite(x) else math.nan
    return mathfn.cos(x)
