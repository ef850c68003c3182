"""`Tensor`: a numpy array that remembers how it was computed.

The same node protocol as the scalar `Value` (``data``, ``grad``, ``_op``,
``_prev``, ``requires_grad``), walked by the same core in graph.py. Every
operation builds its output and, right below it, states its backward rule
``rule(g, out, *inputs)``: ``g`` is d(loss)/d(out) and the rule returns
d(loss)/d(input) for each input.

Rules are polymorphic. An ordinary backward pass calls them with raw numpy
arrays (fast); ``backward(create_graph=True)`` calls them with the Tensor nodes
themselves, so the very same arithmetic records the gradient computation as a
new graph and second derivatives need no extra code. Rules therefore use only
what both ndarray and Tensor support (``+ - * / **``, ``@``, ``.sum``,
``.reshape``, comparisons) plus small helpers below that dispatch on type.
Masks and other constants are computed on raw data (``_data``): no gradient
flows through a comparison.

Conventions:

* dtype: Python data becomes float32 (as in PyTorch); arrays keep their
  dtype. Python and numpy *scalars* combined with a float tensor take the
  tensor's dtype, so ``x * 0.5`` and ``x / np.float64(n)`` stay float32;
  array/tensor operands follow numpy's promotion. A leaf's gradient always
  has the leaf's shape and dtype.
* Broadcasting follows numpy; `unbroadcast` sums a gradient back to each
  input's shape.
* Domain policy (unlike `Value`, which raises at once): as in numpy and
  PyTorch, log of a negative number is nan, log(0) is -inf, 1/0 is inf, and
  no warning is printed: ``np.errstate`` is on inside the domain-sensitive
  ops (log, sqrt, /, ** with a non-integer or negative exponent, exp) and
  around every backward pass. Plain ``+ - * @`` that themselves turn
  infinities into nan (inf - inf, 0 * inf) or overflow still warn as numpy
  does: an errstate costs ~1.5 us, as much again as the op's own overhead.
  `autograd_mlp.check_finite` names the operation that made the first
  non-finite number.
* Comparisons (``==``, ``<``, ...) are elementwise and give a bool Tensor
  with no history. Hashing is by identity (the core keys dicts by node), so
  use ``is``, not ``==`` or ``in``, to find a tensor in a list.
* Nothing is ever changed in place: not inputs, not gradients.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterator, Sequence, Union

import numpy as np
from numpy.exceptions import AxisError

from . import graph
from .graph import Op
from .value import Value

__all__ = [
    "Tensor",
    "from_op",
    "tensor",
    "zeros",
    "ones",
    "randn",
    "unbroadcast",
    "matmul",
    "linear",
    "concatenate",
    "stack",
    "where",
    "maximum",
    "minimum",
]

_mode = graph._mode  # read directly on the hot path: one attribute lookup per op
_ndarray = np.ndarray
_new = object.__new__
_FLOAT32 = np.dtype(np.float32)
_ALLOWED_KINDS = "biuf"  # bool, signed, unsigned, float: what a Tensor may hold
_BOTH = (True, True)  # `needs_input_grad` for callers that pass none: every input wants its gradient

Shape = tuple[int, ...]
Axis = Union[None, int, Sequence[int]]
ArrayLike = Union["Tensor", np.ndarray, float, int, Sequence[Any]]


def _quiet() -> np.errstate:
    """Silence numpy's floating-point warnings: inf and nan are values here (see check_finite)."""
    return np.errstate(all="ignore")


class Tensor:
    """An n-dimensional array node of the computation graph.

    >>> w = Tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = (w * w).sum()
    >>> y.backward()
    >>> w.grad
    array([[2., 4.]], dtype=float32)

    ``data`` is the numpy array (an ndarray passed in is used as is, not
    copied, when no dtype conversion is needed: like ``torch.as_tensor``).
    ``grad`` is None until a backward pass reaches the tensor; then an array
    of the same shape and dtype (a Tensor under ``create_graph=True``).
    Results of operations record their inputs only while grad mode is on and
    some input requires grad; otherwise they are plain leaves.
    """

    # No __dict__: small nodes, and no attribute typos silently accepted.
    __slots__ = ("data", "_grad", "label", "_op", "_prev", "_requires_grad", "_scope", "__weakref__")

    # numpy must not treat a Tensor as an array-like inside its own operators:
    # `ndarray * Tensor` then returns NotImplemented and Tensor.__rmul__ runs.
    __array_ufunc__ = None
    # Nodes are dict keys in the core; `==` is elementwise (see module docstring).
    __hash__ = object.__hash__

    def __init__(
        self,
        data: ArrayLike,
        requires_grad: bool = False,
        dtype: Any = None,
        label: str = "",
    ) -> None:
        self.data = _to_array(data, dtype)
        self._grad: Any = None
        self.label = label
        self._op: Op | None = None
        self._prev: tuple[Tensor, ...] = ()
        self._requires_grad = False
        self._scope = _mode.scope
        if requires_grad:
            self.requires_grad = True  # validates the dtype

    # ------------------------------------------------------------- basics

    @property
    def grad(self) -> Any:
        """d(root)/d(self) after ``backward`` (None before; zero_grad() resets it)."""
        g = self._grad
        if type(g) is _ndarray or g is None:
            return g
        if isinstance(g, np.generic):  # ops on 0-d arrays give numpy scalars: hand out an array
            g = self._grad = np.asarray(g)
        return g

    @grad.setter
    def grad(self, value: Any) -> None:
        self._grad = value

    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this tensor (settable on leaves, float dtypes only)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        flag = bool(flag)
        if self._op is not None and flag != self._requires_grad:
            raise RuntimeError(
                "requires_grad can only be changed on leaf tensors; "
                "use .detach() to get a leaf with the same data"
            )
        if flag and self.data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad=True needs a floating-point tensor, got dtype {self.data.dtype} "
                "(integers and bools have no gradient)"
            )
        self._requires_grad = flag

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Set ``requires_grad`` and return self (for chaining)."""
        self.requires_grad = flag
        return self

    @property
    def shape(self) -> Shape:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def op(self) -> str:
        """Name of the operation that made this tensor ('' for a leaf)."""
        return self._op.name if self._op is not None else ""

    @property
    def parents(self) -> tuple[Tensor, ...]:
        """The input nodes of the operation that made this tensor."""
        return self._prev

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]

    def item(self) -> float | int | bool:
        """The single element as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with exactly one element, got shape {self.data.shape}")
        return self.data.item()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        return bool(self.data)  # numpy's "truth value is ambiguous" error for several elements

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def tolist(self) -> Any:
        return self.data.tolist()

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, with no history and no gradient."""
        out = _leaf(self.data)
        out.label = self.label
        return out

    def zero_grad(self) -> None:
        """Forget the gradient (set it to None, as PyTorch's ``set_to_none``)."""
        self._grad = None

    def __repr__(self) -> str:
        data = self.data
        parts = [np.array2string(data, separator=", ", prefix="Tensor(")]
        if data.size > np.get_printoptions()["threshold"]:
            parts.append(f"shape={data.shape}")
        if data.dtype != _FLOAT32:
            parts.append(f"dtype={data.dtype}")
        if self._op is not None:
            parts.append(f"op={self._op.name!r}")
        elif self._requires_grad:
            parts.append("requires_grad=True")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Tensor({', '.join(parts)})"

    def __setitem__(self, index: Any, value: Any) -> None:
        raise TypeError(
            "Tensor does not support item assignment: the graph records no in-place changes. "
            "Build a new tensor (where, concatenate), or change .data under no_grad()."
        )

    # ---------------------------------------------------------- backward

    def backward(self, gradient: ArrayLike | None = None, *, create_graph: bool = False) -> None:
        """Fill ``.grad`` of every tensor this one depends on with d(self)/d(tensor).

        ``gradient`` is d(loss)/d(self): required (same shape) unless this
        tensor holds a single element. Leaves accumulate across calls (call
        ``zero_grad`` between steps); intermediate tensors hold the latest
        pass. With ``create_graph=True`` the gradients are Tensors that can be
        differentiated again.
        """
        data = self.data
        if gradient is None:
            if data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs: this tensor has shape "
                    f"{data.shape}; call .sum() first or pass backward(gradient=...) of that shape"
                )
            seed: Any = np.ones(data.shape, data.dtype)
        elif isinstance(gradient, Tensor) and create_graph:
            seed = gradient
        else:
            seed = np.array(_raw(gradient), dtype=data.dtype)  # a copy: the root's grad must be ours
        if seed.shape != data.shape:
            raise ValueError(f"backward: gradient has shape {seed.shape} but the tensor has shape {data.shape}")
        if not self._requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no history (it was made from "
                "tensors with requires_grad=False, or inside no_grad())"
            )
        if create_graph and not isinstance(seed, Tensor):
            seed = _leaf(seed)
        with _quiet():  # 0 * inf and friends in rules: values, not warnings
            graph.backward(self, seed, create_graph=create_graph)

    # ------------------------------------------------------- comparisons
    # Elementwise, bool results with no history: no gradient flows through them.

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(np.equal, "==", self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(np.not_equal, "!=", self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _compare(np.less, "<", self, other)

    def __le__(self, other: Any) -> Tensor:
        return _compare(np.less_equal, "<=", self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _compare(np.greater, ">", self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _compare(np.greater_equal, ">=", self, other)

    def __and__(self, other: Any) -> Tensor:
        return _compare(np.logical_and, "&", self, other)

    def __or__(self, other: Any) -> Tensor:
        return _compare(np.logical_or, "|", self, other)

    def __invert__(self) -> Tensor:
        return _leaf(np.asarray(~self.data))

    def argmax(self, axis: int | None = None) -> Tensor:
        """Index of the largest element (no gradient: an integer tensor)."""
        return _leaf(np.asarray(self.data.argmax(axis=axis)))

    def argmin(self, axis: int | None = None) -> Tensor:
        """Index of the smallest element (no gradient: an integer tensor)."""
        return _leaf(np.asarray(self.data.argmin(axis=axis)))

    # --------------------------------------------------------- arithmetic
    # Each gradient is reduced to its input's shape by `unbroadcast` (via
    # _reduce_to) and skipped when the core says the input needs none.

    def __add__(self, other: ArrayLike) -> Tensor:
        return _binary(np.add, "add", self._ADD, self, _operand(other, self))

    def __radd__(self, other: ArrayLike) -> Tensor:
        return _binary(np.add, "add", self._ADD, _operand(other, self), self)

    _ADD = Op(
        "+",
        lambda g, out, a, b, needs_input_grad=_BOTH: (
            _reduce_to(g, a) if needs_input_grad[0] else None,
            _reduce_to(g, b) if needs_input_grad[1] else None,
        ),
        skip_unneeded=True,
    )

    def __sub__(self, other: ArrayLike) -> Tensor:
        return _binary(np.subtract, "subtract", self._SUB, self, _operand(other, self))

    def __rsub__(self, other: ArrayLike) -> Tensor:
        return _binary(np.subtract, "subtract", self._SUB, _operand(other, self), self)

    _SUB = Op(
        "-",
        lambda g, out, a, b, needs_input_grad=_BOTH: (
            _reduce_to(g, a) if needs_input_grad[0] else None,
            _reduce_to(-g, b) if needs_input_grad[1] else None,
        ),
        skip_unneeded=True,
    )

    def __mul__(self, other: ArrayLike) -> Tensor:
        return _binary(np.multiply, "multiply", self._MUL, self, _operand(other, self))

    def __rmul__(self, other: ArrayLike) -> Tensor:
        return _binary(np.multiply, "multiply", self._MUL, _operand(other, self), self)

    _MUL = Op(
        "*",
        lambda g, out, a, b, needs_input_grad=_BOTH: (
            _reduce_to(g * b, a) if needs_input_grad[0] else None,
            _reduce_to(g * a, b) if needs_input_grad[1] else None,
        ),
        skip_unneeded=True,
    )

    def __truediv__(self, other: ArrayLike) -> Tensor:
        other = _operand(other, self)
        if other.data.ndim == 0 and other.data != 0:  # x / n: no warning possible, skip errstate
            return _binary(np.true_divide, "divide", self._DIV, self, other)
        with _quiet():
            return _binary(np.true_divide, "divide", self._DIV, self, other)

    def __rtruediv__(self, other: ArrayLike) -> Tensor:
        with _quiet():
            return _binary(np.true_divide, "divide", self._DIV, _operand(other, self), self)

    # d(a/b)/db = -a/b**2 = -out/b
    _DIV = Op(
        "/",
        lambda g, out, a, b, needs_input_grad=_BOTH: (
            _reduce_to(g / b, a) if needs_input_grad[0] else None,
            _reduce_to(-g * out / b, b) if needs_input_grad[1] else None,
        ),
        skip_unneeded=True,
    )

    def __neg__(self) -> Tensor:
        return _node(-self.data, self._NEG, (self,))

    _NEG = Op("neg", lambda g, out, a: (-g,))

    def __pos__(self) -> Tensor:
        return self

    def __pow__(self, exponent: ArrayLike) -> Tensor:
        """``a ** n`` for a number n (d/da = n a**(n-1)), or ``a ** b`` for a tensor b (d/db = a**b ln a)."""
        if isinstance(exponent, (int, float, np.generic)) or (
            type(exponent) is _ndarray and exponent.ndim == 0
        ):
            if isinstance(exponent, (np.generic, np.ndarray)):  # np.float64 is also a float: test this first
                _check_dtype(exponent.dtype)
                exponent = exponent.item()  # a Python number: float32 stays float32 (NEP 50)
            if exponent >= 0 and float(exponent).is_integer():  # x**2: no domain trouble, skip errstate
                data = self.data**exponent
            else:
                with _quiet():
                    data = self.data**exponent
            constant = _leaf(np.asarray(exponent, dtype=data.dtype))
            return _node(data, self._POW_CONST, (self, constant))
        return _power(self, _operand(exponent, self))

    def __rpow__(self, base: ArrayLike) -> Tensor:
        return _power(_operand(base, self), self)

    @staticmethod
    def _pow_const_rule(g: Any, out: Any, a: Any, n: Any) -> tuple:
        # The exponent sits in the graph as a constant leaf and gets no gradient;
        # _data keeps it raw under create_graph, so the second derivative is
        # again a power with a constant exponent, never a log of the base.
        n = _data(n)
        if n == 0:  # x**0 is constant: 0 * 0**-1 would be nan at x = 0
            return (g * 0.0, None)
        return (g * (n * a ** (n - 1)), None)

    _POW_CONST = Op("**", _pow_const_rule.__func__)

    # ------------------------------------------------------------- matmul

    def __matmul__(self, other: ArrayLike) -> Tensor:
        return matmul(self, _operand(other, self))

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return matmul(_operand(other, self), self)

    # ---------------------------------------------------------- functions

    def exp(self) -> Tensor:
        """e**x; overflows to inf (no warning) past ~88.7 in float32, ~709.8 in float64."""
        with _quiet():
            data = np.exp(self.data)
        return _node(data, self._EXP, (self,))

    _EXP = Op("exp", lambda g, out, a: (g * out,))

    def log(self) -> Tensor:
        """Natural logarithm: nan for x < 0 and -inf at 0, without a warning (unlike Value, which raises)."""
        with _quiet():
            data = np.log(self.data)
        return _node(data, self._LOG, (self,))

    _LOG = Op("log", lambda g, out, a: (g / a,))

    def sqrt(self) -> Tensor:
        """Square root: nan for x < 0 (no warning); the derivative 1/(2 sqrt x) is inf at 0."""
        with _quiet():
            data = np.sqrt(self.data)
        return _node(data, self._SQRT, (self,))

    _SQRT = Op("sqrt", lambda g, out, a: (g * 0.5 / out,))

    def abs(self) -> Tensor:
        """|x|; the derivative at exactly 0 is taken as 0 (sign(0) = 0, as in PyTorch)."""
        return _node(np.abs(self.data), self._ABS, (self,))

    __abs__ = abs
    _ABS = Op("abs", lambda g, out, a: (g * _sign(a),))

    def tanh(self) -> Tensor:
        """Hyperbolic tangent; d/dx = 1 - tanh(x)**2, written with the output."""
        return _node(np.tanh(self.data), self._TANH, (self,))

    _TANH = Op("tanh", lambda g, out, a: (g * (1.0 - out * out),))

    def sigmoid(self) -> Tensor:
        """1 / (1 + e**-x), with no overflow for any x; d/dx = s (1 - s)."""
        return _node(_sigmoid_array(self.data), self._SIGMOID, (self,))

    _SIGMOID = Op("sigmoid", lambda g, out, a: (g * out * (1.0 - out),))

    def softplus(self) -> Tensor:
        """log(1 + e**x), stable for large |x|; its derivative is sigmoid(x)."""
        x = self.data
        return _node(np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))), self._SOFTPLUS, (self,))

    _SOFTPLUS = Op("softplus", lambda g, out, a: (g * _sigmoid(a),))

    def log_sigmoid(self) -> Tensor:
        """log(sigmoid(x)) = -softplus(-x), finite where the naive form is log(0); d/dx = sigmoid(-x)."""
        x = self.data
        return _node(np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))), self._LOG_SIGMOID, (self,))

    _LOG_SIGMOID = Op("log_sigmoid", lambda g, out, a: (g * _sigmoid(-a),))

    def relu(self) -> Tensor:
        """max(0, x); the gradient at exactly 0 is 0 (the mask is x > 0, not maximum's tie rule)."""
        # np.maximum for the value (nan stays nan, so check_finite sees it);
        # the gradient uses the mask, which decides what happens at 0.
        return _node(np.maximum(self.data, 0), self._RELU, (self,))

    _RELU = Op("relu", lambda g, out, a: (g * (_data(a) > 0),))

    def leaky_relu(self, slope: float = 0.01) -> Tensor:
        """x for x > 0, slope * x otherwise (gradient: 1 or slope; slope at exactly 0)."""
        x = self.data
        data = np.where(x > 0, x, x * slope)
        return _node(data, _op_with("leaky_relu", Tensor._leaky_relu_rule, slope=slope), (self,))

    @staticmethod
    def _leaky_relu_rule(g: Any, out: Any, a: Any, *, slope: float) -> tuple:
        return (_where(_data(a) > 0, g, g * slope),)

    def clip(self, lo: float | None = None, hi: float | None = None) -> Tensor:
        """Limit values to [lo, hi] (None: unbounded).

        Gradient 1 where lo <= x <= hi (the boundaries included, as in
        PyTorch's clamp), 0 where the value was moved to a bound.
        """
        if lo is None and hi is None:
            raise ValueError("clip: give lo, hi or both")
        return _node(np.clip(self.data, lo, hi), self._CLIP, (self,))

    # Where the output equals the input the value was not moved: lo <= x <= hi.
    _CLIP = Op("clip", lambda g, out, a: (g * (_data(a) == _data(out)),))

    def softmax(self, axis: int = -1) -> Tensor:
        """e**x / sum(e**x) along ``axis``, computed on x - max(x) so no exponent overflows."""
        x = self.data
        _check_axis("softmax", axis, x)
        e = x - x.max(axis=axis, keepdims=True, initial=-np.inf)  # initial: empty axes allowed
        np.exp(e, out=e)  # in place on our own temporary
        e /= e.sum(axis=axis, keepdims=True)
        return _node(e, _op_with("softmax", Tensor._softmax_rule, axis=axis), (self,))

    @staticmethod
    def _softmax_rule(g: Any, out: Any, a: Any, *, axis: int) -> tuple:
        """ds_i/dx_j = s_i (delta_ij - s_j), so dx = s * (g - sum(g * s))."""
        return (out * (g - (g * out).sum(axis=axis, keepdims=True)),)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """x - log(sum(e**x)) along ``axis``, stable for any finite logits (log-sum-exp on x - max)."""
        x = self.data
        _check_axis("log_softmax", axis, x)
        shifted = x - x.max(axis=axis, keepdims=True, initial=-np.inf)
        lse = np.log(np.exp(shifted).sum(axis=axis, keepdims=True))  # the sum is >= 1: log is safe
        shifted -= lse
        return _node(shifted, _op_with("log_softmax", Tensor._log_softmax_rule, axis=axis), (self,))

    @staticmethod
    def _log_softmax_rule(g: Any, out: Any, a: Any, *, axis: int) -> tuple:
        """d(x_i - lse)/dx_j = delta_ij - softmax_j, so dx = g - softmax * sum(g)."""
        return (g - _exp(out) * g.sum(axis=axis, keepdims=True),)

    def astype(self, dtype: Any) -> Tensor:
        """A copy converted to ``dtype``; differentiable between float dtypes, a plain leaf otherwise."""
        dtype = _check_dtype(np.dtype(dtype))
        data = self.data.astype(dtype)
        if dtype.kind != "f":
            return _leaf(data)
        return _node(data, self._ASTYPE, (self,))

    _ASTYPE = Op("astype", lambda g, out, a: (g.astype(a.dtype),))

    # ---------------------------------------------------------- reductions

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (None: all; int, negative int or tuple); the gradient copies g back over it."""
        axis = _axis_arg(axis)
        try:
            data = self.data.sum(axis=axis, keepdims=keepdims)
        except (ValueError, TypeError) as exc:
            raise _axis_error("sum", axis, self.data, exc) from None
        return _node(data, _op_with("sum", Tensor._sum_rule, axis=axis, keepdims=keepdims), (self,))

    @staticmethod
    def _sum_rule(g: Any, out: Any, a: Any, *, axis: Any, keepdims: bool) -> tuple:
        return (_expand(g, a.shape, axis, keepdims),)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis``; nan (no warning) over an empty axis. Gradient g / count, copied back."""
        axis = _axis_arg(axis)
        try:
            total = self.data.sum(axis=axis, keepdims=keepdims)
        except (ValueError, TypeError) as exc:
            raise _axis_error("mean", axis, self.data, exc) from None
        count = _count(self.data.shape, axis)
        if count:
            data = total / count
        else:
            with _quiet():
                data = total / count
        return _node(data, _op_with("mean", Tensor._mean_rule, axis=axis, keepdims=keepdims), (self,))

    @staticmethod
    def _mean_rule(g: Any, out: Any, a: Any, *, axis: Any, keepdims: bool) -> tuple:
        return (_expand(g / _count(a.shape, axis), a.shape, axis, keepdims),)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Largest element over ``axis``. Tied maxima share the gradient equally (like torch.amax)."""
        return self._extreme("max", axis, keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Smallest element over ``axis``. Tied minima share the gradient equally (like torch.amin)."""
        return self._extreme("min", axis, keepdims)

    def _extreme(self, name: str, axis: Axis, keepdims: bool) -> Tensor:
        axis = _axis_arg(axis)
        try:
            data = getattr(self.data, name)(axis=axis, keepdims=keepdims)
        except (ValueError, TypeError) as exc:
            if self.data.size == 0 and not isinstance(exc, AxisError):
                raise ValueError(
                    f"{name}: the tensor of shape {self.data.shape} has no elements along axis {axis} "
                    "(a max/min of nothing is undefined)"
                ) from None
            raise _axis_error(name, axis, self.data, exc) from None
        return _node(data, _op_with(name, Tensor._extreme_rule, axis=axis, keepdims=keepdims), (self,))

    @staticmethod
    def _extreme_rule(g: Any, out: Any, a: Any, *, axis: Any, keepdims: bool) -> tuple:
        """g goes to the elements equal to the max (or min), split equally between ties."""
        x, best = _data(a), _data(out)
        if not keepdims:
            best = best.reshape(_kept_shape(x.shape, axis))
        hit = (x == best).astype(x.dtype)  # float mask: a bool/int count would upcast float32 to float64
        share = hit / hit.sum(axis=axis, keepdims=True)
        return (_expand(g, x.shape, axis, keepdims) * share,)

    # ---------------------------------------------------------------- shape

    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (a tuple or separate ints; one entry may be -1)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            data = self.data.reshape(shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {self.data.shape} "
                f"({self.data.size} elements) into {shape}"
            ) from None
        return _node(data, self._RESHAPE, (self,))

    _RESHAPE = Op("reshape", lambda g, out, a: (g.reshape(a.shape),))

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge axes start_dim..end_dim into one (PyTorch's semantics: flatten() is 1-D, flatten(1) keeps the batch axis)."""
        shape = self.data.shape
        if not shape:
            return self.reshape(1)  # as torch: a 0-d tensor flattens to shape (1,)
        ndim = len(shape)
        try:
            start, end = range(ndim)[start_dim], range(ndim)[end_dim]
        except IndexError:
            raise IndexError(f"flatten: dims ({start_dim}, {end_dim}) out of range for a tensor of shape {shape}") from None
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {shape}")
        merged = int(np.prod(shape[start : end + 1]))
        return self.reshape(shape[:start] + (merged,) + shape[end + 1 :])

    def squeeze(self, axis: Axis = None) -> Tensor:
        """Drop size-1 axes (all of them, or those in ``axis``)."""
        shape = self.data.shape
        if axis is None:
            return self.reshape(tuple([n for n in shape if n != 1]))
        axes = _axis_arg(axis) if isinstance(axis, (tuple, list)) else (axis,)
        if any(not -len(shape) <= a < len(shape) for a in axes):
            raise AxisError(f"squeeze: axis {axis} is out of range for a tensor of shape {shape}")
        axes = _axes(axes, len(shape))
        if any(shape[a] != 1 for a in axes):
            raise ValueError(f"squeeze: axis {axis} of a tensor of shape {shape} does not have size 1")
        return self.reshape(tuple([n for i, n in enumerate(shape) if i not in axes]))

    def unsqueeze(self, axis: int) -> Tensor:
        """Insert a size-1 axis at position ``axis`` (negative counts from the new end)."""
        ndim = self.data.ndim + 1
        if not -ndim <= axis < ndim:
            raise AxisError(f"unsqueeze: axis {axis} is out of range for a tensor of shape {self.data.shape}")
        axis %= ndim
        shape = self.data.shape
        return self.reshape(shape[:axis] + (1,) + shape[axis:])

    def transpose(self, *axes: Any) -> Tensor:
        """Permute the axes, numpy style: no argument reverses them; else a full permutation.

        (Not PyTorch's two-axis swap: use `swapaxes` for that.)
        """
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        ndim = self.data.ndim
        if not axes:
            perm = tuple(range(ndim - 1, -1, -1))
        else:
            perm = tuple([a % ndim if -ndim <= a < ndim else a for a in axes]) if ndim else axes
            if sorted(perm) != list(range(ndim)):
                raise ValueError(f"transpose: axes {axes} are not a permutation of the axes of a tensor of shape {self.data.shape}")
        return _node(self.data.transpose(perm), _op_with("transpose", Tensor._transpose_rule, perm=perm), (self,))

    @staticmethod
    def _transpose_rule(g: Any, out: Any, a: Any, *, perm: tuple) -> tuple:
        inverse = [0] * len(perm)
        for i, p in enumerate(perm):
            inverse[p] = i
        return (g.transpose(tuple(inverse)),)

    # (x @ W.T is recognised by matmul through this Op: see `linear`.)

    @property
    def T(self) -> Tensor:
        """All axes reversed (numpy's .T; for a matrix, the transpose)."""
        return self.transpose()

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        """Exchange two axes (PyTorch's ``transpose(dim0, dim1)``)."""
        ndim = self.data.ndim
        try:
            a, b = range(ndim)[axis1], range(ndim)[axis2]
        except IndexError:
            raise AxisError(f"swapaxes: axes ({axis1}, {axis2}) out of range for a tensor of shape {self.data.shape}") from None
        perm = list(range(ndim))
        perm[a], perm[b] = b, a
        return self.transpose(perm)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        """Repeat along size-1 / new leading axes to ``shape``; the gradient sums them back (`unbroadcast`)."""
        shape = tuple(shape)
        try:
            data = np.broadcast_to(self.data, shape)
        except ValueError:
            raise ValueError(f"broadcast_to: cannot broadcast a tensor of shape {self.data.shape} to {shape}") from None
        return _node(data, self._BROADCAST_TO, (self,))

    _BROADCAST_TO = Op("broadcast_to", lambda g, out, a: (unbroadcast(g, a.shape),))

    # ------------------------------------------------------------ indexing

    def __getitem__(self, index: Any) -> Tensor:
        """numpy indexing: ints, slices, None, Ellipsis, bool masks, integer arrays/lists.

        The gradient scatters g back into zeros; with integer arrays it uses
        np.add.at, so an element picked twice gets both contributions.
        """
        index = _clean_index(index)
        try:
            data = self.data[index]
        except IndexError as exc:
            raise IndexError(f"index {_show_index(index)} is invalid for a tensor of shape {self.data.shape}: {exc}") from None
        if type(data) is not _ndarray:
            data = np.asarray(data)  # an element comes back as a numpy scalar
        accumulate = _has_integer_array(index)
        return _node(data, Op("getitem", lambda g, out, a: (_scatter(g, a.shape, index, accumulate),)), (self,))

    def _scatter_into(self, shape: Shape, index: Any, accumulate: bool) -> Tensor:
        """zeros(shape) with self added at ``index``: getitem's gradient as a Tensor op (create_graph)."""
        return _node(_scatter(self.data, shape, index, accumulate), Op("scatter", lambda g, out, a: (g[index],)), (self,))


# ------------------------------------------------------- rules with parameters


def _op_with(name: str, rule: Callable[..., Any], skip_unneeded: bool = False, **params: Any) -> Op:
    """The Op for a rule that needs constants (an axis, a slope): made once per distinct value, then reused."""
    key = (rule, *params.items())
    op = _ops_with_params.get(key)
    if op is None:
        op = _ops_with_params[key] = Op(name, functools.partial(rule, **params), skip_unneeded)
    return op


_ops_with_params: dict[tuple, Op] = {}
_MATRIX_T = _op_with("transpose", Tensor._transpose_rule, perm=(1, 0))  # what W.T of a matrix records


# ------------------------------------------------------------- free functions


def matmul(a: ArrayLike, b: ArrayLike) -> Tensor:
    """a @ b with numpy's rules: 1-D operands are vectors, leading axes are broadcast batch axes.

    ``x @ W.T`` for a matrix W is recorded as one `linear` node on W itself
    (the ``.T`` node is left out of the graph): the same numbers and
    gradients, but W's gradient is made in W's own layout instead of as a
    transposed view the core would have to copy.
    """
    a, b = _as_tensor(a), _as_tensor(b)
    if b._op is _MATRIX_T and a.data.ndim and a.data.shape[-1] == b.data.shape[0]:
        return linear(a, b._prev[0])
    try:
        data = a.data @ b.data
    except ValueError:
        raise _matmul_error(a.data.shape, b.data.shape) from None
    if type(data) is not _ndarray:
        data = np.asarray(data)
    return _node(data, _MATMUL, (a, b))


def _matmul_rule(g: Any, out: Any, a: Any, b: Any, needs_input_grad: tuple = _BOTH) -> tuple:
    """For C = A @ B: dA = G @ B^T, dB = A^T @ G, with vectors lifted to matrices and batch axes summed back."""
    if a.ndim == 2 and b.ndim == 2:  # the common case: one product per gradient, no reshapes
        return (
            _reduce_to(g @ b.T, a) if needs_input_grad[0] else None,
            _reduce_to(a.T @ g, b) if needs_input_grad[1] else None,
        )
    if a.ndim == 1 and b.ndim == 1:  # dot product: out is a scalar
        return (_reduce_to(g * b, a) if needs_input_grad[0] else None, _reduce_to(g * a, b) if needs_input_grad[1] else None)
    # numpy treats a vector a as a (1, k) matrix and a vector b as (k, 1), then drops that axis from out.
    A = a.reshape((1,) + a.shape) if a.ndim == 1 else a
    B = b.reshape(b.shape + (1,)) if b.ndim == 1 else b
    G = g
    if a.ndim == 1:
        G = G.reshape(G.shape[:-1] + (1, G.shape[-1]))
    if b.ndim == 1:
        G = G.reshape(G.shape + (1,))
    ga = _shaped(_reduce_to(G @ B.swapaxes(-1, -2), A), a.shape) if needs_input_grad[0] else None
    gb = _shaped(_reduce_to(A.swapaxes(-1, -2) @ G, B), b.shape) if needs_input_grad[1] else None
    return (ga, gb)


def _shaped(g: Any, shape: Shape) -> Any:
    """g.reshape(shape) only when the shape differs: a reshape is a view, which the core copies for a leaf."""
    return g if g.shape == shape else g.reshape(shape)


_MATMUL = Op("@", _matmul_rule, skip_unneeded=True)


def linear(x: ArrayLike, weight: ArrayLike, bias: ArrayLike | None = None) -> Tensor:
    """``x @ weight.T + bias`` as ONE node, with PyTorch's layout: weight is (out, in).

    The same numbers and gradients as writing it with ``@``, ``.T`` and ``+``,
    but one node instead of three, and the weight's gradient ``g.T @ x`` comes
    out in the weight's own layout (the three-node form makes it as a
    transposed view, and the core must copy a view before a leaf keeps it).
    ``x`` may be (in,) or (..., in); ``bias`` (out,) or None.
    """
    x, weight = _as_tensor(x), _as_tensor(weight)
    if weight.data.ndim != 2 or x.data.ndim == 0 or x.data.shape[-1] != weight.data.shape[1]:
        raise ValueError(
            f"linear: input of shape {x.data.shape} does not fit a weight of shape {weight.data.shape} "
            "(the weight is (out, in), with in = the input's last axis)"
        )
    data = x.data @ weight.data.T
    if bias is None:
        return _node(data, _LINEAR, (x, weight))
    bias = _as_tensor(bias)
    try:
        if bias.data.dtype == data.dtype and bias.data.ndim == 1:
            data += bias.data  # in place on our own product: one array fewer per layer
        else:
            data = data + bias.data
    except ValueError:
        raise ValueError(f"linear: bias of shape {bias.data.shape} does not fit an output of shape {data.shape}") from None
    return _node(data, _LINEAR, (x, weight, bias))


def _linear_rule(g: Any, out: Any, x: Any, w: Any, b: Any = None, needs_input_grad: tuple = (True, True, True)) -> tuple:
    """dx = g @ W, dW = g^T @ x (batch axes flattened into one), db = g summed over the batch."""
    gx = _reduce_to(g @ w, x) if needs_input_grad[0] else None
    gw = None
    if needs_input_grad[1]:
        g2 = g.reshape((-1, g.shape[-1]))
        x2 = x.reshape((-1, x.shape[-1]))
        # One sample: an outer product by broadcasting. OpenBLAS runs the
        # (out, 1) @ (1, in) product several times slower than this.
        gw = _reduce_to(g2.T * x2 if x2.shape[0] == 1 else g2.T @ x2, w)
    if b is None:
        return (gx, gw)
    gb = None
    if needs_input_grad[2]:
        # the usual (out,) bias: one sum over the batch rows, no general unbroadcast
        gb = g.reshape((-1, g.shape[-1])).sum(axis=0) if b.ndim == 1 else g
        gb = _reduce_to(gb, b)
    return (gx, gw, gb)


_LINEAR = Op("linear", _linear_rule, skip_unneeded=True)  # with or without the bias input


def _power(a: Tensor, b: Tensor) -> Tensor:
    with _quiet():
        try:
            data = a.data**b.data
        except ValueError:
            raise _broadcast_error("power", a.data.shape, b.data.shape) from None
    return _node(data, _POW, (a, b))


def _pow_rule(g: Any, out: Any, a: Any, b: Any, needs_input_grad: tuple = _BOTH) -> tuple:
    """d(a**b)/da = b a**(b-1); d(a**b)/db = a**b ln a (taken as 0 where a == 0, the limit for b > 0)."""
    ga = _reduce_to(g * b * a ** (b - 1), a) if needs_input_grad[0] else None
    gb = None
    if needs_input_grad[1]:
        gb = _reduce_to(_where(_data(a) == 0, 0.0, g * out * _log(a)), b)
    return (ga, gb)


_POW = Op("**", _pow_rule, skip_unneeded=True)


def concatenate(tensors: Sequence[ArrayLike], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis; each input's gradient is its slice of g."""
    parts = tuple([_as_tensor(t) for t in tensors])
    if not parts:
        raise ValueError("concatenate: needs at least one tensor")
    try:
        data = np.concatenate([t.data for t in parts], axis=axis)
    except (ValueError, TypeError) as exc:
        shapes = ", ".join(str(t.data.shape) for t in parts)
        raise ValueError(f"concatenate: cannot join tensors of shapes {shapes} along axis {axis}: {exc}") from None
    return _node(data, _op_with("concatenate", _concatenate_rule, axis=axis), parts)


def _concatenate_rule(g: Any, out: Any, *parts: Any, axis: int) -> tuple:
    axis %= out.ndim
    before = (slice(None),) * axis
    grads, start = [], 0
    for p in parts:
        stop = start + p.shape[axis]
        grads.append(_reduce_to(g[before + (slice(start, stop),)], p))
        start = stop
    return tuple(grads)


def stack(tensors: Sequence[ArrayLike], axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new axis; input i's gradient is g[..., i, ...]."""
    parts = tuple([_as_tensor(t) for t in tensors])
    if not parts:
        raise ValueError("stack: needs at least one tensor")
    try:
        data = np.stack([t.data for t in parts], axis=axis)
    except (ValueError, TypeError) as exc:
        shapes = ", ".join(str(t.data.shape) for t in parts)
        raise ValueError(f"stack: cannot stack tensors of shapes {shapes} along axis {axis}: {exc}") from None
    return _node(data, _op_with("stack", _stack_rule, axis=axis), parts)


def _stack_rule(g: Any, out: Any, *parts: Any, axis: int) -> tuple:
    before = (slice(None),) * (axis % out.ndim)
    return tuple([_reduce_to(g[before + (i,)], p) for i, p in enumerate(parts)])


def where(condition: ArrayLike, a: ArrayLike, b: ArrayLike) -> Tensor:
    """a where ``condition`` holds, else b (broadcast); each gets g where it was chosen.

    ``condition`` is a bool array or bool Tensor: it carries no gradient.
    """
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise TypeError(f"where: condition must be boolean, got dtype {cond.dtype} (compare first, e.g. x > 0)")
    a, b = _pair(a, b)
    try:
        data = np.where(cond, a.data, b.data)
    except ValueError:
        raise ValueError(
            f"where: shapes {cond.shape} (condition), {a.data.shape} and {b.data.shape} cannot be broadcast together"
        ) from None
    return _node(data, _WHERE, (_leaf(cond), a, b))


def _where_rule(g: Any, out: Any, cond: Any, a: Any, b: Any, needs_input_grad: tuple = (False, True, True)) -> tuple:
    c = _data(cond)
    return (
        None,
        _reduce_to(_where(c, g, 0), a) if needs_input_grad[1] else None,
        _reduce_to(_where(c, 0, g), b) if needs_input_grad[2] else None,
    )


_WHERE = Op("where", _where_rule, skip_unneeded=True)


def maximum(a: ArrayLike, b: ArrayLike) -> Tensor:
    """Elementwise larger of a and b (broadcast); where they tie, each gets half the gradient (as PyTorch)."""
    a, b = _pair(a, b)
    return _binary(np.maximum, "maximum", _MAXIMUM, a, b)


def minimum(a: ArrayLike, b: ArrayLike) -> Tensor:
    """Elementwise smaller of a and b (broadcast); where they tie, each gets half the gradient."""
    a, b = _pair(a, b)
    return _binary(np.minimum, "minimum", _MINIMUM, a, b)


def _choice_rule(g: Any, out: Any, a: Any, b: Any, needs_input_grad: tuple = _BOTH) -> tuple:
    """The input whose value was chosen gets g; on a tie each gets g/2."""
    x, y, chosen = _data(a), _data(b), _data(out)
    share_a = (x == chosen).astype(chosen.dtype)
    share_b = (y == chosen).astype(chosen.dtype)
    tie = share_a * share_b
    share_a -= tie * 0.5  # fresh arrays of our own: changing them in place is safe
    share_b -= tie * 0.5
    return (
        _reduce_to(g * share_a, a) if needs_input_grad[0] else None,
        _reduce_to(g * share_b, b) if needs_input_grad[1] else None,
    )


_MAXIMUM = Op("maximum", _choice_rule, skip_unneeded=True)
_MINIMUM = Op("minimum", _choice_rule, skip_unneeded=True)


# ------------------------------------------------------------ constructors


def tensor(data: ArrayLike, requires_grad: bool = False, dtype: Any = None, label: str = "") -> Tensor:
    """A new Tensor holding a *copy* of ``data`` (``Tensor(array)`` shares the array instead)."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        data = data.copy()
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, label=label)


def zeros(shape: int | Sequence[int], dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros(shape, dtype=dtype), requires_grad=requires_grad)


def ones(shape: int | Sequence[int], dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones(shape, dtype=dtype), requires_grad=requires_grad)


def randn(
    shape: int | Sequence[int],
    rng: np.random.Generator | int | None = None,
    dtype: Any = np.float32,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal samples; ``rng`` is a Generator or a seed (None: fresh entropy)."""
    rng = np.random.default_rng(rng)
    return Tensor(rng.standard_normal(shape).astype(dtype, copy=False), requires_grad=requires_grad)


# ------------------------------------------------------------------ helpers


def from_op(data: ArrayLike, op: Op, inputs: Sequence[Tensor]) -> Tensor:
    """The output of your own operation: ``data`` computed from ``inputs``, differentiated by ``op``.

    ``op = Op(name, rule)`` where ``rule(g, out, *inputs)`` returns one
    gradient per input (see graph.py). Write the rule with operations that
    work on both arrays and Tensors and second derivatives come for free::

        CUBE = Op("cube", lambda g, out, x: (g * 3 * x * x,))
        y = from_op(x.data ** 3, CUBE, [x])
    """
    if not isinstance(op, Op):
        raise TypeError(f"from_op: op must be an autograd_mlp.Op, got {type(op).__name__}")
    inputs = tuple(inputs)
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"from_op: input {i} is a {type(t).__name__}, not a Tensor")
    return _node(_to_array(data, None), op, inputs)


def _leaf(data: np.ndarray) -> Tensor:
    """A tensor with no history, made without the constructor's checks (data is already an ndarray)."""
    t = _new(Tensor)
    t.data = data
    t._grad = None
    t.label = ""
    t._op = None
    t._prev = ()
    t._requires_grad = False
    t._scope = _mode.scope
    return t


def _node(data: Any, op: Op, prev: tuple) -> Tensor:
    """The result of an op: it records ``op`` and ``prev`` only when grad mode is on and an input requires grad."""
    if type(data) is not _ndarray:
        data = np.asarray(data)  # 0-d operands give numpy scalars; .data is always an ndarray
    t = _new(Tensor)
    t.data = data
    t._grad = None
    t.label = ""
    t._scope = _mode.scope
    if _mode.enabled:
        for p in prev:
            if p._requires_grad:
                t._op = op
                t._prev = prev
                t._requires_grad = True
                return t
    t._op = None
    t._prev = ()
    t._requires_grad = False
    return t


def _binary(ufunc: Any, name: str, op: Op, a: Tensor, b: Tensor) -> Tensor:
    try:
        data = ufunc(a.data, b.data)
    except ValueError:
        raise _broadcast_error(name, a.data.shape, b.data.shape) from None
    return _node(data, op, (a, b))


def _compare(ufunc: Any, symbol: str, a: Tensor, other: Any) -> Any:
    if type(other) is not Tensor:
        try:
            other = _operand(other, a)
        except TypeError:
            return NotImplemented  # x == None is False, x < None a TypeError, as for other objects
    try:
        return _leaf(np.asarray(ufunc(a.data, other.data)))
    except ValueError:
        raise _broadcast_error(f"compare ({symbol})", a.data.shape, other.data.shape) from None


def _to_array(data: Any, dtype: Any) -> np.ndarray:
    """The constructor's conversion: Python data -> float32 by default, arrays keep their dtype."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"Tensor: {dtype!r} is not a dtype") from None
        _check_dtype(dtype)
    if isinstance(data, np.ndarray):
        _check_dtype(data.dtype)
        return data if dtype is None or data.dtype == dtype else data.astype(dtype)
    if isinstance(data, np.generic):
        _check_dtype(data.dtype)
        return np.asarray(data, dtype=dtype)
    if _is_value(data):
        raise TypeError("Tensor(...) cannot hold a Value: use Tensor(value.data), or keep scalars as Values")
    try:
        array = np.asarray(data)
    except ValueError as exc:
        raise ValueError(f"Tensor: cannot make an array from this {type(data).__name__}: {exc}") from None
    _check_dtype(array.dtype)
    return array.astype(dtype if dtype is not None else np.float32, copy=False)


def _check_dtype(dtype: np.dtype) -> np.dtype:
    if dtype.kind not in _ALLOWED_KINDS:
        raise TypeError(
            f"Tensor: unsupported dtype {dtype} (kind {dtype.kind!r}); "
            "use a float (float32, float64), integer or bool dtype"
        )
    return dtype


def _operand(x: Any, like: Tensor) -> Tensor:
    """``x`` as a Tensor operand of an op with ``like``: numbers become constant leaves.

    A Python or numpy scalar takes ``like``'s float dtype (so ``x * 0.5``
    stays float32, as Python scalars do in numpy and 0-d tensors in PyTorch).
    """
    if type(x) is Tensor:
        return x
    if isinstance(x, (int, float, np.generic)):
        if isinstance(x, np.generic):
            _check_dtype(x.dtype)
        dtype = like.data.dtype
        if dtype.kind != "f":  # an int/bool tensor: numpy's rules decide (int + 0.5 is float64)
            dtype = np.result_type(dtype, x.item() if isinstance(x, np.generic) else x)
        return _leaf(np.asarray(x, dtype=dtype))
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        _check_dtype(x.dtype)
        return _leaf(x)
    if isinstance(x, (list, tuple)):
        return _leaf(_to_array(x, None))
    if _is_value(x):
        raise TypeError("cannot combine a Tensor with a Value: use Tensors for arrays, Values for scalars")
    raise TypeError(f"unsupported operand of type {type(x).__name__} for a Tensor operation")


def _as_tensor(x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        _check_dtype(x.dtype)
        return _leaf(x)
    return Tensor(x)


def _pair(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Two operands as Tensors; a number takes the dtype of the tensor beside it."""
    if isinstance(a, Tensor):
        return a, _operand(b, a)
    if isinstance(b, Tensor):
        return _operand(a, b), b
    a = _as_tensor(a)
    return a, _operand(b, a)


def _is_value(x: Any) -> bool:
    return isinstance(x, Value)


def _raw(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


# --------------------------------------------------- error messages


def _broadcast_error(name: str, shape_a: Shape, shape_b: Shape) -> ValueError:
    return ValueError(f"{name}: shapes {shape_a} and {shape_b} cannot be broadcast together")


def _matmul_error(shape_a: Shape, shape_b: Shape) -> ValueError:
    if not shape_a or not shape_b:
        return ValueError(
            f"matmul: operands need at least 1 dimension, got shapes {shape_a} and {shape_b} "
            "(use * to multiply by a scalar)"
        )
    k_a = shape_a[-1]
    k_b = shape_b[-2] if len(shape_b) > 1 else shape_b[0]
    if k_a != k_b:
        return ValueError(f"matmul: shapes {shape_a} and {shape_b} are not aligned ({k_a} != {k_b})")
    return ValueError(
        f"matmul: batch shapes {shape_a[:-2]} and {shape_b[:-2]} cannot be broadcast together "
        f"(shapes {shape_a} and {shape_b})"
    )


def _axis_error(name: str, axis: Any, data: np.ndarray, exc: Exception) -> Exception:
    message = f"{name}: invalid axis {axis!r} for a tensor of shape {data.shape}: {exc}"
    if isinstance(exc, AxisError):
        return AxisError(message)
    return type(exc)(message)


def _check_axis(name: str, axis: int, data: np.ndarray) -> None:
    if not isinstance(axis, (int, np.integer)) or not -data.ndim <= axis < data.ndim:
        raise AxisError(f"{name}: axis {axis!r} is out of range for a tensor of shape {data.shape}")


def _show_index(index: Any) -> str:
    parts = index if type(index) is tuple else (index,)
    shown = []
    for p in parts:
        if isinstance(p, np.ndarray):
            shown.append(f"array(shape={p.shape}, dtype={p.dtype})" if p.size > 8 else repr(p.tolist()))
        elif isinstance(p, slice):
            text = ("" if p.start is None else str(p.start)) + ":" + ("" if p.stop is None else str(p.stop))
            shown.append(text if p.step is None else f"{text}:{p.step}")
        elif p is Ellipsis:
            shown.append("...")
        else:
            shown.append(repr(p))
    return "[" + ", ".join(shown) + "]"


# ------------------------------------------------- shapes, axes, indices


# Hot-path tuples are built as tuple([...]), not tuple(generator): CPython
# sizes a generator's tuple by guessing and then resizing it, which moves
# tuples between its free lists and looks like slow memory growth.


def unbroadcast(g: Any, shape: Shape) -> Any:
    """Sum ``g`` over the axes that broadcasting added or stretched, so it has ``shape``.

    The gradient of a broadcast is a sum: an input element copied to many
    output elements receives all their gradients. Works on arrays and Tensors.
    """
    if g.shape == shape:
        return g
    lead = len(g.shape) - len(shape)
    if lead:  # axes broadcasting added in front: summed away
        g = g.sum(axis=tuple(range(lead)))
    stretched = tuple([i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1])
    if stretched:  # size-1 axes broadcasting stretched: summed back to size 1
        g = g.sum(axis=stretched, keepdims=True)
    return g  # fresh sums, not reshaped views (the core would have to copy a view for a leaf)


def _reduce_to(g: Any, x: Any) -> Any:
    """The gradient for input ``x``: `unbroadcast` to its shape, cast to its dtype (mixed-dtype ops promote)."""
    if g.shape != x.shape:
        g = unbroadcast(g, x.shape)
    if g.dtype is not x.dtype and g.dtype != x.dtype:
        g = g.astype(x.dtype)
    return g


def _axis_arg(axis: Any) -> Any:
    """Lists of axes become tuples (hashable, and what numpy expects)."""
    return tuple(axis) if isinstance(axis, list) else axis


def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """``axis`` (None, int or tuple, negatives allowed) as sorted non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if not isinstance(axis, tuple):
        axis = (axis,)
    return tuple(sorted(int(a) % ndim for a in axis))


def _kept_shape(shape: Shape, axis: Any) -> Shape:
    """The shape of a reduction over ``axis`` with keepdims=True."""
    axes = _axes(axis, len(shape))
    return tuple([1 if i in axes else n for i, n in enumerate(shape)])


def _count(shape: Shape, axis: Any) -> int:
    """How many elements a reduction over ``axis`` combines into each result."""
    count = 1
    for i in _axes(axis, len(shape)):
        count *= shape[i]
    return count


def _expand(g: Any, shape: Shape, axis: Any, keepdims: bool) -> Any:
    """Undo a reduction's shape: put the reduced axes back as size 1, then broadcast g over them."""
    if not keepdims:
        g = g.reshape(_kept_shape(shape, axis))
    if type(g) is Tensor:
        return g.broadcast_to(shape)
    return np.broadcast_to(g, shape)  # a read-only view: no copy (the core copies it if a leaf keeps it)


def _clean_index(index: Any) -> Any:
    """A numpy index: Tensors replaced by their arrays, lists by integer/bool arrays."""
    if type(index) is tuple:
        return tuple([_clean_index_part(p) for p in index])
    return _clean_index_part(index)


def _clean_index_part(part: Any) -> Any:
    if isinstance(part, Tensor):
        return part.data
    if isinstance(part, list):
        array = np.asarray(part)
        return array.astype(np.intp) if array.size == 0 else array
    return part


def _has_integer_array(index: Any) -> bool:
    """True when the index may pick an element twice (integer arrays): then gradients must add up."""
    parts = index if type(index) is tuple else (index,)
    return any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" for p in parts)


def _scatter(g: Any, shape: Shape, index: Any, accumulate: bool) -> Any:
    """zeros(shape) with g placed (added, if indices repeat) at ``index``."""
    if type(g) is Tensor:
        return g._scatter_into(shape, index, accumulate)
    full = np.zeros(shape, dtype=g.dtype)
    if accumulate:
        np.add.at(full, index, g)
    else:
        full[index] = g
    return full


# ----------------------------------------- type-dispatching math for rules
# Rules see arrays in an ordinary pass and Tensors under create_graph=True.


def _data(x: Any) -> Any:
    return x.data if type(x) is Tensor else x


def _exp(x: Any) -> Any:
    return x.exp() if type(x) is Tensor else np.exp(x)


def _log(x: Any) -> Any:
    return x.log() if type(x) is Tensor else np.log(x)


def _sigmoid(x: Any) -> Any:
    return x.sigmoid() if type(x) is Tensor else _sigmoid_array(x)


def _sign(x: Any) -> Any:
    """sign(x) as a constant (its derivative is 0 wherever it exists)."""
    return np.sign(_data(x))


def _where(cond: Any, a: Any, b: Any) -> Any:
    if type(a) is Tensor or type(b) is Tensor:
        return where(cond, a, b)
    return np.where(cond, a, b)


def _sigmoid_array(x: np.ndarray) -> np.ndarray:
    # exp only ever sees -|x| <= 0, so nothing overflows: for x >= 0 this is
    # 1 / (1 + e**-x), for x < 0 the same number written as e**x / (1 + e**x).
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1, e)
    out /= 1 + e
    return out
