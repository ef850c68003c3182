"""`Value`: a scalar that remembers how it was computed.

Every operation below is a method, and right above it stands its local
derivative as a backward rule ``rule(g, out, *inputs)`` that returns one
gradient per input. ``g`` is d(loss)/d(out); the rule multiplies
it by d(out)/d(input): that product *is* the chain rule.

The rules are written so they work on plain floats (an ordinary backward
pass, fast) and on `Value` nodes (``backward(create_graph=True)``, which
records the gradient computation itself so it can be differentiated again).
Helpers such as `_exp` pick ``math.exp`` or ``Value.exp`` accordingly.

Domain policy: a mathematically undefined input (log of 0 or less, sqrt of a
negative, a negative base to a non-integer power, division by zero) raises
at once with the offending value in the message. Overflow gives ``inf`` as
IEEE arithmetic does; `autograd_mlp.check_finite` finds the first operation
that produced a non-finite number.
"""

from __future__ import annotations

import math
import numbers
from operator import attrgetter
from operator import mul as _mul
from typing import Any, Union

from . import graph
from .graph import Op

_grad_mode = graph._mode
_data = attrgetter("data")

__all__ = ["Value", "fused_neuron", "from_op"]

Number = Union[int, float]


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

    # No __dict__ and no reference back to itself: under 150 bytes a node with
    # its parents tuple and float, and a graph is freed by reference counting
    # alone. No label slot either: see `label` below.
    __slots__ = ("data", "grad", "_op", "_prev")

    requires_grad = True  # every Value takes part in differentiation

    def __init__(self, data: Number, label: str = "", _op: Op | None = None, _prev: tuple = ()) -> None:
        if type(data) is not float:
            data = _to_float(data)
        self.data = data
        self.grad: Any = 0.0
        self._op = _op
        self._prev = _LabelledParents(_prev, label) if label else _prev

    @property
    def label(self) -> str:
        """The name shown in pictures and in repr ('' for none)."""
        return getattr(self._prev, "label", "")

    @label.setter
    def label(self, text: str) -> None:
        # The label rides on the parents tuple: the few labelled nodes pay for
        # it, while a slot would add 8 bytes to every node of every graph.
        self._prev = _LabelledParents(self._prev, text) if text else tuple(self._prev)

    # ------------------------------------------------------------- basics

    def __repr__(self) -> str:
        name = f"{self.label}=" if self.label else ""
        op = f", op={self._op.name}" if self._op is not None else ""
        grad = self.grad
        grad_text = f"{grad:.6g}" if isinstance(grad, float) else repr(grad)
        return f"Value({name}{self.data:.6g}, grad={grad_text}{op})"

    def __float__(self) -> float:
        return self.data

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
        return _node(self.data + other.data, self._ADD, (self, other))

    # d(a-b)/da = 1, d(a-b)/db = -1
    _SUB = Op("-", lambda g, out, a, b: (g, -g))

    def __sub__(self, other: Number | Value) -> Value:
        other = other if type(other) is Value else _constant(other)
        return _node(self.data - other.data, self._SUB, (self, other))

    # d(a*b)/da = b, d(a*b)/db = a
    _MUL = Op("*", lambda g, out, a, b: (g * b, g * a))

    def __mul__(self, other: Number | Value) -> Value:
        other = other if type(other) is Value else _constant(other)
        return _node(self.data * other.data, self._MUL, (self, other))

    # d(a/b)/da = 1/b, d(a/b)/db = -a/b**2 = -out/b
    _DIV = Op("/", lambda g, out, a, b: (g / b, -g * out / b))

    def __truediv__(self, other: Number | Value) -> Value:
        other = other if type(other) is Value else _constant(other)
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by zero: {self!r} / {other!r}")
        return _node(self.data / other.data, self._DIV, (self, other))

    _NEG = Op("neg", lambda g, out, a: (-g,))

    def __neg__(self) -> Value:
        return _node(-self.data, self._NEG, (self,))

    def __radd__(self, other: Number) -> Value:
        return _constant(other) + self

    def __rsub__(self, other: Number) -> Value:
        return _constant(other) - self

    def __rmul__(self, other: Number) -> Value:
        return _constant(other) * self

    def __rtruediv__(self, other: Number) -> Value:
        return _constant(other) / self

    # d(a**b)/da = b a**(b-1), d(a**b)/db = a**b ln a
    _POW = Op("**", lambda g, out, a, b: (g * b * a ** (b - 1.0), g * out * _log(a)))
    # d(a**n)/da = n a**(n-1). The exponent sits in the graph as a leaf (for
    # pictures) and gets no gradient; _raw keeps it a number under create_graph,
    # so the second derivative is again a POW_CONST, never a log of the base.
    _POW_CONST = Op("**", lambda g, out, a, n: (g * _raw(n) * a ** (_raw(n) - 1.0), None))

    def __pow__(self, exponent: Number | Value) -> Value:
        """``a ** n`` for a number n, or ``a ** b`` for a Value b (d/db = a**b * ln a)."""
        if type(exponent) is Value:
            if self.data <= 0.0:
                raise ValueError(
                    f"{self!r} ** {exponent!r}: a Value exponent needs a positive base "
                    "(its derivative contains ln(base))"
                )
            return _node(self.data**exponent.data, self._POW, (self, exponent))
        n = _to_float(exponent)
        return _node(_power(self.data, n), self._POW_CONST, (self, Value(n)))

    def __rpow__(self, base: Number) -> Value:
        return _constant(base) ** self

    # ----------------------------------------------------------- functions

    # d(e**a)/da = e**a = out
    _EXP = Op("exp", lambda g, out, a: (g * out,))

    def exp(self) -> Value:
        """e**x; overflows to inf past x ~ 709.78 (as IEEE arithmetic does)."""
        return _node(_exp_float(self.data), self._EXP, (self,))

    # d(ln a)/da = 1/a
    _LOG = Op("log", lambda g, out, a: (g / a,))

    def log(self) -> Value:
        """Natural logarithm, defined for x > 0."""
        if self.data <= 0.0:  # NaN passes through as NaN, like inf (see check_finite)
            raise ValueError(f"log of {self.data!r} is undefined: log needs a positive value")
        return _node(math.log(self.data) if self.data == self.data else self.data, self._LOG, (self,))

    # d(sqrt a)/da = 1/(2 sqrt a) = 0.5/out
    _SQRT = Op("sqrt", lambda g, out, a: (g * 0.5 / out,))

    def sqrt(self) -> Value:
        """Square root, defined for x >= 0 (its derivative is infinite at 0)."""
        if self.data < 0.0:
            raise ValueError(f"sqrt of {self.data!r} is undefined: sqrt needs a value >= 0")
        return _node(math.sqrt(self.data) if self.data == self.data else self.data, self._SQRT, (self,))

    # d(tanh a)/da = 1 - tanh(a)**2
    _TANH = Op("tanh", lambda g, out, a: (g * (1.0 - out * out),))

    def tanh(self) -> Value:
        """Hyperbolic tangent; exactly +-1 for large |x|, never overflows."""
        return _node(math.tanh(self.data), self._TANH, (self,))

    # d(s(a))/da = s(a) (1 - s(a))
    _SIGMOID = Op("sigmoid", lambda g, out, a: (g * out * (1.0 - out),))

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x), computed without overflow for any x."""
        return _node(_sigmoid_float(self.data), self._SIGMOID, (self,))

    # 1 where a > 0, else 0 (0 at the kink, as in PyTorch)
    _RELU = Op("relu", lambda g, out, a: (g * (a > 0.0),))

    def relu(self) -> Value:
        """max(0, x); the derivative at exactly 0 is taken as 0 (as in PyTorch)."""
        return _node(self.data if self.data > 0.0 else 0.0, self._RELU, (self,))

    # 1 where a > 0, else the slope (a constant leaf, no gradient)
    _LEAKY_RELU = Op("leaky_relu", lambda g, out, a, slope: (g * (1.0 if a > 0.0 else _raw(slope)), None))

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, slope * x otherwise."""
        x = self.data
        return _node(x if x > 0.0 else slope * x, self._LEAKY_RELU, (self, Value(slope)))

    # d(log(1 + e**a))/da = sigmoid(a)
    _SOFTPLUS = Op("softplus", lambda g, out, a: (g * _sigmoid(a),))

    def softplus(self) -> Value:
        """log(1 + e**x), stable for large |x|; its derivative is sigmoid(x)."""
        return _node(_softplus_float(self.data), self._SOFTPLUS, (self,))

    # d(log sigmoid(a))/da = 1 - sigmoid(a) = sigmoid(-a)
    _LOG_SIGMOID = Op("log_sigmoid", lambda g, out, a: (g * _sigmoid(-a),))

    def log_sigmoid(self) -> Value:
        """log(sigmoid(x)) = -softplus(-x), finite where log(sigmoid(x)) would be log(0)."""
        return _node(-_softplus_float(-self.data), self._LOG_SIGMOID, (self,))

    # sign(a), 0 at the kink
    _ABS = Op("abs", lambda g, out, a: (g * ((a > 0.0) - (a < 0.0)),))

    def abs(self) -> Value:
        """|x|; the derivative at exactly 0 is taken as 0."""
        return _node(abs(self.data), self._ABS, (self,))

    __abs__ = abs

    _SIN = Op("sin", lambda g, out, a: (g * _cos(a),))

    def sin(self) -> Value:
        return _node(math.sin(self.data), self._SIN, (self,))

    _COS = Op("cos", lambda g, out, a: (-g * _sin(a),))

    def cos(self) -> Value:
        return _node(math.cos(self.data), self._COS, (self,))


def fused_neuron(
    weights: list[Value],
    inputs: list[Value | Number],
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
        op, act = _LINEAR_OPS[activation]
    except KeyError:
        raise ValueError(f"fused_neuron: unknown activation {activation!r}; use one of {sorted(map(str, _LINEAR_OPS))}") from None
    inputs = [x if type(x) is Value else _constant(x) for x in inputs]
    z = sum(map(_mul, map(_data, weights), map(_data, inputs)))
    if bias is None:
        return _node(act(z), op, (*weights, *inputs))
    return _node(act(z + bias.data), op, (*weights, *inputs, bias))


def from_op(data: Number, op: Op, inputs: list[Value]) -> Value:
    """The output of your own scalar operation: ``data`` from ``inputs``, differentiated by ``op``.

    ``op = Op(name, rule)`` with ``rule(g, out, *inputs)`` returning one
    gradient per input::

        CUBE = Op("cube", lambda g, out, x: (g * 3 * x * x,))
        y = from_op(x.data ** 3, CUBE, [x])
    """
    if not isinstance(op, Op):
        raise TypeError(f"from_op: op must be an autograd_mlp.Op, got {type(op).__name__}")
    inputs = tuple(inputs)
    for i, v in enumerate(inputs):
        if type(v) is not Value:
            raise TypeError(f"from_op: input {i} is a {type(v).__name__}, not a Value")
    return _node(_to_float(data), op, inputs)


def _linear_grads(gz: Any, args: tuple) -> list[Any]:
    """Gradients of z = w.x (+ b) given gz = d(loss)/dz; args = w1..wn, x1..xn[, b]."""
    n = len(args) // 2
    grads = [gz * x for x in args[n : 2 * n]]
    grads += [gz * w for w in args[:n]]
    if len(args) > 2 * n:
        grads.append(gz)
    return grads


# activation -> (op, forward on floats); each rule turns g = dL/d(out) into
# dL/dz with act'(z) written in terms of out, as for the standalone ops.
_LINEAR_OPS = {
    None: (Op("linear", lambda g, out, *args: _linear_grads(g, args)), lambda z: z),
    "relu": (
        Op("linear+relu", lambda g, out, *args: _linear_grads(g * (out > 0.0), args)),
        lambda z: z if z > 0.0 else 0.0,
    ),
    "tanh": (Op("linear+tanh", lambda g, out, *args: _linear_grads(g * (1.0 - out * out), args)), math.tanh),
    "sigmoid": (
        Op("linear+sigmoid", lambda g, out, *args: _linear_grads(g * out * (1.0 - out), args)),
        lambda z: _sigmoid_float(z),
    ),
}


# ------------------------------------------------------------------ helpers


class _LabelledParents(tuple):
    """A labelled node's parents: a plain tuple to the graph walk, plus ``.label``."""

    def __new__(cls, parents: tuple, label: str) -> _LabelledParents:
        self = super().__new__(cls, parents)
        self.label = str(label)
        return self



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
        return Value(x)
    raise TypeError(f"cannot combine a Value with {type(x).__name__} {x!r}: use a number or a Value")


def _raw(x: Any) -> Any:
    return x.data if type(x) is Value else x


def _node(data: float, op: Op, prev: tuple) -> Value:
    """An interior node, or a fresh leaf when no graph is being recorded."""
    if _grad_mode.enabled:
        return Value(data, "", op, prev)
    return Value(data)


def _power(base: float, n: float) -> float:
    if base < 0.0 and not n.is_integer():
        raise ValueError(f"{base!r} ** {n!r} is not a real number (negative base, non-integer exponent)")
    if base == 0.0 and n < 0.0:
        raise ZeroDivisionError(f"0.0 ** {n!r}: zero to a negative power")
    try:
        return base**n
    except OverflowError:
        return math.copysign(math.inf, base) if n % 2 == 1 else math.inf


def _exp_float(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _sigmoid_float(x: float) -> float:
    # Two branches so that exp() only ever sees a non-positive argument.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _softplus_float(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


# Rules see floats in an ordinary backward pass and Values under
# create_graph=True; these pick the matching function.
def _log(x: Any) -> Any:
    return x.log() if type(x) is Value else math.log(x)


def _sigmoid(x: Any) -> Any:
    return x.sigmoid() if type(x) is Value else _sigmoid_float(x)


def _sin(x: Any) -> Any:
    return x.sin() if type(x) is Value else math.sin(x)


def _cos(x: Any) -> Any:
    return x.cos() if type(x) is Value else math.cos(x)
